#!/bin/bash
# Memory errors in pageless device-dax from memory_failure() itself (the
# hard_offline_page file, as a background error report would), against
# what else happens to the device at once: an error in a unit nobody maps;
# three threads faulting the rest of a 2M or 1G unit in and out, read then
# write, racing the record and the zap of the error (no fault maps the bad
# page again, which nothing zaps after the error); errors while
# device_dax is unbound and bound again and again (an error that finds
# the device bound is kept, one that does not is refused, and nothing else
# happens); disabling and enabling the namespace then starts a new, empty
# list. Bad input: an error outside any device (in the namespace's info
# block, or beyond memory) is reported as memory outside kernel control
# and changes nothing.
. "$TOP/tests/lib/tap.sh"
. "$TOP/tests/lib/dax.sh"
. "$TOP/tests/lib/hwpoison.sh"

need_modules nd_e820 nd_pmem dax_pmem device_dax
ns=$(nd_first namespace -N) || bail "no namespace on the legacy region"

make_dax "$ns" $((2 << 20)) none || bail "no map=none namespace"
dax=${dev#/dev/}
phys=$(cat "/sys/bus/dax/devices/$dax/resource")
len=$((64 << 20))
sub_tap "2M" "$PROGS/hwpoison" write "$dev" "$len" 21

# An error in a unit nobody maps.
off=$(( (7 << 21) + 5 * 4096 ))
check "an error where nobody maps the device is handled" hard_offline $((phys + off))
check "$dax/poison lists it" test "$(poison_list "$dax")" = "$(printf '%#x' "$off")"
sub_tap "mapped afterwards" "$PROGS/hwpoison" refault "$dev" "$len" "$off"

# Bad input: not device memory.
for t in "the info block:$((phys - 4096))" "beyond memory:$((1 << 45))"; do
	what=${t%%:*} p=${t#*:}
	mark="pageless-dax-test: outside $(date +%s%N)"
	echo "$mark" >/dev/kmsg
	check_fails "an error in $what is refused" hard_offline "$p"
	check "the kernel says $what is memory outside kernel control" \
		sh -c "dmesg | sed -n '/$mark/,\$p' | grep -qF '$(printf '%#x' $((p >> 12))): memory outside kernel control'"
done
check "$dax/poison still lists one page" test "$(poison_list "$dax")" = "$(printf '%#x' "$off")"
sub_tap "2M" "$PROGS/hwpoison" verify "$dev" "$len" 21 "$off" 4096

# Faults racing the zap, at 2M and 1G.
for t in "$((2 << 20)) $(( (3 << 21) + 7 * 4096 ))" "$((1 << 30)) $(( (1 << 30) + (9 << 21) + 11 * 4096 ))"; do
	read -r align off <<<"$t"
	make_dax "$ns" "$align" none || continue
	dax=${dev#/dev/}
	phys=$(cat "/sys/bus/dax/devices/$dax/resource")
	rm -f /tmp/hammer.ready /tmp/hammer.done
	"$PROGS/hwpoison" hammer "$dev" "$dsize" "$off" /tmp/hammer.ready /tmp/hammer.done \
		>/tmp/hammer.out 2>&1 &
	hpid=$!
	for i in $(seq 600); do [ -e /tmp/hammer.ready ] && break; sleep 0.1; done
	sleep 2
	check "align $align: an error in the unit being faulted is handled" hard_offline $((phys + off))
	touch /tmp/hammer.done
	rc=0
	wait "$hpid" || rc=$?
	# shellcheck disable=SC2016 # $1 and $2 are the inner shell's
	sub_tap "align $align, faults racing the error" sh -c 'cat "$2"; exit "$1"' sh "$rc" /tmp/hammer.out
done

# Errors while device_dax comes and goes.
make_dax "$ns" $((2 << 20)) none || bail "no map=none namespace"
dax=${dev#/dev/}
phys=$(cat "/sys/bus/dax/devices/$dax/resource")
(
	end=$((SECONDS + 20))
	while [ "$SECONDS" -lt "$end" ]; do
		echo "$dax" >/sys/bus/dax/drivers/device_dax/unbind
		echo "$dax" >/sys/bus/dax/drivers/device_dax/bind
	done 2>/dev/null
) &
bpid=$!
kept=() refused=0 other=0
for i in $(seq 0 59); do
	p=$((phys + (i << 21) + i * 4096))
	if out=$(hard_offline "$p" 2>&1); then
		kept+=("$(printf '0x%x' $(( (i << 21) + i * 4096 )))")
	elif grep -q "No such device or address" <<<"$out"; then
		refused=$((refused + 1))
	else
		other=$((other + 1))
		echo "$out" | diag
	fi
	sleep 0.2
done
wait "$bpid"
[ -e "/sys/bus/dax/drivers/device_dax/$dax" ] ||
	echo "$dax" >/sys/bus/dax/drivers/device_dax/bind
note "${#kept[@]} errors found the device bound, $refused did not"
check "each error is either kept or refused with ENXIO ($other otherwise)" test "$other" -eq 0
check "device_dax binds at the end" test -e "/sys/bus/dax/drivers/device_dax/$dax"
listed=$(poison_list "$dax")
check "$dax/poison lists exactly the errors that were kept" test "$listed" = "${kept[*]}"
[ "$listed" = "${kept[*]}" ] || { note "kept:   ${kept[*]}"; note "listed: $listed"; }

# Disabling and enabling the namespace makes a new dax device: the list
# starts empty.
check "disable $ns" ndctl disable-namespace "$ns"
check "enable $ns" ndctl enable-namespace "$ns"
check "$dax/poison is empty on the new device" test -z "$(poison_list "$dax")"
dax_raw "$ns" >/dev/null 2>&1
done_testing
