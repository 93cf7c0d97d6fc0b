#!/bin/bash
# VFIO_IOMMU_UNMAP_DMA of pageless memory costs O(leaves), not O(pages):
# mapping a map=none device at 1G align looks up one pfn per 1G leaf
# (follow_pfnmap_start()), and unmapping it looks up none
# (iommu_iova_to_phys()) and unpins nothing, so it takes about as long as
# the map, not ~0.2 s per GiB under TCG as the per-page walk did. map=mem,
# whose pages GUP pinned, still walks them: the control that shows the
# probe counts what it should.
. "$TOP/tests/lib/tap.sh"
. "$TOP/tests/lib/dax.sh"
. "$TOP/tests/lib/edu.sh"
. "$TOP/tests/lib/kprobe.sh"

edu_vfio
need_modules nd_e820 nd_pmem dax_pmem device_dax
ns=$(nd_first namespace -N) || bail "no namespace on the legacy region"
for p in vfio_lookup:follow_pfnmap_start vfio_i2p:iommu_iova_to_phys; do
	kprobe_add "${p%%:*}" "${p#*:}" || bail "no kprobe events"
done

# shellcheck disable=SC2317 # called through check
# pins: pages pinned so far, after folding the per-cpu counts into the totals.
pins() {
	echo 1 >/proc/sys/vm/stat_refresh
	awk '$1 == "nr_foll_pin_acquired" { print $2 }' /proc/vmstat
}

# counted DEV SIZE: one map and unmap of SIZE bytes of DEV with the probes
# armed; sets lookups and i2p to the calls counted, and pinned to the
# pages pinned meanwhile (GUP is called for map=none too, and fails).
# shellcheck disable=SC2317 # called through check
counted() {
	local l0 i0 p0 rc=0
	kprobe_arm 1
	l0=$(kprobe_hits vfio_lookup) i0=$(kprobe_hits vfio_i2p) p0=$(pins)
	"$PROGS/vfiodma" bench "$EDU_GROUP" "$EDU" "$1" "$2" 1 >"$TAP_OUT" 2>&1 || rc=$?
	kprobe_arm 0
	lookups=$(($(kprobe_hits vfio_lookup) - l0))
	i2p=$(($(kprobe_hits vfio_i2p) - i0))
	pinned=$(($(pins) - p0))
	return "$rc"
}

if make_dax "$ns" $((1 << 30)) none; then
	units=$((dsize >> 30))
	check "map=none 1G, $units GiB: map and unmap it" counted "$dev" "$dsize"
	note "follow_pfnmap_start $lookups, iommu_iova_to_phys $i2p, pages pinned $pinned"
	check "map=none 1G: at most one lookup per 1G leaf ($lookups <= $units)" \
		test "$lookups" -ge 1 -a "$lookups" -le "$units"
	check "map=none 1G: nothing pinned ($pinned pages)" test "$pinned" -eq 0
	check "map=none 1G: unmap looks up no pfn ($i2p iommu_iova_to_phys calls)" \
		test "$i2p" -eq 0
	if t=$("$PROGS/vfiodma" bench "$EDU_GROUP" "$EDU" "$dev" "$dsize" 3 2>&1); then
		read -r _ map _ unmap <<<"$t"
		note "medians of 3: map $map us, unmap $unmap us"
		# 10x the map, or 50 ms when both are that short (TCG noise);
		# the per-page walk took ~200 ms per GiB.
		lim=$((map * 10 > 50000 ? map * 10 : 50000))
		check "map=none 1G: unmap ($unmap us) within 10x of map ($map us) or 50 ms" \
			test "$unmap" -le "$lim"
	else
		not_ok "map=none 1G: time map and unmap"
		diag <<<"$t"
	fi
fi

if make_dax "$ns" $((2 << 20)) mem; then
	size=$((64 << 20))
	check "control, map=mem 2M, 64 MiB: map and unmap it" counted "$dev" "$size"
	note "follow_pfnmap_start $lookups, iommu_iova_to_phys $i2p, pages pinned $pinned"
	check "control, map=mem: pinned ($pinned pages)" test "$pinned" -ge $((size >> 12))
	check "control, map=mem: unmap walks the pinned pages ($i2p >= $((size >> 12)))" \
		test "$i2p" -ge $((size >> 12))
fi
kprobe_clear
dax_new "$ns" $((2 << 20)) none >/dev/null || note "could not restore map=none: $dax_out"
done_testing
