#!/bin/bash
# KVM guest RAM whose host entries are read-only in a shared writable
# mapping: a driver with write notification (pfn_mkwrite; here pfnmap_test
# with wrnotify=1) maps read faults read-only, and even a first write
# fault on an empty 4K entry. The guest's stores must be mapped writable
# at the entry size, not emulated: RAM the guest read first at 4K, 2M and
# 1G, and never-touched RAM at 4K.
. "$TOP/tests/lib/tap.sh"
. "$TOP/tests/lib/dax.sh"

need_modules kvm_amd
free_legacy_range
for t in "4096 $((64 << 20)) 4K read" "4096 $((64 << 20)) 4K none" \
	"$((2 << 20)) $((256 << 20)) 2M read" "$((1 << 30)) $((1 << 30)) 1G read"; do
	read -r align size level how <<<"$t"
	wrnotify_tap "$align" "$size" "align $level, $how" "$PROGS/kvmdax" wrprot \
		/dev/pfnmap_test "$align" "$size" "$level" "$how"
done
done_testing
