#!/usr/bin/env bash
# make bench: boot one guest with three legacy pmem ranges (1, 2 and 4 GiB)
# and compare devdax map=mem, map=dev and map=none in it: MemFree taken by
# enabling the namespace, enable time, first-touch time per GiB. Writes the
# table and the ratios to bench/results/devdax.txt and prints them. Under
# TCG only the ratios mean anything.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

make -s -C "$TOP/tests/progs" O="$BUILD/progs"
mkdir -p "$BUILD/bench"
cc -O2 -Wall -Wextra -Werror -o "$BUILD/bench/touch" "$TOP/bench/touch.c"
# The bench programs go with the test programs the guest script uses.
cp "$BUILD/bench/touch" "$BUILD/progs/touch"
job=$BUILD/job-bench.sh
{
	echo "export TOP=$(printf '%q' "$TOP") PROGS=$(printf '%q' "$BUILD/progs")"
	echo "exec bash $(printf '%q' "$TOP/bench/guest-devdax.sh")"
} >"$job"
"$TOP/scripts/vm.sh" --name bench --mem 16G \
	--append 'memmap=1G!4G memmap=2G!6G memmap=4G!9G' \
	--mods std --timeout 5400 --job "$job"

out=$BUILD/runs/bench/output.log
res=$TOP/bench/results/devdax.txt
{
	echo "# make bench, $(date -u +%Y-%m-%d), series $(git -C "$TOP" rev-parse --short HEAD)"
	grep -v '^>>>' "$out"
	echo
	awk -f "$TOP/bench/ratios.awk" "$out" || echo "FAILED"
} >"$res.new"
if grep -q '^FAILED$' "$res.new"; then
	cat "$res.new"
	rm -f "$res.new"
	die "bench: no results (see $BUILD/runs/bench/console.log); $res left as it was"
fi
mv "$res.new" "$res"
cat "$res"
