#!/bin/bash
# Pageless devices of a dynamic dax region (dax_hmem on 4 GiB of
# soft-reserved memory at 4 GiB), made with the sysfs calls of
# `daxctl create-device --map none`: at align 1G, 2M and 4K, beside
# devices with struct pages (memmap "mem") of the same sizes. Each maps
# with special entries of its align and no struct page (the pfnmap
# kselftest, pfnmap_test.ko walking the page tables), costs no memmap to
# enable, and keeps its own data. A device shrunk and grown again gets a
# second range and works across both (at 4K and 2M); a device deleted leaves a hole that
# a new device fills; the data of every other device is untouched.
. "$TOP/tests/lib/tap.sh"
. "$TOP/tests/lib/dax.sh"
. "$TOP/tests/lib/hmem.sh"

G=$((1 << 30)) M=$((1 << 20))
need_modules dax_hmem device_dax
hmem_reset
note "region $HMEM_REGION: size $(cat "$HMEM_REGION/size"), align $(cat "$HMEM_REGION/align")"
check "the region is the 4 GiB at 4 GiB" test "$(cat "$HMEM_REGION/size")" -eq $((4 * G))
check "all of it is free" test "$(cat "$HMEM_REGION/available_size")" -eq $((4 * G))
check "$HMEM_FIRST, which dax_hmem made with struct pages, reads memmap mem" \
	grep -qx mem "$DAX_BUS/devices/$HMEM_FIRST/memmap"
insmod "$BUILD/kmod/pfnmap_test.ko" phys_size=0 2>"$TAP_OUT" ||
	{ diag <"$TAP_OUT"; bail "cannot load pfnmap_test as a walker"; }
need_odirect_dev

# name size align memmap expected-start seed, in the order created: the
# region's allocator places each device in the first free space.
layout="d1g $G $G none $((4 * G)) 11
m1g $G $G mem $((5 * G)) 12
d2m $((512 * M)) $((2 * M)) none $((6 * G)) 13
m2m $((512 * M)) $((2 * M)) mem $((6 * G + 512 * M)) 14
d4k $((128 * M)) 4096 none $((7 * G)) 15
m4k $((128 * M)) 4096 mem $((7 * G + 128 * M)) 16"
declare -A DAX COST SEED
while read -r name size align memmap start seed; do
	dyn_new_tap "$size" "$align" "$memmap" || continue
	DAX[$name]=$dax SEED[$name]=$seed
	check "$name ($dax): memmap reads $memmap" grep -qx "$memmap" "$DAX_BUS/devices/$dax/memmap"
	check "$name ($dax): one range, at $(printf '%#x' "$start")" \
		test "$(dyn_ranges "$dax")" = "$(printf '%#x-%#x' "$start" $((start + size - 1)))"
	COST[$name]=$(dyn_bind_cost "$dax") || { not_ok "$name: rebind"; diag <<<"$HMEM_ERR"; }
	if [ "$memmap" = none ]; then
		len=$size
		[ "$align" = 4096 ] && len=$((64 * M))	# TCG is slow
		sub_tap "$name align $align" env PFNMAP_DEV="/dev/$dax" PFNMAP_ALIGN="$align" \
			PFNMAP_LEN="$len" PFNMAP_PHYS="$start" "$PROGS/pfnmap"
	fi
	check "$name: write its pattern" "$PROGS/daxpattern" -w -s "$seed" -t 4096 "/dev/$dax"
done <<<"$layout"

note "enabling took (KiB usec): $(for n in d1g m1g d2m m2m d4k m4k; do printf '%s %s, ' "$n" "${COST[$n]:-?}"; done)"
kib() { echo "${COST[$1]%% *}"; }
# Free-page counts move by some 100 KiB either way on their own; 128 MiB
# at 4K has a 2 MiB memmap.
for n in d1g d2m d4k; do
	check "$n enabled without a memmap ($(kib "$n") KiB, at most 512)" test "$(kib "$n")" -le 512
done
check "m4k's memmap took at least 1800 KiB ($(kib m4k) KiB)" test "$(kib m4k)" -ge 1800
check "m2m took more than d2m ($(kib m2m) against $(kib d2m) KiB)" test "$(kib m2m)" -gt "$(kib d2m)"

