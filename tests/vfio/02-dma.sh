#!/bin/bash
# VFIO type1 DMA into pageless device-dax: edu, bound to vfio-pci behind
# intel-iommu, copies pages between itself and a map=none /dev/dax buffer
# at align 4K, 2M and 1G (pfnmap pfns found through PTE, PMD and PUD
# leaves), also with the halves of the device mapped in swapped order and
# next to anonymous memory in one DMA mapping, with device-dax with pages
# and anonymous memory as controls (pinned, and unpinned again);
# unmap cuts the device off; bad input fails cleanly; a buffer at 1G can
# be mapped for DMA after a fork(); and a map after the namespace was
# disabled under the buffer gets EFAULT.
. "$TOP/tests/lib/tap.sh"
. "$TOP/tests/lib/dax.sh"
. "$TOP/tests/lib/edu.sh"

edu_vfio
note "edu is $EDU in IOMMU group $EDU_GROUP"
need_modules nd_e820 nd_pmem dax_pmem device_dax
ns=$(nd_first namespace -N) || bail "no namespace on the legacy region"

for align in 4096 $((2 << 20)) $((1 << 30)); do
	make_dax "$ns" "$align" none || continue
	# All of it at 1G (two 1G units), slices at 2M and 4K: edu writes into
	# every unit, and each transfer takes 100 ms under TCG.
	len=$dsize
	[ "$align" = 4096 ] && len=$((64 << 20))
	[ "$align" = $((2 << 20)) ] && len=$((256 << 20))
	sub_tap "map=none align $align" "$PROGS/vfiodma" test "$EDU_GROUP" "$EDU" \
		"$dev" "$align" "$len" none
	sub_tap "map=none align $align, halves swapped" "$PROGS/vfiodma" swapped \
		"$EDU_GROUP" "$EDU" "$dev" "$align" "$len"
	sub_tap "map=none align $align, next to anonymous memory" "$PROGS/vfiodma" mixed \
		"$EDU_GROUP" "$EDU" "$dev" "$align"
done

# After a fork() the parent's 1G leaves can be mapped for DMA (fork()
# used to write-protect them, and MAP_DMA failed with EFAULT; fork()
# never touched PMD leaves of these mappings). The kselftest checks the
# leaves themselves.
if make_dax "$ns" $((1 << 30)) none; then
	sub_tap "map=none align 1G, after a fork" "$PROGS/vfiodma" wrprot "$EDU_GROUP" \
		"$EDU" "$dev" $((1 << 30)) "$dsize" fork
fi

if make_dax "$ns" $((2 << 20)) mem; then
	sub_tap "map=mem align 2M" "$PROGS/vfiodma" test "$EDU_GROUP" "$EDU" \
		"$dev" $((2 << 20)) $((256 << 20)) mem
fi
sub_tap "anonymous memory" "$PROGS/vfiodma" test "$EDU_GROUP" "$EDU" \
	anon $((2 << 20)) $((64 << 20)) anon

# Disable the namespace under a process that maps it, then map it for DMA.
if make_dax "$ns" $((2 << 20)) none; then
	dax_revoke "$ns" "$PROGS/vfiodma" revoked "$EDU_GROUP" "$EDU" "$dev" $((2 << 20)) "$dsize"
	hold_tap "disabled"
	check "$ns enables again" ndctl enable-namespace "$ns"
fi
done_testing
