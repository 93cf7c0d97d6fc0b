#!/bin/bash
# nfit_test can configure devdax map=none: a namespace on an emulated
# pmem region becomes a pageless device through libndctl, maps with
# special entries that GUP refuses, keeps its mode and data across
# disable/enable, is revoked (SIGBUS) when disabled under a mapping, and
# can be destroyed. A media error that a scrub finds (nfit_test's error
# injection, then ARS) is fenced in the bound device at once: "poison"
# lists its page, a process that had it mapped gets SIGBUS BUS_MCEERR_AR
# at its next read (the entry was zapped), and so does a new mapping,
# while the neighbours read; disabling and enabling keeps it. Only 4K: nfit_test's memory
# is vmalloc()ed, so it cannot back 2M or 1G entries in any map mode.
# The buffers are ordinary RAM, so unlike on real pmem the pfns do have a
# struct page; the entries must still be special and GUP must refuse them.
. "$TOP/tests/lib/tap.sh"
. "$TOP/tests/lib/dax.sh"
. "$TOP/tests/lib/hwpoison.sh"

need_modules nfit_test
# Start from empty labels, as ndctl's own tests do.
check "reset nfit_test.0's labels" sh -c "ndctl disable-region -b nfit_test.0 all &&
	ndctl zero-labels -b nfit_test.0 all && ndctl enable-region -b nfit_test.0 all"
# With empty labels the regions of nfit_test.0 show label-less (io)
# namespaces that span them; take the first.
ns=$(nd_first namespace -b nfit_test.0 -N) || bail "no namespace on nfit_test.0"

make_dax "$ns" 4096 none || bail "no map=none device to test"
check "$nd's mode reads back none" grep -qx none "/sys/bus/nd/devices/$nd/mode"
check "$dev is a character device" test -c "$dev"
list=$(ndctl list -N -n "$ns" 2>&1)
echo "$list" | diag
check "ndctl lists $ns as devdax, map none" contains "$list" '"mode":"devdax"' '"map":"none"'

len=$(( dsize < (32 << 20) ? dsize : (32 << 20) ))
if insmod "$BUILD/kmod/pfnmap_test.ko" phys_size=0 2>"$TAP_OUT"; then
	need_odirect_dev
	sub_tap "nfit map=none" env PFNMAP_DEV="$dev" PFNMAP_ALIGN=4096 PFNMAP_LEN="$len" \
		PFNMAP_PHYS=ram "$PROGS/pfnmap"
	check "pfnmap_test unloads" rmmod pfnmap_test
else
	not_ok "load pfnmap_test as a walker"
	diag <"$TAP_OUT"
fi
sub_tap "nfit map=none" "$PROGS/daxhold" badmap "$dev" 4096 "$dsize"

check "write a pattern (a word per page)" "$PROGS/daxpattern" -w -s 5 -t 4096 "$dev"
check "disable $ns" ndctl disable-namespace "$ns"
check "enable $ns" ndctl enable-namespace "$ns"
check "$nd is still map=none" grep -qx none "/sys/bus/nd/devices/$nd/mode"
check "the pattern reads back" "$PROGS/daxpattern" -v -s 5 -t 4096 "$dev"

# Disabling the namespace under a live mapping revokes it.
dax_revoke "$ns" "$PROGS/daxhold" hold "$dev" 4096
check "the process's next access gets SIGBUS (status $HOLD_RC)" test "$HOLD_RC" -eq $((128 + 7))

# A media error, 5 pages into the device, found by a scrub.
check "enable $ns again" ndctl enable-namespace "$ns"
dax=${dev#/dev/}
mark="pageless-dax-test: nfit media error $(date +%s%N)"
echo "$mark" >/dev/kmsg
check "a process maps the page and reads it" watch_start "$dev" "$len" 20480 12 late
check "ndctl inject-error at block 40 of $ns" ndctl inject-error --block=40 --count=1 "$ns"
check "a scrub of nfit_test.0 finds it" sh -c "ndctl start-scrub nfit_test.0 >/dev/null; ndctl wait-scrub nfit_test.0 >/dev/null"
check "$dax/poison lists the page at once ($(poison_list "$dax"))" \
	test "$(poison_list "$dax")" = 0x5000
check "device_dax says so" sh -c "dmesg | sed -n '/$mark/,\$p' | grep -qF '$dax: pages with known bad sectors: 1 poisoned'"
# its mapping of the page is gone: its next read gets SIGBUS BUS_MCEERR_AR
watch_finish
sub_tap "nfit media error" "$PROGS/hwpoison" refault "$dev" "$len" 20480
check "disable $ns" ndctl disable-namespace "$ns"
check "enable $ns" ndctl enable-namespace "$ns"
check "$dax/poison still lists it" test "$(poison_list "$dax")" = 0x5000
sub_tap "nfit media error, enabled again" "$PROGS/hwpoison" refault "$dev" "$len" 20480
check "clear the injected error" ndctl inject-error --uninject --block=40 --count=1 "$ns"

check "destroy $ns" ndctl destroy-namespace -f "$ns"
check "the nfit_test regions disable" ndctl disable-region -b nfit_test.0 all
ndctl disable-region -b nfit_test.1 all >/dev/null 2>&1
check "nfit_test unloads" modprobe -r nfit_test
done_testing
