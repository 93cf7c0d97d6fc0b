#!/bin/bash
# Runs inside the scale benchmark guest (make bench B=scale): a lazily
# backed guest whose ~1 TiB memmap= range is one labelled region
# (nd_e820.labels=1, so no raw namespace binds and builds a memmap), and
# whose own System RAM is a few GiB. Namespaces are carved from the region
# through sysfs (uuid, size; force_raw so that nothing ever binds one raw
# with a memmap) and made devdax with tests/progs/ndns; between variants
# they are destroyed (ndctl zeroes the info block with force_raw too).
#   enable   map=none at 1G over the whole region against map=mem at 1G,
#            2M and 4K: MemFree taken and time of binding dax_pmem. A
#            map=mem variant is tried only if the memmap it needs (estimated
#            below) fits in MemAvailable less 1 GiB; else its row says so,
#            and map=mem at 4K is measured on $SMALL instead.
#   vfio     VFIO_IOMMU_MAP_DMA/UNMAP_DMA of the whole 1G map=none device
#            through edu's group: time, and the follow_pfnmap_start() and
#            iommu_iova_to_phys() calls of one map + unmap (kprobes).
#   kvm      a KVM memslot on the whole device; the vCPU stores one word in
#            each of $KVM_N GiB spread over it; stage-2 entries.
#   fio      fio's dev-dax engine, 2 MiB blocks, on a $FIO_SIZE namespace at
#            2M align, map=none and map=mem: the first pass after enabling,
#            then sequential and random write throughput.
# Medians of $REPS runs. SCALE_TRY_ALL=1 tries every map=mem variant
# whatever its estimate (only with a kernel that refuses a memmap it
# cannot get: 6.1 exhausts memory, warns in add_pages() and may OOM).
set -eu
REPS=${REPS:-3}
SMALL=${SMALL:-32G}
KVM_N=${KVM_N:-64}
FIO_SIZE=${FIO_SIZE:-2G}
# shellcheck source=tests/lib/tap.sh
. "$TOP/tests/lib/tap.sh"
# shellcheck source=tests/lib/edu.sh
. "$TOP/tests/lib/edu.sh"
# shellcheck source=tests/lib/dax.sh
. "$TOP/tests/lib/dax.sh"
# shellcheck source=tests/lib/kprobe.sh
. "$TOP/tests/lib/kprobe.sh"

G=$((1 << 30))
bytes() { numfmt --from=iec "$1"; }

need_modules kvm_amd nd_e820 nd_pmem dax_pmem device_dax
edu_vfio >/dev/null
# The largest region: the memmap= range (the labels take its last 128 KiB).
region=$(ndctl list -R | jq -r '[.. | objects | select(has("size") and has("dev"))
	| select(.dev | startswith("region"))] | max_by(.size) | .dev // empty')
[ -n "$region" ] || bail "no region"
[ "$(nd_count 'has("size")' -N -r "$region")" -eq 0 ] ||
	bail "$region has namespaces already (boot with nd_e820.labels=1 on fresh RAM)"
nd_init_labels all >/dev/null 2>&1 || bail "cannot initialize the labels of $region"
rsys=/sys/bus/nd/devices/$region

