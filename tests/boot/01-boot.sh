#!/bin/bash
# The guest runs the kernel just built, and the boot-time page-table helper
# checks (mm/debug_vm_pgtable.c, which covers pmd_special()/pud_special())
# ran. They report failures as WARNs, which fail the group's log check.
. "$TOP/tests/lib/tap.sh"

check "the guest runs the kernel that was built" \
	test "$(uname -r)" = "$(cat "$BUILD/kernelrelease")"
check "debug_vm_pgtable ran at boot" \
	contains "$(dmesg)" "Validating architecture page table helpers"
check "transparent huge pages are available" \
	test -r /sys/kernel/mm/transparent_hugepage/enabled
done_testing
