#!/bin/bash
# The nvdimm unit-test harness loads and its emulated buses show regions.
. "$TOP/tests/lib/tap.sh"

need_modules nfit_test
check "libnvdimm is the tools/testing/nvdimm build (from extra/)" \
	contains "$(modinfo -n libnvdimm 2>&1)" /extra/
check "nfit_test is loaded" test -d /sys/module/nfit_test
out=$(ndctl list -B 2>&1)
echo "$out" | diag
check "ndctl shows providers nfit_test.0 and nfit_test.1" \
	contains "$out" '"provider":"nfit_test.0"' '"provider":"nfit_test.1"'
out=$(ndctl list -b nfit_test.0 -R 2>&1)
echo "$out" | diag
check "ndctl list -b nfit_test.0 shows pmem regions" \
	grep -q '"type":"pmem"' <<<"$out"
check "the nfit_test regions disable" \
	ndctl disable-region -b nfit_test.0 all
ndctl disable-region -b nfit_test.1 all >/dev/null 2>&1
check "nfit_test unloads" modprobe -r nfit_test
done_testing
