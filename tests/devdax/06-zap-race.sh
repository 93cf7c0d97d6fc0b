#!/bin/bash
# Faults against a zap of the same huge entry: six threads touch words of
# two units (read and write) while a seventh zaps them with MADV_DONTNEED
# in a loop, at align 2M and 1G, map=none and map=mem. A fault that finds
# the entry present, and then gone when it looks again, must retry, not
# fall back to a smaller entry: device-dax refuses a fault smaller than
# its align with SIGBUS (and at 1G the page table the fallback allocates
# would stay). No fault may get SIGBUS. A stress test: the race it looks
# for is two loads wide, so a kernel that has it usually passes too (the
# fault patch says how a kprobe that widens the window makes 6.1 fail).
. "$TOP/tests/lib/tap.sh"
. "$TOP/tests/lib/dax.sh"

need_modules nd_e820 nd_pmem dax_pmem device_dax
ns=$(nd_first namespace -N) || bail "no namespace on the legacy region"
out=/tmp/zap-race.out
for t in "$((2 << 20)) none" "$((1 << 30)) none" "$((2 << 20)) mem" "$((1 << 30)) mem"; do
	read -r align map <<<"$t"
	make_dax "$ns" "$align" "$map" || continue
	rc=0
	"$PROGS/daxhold" zap "$dev" "$align" 15 >"$out" 2>&1 || rc=$?
	note "align $align map=$map: $(cat "$out")"
	check "align $align map=$map: faults racing MADV_DONTNEED never got SIGBUS" test "$rc" = 0
done
done_testing
