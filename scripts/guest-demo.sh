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

ram=$((1 << 30))	# the nested guest's RAM
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
accel=tcg
if modprobe kvm_amd 2>/dev/null && [ -c /dev/kvm ]; then
	accel=kvm
fi
note "accelerator: $accel"
# Start from other bytes than the ones the nested guest will write.
check "overwrite the first GiB of $dev" "$PROGS/daxpattern" -w -s 3 -t 4096 -l "$ram" "$dev"
check "the words are not the nested guest's yet" \
	sh -c "! '$PROGS/daxhold' words '$dev' $((2 << 20)) $((ram - (1 << 20))) 0x5eed5eed"
cmd=(qemu-system-x86_64 -machine q35 -accel "$accel" -m 1G -nodefaults -display none
	-object "memory-backend-file,id=mem,size=1G,mem-path=$dev,share=on,align=1G"
	-numa "node,memdev=mem" -kernel "$PROGS/nested.elf"
	-device "isa-debug-exit,iobase=0xf4,iosize=4" -serial stdio -monitor none -no-reboot)
note "${cmd[*]}"
rc=0
out=$(timeout 600 "${cmd[@]}" 2>&1) || rc=$?
echo "$out" | diag
check "the nested guest ran and exited through isa-debug-exit (status $rc)" test "$rc" -eq 33
check "it says it wrote its RAM" contains "$out" "nested guest: wrote its RAM"

step "read the nested guest's RAM back through $dev"
# The firmware keeps the top of the nested guest's RAM out of its memory
# map, so the payload stops short of it.
check "every page from 2 MiB to 1 GiB - 1 MiB holds the nested guest's word" \
	"$PROGS/daxhold" words "$dev" $((2 << 20)) $((ram - (1 << 20))) 0x5eed5eed
done_testing
