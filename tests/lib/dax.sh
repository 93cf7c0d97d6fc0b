# shellcheck shell=bash
# Device-dax helpers for everything that runs in a guest: the test scripts,
# the benchmark scripts (bench/guest-*.sh), the demo (scripts/guest-demo.sh)
# and the host tests' guest jobs (tests/host/jobs/). Needs PROGS (exported
# by scripts/vm.sh). The helpers that print TAP (make_dax, dax_revoke,
# hold_tap) need tests/lib/tap.sh as well; the others do not.

# ndctl listings, read with jq. `ndctl list` prints one object alone,
# several in an array, and namespaces inside their regions (-R -N) or DIMMs
# inside theirs: these helpers look at every object at any depth, in the
# order printed.

# nd_names KIND [NDCTL-LIST-ARGS...]: the names ("dev") of the KIND objects
# (namespace, region, nmem, bus...) that `ndctl list ARGS` shows, a line
# each.
nd_names() {
	local kind=$1
	shift
	ndctl list "$@" 2>/dev/null |
		jq -r --arg k "$kind" '.. | objects | .dev? // empty | select(startswith($k))'
}

# nd_first KIND [NDCTL-LIST-ARGS...]: the first of them; fails if none.
nd_first() {
	local first
	first=$(nd_names "$@" | head -n 1)
	[ -n "$first" ] && echo "$first"
}

# nd_field FIELD [NDCTL-LIST-ARGS...]: the first value of FIELD (e.g.
# chardev, blockdev, available_size) in `ndctl list ARGS`; fails if none.
nd_field() {
	local field=$1 value
	shift
	value=$(ndctl list "$@" 2>/dev/null |
		jq -r --arg f "$field" 'first(.. | objects | .[$f]? // empty)')
	[ -n "$value" ] && echo "$value"
}

# nd_count JQ-CONDITION [NDCTL-LIST-ARGS...]: how many listed objects with
# a name match the jq condition, e.g. nd_count '.map == "none"' -N.
nd_count() {
	local cond=$1
	shift
	ndctl list "$@" 2>/dev/null |
		jq -r ".. | objects | select(has(\"dev\")) | select($cond) | .dev" | wc -l
}

# nd_init_labels DIMM|all: empty namespace labels on DIMM (its regions are
# disabled meanwhile).
nd_init_labels() {
	ndctl disable-region all >/dev/null &&
		ndctl init-labels -f "$1" >/dev/null &&
		ndctl enable-region all >/dev/null
}

# dax_raw NAMESPACE: make NAMESPACE raw again, releasing whatever dax or
# pfn device claimed it (its info block goes).
dax_raw() {
	ndctl create-namespace -f -e "$1" -m raw
}

