#!/bin/bash
# A TiB of memmap= memory in a guest with 8 GiB of its own, as a host that
# reserves most of its memory for guests has it. Loading nd_e820 and
# nd_pmem binds the label-less range raw without building a memmap for it
# (16 GiB, twice what the guest has): its block device works, and binding
# took almost nothing. The namespace then becomes a map=none devdax device
# at 1G in well under a second and 64 KiB, and VFIO maps and unmaps all of
# it through edu with at most one pfn lookup per GiB for the map, none for
# the unmap, and an unmap no slower than 10 times the map.
. "$TOP/tests/lib/tap.sh"
. "$TOP/tests/lib/dax.sh"
. "$TOP/tests/lib/edu.sh"
. "$TOP/tests/lib/kprobe.sh"

tib=$((1 << 40))
check "/proc/iomem has the 1 TiB memmap= range as legacy persistent memory" \
	grep -q '^10080000000-2007fffffff : Persistent Memory (legacy)' /proc/iomem
note "MemTotal: $(awk '$1 == "MemTotal:" { print $2 }' /proc/meminfo) kB"

m0=$(memfree)
need_modules nd_e820 nd_pmem
taken=$((m0 - $(memfree)))
ns=$(nd_first namespace -N) || bail "no namespace on the legacy region"
blk=$(basename "$(ls -d "/sys/bus/nd/devices/$ns/block/"* 2>/dev/null)")
note "$ns: mode $(cat "/sys/bus/nd/devices/$ns/mode"), disk $blk; loading took $taken KiB"
check "nd_pmem binds the TiB raw: /dev/$blk" test -b "/dev/$blk"
check "/dev/$blk is 1 TiB" test "$(blockdev --getsize64 "/dev/$blk")" -eq "$tib"
check "its mode reads raw (no struct pages)" grep -qx raw "/sys/bus/nd/devices/$ns/mode"
check "loading took no memmap ($taken KiB < 65536; a memmap would be 16 GiB)" \
	test "$taken" -lt 65536
pat=$RUN/tib-pattern
head -c $((1 << 20)) /dev/urandom >"$pat"
check "the last MiB of the TiB takes a pattern and gives it back" \
	sh -c "dd if=$pat of=/dev/$blk bs=1M seek=$(((tib >> 20) - 1)) oflag=direct status=none &&
		cmp -n $((1 << 20)) $pat /dev/$blk --ignore-initial=0:$((tib - (1 << 20)))"

need_modules dax_pmem device_dax
if make_dax "$ns" $((1 << 30)) none; then
	read -r kib us <<<"$(enable_cost "$nd")"
	note "$nd: $((dsize >> 30)) GiB; enabling took $kib KiB in $us us"
	check "enabling the map=none device takes under 64 KiB ($kib)" test "$kib" -lt 64
	check "and under a second ($us us)" test "$us" -lt 1000000
	edu_vfio
	for p in vfio_lookup:follow_pfnmap_start vfio_i2p:iommu_iova_to_phys; do
		kprobe_add "${p%%:*}" "${p#*:}" || bail "no kprobe events"
	done
	kprobe_arm 1
	l0=$(kprobe_hits vfio_lookup) i0=$(kprobe_hits vfio_i2p)
	# one byte per GiB faulted in first; map, unmap, the medians of 1
	if t=$("$PROGS/vfiodma" bench "$EDU_GROUP" "$EDU" "$dev" "$dsize" 1 $((1 << 30)) 2>&1); then
		kprobe_arm 0
		read -r _ map _ unmap <<<"$t"
		lookups=$(($(kprobe_hits vfio_lookup) - l0)) i2p=$(($(kprobe_hits vfio_i2p) - i0))
		note "VFIO of $((dsize >> 30)) GiB: map $map us, unmap $unmap us; lookups $lookups, iommu_iova_to_phys $i2p"
		check "VFIO map: at most one lookup per GiB ($lookups <= $((dsize >> 30)))" \
			test "$lookups" -ge 1 -a "$lookups" -le $((dsize >> 30))
		check "VFIO unmap: no lookup ($i2p)" test "$i2p" -eq 0
		check "VFIO unmap ($unmap us) within 10x of the map ($map us)" \
			test "$unmap" -le $((map * 10))
	else
		kprobe_arm 0
		not_ok "VFIO map and unmap of the whole device"
		diag <<<"$t"
	fi
	kprobe_clear
fi
done_testing
