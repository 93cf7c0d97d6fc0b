#!/bin/bash
# Labels on a legacy range survive a reboot that keeps RAM: guest RAM is a
# file (vm.sh --ram-file), the range is memmap=2G!4G with
# nd_e820.labels=1. The first guest initializes the labels, carves two
# devdax map=none namespaces (256 MiB at align 4K, 512 MiB at 2M) and
# writes a pattern into each; a second guest booted on the same file finds
# both, still map=none, with their patterns.
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

boot() {
	"$TOP/scripts/vm.sh" -q --name "host-labels-$1" --mem 6G --ram-file "$img" \
		--append 'memmap=2G!4G nd_e820.labels=1' --mods std --timeout 600 \
		--job "$dir/$1.sh"
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
out=$(cat "$BUILD/runs/host-labels-second/output.log")
while read -r _ uuid seed size; do
	check "the $size namespace ($uuid) is back as map=none" \
		sh -c "grep -q '^FOUND $uuid /dev/dax[0-9.]* none\$' '$BUILD/runs/host-labels-second/output.log'"
	check "and holds pattern $seed" contains "$out" "VERIFIED $uuid $size"
done <"$dir/made"
done_testing
