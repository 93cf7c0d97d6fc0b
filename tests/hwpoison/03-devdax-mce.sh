#!/bin/bash
# The machine-check path: the host injects an action-required memory error
# (SRAR data load) at a guest-physical address of a devdax map=mem (align
# 2M) namespace while a process pinned to CPU 0 reads it (vm.sh --mce). The
# process gets SIGBUS BUS_MCEERR_AR for the whole 2M unit, the kernel
# reports the page recovered; then the namespace is disabled, enabled and
# destroyed without a kernel report or hang, and the data outside the
# poisoned unit is intact.
. "$TOP/tests/lib/tap.sh"
. "$TOP/tests/lib/dax.sh"
. "$TOP/tests/lib/hwpoison.sh"

need_mce
need_modules nd_e820 nd_pmem dax_pmem device_dax
ns=$(nd_first namespace -N -i) || bail "no namespace on the legacy region"

# As in 01-devdax-madvise.sh, at another offset.
len=$((64 << 20))
off=$(( (5 << 21) + 3 * 4096 + 64 ))
unit=$((2 << 20))
hw_devdax_setup "$ns"
addr=$(printf '%#x' $(( phys + off )))
pfn=$(( (phys + off) >> 12 ))
note "dax0.0 at $phys, size $size; machine check at $addr"

sub_tap "devdax" "$PROGS/hwpoison" write /dev/dax0.0 "$len" 13
rm -f "$RUN/mce.ack"
hw0=$(hw_corrupted)
sub_tap "devdax" "$PROGS/hwpoison" mce /dev/dax0.0 "$len" "$off" 21 "$addr" "$RUN/mce.req"
check "the host injected the machine check ($(cat "$RUN/mce.ack" 2>&1))" \
	grep -qx "injected $addr" "$RUN/mce.ack"
page=$(printf '%x' $(( (phys + off) & ~4095 )))
check "the kernel took it as an error in user access, in page $page" \
	sh -c "dmesg | grep -q 'Uncorrected hardware memory error in user-access at $page\$'"
hw_recovered "$pfn" "$hw0"

hw_devdax_teardown "$ns" "$size" "$len" 13 "$off" "$unit"
done_testing
