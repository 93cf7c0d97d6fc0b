# shellcheck shell=bash
# edu_vfio: find QEMU's edu PCI device (1234:11e8) and bind it to vfio-pci.
# Sets EDU (its address) and EDU_GROUP (its IOMMU group); bails out if
# there is no such device or it cannot be bound.
edu_vfio() {
	local d
	EDU=
	for d in /sys/bus/pci/devices/*; do
		if [ "$(cat "$d/vendor")" = 0x1234 ] && [ "$(cat "$d/device")" = 0x11e8 ]; then
			EDU=${d##*/}
		fi
	done
	[ -n "$EDU" ] || bail "no edu device (1234:11e8) on the PCI bus"
	[ -L "/sys/bus/pci/devices/$EDU/iommu_group" ] || bail "edu ($EDU) has no IOMMU group"
	EDU_GROUP=$(basename "$(readlink "/sys/bus/pci/devices/$EDU/iommu_group")")
	need_modules vfio-pci vfio_iommu_type1
	if [ "$(basename "$(readlink "/sys/bus/pci/devices/$EDU/driver")")" != vfio-pci ]; then
		echo 1234 11e8 >/sys/bus/pci/drivers/vfio-pci/new_id 2>/dev/null ||
			echo "$EDU" >/sys/bus/pci/drivers/vfio-pci/bind
	fi
	[ "$(basename "$(readlink "/sys/bus/pci/devices/$EDU/driver")")" = vfio-pci ] ||
		bail "edu ($EDU) does not bind to vfio-pci"
	[ -c "/dev/vfio/$EDU_GROUP" ] || bail "no /dev/vfio/$EDU_GROUP"
}
