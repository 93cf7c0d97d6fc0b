#!/usr/bin/env bash
# Run the test suite: host-side tests, then one guest per test group
# (tests/<group>/vm.conf says how to boot it), each group's scripts in order.
# Prints TAP with global numbering and ends with "N passed, N failed" (and
# ", N skipped"). A guest that dies, times out or logs a kernel report fails
# its group whatever its scripts said.
#
#   T=REGEX   only the scripts whose "group/script" matches REGEX
#   SKIP_BUILD=1  use the kernel already built
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

filter=${T:-.}
report=$BUILD/report.tap
mkdir -p "$BUILD"

if [ "${SKIP_BUILD:-0}" != 1 ]; then
	"$TOP/scripts/build.sh"
fi
need_pkgs gcc make ndctl daxctl fio pciutils kmod qemu-system-x86 jq
make -s -C "$TOP/tests/progs" O="$BUILD/progs"

state=$(mktemp)
trap 'rm -f "$state"' EXIT
echo "0 0 0 0" >"$state"
total() { read -r n pass fail skip <"$state"; }

# merge GROUP EXPECTED: renumber the framed TAP on stdin.
merge() {
	total
	awk -v group="$1" -v expect="$2" -v n="$n" -v state="$state.new" \
		-f "$TOP/scripts/tap-merge.awk"
	read -r n pass2 fail2 skip2 <"$state.new"
	echo "$n $((pass + pass2)) $((fail + fail2)) $((skip + skip2))" >"$state"
	rm -f "$state.new"
}

# One extra test point, counted like the scripts' own.
point() {
	local okay=$1 desc=$2
	total
	n=$((n + 1))
	if [ "$okay" = 1 ]; then
		pass=$((pass + 1)); echo "ok $n - $desc"
	else
		fail=$((fail + 1)); echo "not ok $n - $desc"
	fi
	echo "$n $pass $fail $skip" >"$state"
}

scripts_of() {
	local g=$1 t
	for t in "$TOP/tests/$g"/[0-9]*.sh; do
		[ -e "$t" ] || continue
		t=$(basename "$t")
		[[ "$g/$t" =~ $filter ]] && echo "$t"
	done
	return 0
}

run_host() {
	local list
	list=$(scripts_of host | xargs)
	[ -n "$list" ] || return 0
	for t in $list; do
		echo "@@@ begin $t"
		rc=0
		timeout -k 5 900 bash "$TOP/tests/host/$t" </dev/null 2>&1 || rc=$?
		echo "@@@ end $t $rc"
	done | merge host "$list"
}

run_group() {
	local g=$1 list VM_OPTS=() TIMEOUT=900 TEST_TIMEOUT=300 job rc=0 vmpid
	list=$(scripts_of "$g" | xargs)
	[ -n "$list" ] || return 0
	# vm.sh --group boots the guest as vm.conf says; here it gives the
	# timeouts (a default TIMEOUT is passed on explicitly).
	# shellcheck source=tests/devdax/vm.conf
	. "$TOP/tests/$g/vm.conf"
	# A hung script must not eat the guest's whole time: the scripts
	# after it would only show up as "did not run".
	if [ "$TEST_TIMEOUT" -gt $((TIMEOUT - 60)) ]; then
		TEST_TIMEOUT=$((TIMEOUT - 60))
	fi
	job=$BUILD/job-$g.sh
	{
		for t in $list; do
			echo "echo '@@@ begin $t'"
			echo "timeout -k 5 $TEST_TIMEOUT bash $(printf '%q' "$TOP/tests/$g/$t") </dev/null 2>&1"
			echo "echo \"@@@ end $t \$?\""
		done
		echo "exit 0"
	} >"$job"
	echo "# group $g: booting a guest (${VM_OPTS[*]})"
	local run=$BUILD/runs/check-$g
	# Never follow the output of an earlier run.
	rm -rf "$run"
	"$TOP/scripts/vm.sh" -q --name "check-$g" --timeout "$TIMEOUT" \
		--group "$g" --job "$job" 2>"$BUILD/vm-$g.err" &
	vmpid=$!
	trap 'kill "$vmpid" 2>/dev/null' INT TERM
	# vm.sh creates the run directory; wait for it before following. If
	# vm.sh fails before it boots anything, follow an empty log.
	while kill -0 "$vmpid" 2>/dev/null && ! [ -e "$run/output.log" ]; do sleep 0.2; done
	[ -e "$run/output.log" ] || { mkdir -p "$run"; : >"$run/output.log"; }
	tail -n +1 -F --pid="$vmpid" "$run/output.log" 2>/dev/null | merge "$g" "$list" || true
	wait "$vmpid" || rc=$?
	sed 's/^/# /' "$BUILD/vm-$g.err"
	case $rc in
	0|125) point 1 "$g: guest ran to completion";;
	124) point 0 "$g: guest finished within ${TIMEOUT}s (killed at the timeout)";;
	126) point 0 "$g: guest ran to completion (it stopped without a status: see ${run#"$TOP"/}/console.log)";;
	*) point 0 "$g: guest ran to completion (vm.sh failed with status $rc, see above)";;
	esac
	trap - INT TERM
	# vm.sh checked the kernel log (status 125 when that alone failed):
	# logcheck.txt is empty when the log is clean, and missing when vm.sh
	# stopped before it got that far.
	if [ "$rc" != 125 ] && [ -e "$run/logcheck.txt" ] && ! [ -s "$run/logcheck.txt" ]; then
		point 1 "$g: guest kernel log has no WARN/BUG/Oops/KASAN/lockdep/DEBUG_VM report"
	else
		point 0 "$g: guest kernel log has no WARN/BUG/Oops/KASAN/lockdep/DEBUG_VM report"
		if [ -e "$run/logcheck.txt" ]; then
			sed 's/^/# /' "$run/logcheck.txt"
		else
			echo "# vm.sh did not check the kernel log (no ${run#"$TOP"/}/logcheck.txt)"
		fi
	fi
}

{
	echo "TAP version 13"
	run_host
	for conf in "$TOP"/tests/*/vm.conf; do
		run_group "$(basename "$(dirname "$conf")")"
	done
	total
	if [ "$n" -eq 0 ]; then
		echo "# no test matched T=$filter"
		point 0 "at least one test ran"
		total
	fi
	echo "1..$n"
	if [ "$skip" -gt 0 ]; then
		echo "$pass passed, $fail failed, $skip skipped"
	else
		echo "$pass passed, $fail failed"
	fi
} | tee "$report"
total
[ "$fail" -eq 0 ] && [ "$n" -gt 0 ]
