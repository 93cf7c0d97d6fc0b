#!/bin/bash
# A memory error in pageless device-dax that backs the RAM of a KVM guest
# (tests/progs/kvmdax.c), at align 2M and 1G: with the guest's RAM mapped
# at stage 2, memory_failure() (hard_offline_page, as a background error
# report would) poisons one page of it. The next run of the guest faults
# on that page, and KVM sends the vCPU thread SIGBUS BUS_MCEERR_AR for the
# host address of the page (si_addr_lsb 12), which a VMM turns into a
# machine check for its guest, rather than failing KVM_RUN with EFAULT.
. "$TOP/tests/lib/tap.sh"
. "$TOP/tests/lib/dax.sh"
. "$TOP/tests/lib/hwpoison.sh"

need_modules kvm_amd
check "/dev/kvm exists" test -c /dev/kvm
need_modules nd_e820 nd_pmem dax_pmem device_dax
ns=$(nd_first namespace -N) || bail "no namespace on the legacy region"

# align, RAM size, offset of the error
for t in "$((2 << 20)) $((64 << 20)) $(( (5 << 21) + 3 * 4096 ))" \
	"$((1 << 30)) $((1 << 30)) $(( (17 << 21) + 9 * 4096 ))"; do
	read -r align size off <<<"$t"
	make_dax "$ns" "$align" none || continue
	dax=${dev#/dev/}
	phys=$(cat "/sys/bus/dax/devices/$dax/resource")
	hold_start "$PROGS/kvmdax" poisoned "$dev" "$align" "$size" "$off"
	check "align $align: a memory error in the guest's RAM is handled" \
		hard_offline $((phys + off))
	hold_finish
	hold_tap "align $align"
	check "align $align: $dax/poison lists the page" \
		test "$(poison_list "$dax")" = "$(printf '%#x' "$off")"
done
dax_raw "$ns" >/dev/null 2>&1
done_testing
