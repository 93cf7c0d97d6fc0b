#!/bin/bash
# The series workspace round trip, on a scratch copy of the repository:
# tree -> export changes no file; an un-exported commit or edit fails
# series-check; export brings it into patches/; a fresh tree made from the
# exported series has the same commits.
. "$TOP/tests/lib/tap.sh"

scratch=$BUILD/roundtrip
rm -rf "$scratch"
mkdir -p "$scratch/a" "$scratch/b"
trap 'rm -rf "$scratch"' EXIT
cp -a "$TOP/scripts" "$TOP/patches" "$scratch/a/"
A=$scratch/a
ka() { git -C "$A/build/linux" -c user.name=test -c user.email=test@example.org "$@"; }

check "make tree: a tree from patches/" env BUILD="$A/build" "$A/scripts/tree.sh"
check "make tree again: nothing to do" env BUILD="$A/build" "$A/scripts/tree.sh"
check "the base is tagged and the tree holds the series" \
	test "$(ka rev-list --count base..HEAD)" = "$(grep -vc -e '^#' -e '^$' "$A/patches/series")"
check "make export on an unchanged tree changes no file" \
	bash -c "env BUILD='$A/build' '$A/scripts/export.sh' && diff -r '$TOP/patches' '$A/patches'"
check "series-check passes on an exported tree" env BUILD="$A/build" "$A/scripts/series-check.sh"

echo "roundtrip test" >>"$A/build/linux/README"
check_exit "series-check fails on an uncommitted change" 1 \
	env BUILD="$A/build" "$A/scripts/series-check.sh"
ka commit -q -a -m "README: note the round trip" -m "A commit made by the harness test."
check_exit "series-check fails on an un-exported commit" 1 \
	env BUILD="$A/build" "$A/scripts/series-check.sh"
printf '# emptied\n' >"$scratch/series.empty"
check "export writes the new commit to patches/" \
	env BUILD="$A/build" "$A/scripts/export.sh"
n=$(grep -vc -e '^#' -e '^$' "$A/patches/series")
last=$(grep -v -e '^#' -e '^$' "$A/patches/series" | tail -1)
check "the series lists it last" test -f "$A/patches/$last"
check "the cover letter counts it" \
	grep -q "^Subject: \[PATCH 0/$n\]" "$A/patches/0000-cover-letter.patch"
check "series-check passes after export" env BUILD="$A/build" "$A/scripts/series-check.sh"

# A fresh tree from the exported series.
B=$scratch/b
cp -a "$A/scripts" "$A/patches" "$B/"
check "a fresh tree applies the exported series" env BUILD="$B/build" "$B/scripts/tree.sh"
fmt='%an <%ae>%n%ad%n%B'
check "the fresh tree has identical commits (author, date, message, diff)" \
	bash -c "diff <(git -C '$A/build/linux' log --format='$fmt' -p base..HEAD) \
		<(git -C '$B/build/linux' log --format='$fmt' -p base..HEAD)"
check "re-exporting the fresh tree changes no file" \
	bash -c "env BUILD='$B/build' '$B/scripts/export.sh' && diff -r '$A/patches' '$B/patches'"

# make tree refuses to throw away un-exported work when patches/ moved on.
git -C "$B/build/linux" -c user.name=t -c user.email=t@example.org \
	commit -q --allow-empty -m "local work"
cp "$scratch/series.empty" "$B/patches/series"
check_exit "make tree refuses a tree with un-exported work" 1 \
	env BUILD="$B/build" "$B/scripts/tree.sh"
check "and keeps that work" \
	test "$(git -C "$B/build/linux" log -1 --format=%s)" = "local work"

# A patch that does not apply stops make tree, which names it.
git -C "$B/build/linux" reset -q --hard refs/pageless/synced
printf 'From: nobody\nSubject: [PATCH] broken\n\n---\n--- a/nonexistent\n+++ b/nonexistent\n@@ -1 +1 @@\n-x\n+y\n' \
	>"$B/patches/0001-broken.patch"
echo 0001-broken.patch >>"$B/patches/series"
rc=0
out=$(env BUILD="$B/build" "$B/scripts/tree.sh" 2>&1) || rc=$?
echo "$out" | diag
check "make tree fails on a patch that does not apply" test "$rc" -ne 0
check "and names the patch" contains "$out" "patch 1 (0001-broken.patch) does not apply"
done_testing
