#!/bin/bash
# nd_e820.labels=1: each memmap= range keeps namespace labels in its last
# 128 KiB and becomes a labelled region, so ndctl carves several
# namespaces out of one range: four devdax map=none namespaces of 512 MiB,
# 512 MiB, 1 GiB and 1 GiB keep their own data; one is destroyed and made
# again at another size; all come back after nd_e820 is reloaded; in the
# other range a label that runs past the region, labels that overlap and
# a label area of random bytes each yield no such namespace and a dmesg
# line; labels of another interleave set keep new namespaces out until
# they are cleared; a range whose end is not page aligned stays
# label-less. Bad input: a memory error in a label area is refused as
# memory outside kernel control and changes nothing.
. "$TOP/tests/lib/tap.sh"
. "$TOP/tests/lib/dax.sh"
. "$TOP/tests/lib/hwpoison.sh"

need_modules nd_e820 nd_pmem dax_pmem device_dax
regions=$(nd_names region -R | wc -l)
check "the three memmap= ranges are three regions ($regions)" test "$regions" -eq 3
dimms=$(nd_names nmem -D | wc -l)
check "the two page-aligned ones have a DIMM for their labels ($dimms)" test "$dimms" -eq 2
# The unaligned range: label-less, the whole range, and a line that says so.
check "the unaligned range is a label-less region of all its 64 MiB + 2 KiB" \
	test "$(nd_count '.size == 67110912 and (has("mappings") | not)' -R -D)" -eq 1
check "dmesg says why it has no labels" sh -c \
	"dmesg | grep -q 'mem 0x2c0000000-0x2c40007ff\\]: not page aligned, left label-less'"
# The region of the 4 GiB range (the first region if none is that large).
big=$(ndctl list -R | jq -r --argjson min $(( (4 << 30) - (1 << 20) )) \
	'[.. | objects | select(.size? > $min) | .dev] | first // empty')
[ -n "$big" ] || big=$(nd_first region -R)
note "the 4 GiB range is $big"
check "$big is 4 GiB less the 128 KiB label area" \
	test "$(cat "/sys/bus/nd/devices/$big/size")" -eq $(( (4 << 30) - (128 << 10) ))

check "initialize the labels" nd_init_labels all

# carve SIZE ALIGN SEED: a new devdax map=none namespace of SIZE in $big,
# a pattern written into it; sets ns (and dev, nd, dsize).
carve() {
	local out
	ns=
	if ! out=$(ndctl create-namespace -r "$big" -s "$1" -m raw 2>"$TAP_OUT"); then
		not_ok "create a $1 namespace in $big"
		diag <"$TAP_OUT"
		return 1
	fi
	ns=$(jq -r '.dev' <<<"$out")
	make_dax "$ns" "$2" none || return 1
	check "$ns ($1): write its own pattern" "$PROGS/daxpattern" -w -s "$3" -t 4096 "$dev"
	echo "$ns $(cat "/sys/bus/nd/devices/$ns/uuid") $3" >>/tmp/carved
}
: >/tmp/carved
carve 512M 4096 11
carve 512M $((2 << 20)) 12
carve 1G 4096 13
carve 1G $((2 << 20)) 14
ndctl list -N -r "$big" | diag
check "four namespaces in $big" \
	test "$(nd_count '.map == "none"' -N -r "$big")" -eq 4
# verify_all: each carved device holds its own pattern.
verify_all() {
	local ns uuid seed dev
	while read -r ns uuid seed; do
		dev=$(dax_find "$uuid" | awk '{ print $2 }')
		check "$1: the namespace made as $ns (${dev:-gone}) holds pattern $seed" \
			"$PROGS/daxpattern" -v -s "$seed" -t 4096 "${dev:-/dev/null}"
	done </tmp/carved
}
verify_all "after all four were written"

# Destroy the third and make it again at another size.
ns3=$(sed -n '3s/ .*//p' /tmp/carved)
check "destroy $ns3" ndctl destroy-namespace -f "$ns3"
sed -i 3d /tmp/carved
carve 256M 4096 15
verify_all "after one was made again at 256 MiB"
# Namespaces are allocated in units of the region's align (16 MiB), so the
# last, partial unit before the label area cannot be used.
avail=$(nd_field available_size -R -r "$big")
ralign=$(cat "/sys/bus/nd/devices/$big/align")
rsize=$(cat "/sys/bus/nd/devices/$big/size")
check "available capacity is what is left ($avail)" \
	test "$avail" -eq $(( rsize / ralign * ralign - (512 << 20) * 2 - (1 << 30) - (256 << 20) ))

# Reload the driver: the labels bring the same namespaces back.
check "disable the regions and unload nd_e820" sh -c \
	'ndctl disable-region all && modprobe -r dax_pmem nd_pmem nd_e820'
need_modules nd_e820 nd_pmem dax_pmem device_dax
sleep 1
check "the four namespaces are back" \
	test "$(nd_count '.map == "none"' -N -r "$big")" -eq 4
verify_all "after nd_e820 was reloaded"

