#!/bin/bash
# Machine checks on pageless device-dax (map=none) at align 4K, 2M and 1G,
# through the real machine-check path (vm.sh --mce): the host injects an
# action-required memory error (SRAR data load) while a process pinned to
# CPU 0 reads the line. That process gets SIGBUS BUS_MCEERR_AR for the page
# (si_addr_lsb 12, whatever the align); an early-kill mapper gets
# BUS_MCEERR_AO, a late-kill one nothing until it touches the page, and a
# process that maps the device but not that unit nothing at all. The page
# is listed in the device's "poison", refaults as poisoned while its
# neighbours in the same 2M or 1G unit map again, and every other byte of
# the device is intact. A second error in the same page is reported as
# such; an action-optional machine check (SRAO) on another page of the
# unit poisons that one too. Unbinding and binding device_dax keeps both
# fenced. map=mem at align 2M is the control: the whole 2M unit is lost.
. "$TOP/tests/lib/tap.sh"
. "$TOP/tests/lib/dax.sh"
. "$TOP/tests/lib/hwpoison.sh"

[ -d "${RUN:-}" ] || bail "no run directory (RUN) to ask the host through"
grep -q GenuineIntel /proc/cpuinfo || bail "not an Intel vCPU: the guest needs vm.sh --mce"
need_modules nd_e820 nd_pmem dax_pmem device_dax
ns=$(nd_first namespace -N) || bail "no namespace on the legacy region"

# since MARK: the kernel log from the line MARK on.
since() { dmesg | sed -n "/$1/,\$p"; }

