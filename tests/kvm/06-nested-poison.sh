#!/bin/bash
# What a VMM does with a memory error in pageless guest RAM: a nested QEMU
# (7.2, KVM on kvm_amd) whose 1 GiB of guest RAM is a map=none device at
# 1G align runs tests/progs/nested.S, which stores into every page from
# 2 MiB up; the page at guest-physical 4 MiB had a memory error before
# (hard_offline_page). KVM sends the vCPU thread SIGBUS BUS_MCEERR_AR for
# the host address of that page; QEMU reports the error for guest address
# 0x400000 and injects a machine check into its guest (QEMU's CPU model
# has MCG_SER_P), which, with CR4.MCE clear in the payload, shuts down, and
# QEMU exits (-no-reboot). Before the series KVM_RUN failed with EFAULT and
# QEMU aborted with "kvm run failed Bad address".
. "$TOP/tests/lib/tap.sh"
. "$TOP/tests/lib/dax.sh"
. "$TOP/tests/lib/hwpoison.sh"
. "$TOP/tests/lib/nested.sh"

need_modules nd_e820 nd_pmem dax_pmem device_dax
ns=$(nd_first namespace -N) || bail "no namespace on the legacy region"
nested_cmd /dev/null
[ "$NESTED_ACCEL" = kvm ] || bail "kvm_amd does not load: no nested KVM"

make_dax "$ns" $((1 << 30)) none || bail "no map=none device"
phys=$(cat "/sys/bus/dax/devices/${dev#/dev/}/resource")
gpa=$((4 << 20))
check "a memory error in the page at guest-physical $(printf '%#x' $gpa)" hard_offline $((phys + gpa))
nested_cmd "$dev"
note "${NESTED_CMD[*]}"
rc=0
out=$(timeout 600 "${NESTED_CMD[@]}" 2>&1) || rc=$?
echo "$out" | diag
check "QEMU reports the error at guest address $(printf '%#x' $gpa), BUS_MCEERR_AR, and injects it" \
	grep -qE "Guest MCE Memory Error at QEMU addr 0x[0-9a-f]+ and GUEST addr $(printf '%#x' $gpa) of type BUS_MCEERR_AR injected" <<<"$out"
check_fails "no \"kvm run failed\" (KVM_RUN's EFAULT before the series)" grep -q "kvm run failed" <<<"$out"
check_fails "the nested guest did not get past the page" grep -q "nested guest: wrote its RAM" <<<"$out"
check "QEMU exits on its own, not killed by a signal or the timeout (status $rc)" \
	test "$rc" -lt 124
done_testing
