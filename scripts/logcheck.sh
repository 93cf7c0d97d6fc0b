#!/usr/bin/env bash
# Scan a guest kernel log for reports that mean the kernel misbehaved: WARN,
# BUG, Oops, panics, KASAN/UBSAN, lockdep, DEBUG_VM, list and object debugging,
# hung tasks and RCU stalls. Prints each report's first lines; exits 1 when
# there is any, 0 when the log is clean, 2 when the log is missing or empty.
set -euo pipefail

log=${1:?usage: logcheck.sh KERNEL-LOG}
[ -s "$log" ] || { echo "logcheck: $log is missing or empty"; exit 2; }

# Each pattern is an extended regular expression matched against the message
# text (after the printk timestamp).
patterns=(
	'^-+\[ cut here \]-+'
	'^WARNING:'                       # WARN_ON, lockdep, RCU-lockdep
	'^BUG:'                           # bad page, sleeping in atomic, KASAN, ...
	'^kernel BUG at'                  # BUG_ON, VM_BUG_ON
	'^Oops'
	'^general protection fault'
	' \[#[0-9]+\]'                   # any die(): "Oops: ... [#1]", "Bad pagetable: 000e [#1]"
	'^Bad pagetable|: Corrupted page table at'
	'^Kernel panic'
	'^(KASAN|UBSAN|KFENCE):'
	'^=+$'                            # banner of KASAN/UBSAN/lockdep reports
	'^DEBUG_LOCKS_WARN_ON'
	'^INFO: (possible|task .* blocked|lockdep|trying to register non-static key)'
	'rcu: INFO: .*(stall|detected)'
	'^page dumped because'            # dump_page() from DEBUG_VM checks
	'^Bad rss-counter'
	'[: ]bad (pte|pmd|pud|p4d|pgd) '   # pgd_ERROR() & co.: a table cleared as bad
	'^(list_add|list_del) corruption'
	'^ODEBUG:'
	'^refcount_t:'
	'^Call Trace:'
	'^unreferenced object'
)
re=$(IFS='|'; echo "${patterns[*]}")

# Strip carriage returns and the "[   12.345678] " timestamp, keep line numbers.
hits=$(tr -d '\r' <"$log" | sed -E 's/^\[ *[0-9]+\.[0-9]+\] //' |
	grep -n -E -- "$re" || true)
[ -z "$hits" ] && exit 0
n=$(printf '%s\n' "$hits" | wc -l)
echo "logcheck: $n line(s) in $log look like kernel reports:"
printf '%s\n' "$hits" | head -n 20 | sed 's/^/  line /'
exit 1
