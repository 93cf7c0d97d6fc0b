#!/bin/bash
# The host kernel maps no part of a map=none device: no vmalloc-area alias
# (/proc/vmallocinfo), no direct-map entry (the kernel page-table dump),
# while the range's memory type is registered write-back (the PAT memtype
# list) and user mappings get write-back leaves of the device's size (the
# page-table dump of the mapping process). map=mem, whose memmap puts the
# range in the direct map, is the control that shows the checks can see a
# mapping.
. "$TOP/tests/lib/tap.sh"
. "$TOP/tests/lib/dax.sh"

need_modules nd_e820 nd_pmem dax_pmem device_dax
ns=$(nd_first namespace -N) || bail "no namespace on the legacy region"
ptdump=/sys/kernel/debug/page_tables/kernel
memtypes=/sys/kernel/debug/x86/pat_memtype_list
[ -r "$ptdump" ] || bail "no $ptdump (CONFIG_PTDUMP_DEBUGFS)"
[ -r "$memtypes" ] || bail "no $memtypes (CONFIG_X86_PAT, CONFIG_DEBUG_FS)"

# vmalloc_maps PHYS SIZE: the ioremap/memremap areas of /proc/vmallocinfo
# that map any of [PHYS, PHYS + SIZE), one per line.
vmalloc_maps() {
	local lo=$(($1)) hi=$(($1 + $2)) line p len
	while read -r line; do
		[[ $line =~ ^0x[0-9a-f]+-0x[0-9a-f]+\ +([0-9]+)\ .*phys=(0x[0-9a-f]+) ]] || continue
		p=$((BASH_REMATCH[2]))
		len=$((BASH_REMATCH[1]))	# with a guard page, so maybe 4K too much
		((p < hi && p + len > lo)) && echo "$line"
	done </proc/vmallocinfo
	return 0
}

# direct_maps PHYS SIZE: the present entries of the kernel's direct map
# (the part of $ptdump after its "Low Kernel Mapping" marker, which starts
# at PAGE_OFFSET) that map any of [PHYS, PHYS + SIZE).
direct_maps() {
	awk '/^---\[ Low Kernel Mapping/ { on = 1; next } /^---\[/ { on = 0 }
		on' "$ptdump" | {
		local lo=$(($1)) hi=$(($1 + $2)) base='' line s e
		while read -r line; do
			[[ $line =~ ^(0x[0-9a-f]+)-(0x[0-9a-f]+) ]] || continue
			s=$((BASH_REMATCH[1])) e=$((BASH_REMATCH[2]))
			[ -n "$base" ] || base=$s
			[[ " $line " == *" RW "* || " $line " == *" ro "* ]] || continue
			((s - base < hi && e - base > lo)) && echo "$line"
		done
		[ -n "$base" ] || echo "no Low Kernel Mapping in $ptdump"
	}
}

# memtypes PHYS SIZE: the entries of the PAT memtype list that overlap
# [PHYS, PHYS + SIZE), as "START END TYPE" (END exclusive).
memtypes() {
	local lo=$(($1)) hi=$(($1 + $2)) line s e
	while read -r line; do
		[[ $line =~ ^PAT:\ \[mem\ (0x[0-9a-f]+)-(0x[0-9a-f]+)\]\ (.*)$ ]] || continue
		s=$((BASH_REMATCH[1])) e=$((BASH_REMATCH[2]))
		((s < hi && e > lo)) && printf '%#x %#x %s\n' "$s" "$e" "${BASH_REMATCH[3]}"
	done <"$memtypes"
	return 0
}

# memtype_wb PHYS SIZE: one write-back entry of the PAT memtype list covers
# [PHYS, PHYS + SIZE), and no entry of another type overlaps it.
# shellcheck disable=SC2317 # called through check
memtype_wb() {
	local lo=$(($1)) hi=$(($1 + $2)) list s e t covered=0
	list=$(memtypes "$@")
	echo "$list"
	while read -r s e t; do
		[ "$t" = write-back ] || return 1
		((s <= lo && e >= hi)) && covered=1
	done <<<"$list"
	((covered))
}

# user_leaves ALIGN FILE: the leaves in FILE (daxhold ptdump's output)
# that map the device: every one present, user, writable, of the device's
# size (pud for 1G, pmd for 2M) and write-back (no PWT, PCD or PAT).
# shellcheck disable=SC2317 # called through check
user_leaves() {
	local level=pte lo hi line s e n=0 w
	case $1 in $((1 << 30))) level=pud;; $((2 << 20))) level=pmd;; esac
	line=$(grep -m1 '^# map ' "$2") || { echo "no '# map' line"; return 1; }
	[[ $line =~ (0x[0-9a-f]+)-(0x[0-9a-f]+) ]] || return 1
	lo=$((BASH_REMATCH[1])) hi=$((BASH_REMATCH[2]))
	while read -r line; do
		[[ $line =~ ^(0x[0-9a-f]+)-(0x[0-9a-f]+) ]] || continue
		s=$((BASH_REMATCH[1])) e=$((BASH_REMATCH[2]))
		((s < hi && e > lo)) || continue
		echo "$line"
		n=$((n + 1))
		read -ra w <<<"$line"
		[[ " ${w[*]} " == *" USR RW "* && ${w[-1]} == "$level" &&
			" ${w[*]} " != *" PWT "* && " ${w[*]} " != *" PCD "* &&
			" ${w[*]} " != *" PAT "* ]] || { echo "^ not a write-back $level leaf"; return 1; }
	done <"$2"
	((n > 0)) || { echo "no leaf maps $lo-$hi"; return 1; }
}

