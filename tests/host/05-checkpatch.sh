#!/bin/bash
# Every patch of the series passes the kernel's checkpatch.pl --strict.
# The series carries no Signed-off-by (the submitter adds theirs), so that
# one check is off. Run from outside any git tree: checkpatch looks for
# one around the working directory.
. "$TOP/tests/lib/tap.sh"

cp=$BUILD/linux/scripts/checkpatch.pl
[ -x "$cp" ] || bail "no $cp: run make build first"
cd / || bail "cannot leave $TOP"
for p in "$TOP"/patches/[0-9]*.patch; do
	case $p in */0000-cover-letter.patch) continue;; esac
	check "checkpatch --strict ${p##*/}" "$cp" --strict --no-signoff --terse "$p"
done
done_testing
