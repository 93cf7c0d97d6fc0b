#!/bin/bash
# Runs inside the benchmark guest (scripts/bench.sh): for each legacy pmem
# region (1, 2 and 4 GiB), align 2M and 1G, and map mem, dev and none,
# measure what enabling the devdax namespace costs in MemFree and time,
# and the first-touch time per GiB of mapping it. Medians of $REPS runs.
set -eu
REPS=${REPS:-3}
# shellcheck source=tests/lib/dax.sh
. "$TOP/tests/lib/dax.sh"

modprobe -a nd_e820 nd_pmem dax_pmem device_dax 2>/dev/null
echo "# kernel $(uname -r), $(nproc) cpu(s); medians of $REPS runs"
printf '%-5s %-5s %-5s %12s %12s %14s %10s\n' \
	size align map free_kb enable_us touch_us_gib dax_size
nd_names namespace -N | sort -V |
while read -r ns; do
	nssize=$(cat "/sys/bus/nd/devices/$ns/size")
	for align in $((2 << 20)) $((1 << 30)); do
		for map in mem dev none; do
			if ! dax_new "$ns" "$align" "$map"; then
				# e.g. 1G align on a 1 GiB namespace: no room after the info block
				printf '%-5s %-5s %-5s %12s %12s %14s %10s  # %s\n' \
					"$((nssize >> 30))G" "$((align >> 20))M" "$map" - - - - \
					"$(tail -1 <<<"$dax_out")"
				continue
			fi
			for _ in $(seq "$REPS"); do
				enable_cost "$nd" >>/tmp/enable
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
	dax_raw "$ns" >/dev/null
done
