#!/bin/bash
# A program maps /dev/dax0.0 (devdax, map=mem) and writes and verifies a
# pattern across all of it; a verification with another seed must fail, so
# the check is known to be able to fail.
. "$TOP/tests/lib/tap.sh"
. "$TOP/tests/lib/dax.sh"

need_modules nd_e820 nd_pmem dax_pmem device_dax
if ! [ -c /dev/dax0.0 ]; then
	ns=$(nd_first namespace -N) || bail "no namespace on the legacy region"
	ndctl create-namespace -f -e "$ns" --mode devdax --map mem --align 2M >/dev/null ||
		bail "cannot create a devdax namespace"
fi
size=$(cat /sys/bus/dax/devices/dax0.0/size)
note "dax0.0 size $size"
check "write and verify a pattern over every word of /dev/dax0.0" \
	"$PROGS/daxpattern" -s 7 /dev/dax0.0
check "a second process verifies the same bytes" \
	"$PROGS/daxpattern" -v -s 7 /dev/dax0.0
check_exit "verifying with another seed reports a mismatch (exit 1)" 1 \
	"$PROGS/daxpattern" -v -s 8 -t 4096 /dev/dax0.0
done_testing
