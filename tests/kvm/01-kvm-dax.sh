#!/bin/bash
# KVM guests whose RAM is pageless device-dax: tests/progs/kvmdax.c drives
# a vCPU over map=none RAM at align 4K, 2M and 1G and checks the data from
# both sides, the stage-2 mapping size (KVM's pages_4k/2m/1g), MADV_DONTNEED
# and re-fault, dirty logging and back, and deleting the slot; after the
# VMM forked, guest stores to 1G leaves are mapped, none emulated; map=mem
# device-dax and anonymous memory are the controls. Disabling the namespace
# under a running VM makes its next run fail with EFAULT.
. "$TOP/tests/lib/tap.sh"
. "$TOP/tests/lib/dax.sh"

need_modules kvm_amd
check "/dev/kvm exists" test -c /dev/kvm
need_modules nd_e820 nd_pmem dax_pmem device_dax
ns=$(nd_first namespace -N) || bail "no namespace on the legacy region"

# align, RAM size (TCG runs the nested guest: a slice at 4K), level
for t in "4096 $((64 << 20)) 4K" "$((2 << 20)) $((256 << 20)) 2M" \
	"$((1 << 30)) $((1 << 30)) 1G"; do
	read -r align size level <<<"$t"
	make_dax "$ns" "$align" none || continue
	sub_tap "map=none align $level" "$PROGS/kvmdax" test "$dev" "$align" "$size" "$level"
done
# After the VMM forked, the guest's stores to 1G leaves are mapped at 1G,
# none emulated (fork() used to write-protect PUD leaves; it never
# touched PMD leaves of these mappings).
if make_dax "$ns" $((1 << 30)) none; then
	sub_tap "map=none align 1G, after a fork" "$PROGS/kvmdax" wrprot "$dev" $((1 << 30)) \
		$((1 << 30)) 1G fork
fi
if make_dax "$ns" $((2 << 20)) mem; then
	sub_tap "map=mem align 2M" "$PROGS/kvmdax" test "$dev" $((2 << 20)) $((256 << 20)) 2M
fi
sub_tap "anonymous memory" "$PROGS/kvmdax" test anon $((2 << 20)) $((64 << 20)) any

# Disable the namespace under a VM whose RAM it is.
if make_dax "$ns" $((2 << 20)) none; then
	dax_revoke "$ns" "$PROGS/kvmdax" revoked "$dev" $((2 << 20)) $((64 << 20))
	hold_tap "disabled"
	check "$ns enables again" ndctl enable-namespace "$ns"
fi
done_testing
