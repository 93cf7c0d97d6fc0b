#!/bin/bash
# With intel-iommu on, QEMU's edu device (1234:11e8) sits in an IOMMU group
# and binds to vfio-pci, which gives /dev/vfio/<group>.
. "$TOP/tests/lib/tap.sh"
. "$TOP/tests/lib/edu.sh"

check "the IOMMU is on (DMAR)" contains "$(dmesg)" "DMAR: IOMMU enabled"
edu_vfio
check "edu ($EDU) is bound to vfio-pci" \
	test "$(basename "$(readlink "/sys/bus/pci/devices/$EDU/driver")")" = vfio-pci
check "/dev/vfio/$EDU_GROUP exists" test -c "/dev/vfio/$EDU_GROUP"
done_testing
