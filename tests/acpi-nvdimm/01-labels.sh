#!/bin/bash
# QEMU's NVDIMM shows up through ACPI NFIT as a DIMM with a label area, and
# libnvdimm carves labelled namespaces out of its region.
. "$TOP/tests/lib/tap.sh"
. "$TOP/tests/lib/dax.sh"

need_modules nfit nd_pmem dax_pmem device_dax
out=$(ndctl list -D 2>&1)
echo "$out" | diag
check "ndctl lists the NVDIMM nmem0" contains "$out" '"dev":"nmem0"'
check "its label area is initialised" nd_init_labels nmem0
# region_field NAME: a number from region0's listing.
region_field() { nd_field "$1" -r region0; }
size=$(region_field size)
align=$(region_field align)
# Available capacity is counted in whole region-align units.
usable=$((size / align * align))
note "region0: $size bytes (1 GiB less the 128 KiB label area), align $align"
check "region0 is pmem, and all of it is available once labelled" \
	test "$(region_field available_size)" = "$usable" -a "$size" -gt $((1023 << 20))
check "create-namespace carves a 256 MiB devdax namespace (labelled region)" \
	ndctl create-namespace -r region0 --mode devdax --map mem --align 2M --size 256M
check "and a second one beside it" \
	ndctl create-namespace -r region0 --mode devdax --map mem --align 2M --size 256M
out=$(ndctl list -N 2>&1)
echo "$out" | diag
check "both namespaces are listed as devdax" \
	test "$(grep -c '"mode":"devdax"' <<<"$out")" -eq 2
check "a pattern across the first one" "$PROGS/daxpattern" -s 3 -t 64 /dev/dax0.0
check "destroying both frees the region" \
	ndctl destroy-namespace -f all -r region0
check "the region's capacity is all available again" \
	test "$(region_field available_size)" = "$usable"
done_testing