# Shrink d4k to 64 MiB and grow it to 192 MiB: it takes back the 64 MiB
# behind its range and gets the next 64 MiB past m4k as a second range.
d4k=${DAX[d4k]}
check "d4k: unbind" dyn_unbind "$d4k"
check "d4k: shrink to 64 MiB" sysw "$DAX_BUS/devices/$d4k/size" $((64 * M))
check "d4k: grow to 192 MiB" sysw "$DAX_BUS/devices/$d4k/size" $((192 * M))
want="$(printf '%#x-%#x\n%#x-%#x' $((7 * G)) $((7 * G + 128 * M - 1)) $((7 * G + 256 * M)) $((7 * G + 320 * M - 1)))"
check "d4k: two ranges now ($(dyn_ranges "$d4k" | tr '\n' ' '))" test "$(dyn_ranges "$d4k")" = "$want"
check "d4k: still memmap none" grep -qx none "$DAX_BUS/devices/$d4k/memmap"
check "d4k: bind" sysw "$DAX_DRV/bind" "$d4k"
check "d4k: the first 64 MiB kept the pattern" \
	"$PROGS/daxpattern" -v -s 15 -t 4096 -l $((64 * M)) "/dev/$d4k"
# The kselftest writes what it maps: before the pattern.
sub_tap "d4k, first range" env PFNMAP_DEV="/dev/$d4k" PFNMAP_ALIGN=4096 \
	PFNMAP_LEN=$((64 * M)) PFNMAP_PHYS=$((7 * G)) "$PROGS/pfnmap"
check "d4k: a pattern over both ranges" "$PROGS/daxpattern" -s 17 -t 4096 "/dev/$d4k"
SEED[d4k]=17

# Delete d2m: a new device of half its size fills the start of the hole.
check "d2m: destroy (unbind, size 0, delete)" dyn_destroy "${DAX[d2m]}"
check "d2m is gone" test ! -e "$DAX_BUS/devices/${DAX[d2m]}"
unset 'DAX[d2m]'
if dyn_new_tap $((256 * M)) $((2 * M)) none; then
	DAX[n2m]=$dax SEED[n2m]=18
	check "n2m ($dax) is in d2m's hole, at 6 GiB" \
		test "$(dyn_ranges "$dax")" = "$(printf '%#x-%#x' $((6 * G)) $((6 * G + 256 * M - 1)))"
	# Grown to 640 MiB at align 2M: the rest of the hole, then 128 MiB
	# past d4k's second range.
	check "n2m: unbind, grow to 640 MiB" sh -c \
		"echo $dax >$DAX_DRV/unbind && echo $((640 * M)) >$DAX_BUS/devices/$dax/size"
	want="$(printf '%#x-%#x\n%#x-%#x' $((6 * G)) $((6 * G + 512 * M - 1)) $((7 * G + 320 * M)) $((7 * G + 448 * M - 1)))"
	check "n2m: two ranges ($(dyn_ranges "$dax" | tr '\n' ' '))" test "$(dyn_ranges "$dax")" = "$want"
	check "n2m: bind" sysw "$DAX_DRV/bind" "$dax"
	sub_tap "n2m, first range" env PFNMAP_DEV="/dev/$dax" PFNMAP_ALIGN=$((2 * M)) \
		PFNMAP_LEN=$((64 * M)) PFNMAP_PHYS=$((6 * G)) "$PROGS/pfnmap"
	check "n2m: a pattern over both ranges" "$PROGS/daxpattern" -s 18 -t 4096 "/dev/$dax"
fi

for n in "${!DAX[@]}"; do
	check "$n (${DAX[$n]}): its pattern is intact" \
		"$PROGS/daxpattern" -v -s "${SEED[$n]}" -t 4096 "/dev/${DAX[$n]}"
done
check "the region's free space is what is left" \
	test "$(cat "$HMEM_REGION/available_size")" -eq $((4 * G - (2 * G + 512 * M + 640 * M + 192 * M + 128 * M)))
check "pfnmap_test unloads" rmmod pfnmap_test
done_testing
