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

# hw_recovered PFN HW0: memory-failure logged PFN as a recovered dax page,
# and HardwareCorrupted grew from HW0 kB by that one page.
hw_recovered() {
	local v hw1

	v=$(mf_verdict "$1")
	check "memory-failure reports pfn $(printf '%#x' "$1") recovered ($v)" \
		test "$v" = "dax page: Recovered"
	hw1=$(hw_corrupted)
	check "HardwareCorrupted grows by 4 kB ($2 -> $hw1 kB)" test "$hw1" -eq $(($2 + 4))
}

# hw_devdax_setup NS: make NS a devdax namespace with map=mem and align 2M,
# /dev/dax0.0; sets phys (its physical start) and size.
# shellcheck disable=SC2034 # phys and size are for the caller
hw_devdax_setup() {
	check "make $1 devdax map=mem align 2M" \
		nd create-namespace -f -e "$1" -m devdax --map mem --align 2M
	check "/dev/dax0.0 appears" test -c /dev/dax0.0
	[ -c /dev/dax0.0 ] || bail "no /dev/dax0.0"
	phys=$(cat /sys/bus/dax/devices/dax0.0/resource)
	size=$(cat /sys/bus/dax/devices/dax0.0/size)
}

# hw_devdax_teardown NS SIZE LEN SEED OFF UNIT: after a memory error at OFF
# in /dev/dax0.0 (SIZE bytes, of devdax namespace NS), disable, enable and
# destroy NS: each step returns (no hang), the device comes back the same
# size, and the pattern written with SEED over LEN bytes is intact outside
# the UNIT-sized unit at OFF.
hw_devdax_teardown() {
	local ns=$1 size=$2 len=$3 seed=$4 off=$5 unit=$6

	check "disable the namespace" nd disable-namespace "$ns"
	check "/dev/dax0.0 is gone" test ! -e /dev/dax0.0
	check "enable the namespace" nd enable-namespace "$ns"
	check "/dev/dax0.0 comes back, the same size" \
		sh -c "test -c /dev/dax0.0 && test \$(cat /sys/bus/dax/devices/dax0.0/size) -eq $size"
	sub_tap "devdax after disable/enable" "$PROGS/hwpoison" verify /dev/dax0.0 "$len" "$seed" "$off" "$unit"
	check "destroy the namespace" nd destroy-namespace -f "$ns"
	check "$ns is disabled, without /dev/dax0.0" \
		ns_destroyed "$ns" /dev/dax0.0
}

# Pageless devices (tests/poison).

# mce_request WHAT: ask the host (vm.sh --mce) for a machine check, WHAT
# being an address (action required, injected while CPU 0 runs user code)
# or "ao ADDRESS" (action optional, at once), and wait a minute at most for
# its answer; prints the answer, succeeds if it says injected.
mce_request() {
	rm -f "$RUN/mce.ack"
	echo "$1" >"$RUN/mce.req.tmp" && mv "$RUN/mce.req.tmp" "$RUN/mce.req"
	for _ in $(seq 600); do
		[ -s "$RUN/mce.ack" ] && break
		sleep 0.1
	done
	cat "$RUN/mce.ack" 2>/dev/null
	grep -qx "injected $1" "$RUN/mce.ack" 2>/dev/null
}

# logged MARK TEXT: the kernel logs TEXT (a fixed string) after the line MARK
# within 10 s (the MCE work item runs nd_e820's decoder after memory_failure()).
logged() {
	for _ in $(seq 100); do
		dmesg | sed -n "/$1/,\$p" | grep -qF "$2" && return 0
		sleep 0.1
	done
	return 1
}

# need_mce: bail out unless the host can inject machine checks (vm.sh --mce:
# a run directory to ask through and an Intel vCPU).
need_mce() {
	[ -d "${RUN:-}" ] || bail "no run directory (RUN) to ask the host through"
	grep -q GenuineIntel /proc/cpuinfo || bail "not an Intel vCPU: the guest needs vm.sh --mce"
}

# hard_offline PHYS: the software memory error of
# /sys/devices/system/memory/hard_offline_page (memory_failure() without
# action required) at physical address PHYS; its exit status.
hard_offline() {
	printf '%#x\n' "$1" >/sys/devices/system/memory/hard_offline_page
}

# mf_seen PFN WHAT: the kernel logged WHAT (a fixed string) for PFN (a
# number) within 10 s: memory_failure() runs later for an action-optional
# machine check.
mf_seen() {
	local p
	p=$(printf '%#x' "$1")
	for _ in $(seq 100); do
		dmesg | grep -qF "$p: $2" && return 0
		sleep 0.1
	done
	return 1
}

# poison_list DAX: the device's poisoned offsets, one line, space-separated.
poison_list() {
	local l
	l=$(cat "/sys/bus/dax/devices/$1/poison")
	echo "${l//$'\n'/ }"
}

# watch_start DEV LEN OFF LSB MODE...: one watcher (tests/progs/hwpoison
# watch) per MODE over LEN bytes of DEV (an away watcher maps only the
# first LEN_AWAY bytes, set by the caller), each waiting for a memory error
# at OFF; returns once all are mapped (a minute at most). watch_finish:
# let them see it (they wait a second more) and fold their TAP into ours.
WATCH_DIR=/tmp/watch
watch_start() {
	local dev=$1 len=$2 off=$3 lsb=$4 m l
	shift 4
	rm -rf "$WATCH_DIR" && mkdir -p "$WATCH_DIR"
	WATCH_MODES=("$@")
	for m in "$@"; do
		l=$len
		[ "$m" = away ] && l=$LEN_AWAY
		"$PROGS/hwpoison" watch "$dev" "$l" "$off" "$lsb" "$m" \
			"$WATCH_DIR/$m.ready" "$WATCH_DIR/done" >"$WATCH_DIR/$m.out" 2>&1 &
		echo $! >"$WATCH_DIR/$m.pid"
	done
	for _ in $(seq 600); do
		l=0
		for m in "$@"; do
			[ -e "$WATCH_DIR/$m.ready" ] && l=$((l + 1))
		done
		[ "$l" -eq $# ] && return 0
		sleep 0.1
	done
	return 1
}
watch_finish() {
	local m rc
	touch "$WATCH_DIR/done"
	for m in "${WATCH_MODES[@]}"; do
		rc=0
		wait "$(cat "$WATCH_DIR/$m.pid")" || rc=$?
		# shellcheck disable=SC2016 # $1 and $2 are the inner shell's
		sub_tap "$m watcher" sh -c 'cat "$2"; exit "$1"' sh "$rc" "$WATCH_DIR/$m.out"
	done
}
