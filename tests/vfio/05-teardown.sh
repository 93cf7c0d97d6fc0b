#!/bin/bash
# Device DMA never outlives device-dax memory. With a VFIO DMA mapping of a
# /dev/dax node in place (edu behind intel-iommu), tearing the device down
# from another process waits: it says so in dmesg, naming the process that
# holds the mapping; the device still reaches every unit of the memory,
# which stays, and a second DMA mapping of it fails; the teardown finishes
# once the mapping is unmapped, and the pins are released. With the
# memory made a namespace again and filled with a pattern, the device's
# writes to the old IOVA leave the pattern alone. Each way down: ndctl
# disable-namespace (map=none), reconfiguring the namespace with ndctl
# create-namespace -f -e (map=mem, pinned pages), and daxctl
# reconfigure-device --mode=system-ram (kmem; map=mem), which kmem then
# refuses while the process still maps the device, and does once it is
# gone. Last, pins taken and released balance over the whole group
# (nr_foll_pin_* in /proc/vmstat).
. "$TOP/tests/lib/tap.sh"
. "$TOP/tests/lib/dax.sh"
. "$TOP/tests/lib/edu.sh"

edu_vfio
need_modules nd_e820 nd_pmem dax_pmem device_dax kmem
ns=$(nd_first namespace -N) || bail "no namespace on the legacy region"

# holder_says LINE: wait (a minute at most) for the holder to print LINE.
# shellcheck disable=SC2317 # called through check
holder_says() {
	local i
	for i in $(seq 300); do
		grep -qxE "(# )?$1" "$HOLD_OUT" && return 0
		kill -0 "$hpid" 2>/dev/null || break
		[ "$i" -lt 300 ] && sleep 0.2
	done
	grep -qxE "(# )?$1" "$HOLD_OUT"
}

# gone PID SECONDS [fails]: PID exits within SECONDS, successfully (or,
# with "fails", unsuccessfully).
# shellcheck disable=SC2317 # called through check
gone() {
	local i rc=0
	for i in $(seq $(($2 * 5))); do
		kill -0 "$1" 2>/dev/null || break
		sleep 0.2
	done
	kill -0 "$1" 2>/dev/null && return 1
	wait "$1" || rc=$?
	if [ "$3" = fails ]; then
		[ "$rc" != 0 ]
	else
		[ "$rc" = 0 ]
	fi
}

# held_teardown WHAT MAP AFTER CMD...: make $ns devdax MAP at align 2M,
# map 64 MiB of it for DMA (vfiodma held) and run CMD, which tears the
# device down, in the background: it must wait for the mapping, the
# device still reaching the memory, and finish once the mapping is gone.
# Then AFTER runs (a command, or :) before the holder's device writes to
# the old IOVA again. With REFUSED set, CMD must fail once the DMA mapping
# is gone, the holder still mapping the device, and dmesg say REFUSED.
held_teardown() {
	local what=$1 map=$2 after=$3 tpid
	shift 3
	make_dax "$ns" $((2 << 20)) "$map" || return 1
	rm -f /tmp/held.in "$HOLD_OUT"
	mkfifo /tmp/held.in
	"$PROGS/vfiodma" held "$EDU_GROUP" "$EDU" "$dev" $((2 << 20)) $((64 << 20)) \
		</tmp/held.in >"$HOLD_OUT" 2>&1 &
	hpid=$!
	exec 3>/tmp/held.in
	if ! check "map=$map: vfiodma maps $dev for DMA" holder_says mapped; then
		exec 3>&-
		wait "$hpid"
		return 1
	fi
	dmesg -C
	"$@" >/tmp/teardown.out 2>&1 &
	tpid=$!
	sleep 5
	check "map=$map: $what waits while the DMA mapping is there" kill -0 "$tpid"
	check "map=$map: dmesg says why, naming the process (pid $hpid)" sh -c \
		"dmesg | grep -q 'DMA mapping of its memory still in place (pid $hpid, vfiodma): teardown waits until unmapped'"
	(trap '' PIPE; echo go >&3) 2>/dev/null || true
	check "map=$map: the device wrote into every unit meanwhile" holder_says "dma done"
	check "map=$map: $what still waits after that" kill -0 "$tpid"
	(trap '' PIPE; echo go >&3) 2>/dev/null || true
	holder_says unmapped
	if [ -z "${REFUSED:-}" ]; then
		check "map=$map: $what finishes once the mapping is unmapped" \
			gone "$tpid" 120 || diag </tmp/teardown.out
	else
		check "map=$map: $what then fails, the process still mapping the device" \
			gone "$tpid" 120 fails || diag </tmp/teardown.out
		check "map=$map: and dmesg says why" sh -c "dmesg | grep -q '$REFUSED'"
	fi
	$after
	(trap '' PIPE; echo go >&3) 2>/dev/null || true
	exec 3>&-
	HOLD_RC=0
	wait "$hpid" || HOLD_RC=$?
	hold_tap "map=$map, $what"
}

# refill: the namespace back as it was, a pattern in what was mapped (the
# holder's device then writes to its old IOVA: see the check after it).
# shellcheck disable=SC2317 # called through held_teardown
refill() {
	check "$ns enables again" ndctl enable-namespace "$ns"
	check "and gets a pattern in its first 64 MiB" "$PROGS/daxpattern" -w -s 77 -l $((64 << 20)) -t 4096 "$dev"
}

# pins_held: pages pinned and not released, system-wide.
pins_held() {
	echo 1 >/proc/sys/vm/stat_refresh 2>/dev/null
	awk '/^nr_foll_pin_acquired/ { a = $2 } /^nr_foll_pin_released/ { r = $2 }
		END { print a - r }' /proc/vmstat
}
pin0=$(pins_held)

held_teardown "ndctl disable-namespace" none refill ndctl disable-namespace "$ns"
check "the device writes to the old IOVA left the pattern alone" \
	"$PROGS/daxpattern" -v -s 77 -l $((64 << 20)) -t 4096 "$dev"

held_teardown "reconfiguring the namespace (create-namespace -f -e)" mem : \
	ndctl create-namespace -f -e "$ns" -m raw

# kmem: daxctl unbinds device_dax (which waits for the DMA mapping) and
# binds kmem, which refuses the memory while the holder still maps the
# device; once it exited, the same command gives the memory to the page
# allocator, offline (--no-online): it stays system RAM.
REFUSED="still mapped by a process: not adding its memory as system RAM" \
	held_teardown "daxctl reconfigure-device --mode=system-ram" mem : \
	daxctl reconfigure-device --mode=system-ram --no-online "${dev#/dev/}"
check "the device is not system-ram" sh -c \
	"! daxctl list -d '${dev#/dev/}' | grep -q '\"mode\":\"system-ram\"'"
check "with the process gone, the same command succeeds" \
	daxctl reconfigure-device --mode=system-ram --no-online "${dev#/dev/}"
check "and the device is system-ram now" sh -c \
	"daxctl list -d '${dev#/dev/}' | grep -q '\"mode\":\"system-ram\"'"

pins=$(pins_held)
check "pins taken and released balance over this script ($pin0 before, $pins now)" \
	test "$pins" -eq "$pin0"
check "and over the whole group, since boot ($pins)" test "$pins" -eq 0
done_testing
