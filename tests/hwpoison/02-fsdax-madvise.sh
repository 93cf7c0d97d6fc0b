#!/bin/bash
# A memory error injected with madvise(MADV_HWPOISON) into a file on ext4
# mounted with -o dax on an fsdax (map=mem) namespace, then the file system
# unmounted and the namespace disabled, enabled and destroyed. The caller
# gets SIGBUS BUS_MCEERR_AR for the page (mapped with a PTE: 4K), the kernel
# reports the page recovered, the teardown does not trip over it, the file
# system comes back and the file's data outside the poisoned page is intact.
. "$TOP/tests/lib/tap.sh"
. "$TOP/tests/lib/dax.sh"
. "$TOP/tests/lib/hwpoison.sh"

need_modules nd_e820 nd_pmem dax_pmem device_dax
ns=$(nd_first namespace -N -i) || bail "no namespace on the legacy region"

mnt=/tmp/pmem
file=$mnt/data
len=$((16 << 20))
off=$(( 37 * 4096 + 200 ))
mkdir -p "$mnt"
check "make $ns fsdax map=mem" nd create-namespace -f -e "$ns" -m fsdax --map mem
check "/dev/pmem0 appears" test -b /dev/pmem0
[ -b /dev/pmem0 ] || bail "no /dev/pmem0"
check "mkfs.ext4 /dev/pmem0" mkfs.ext4 -q -F -b 4096 /dev/pmem0
check "mount -o dax" mount -o dax /dev/pmem0 "$mnt"
check "the mount uses DAX" grep -qE "^/dev/pmem0 $mnt ext4 .*dax" /proc/mounts
check "make a $len-byte file" fallocate -l "$len" "$file"

sub_tap "fsdax" "$PROGS/hwpoison" write "$file" "$len" 12
n0=$(mf_count)
hw0=$(hw_corrupted)
sub_tap "fsdax" "$PROGS/hwpoison" madv "$file" "$len" "$off" 12
n1=$(mf_count)
check "memory-failure reports one more dax page recovered ($n0 -> $n1)" \
	test "$n1" -eq $((n0 + 1))
hw1=$(hw_corrupted)
check "HardwareCorrupted grows by 4 kB ($hw0 -> $hw1 kB)" test "$hw1" -eq $((hw0 + 4))

check "unmount" umount "$mnt"
check "disable the namespace" nd disable-namespace "$ns"
check "/dev/pmem0 is gone" test ! -e /dev/pmem0
check "enable the namespace" nd enable-namespace "$ns"
check "/dev/pmem0 comes back" test -b /dev/pmem0
check "mount -o dax again" mount -o dax /dev/pmem0 "$mnt"
sub_tap "fsdax after disable/enable" "$PROGS/hwpoison" verify "$file" "$len" 12 "$off" 4096
check "unmount" umount "$mnt"
check "destroy the namespace" nd destroy-namespace -f "$ns"
check "$ns is disabled, without /dev/pmem0" \
	ns_destroyed "$ns" /dev/pmem0
done_testing
