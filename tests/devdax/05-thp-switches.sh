#!/bin/bash
# The THP switches do not break device-dax: a process under
# prctl(PR_SET_THP_DISABLE), or one that calls madvise(MADV_NOHUGEPAGE) on
# its mapping, maps and uses 2M- and 1G-aligned devices (6.1 gave it
# SIGBUS on the first touch), map=none and map=mem alike. MADV_COLD and
# MADV_PAGEOUT are refused on map=none (VM_PFNMAP) and leave map=mem's
# leaves alone: no "bad pmd" (6.1 cleared its PMD leaves as bad).
. "$TOP/tests/lib/tap.sh"
. "$TOP/tests/lib/dax.sh"

need_modules nd_e820 nd_pmem dax_pmem device_dax
ns=$(nd_first namespace -N) || bail "no namespace on the legacy region"
for t in "$((2 << 20)) none" "$((1 << 30)) none" "$((2 << 20)) mem" "$((1 << 30)) mem"; do
	read -r align map <<<"$t"
	make_dax "$ns" "$align" "$map" || continue
	mark="pageless-dax-test: thp $align $map $(date +%s%N)"
	echo "$mark" >/dev/kmsg
	sub_tap "map=$map align $align" "$PROGS/daxhold" thp "$dev" "$align" "$dsize" "$map"
	check "map=$map align $align: no page-table entry was cleared as bad" sh -c \
		"! dmesg | sed -n '/$mark/,\$p' | grep -E 'bad (pmd|pud|pte)'"
done
done_testing
