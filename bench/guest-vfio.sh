#!/bin/bash
# Runs inside the VFIO benchmark guest (make bench): VFIO_IOMMU_MAP_DMA and
# UNMAP_DMA of 1, 2 and 4 GiB through edu's IOMMU group, for device-dax
# map=none at align 4K, 2M and 1G, map=none at 1G with vfio_iommu_type1's
# disable_hugepages (one 4 KiB pfn per lookup and per IOMMU map, the
# baseline), map=mem at 2M (the GUP path) and anonymous memory. Times are
# medians of $REPS runs with no probes armed; the lookups (follow_pfnmap_start()
# calls) and GUP batches (pin_user_pages_remote() calls) of one more map are
# counted by kprobes.
set -eu
REPS=${REPS:-3}
# shellcheck source=tests/lib/tap.sh
. "$TOP/tests/lib/tap.sh"
# shellcheck source=tests/lib/edu.sh
. "$TOP/tests/lib/edu.sh"
# shellcheck source=tests/lib/dax.sh
. "$TOP/tests/lib/dax.sh"
# shellcheck source=tests/lib/kprobe.sh
. "$TOP/tests/lib/kprobe.sh"

edu_vfio >/dev/null
need_modules nd_e820 nd_pmem dax_pmem device_dax
ns=$(nd_first namespace -N) || bail "no namespace on the legacy region"
hp=/sys/module/vfio_iommu_type1/parameters/disable_hugepages

kprobe_add bench_lookup follow_pfnmap_start || bail "no kprobe events"
kprobe_add bench_gup pin_user_pages_remote || bail "no kprobe events"

# one VARIANT BUF SIZE: a table row.
one() {
	local v=$1 buf=$2 size=$3 t l0 g0
	if ! t=$("$PROGS/vfiodma" bench "$EDU_GROUP" "$EDU" "$buf" "$size" "$REPS" 2>&1); then
		printf '%-10s %-4s %10s %10s %10s %10s  # %s\n' "$v" "$((size >> 30))G" - - - - "$t"
		return
	fi
	kprobe_arm 1
	l0=$(kprobe_hits bench_lookup) g0=$(kprobe_hits bench_gup)
	"$PROGS/vfiodma" bench "$EDU_GROUP" "$EDU" "$buf" "$size" 1 >/dev/null
	kprobe_arm 0
	printf '%-10s %-4s %10s %10s %10s %10s\n' "$v" "$((size >> 30))G" \
		"$(awk '{ print $2 }' <<<"$t")" "$(awk '{ print $4 }' <<<"$t")" \
		$(($(kprobe_hits bench_lookup) - l0)) $(($(kprobe_hits bench_gup) - g0))
}

# dax ALIGN MAP: make $ns devdax; prints the device node.
dax() {
	dax_new "$ns" "$1" "$2" || bail "$dax_out"
	echo "$dev"
}

echo "# kernel $(uname -r), $(nproc) cpu(s); medians of $REPS runs"
printf '%-10s %-4s %10s %10s %10s %10s\n' variant size map_us unmap_us lookups gup_calls
for v in none-4K none-2M none-1G none-1G-4K mem-2M anon; do
	case $v in
	none-4K) buf=$(dax 4096 none);;
	none-2M) buf=$(dax $((2 << 20)) none);;
	none-1G) buf=$(dax $((1 << 30)) none);;
	mem-2M) buf=$(dax $((2 << 20)) mem);;
	anon) buf=anon;;
	esac
	[ "$v" = none-1G-4K ] && echo Y >"$hp"
	for s in 1 2 4; do
		one "$v" "$buf" $((s << 30))
	done
	echo N >"$hp"
done
dax_raw "$ns" >/dev/null
kprobe_clear
