#!/bin/bash
# With intel-iommu on, QEMU's edu device (1234:11e8) sits in an IOMMU group
# and binds to vfio-pci, which gives /dev/vfio/<group>.
. "$TOP/tests/lib/tap.sh"

edu=
for d in /sys/bus/pci/devices/*; do
	if [ "$(cat "$d/vendor")" = 0x1234 ] && [ "$(cat "$d/device")" = 0x11e8 ]; then
		edu=$(basename "$d")
	fi
done
[ -n "$edu" ] || bail "no edu device (1234:11e8) on the PCI bus"
note "edu is $edu"
check "the IOMMU is on (DMAR)" \
	contains "$(dmesg)" "DMAR: IOMMU enabled"
check "edu has an IOMMU group" test -L "/sys/bus/pci/devices/$edu/iommu_group"
group=$(basename "$(readlink "/sys/bus/pci/devices/$edu/iommu_group")")
need_modules vfio-pci
echo 1234 11e8 >/sys/bus/pci/drivers/vfio-pci/new_id
check "edu is bound to vfio-pci" \
	test "$(basename "$(readlink "/sys/bus/pci/devices/$edu/driver")")" = vfio-pci
check "/dev/vfio/$group exists" test -c "/dev/vfio/$group"
done_testing