# align, bytes to map and check (all of the device at 2M and 1G: "all"),
# offset of the error (in the second 1G unit at 1G), what an away watcher
# maps (the units before the error's)
for t in "4096 $((256 << 20)) $(( (5 << 21) + 3 * 4096 + 64 )) $((8 << 20))" \
	"$((2 << 20)) all $(( (5 << 21) + 3 * 4096 + 64 )) $((10 << 20))" \
	"$((1 << 30)) all $(( (1 << 30) + (5 << 21) + 3 * 4096 + 64 )) $((1 << 30))"; do
	read -r align len off LEN_AWAY <<<"$t"
	make_dax "$ns" "$align" none || continue
	dax=${dev#/dev/}
	[ "$len" = all ] && len=$dsize
	phys=$(cat "/sys/bus/dax/devices/$dax/resource")
	page=$(( off & ~4095 ))
	addr=$(printf '%#x' $(( phys + off )))
	pfn=$(( (phys + off) >> 12 ))
	a="align $align"
	mark="pageless-dax-test: mce $align $(date +%s%N)"
	echo "$mark" >/dev/kmsg
	note "$a: $dev at $phys, size $dsize; machine check at $addr (offset $(printf '%#x' "$off"))"

	sub_tap "$a" "$PROGS/hwpoison" write "$dev" "$len" 13
	check "$a: three watchers map the device" watch_start "$dev" "$len" "$off" 12 early late away
	hw0=$(hw_corrupted)
	sub_tap "$a" "$PROGS/hwpoison" mce "$dev" "$len" "$off" 12 "$addr" "$RUN/mce.req"
	check "$a: the host injected the machine check ($(cat "$RUN/mce.ack" 2>&1))" \
		grep -qx "injected $addr" "$RUN/mce.ack"
	watch_finish
	log=$(since "$mark")
	check "$a: the kernel took it as an error in user access, in page $(printf '%x' $((phys + page)))" \
		grep -q "Uncorrected hardware memory error in user-access at $(printf '%x' $((phys + page)))\$" <<<"$log"
	check "$a: memory-failure recovered the pfn, as one without struct page" \
		grep -qF "$(printf '%#x' "$pfn"): recovery action for non struct page pfn: Recovered" <<<"$log"
	check "$a: device_dax names the offset of the page" \
		grep -qF "$dax: memory error at offset $(printf '%#x' "$page") (pfn $(printf '%#x' "$pfn")): page poisoned" <<<"$log"
	check_fails "$a: no \"not recovered\" in the kernel log" \
		grep -q "Memory error not recovered" <<<"$log"
	check "$a: HardwareCorrupted stays $hw0 kB (no page of RAM lost)" test "$(hw_corrupted)" -eq "$hw0"
	check "$a: $dax/poison lists the page ($(poison_list "$dax"))" \
		test "$(poison_list "$dax")" = "$(printf '%#x' "$page")"
	sub_tap "$a" "$PROGS/hwpoison" refault "$dev" "$len" "$off"
	sub_tap "$a" "$PROGS/hwpoison" verify "$dev" "$len" 13 "$off" 4096

	# The same page again, through memory_failure() directly.
	check "$a: a second error in the same page is handled" hard_offline $((phys + off))
	check "$a: device_dax says it was poisoned already" \
		sh -c "dmesg | sed -n '/$mark/,\$p' | grep -qF '$dax: memory error at offset $(printf '%#x' "$page") (pfn $(printf '%#x' "$pfn")), poisoned already'"
	check "$a: $dax/poison still lists the one page" \
		test "$(poison_list "$dax")" = "$(printf '%#x' "$page")"

	# Action optional, two pages on, in the same unit.
	off2=$(( page + 8192 ))
	addr2=$(printf '%#x' $(( phys + off2 )))
	check "$a: the host injects an action-optional machine check at $addr2" mce_request "ao $addr2"
	check "$a: memory-failure recovered that pfn too" \
		mf_seen $(( (phys + off2) >> 12 )) "recovery action for non struct page pfn: Recovered"
	check "$a: $dax/poison lists both pages ($(poison_list "$dax"))" \
		test "$(poison_list "$dax")" = "$(printf '%#x %#x' "$page" "$off2")"
	sub_tap "$a, second page" "$PROGS/hwpoison" refault "$dev" "$len" "$off2"
	sub_tap "$a, both pages" "$PROGS/hwpoison" verify "$dev" "$len" 13 "$off" 32768

	# Unbinding and binding device_dax keeps them.
	check "$a: unbind device_dax" sh -c "echo $dax >/sys/bus/dax/drivers/device_dax/unbind"
	check "$a: bind device_dax" sh -c "echo $dax >/sys/bus/dax/drivers/device_dax/bind"
	check "$a: $dax/poison lists both pages after the rebind" \
		test "$(poison_list "$dax")" = "$(printf '%#x %#x' "$page" "$off2")"
	sub_tap "$a, after the rebind" "$PROGS/hwpoison" refault "$dev" "$len" "$off"
	sub_tap "$a, after the rebind" "$PROGS/hwpoison" verify "$dev" "$len" 13 "$off" 32768
done

# The control: map=mem loses the whole 2M unit, and says so as a dax page.
if make_dax "$ns" $((2 << 20)) mem; then
	dax=${dev#/dev/}
	len=$((64 << 20))
	off=$(( (5 << 21) + 3 * 4096 + 64 ))
	phys=$(cat "/sys/bus/dax/devices/$dax/resource")
	addr=$(printf '%#x' $(( phys + off )))
	mark="pageless-dax-test: mce mem $(date +%s%N)"
	echo "$mark" >/dev/kmsg
	sub_tap "map=mem" "$PROGS/hwpoison" write "$dev" "$len" 13
	check "map=mem: an early-kill watcher maps the device" watch_start "$dev" "$len" "$off" 21 early
	sub_tap "map=mem" "$PROGS/hwpoison" mce "$dev" "$len" "$off" 21 "$addr" "$RUN/mce.req"
	watch_finish
	check "map=mem: memory-failure recovered it as a dax page" \
		sh -c "dmesg | sed -n '/$mark/,\$p' | grep -qF '$(printf '%#x' $(( (phys + off) >> 12 ))): recovery action for dax page: Recovered'"
	check "map=mem: $dax/poison lists nothing (the page is marked instead)" \
		test -z "$(poison_list "$dax")"
	sub_tap "map=mem" "$PROGS/hwpoison" verify "$dev" "$len" 13 "$off" $((2 << 20))
fi
dax_raw "$ns" >/dev/null 2>&1
done_testing
