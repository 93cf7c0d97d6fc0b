#!/bin/bash
# Guest job of tests/host/06-labels-reboot.sh, a later boot on the same RAM
# file: for each namespace the first boot made (the RESULT lines in the
# file $1, on the host), "FOUND UUID NODE MODE" if it is there and
# "VERIFIED UUID SIZE" if it holds its pattern.
# shellcheck source=tests/lib/dax.sh
. "$TOP/tests/lib/dax.sh"
modprobe -a nd_e820 nd_pmem dax_pmem device_dax 2>/dev/null
ndctl list -N
while read -r _ uuid seed size; do
	dax_find "$uuid" | while read -r nd dev; do
		echo "FOUND $uuid $dev $(cat "/sys/bus/nd/devices/$nd/mode")"
		"$PROGS/daxpattern" -v -s "$seed" -t 4096 "$dev" </dev/null &&
			echo "VERIFIED $uuid $size"
	done
done <"$1"