# dax_new NAMESPACE ALIGN MAP: make NAMESPACE a devdax namespace with ALIGN
# and MAP (mem, dev or none) through libndctl (tests/progs/ndns, as a
# patched `ndctl create-namespace --map none` would), after releasing it
# (dax_raw) if a device claims it. Sets nd (the nd dax device, daxR.N),
# dev (the /dev/daxR.M node), dsize (its size) and dax_out (what ndns
# printed, or why it failed); returns non-zero on failure.
# shellcheck disable=SC2034 # nd, dev and dsize are for the caller
dax_new() {
	nd='' dev='' dsize=''
	if [ -n "$(cat "/sys/bus/nd/devices/$1/holder" 2>/dev/null)" ] &&
		! dax_out=$(dax_raw "$1" 2>&1); then
		return 1
	fi
	dax_out=$("$PROGS/ndns" devdax "$1" "$2" "$3" 2>&1) || return 1
	nd=${dax_out#*nd=}
	nd=${nd%%[[:space:]]*}
	dev=${dax_out#*dev=}
	dev=${dev%%[[:space:]]*}
	dsize=$(cat "/sys/bus/dax/devices/${dev#/dev/}/size")
}

# make_dax NAMESPACE ALIGN MAP: dax_new as one TAP point.
make_dax() {
	if dax_new "$@"; then
		ok "make $1 devdax map=$3 align $2 ($dax_out)"
	else
		not_ok "make $1 devdax map=$3 align $2"
		diag <<<"$dax_out"
		return 1
	fi
}

# dax_find UUID: "ND /dev/daxR.M", the nd dax device and the node of the
# devdax namespace with UUID (names change when the driver is reloaded or
# the machine rebooted); nothing if there is none.
dax_find() {
	local n d c
	for n in /sys/bus/nd/devices/namespace*; do
		[ "$(cat "$n/uuid" 2>/dev/null)" = "$1" ] || continue
		for d in /sys/bus/nd/devices/dax*; do
			[ "$(cat "$d/namespace" 2>/dev/null)" = "${n##*/}" ] || continue
			for c in "$d"/dax[0-9]*; do
				[ -d "$c" ] && echo "${d##*/} /dev/${c##*/}"
			done
		done
	done
	return 0
}

# Holding a mapping and revoking it. A holder is a program that maps a
# device-dax node, prints the line "mapped" (a TAP program prints it as a
# comment, "# mapped") and waits for a line on stdin; given that line it
# touches the mapping again and says what happened through its exit status
# (daxhold hold: SIGBUS, 128 + 7) or its TAP (vfiodma revoked, kvmdax
# revoked).
#
# hold_start HOLDER...: start HOLDER in the background and wait (a minute
# at most) for its "mapped" line: one TAP point. hold_finish: let it go on
# and wait for it; sets HOLD_RC (its exit status). Its output is in
# $HOLD_OUT.
HOLD_OUT=/tmp/hold.out
hold_start() {
	rm -f /tmp/hold.in "$HOLD_OUT"
	mkfifo /tmp/hold.in
	"$@" </tmp/hold.in >"$HOLD_OUT" 2>&1 &
	HOLD_PID=$!
	exec 3>/tmp/hold.in
	for _ in $(seq 300); do
		hold_mapped && break
		kill -0 "$HOLD_PID" 2>/dev/null || break
		sleep 0.2
	done
	check "${1##*/} $2 maps and waits" hold_mapped
}
hold_finish() {
	# If the holder is gone already, the write must not kill this shell.
	(trap '' PIPE; echo go >&3) 2>/dev/null || true
	exec 3>&-
	HOLD_RC=0
	wait "$HOLD_PID" || HOLD_RC=$?
}

# dax_revoke NAMESPACE HOLDER...: hold_start HOLDER, disable NAMESPACE
# under it, hold_finish: two TAP points. NAMESPACE stays disabled.
dax_revoke() {
	local ns=$1
	shift
	hold_start "$@"
	check "disabling $ns under it succeeds" ndctl disable-namespace "$ns"
	hold_finish
}
hold_mapped() { grep -qxE '(# )?mapped' "$HOLD_OUT"; }

# hold_tap PREFIX: the TAP of the last holder, folded into ours as sub_tap
# does (its exit status included).
hold_tap() {
	# shellcheck disable=SC2016 # $1 and $2 are the inner shell's
	sub_tap "$1" sh -c 'grep -vxE "(# )?mapped" "$2"; exit "$1"' sh "$HOLD_RC" "$HOLD_OUT"
}

# Measurements (make bench, the demo).

# median: the median of the numbers on stdin, one a line.
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# memfree: free memory in KiB once the page cache is dropped: the buddy
# allocator's free pages plus those parked on per-cpu lists (which MemFree
# leaves out, a batch of 63 pages at a time), so that the difference
# across enabling a namespace is what enabling took.
memfree() {
	sync
	echo 3 >/proc/sys/vm/drop_caches
	awk '$1 == "pages" && $2 == "free" { f += $3 } $1 == "count:" { f += $2 }
		END { print f * 4 }' /proc/zoneinfo
}

# enable_cost ND: what binding the nd dax device ND to dax_pmem takes (it
# is unbound first): "KIB USEC", the memory and the time.
enable_cost() {
	local drv=/sys/bus/nd/drivers/dax_pmem m0 m1 t0 t1
	echo "$1" >"$drv/unbind"
	m0=$(memfree)
	t0=$(date +%s%N)
	echo "$1" >"$drv/bind"
	t1=$(date +%s%N)
	m1=$(memfree)
	echo "$((m0 - m1)) $(( (t1 - t0) / 1000 ))"
}

# A driver with write notification over the legacy range: tests of what
# VFIO and KVM do with entries that are read-only in a writable mapping.

# free_legacy_range: unload the device-dax and nd drivers, so that no
# driver claims the memmap= range any more (pfnmap_test can then map it).
free_legacy_range() {
	local m
	# Bound regions hold the bus provider's module (nd_e820).
	ndctl disable-region all >"$TAP_OUT" 2>&1 || { diag <"$TAP_OUT"; bail "cannot disable the regions"; }
	for m in dax_pmem kmem device_dax nd_pmem nd_e820; do
		grep -q "^$m " /proc/modules || continue
		rmmod "$m" >"$TAP_OUT" 2>&1 || { diag <"$TAP_OUT"; bail "cannot unload $m"; }
	done
}

# wrnotify_tap ALIGN SIZE NAME CMD...: load pfnmap_test over the first
# SIZE bytes of the legacy range at 4 GiB, with entries of ALIGN and read
# faults mapped read-only (wrnotify=1), and run CMD, which maps
# /dev/pfnmap_test, as the subtest NAME; unload it again.
wrnotify_tap() {
	local align=$1 size=$2 name=$3
	shift 3
	if ! insmod "$BUILD/kmod/pfnmap_test.ko" phys_base=$((4 << 30)) \
		phys_size="$size" align="$align" wrnotify=1 2>"$TAP_OUT"; then
		not_ok "pfnmap_test loads with align $align and wrnotify=1"
		diag <"$TAP_OUT"
		return
	fi
	sub_tap "$name" "$@"
	check "pfnmap_test unloads (align $align)" rmmod pfnmap_test
}
