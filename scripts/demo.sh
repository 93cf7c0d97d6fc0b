#!/usr/bin/env bash
# The demo: boot a guest with a 2 GiB memmap= range, carve a devdax namespace
# out of it, map /dev/dax0.0 and show a pattern written and read back.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

make -s -C "$TOP/tests/progs" O="$BUILD/progs"
job=$BUILD/job-demo.sh
{
	echo "export TOP=$(printf '%q' "$TOP") PROGS=$(printf '%q' "$BUILD/progs")"
	echo "exec bash $(printf '%q' "$TOP/scripts/guest-demo.sh")"
} >"$job"
exec "$TOP/scripts/vm.sh" --name demo --mem 6G --append 'memmap=2G!4G' \
	--mods std --timeout 600 --job "$job"
