#!/bin/bash
# Guest job of tests/host/06-labels-reboot.sh, first boot: initialize the
# labels of the memmap= range, carve two devdax map=none namespaces
# (256 MiB at align 4K, 512 MiB at 2M) and write a pattern into each.
# Prints "RESULT UUID SEED SIZE" for each.
set -e
# shellcheck source=tests/lib/dax.sh
. "$TOP/tests/lib/dax.sh"
modprobe -a nd_e820 nd_pmem dax_pmem device_dax 2>/dev/null
nd_init_labels all
seed=21
for t in "256M 4096" "512M 2097152"; do
	read -r size align <<<"$t"
	ns=$(ndctl create-namespace -r region0 -m raw -s "$size" | jq -r .dev)
	dax_new "$ns" "$align" none || { echo "$dax_out"; exit 1; }
	"$PROGS/daxpattern" -w -s "$seed" -t 4096 "$dev"
	echo "RESULT $(cat "/sys/bus/nd/devices/$ns/uuid") $seed $size"
	seed=$((seed + 1))
done
