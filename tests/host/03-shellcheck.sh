#!/bin/bash
# The harness's shell passes shellcheck.
. "$TOP/tests/lib/tap.sh"

cd "$TOP" || bail "no $TOP"
# The same files as make lint (scripts/lint.sh), a check each.
files=$(scripts/lint.sh --list)
check "scripts/lint.sh lists the harness's shell ($(wc -l <<<"$files") files)" \
	test "$(wc -l <<<"$files")" -gt 40
for f in $files; do
	check "shellcheck $f" shellcheck -x "$f"
done
done_testing
