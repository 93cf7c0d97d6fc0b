#!/bin/bash
# VFIO DMA mapping of pfnmap entries that are read-only in a shared
# writable mapping: a driver with write notification (pfn_mkwrite; here
# pfnmap_test with wrnotify=1) maps read faults read-only, and even a
# first write fault on an empty 4K entry. type1 must fault them writable,
# as GUP does for pages, not fail with EFAULT: entries read first at 4K,
# 2M and 1G, and never-touched ones at 4K. A mapping without PROT_WRITE
# is still refused.
. "$TOP/tests/lib/tap.sh"
. "$TOP/tests/lib/dax.sh"
. "$TOP/tests/lib/edu.sh"

edu_vfio
free_legacy_range
for t in "4096 $((64 << 20)) read" "4096 $((64 << 20)) none" \
	"$((2 << 20)) $((64 << 20)) read" "$((1 << 30)) $((2 << 30)) read"; do
	read -r align size how <<<"$t"
	wrnotify_tap "$align" "$size" "align $align, $how" "$PROGS/vfiodma" wrprot \
		"$EDU_GROUP" "$EDU" /dev/pfnmap_test "$align" "$size" "$how"
done
done_testing
