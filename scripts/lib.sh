# shellcheck shell=bash
# Common helpers for the pageless device-dax harness. Sourced, not run.

# Repository root (this file lives in scripts/).
TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export TOP

# Pinned base: Debian 12's linux-source-6.1 (see ../shared/DESIGN.md).
# shellcheck disable=SC2034 # used by the scripts that source this file
readonly BASE_PKG=linux-source-6.1 BASE_VER=6.1.192-2 \
	BASE_SHA256=ae95fe63d4c553f8d0e6c86cb1ab566f3894a43743eb19ab585cd97d82f26514 \
	BASE_TARBALL=usr/src/linux-source-6.1.tar.xz

# CI may run with a bare environment; git, ccache and the cache need a home.
export HOME=${HOME:-$(getent passwd "$(id -u)" | cut -d: -f6)}

# Everything generated lives under $BUILD (ignored by git); downloads are
# cached outside the work tree so a fresh clone does not fetch them again.
BUILD=${BUILD:-$TOP/build}
CACHE=${PAGELESS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pageless-dax}
KTREE=$BUILD/linux
export BUILD CACHE KTREE

# The project is the author of record of every patch (see README.md).
PROJECT_NAME="Pageless device-dax project"
PROJECT_EMAIL="pageless-dax@example.org"

log()  { printf '>>> %s\n' "$*" >&2; }
warn() { printf 'warning: %s\n' "$*" >&2; }
die()  { printf 'error: %s\n' "$*" >&2; exit 1; }

# Kbuild, the kernel command line and QEMU's option syntax cannot take
# these characters in the paths they are given.
case "$TOP$BUILD" in
*[[:space:],:]*) die "the repository and build paths must not contain spaces, commas or colons: $TOP, $BUILD";;
esac

# Run a git command in the kernel tree with the project's identity and
# without the user's or the system's git configuration, so that what the
# series scripts write does not depend on who runs them.
kgit() {
	GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1 \
	git -C "$KTREE" -c user.name="$PROJECT_NAME" \
		-c user.email="$PROJECT_EMAIL" "$@"
}

# Install Debian packages that are missing; quiet when all are present.
need_pkgs() {
	local missing=() p
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
			grep -q 'install ok installed' || missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	if [ "$(id -u)" -ne 0 ]; then
		die "missing Debian packages: ${missing[*]} (run as root, or: apt-get install ${missing[*]})"
	fi
	log "installing Debian packages: ${missing[*]}"
	if ! apt-get install -y -q "${missing[@]}" >"$BUILD/apt.log" 2>&1; then
		apt-get update -q >>"$BUILD/apt.log" 2>&1 || true
		apt-get install -y -q "${missing[@]}" >>"$BUILD/apt.log" 2>&1 ||
			die "apt-get install ${missing[*]} failed; see $BUILD/apt.log"
	fi
}

# Run a long command in the foreground (so that Ctrl-C stops it) with its
# output in a log file, showing a heartbeat with the elapsed time and the
# log's last line; on failure show the log's tail and stop.
run_logged() {
	local what=$1 logf=$2 hb start rc=0
	shift 2
	start=$(date +%s)
	: >"$logf"
	# The heartbeat ends with this script ($$), even if it is killed.
	( while sleep 15 && kill -0 $$ 2>/dev/null; do
		log "$what: $(( $(date +%s) - start ))s ... $(tail -n 1 "$logf" | cut -c1-90)"
	  done ) &
	hb=$!
	"$@" >"$logf" 2>&1 || rc=$?
	kill "$hb" 2>/dev/null
	wait "$hb" 2>/dev/null || true
	if [ "$rc" -ne 0 ]; then
		tail -n 40 "$logf" >&2
		die "$what failed (exit $rc); full log: $logf"
	fi
	log "$what: done in $(( $(date +%s) - start ))s"
}
