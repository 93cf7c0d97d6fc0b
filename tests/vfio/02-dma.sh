#!/bin/bash
# VFIO type1 DMA into pageless device-dax: edu, bound to vfio-pci behind
# intel-iommu, copies pages between itself and a map=none /dev/dax buffer
# at align 4K, 2M and 1G (pfnmap pfns found through PTE, PMD and PUD
# leaves), with device-dax with pages and anonymous memory as controls;
# unmap cuts the device off; bad input fails cleanly; and a map after the
# namespace was disabled under the buffer gets EFAULT.
. "$TOP/tests/lib/tap.sh"
. "$TOP/tests/lib/edu.sh"

edu_vfio
note "edu is $EDU in IOMMU group $EDU_GROUP"
need_modules nd_e820 nd_pmem dax_pmem device_dax
ns=$(ndctl list -N 2>/dev/null | sed -n 's/.*"dev":"\(namespace[0-9.]*\)".*/\1/p' | head -1)
[ -n "$ns" ] || bail "no namespace on the legacy region"

# make_dax ALIGN MAP: turn $ns into a devdax namespace; sets dev and dsize.
make_dax() {
	local out=
	dev=
	if ! ndctl create-namespace -f -e "$ns" -m raw >"$TAP_OUT" 2>&1 ||
		! out=$("$PROGS/ndns" devdax "$ns" "$1" "$2" 2>&1); then
		not_ok "make $ns devdax map=$2 align $1"
		{ cat "$TAP_OUT"; echo "$out"; } | diag
		return 1
	fi
	ok "make $ns devdax map=$2 align $1 ($out)"
	dev=$(sed -n 's/.*dev=\([^ ]*\).*/\1/p' <<<"$out")
	dsize=$(cat "/sys/bus/dax/devices/${dev#/dev/}/size")
}

for align in 4096 $((2 << 20)) $((1 << 30)); do
	make_dax "$align" none || continue
	# All of it at 2M and 1G (two 1G units), a slice at 4K (TCG is slow).
	len=$dsize
	[ "$align" = 4096 ] && len=$((64 << 20))
	sub_tap "map=none align $align" "$PROGS/vfiodma" test "$EDU_GROUP" "$EDU" \
		"$dev" "$align" "$len" uncounted
done

if make_dax $((2 << 20)) mem; then
	sub_tap "map=mem align 2M" "$PROGS/vfiodma" test "$EDU_GROUP" "$EDU" \
		"$dev" $((2 << 20)) $((256 << 20)) uncounted
fi
sub_tap "anonymous memory" "$PROGS/vfiodma" test "$EDU_GROUP" "$EDU" \
	anon $((2 << 20)) $((64 << 20)) counted

# Disable the namespace under a process that maps it, then map it for DMA.
if make_dax $((2 << 20)) none; then
	rm -f /tmp/vfiodma.in
	mkfifo /tmp/vfiodma.in
	"$PROGS/vfiodma" revoked "$EDU_GROUP" "$EDU" "$dev" $((2 << 20)) "$dsize" \
		</tmp/vfiodma.in >/tmp/vfiodma.out 2>&1 &
	pid=$!
	exec 3>/tmp/vfiodma.in
	for _ in $(seq 100); do
		grep -q mapped /tmp/vfiodma.out && break
		sleep 0.2
	done
	check "a process maps $dev" grep -q mapped /tmp/vfiodma.out
	check "disabling $ns under it succeeds" ndctl disable-namespace "$ns"
	echo go >&3
	exec 3>&-
	rc=0
	wait "$pid" || rc=$?
	# shellcheck disable=SC2016 # $1 is the inner shell's
	sub_tap "disabled" sh -c 'cat /tmp/vfiodma.out; exit "$1"' sh "$rc"
	check "$ns enables again" ndctl enable-namespace "$ns"
fi
done_testing
