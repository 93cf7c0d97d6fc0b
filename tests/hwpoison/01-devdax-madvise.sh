#!/bin/bash
# A memory error injected with madvise(MADV_HWPOISON) into a devdax map=mem
# mapping at align 2M, then the namespace disabled, enabled and destroyed.
# The caller gets what memory-failure promises for a device-dax page
# (SIGBUS BUS_MCEERR_AR for the whole 2M unit), the kernel reports the page
# recovered and counts it, and the teardown that follows does not trip
# over the poisoned page (no BUG or WARN: the harness fails the guest on any
# kernel report; no hang: every namespace operation has a timeout); the
# device comes back, and the data outside the poisoned unit is intact.
. "$TOP/tests/lib/tap.sh"
. "$TOP/tests/lib/dax.sh"
. "$TOP/tests/lib/hwpoison.sh"

need_modules nd_e820 nd_pmem dax_pmem device_dax
ns=$(nd_first namespace -N -i) || bail "no namespace on the legacy region"

len=$((64 << 20))
off=$(( (3 << 21) + 5 * 4096 + 8 ))
unit=$((2 << 20))
hw_devdax_setup "$ns"
pfn=$(( (phys + off) >> 12 ))
note "dax0.0 at $phys, size $size; poisoning offset $(printf '%#x' "$off"), pfn $(printf '%#x' "$pfn")"

sub_tap "devdax" "$PROGS/hwpoison" write /dev/dax0.0 "$len" 11
hw0=$(hw_corrupted)
sub_tap "devdax" "$PROGS/hwpoison" madv /dev/dax0.0 "$len" "$off" 21
hw_recovered "$pfn" "$hw0"

hw_devdax_teardown "$ns" "$size" "$len" 11 "$off" "$unit"
done_testing
