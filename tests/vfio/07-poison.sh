#!/bin/bash
# VFIO and a memory error in pageless device-dax: after memory_failure()
# (hard_offline_page) poisons a page of a device that a process maps,
# VFIO_IOMMU_MAP_DMA of a range that holds the page fails with EFAULT and
# leaves nothing mapped, while the units before it still map.
. "$TOP/tests/lib/tap.sh"
. "$TOP/tests/lib/dax.sh"
. "$TOP/tests/lib/edu.sh"
. "$TOP/tests/lib/hwpoison.sh"

edu_vfio
need_modules nd_e820 nd_pmem dax_pmem device_dax
ns=$(nd_first namespace -N) || bail "no namespace on the legacy region"

for t in "$((2 << 20)) $(( (5 << 21) + 3 * 4096 ))" \
	"$((1 << 30)) $(( (1 << 30) + (5 << 21) + 3 * 4096 ))"; do
	read -r align off <<<"$t"
	make_dax "$ns" "$align" none || continue
	dax=${dev#/dev/}
	phys=$(cat "/sys/bus/dax/devices/$dax/resource")
	hold_start "$PROGS/vfiodma" poisoned "$EDU_GROUP" "$EDU" "$dev" "$align" "$dsize" "$off"
	check "align $align: a memory error in the mapped device is handled" \
		hard_offline $((phys + off))
	hold_finish
	hold_tap "align $align"
done
dax_raw "$ns" >/dev/null 2>&1
done_testing
