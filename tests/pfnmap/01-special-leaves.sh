#!/bin/bash
# Special PTE, PMD and PUD leaves over memory without struct page: entry
# size, pfn, follow_pfnmap_start()/follow_pfn()/follow_pte(), data, fork,
# mprotect, MADV_DONTNEED, mlock, mremap, munmap; GUP users (vmsplice,
# process_vm_readv, /proc/PID/mem, futex) fail cleanly instead of oopsing.
. "$TOP/tests/lib/tap.sh"

base=$((4 << 30))
size=$((2 << 30))
check "the memmap= range is there and claimed by no driver" \
	grep -q '^100000000-17fffffff : Persistent Memory (legacy)$' /proc/iomem

need_odirect_dev
for align in 4096 $((2 << 20)) $((1 << 30)); do
	ko=$BUILD/kmod/pfnmap_test.ko
	if ! insmod "$ko" phys_base=$base phys_size=$size align=$align 2>"$TAP_OUT"; then
		not_ok "pfnmap_test loads with align $align"
		diag <"$TAP_OUT"
		continue
	fi
	ok "pfnmap_test loads with align $align"
	# Map the whole range at 2M and 1G, a slice at 4K (TCG is slow).
	len=$size
	[ "$align" = 4096 ] && len=$((64 << 20))
	sub_tap "align $align" env PFNMAP_DEV=/dev/pfnmap_test PFNMAP_ALIGN="$align" \
		PFNMAP_LEN="$len" "$PROGS/pfnmap"
	check "pfnmap_test unloads with align $align" rmmod pfnmap_test
done
done_testing