# carve SIZE: a new namespace of SIZE (rounded down to the region's align)
# in $region, not enabled, force_raw set; sets ns.
carve() {
	local size=$1 ra seed
	ra=$(cat "$rsys/align")
	size=$((size / ra * ra))
	seed=$(cat "$rsys/namespace_seed")
	[ -n "$seed" ] || bail "$region has no namespace seed"
	echo 1 >"/sys/bus/nd/devices/$seed/force_raw"
	cat /proc/sys/kernel/random/uuid >"/sys/bus/nd/devices/$seed/uuid"
	echo "$size" >"/sys/bus/nd/devices/$seed/size" || bail "cannot size $seed to $size"
	ns=$seed
}
# devdax ALIGN MAP: make $ns a devdax namespace; sets nd, dev, dsize and
# dax_out; fails if ndns did.
devdax() {
	nd='' dev='' dsize=''
	dax_out=$("$PROGS/ndns" devdax "$ns" "$1" "$2" 2>&1) || return 1
	nd=${dax_out#*nd=}
	nd=${nd%%[[:space:]]*}
	dev=${dax_out#*dev=}
	dev=${dev%%[[:space:]]*}
	dsize=$(cat "/sys/bus/dax/devices/${dev#/dev/}/size")
}
# destroy: destroy $ns (and its dax device).
destroy() {
	ndctl destroy-namespace -f "$ns" >/dev/null 2>&1 || bail "cannot destroy $ns"
}

# memmap_kib SIZE ALIGN: the memmap map=mem needs (KiB). 6.1 shares the
# vmemmap of compound pages (align > 4K, no altmap): two pages of struct
# pages per unit, plus a page table page per 2 MiB of vmemmap; at 4K, 64
# bytes per page, in 2 MiB blocks.
memmap_kib() {
	local size=$1 align=$2 units vmemmap
	vmemmap=$((size * 64 / 4096))
	if [ "$align" -eq 4096 ]; then
		echo $((vmemmap >> 10))
	else
		units=$((size / align))
		echo $(((units * 8192 + vmemmap * 4096 / (2 << 20)) >> 10))
	fi
}
avail_kib() { awk '$1 == "MemAvailable:" { print $2 }' /proc/meminfo; }

full=$(cat "$rsys/available_size")
echo "# kernel $(uname -r), $(nproc) cpu(s), $(awk '$1 == "MemTotal:" { print int($2 / 1024) }' /proc/meminfo) MiB of System RAM; medians of $REPS runs"
echo "# $region: $(($(cat "$rsys/size") >> 30)) GiB, $((full >> 30)) GiB available"
echo
echo "## enable: MemFree taken (KiB) and time (us) of binding dax_pmem"
printf '%-8s %-6s %10s %12s %12s %14s\n' variant ns_size dax_gib free_kb enable_us memmap_est_kb

# enable VARIANT SIZE ALIGN MAP: a row of the enable table.
enable() {
	local v=$1 size=$2 align=$3 map=$4 est avail
	est=0
	[ "$map" = none ] || est=$(memmap_kib "$size" "$align")
	avail=$(avail_kib)
	if [ "${SCALE_TRY_ALL:-0}" != 1 ] && [ "$est" -gt $((avail - (1 << 20))) ]; then
		printf '%-8s %-6s %10s %12s %12s %14s  # not tried: MemAvailable %s KiB\n' \
			"$v" "$((size >> 30))G" - - - "$est" "$avail"
		return
	fi
	carve "$size"
	if ! devdax "$align" "$map"; then
		printf '%-8s %-6s %10s %12s %12s %14s  # %s\n' "$v" "$((size >> 30))G" - - - \
			"$est" "$(tr '\n' ' ' <<<"$dax_out")"
		destroy
		return
	fi
	: >/tmp/enable
	for _ in $(seq "$REPS"); do
		enable_cost "$nd" >>/tmp/enable
	done
	printf '%-8s %-6s %10s %12s %12s %14s\n' "$v" "$((size >> 30))G" "$((dsize >> 30))" \
		"$(cut -d' ' -f1 /tmp/enable | median)" "$(cut -d' ' -f2 /tmp/enable | median)" "$est"
	# The last variant of the table keeps its namespace for what follows.
	[ "${keep:-0}" = 1 ] || destroy
}
enable mem-1G "$full" "$G" mem
enable mem-2M "$full" $((2 << 20)) mem
enable mem-4K "$full" 4096 mem
enable mem-4K "$(bytes "$SMALL")" 4096 mem
enable none-1G "$(bytes "$SMALL")" "$G" none
keep=1 enable none-1G "$full" "$G" none
[ -n "$dev" ] || bail "no map=none device over the region"
big=$dev bigsize=$((dsize / G * G))

echo
echo "## vfio: MAP_DMA and UNMAP_DMA of the whole device through edu's group"
printf '%-8s %-6s %12s %12s %12s %14s\n' variant size map_us unmap_us map_lookups unmap_lookups
kprobe_add scale_lookup follow_pfnmap_start || bail "no kprobe events"
kprobe_add scale_iova iommu_iova_to_phys || bail "no kprobe events"
if t=$("$PROGS/vfiodma" bench "$EDU_GROUP" "$EDU" "$big" "$bigsize" "$REPS" "$G" 2>&1); then
	kprobe_arm 1
	l0=$(kprobe_hits scale_lookup) i0=$(kprobe_hits scale_iova)
	"$PROGS/vfiodma" bench "$EDU_GROUP" "$EDU" "$big" "$bigsize" 1 "$G" >/dev/null
	kprobe_arm 0
	printf '%-8s %-6s %12s %12s %12s %14s\n' none-1G "$((bigsize >> 30))G" \
		"$(awk '{ print $2 }' <<<"$t")" "$(awk '{ print $4 }' <<<"$t")" \
		$(($(kprobe_hits scale_lookup) - l0)) $(($(kprobe_hits scale_iova) - i0))
else
	printf '%-8s %-6s %12s %12s %12s %14s  # %s\n' none-1G "$((bigsize >> 30))G" - - - - \
		"$(tr '\n' ' ' <<<"$t")"
fi
kprobe_clear

echo
echo "## kvm: a memslot on the whole device, one word in each of $KVM_N GiB spread over it"
printf '%-8s %-6s %6s %12s %12s %9s %9s %9s\n' variant size touched first_us second_us pages_4k pages_2m pages_1g
: >/tmp/kvmbench
kvm_err=""
for _ in $(seq "$REPS"); do
	"$PROGS/kvmdax" spread "$big" "$G" "$bigsize" "$KVM_N" >>/tmp/kvmbench 2>/tmp/kvm.err ||
		{ kvm_err=$(tr '\n' ' ' </tmp/kvm.err); break; }
done
if [ -z "$kvm_err" ]; then
	printf '%-8s %-6s %6s %12s %12s %9s %9s %9s\n' none-1G "$((bigsize >> 30))G" "$KVM_N" \
		"$(awk '{ print $2 }' /tmp/kvmbench | median)" \
		"$(awk '{ print $4 }' /tmp/kvmbench | median)" \
		"$(awk 'END { print $6 }' /tmp/kvmbench)" \
		"$(awk 'END { print $8 }' /tmp/kvmbench)" \
		"$(awk 'END { print $10 }' /tmp/kvmbench)"
else
	printf '%-8s %-6s %6s %12s %12s %9s %9s %9s  # %s\n' none-1G "$((bigsize >> 30))G" \
		"$KVM_N" - - - - - "$kvm_err"
fi
destroy

echo
echo "## fio dev-dax engine, 2 MiB blocks, $FIO_SIZE namespace at 2M align"
printf '%-8s %-6s %14s %12s %12s\n' variant size first_pass_ms seq_MiBps rand_MiBps
# fio_run RW: one pass of RW over $dev; prints "runtime_ms MiB/s".
fio_run() {
	fio --name=scale --ioengine=dev-dax --filename="$dev" --rw="$1" --bs=2m \
		--size="$dsize" --randrepeat=0 --norandommap --output-format=json 2>/dev/null |
		jq -r '.jobs[0].write | "\(.runtime) \(.bw_bytes / 1048576 | floor)"'
}
# Guest RAM is backed lazily: the first writes to a guest-physical page
# cost QEMU an allocation. Every namespace below is carved at the start of
# the empty region, so one untimed pass first gives both variants memory
# QEMU has already backed.
carve "$(bytes "$FIO_SIZE")"
devdax $((2 << 20)) none || bail "fio warm-up: $dax_out"
fio_run write >/dev/null
destroy
for v in none-2M mem-2M; do
	carve "$(bytes "$FIO_SIZE")"
	if ! devdax $((2 << 20)) "${v%-2M}"; then
		printf '%-8s %-6s %14s %12s %12s  # %s\n' "$v" "$FIO_SIZE" - - - "$(tr '\n' ' ' <<<"$dax_out")"
		destroy
		continue
	fi
	first=$(fio_run write)
	: >/tmp/seq
	: >/tmp/rand
	for _ in $(seq "$REPS"); do
		fio_run write | awk '{ print $2 }' >>/tmp/seq
		fio_run randwrite | awk '{ print $2 }' >>/tmp/rand
	done
	printf '%-8s %-6s %14s %12s %12s\n' "$v" "$((dsize >> 20))M" "${first%% *}" \
		"$(median </tmp/seq)" "$(median </tmp/rand)"
	destroy
done
