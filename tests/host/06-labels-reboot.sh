#!/bin/bash
# Labels on a legacy range survive a reboot that keeps RAM: guest RAM is a
# file (vm.sh --ram-file), the range is memmap=2G!4G with
# nd_e820.labels=1. The first guest initializes the labels, carves two
# devdax map=none namespaces (256 MiB at align 4K, 512 MiB at 2M) and
# writes a pattern into each; a second guest booted on the same file finds
# both, still map=none, with their patterns. A third boots with memmap=
# changed (memmap=1G!4G memmap=1G!5G: the same memory, still reserved, as
# two ranges; the second has the old label area): the labels are ignored
# with a dmesg line and no namespace appears; a fourth, with the old
# memmap= again, finds both namespaces and their data untouched.
. "$TOP/tests/lib/tap.sh"

img=$BUILD/reboot-ram.img
dir=$BUILD/labels-jobs
rm -f "$img"
mkdir -p "$dir"
trap 'rm -rf "$img" "$dir"' EXIT
prologue="export TOP=$(printf '%q' "$TOP") PROGS=$(printf '%q' "$BUILD/progs")
set -e
modprobe -a nd_e820 nd_pmem dax_pmem device_dax 2>/dev/null"

cat >"$dir/first.sh" <<JOB
$prologue
ndctl disable-region all >/dev/null
ndctl init-labels -f all >/dev/null
ndctl enable-region all >/dev/null
seed=21
for t in "256M 4096" "512M 2097152"; do
	set -- \$t
	ns=\$(ndctl create-namespace -r region0 -m raw -s \$1 |
		sed -n 's/.*"dev":"\\(namespace[0-9.]*\\)".*/\\1/p')
	out=\$("\$PROGS/ndns" devdax "\$ns" \$2 none)
	"\$PROGS/daxpattern" -w -s \$seed -t 4096 "\${out##*dev=}"
	echo "RESULT \$(cat /sys/bus/nd/devices/\$ns/uuid) \$seed \$1"
	seed=\$((seed + 1))
done
JOB
# The second guest reads what the first made from $dir/made (the host's
# files are its root).
cat >"$dir/second.sh" <<JOB
$prologue
set +e
ndctl list -N
while read -r _ uuid seed size; do
	for n in /sys/bus/nd/devices/namespace*; do
		[ "\$(cat "\$n/uuid" 2>/dev/null)" = "\$uuid" ] || continue
		for d in /sys/bus/nd/devices/dax*; do
			[ "\$(cat "\$d/namespace" 2>/dev/null)" = "\${n##*/}" ] || continue
			for c in "\$d"/dax[0-9]*; do
				[ -d "\$c" ] || continue
				echo "FOUND \$uuid /dev/\${c##*/} \$(cat "\$d/mode")"
				"\$PROGS/daxpattern" -v -s "\$seed" -t 4096 "/dev/\${c##*/}" &&
					echo "VERIFIED \$uuid \$size"
			done
		done
	done
done <"$dir/made"
JOB

cat >"$dir/moved.sh" <<JOB
$prologue
ndctl list -N -R
dmesg | grep -E 'nd_e820|e820_pmem|region[0-9]|label' || true
JOB

# boot NAME [MEMMAP]
boot() {
	"$TOP/scripts/vm.sh" -q --name "host-labels-$1" --mem 6G --ram-file "$img" \
		--append "${2:-memmap=2G!4G} nd_e820.labels=1" --mods std --timeout 600 \
		--job "$dir/${1%-again}.sh"
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
if boot first >"$dir/first.out" 2>&1; then
	ok "first boot: two labelled map=none namespaces with patterns"
else
	not_ok "first boot: two labelled map=none namespaces with patterns"
	diag <"$dir/first.out"
fi
grep '^RESULT' "$BUILD/runs/host-labels-first/output.log" >"$dir/made" || true
check "the first boot made two namespaces" test "$(wc -l <"$dir/made")" -eq 2

if boot second >"$dir/second.out" 2>&1; then
	ok "second boot on the same RAM file"
else
	not_ok "second boot on the same RAM file"
	diag <"$dir/second.out"
fi
second_checks second

if boot moved 'memmap=1G!4G memmap=1G!5G' >"$dir/moved.out" 2>&1; then
	ok "third boot with memmap=1G!4G memmap=1G!5G"
else
	not_ok "third boot with memmap=1G!4G memmap=1G!5G"
	diag <"$dir/moved.out"
fi
out=$(cat "$BUILD/runs/host-labels-moved/output.log")
check "the kernel says the old labels are for another interleave set" \
	contains "$out" "written for another interleave set, ignored"
check "and no devdax namespace appears" sh -c \
	"! grep -q '\"mode\":\"devdax\"' '$BUILD/runs/host-labels-moved/output.log'"
if boot second-again >"$dir/again.out" 2>&1; then
	ok "fourth boot with memmap=2G!4G again"
else
	not_ok "fourth boot with memmap=2G!4G again"
	diag <"$dir/again.out"
fi
second_checks second-again
done_testing
