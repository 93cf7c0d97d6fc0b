#!/bin/bash
# A map=none namespace on a file-backed ACPI NVDIMM survives a guest
# reboot: one guest labels the NVDIMM, makes a 512 MiB devdax map=none
# namespace (align 2M) and writes a pattern; a second guest booted on the
# same file finds the same namespace, still map=none, with the same bytes.
. "$TOP/tests/lib/tap.sh"

img=$BUILD/reboot-nvdimm.img
dir=$BUILD/reboot-jobs
rm -f "$img"
mkdir -p "$dir"
trap 'rm -rf "$img" "$dir"' EXIT
prologue="export TOP=$(printf '%q' "$TOP") PROGS=$(printf '%q' "$BUILD/progs")
set -e
modprobe -a nfit nd_pmem dax_pmem device_dax 2>/dev/null"

cat >"$dir/first.sh" <<JOB
$prologue
ndctl disable-region all >/dev/null
ndctl init-labels -f nmem0 >/dev/null
ndctl enable-region all >/dev/null
ns=\$(ndctl create-namespace -r region0 -m raw -s 512M |
	sed -n 's/.*"dev":"\\(namespace[0-9.]*\\)".*/\\1/p')
out=\$("\$PROGS/ndns" devdax "\$ns" 2097152 none)
dev=\${out##*dev=}
"\$PROGS/daxpattern" -w -s 11 -t 4096 "\$dev"
echo "RESULT ns=\$ns \$out"
JOB
cat >"$dir/second.sh" <<JOB
$prologue
for ns in \$(ls /sys/bus/nd/devices | grep '^namespace'); do
	ndctl list -N -n "\$ns"
done
nd=\$(ls /sys/bus/nd/devices | grep '^dax' | while read -r d; do
	[ -e "/sys/bus/nd/devices/\$d/driver" ] && echo "\$d"; done | head -1)
echo "RESULT nd=\$nd mode=\$(cat /sys/bus/nd/devices/\$nd/mode) dev=\$(ls /dev/dax* | head -1)"
"\$PROGS/daxpattern" -v -s 11 -t 4096 "\$(ls /dev/dax* | head -1)"
JOB

boot() {
	"$TOP/scripts/vm.sh" -q --name "host-reboot-$1" --mem 2G \
		--nvdimm "$img:1G" --mods std --timeout 300 --job "$dir/$1.sh"
}
make -s -C "$TOP/tests/progs" O="$BUILD/progs"
if boot first >"$dir/first.out" 2>&1; then
	out=$(cat "$BUILD/runs/host-reboot-first/output.log")
	ok "first boot: a map=none namespace with a pattern ($(grep '^RESULT' <<<"$out"))"
else
	not_ok "first boot: a map=none namespace with a pattern"
	diag <"$dir/first.out"
	out=$(cat "$BUILD/runs/host-reboot-first/output.log")
fi
first=$(sed -n 's/^RESULT .*nd=\([^ ]*\).*/\1/p' <<<"$out")
if boot second >"$dir/second.out" 2>&1; then
	ok "second boot on the same file: the pattern reads back"
else
	not_ok "second boot on the same file: the pattern reads back"
	diag <"$dir/second.out"
fi
out=$(cat "$BUILD/runs/host-reboot-second/output.log")
check "a dax device comes back in mode none (first boot had $first)" \
	contains "$out" "mode=none dev=/dev/dax"
check "ndctl lists it as devdax, map none" contains "$out" '"mode":"devdax"' '"map":"none"'
done_testing
