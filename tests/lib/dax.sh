# shellcheck shell=bash disable=SC2034 # nd, dev and dsize are for the caller
# make_dax NAMESPACE ALIGN MAP: make NAMESPACE a devdax namespace with
# ALIGN and MAP (mem, dev or none) through libndctl (tests/progs/ndns),
# as one TAP point. Sets nd (the nd dax device), dev (the /dev/daxX.Y node)
# and dsize (its size).
make_dax() {
	local out=
	nd=''
	dev=''
	dsize=''
	if ! ndctl create-namespace -f -e "$1" -m raw >"$TAP_OUT" 2>&1 ||
		! out=$("$PROGS/ndns" devdax "$1" "$2" "$3" 2>&1); then
		not_ok "make $1 devdax map=$3 align $2"
		{ cat "$TAP_OUT"; echo "$out"; } | diag
		return 1
	fi
	ok "make $1 devdax map=$3 align $2 ($out)"
	nd=$(sed -n 's/.*nd=\([^ ]*\).*/\1/p' <<<"$out")
	dev=$(sed -n 's/.*dev=\([^ ]*\).*/\1/p' <<<"$out")
	dsize=$(cat "/sys/bus/dax/devices/${dev#/dev/}/size")
}
