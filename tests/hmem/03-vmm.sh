#!/bin/bash
# The user's scenario on pageless devices of a dynamic region: a nested
# QEMU with -accel kvm whose guest RAM is a pageless device at align 1G
# (tests/lib/nested.sh, as in the demo), and VFIO DMA by edu into pageless
# devices at align 1G and 2M (tests/progs/vfiodma, as in the vfio group).
. "$TOP/tests/lib/tap.sh"
. "$TOP/tests/lib/dax.sh"
. "$TOP/tests/lib/edu.sh"
. "$TOP/tests/lib/hmem.sh"
. "$TOP/tests/lib/nested.sh"

G=$((1 << 30)) M=$((1 << 20))
need_modules dax_hmem device_dax
hmem_reset
edu_vfio
note "edu is $EDU in IOMMU group $EDU_GROUP"

if dyn_new_tap $G $G none; then
	nested_qemu "$dev"
	check "the nested QEMU ran with KVM (kvm_amd loads)" test "$NESTED_ACCEL" = kvm
	sub_tap "pageless dynamic align 1G" "$PROGS/vfiodma" test "$EDU_GROUP" "$EDU" \
		"$dev" $G $G none
fi
# Slices, as in the vfio group: each transfer takes 100 ms under TCG.
if dyn_new_tap $((512 * M)) $((2 * M)) none; then
	sub_tap "pageless dynamic align 2M" "$PROGS/vfiodma" test "$EDU_GROUP" "$EDU" \
		"$dev" $((2 * M)) $((256 * M)) none
	sub_tap "pageless dynamic align 2M, halves swapped" "$PROGS/vfiodma" swapped \
		"$EDU_GROUP" "$EDU" "$dev" $((2 * M)) $((256 * M))
fi
if dyn_new_tap $((512 * M)) $((2 * M)) mem; then
	sub_tap "dynamic with struct pages, align 2M" "$PROGS/vfiodma" test "$EDU_GROUP" "$EDU" \
		"$dev" $((2 * M)) $((256 * M)) mem
fi
done_testing
