# shellcheck shell=bash
# TAP helpers for the guest test scripts. A test script sources this file,
# reports each check with ok/not_ok/check/skip and ends with done_testing,
# which prints the plan and sets the exit status.
#
# Environment set by scripts/vm.sh for every guest job: TOP (repository),
# BUILD (its build directory), PROGS (built test programs), RUN (the run
# directory, writable from the guest). Host tests get TOP and BUILD from
# scripts/lib.sh through check.sh.

TAP_N=0
TAP_FAILED=0
TAP_OUT=$(mktemp)

ok()     { TAP_N=$((TAP_N + 1)); echo "ok $TAP_N - $*"; }
not_ok() { TAP_N=$((TAP_N + 1)); TAP_FAILED=$((TAP_FAILED + 1)); echo "not ok $TAP_N - $*"; }
diag()   { sed 's/^/# /'; }
note()   { echo "# $*"; }
skip()   { TAP_N=$((TAP_N + 1)); echo "ok $TAP_N - $1 # SKIP $2"; }

# check DESCRIPTION COMMAND...: one test point, passing when the command
# exits 0; its output is shown as diagnostics when it fails.
check() {
	local desc=$1
	shift
	if "$@" >"$TAP_OUT" 2>&1; then
		ok "$desc"
	else
		not_ok "$desc"
		diag <"$TAP_OUT"
	fi
}

# check_fails DESCRIPTION COMMAND...: passes when the command fails.
check_fails() {
	local desc=$1
	shift
	if "$@" >"$TAP_OUT" 2>&1; then
		not_ok "$desc"
		echo "# expected a failure, but the command succeeded:"
		diag <"$TAP_OUT"
	else
		ok "$desc"
	fi
}

# check_exit DESCRIPTION STATUS COMMAND...: passes when the command exits
# with exactly STATUS (so a usage error cannot pass for the failure wanted).
check_exit() {
	local desc=$1 want=$2 rc=0
	shift 2
	"$@" >"$TAP_OUT" 2>&1 || rc=$?
	if [ "$rc" -eq "$want" ]; then
		ok "$desc"
	else
		not_ok "$desc"
		echo "# expected exit status $want, got $rc:"
		diag <"$TAP_OUT"
	fi
}

# contains TEXT STRING...: TEXT contains every STRING (fixed strings).
contains() {
	local text=$1 s
	shift
	for s in "$@"; do
		grep -qF -- "$s" <<<"$text" || { echo "missing: $s"; return 1; }
	done
}

# sub_tap PREFIX COMMAND...: run a program that prints TAP of its own and
# report each of its points here, prefixed; other lines become comments.
# A program that dies before its plan, or fails without a failing point,
# adds a failing point of its own. kselftest's points have no " - "
# ("ok 3 pfnmap.data_reads_back" or "ok 4 # SKIP reason"); a skip stays a skip.
sub_tap() {
	local prefix=$1 rc=0 out line desc points=0 plan=-1 bad=0
	shift
	out=$("$@" 2>&1) || rc=$?
	while read -r line; do
		desc=${line#*ok }
		desc=${desc#* }
		desc=${desc#- }
		case "$line" in
		"ok "*) ok "$prefix: $desc"; points=$((points + 1));;
		"not ok "*) not_ok "$prefix: $desc"
			points=$((points + 1)) bad=$((bad + 1));;
		"1.."*) plan=${line#1..};;
		*) echo "# $line";;
		esac
	done <<<"$out"
	if [ "$plan" != "$points" ] || { [ "$rc" -ne 0 ] && [ "$bad" -eq 0 ]; }; then
		not_ok "$prefix: ran to its end (exit $rc, plan $plan, $points checks)"
	fi
}

# Stop the script: the rest of its checks cannot run.
bail() {
	echo "Bail out! $*"
	exit 1
}

done_testing() {
	echo "1..$TAP_N"
	rm -f "$TAP_OUT"
	[ "$TAP_FAILED" -eq 0 ]
	exit
}

# need_odirect_dev: export ODIRECT_DEV, a 16 MiB loop device to aim O_DIRECT
# at (the pfnmap selftest reads it).
need_odirect_dev() {
	truncate -s 16M /tmp/odirect.img
	ODIRECT_DEV=$(losetup -f --show /tmp/odirect.img) || bail "no loop device for O_DIRECT"
	export ODIRECT_DEV
}

# Load modules, reporting failures as a bail out.
need_modules() {
	modprobe -a "$@" >"$TAP_OUT" 2>&1 || { diag <"$TAP_OUT"; bail "modprobe $* failed"; }
}
