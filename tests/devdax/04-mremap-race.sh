#!/bin/bash
# mremap() against teardown: a process moves a map=none mapping back and
# forth (two units, 64 moves a mapping, each needing new page tables)
# while the namespace under it is disabled and enabled again in a loop, at
# align 2M and 1G. unmap_mapping_range() zaps the leaves without mmap_lock,
# so leaves vanish in the middle of the moves; mremap() must never fail,
# and the kernel log must stay clean (checked for the whole group: a none
# entry moved as a page table installs physical page 0 as one).
. "$TOP/tests/lib/tap.sh"
. "$TOP/tests/lib/dax.sh"

need_modules nd_e820 nd_pmem dax_pmem device_dax
ns=$(nd_first namespace -N) || bail "no namespace on the legacy region"
out=/tmp/mremap-race.out
for align in $((2 << 20)) $((1 << 30)); do
	make_dax "$ns" "$align" none || continue
	"$PROGS/daxhold" mremap "$dev" "$align" 60 >"$out" 2>&1 &
	pid=$!
	cycles=0
	while kill -0 "$pid" 2>/dev/null; do
		ndctl disable-namespace "$ns" >/dev/null 2>&1 &&
			ndctl enable-namespace "$ns" >/dev/null 2>&1 &&
			cycles=$((cycles + 1))
		sleep 0.$((RANDOM % 10))
	done
	rc=0
	wait "$pid" || rc=$?
	read -r _ moves _ maps _ sigbus <"$out" || moves=
	note "align $align: $cycles disable/enable cycles, $(cat "$out")"
	check "align $align: mremap() never failed while the namespace went away $cycles times" \
		test "$rc" = 0 -a -n "$moves"
	check "align $align: the namespace went away under mapped units (SIGBUS ${sigbus:-?} times in $maps maps)" \
		test "${sigbus:-0}" -gt 0 -a "$cycles" -gt 1
	check "$ns is enabled again" ndctl enable-namespace "$ns"
done
done_testing
