# shellcheck shell=bash
# Helpers for the memory-error tests (tests/hwpoison): a pfn's
# memory-failure verdict in the kernel log, the HardwareCorrupted count, and
# namespace operations that give up after a minute, as they hang for good
# once an unbind has died holding the device lock.

# mf_verdict PFN: the last "recovery action" line memory-failure logged for
# PFN (a number), or nothing.
mf_verdict() {
	dmesg | grep -F "$(printf '%#x' "$1"): recovery action for" | tail -1 |
		sed 's/.*recovery action for //'
}

# mf_count: how many "recovery action for dax page: Recovered" lines the
# kernel log holds.
mf_count() {
	dmesg | grep -c 'recovery action for dax page: Recovered' || true
}

# hw_corrupted: /proc/meminfo's HardwareCorrupted, in kB.
hw_corrupted() {
	awk '/^HardwareCorrupted:/ { print $2 }' /proc/meminfo
}

# nd OP ARGS...: ndctl OP, given a minute. An ndctl that waits for a device
# lock held by a task that died cannot be killed; it is left behind (its
# output goes to a file, so that no pipe stays open behind it) and the
# script goes on and reports it (status 124).
nd() {
	local pid out rc=0 end=$((SECONDS + 60))
	out=$(mktemp)
	ndctl "$@" >"$out" 2>&1 &
	pid=$!
	while [ "$SECONDS" -le "$end" ]; do
		if ! kill -0 "$pid" 2>/dev/null; then
			wait "$pid" || rc=$?
			cat "$out"
			rm -f "$out"
			return "$rc"
		fi
		sleep 0.1
	done
	cat "$out"
	echo "ndctl $*: still running after 60s"
	return 124
}

# ns_destroyed NAMESPACE NODE: NAMESPACE (of a label-less region, which
# destroy-namespace cannot delete) is listed as disabled and NODE, its
# former /dev node, is gone.
ns_destroyed() {
	local out
	out=$(nd list -N -i -n "$1") || return 1
	echo "$out"
	grep -q '"state":"disabled"' <<<"$out" && test ! -e "$2"
}
