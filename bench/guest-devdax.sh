#!/bin/bash
# Runs inside the benchmark guest (scripts/bench.sh): for each legacy pmem
# region (1, 2 and 4 GiB), align 2M and 1G, and map mem, dev and none,
# measure what enabling the devdax namespace costs in MemFree and time,
# and the first-touch time per GiB of mapping it; then the same for
# devices of 1, 2 and 4 GiB of a dax_hmem region (the soft-reserved
# 4 GiB, vm.sh --soft-reserved) with memmap mem and none, made with the
# sysfs calls of daxctl create-device, in rows marked "hmem" in the first
# column. Medians of $REPS runs.
set -eu
REPS=${REPS:-3}
# shellcheck source=tests/lib/tap.sh
. "$TOP/tests/lib/tap.sh"
# shellcheck source=tests/lib/dax.sh
. "$TOP/tests/lib/dax.sh"
# shellcheck source=tests/lib/hmem.sh
. "$TOP/tests/lib/hmem.sh"

# row SIZE-LABEL ALIGN MAP [NOTE]: a table row with only dashes, and NOTE.
row() {
	printf '%-5s %-5s %-5s %12s %12s %14s %10s  # %s\n' "$1" "$(($2 >> 20))M" "$3" - - - - "$4"
}
# measure SIZE-LABEL ALIGN MAP DEV SIZE COST-COMMAND...: $REPS times what
# COST-COMMAND prints ("KIB USEC", a rebind) and the first touch of SIZE
# bytes of DEV, then the row of their medians.
measure() {
	local label=$1 align=$2 map=$3 dev=$4 size=$5
	shift 5
	for _ in $(seq "$REPS"); do
		"$@" >>/tmp/enable
		"$PROGS/touch" "$dev" "$size" | awk '{ print int($2 / 1000) }' >>/tmp/touch
	done
	printf '%-5s %-5s %-5s %12s %12s %14s %10s\n' "$label" "$((align >> 20))M" "$map" \
		"$(cut -d' ' -f1 /tmp/enable | median)" "$(cut -d' ' -f2 /tmp/enable | median)" \
		"$(median </tmp/touch)" "$size"
	rm -f /tmp/enable /tmp/touch
}

modprobe -a nd_e820 nd_pmem dax_pmem device_dax dax_hmem 2>/dev/null
echo "# kernel $(uname -r), $(nproc) cpu(s); medians of $REPS runs"
printf '%-5s %-5s %-5s %12s %12s %14s %10s\n' \
	size align map free_kb enable_us touch_us_gib dax_size
nd_names namespace -N | sort -V |
while read -r ns; do
	nssize=$(cat "/sys/bus/nd/devices/$ns/size")
	for align in $((2 << 20)) $((1 << 30)); do
		for map in mem dev none; do
			if dax_new "$ns" "$align" "$map"; then
				measure "$((nssize >> 30))G" "$align" "$map" "$dev" "$dsize" enable_cost "$nd"
			else
				# e.g. 1G align on a 1 GiB namespace: no room after the info block
				row "$((nssize >> 30))G" "$align" "$map" "$(tail -1 <<<"$dax_out")"
			fi
		done
	done
	dax_raw "$ns" >/dev/null
done

hmem_reset
for size in $((1 << 30)) $((2 << 30)) $((4 << 30)); do
	for align in $((2 << 20)) $((1 << 30)); do
		for map in mem none; do
			if dyn_new "$size" "$align" "$map"; then
				measure "hmem$((size >> 30))G" "$align" "$map" "$dev" "$size" dyn_bind_cost "$dax"
			else
				row "hmem$((size >> 30))G" "$align" "$map" "$HMEM_ERR"
			fi
			dyn_destroy "$dax" || echo "# cannot destroy $dax: $HMEM_ERR"
		done
	done
done