for align in $((2 << 20)) $((1 << 30)); do
	make_dax "$ns" "$align" none || continue
	phys=$(cat "/sys/bus/dax/devices/${dev#/dev/}/resource")
	what="map=none align $align: [$phys, +$dsize)"
	maps=$(vmalloc_maps "$phys" "$dsize")
	check "$what: no vmalloc-area mapping of it" test -z "$maps"
	[ -z "$maps" ] || diag <<<"$maps"
	maps=$(direct_maps "$phys" "$dsize")
	check "$what: no direct-map entry for it" test -z "$maps"
	[ -z "$maps" ] || diag <<<"$maps"
	check "$what: registered write-back in the PAT memtype list" memtype_wb "$phys" "$dsize"
	len=$((align > (64 << 20) ? align : 64 << 20))
	pt=$TAP_OUT.ptdump
	if "$PROGS/daxhold" ptdump "$dev" "$align" "$len" >"$pt" 2>&1; then
		ok "$what: map it, touch every unit and dump the page tables"
		check "$what: the user leaves that map it are write-back ${align}-byte leaves" \
			user_leaves "$align" "$pt"
	else
		not_ok "$what: map it, touch every unit and dump the page tables"
		diag <"$pt"
	fi
	rm -f "$pt"
	check "$what: it stays registered after the mapping is gone" memtype_wb "$phys" "$dsize"
done

# Disabling the device drops the registration.
check "disable the namespace" ndctl disable-namespace "$ns"
maps=$(memtypes "$phys" "$dsize")
check "the PAT memtype list no longer has [$phys, +$dsize)" test -z "$maps"
[ -z "$maps" ] || diag <<<"$maps"
check "enable the namespace" ndctl enable-namespace "$ns"

# A range that cannot be write-back is refused, not mapped uncached: with
# an uncached mapping of its first 2 MiB held by a module, enabling gives
# no device and a message; once that is gone the device comes back.
check "disable the namespace again" ndctl disable-namespace "$ns"
if check_ok=$(insmod "$BUILD/kmod/memtype_hold.ko" phys="$phys" size=$((2 << 20)) 2>&1); then
	ok "hold an uncached mapping of $phys +2M"
	mark="pageless-dax-test: refusal $(date +%s%N)"
	echo "$mark" >/dev/kmsg
	ndctl enable-namespace "$ns" >"$TAP_OUT" 2>&1
	# The dax device exists (devtmpfs makes its node), but no driver.
	check "device-dax does not bind ${dev#/dev/}" test ! -e "/sys/bus/dax/devices/${dev#/dev/}/driver"
	check_fails "and $dev cannot be opened" sh -c "exec 3<$dev"
	check "the kernel says why" sh -c "dmesg | sed -n '/$mark/,\$p' |
		grep -E 'mapping0: $phys-0x[0-9a-f]+ cannot be write-back .*refusing'"
	maps=$(memtypes "$phys" "$dsize")
	check "nothing stays registered but the uncached 2M" \
		test "$maps" = "$(printf '%#x %#x uncached-minus' $((phys)) $((phys + (2 << 20))))"
	[ -n "$maps" ] && diag <<<"$maps"
	check "drop the uncached mapping" rmmod memtype_hold
	check "disable and enable the namespace" sh -c "ndctl disable-namespace $ns && ndctl enable-namespace $ns"
	check "the device is back" sh -c "test -e /sys/bus/dax/devices/${dev#/dev/}/driver && exec 3<$dev"
	check "registered write-back again" memtype_wb "$phys" "$dsize"
else
	not_ok "hold an uncached mapping of $phys +2M"
	diag <<<"$check_ok"
	check "enable the namespace" ndctl enable-namespace "$ns"
fi

# The control: map=mem puts the range in the direct map (through its
# memmap's memory hotplug), and the same parser sees it there.
if make_dax "$ns" $((2 << 20)) mem; then
	phys=$(cat "/sys/bus/dax/devices/${dev#/dev/}/resource")
	maps=$(direct_maps "$phys" "$dsize")
	check "control, map=mem: the direct map has entries for [$phys, +$dsize)" test -n "$maps"
	diag <<<"$maps"
	check "control, map=mem: registered write-back too" memtype_wb "$phys" "$dsize"
	# An offset inside a unit is refused with pages too (a 6.1 bug).
	sub_tap "map=mem align 2M" "$PROGS/daxhold" badmap "$dev" $((2 << 20)) "$dsize"
fi
dax_new "$ns" $((2 << 20)) none >/dev/null || note "could not restore map=none: $dax_out"
done_testing
