# shellcheck shell=bash
# edu_vfio: find QEMU's edu PCI devices (1234:11e8) and bind them to
# vfio-pci. Sets EDU_ALL (their addresses), EDU (the first) and EDU_GROUP
# (its IOMMU group); bails out if there is no such device or one cannot be
# bound.
edu_vfio() {
	local d e
	EDU_ALL=()
	for d in /sys/bus/pci/devices/*; do
		if [ "$(cat "$d/vendor")" = 0x1234 ] && [ "$(cat "$d/device")" = 0x11e8 ]; then
			EDU_ALL+=("${d##*/}")
		fi
	done
	[ "${#EDU_ALL[@]}" -gt 0 ] || bail "no edu device (1234:11e8) on the PCI bus"
	EDU=${EDU_ALL[0]}
	need_modules vfio-pci vfio_iommu_type1
	for e in "${EDU_ALL[@]}"; do
		[ -L "/sys/bus/pci/devices/$e/iommu_group" ] || bail "edu ($e) has no IOMMU group"
		if [ "$(edu_driver "$e")" != vfio-pci ]; then
			echo 1234 11e8 >/sys/bus/pci/drivers/vfio-pci/new_id 2>/dev/null ||
				echo "$e" >/sys/bus/pci/drivers/vfio-pci/bind
		fi
		[ "$(edu_driver "$e")" = vfio-pci ] || bail "edu ($e) does not bind to vfio-pci"
		[ -c "/dev/vfio/$(edu_group "$e")" ] || bail "no /dev/vfio/$(edu_group "$e")"
	done
	# shellcheck disable=SC2034 # for the caller
	EDU_GROUP=$(edu_group "$EDU")
}

# edu_group BDF, edu_driver BDF: the device's IOMMU group, its driver.
edu_group() { basename "$(readlink "/sys/bus/pci/devices/$1/iommu_group")"; }
edu_driver() { basename "$(readlink "/sys/bus/pci/devices/$1/driver")"; }
