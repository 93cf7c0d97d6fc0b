#!/bin/bash
# Runs inside the demo guest (see scripts/demo.sh).
set -eu
step() { printf '\n== %s\n' "$*"; }
# MemFree with the page cache dropped: the root file system's cache would
# otherwise hide a few MiB either way.
memfree() {
	sync
	echo 3 >/proc/sys/vm/drop_caches
	awk '/^MemFree:/ { print $2 }' /proc/meminfo
}

step "kernel $(uname -r); the memmap= range in /proc/iomem"
grep -i 'persistent memory' /proc/iomem
step "modprobe nd_e820 nd_pmem dax_pmem device_dax"
modprobe -a nd_e820 nd_pmem dax_pmem device_dax 2>/dev/null
ndctl list -R
ndctl disable-namespace namespace0.0 >/dev/null
before=$(memfree)
step "ndctl create-namespace -f -e namespace0.0 --mode devdax --map mem --align 2M"
ndctl create-namespace -f -e namespace0.0 --mode devdax --map mem --align 2M
after=$(memfree)
ls -l /dev/dax0.0
step "write and verify a pattern across all of /dev/dax0.0"
"$PROGS/daxpattern" -s 42 /dev/dax0.0
step "a second process reads the same bytes back"
"$PROGS/daxpattern" -v -s 42 /dev/dax0.0
step "cost of struct page for this namespace (map=mem)"
echo "MemFree dropped by $(( (before - after) / 1024 )) MiB when the namespace was enabled"
echo "(the pageless map=none mode of this series is to bring that to ~0)"
