#!/bin/bash
# A memmap=X!Y range shows up as a legacy pmem region, driven by nd_e820.
. "$TOP/tests/lib/tap.sh"

check "/proc/iomem has the memmap= range as legacy persistent memory" \
	grep -q '^100000000-17fffffff : Persistent Memory (legacy)' /proc/iomem
need_modules nd_e820 nd_pmem dax_pmem
check "nd_e820 binds the range to an nvdimm bus" \
	test -e /sys/bus/nd/devices/ndbus0
region=$(ndctl list -R 2>/dev/null)
echo "$region" | diag
check "ndctl lists one region of 2 GiB" \
	grep -q '"size":2147483648' <<<"$region"
check "the region is pmem" grep -q '"type":"pmem"' <<<"$region"
done_testing
