#!/usr/bin/env bash
# Materialise the kernel git tree: the pristine base as one commit tagged
# 'base', then every patch listed in patches/series applied with 'git am'.
#
# An existing tree is left alone when it already matches patches/, brought
# up to date when it holds no work of its own (e.g. after 'git pull'), and
# refused otherwise, so un-exported work is never thrown away.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=scripts/series-lib.sh
. "$TOP/scripts/series-lib.sh"

create_base() {
	local tarball tmp
	tarball=$("$TOP/scripts/fetch-base.sh")
	tmp=$BUILD/linux.new
	rm -rf "$tmp"
	mkdir -p "$tmp"
	log "unpacking $(basename "$tarball") into $KTREE"
	tar -xf "$tarball" -C "$tmp" --strip-components=1
	# Debian appends a rule to the top-level .gitignore that ignores every
	# top-level path (its packaging keeps only debian/ in git). In a
	# development tree it would hide every new file from 'git status', so
	# the base commit drops those lines; nothing else differs from the
	# package, and no patch touches .gitignore.
	sed -i '/^# Debian packaging: ignore everything/,$d' "$tmp/.gitignore"
	sed -i '${/^#$/d}' "$tmp/.gitignore"
	export GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1
	git -C "$tmp" init -q
	# The base adds ~80000 loose objects; an automatic gc would repack
	# them in the background after the next commands. Run 'git gc' by
	# hand when convenient.
	git -C "$tmp" config gc.auto 0
	if git -C "$tmp" check-ignore -q Makefile; then
		die "the base's .gitignore still ignores top-level files: Debian's packaging rule changed; update create_base in scripts/tree.sh"
	fi
	log "committing the pristine base (takes about a minute)"
	git -C "$tmp" add -A
	GIT_AUTHOR_DATE="2000-01-01T00:00:00Z" GIT_COMMITTER_DATE="2000-01-01T00:00:00Z" \
	git -C "$tmp" -c user.name="$PROJECT_NAME" -c user.email="$PROJECT_EMAIL" \
		commit -q -m "Debian $BASE_PKG $BASE_VER (base)" \
		-m "Pristine source of Debian's $BASE_PKG package, version $BASE_VER."
	git -C "$tmp" tag base
	mv "$tmp" "$KTREE"
}

apply_series() {
	local p n=0
	kgit checkout -q -B main base
	while read -r p; do
		n=$((n + 1))
		if ! kgit am -q --keep-non-patch --whitespace=nowarn "$TOP/patches/$p" >&2; then
			die "patch $n ($p) does not apply on top of the tree.
  The tree at $KTREE is left in the middle of 'git am': fix the patch there
  and 'git am --continue', or 'git am --abort'; then 'make export'."
		fi
	done < <(series_list)
	mark_synced
	log "tree ready: $(kgit rev-list --count base..HEAD) patch(es) on base at $KTREE"
}

mkdir -p "$BUILD"
if [ -d "$KTREE/.git" ] && kgit rev-parse -q --verify base >/dev/null; then
	busy=$(tree_busy)
	[ -z "$busy" ] || die "$busy"
	if tree_matches_series; then
		log "tree is up to date with patches/ ($KTREE)"
		mark_synced
		exit 0
	fi
	if tree_has_own_work; then
		die "the tree at $KTREE has commits or changes that are not in patches/,
  and patches/ differs from it. Run 'make export' to keep the tree's work,
  or remove $KTREE to rebuild it from patches/."
	fi
	log "patches/ changed since the tree was last synced: re-applying the series"
	apply_series
	exit 0
fi

[ -e "$KTREE" ] && die "$KTREE exists but is not a kernel tree made by 'make tree'; remove it"
create_base
apply_series
