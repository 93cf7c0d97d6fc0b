#!/bin/bash
# Under UEFI with efi_fake_mem=4G@4G:0x40000 the kernel sees 4 GiB of
# soft-reserved memory, dax_hmem makes it a dynamic region, and a pageless
# device carved from it at align 1G maps with special 1G leaves and no
# struct page (the pfnmap kselftest) and keeps its data across a rebind.
. "$TOP/tests/lib/tap.sh"
. "$TOP/tests/lib/dax.sh"
. "$TOP/tests/lib/hmem.sh"

G=$((1 << 30))
check "the kernel booted through UEFI" test -d /sys/firmware/efi
grep -i 'soft reserved' /proc/iomem | diag
check "the kernel has Soft Reserved memory" grep -qi 'soft reserved' /proc/iomem
need_modules dax_hmem device_dax
hmem_reset
check "dax_hmem's region is the 4 GiB at 4 GiB" sh -c \
	"test \$(cat $HMEM_REGION/size) -eq $((4 * G)) && test \$(cat $DAX_BUS/devices/$HMEM_FIRST/resource) = 0x100000000"
insmod "$BUILD/kmod/pfnmap_test.ko" phys_size=0 2>"$TAP_OUT" ||
	{ diag <"$TAP_OUT"; bail "cannot load pfnmap_test as a walker"; }
need_odirect_dev
if dyn_new_tap $((2 * G)) $G none; then
	check "$dax reads memmap none" grep -qx none "$DAX_BUS/devices/$dax/memmap"
	sub_tap "$dax align 1G" env PFNMAP_DEV="$dev" PFNMAP_ALIGN=$G \
		PFNMAP_LEN=$((2 * G)) PFNMAP_PHYS=$((4 * G)) "$PROGS/pfnmap"
	check "$dax: a pattern" "$PROGS/daxpattern" -s 31 -t 4096 "$dev"
	check "$dax: unbind and bind" sh -c "echo $dax >$DAX_DRV/unbind && echo $dax >$DAX_DRV/bind"
	check "$dax: the pattern reads back" "$PROGS/daxpattern" -v -s 31 -t 4096 "$dev"
fi
check "pfnmap_test unloads" rmmod pfnmap_test
done_testing
