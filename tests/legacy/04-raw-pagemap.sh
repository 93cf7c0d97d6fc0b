#!/bin/bash
# A raw legacy namespace gets no struct pages unless nd_e820.pagemap=1 asks
# for them: binding it takes no memory, its block device works without DAX
# (ext4 refuses mount -o dax), its mode reads raw (ndctl: "raw"), and
# nd_e820 says so. With pagemap=1 (the control) it takes its memmap (64
# bytes per 4 KiB, 32 MiB for this 2 GiB range), is DAX capable, reads
# "memory" (ndctl: "fsdax") and mounts with -o dax; the data stays. A range
# larger than the guest's RAM is in tests/scale.
. "$TOP/tests/lib/tap.sh"
. "$TOP/tests/lib/dax.sh"

need_modules nd_e820 nd_pmem dax_pmem
ns=$(nd_first namespace -N) || bail "no namespace on the legacy region"
check "ndctl makes $ns raw" dax_raw "$ns"

# reload [PARAM]: unload the nd drivers, load nd_e820 (with PARAM) and
# nd_pmem; sets taken (KiB of memory binding took) and blk (its disk).
reload() {
	local m0
	free_legacy_range
	m0=$(memfree)
	echo "pageless-test: reload nd_e820 $*" >/dev/kmsg
	{ modprobe nd_e820 "$@" && modprobe nd_pmem; } ||
		bail "cannot load nd_e820 $* and nd_pmem"
	for _ in $(seq 50); do
		blk=$(basename "$(ls -d "/sys/bus/nd/devices/$ns/block/"* 2>/dev/null)")
		[ -b "/dev/$blk" ] && break
		sleep 0.1
	done
	taken=$(($(memfree) - m0))
	taken=$((-taken))
	note "nd_e820 $*: $ns mode $(cat "/sys/bus/nd/devices/$ns/mode"), disk $blk, binding took $taken KiB"
}

# after_reload: the kernel log since the last reload
after_reload() {
	dmesg | awk '/pageless-test: reload nd_e820/ { out = "" } { out = out $0 "\n" }
		END { printf "%s", out }'
}

reload
check "default: $ns is bound, /dev/$blk" test -b "/dev/$blk"
check "default: its mode reads raw" grep -qx raw "/sys/bus/nd/devices/$ns/mode"
check "default: /dev/$blk is not DAX capable" grep -qx 0 "/sys/block/$blk/queue/dax"
check "default: ndctl lists the namespace as raw" \
	contains "$(ndctl list -n "$ns" 2>&1)" '"mode":"raw"'
check "default: binding took no memmap ($taken KiB < 4096)" test "$taken" -lt 4096
check "default: nd_e820 says raw namespaces get no struct pages" \
	contains "$(after_reload)" "raw namespaces get no struct pages and no filesystem DAX (nd_e820.pagemap=1 gives them)"
pat=$RUN/raw-pattern
head -c $((1 << 20)) /dev/urandom >"$pat"
check "default: the block device takes 1 MiB at 1 GiB and gives it back" \
	sh -c "dd if=$pat of=/dev/$blk bs=1M seek=1024 oflag=direct status=none &&
		cmp -n $((1 << 20)) $pat /dev/$blk --ignore-initial=0:$((1 << 30))"

mnt=/tmp/raw-pagemap
mkdir -p "$mnt"
# a small file system in the first GiB (the pattern is at 1 GiB)
check "default: mkfs.ext4 on the first GiB of /dev/$blk" \
	mkfs.ext4 -q -F -b 4096 "/dev/$blk" 262144
check_fails "default: ext4 refuses mount -o dax" mount -o dax "/dev/$blk" "$mnt"
umount "$mnt" 2>/dev/null

reload pagemap=1
check "pagemap=1: its mode reads memory" grep -qx memory "/sys/bus/nd/devices/$ns/mode"
check "pagemap=1: ndctl lists the namespace as fsdax" \
	contains "$(ndctl list -n "$ns" 2>&1)" '"mode":"fsdax"'
check "pagemap=1: mount -o dax" mount -o dax "/dev/$blk" "$mnt"
check "pagemap=1: the mount uses DAX" grep -qE "^/dev/$blk $mnt ext4 .*dax" /proc/mounts
check "pagemap=1: unmount" umount "$mnt"
check "pagemap=1: /dev/$blk is DAX capable" grep -qx 1 "/sys/block/$blk/queue/dax"
check "pagemap=1: binding took its memmap ($taken KiB >= 24576)" test "$taken" -ge 24576
check_fails "pagemap=1: nd_e820 does not say raw namespaces lack struct pages" \
	contains "$(after_reload)" "raw namespaces get no struct pages"
check "pagemap=1: the 1 MiB is still there" \
	cmp -n $((1 << 20)) "$pat" "/dev/$blk" --ignore-initial=0:$((1 << 30))

reload
check "default again: the mode reads raw" grep -qx raw "/sys/bus/nd/devices/$ns/mode"
done_testing
