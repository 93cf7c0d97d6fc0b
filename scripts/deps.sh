#!/usr/bin/env bash
# Install every Debian package the harness uses (Debian 12; run as root).
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"
mkdir -p "$BUILD"
need_pkgs git build-essential flex bison bc libelf-dev libssl-dev cpio kmod xz-utils \
	ccache sparse qemu-system-x86 ndctl daxctl libndctl-dev libdaxctl-dev uuid-dev \
	fio pciutils shellcheck jq ovmf
