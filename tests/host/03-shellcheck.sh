#!/bin/bash
# The harness's shell passes shellcheck.
. "$TOP/tests/lib/tap.sh"

cd "$TOP" || bail "no $TOP"
for f in scripts/*.sh tests/lib/*.sh tests/*/*.sh tests/*/vm.conf bench/*.sh bench/*.conf .ci/run; do
	check "shellcheck $f" shellcheck -x "$f"
done
done_testing
