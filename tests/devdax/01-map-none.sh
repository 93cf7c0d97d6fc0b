#!/bin/bash
# devdax namespaces with map=none, created through libndctl as a patched
# `ndctl create-namespace --map none` does, at align 4K, 2M and 1G: sizes
# and placement, entry size, pfn and no struct page per unit (through
# pfnmap_test.ko's walker), data, fork, mprotect, MADV_DONTNEED, mremap,
# munmap, GUP users failing cleanly, persistence across disable/enable,
# and revoking a live mapping on disable.
. "$TOP/tests/lib/tap.sh"
. "$TOP/tests/lib/dax.sh"

base=$((4 << 30))
size=$((3 << 30))
need_modules nd_e820 nd_pmem dax_pmem device_dax
ns=$(nd_first namespace -N) || bail "no namespace on the legacy region"
insmod "$BUILD/kmod/pfnmap_test.ko" phys_size=0 2>"$TAP_OUT" ||
	{ diag <"$TAP_OUT"; bail "cannot load pfnmap_test as a walker"; }
need_odirect_dev

for align in 4096 $((2 << 20)) $((1 << 30)); do
	make_dax "$ns" "$align" none || continue
	dax=${dev#/dev/}
	check "align $align: $dev is a character device" test -c "$dev"
	check "align $align: $nd's mode reads back none" grep -qx none "/sys/bus/nd/devices/$nd/mode"
	check "align $align: $nd's align reads back $align" grep -qx "$align" "/sys/bus/nd/devices/$nd/align"
	list=$(ndctl list -N -n "$ns" 2>&1)
	echo "$list" | diag
	check "align $align: ndctl lists $ns as devdax with $dax" \
		contains "$list" '"mode":"devdax"' "\"chardev\":\"$dax\"" "\"align\":$align"
	# No memmap: the data starts at the first boundary past the 8K info
	# block of align, or of 2M (the subsection size) if that is larger,
	# and runs to the end of the range.
	a=$(( align > (2 << 20) ? align : (2 << 20) ))
	off=$(( (8192 + a - 1) / a * a ))
	phys=$(cat "/sys/bus/dax/devices/$dax/resource")
	check "align $align: the data starts at base + $off ($phys)" test $((phys)) -eq $((base + off))
	check "align $align: the device covers the rest of the range ($dsize)" \
		test "$dsize" -eq $((size - off))
	# All of it at 2M and 1G, a slice at 4K (TCG is slow).
	len=$dsize
	[ "$align" = 4096 ] && len=$((64 << 20))
	sub_tap "map=none align $align" env PFNMAP_DEV="$dev" PFNMAP_ALIGN="$align" \
		PFNMAP_LEN="$len" PFNMAP_PHYS="$phys" "$PROGS/pfnmap"
	mark="pageless-dax-test: badmap $align $(date +%s%N)"
	echo "$mark" >/dev/kmsg
	sub_tap "map=none align $align" "$PROGS/daxhold" badmap "$dev" "$align" "$dsize"
	[ "$align" = 4096 ] ||
		check "align $align: the kernel says why it refused the offset" sh -c \
			"dmesg | sed -n '/$mark/,\$p' | grep -qF 'fail, unaligned offset 0x1000 ($(printf '%#x' $((align - 1))))'"

	# Persistence: the info block and the data survive disable/enable.
	check "align $align: write a pattern (a word per page)" \
		"$PROGS/daxpattern" -w -s 9 -t 4096 "$dev"
	check "align $align: disable the namespace" ndctl disable-namespace "$ns"
	check "align $align: $dev is gone" test ! -e "$dev"
	check "align $align: enable the namespace" ndctl enable-namespace "$ns"
	check "align $align: the same map=none device comes back" \
		sh -c "test -c $dev && grep -qx none /sys/bus/nd/devices/$nd/mode &&
			test \$(cat /sys/bus/dax/devices/$dax/size) -eq $dsize"
	check "align $align: the pattern reads back" \
		"$PROGS/daxpattern" -v -s 9 -t 4096 "$dev"
done

# Disabling the namespace under a live mapping revokes it: SIGBUS, no crash.
dax_revoke "$ns" "$PROGS/daxhold" hold "$dev" "$align"
check "the process's next access gets SIGBUS (status $HOLD_RC)" test "$HOLD_RC" -eq $((128 + 7))
check "the namespace enables again" ndctl enable-namespace "$ns"
check "and the data is still there" "$PROGS/daxpattern" -v -s 9 -t 4096 "$dev"

check "pfnmap_test unloads" rmmod pfnmap_test
done_testing
