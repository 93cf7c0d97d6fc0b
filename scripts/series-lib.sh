# shellcheck shell=bash
# Helpers shared by tree.sh, export.sh and series-check.sh. Sourced after
# lib.sh.

# shellcheck disable=SC2034 # used by the scripts that source this file
COVER=0000-cover-letter.patch

# Patch file names in series order.
series_list() {
	[ -f "$TOP/patches/series" ] || return 0
	grep -v -e '^[[:space:]]*#' -e '^[[:space:]]*$' "$TOP/patches/series" || true
}

# Write the tree's commits since 'base' as mails into directory $1, with
# options pinned so that the output does not depend on the user's git
# configuration: re-exporting an unchanged tree gives identical bytes.
format_series() {
	local out=$1 n
	n=$(kgit rev-list --count base..HEAD)
	[ "$n" -gt 0 ] || return 0
	kgit -c core.abbrev=12 -c diff.algorithm=myers -c diff.renames=true \
		-c diff.noprefix=false -c diff.mnemonicPrefix=false \
		-c format.signature= -c format.coverLetter=false \
		-c format.forceInBodyFrom=false \
		format-patch -q --zero-commit --no-signature --numbered \
		--no-to --no-cc --no-add-header --no-base --no-notes \
		--no-attach --suffix=.patch --filename-max-length=64 -U3 \
		--subject-prefix=PATCH --no-thread -o "$out" base..HEAD >/dev/null
}

# True when the tree's commits since base are exactly the series in patches/.
tree_matches_series() {
	local tmp rc=0 f
	tmp=$(mktemp -d)
	format_series "$tmp"
	(cd "$tmp" && find . -name '*.patch' | sed 's|^\./||' | sort) >"$tmp/.have"
	series_list | sort >"$tmp/.want"
	if ! cmp -s "$tmp/.have" "$tmp/.want"; then
		rc=1
	else
		while read -r f; do
			cmp -s "$tmp/$f" "$TOP/patches/$f" || { rc=1; break; }
		done <"$tmp/.have"
		# The order matters too: series must list the files as numbered.
		series_list | cmp -s - "$tmp/.have" || rc=1
	fi
	rm -rf "$tmp"
	return $rc
}

# Why the tree cannot be exported or re-made now, if it cannot: a 'git am'
# or rebase under way, or a detached HEAD. Prints nothing when it can.
tree_busy() {
	if [ -d "$(kgit rev-parse --git-path rebase-apply)" ] ||
	   [ -d "$(kgit rev-parse --git-path rebase-merge)" ]; then
		echo "$KTREE is in the middle of 'git am' or a rebase: finish or abort it first"
	elif ! kgit symbolic-ref -q HEAD >/dev/null; then
		echo "$KTREE has a detached HEAD: check out the branch that holds the series"
	fi
}

# True when the tree holds uncommitted changes (untracked files included).
tree_dirty() {
	[ -n "$(kgit status --porcelain --untracked-files=normal)" ]
}

# True when the tree moved since it was last made from, or exported to,
# patches/, or has uncommitted changes.
tree_has_own_work() {
	tree_dirty && return 0
	[ "$(kgit rev-parse HEAD)" != "$(kgit rev-parse -q --verify refs/pageless/synced || true)" ]
}

mark_synced() {
	kgit update-ref refs/pageless/synced HEAD
}
