#!/bin/bash
# Guest job of tests/host/06-labels-reboot.sh, a boot with memmap= changed:
# clear the labels that the region found for another interleave set
# (ndctl init-labels) and make a namespace there. Prints "CLEARED REGION
# DIMM NAMESPACE".
set -e
# shellcheck source=tests/lib/dax.sh
. "$TOP/tests/lib/dax.sh"
modprobe -a nd_e820 nd_pmem dax_pmem device_dax 2>/dev/null
r=$(dmesg | sed -n 's/.* \(region[0-9]*\): [0-9]* labels* written for another interleave set.*/\1/p' | tail -1)
[ -n "$r" ]
dimm=$(nd_first nmem -D -r "$r")
nd_init_labels "$dimm"
ns=$(ndctl create-namespace -r "$r" -m raw -s 64M | jq -r .dev)
echo "CLEARED $r $dimm $ns"
