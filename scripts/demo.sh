#!/usr/bin/env bash
# The demo, the user's scenario: boot a guest with a 1G-aligned memmap=
# range, make it a pageless (map=none) devdax device at 1G align, run a
# nested QEMU with its guest RAM on that device, and read what the nested
# guest wrote back through /dev/daxX.Y; show the struct page memory saved
# against map=mem. The guest side is scripts/guest-demo.sh, which make
# check runs too (tests/kvm/02-nested-qemu.sh).
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

make -s -C "$TOP/tests/progs" O="$BUILD/progs"
exec "$TOP/scripts/vm.sh" --name demo --mem 8G --append 'memmap=3G!4G' \
	--mods std --timeout 1200 --job "$TOP/scripts/guest-demo.sh"
