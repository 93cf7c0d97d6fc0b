#!/bin/bash
# Stock ndctl creates an fsdax and a devdax (map=mem, align 2M) namespace on
# the legacy region.
. "$TOP/tests/lib/tap.sh"
. "$TOP/tests/lib/dax.sh"

need_modules nd_e820 nd_pmem dax_pmem device_dax
ns=$(nd_first namespace -N) || bail "no namespace on the legacy region"

check "create-namespace --mode fsdax succeeds" \
	ndctl create-namespace -f -e "$ns" --mode fsdax --map mem
check "the fsdax namespace has a /dev/pmem block device" \
	test -b /dev/pmem0
check "ndctl reports it as fsdax" \
	contains "$(ndctl list -n "$ns" 2>&1)" '"mode":"fsdax"' '"blockdev":"pmem0"'

check "create-namespace --mode devdax --map mem --align 2M succeeds" \
	ndctl create-namespace -f -e "$ns" --mode devdax --map mem --align 2M
out=$(ndctl list -n "$ns" 2>&1)
echo "$out" | diag
check "ndctl reports it as devdax with map mem and align 2M" \
	contains "$out" '"mode":"devdax"' '"map":"mem"' '"align":2097152'
check "/dev/dax0.0 appears" test -c /dev/dax0.0
check "the dax device's align is 2M in sysfs" \
	grep -qx 2097152 /sys/bus/dax/devices/dax0.0/align
done_testing