# Damaged labels in the other range: two namespaces there, then their
# labels altered with valid checksums (labeledit.py), then random bytes.
small=$(ndctl list -R -D | jq -r --arg big "$big" \
	'[.. | objects | select(has("mappings")) | .dev | select(. != $big)] | first // empty')
dimm=$(nd_first nmem -D -r "$small")
note "the 1 GiB range is $small, its labels are on $dimm"
check "two namespaces in $small" sh -c "ndctl create-namespace -r $small -s 256M -m raw &&
	ndctl create-namespace -r $small -s 256M -m raw"
sized() { nd_count '.size > 0' -N -r "$small"; }
check "save $dimm's labels" sh -c "ndctl disable-region all && ndctl read-labels $dimm -o /tmp/labels.orig"
# with_labels FILE: put FILE into $dimm's label area, reload nd_e820 and
# keep what the kernel said.
# shellcheck disable=SC2317 # called through check
with_labels() {
	ndctl disable-region all
	ndctl write-labels "$dimm" -i "$1" &&
		modprobe -r dax_pmem nd_pmem nd_e820 && dmesg -C &&
		modprobe -a nd_e820 nd_pmem dax_pmem && sleep 1 &&
		dmesg >/tmp/dmesg.labels
}
# edited EDIT WHAT SAYS LINE LEFT: the saved labels with one label edited
# by labeledit.py (EDIT: past or overlap; WHAT it does), loaded: dmesg has
# LINE (SAYS what it means) and $small keeps LEFT namespaces.
edited() {
	check "one label made to $2" \
		"$TOP/tests/labels/labeledit.py" /tmp/labels.orig "/tmp/labels.$1" "$1"
	check "load it" with_labels "/tmp/labels.$1"
	check "dmesg says $3" grep -q "$4" /tmp/dmesg.labels
	check "$small keeps $5 namespace(s) ($(sized))" test "$(sized)" -eq "$5"
}
edited past "run past the region" "the label does not fit and is ignored" \
	"do not fit the region, ignored" 1
edited overlap "overlap another" "the labels overlap and are not used" \
	"overlap another label, labels not used" 0
# Labels of another interleave set (as after memmap= changed, keeping the
# end of the range): ignored, and no space for new namespaces until they
# are cleared.
edited foreign "name another interleave set" "they are ignored" \
	"2 labels written for another interleave set, ignored" 0
check "$small shows no available size" \
	test "$(cat "/sys/bus/nd/devices/$small/available_size")" -eq 0
check "dmesg says how to clear them" grep -q \
	"2 labels written for another interleave set, ignored; no namespace space is given until they are cleared (ndctl init-labels -f)" \
	/tmp/dmesg.labels
check "ndctl create-namespace in $small fails" \
	sh -c "! ndctl create-namespace -r $small -s 64M -m raw"
check "and no namespace of 64 MiB is there" \
	test "$(nd_count '.size == 67108864' -N -r "$small")" -eq 0
# What ndctl would write, without its capacity check: the kernel refuses.
seed=$(cat "/sys/bus/nd/devices/$small/namespace_seed")
# shellcheck disable=SC2317 # called through check
size_refused() {
	cat /proc/sys/kernel/random/uuid >"/sys/bus/nd/devices/$seed/uuid" &&
		! echo $((64 << 20)) 2>/tmp/size.err >"/sys/bus/nd/devices/$seed/size" &&
		grep -q "Device or resource busy" /tmp/size.err
}
check "giving its seed $seed a size fails with EBUSY" size_refused
check "and the kernel says why and how to clear them" sh -c \
	"dmesg | grep -q '2 labels of another interleave set on the DIMMs of $small: no space is allocated until they are cleared (ndctl init-labels -f)'"
check "clear them (init-labels)" nd_init_labels "$dimm"
check "then the region gives space again" ndctl create-namespace -r "$small" -s 64M -m raw
check "the saved labels load again" with_labels /tmp/labels.orig
check "and $small has its two namespaces back ($(sized))" test "$(sized)" -eq 2

head -c $((128 << 10)) /dev/urandom >/tmp/garbage
check "random bytes in $dimm's label area" with_labels /tmp/garbage
check "dmesg says the label area was ignored" \
	grep -q "label area holds no namespace index: ignored" /tmp/dmesg.labels
check "$small has no namespace with a size" test "$(sized)" -eq 0
verify_all "with damaged labels next door"

# A memory error in the 4 GiB range's label area (hard_offline_page): no
# device maps it, nd_e820 does not count it as region memory.
label=$(( $(cat "/sys/bus/nd/devices/$big/resource") + $(cat "/sys/bus/nd/devices/$big/size") ))
mark="pageless-dax-test: label area $(date +%s%N)"
echo "$mark" >/dev/kmsg
check_fails "a memory error in $big's label area is refused" hard_offline $((label + 4096))
check "the kernel says it is memory outside kernel control" \
	logged "$mark" "$(printf '%#x' $(( (label + 4096) >> 12 ))): memory outside kernel control"
check "$big's badblocks stay empty" test -z "$(cat "/sys/bus/nd/devices/$big/badblocks")"
check "$big still has its four namespaces" test "$(nd_count '.map == "none"' -N -r "$big")" -eq 4
verify_all "after the label-area error"
done_testing
