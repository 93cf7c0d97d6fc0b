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

[ -d "${RUN:-}" ] || bail "no run directory (RUN) to ask the host through"
grep -q GenuineIntel /proc/cpuinfo || bail "not an Intel vCPU: the guest needs vm.sh --mce"
need_modules nd_e820 nd_pmem dax_pmem device_dax
ns=$(nd_first namespace -N -i) || bail "no namespace on the legacy region"

len=$((64 << 20))
off=$(( (5 << 21) + 3 * 4096 + 64 ))
unit=$((2 << 20))
check "make $ns devdax map=mem align 2M" \
	nd create-namespace -f -e "$ns" -m devdax --map mem --align 2M
check "/dev/dax0.0 appears" test -c /dev/dax0.0
[ -c /dev/dax0.0 ] || bail "no /dev/dax0.0"
phys=$(cat /sys/bus/dax/devices/dax0.0/resource)
size=$(cat /sys/bus/dax/devices/dax0.0/size)
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
sub_tap "devdax after disable/enable" "$PROGS/hwpoison" verify /dev/dax0.0 "$len" 13 "$off" "$unit"
check "destroy the namespace" nd destroy-namespace -f "$ns"
check "$ns is disabled, without /dev/dax0.0" \
	ns_destroyed "$ns" /dev/dax0.0
done_testing
