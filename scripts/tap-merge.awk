# Merge the TAP of several test scripts into one stream with global numbers.
# Input: the output of a job, where each script's output is framed by
#   @@@ begin NAME            and       @@@ end NAME STATUS
# Variables: group (prefix for names), n (last number used), expect (the
# space-separated script names that should run), state (file that receives
# "n pass fail skip" at the end).
# A "not ok" is a failure whatever its directive; "ok ... # SKIP" is a skip.
function point(okay, desc, directive) {
	n++
	if (!okay) fail++
	else if (directive ~ /^SKIP/) skip++
	else pass++
	printf "%s %d - %s%s\n", okay ? "ok" : "not ok", n, desc, directive != "" ? " # " directive : ""
	fflush()
}
function finish(name, status) {
	if (bailed)
		;
	else if (plan < 0)
		point(0, group "/" name ": printed no TAP plan (died after " points " checks)", "")
	else if (plan != points)
		point(0, group "/" name ": planned " plan " checks, ran " points, "")
	if (status == 124)
		point(0, group "/" name ": timed out", "")
	else if (status != 0 && failed == 0 && !bailed)
		point(0, group "/" name ": exited with status " status " though no check failed", "")
	done[name] = 1
	cur = ""
}
BEGIN { pass = fail = skip = 0; cur = "" }
{ sub(/\r$/, "") }
/^@@@ begin / {
	if (cur != "") finish(cur, 1)
	cur = $3; points = 0; plan = -1; failed = 0; bailed = 0; badnum = 0
	print "# " group "/" cur; fflush()
	next
}
/^@@@ end / {
	if ($3 == cur) finish(cur, $4 + 0)
	next
}
cur != "" && /^(not )?ok [0-9]+/ {
	okay = ($1 == "ok")
	num = okay ? $2 : $3
	desc = " " $0
	sub(/^ (not )?ok [0-9]+/, "", desc)
	directive = ""
	if (match(tolower(desc), /[ \t]#[ \t]*(skip|todo)/)) {
		directive = substr(desc, RSTART + 1)
		desc = substr(desc, 1, RSTART - 1)
		sub(/^#[ \t]*/, "", directive)
		directive = toupper(substr(directive, 1, 4)) substr(directive, 5)
	}
	sub(/^ (- )?/, "", desc)
	if (desc == "") desc = "(no description)"
	points++
	if (!okay) failed++
	# Numbers must run 1, 2, 3...: anything else is TAP from a program
	# the script ran, or a script that lost count.
	if (num + 0 != points && !badnum) {
		badnum = 1
		point(0, group "/" cur ": test number " num " out of sequence (expected " points ")", "")
	}
	point(okay, group "/" cur ": " desc, directive)
	next
}
cur != "" && /^1\.\.[0-9]+/ {
	if (plan >= 0)
		point(0, group "/" cur ": a second TAP plan", "")
	plan = substr($1, 4) + 0
	next
}
cur != "" && /^Bail out!/ {
	bailed = 1
	point(0, group "/" cur ": " $0, "")
	next
}
/^#/ { print; fflush(); next }
{ print "# " $0; fflush() }
END {
	if (cur != "") {
		bailed = 1
		point(0, group "/" cur ": did not finish (the guest died or was killed)", "")
		done[cur] = 1
	}
	k = split(expect, names, " ")
	for (i = 1; i <= k; i++)
		if (!(names[i] in done))
			point(0, group "/" names[i] ": did not run", "")
	print n, pass, fail, skip > state
}
