#!/bin/bash
# Runs inside the KVM benchmark guest (make bench): a nested KVM guest
# touches 2 GiB of its RAM, one word per 4 KiB, backed by device-dax
# map=none at 1G align, map=mem at 2M align and anonymous memory. First
# pass (every stage-2 fault included) and second pass, medians of $REPS
# fresh VMs, and the stage-2 entries of each size after the passes.
set -eu
REPS=${REPS:-3}
# shellcheck source=tests/lib/tap.sh
. "$TOP/tests/lib/tap.sh"
# shellcheck source=tests/lib/dax.sh
. "$TOP/tests/lib/dax.sh"

need_modules kvm_amd nd_e820 nd_pmem dax_pmem device_dax
ns=$(nd_first namespace -N) || bail "no namespace on the legacy region"
size=$((2 << 30))

echo "# kernel $(uname -r), $(nproc) cpu(s); medians of $REPS runs; $((size >> 30)) GiB"
printf '%-8s %12s %12s %9s %9s %9s\n' variant first_us second_us pages_4k pages_2m pages_1g
for v in none-1G mem-2M anon; do
	case $v in
	none-1G) align=$((1 << 30)) map=none;;
	mem-2M) align=$((2 << 20)) map=mem;;
	anon) align=$((2 << 20)) map=;;
	esac
	buf=anon
	if [ -n "$map" ]; then
		dax_new "$ns" "$align" "$map" || bail "$dax_out"
		buf=$dev
	fi
	: >/tmp/kvmbench
	for _ in $(seq "$REPS"); do
		"$PROGS/kvmdax" bench "$buf" "$align" "$size" >>/tmp/kvmbench
	done
	printf '%-8s %12s %12s %9s %9s %9s\n' "$v" \
		"$(awk '{ print $2 }' /tmp/kvmbench | median)" \
		"$(awk '{ print $4 }' /tmp/kvmbench | median)" \
		"$(awk 'END { print $6 }' /tmp/kvmbench)" \
		"$(awk 'END { print $8 }' /tmp/kvmbench)" \
		"$(awk 'END { print $10 }' /tmp/kvmbench)"
done
dax_raw "$ns" >/dev/null
