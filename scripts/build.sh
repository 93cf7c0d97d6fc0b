#!/usr/bin/env bash
# Configure and build the kernel tree: bzImage, modules, the nvdimm unit-test
# modules (tools/testing/nvdimm), and two module trees for the guest:
#   $BUILD/mod/std   in-tree modules only
#   $BUILD/mod/nfit  the same plus nfit_test and the modules it replaces
# Incremental: only what changed is rebuilt; compiles go through ccache.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

need_pkgs build-essential flex bison bc libelf-dev libssl-dev cpio kmod ccache
# Bring the tree up to date with patches/ (after a 'git pull', say). A tree
# with un-exported work of its own is built as it is.
if ! "$TOP/scripts/tree.sh"; then
	[ -d "$KTREE/.git" ] || die "no kernel tree to build"
	warn "building $KTREE as it is, not as patches/ says"
fi

JOBS=${JOBS:-$(( $(nproc) + 1 ))}
export CCACHE_BASEDIR=$KTREE
export CCACHE_MAXSIZE=${CCACHE_MAXSIZE:-8G}
# Fixed build identity: the same sources give the same objects, which keeps
# ccache warm across fresh clones.
export KBUILD_BUILD_TIMESTAMP="2000-01-01" KBUILD_BUILD_USER=pageless KBUILD_BUILD_HOST=qemu
# LOCALVERSION set but empty keeps setlocalversion from appending "+".
export LOCALVERSION=
KMAKE=(make -C "$KTREE" -j"$JOBS" CC="ccache gcc" HOSTCC="ccache gcc")

# 1. Configuration: what 'make tinyconfig' starts from (its fragments from
#    the tree) plus ours, applied with allnoconfig so that nothing else -
#    in particular no earlier .config - leaks in. The result replaces
#    .config only when it differs, so an unchanged config rebuilds nothing.
configure() {
	local frag cfg=$BUILD/config.new all=$BUILD/config.all missing
	mkdir -p "$BUILD"
	log "configuring: tinyconfig + $(cd "$TOP" && echo config/*.config)"
	cat "$KTREE/kernel/configs/tiny-base.config" "$KTREE/kernel/configs/tiny.config" \
		"$KTREE/arch/x86/configs/tiny.config" "$TOP"/config/*.config >"$all"
	"${KMAKE[@]}" -s KCONFIG_CONFIG="$cfg" KCONFIG_ALLCONFIG="$all" \
		allnoconfig >"$BUILD/config.log" 2>&1 ||
		{ cat "$BUILD/config.log" >&2; die "make allnoconfig failed"; }
	# Every option a fragment asks for must have survived Kconfig's
	# dependency resolution: a silently dropped option is a broken config.
	missing=$(for frag in "$TOP"/config/*.config; do
		grep -E '^(CONFIG_[A-Za-z0-9_]+=.*|# CONFIG_[A-Za-z0-9_]+ is not set)$' "$frag" |
		while read -r line; do
			case "$line" in
			"# "*) opt=${line#\# }; opt=${opt%% *}
				grep -q "^$opt=" "$cfg" && echo "  $(basename "$frag"): $line (but $(grep "^$opt=" "$cfg"))";;
			*) grep -qxF "$line" "$cfg" ||
				echo "  $(basename "$frag"): $line (got: $(grep -E "^(# )?${line%%=*}[= ]" "$cfg" || echo unset))";;
			esac
		done
	done)
	[ -z "$missing" ] || die "Kconfig did not honour these config fragment lines:
$missing"
	if cmp -s "$cfg" "$KTREE/.config"; then
		rm -f "$cfg"
	else
		mv "$cfg" "$KTREE/.config"
		log "kernel config updated"
	fi
}

configure
run_logged "building bzImage and modules (-j$JOBS)" "$BUILD/kbuild.log" \
	"${KMAKE[@]}" bzImage modules
KREL=$(make -s -C "$KTREE" kernelrelease)

run_logged "building tools/testing/nvdimm" "$BUILD/nvdimm-build.log" \
	"${KMAKE[@]}" M=tools/testing/nvdimm modules

# The harness's own test modules, built outside the repository.
mkdir -p "$BUILD/kmod"
cp -u "$TOP"/tests/kmod/* "$BUILD/kmod/"
run_logged "building tests/kmod" "$BUILD/kmod-build.log" \
	"${KMAKE[@]}" M="$BUILD/kmod" modules

# Module trees for the guest, rebuilt from scratch each time so that they
# never hold a stale module.
install_mods() {
	rm -rf "$BUILD/mod/std.new" "$BUILD/mod/nfit.new"
	"${KMAKE[@]}" -s INSTALL_MOD_PATH="$BUILD/mod/std.new" INSTALL_MOD_STRIP=1 \
		DEPMOD=/sbin/depmod modules_install
	cp -a "$BUILD/mod/std.new" "$BUILD/mod/nfit.new"
	"${KMAKE[@]}" -s INSTALL_MOD_PATH="$BUILD/mod/nfit.new" INSTALL_MOD_STRIP=1 \
		DEPMOD=/sbin/depmod M=tools/testing/nvdimm modules_install
}
run_logged "installing modules" "$BUILD/modinst.log" install_mods
for t in std nfit; do
	rm -rf "$BUILD/mod/$t"
	mv "$BUILD/mod/$t.new" "$BUILD/mod/$t"
done
cp "$KTREE/arch/x86/boot/bzImage" "$BUILD/bzImage"
echo "$KREL" >"$BUILD/kernelrelease"
log "built $KREL: $BUILD/bzImage, modules in $BUILD/mod/{std,nfit}"
