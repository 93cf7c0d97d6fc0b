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
# fenced. Each machine check also goes into the region's badblocks (nd_e820
# records it), also one that comes while device_dax is unbound, which the
# device takes from the region at once; the devices of the later aligns,
# made on a re-created namespace, start with those pages poisoned; ndctl
# list --media-errors names them; disabling and enabling the namespace, or
# making it again, keeps them fenced and the data around them. A raw
# namespace lists them too, and a write through /dev/pmem takes one out of
# its list but not out of the region's. map=mem at align 2M is the
# control: the whole 2M unit is lost.
. "$TOP/tests/lib/tap.sh"
. "$TOP/tests/lib/dax.sh"
. "$TOP/tests/lib/hwpoison.sh"

need_mce
need_modules nd_e820 nd_pmem dax_pmem device_dax
ns=$(nd_first namespace -N) || bail "no namespace on the legacy region"

# since MARK: the kernel log from the line MARK on.
since() { dmesg | sed -n "/$1/,\$p"; }

# hexlist N...: the numbers, sorted, in hex on one line (as poison_list).
hexlist() {
	local n
	for n in "$@"; do echo $((n)); done | sort -nu |
		while read -r n; do printf '%#x\n' "$n"; done | paste -sd' '
}

# known_in PHYS SIZE: the offsets in a device at PHYS, SIZE bytes, of the
# pages that had machine checks so far (bad[], physical addresses), sorted.
bad=()
known_in() {
	local p
	for p in "${bad[@]}"; do
		(( p >= $1 && p < $1 + $2 )) && echo $((p - $1))
	done | sort -n
}

# starts_poisoned WHAT MARK: the new device $dax lists exactly the pages
# of earlier machine checks in it (known), and says how many it has.
starts_poisoned() {
	check "$1: $dax starts with the ${#known[@]} pages of earlier machine checks in it poisoned" \
		test "$(poison_list "$dax")" = "$(hexlist "${known[@]}")"
	if [ "${#known[@]}" -gt 0 ]; then
		check "$1: device_dax says so" \
			grep -qF "$dax: pages with known bad sectors: ${#known[@]} poisoned" <<<"$(since "$2")"
	fi
}

