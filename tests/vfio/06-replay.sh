#!/bin/bash
# A second IOMMU group that joins a container with DMA mappings gets them
# replayed into its domain (vfio_iommu_replay()). For pageless memory that
# costs O(runs): map=none at 1G is mapped from type1's record of its pfn
# runs, with no iommu_iova_to_phys() lookup, as one run or as two (the
# device's halves in swapped order), and next to pinned anonymous memory,
# which is still looked up page by page; the edu devices of both groups
# reach every unit. map=mem, whose pages GUP pinned, is found page by page
# (the control that shows the probe counts what it should).
# QEMU's one vIOMMU lets every group share the first domain, so
# tests/kmod/attach_split refuses that attach and forces the replay.
. "$TOP/tests/lib/tap.sh"
. "$TOP/tests/lib/dax.sh"
. "$TOP/tests/lib/edu.sh"
. "$TOP/tests/lib/kprobe.sh"

edu_vfio
[ "${#EDU_ALL[@]}" -ge 2 ] || bail "one edu device: this test needs two (vm.sh --edu --edu)"
EDU2=${EDU_ALL[1]}
EDU2_GROUP=$(edu_group "$EDU2")
[ "$EDU2_GROUP" != "$EDU_GROUP" ] || bail "both edu devices are in IOMMU group $EDU_GROUP"
note "edu $EDU in group $EDU_GROUP, edu $EDU2 in group $EDU2_GROUP"
need_modules nd_e820 nd_pmem dax_pmem device_dax
ns=$(nd_first namespace -N) || bail "no namespace on the legacy region"
for p in vfio_lookup:follow_pfnmap_start vfio_i2p:iommu_iova_to_phys; do
	kprobe_add "${p%%:*}" "${p#*:}" || bail "no kprobe events"
done
insmod "$BUILD/kmod/attach_split.ko" || bail "cannot load attach_split"
refused=/sys/module/attach_split/parameters/refused

# replayed WHAT DEV ALIGN SIZE LAYOUT: map SIZE of DEV (in LAYOUT) through
# the first group, let the second join and DMA through both (vfiodma
# replay), with the probes armed during the attach only; sets lookups,
# i2p (the replay's iommu_iova_to_phys() calls) and attaches (refused).
replayed() {
	local l0 i0 r0
	r0=$(cat "$refused")
	l0=$(kprobe_hits vfio_lookup) i0=$(kprobe_hits vfio_i2p)
	sub_tap "$1" env VFIODMA_ARM="$KP_TR/events/kprobes/enable" "$PROGS/vfiodma" \
		replay "$EDU_GROUP" "$EDU" "$2" "$3" "$4" "$EDU2_GROUP" "$EDU2" "$5"
	kprobe_arm 0
	lookups=$(($(kprobe_hits vfio_lookup) - l0))
	i2p=$(($(kprobe_hits vfio_i2p) - i0))
	attaches=$(($(cat "$refused") - r0))
	note "$1: during the attach: follow_pfnmap_start $lookups, iommu_iova_to_phys $i2p; attaches refused $attaches"
}

if make_dax "$ns" $((1 << 30)) none; then
	units=$((dsize >> 30))
	for layout in plain swapped; do
		replayed "map=none 1G, $units GiB, $layout" "$dev" $((1 << 30)) "$dsize" "$layout"
		check "map=none 1G, $layout: the second group got a domain of its own (1 attach refused)" \
			test "$attaches" -eq 1
		check "map=none 1G, $layout: the replay looked up no pfn ($i2p iommu_iova_to_phys calls)" \
			test "$i2p" -eq 0
		check "map=none 1G, $layout: nor walked the process's page tables ($lookups)" \
			test "$lookups" -eq 0
	done
	# 2 MiB + 12 KiB of pinned anonymous pages, then the device: the
	# replay finds the pinned pages one by one (at most two lookups each,
	# where contiguity breaks) and maps the device from its record.
	anon=$(((2 << 20) / 4096 + 3))
	replayed "map=none 1G, $units GiB after anonymous memory" "$dev" $((1 << 30)) "$dsize" mixed
	check "mixed: the second group got a domain of its own" test "$attaches" -eq 1
	check "mixed: the replay looked up the $anon pinned pages only ($anon <= $i2p <= $((2 * anon)))" \
		test "$i2p" -ge "$anon" -a "$i2p" -le $((2 * anon))
fi

if make_dax "$ns" $((2 << 20)) mem; then
	size=$((64 << 20))
	replayed "control, map=mem 2M, 64 MiB" "$dev" $((2 << 20)) "$size" plain
	check "control, map=mem: the second group got a domain of its own" \
		test "$attaches" -eq 1
	check "control, map=mem: the replay walked the pinned pages ($i2p >= $((size >> 12)))" \
		test "$i2p" -ge $((size >> 12))
fi
check "unload attach_split" rmmod attach_split
kprobe_clear
dax_new "$ns" $((2 << 20)) none >/dev/null || note "could not restore map=none: $dax_out"
done_testing
