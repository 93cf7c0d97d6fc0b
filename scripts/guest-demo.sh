#!/bin/bash
# The user's scenario, inside a guest booted with memmap=3G!4G (make demo,
# and tests/kvm/02-nested-qemu.sh in make check): make the legacy pmem
# namespace a pageless (map=none) devdax device at 1G align, give it to a
# nested QEMU as its guest RAM (memory-backend-file on /dev/daxX.Y, KVM
# when kvm_amd loads, else TCG), let the nested guest write its RAM, read
# the same words back through /dev/daxX.Y here, and show what struct page
# would have cost (map=mem). TAP, with the steps as comments.
. "$TOP/tests/lib/tap.sh"
. "$TOP/tests/lib/dax.sh"
. "$TOP/tests/lib/nested.sh"

step() { printf '#\n# == %s\n' "$*"; }
# enable_kib ND: KiB that binding the dax device ND to dax_pmem takes (as
# make bench counts it).
enable_kib() { enable_cost "$1" | cut -d' ' -f1; }

step "kernel $(uname -r); the memmap= range"
grep -i 'persistent memory' /proc/iomem | diag
need_modules nd_e820 nd_pmem dax_pmem device_dax
ns=$(nd_first namespace -N) || bail "no namespace on the legacy region"

step "what struct page costs: the namespace as map=mem (align 2M, 1G), then map=none"
cost_mem2m=0 cost_mem1g=0
if make_dax "$ns" $((2 << 20)) mem; then
	cost_mem2m=$(enable_kib "$nd")
fi
if make_dax "$ns" $((1 << 30)) mem; then
	cost_mem1g=$(enable_kib "$nd")
fi
make_dax "$ns" $((1 << 30)) none || bail "no map=none device"
cost_none=$(enable_kib "$nd")
ndctl list -N -n "$ns" | diag
check "$dev is a 1G-aligned devdax device with map none" \
	contains "$(ndctl list -N -n "$ns")" '"map":"none"' '"align":1073741824'
note "enabling the namespace took: map=mem align 2M $cost_mem2m KiB," \
	"map=mem align 1G $cost_mem1g KiB, map=none $cost_none KiB"
note "struct page memory saved by map=none: $(( (cost_mem2m - cost_none) / 1024 )) MiB" \
	"against map=mem at 2M, $(( (cost_mem1g - cost_none) / 1024 )) MiB against map=mem at 1G" \
	"($((dsize >> 30)) GiB; 6.1 already shares most of the memmap of 1G pages)"
# Free-page counts move by some 100 KiB either way on their own.
check "map=none takes next to nothing to enable ($cost_none KiB, at most 512)" \
	test "$cost_none" -le 512

step "a nested QEMU with its RAM on $dev"
nested_qemu "$dev"
done_testing
