#!/bin/bash
# Guest job of tests/host/06-labels-reboot.sh, a boot whose memmap= differs
# from the one the labels were written under: what namespaces and regions
# there are, what the kernel said about the ranges and their labels, and
# whether the region that found those labels gives a new namespace space
# ("CREATE REGION made" or "CREATE REGION refused").
modprobe -a nd_e820 nd_pmem dax_pmem device_dax 2>/dev/null
ndctl list -N -R
dmesg | grep -E 'nd_e820|e820_pmem|region[0-9]|label' || true
r=$(dmesg | sed -n 's/.* \(region[0-9]*\): [0-9]* labels* written for another interleave set.*/\1/p' | tail -1)
[ -n "$r" ] || exit 0
if ndctl create-namespace -r "$r" -m raw -s 64M; then
	echo "CREATE $r made"
else
	echo "CREATE $r refused"
fi
dmesg | grep 'of another interleave set on the DIMMs' || true
