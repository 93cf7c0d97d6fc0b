#!/bin/bash
# What needs a memmap larger than all of the guest's memory is refused up
# front, with a message, and leaves the guest as it was: a map=mem devdax
# device of the TiB at 4K (16 GiB of struct pages in a guest of 8 GiB), and
# the raw namespace with nd_e820.pagemap=1. The namespace then still
# becomes a map=none device, and binds raw again without the parameter,
# with the pattern 01-tib.sh left in its last MiB. A memmap that fits is
# not refused: map=mem at 2M (about 4 GiB, compound pages sharing their
# vmemmap) is made and takes that.
. "$TOP/tests/lib/tap.sh"
. "$TOP/tests/lib/dax.sh"

tib=$((1 << 40))
need_modules nd_e820 nd_pmem dax_pmem device_dax
ns=$(nd_first namespace -N) || bail "no namespace on the legacy region"

# since MARK: the kernel log from the line MARK on
since() { dmesg | awk -v m="$1" 'index($0, m) { out = "" } { out = out $0 "\n" } END { printf "%s", out }'; }
refusal="its struct pages need at least 16384 MiB, more than the kernel's"

m0=$(memfree)
echo "pageless-test: map=mem 4K" >/dev/kmsg
# dax_pmem makes the device; device_dax, which would build the memmap,
# must not bind it
dax_new "$ns" 4096 mem
diag <<<"$dax_out"
check "a map=mem devdax device of the TiB at 4K gets no driver, and cannot be opened" \
	sh -c "! test -e '/sys/bus/dax/devices/${dev#/dev/}/driver' && ! dd if='$dev' of=/dev/null bs=4096 count=1 status=none"
check "the kernel says what its struct pages need and what is available" \
	contains "$(since "pageless-test: map=mem 4K")" "memremap_pages: 0x" "$refusal"
left=$((m0 - $(memfree)))
check "the refusal left the memory as it was ($left KiB taken, < 65536)" test "$left" -lt 65536
if make_dax "$ns" $((1 << 30)) none; then
	check "the namespace still becomes a map=none device ($((dsize >> 30)) GiB)" \
		test "$dsize" -gt $((tib - (2 << 30)))
fi
m0=$(memfree)
if make_dax "$ns" $((2 << 20)) mem; then
	taken=$((m0 - $(memfree)))
	# 2 vmemmap pages per 2 MiB unit: 4 GiB for the TiB, plus page tables
	check "map=mem at 2M takes its memmap ($taken KiB, 4 to 5 GiB)" \
		test "$taken" -ge $((4 << 20)) -a "$taken" -lt $((5 << 20))
	check "and the device works (a pattern over its first 2 MiB)" \
		"$PROGS/daxpattern" -s 9 -l $((2 << 20)) "$dev"
fi

check "ndctl makes $ns raw" dax_raw "$ns"
free_legacy_range
m0=$(memfree)
echo "pageless-test: pagemap=1" >/dev/kmsg
modprobe nd_e820 pagemap=1 || bail "cannot load nd_e820 pagemap=1"
modprobe nd_pmem || bail "cannot load nd_pmem"
check_fails "with nd_e820.pagemap=1, nd_pmem does not bind the raw TiB" \
	sh -c "ls /sys/bus/nd/devices/$ns/block/* 2>/dev/null | grep -q ."
check "the kernel says what its struct pages need" \
	contains "$(since "pageless-test: pagemap=1")" "memremap_pages: 0x" "$refusal"
left=$((m0 - $(memfree)))
check "the refusal left the memory as it was ($left KiB taken, < 65536)" test "$left" -lt 65536

free_legacy_range
need_modules nd_e820 nd_pmem
blk=$(basename "$(ls -d "/sys/bus/nd/devices/$ns/block/"* 2>/dev/null)")
check "without the parameter the TiB binds raw again (/dev/$blk)" test -b "/dev/$blk"
check "the pattern is still in its last MiB" \
	cmp -n $((1 << 20)) "$RUN/tib-pattern" "/dev/$blk" --ignore-initial=0:$((tib - (1 << 20)))
done_testing