# align, bytes to map and check (all of the device at 2M and 1G: "all"),
# offset of the error (in the second 1G unit at 1G), what an away watcher
# maps (the units before the error's)
# (each align its own pages: the pages of one stay poisoned for the next)
for t in "4096 $((256 << 20)) $(( (5 << 21) + 3 * 4096 + 64 )) $((8 << 20))" \
	"$((2 << 20)) all $(( (9 << 21) + 3 * 4096 + 64 )) $((10 << 20))" \
	"$((1 << 30)) all $(( (1 << 30) + (13 << 21) + 3 * 4096 + 64 )) $((1 << 30))"; do
	read -r align len off LEN_AWAY <<<"$t"
	a="align $align"
	mark="pageless-dax-test: mce $align $(date +%s%N)"
	echo "$mark" >/dev/kmsg
	make_dax "$ns" "$align" none || continue
	dax=${dev#/dev/}
	[ "$len" = all ] && len=$dsize
	phys=$(cat "/sys/bus/dax/devices/$dax/resource")
	read -ra known <<<"$(known_in "$phys" "$dsize" | paste -sd" ")"
	starts_poisoned "$a" "$mark"
	# (dax_pmem leaves the nd device's data to the dax core)
	check "$a: $nd/dax_region reads align $align and size $dsize" \
		test "$(cat "/sys/bus/nd/devices/$nd/dax_region/align" \
			"/sys/bus/nd/devices/$nd/dax_region/size" | paste -sd' ')" = "$align $dsize"
	page=$(( off & ~4095 ))
	addr=$(printf '%#x' $(( phys + off )))
	pfn=$(( (phys + off) >> 12 ))
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
	# ("page poisoned", or "poisoned already" when the region's badblocks
	# were told first: the MCE work item and the consumer race)
	check "$a: device_dax names the offset of the page" \
		grep -qF "$dax: memory error at offset $(printf '%#x' "$page") (pfn $(printf '%#x' "$pfn"))" <<<"$log"
	check_fails "$a: no \"not recovered\" in the kernel log" \
		grep -q "Memory error not recovered" <<<"$log"
	check "$a: HardwareCorrupted stays $hw0 kB (no page of RAM lost)" test "$(hw_corrupted)" -eq "$hw0"
	check "$a: $dax/poison lists the page ($(poison_list "$dax"))" \
		test "$(poison_list "$dax")" = "$(hexlist "${known[@]}" "$page")"
	sub_tap "$a" "$PROGS/hwpoison" refault "$dev" "$len" "$off"
	sub_tap "$a" "$PROGS/hwpoison" verify "$dev" "$len" 13 "$off" 4096

	# The same page again, through memory_failure() directly.
	mark2="pageless-dax-test: again $align $(date +%s%N)"
	echo "$mark2" >/dev/kmsg
	check "$a: a second error in the same page is handled" hard_offline $((phys + off))
	check "$a: device_dax says it was poisoned already" \
		grep -qF "$dax: memory error at offset $(printf '%#x' "$page") (pfn $(printf '%#x' "$pfn")), poisoned already" <<<"$(since "$mark2")"
	check "$a: $dax/poison still lists the one page" \
		test "$(poison_list "$dax")" = "$(hexlist "${known[@]}" "$page")"

	# Action optional, two pages on, in the same unit.
	off2=$(( page + 8192 ))
	addr2=$(printf '%#x' $(( phys + off2 )))
	check "$a: the host injects an action-optional machine check at $addr2" mce_request "ao $addr2"
	check "$a: memory-failure recovered that pfn too" \
		mf_seen $(( (phys + off2) >> 12 )) "recovery action for non struct page pfn: Recovered"
	check "$a: $dax/poison lists both pages ($(poison_list "$dax"))" \
		test "$(poison_list "$dax")" = "$(hexlist "${known[@]}" "$page" "$off2")"
	sub_tap "$a, second page" "$PROGS/hwpoison" refault "$dev" "$len" "$off2"
	sub_tap "$a, both pages" "$PROGS/hwpoison" verify "$dev" "$len" 13 "$off" 32768

	# Unbinding and binding device_dax keeps them; an error while it is
	# unbound goes into the badblocks only, and binding adds it.
	check "$a: unbind device_dax" sh -c "echo $dax >/sys/bus/dax/drivers/device_dax/unbind"
	off3=$(( page + 16384 ))
	addr3=$(printf '%#x' $(( phys + off3 )))
	mark3="pageless-dax-test: mce unbound $align $(date +%s%N)"
	echo "$mark3" >/dev/kmsg
	check "$a: the host injects an action-optional machine check at $addr3" mce_request "ao $addr3"
	check "$a: with device_dax unbound it is memory outside kernel control" \
		mf_seen $(( (phys + off3) >> 12 )) "memory outside kernel control"
	check "$a: nd_e820 records it in the badblocks" \
		logged "$mark3" "memory error at $addr3 (0x1000 bytes): recorded in the badblocks"
	check "$a: the unbound device takes the page from the region at once" \
		logged "$mark3" "$dax: pages with known bad sectors: 1 poisoned"
	check "$a: bind device_dax" sh -c "echo $dax >/sys/bus/dax/drivers/device_dax/bind"
	check "$a: $dax/poison lists the three pages after the rebind" \
		test "$(poison_list "$dax")" = "$(hexlist "${known[@]}" "$page" "$off2" "$off3")"
	sub_tap "$a, unbound error" "$PROGS/hwpoison" refault "$dev" "$len" "$off3"
	sub_tap "$a, after the rebind" "$PROGS/hwpoison" refault "$dev" "$len" "$off"
	sub_tap "$a, after the rebind" "$PROGS/hwpoison" verify "$dev" "$len" 13 "$off" 32768
	bad+=($((phys + page)) $((phys + off2)) $((phys + off3)))
done

# The region keeps the machine checks in its badblocks, 8 sectors a page.
region=$(basename "$(readlink -f "/sys/bus/nd/devices/$ns/..")")
rstart=$(cat "/sys/bus/nd/devices/$region/resource")
want=$(for p in "${bad[@]}"; do echo "$(( (p - rstart) >> 9 )) 8"; done | sort -n)
check "$region/badblocks lists the ${#bad[@]} pages of the machine checks" \
	test "$(sort -n "/sys/bus/nd/devices/$region/badblocks")" = "$want"
# shellcheck disable=SC2016 # the program is python's
check "ndctl list --media-errors names them" python3 -c '
import json, subprocess, sys
out = subprocess.run(["ndctl", "list", "-R", "-r", sys.argv[1], "--media-errors"],
                     capture_output=True, text=True, check=True).stdout
regions = json.loads(out)
region = regions[0] if isinstance(regions, list) else regions
got = sorted((b["offset"], b["length"]) for b in region["badblocks"])
want = sorted(tuple(map(int, l.split())) for l in sys.argv[2].splitlines())
print("got", got, "want", want)
sys.exit(got != want)' "$region" "$want"

# fresh WHAT: a new map=none device at 2M on the namespace ($dax at $phys),
# the pages of the machine checks in it (known), and the kernel log mark
# set before it was made (mark).
fresh() {
	mark="pageless-dax-test: mce $1 $(date +%s%N)"
	echo "$mark" >/dev/kmsg
	make_dax "$ns" $((2 << 20)) none || return 1
	dax=${dev#/dev/}
	phys=$(cat "/sys/bus/dax/devices/$dax/resource")
	read -ra known <<<"$(known_in "$phys" "$dsize" | paste -sd" ")"
}

# A new device on the range starts with them; disable and enable keep them.
if fresh again; then
	starts_poisoned "made again" "$mark"
	check "the device holds all ${#bad[@]} pages" test "${#known[@]}" = "${#bad[@]}"
	for o in "${known[@]}"; do
		sub_tap "made again, $(printf '%#x' "$o")" "$PROGS/hwpoison" refault "$dev" "$dsize" "$o"
	done
	sub_tap "made again" "$PROGS/hwpoison" write "$dev" "$dsize" 17
	mark="pageless-dax-test: mce enable $(date +%s%N)"
	echo "$mark" >/dev/kmsg
	check "disable $ns" ndctl disable-namespace "$ns"
	check "enable $ns" ndctl enable-namespace "$ns"
	starts_poisoned "enabled again" "$mark"
	for o in "${known[@]}"; do
		sub_tap "enabled again, $(printf '%#x' "$o")" "$PROGS/hwpoison" refault "$dev" "$dsize" "$o"
	done
	sub_tap "enabled again" "$PROGS/hwpoison" verify "$dev" "$dsize" 17 "${known[0]}" 4096
fi

# A raw namespace on the range lists the errors in its own badblocks; a
# write through /dev/pmem stands for the clear on a legacy range: the
# namespace and the region forget the sectors, and a dax device made
# afterwards maps the page again. That is how an operator clears one.
if check "raw $ns" dax_raw "$ns"; then
	for b in "/sys/bus/nd/devices/$ns/block/"pmem*; do pmem=${b##*/}; done
	nsstart=$(cat "/sys/bus/nd/devices/$ns/resource")
	nswant=$(for p in "${bad[@]}"; do echo "$(( (p - nsstart) >> 9 )) 8"; done | sort -n)
	check "$pmem/badblocks lists the ${#bad[@]} pages" \
		test "$(sort -n "/sys/block/$pmem/badblocks" 2>&1)" = "$nswant"
	first=$(head -n 1 <<<"$nswant") first=${first%% *}
	check "a write of the first one through /dev/$pmem succeeds" \
		dd if=/dev/zero of="/dev/$pmem" bs=4096 seek=$((first / 8)) count=1 oflag=direct conv=notrunc status=none
	check "$pmem/badblocks no longer lists it" \
		test "$(sort -n "/sys/block/$pmem/badblocks")" = "$(tail -n +2 <<<"$nswant")"
	check "nor does $region/badblocks" \
		test "$(sort -n "/sys/bus/nd/devices/$region/badblocks")" = "$(tail -n +2 <<<"$want")"
	if fresh cleared; then
		cleared=${known[0]} known=("${known[@]:1}")
		starts_poisoned "cleared" "$mark"
		# the write reads its pattern back: the cleared page maps again
		sub_tap "cleared $(printf '%#x' "$cleared")" "$PROGS/hwpoison" write "$dev" \
			$(( (cleared | ((2 << 20) - 1)) + 1 )) 19
	fi
fi

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
