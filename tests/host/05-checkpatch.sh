#!/bin/bash
# Every patch of the series passes the kernel's checkpatch.pl --strict.
# The series carries no Signed-off-by (the submitter adds theirs), so that
# one check is off. Run from outside any git tree: checkpatch looks for
# one around the working directory. Without one it cannot look up the
# upstream commits a patch names (Fixes: tags; the base is one squashed
# commit anyway), so that check is off too.
. "$TOP/tests/lib/tap.sh"

cp=$BUILD/linux/scripts/checkpatch.pl
[ -x "$cp" ] || bail "no $cp: run make build first"
cd / || bail "cannot leave $TOP"
for p in "$TOP"/patches/[0-9]*.patch; do
	case $p in */0000-cover-letter.patch) continue;; esac
	check "checkpatch --strict ${p##*/}" "$cp" --strict --no-signoff --ignore UNKNOWN_COMMIT_ID --terse "$p"
done
done_testing
