#!/bin/bash
# What a dynamic region refuses, each with an errno and a kernel message
# and nothing changed: memmap on a device of a static region (legacy pmem)
# or of a bound device, a value other than mem or none, a range added to a
# bound device, an align that a range does not start at (a 1G device
# starting 2 MiB past a GiB would map the memory before it), a size that
# is not a multiple of the align or that the region does not have at the
# align, an align device-dax cannot map with. A 1G device after a 2M one
# is placed at the next GiB. A mapping made before the memmap changed gets SIGBUS,
# in both directions. kmem refuses a pageless device that a process maps,
# and takes it (building a memmap) once idle. Unbinding dax_hmem under a
# mapped pageless device (hot-unplug) revokes the mapping. A pageless
# device with a poisoned page refuses memmap mem, kmem, and a size below
# the page, which would give it back to the region.
. "$TOP/tests/lib/tap.sh"
. "$TOP/tests/lib/dax.sh"
. "$TOP/tests/lib/hmem.sh"
. "$TOP/tests/lib/hwpoison.sh"

G=$((1 << 30)) M=$((1 << 20))
need_modules dax_hmem device_dax kmem nd_e820 nd_pmem dax_pmem
hmem_reset

# A static region's devices report their memmap and refuse a new one.
ns=$(nd_first namespace -N) || bail "no namespace on the legacy region"
for map in mem dev none; do
	make_dax "$ns" $((2 * M)) "$map" || continue
	sdax=${dev#/dev/}
	check "static $sdax (map=$map): memmap reads $map" \
		grep -qx "$map" "$DAX_BUS/devices/$sdax/memmap"
	other=none
	[ "$map" = none ] && other=mem
	refused_tap "static $sdax: memmap $other" "Operation not supported" \
		"a device of a static region keeps the memmap its region gave it" \
		"$DAX_BUS/devices/$sdax/memmap" "$other"
	check "static $sdax: memmap still reads $map" \
		grep -qx "$map" "$DAX_BUS/devices/$sdax/memmap"
done
check "the static namespace goes back to raw" dax_raw "$ns"

# A 2M device at the start of the region, with data: what a refused write
# leaves alone.
dyn_new_tap $((2 * M)) $((2 * M)) none || bail "no first device"
a=$dax
check "$a: a pattern" "$PROGS/daxpattern" -s 21 -t 4096 "/dev/$a"
refused_tap "$a: memmap foo" "Invalid argument" '"foo" is neither "mem" nor "none"' \
	"$DAX_BUS/devices/$a/memmap" foo
refused_tap "$a, bound: memmap mem" "Device or resource busy" \
	"memmap: cannot change while bound to device_dax" "$DAX_BUS/devices/$a/memmap" mem
check "$a: memmap still reads none" grep -qx none "$DAX_BUS/devices/$a/memmap"

refused_tap "$a, bound: a range added through mapping" "Device or resource busy" \
	"mapping: cannot add a range while bound to device_dax" \
	"$DAX_BUS/devices/$a/mapping" "$(printf '%x-%x' $((6 * G)) $((6 * G + 2 * M - 1)))"
check "$a: still one range" test "$(dyn_ranges "$a" | wc -l)" -eq 1
sysw "$HMEM_REGION/create" 1 || bail "create: $HMEM_ERR"
b=$(cat "$HMEM_REGION/create")
check "a new device ($b) reads memmap mem" grep -qx mem "$DAX_BUS/devices/$b/memmap"

# A 1G device after it: the region places it at the next GiB, and it maps
# its own memory (on the base, it started 2 MiB past 4 GiB, and its 1G
# entries mapped $a's memory).
for map in none mem; do
	check "$b: align 1G, memmap $map, size 1G" sh -c \
		"echo 1073741824 >$DAX_BUS/devices/$b/align && echo $map >$DAX_BUS/devices/$b/memmap &&
		 echo 1073741824 >$DAX_BUS/devices/$b/size"
	check "$b: its range is the next GiB, at 5 GiB" \
		test "$(dyn_ranges "$b")" = "$(printf '%#x-%#x' $((5 * G)) $((6 * G - 1)))"
	check "$b binds (memmap $map)" sysw "$DAX_DRV/bind" "$b"
	check "$b: a pattern over all of it" "$PROGS/daxpattern" -s 22 -t 4096 "/dev/$b"
	check "$a: its pattern is intact" "$PROGS/daxpattern" -v -s 21 -t 4096 "/dev/$a"
	check "$b: unbind, size 0" sh -c "echo $b >$DAX_DRV/unbind && echo 0 >$DAX_BUS/devices/$b/size"
done
# A range 2 MiB past a GiB given through mapping: binding is refused.
for map in none mem; do
	check "$b: align 1G, memmap $map, mapping $(printf '%#x' $((4 * G + 2 * M))) for 1 GiB" sh -c \
		"echo 1073741824 >$DAX_BUS/devices/$b/align && echo $map >$DAX_BUS/devices/$b/memmap &&
		 printf '%x-%x' $((4 * G + 2 * M)) $((5 * G + 2 * M - 1)) >$DAX_BUS/devices/$b/mapping"
	refused_tap "$b (map $map): bind device_dax" "Invalid argument" \
		"$(printf 'mapping0: %#x-%#x is not aligned to the device'"'"'s align 0x40000000, refusing' \
			$((4 * G + 2 * M)) $((5 * G + 2 * M - 1)))" "$DAX_DRV/bind" "$b"
	check "$b is not bound" test ! -e "$DAX_BUS/devices/$b/driver"
	check_fails "$b cannot be opened" "$PROGS/daxpattern" -v -l $((2 * M)) "/dev/$b"
	check "$b: back to size 0" sysw "$DAX_BUS/devices/$b/size" 0
done
# With 2 MiB taken at 4 and at 6 GiB, the region has 4 GiB - 4 MiB free
# but 2 GiB at 1G align (5 and 7 GiB): 3 GiB at align 1G is refused, 2 GiB
# made of those two, a pageless device of two 1G ranges.
sysw "$HMEM_REGION/create" 1 || bail "create: $HMEM_ERR"
t=$(cat "$HMEM_REGION/create")
check "$t: align 2M, a 2 MiB range at 6 GiB through mapping" sh -c \
	"echo 2097152 >$DAX_BUS/devices/$t/align &&
	 printf '%x-%x' $((6 * G)) $((6 * G + 2 * M - 1)) >$DAX_BUS/devices/$t/mapping"
check "$b: align 1G, memmap none" sh -c \
	"echo 1073741824 >$DAX_BUS/devices/$b/align && echo none >$DAX_BUS/devices/$b/memmap"
refused_tap "$b: size 3 GiB at align 1G" "No space left on device" \
	"size 0xc0000000: the region has no 0xc0000000 more at 0x40000000, the device's align" \
	"$DAX_BUS/devices/$b/size" $((3 * G))
check "$b: size still 0" grep -qx 0 "$DAX_BUS/devices/$b/size"
check "$b: size 2 GiB" sysw "$DAX_BUS/devices/$b/size" $((2 * G))
want="$(printf '%#x-%#x\n%#x-%#x' $((5 * G)) $((6 * G - 1)) $((7 * G)) $((8 * G - 1)))"
check "$b: two 1G ranges, at 5 and 7 GiB ($(dyn_ranges "$b" | tr '\n' ' '))" \
	test "$(dyn_ranges "$b")" = "$want"
check "$b binds" sysw "$DAX_DRV/bind" "$b"
check "$b: a pattern over both ranges" "$PROGS/daxpattern" -s 24 -t 4096 "/dev/$b"
check "$t: the 2 MiB between them is not $b's" \
	sh -c "echo $t >$DAX_DRV/bind && '$PROGS/daxpattern' -s 25 -t 4096 /dev/$t"
check "$b: its pattern is intact" "$PROGS/daxpattern" -v -s 24 -t 4096 "/dev/$b"
check "$b: unbind, size 0" sh -c "echo $b >$DAX_DRV/unbind && echo 0 >$DAX_BUS/devices/$b/size"
check "$t: destroy" dyn_destroy "$t"
check "$b: align 2M, size 1G" sh -c \
	"echo 2097152 >$DAX_BUS/devices/$b/align && echo 1073741824 >$DAX_BUS/devices/$b/size"
refused_tap "$b, at 4 GiB + 2 MiB: align 1G" "Invalid argument" \
	"$(printf 'align 0x40000000: mapping0 %#x-%#x does not start and end at it' \
		$((4 * G + 2 * M)) $((5 * G + 2 * M - 1)))" "$DAX_BUS/devices/$b/align" $G
check "$b: align still reads 2M" grep -qx $((2 * M)) "$DAX_BUS/devices/$b/align"
refused_tap "$b: size 3 MiB at align 2M" "Invalid argument" \
	"size 0x300000 is not a multiple of the device's align 0x200000" \
	"$DAX_BUS/devices/$b/size" $((3 * M))
refused_tap "$b: align 12 KiB" "Invalid argument" \
	"align 0x3000 is not a page size that device-dax can map with" \
	"$DAX_BUS/devices/$b/align" 12288
check "$b: size still 1G" grep -qx $G "$DAX_BUS/devices/$b/size"
check "$b binds at align 2M (memmap $map)" sysw "$DAX_DRV/bind" "$b"
check "$a: its pattern is intact" "$PROGS/daxpattern" -v -s 21 -t 4096 "/dev/$a"

# A mapping made before the memmap changed: SIGBUS on its next fault.
for to in mem none; do
	from=none
	[ "$to" = none ] && from=mem
	check "$a: unbind, memmap $from, bind" sh -c \
		"echo $a >$DAX_DRV/unbind; echo $from >$DAX_BUS/devices/$a/memmap && echo $a >$DAX_DRV/bind"
	hold_start "$PROGS/daxhold" hold "/dev/$a" $((2 * M))
	mark="pageless-dax-test: stale $to $(date +%s%N)"
	echo "$mark" >/dev/kmsg
	check "$a: unbind, memmap $to, bind under the mapping" sh -c \
		"echo $a >$DAX_DRV/unbind && echo $to >$DAX_BUS/devices/$a/memmap && echo $a >$DAX_DRV/bind"
	hold_finish
	check "a mapping made with memmap $from gets SIGBUS with memmap $to (status $HOLD_RC)" \
		test "$HOLD_RC" -eq $((128 + 7))
	check "the kernel says why" sh -c \
		"dmesg | sed -n '/$mark/,\$p' | grep -q 'fail, mapped before the device.s memmap changed'"
	check "$a maps again (pattern intact)" "$PROGS/daxpattern" -v -s 21 -t 4096 "/dev/$a"
done

# kmem (daxctl reconfigure-device --mode=system-ram, Debian's daxctl) and a
# pageless device that a process maps: refused; once idle, kmem adds it
# (offline, --no-online) with a memmap, and it goes back to devdax,
# pageless still.
# At 5 GiB + 2 MiB, 640 MiB hold four whole memory blocks (512 MiB) for kmem.
dyn_new_tap $((640 * M)) $((2 * M)) none || bail "no device for kmem"
k=$dax
hold_start "$PROGS/daxhold" hold "/dev/$k" $((2 * M))
mark="pageless-dax-test: kmem $(date +%s%N)"
echo "$mark" >/dev/kmsg
check_fails "$k, still mapped: daxctl reconfigure-device --mode=system-ram fails" \
	daxctl reconfigure-device --mode=system-ram --no-online "$k"
check "the kernel says why" sh -c \
	"dmesg | sed -n '/$mark/,\$p' | grep -q 'still mapped by a process: not adding its memory as system RAM'"
hold_finish
check "the process gets SIGBUS on its next access (status $HOLD_RC)" test "$HOLD_RC" -eq $((128 + 7))
m0=$(memfree)
check "$k, idle: daxctl reconfigure-device --mode=system-ram" \
	daxctl reconfigure-device --mode=system-ram --no-online "$k"
m1=$(memfree)
check "its memory blocks are System RAM (kmem) now" sh -c \
	"grep -q '^ *$(printf %x $((5 * G + 128 * M)))-$(printf %x $((5 * G + 640 * M - 1))) : System RAM (kmem)' /proc/iomem"
check "kmem built their memmap ($((m0 - m1)) KiB; 512 MiB at 4K is 8 MiB)" test $((m0 - m1)) -ge 7000
check "$k: daxctl reconfigure-device --mode=devdax" daxctl reconfigure-device --mode=devdax "$k"
check "$k: on device_dax again, still pageless" sh -c \
	"grep -qx none $DAX_BUS/devices/$k/memmap && test \"\$(basename \"\$(readlink $DAX_BUS/devices/$k/driver)\")\" = device_dax"
check "$k maps" "$PROGS/daxpattern" -s 23 -t 4096 "/dev/$k"

# Hot-unplug: dax_hmem unbound under a mapped pageless device.
hold_start "$PROGS/daxhold" hold "/dev/$a" $((2 * M))
pdev=$(basename "$(dirname "$HMEM_REGION")")
check "unbind dax_hmem from $pdev under the mapping" sysw /sys/bus/platform/drivers/hmem/unbind "$pdev"
hold_finish
check "the process gets SIGBUS on its next access (status $HOLD_RC)" test "$HOLD_RC" -eq $((128 + 7))
check "$a is gone" test ! -e "/dev/$a"
hmem_reset
check "the region comes back whole" test "$(cat "$HMEM_REGION/available_size")" -eq $((4 * G))

# A pageless device with a poisoned page keeps it fenced: it takes no
# memmap, kmem does not take its memory, and it does not shrink below the
# page; re-creating the region (hmem_reset) starts over.
if dyn_new_tap $((64 * M)) $((2 * M)) none; then
	p=$(cat "$DAX_BUS/devices/$dax/resource")
	check "$dax: a memory error in it is handled" hard_offline $((p + 3 * 4096))
	check "$dax/poison lists the page" test "$(poison_list "$dax")" = 0x3000
	mark="pageless-dax-test: poisoned kmem $(date +%s%N)"
	echo "$mark" >/dev/kmsg
	check_fails "$dax, poisoned: daxctl reconfigure-device --mode=system-ram fails" \
		daxctl reconfigure-device --mode=system-ram --no-online "$dax"
	check "the kernel says why" sh -c \
		"dmesg | sed -n '/$mark/,\$p' | grep -q 'has poisoned pages (see poison): not adding its memory as system RAM'"
	check_fails "none of its memory is System RAM (kmem)" grep -q 'System RAM (kmem)' /proc/iomem
	check "$dax: unbound" dyn_unbind "$dax"
	refused_tap "$dax, poisoned: memmap mem" "Device or resource busy" \
		"the device has poisoned pages (see poison), refusing mem" \
		"$DAX_BUS/devices/$dax/memmap" mem
	check "$dax: memmap still reads none" grep -qx none "$DAX_BUS/devices/$dax/memmap"
	check "$dax: binds to device_dax again" sysw "$DAX_DRV/bind" "$dax"
	check "$dax/poison still lists the page" test "$(poison_list "$dax")" = 0x3000
	check "$dax: unbound again" dyn_unbind "$dax"
	check "$dax: shrinks to 32 MiB, above the page" sysw "$DAX_BUS/devices/$dax/size" $((32 * M))
	refused_tap "$dax, poisoned: size 0" "Device or resource busy" \
		"the device has a poisoned page at 0x3000 (see poison), refusing to give it back to the region" \
		"$DAX_BUS/devices/$dax/size" 0
	check "$dax: still 32 MiB, the page still listed" sh -c \
		"test \$(cat $DAX_BUS/devices/$dax/size) -eq $((32 * M)) && test \"\$(cat $DAX_BUS/devices/$dax/poison)\" = 0x3000"
fi
hmem_reset
if dyn_new_tap $((64 * M)) $((2 * M)) none; then
	check "after the region was re-created, $dax/poison is empty" test -z "$(poison_list "$dax")"
fi
hmem_reset
done_testing
