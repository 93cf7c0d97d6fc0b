#!/bin/bash
# Labels on a legacy range survive a reboot that keeps RAM: guest RAM is a
# file (vm.sh --ram-file), the range is memmap=2G!4G with
# nd_e820.labels=1. The first guest initializes the labels, carves two
# devdax map=none namespaces (256 MiB at align 4K, 512 MiB at 2M) and
# writes a pattern into each; a second guest booted on the same file finds
# both, still map=none, with their patterns. A third boots with memmap=
# changed (memmap=1G!4G memmap=1G!5G: the same memory, still reserved, as
# two ranges; the second has the old label area): the labels are ignored
# with a dmesg line that says how to clear them, no namespace appears, and
# the region refuses space for a new one; a fourth, with
# the old memmap= again, finds both namespaces and their data untouched.
# A fifth, with memmap= changed again, clears the labels (init-labels) and
# makes a namespace; a sixth, back on the old memmap=, finds that label
# foreign in turn: the old namespaces do not come back and space is
# refused again.
. "$TOP/tests/lib/tap.sh"

img=$BUILD/reboot-ram.img
dir=$BUILD/labels-jobs
rm -f "$img"
mkdir -p "$dir"
trap 'rm -rf "$img" "$dir"' EXIT

# boot NAME [MEMMAP]: a guest on the RAM file running
# tests/host/jobs/labels-NAME.sh (without -again); the later boots read what
# the first made from $dir/made (the host's files are the guest's root).
# shellcheck disable=SC2317 # called through check
boot() {
	"$TOP/scripts/vm.sh" -q --name "host-labels-$1" --mem 6G --ram-file "$img" \
		--append "${2:-memmap=2G!4G} nd_e820.labels=1" --mods std --timeout 600 \
		--job "$TOP/tests/host/jobs/labels-${1%-again}.sh" "$dir/made"
}
# second_checks BOOT: both namespaces found with their data.
second_checks() {
	local out
	out=$(cat "$BUILD/runs/host-labels-$1/output.log")
	while read -r _ uuid seed size; do
		check "$1: the $size namespace ($uuid) is there as map=none" \
			sh -c "grep -q '^FOUND $uuid /dev/dax[0-9.]* none\$' '$BUILD/runs/host-labels-$1/output.log'"
		check "$1: and holds pattern $seed" contains "$out" "VERIFIED $uuid $size"
	done <"$dir/made"
}
make -s -C "$TOP/tests/progs" O="$BUILD/progs"
check "first boot: two labelled map=none namespaces with patterns" boot first
grep '^RESULT' "$BUILD/runs/host-labels-first/output.log" >"$dir/made" || true
check "the first boot made two namespaces" test "$(wc -l <"$dir/made")" -eq 2

check "second boot on the same RAM file" boot second
second_checks second

check "third boot with memmap=1G!4G memmap=1G!5G" boot moved 'memmap=1G!4G memmap=1G!5G'
out=$(cat "$BUILD/runs/host-labels-moved/output.log")
check "the kernel says the old labels are for another interleave set" \
	contains "$out" "2 labels written for another interleave set, ignored"
check "and says it once for the region, not per label" \
	test "$(grep -c 'written for another interleave set' <<<"$out")" -eq 1
check "and no devdax namespace appears" sh -c \
	"! grep -q '\"mode\":\"devdax\"' '$BUILD/runs/host-labels-moved/output.log'"
moved_region=$(sed -n 's/^CREATE \(region[0-9]*\) .*/\1/p' <<<"$out")
check "the region with those labels refuses space for a new namespace" \
	contains "$out" "CREATE ${moved_region:-?} refused"
check "and the kernel says why and how to clear them" contains "$out" \
	"${moved_region:-?}: 2 labels written for another interleave set, ignored; no namespace space is given until they are cleared (ndctl init-labels -f)"
check "fourth boot with memmap=2G!4G again" boot second-again
second_checks second-again

check "fifth boot, memmap= changed again: clear the labels, make a namespace" \
	boot clear 'memmap=1G!4G memmap=1G!5G'
check "a namespace was made after init-labels" sh -c \
	"grep -q '^CLEARED region[0-9]* nmem[0-9]* namespace[0-9.]*\$' '$BUILD/runs/host-labels-clear/output.log'"
check "sixth boot, memmap=2G!4G again" boot moved-again
out=$(cat "$BUILD/runs/host-labels-moved-again/output.log")
check "the kernel says the fifth boot's label is for another interleave set" \
	contains "$out" "1 label written for another interleave set, ignored"
check "the first boot's namespaces do not come back" sh -c \
	"! grep -q '\"mode\":\"devdax\"' '$BUILD/runs/host-labels-moved-again/output.log'"
check "and space for a new namespace is refused again" \
	contains "$out" "CREATE region0 refused"
done_testing
