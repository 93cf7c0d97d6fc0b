#!/bin/bash
# Guest job of tests/host/06-labels-reboot.sh, the boot with memmap=
# changed: what namespaces and regions there are, and what the kernel said
# about the ranges and their labels.
modprobe -a nd_e820 nd_pmem dax_pmem device_dax 2>/dev/null
ndctl list -N -R
dmesg | grep -E 'nd_e820|e820_pmem|region[0-9]|label' || true
