# shellcheck shell=bash
# Dynamic dax regions (dax_hmem on soft-reserved memory, vm.sh
# --soft-reserved): the sysfs calls that `daxctl create-device`,
# `daxctl reconfigure-device` and `daxctl destroy-device` make, so that the
# tests need no patched daxctl (ndctl/0002-*.patch adds --map to it).
# Functions whose names end in _tap print TAP (tests/lib/tap.sh); the
# others only return a status, and leave what went wrong in $HMEM_ERR.

DAX_BUS=/sys/bus/dax
DAX_DRV=$DAX_BUS/drivers/device_dax

# hmem_region: the sysfs directory of the first dax_hmem region (sets
# HMEM_REGION and prints it); fails if there is none.
hmem_region() {
	local r
	for r in /sys/bus/platform/devices/hmem.*/dax_region; do
		[ -d "$r" ] || continue
		HMEM_REGION=$r
		echo "$r"
		return 0
	done
	return 1
}

# sysw FILE VALUE: write VALUE to FILE; on failure, $HMEM_ERR says what
# the write returned and what the kernel logged meanwhile.
sysw() {
	local mark out
	mark="pageless-dax-test: $(date +%s%N)"
	echo "$mark" >/dev/kmsg
	if out=$(printf '%s\n' "$2" 2>&1 >"$1"); then
		return 0
	fi
	HMEM_ERR="echo $2 > $1: ${out##*: }; kernel: $(dmesg | sed -n "/$mark/,\$p" | tail -n +2 | sed 's/^\[[^]]*\] //' | tr '\n' ' ')"
	return 1
}

# dyn_new SIZE ALIGN MEMMAP: create a device in the region as
# `daxctl create-device -s SIZE -a ALIGN --map MEMMAP` does: a new device
# from "create", its align, memmap and size, then device_dax bound. Sets
# dev (/dev/daxR.N) and dax (daxR.N); fails, leaving the device created
# but unbound, with $HMEM_ERR.
dyn_new() {
	local d
	dev='' dax=''
	sysw "$HMEM_REGION/create" 1 || return 1
	d=$(cat "$HMEM_REGION/create")
	if [ -z "$d" ] || [ ! -d "$DAX_BUS/devices/$d" ]; then
		HMEM_ERR="create names no device ($d)"
		return 1
	fi
	dax=$d dev=/dev/$d
	sysw "$DAX_BUS/devices/$d/align" "$2" || return 1
	sysw "$DAX_BUS/devices/$d/memmap" "$3" || return 1
	sysw "$DAX_BUS/devices/$d/size" "$1" || return 1
	sysw "$DAX_DRV/bind" "$d" || return 1
	[ -c "$dev" ] || { HMEM_ERR="no $dev"; return 1; }
}

# dyn_new_tap SIZE ALIGN MEMMAP: dyn_new as one TAP point.
dyn_new_tap() {
	HMEM_ERR=''
	if dyn_new "$@"; then
		ok "create $dax: size $1, align $2, memmap $3 (at $(cat "$DAX_BUS/devices/$dax/resource"))"
	else
		not_ok "create a device: size $1, align $2, memmap $3"
		diag <<<"$HMEM_ERR"
		return 1
	fi
}

# dyn_unbind DAX: unbind DAX from its driver, if any.
dyn_unbind() {
	local drv
	[ -L "$DAX_BUS/devices/$1/driver" ] || return 0
	drv=$(readlink -f "$DAX_BUS/devices/$1/driver")
	sysw "$drv/unbind" "$1"
}

# dyn_destroy DAX: what `daxctl destroy-device` does: unbind, size 0,
# delete.
dyn_destroy() {
	dyn_unbind "$1" && sysw "$DAX_BUS/devices/$1/size" 0 &&
		sysw "$HMEM_REGION/delete" "$1"
}

# dyn_ranges DAX: "START-END" of each range (mappingN) of DAX, a line each.
dyn_ranges() {
	local m
	for m in "$DAX_BUS/devices/$1"/mapping*; do
		[ -d "$m" ] && echo "$(cat "$m/start")-$(cat "$m/end")"
	done
	return 0
}

# dyn_bind_cost DAX: what binding DAX to device_dax takes (it is unbound
# first): "KIB USEC", as enable_cost (tests/lib/dax.sh) for nd devices.
dyn_bind_cost() {
	local m0 m1 t0 t1
	dyn_unbind "$1" || return 1
	m0=$(memfree)
	t0=$(date +%s%N)
	sysw "$DAX_DRV/bind" "$1" || return 1
	t1=$(date +%s%N)
	m1=$(memfree)
	echo "$((m0 - m1)) $(( (t1 - t0) / 1000 ))"
}

# refused_tap DESC ERRNO-TEXT MESSAGE FILE VALUE: writing VALUE to FILE
# fails with ERRNO-TEXT (as the shell prints it, e.g. "Invalid argument")
# and the kernel logs MESSAGE.
refused_tap() {
	local desc=$1 err=$2 msg=$3
	HMEM_ERR=''
	if sysw "$4" "$5"; then
		not_ok "$desc: refused"
		echo "# echo $5 > $4 succeeded"
		return
	fi
	if grep -qF -- "$err" <<<"$HMEM_ERR" && grep -qF -- "$msg" <<<"$HMEM_ERR"; then
		ok "$desc: $err, and the kernel says \"$msg\""
	else
		not_ok "$desc: $err, and the kernel says \"$msg\""
		diag <<<"$HMEM_ERR"
	fi
}

# hmem_reset: the region as dax_hmem makes it (dax_hmem unbound from, if
# bound, and bound to its platform device, which deletes every device of the region),
# then its first device, which covers the region, unbound and emptied: the
# whole region free for new devices. Bails out on failure.
hmem_reset() {
	local pdev='' d
	for d in /sys/bus/platform/devices/hmem.*; do
		[ -e "$d" ] && pdev=${d##*/} && break
	done
	[ -n "$pdev" ] || bail "no soft-reserved memory (no hmem platform device)"
	if [ -e "/sys/bus/platform/devices/$pdev/driver" ]; then
		sysw /sys/bus/platform/drivers/hmem/unbind "$pdev" || bail "cannot unbind dax_hmem: $HMEM_ERR"
	fi
	sysw /sys/bus/platform/drivers/hmem/bind "$pdev" || bail "cannot bind dax_hmem: $HMEM_ERR"
	hmem_region >/dev/null || bail "no dax_hmem region after rebinding"
	HMEM_FIRST=
	for d in "$(dirname "$HMEM_REGION")"/dax*.*; do
		[ -d "$d" ] && HMEM_FIRST=${d##*/} && break
	done
	[ -n "$HMEM_FIRST" ] || bail "dax_hmem made no device"
	dyn_unbind "$HMEM_FIRST" || bail "cannot unbind $HMEM_FIRST: $HMEM_ERR"
	sysw "$DAX_BUS/devices/$HMEM_FIRST/size" 0 || bail "cannot empty $HMEM_FIRST: $HMEM_ERR"
}
