#!/usr/bin/env bash
# Fetch the pinned base kernel source package into the cache, verify it and
# print the path of the kernel tarball inside it.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

deb=$CACHE/${BASE_PKG}_${BASE_VER}_all.deb
tarball=$CACHE/$BASE_PKG-$BASE_VER.tar.xz
mkdir -p "$CACHE" "$BUILD"

verify() {
	echo "$BASE_SHA256  $1" | sha256sum --quiet -c - 2>/dev/null
}

if [ -f "$tarball" ] && [ -f "$deb" ] && verify "$deb"; then
	echo "$tarball"
	exit 0
fi

if ! [ -f "$deb" ] || ! verify "$deb"; then
	rm -f "$deb"
	log "downloading $BASE_PKG=$BASE_VER"
	tmp=$(mktemp -d "$CACHE/dl.XXXXXX")
	# apt-get download writes into the current directory.
	# A fresh machine may have empty or old package lists: refresh them once.
	if ! (cd "$tmp" && apt-get download -q "$BASE_PKG=$BASE_VER") >"$BUILD/fetch.log" 2>&1 &&
	   ! { [ "$(id -u)" -eq 0 ] && apt-get update -q >>"$BUILD/fetch.log" 2>&1 &&
	       (cd "$tmp" && apt-get download -q "$BASE_PKG=$BASE_VER") >>"$BUILD/fetch.log" 2>&1; }; then
		rm -rf "$tmp"
		cat "$BUILD/fetch.log" >&2
		die "$BASE_PKG version $BASE_VER is not available from the package registry.
  Available: $(apt-cache madison "$BASE_PKG" 2>/dev/null | awk '{print $3}' | xargs)
  To re-pin, set BASE_VER and BASE_SHA256 in scripts/lib.sh (sha256sum of the
  new .deb) and update ../shared/DESIGN.md and README.md; check every patch
  still applies with 'make tree'."
	fi
	mv "$tmp"/*.deb "$deb"
	rm -rf "$tmp"
	if ! verify "$deb"; then
		got=$(sha256sum "$deb" | cut -d' ' -f1)
		mv "$deb" "$deb.bad"
		die "SHA-256 mismatch for $BASE_PKG $BASE_VER: expected $BASE_SHA256, got $got (kept as $deb.bad)"
	fi
fi

log "extracting the kernel tarball from the package"
tmp=$(mktemp -d "$CACHE/x.XXXXXX")
dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$tmp" "./$BASE_TARBALL"
mv "$tmp/$BASE_TARBALL" "$tarball"
rm -rf "$tmp"
echo "$tarball"
