#!/bin/bash
# scripts/logcheck.sh flags each kind of kernel report and passes a clean
# boot log: without this, a run could pass with a splat in its log.
. "$TOP/tests/lib/tap.sh"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
clean='[    0.000000] Linux version 6.1.192-pageless (pageless@qemu)
[    1.234567] nd_pmem namespace0.0: unable to guarantee persistence of writes
[    2.000000] dax_pmem dax0.0: some informational message
[    3.000000] WARNING-free line mentioning BUG in the middle is fine'
printf '%s\n' "$clean" >"$tmp/clean"
check "a clean log passes" "$TOP/scripts/logcheck.sh" "$tmp/clean"
check_exit "an empty log is an error (exit 2), not a pass" 2 \
	"$TOP/scripts/logcheck.sh" /dev/null

while IFS='|' read -r what line; do
	printf '%s\n%s\n' "$clean" "$line" >"$tmp/bad"
	check_exit "flags $what" 1 "$TOP/scripts/logcheck.sh" "$tmp/bad"
done <<'EOF_SAMPLES'
WARN_ON|[   10.1] WARNING: CPU: 1 PID: 33 at mm/memory.c:1234 zap_pmd_range+0x1/0x2
WARN cut line|[   10.1] ------------[ cut here ]------------
BUG_ON / VM_BUG_ON|[   10.1] kernel BUG at mm/huge_memory.c:2052!
BUG: report|[   10.1] BUG: Bad page map in process a.out  pmd:8000000100000e7
sleeping in atomic|[   10.1] BUG: sleeping function called from invalid context at mm/gup.c:1
Oops|[   10.1] Oops: 0000 [#1] PREEMPT SMP NOPTI
bad pagetable die|[   14.8] Bad pagetable: 000e [#1] PREEMPT SMP
corrupted page table|[   14.8] daxpattern: Corrupted page table at address 7f5db508d000
GPF|[   10.1] general protection fault, probably for non-canonical address 0xdead000000000100
panic|[   10.1] Kernel panic - not syncing: Fatal exception
KASAN|[   10.1] BUG: KASAN: use-after-free in dax_fault+0x10/0x20
UBSAN|[   10.1] UBSAN: shift-out-of-bounds in drivers/dax/device.c:12:3
lockdep circular|[   10.1] WARNING: possible circular locking dependency detected
lockdep banner|[   10.1] ======================================================
lockdep recursive|[   10.1] WARNING: possible recursive locking detected
lockdep irq inversion|[   10.1] INFO: possible irq lock inversion dependency detected
DEBUG_LOCKS_WARN_ON|[   10.1] DEBUG_LOCKS_WARN_ON(1)
suspicious RCU|[   10.1] WARNING: suspicious RCU usage
hung task|[  130.1] INFO: task modprobe:123 blocked for more than 120 seconds.
RCU stall|[   60.1] rcu: INFO: rcu_preempt detected stalls on CPUs/tasks:
DEBUG_VM dump_page|[   10.1] page dumped because: VM_BUG_ON_PAGE(PageTail(page))
bad rss|[   10.1] Bad rss-counter state mm:000000001 type:MM_FILEPAGES val:-512
bad pmd|[   10.1] mm/pgtable-generic.c:53: bad pmd 00000000deadbeef(8000000100000e7)
bad pud, pointer not yet hashed|[   12.8] mm/pgtable-generic.c:39: bad pud (____ptrval____)(80000001000002e7)
list corruption|[   10.1] list_add corruption. prev->next should be next (ffff8880), but was 0
debugobjects|[   10.1] ODEBUG: free active (active state 0) object type: timer_list
refcount|[   10.1] refcount_t: underflow; use-after-free.
stack dump|[   10.1] Call Trace:
EOF_SAMPLES

# The serial console ends lines with CR LF.
printf '%s\r\n' "[   10.1] WARNING: CPU: 0 PID: 1 at x.c:1 f+0x0/0x1" >"$tmp/crlf"
check_exit "flags a report in a log with CR LF line ends" 1 \
	"$TOP/scripts/logcheck.sh" "$tmp/crlf"
done_testing
