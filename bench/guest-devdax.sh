#!/bin/bash
# Runs inside the benchmark guest (scripts/bench.sh): for each legacy pmem
# region (1, 2 and 4 GiB), align 2M and 1G, and map mem, dev and none,
# measure what enabling the devdax namespace costs in MemFree and time,
# and the first-touch time per GiB of mapping it. Medians of $REPS runs.
set -eu
REPS=${REPS:-3}
dax_drv=/sys/bus/nd/drivers/dax_pmem

# Free memory in KiB once the page cache is dropped: the buddy allocator's
# free pages plus those parked on per-cpu lists (which MemFree leaves out,
# a batch of 63 pages at a time), so the difference is what enable took.
memfree() {
	sync
	echo 3 >/proc/sys/vm/drop_caches
	awk '$1 == "pages" && $2 == "free" { f += $3 } $1 == "count:" { f += $2 }
		END { print f * 4 }' /proc/zoneinfo
}
now_us() { echo $(( $(date +%s%N) / 1000 )); }
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

modprobe -a nd_e820 nd_pmem dax_pmem device_dax 2>/dev/null
echo "# kernel $(uname -r), $(nproc) cpu(s); medians of $REPS runs"
printf '%-5s %-5s %-5s %12s %12s %14s %10s\n' \
	size align map free_kb enable_us touch_us_gib dax_size
for d in /sys/bus/nd/devices/namespace*; do echo "${d##*/}"; done | sort -V |
while read -r ns; do
	nssize=$(cat "/sys/bus/nd/devices/$ns/size")
	for align in $((2 << 20)) $((1 << 30)); do
		for map in mem dev none; do
			ndctl create-namespace -f -e "$ns" -m raw >/dev/null
			if ! out=$("$PROGS/ndns" devdax "$ns" "$align" "$map" 2>&1); then
				# e.g. 1G align on a 1 GiB namespace: no room after the info block
				printf '%-5s %-5s %-5s %12s %12s %14s %10s  # %s\n' \
					"$((nssize >> 30))G" "$((align >> 20))M" "$map" - - - - \
					"$(tail -1 <<<"$out")"
				continue
			fi
			nd=${out#nd=}
			nd=${nd%% *}
			dev=${out##*dev=}
			dsize=$(cat "/sys/bus/dax/devices/${dev#/dev/}/size")
			for _ in $(seq "$REPS"); do
				echo "$nd" >"$dax_drv/unbind"
				m0=$(memfree)
				t0=$(now_us)
				echo "$nd" >"$dax_drv/bind"
				t1=$(now_us)
				m1=$(memfree)
				echo "$((m0 - m1)) $((t1 - t0))" >>/tmp/enable
				"$PROGS/touch" "$dev" "$dsize" | awk '{ print int($2 / 1000) }' >>/tmp/touch
			done
			printf '%-5s %-5s %-5s %12s %12s %14s %10s\n' \
				"$((nssize >> 30))G" "$((align >> 20))M" "$map" \
				"$(cut -d' ' -f1 /tmp/enable | median)" \
				"$(cut -d' ' -f2 /tmp/enable | median)" \
				"$(median </tmp/touch)" "$dsize"
			rm -f /tmp/enable /tmp/touch
		done
	done
	ndctl create-namespace -f -e "$ns" -m raw >/dev/null
done
