#!/bin/bash
# Guest job of tests/host/04-nvdimm-reboot.sh, first boot: label the
# NVDIMM, make a 512 MiB devdax map=none namespace (align 2M) and write a
# pattern into it. Prints "RESULT ns=... nd=... dev=...".
set -e
# shellcheck source=tests/lib/dax.sh
. "$TOP/tests/lib/dax.sh"
modprobe -a nfit nd_pmem dax_pmem device_dax 2>/dev/null
nd_init_labels nmem0
ns=$(ndctl create-namespace -r region0 -m raw -s 512M | jq -r .dev)
dax_new "$ns" 2097152 none || { echo "$dax_out"; exit 1; }
"$PROGS/daxpattern" -w -s 11 -t 4096 "$dev"
echo "RESULT ns=$ns $dax_out"
