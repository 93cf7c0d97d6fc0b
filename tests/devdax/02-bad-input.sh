#!/bin/bash
# Bad input to the attributes this series changes gets a clear errno and
# changes nothing: mode and align of a dax seed, any write to a bound dax
# device, and fsdax with mode none (refused at enable, with a dmesg line,
# nothing written to the namespace).
. "$TOP/tests/lib/tap.sh"
. "$TOP/tests/lib/dax.sh"

need_modules nd_e820 nd_pmem dax_pmem device_dax
sysnd=/sys/bus/nd/devices
ns=$(nd_first namespace -N) || bail "no namespace on the legacy region"
region=$(basename "$(readlink -f "$sysnd/$ns/..")")

# write_fails ATTR VALUE ERRNO-TEXT: writing VALUE (one write) fails with
# ERRNO-TEXT and the attribute reads as before.
write_fails() {
	local attr=$1 value=$2 want=$3 before after err
	before=$(cat "$attr")
	err=$( { printf '%s' "$value" >"$attr"; } 2>&1 ) && err="write succeeded"
	after=$(cat "$attr")
	if [[ $err == *"$want"* && $after == "$before" ]]; then
		ok "$(basename "$attr") <- '${value:0:12}' fails: $want; still '$after'"
	else
		not_ok "$(basename "$attr") <- '${value:0:12}' should fail with $want"
		echo "# got: $err; '$before' -> '$after'"
	fi
}

make_dax "$ns" $((2 << 20)) none
seed=$sysnd/$(cat "$sysnd/$region/dax_seed")
long=$(printf 'n%.0s' $(seq 5000))
for v in $'\n' "" pm no nonesuch "none x" -1 0 ram2 "$long"; do
	[ -z "$v" ] && continue
	write_fails "$seed/mode" "$v" "Invalid argument"
done
for v in $'\n' abc -1 0 3 4095 8192 0x300000 "$long"; do
	write_fails "$seed/align" "$v" "Invalid argument"
done
# kstrtoul() reports an overflow as ERANGE: accept that text for it.
write_fails "$seed/align" 99999999999999999999999 "Numerical result out of range"
check "valid values are still taken by the seed (none, 2M)" \
	sh -c "echo none >$seed/mode && echo 2097152 >$seed/align && grep -qx none $seed/mode"

bound=$(nd_field chardev -N -n "$ns")
active=$(basename "$(readlink -f "/sys/bus/dax/devices/$bound/..")")
check "$ns is claimed by the dax device $active" test -n "$bound" -a -d "$sysnd/$active"
for attr in mode align; do
	write_fails "$sysnd/$active/$attr" pmem "Device or resource busy"
done

# fsdax needs struct pages: a pfn device in mode none is refused at enable.
check "reset $ns to raw" dax_raw "$ns"
blk=/dev/$(nd_field blockdev -N -n "$ns")
check "put a pattern in the first MiB of $blk" \
	sh -c "head -c 1048576 /dev/urandom >/tmp/first.mib && dd if=/tmp/first.mib of=$blk bs=1M count=1 oflag=direct 2>/dev/null"
check "disable $ns" ndctl disable-namespace "$ns"
pfn=$sysnd/$(cat "$sysnd/$region/pfn_seed")
check "configure $(basename "$pfn") as fsdax with mode none" \
	sh -c "cat /proc/sys/kernel/random/uuid >$pfn/uuid && echo none >$pfn/mode && echo $ns >$pfn/namespace"
dmesg -C
err=$( { basename "$pfn" >/sys/bus/nd/drivers/nd_pmem/bind; } 2>&1 ) && err="bind succeeded"
check "enabling it fails with EINVAL ($err)" contains "$err" "Invalid argument"
check "dmesg says why" sh -c "dmesg | grep -q 'fsdax needs a memmap: mode none is for devdax only'"
check "release $ns and enable it raw again" \
	sh -c "echo >$pfn/namespace && ndctl enable-namespace $ns"
check "the first MiB of $blk is unchanged" \
	sh -c "dd if=$blk bs=1M count=1 iflag=direct 2>/dev/null | cmp - /tmp/first.mib"
rm -f /tmp/first.mib
done_testing
