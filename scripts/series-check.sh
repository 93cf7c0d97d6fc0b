#!/usr/bin/env bash
# Exit non-zero when the kernel tree holds commits or uncommitted changes
# that are not in patches/, i.e. work that would be lost with the machine.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=scripts/series-lib.sh
. "$TOP/scripts/series-lib.sh"

if ! [ -d "$KTREE/.git" ]; then
	echo "series-check: no kernel tree at $KTREE, nothing to lose"
	exit 0
fi
rc=0
busy=$(tree_busy)
if [ -n "$busy" ]; then
	echo "series-check: $busy"
	rc=1
fi
if tree_dirty; then
	echo "series-check: uncommitted changes in $KTREE:"
	kgit status --short | head -20
	rc=1
fi
if ! tree_matches_series; then
	echo "series-check: the commits since 'base' in $KTREE differ from patches/:"
	echo "  tree:    $(kgit rev-list --count base..HEAD) commit(s)"
	echo "  patches: $(series_list | wc -l) patch(es)"
	echo "  run 'make export' (or 'make tree' if patches/ is newer) and commit"
	rc=1
fi
[ $rc -eq 0 ] && echo "series-check: tree and patches/ agree ($(series_list | wc -l) patch(es))"
exit $rc
