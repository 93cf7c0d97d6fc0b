#!/usr/bin/env bash
# Run shellcheck over the harness's shell: make lint, and a check a file in
# tests/host/03-shellcheck.sh. The one list of what is shell is here.
#   lint.sh          shellcheck every file; "shellcheck: clean" if all pass
#   lint.sh --list   print the files, a line each, relative to the top
set -euo pipefail
cd "$(dirname "$0")/.."

files() {
	local f
	for f in scripts/*.sh tests/lib/*.sh tests/*/*.sh tests/*/jobs/*.sh \
		tests/*/vm.conf bench/*.sh bench/*.conf .ci/run; do
		[ -e "$f" ] && echo "$f"
	done
	return 0
}

if [ "${1:-}" = --list ]; then
	files
	exit 0
fi
files | xargs shellcheck -x
echo "shellcheck: clean"
