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
check "make $ns devdax map=mem align 2M" \
	nd create-namespace -f -e "$ns" -m devdax --map mem --align 2M
check "/dev/dax0.0 appears" test -c /dev/dax0.0
[ -c /dev/dax0.0 ] || bail "no /dev/dax0.0"
phys=$(cat /sys/bus/dax/devices/dax0.0/resource)
size=$(cat /sys/bus/dax/devices/dax0.0/size)
pfn=$(( (phys + off) >> 12 ))
note "dax0.0 at $phys, size $size; poisoning offset $(printf '%#x' "$off"), pfn $(printf '%#x' "$pfn")"

sub_tap "devdax" "$PROGS/hwpoison" write /dev/dax0.0 "$len" 11
hw0=$(hw_corrupted)
sub_tap "devdax" "$PROGS/hwpoison" madv /dev/dax0.0 "$len" "$off" 21
v=$(mf_verdict "$pfn")
check "memory-failure reports pfn $(printf '%#x' "$pfn") recovered ($v)" \
	test "$v" = "dax page: Recovered"
hw1=$(hw_corrupted)
check "HardwareCorrupted grows by 4 kB ($hw0 -> $hw1 kB)" test "$hw1" -eq $((hw0 + 4))

check "disable the namespace" nd disable-namespace "$ns"
check "/dev/dax0.0 is gone" test ! -e /dev/dax0.0
check "enable the namespace" nd enable-namespace "$ns"
check "/dev/dax0.0 comes back, the same size" \
	sh -c "test -c /dev/dax0.0 && test \$(cat /sys/bus/dax/devices/dax0.0/size) -eq $size"
sub_tap "devdax after disable/enable" "$PROGS/hwpoison" verify /dev/dax0.0 "$len" 11 "$off" "$unit"
check "destroy the namespace" nd destroy-namespace -f "$ns"
check "$ns is disabled, without /dev/dax0.0" \
	ns_destroyed "$ns" /dev/dax0.0
done_testing
