#!/usr/bin/env bash
# make bench [B="devdax vfio kvm"]: run each benchmark in a guest of its own
# (bench/NAME.conf: guest options; bench/guest-NAME.sh: what runs inside;
# bench/ratios-NAME.awk: ratios and goals), write the table and ratios to
# bench/results/NAME.txt and print them. Under TCG only ratios mean anything.
#   devdax  MemFree taken by enabling devdax map=mem/dev/none, enable time,
#           first-touch time per GiB
#   vfio    VFIO_IOMMU_MAP_DMA time and pfn lookups: map=none at each align,
#           one pfn at a time, map=mem, anonymous memory
#   kvm     a nested KVM guest touching 2 GiB of RAM on map=none at 1G,
#           map=mem at 2M and anonymous memory: time and stage-2 entries
#   scale   1 TiB of device-dax in a lazily backed guest with a few GiB of
#           its own (not in the default list: about 30 minutes of TCG):
#           enabling map=none against map=mem, VFIO map/unmap, a KVM
#           memslot, fio's dev-dax engine
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

# bench/guest-scale.sh runs the host's fio in the guest.
case " ${B:-} " in *" scale "*) need_pkgs fio jq;; esac

make -s -C "$TOP/tests/progs" O="$BUILD/progs"
mkdir -p "$BUILD/bench"
cc -O2 -Wall -Wextra -Werror -o "$BUILD/bench/touch" "$TOP/bench/touch.c"
# The bench programs go with the test programs the guest scripts use.
cp "$BUILD/bench/touch" "$BUILD/progs/touch"

for b in ${B:-devdax vfio kvm}; do
	[ -f "$TOP/bench/$b.conf" ] || die "no benchmark '$b' (bench/$b.conf)"
	BENCH_VM=() BENCH_TIMEOUT=3600
	# shellcheck source=bench/devdax.conf
	. "$TOP/bench/$b.conf"
	log "bench $b: one guest; the table is printed when it is done"
	rc=0
	"$TOP/scripts/vm.sh" --name "bench-$b" "${BENCH_VM[@]}" \
		--timeout "$BENCH_TIMEOUT" --job "$TOP/bench/guest-$b.sh" || rc=$?
	out=$BUILD/runs/bench-$b/output.log
	res=$TOP/bench/results/$b.txt
	[ "$rc" -eq 0 ] || die "bench $b: the guest failed (status $rc; see $BUILD/runs/bench-$b/); $res left as it was"
	{
		echo "# make bench B=$b, $(date -u +%Y-%m-%d), series $(git -C "$TOP" rev-parse --short HEAD)"
		grep -v '^>>>' "$out"
		echo
		awk -f "$TOP/bench/ratios-$b.awk" "$out" || echo "FAILED"
	} >"$res.new"
	if grep -q '^FAILED$' "$res.new"; then
		cat "$res.new"
		rm -f "$res.new"
		die "bench $b: no results (see $BUILD/runs/bench-$b/console.log); $res left as it was"
	fi
	mv "$res.new" "$res"
	cat "$res"
done
