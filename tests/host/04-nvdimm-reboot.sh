#!/bin/bash
# A map=none namespace on a file-backed ACPI NVDIMM survives a guest
# reboot: one guest labels the NVDIMM, makes a 512 MiB devdax map=none
# namespace (align 2M) and writes a pattern; a second guest booted on the
# same file finds the same namespace, still map=none, with the same bytes.
. "$TOP/tests/lib/tap.sh"

img=$BUILD/reboot-nvdimm.img
rm -f "$img"
trap 'rm -f "$img"' EXIT

# boot NAME: a guest on the NVDIMM file running tests/host/jobs/nvdimm-NAME.sh.
# shellcheck disable=SC2317 # called through check
boot() {
	"$TOP/scripts/vm.sh" -q --name "host-reboot-$1" --mem 2G \
		--nvdimm "$img:1G" --mods std --timeout 300 \
		--job "$TOP/tests/host/jobs/nvdimm-$1.sh"
}
make -s -C "$TOP/tests/progs" O="$BUILD/progs"
check "first boot: a map=none namespace with a pattern" boot first
out=$(cat "$BUILD/runs/host-reboot-first/output.log")
grep '^RESULT' <<<"$out" | diag
first=$(sed -n 's/^RESULT .*nd=\([^ ]*\).*/\1/p' <<<"$out")
check "second boot on the same file: the pattern reads back" boot second
out=$(cat "$BUILD/runs/host-reboot-second/output.log")
check "a dax device comes back in mode none (first boot had $first)" \
	contains "$out" "mode=none dev=/dev/dax"
check "ndctl lists it as devdax, map none" contains "$out" '"mode":"devdax"' '"map":"none"'
done_testing
