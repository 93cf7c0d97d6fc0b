#!/bin/bash
# Guest job of tests/host/04-nvdimm-reboot.sh, second boot on the same
# NVDIMM file: list the namespaces, say which nd dax device claims the
# devdax one ("RESULT nd=... mode=... dev=..."), and verify the pattern the
# first boot wrote.
set -e
# shellcheck source=tests/lib/dax.sh
. "$TOP/tests/lib/dax.sh"
modprobe -a nfit nd_pmem dax_pmem device_dax 2>/dev/null
ndctl list -N
ns=$(ndctl list -N | jq -r 'first(.. | objects | select(.mode? == "devdax") | .dev)')
nd=$(cat "/sys/bus/nd/devices/$ns/holder")
dev=/dev/$(nd_field chardev -N -n "$ns")
echo "RESULT nd=$nd mode=$(cat "/sys/bus/nd/devices/$nd/mode") dev=$dev"
"$PROGS/daxpattern" -v -s 11 -t 4096 "$dev"
