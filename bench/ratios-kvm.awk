# Ratios and goals from the table bench/guest-kvm.sh prints
# (variant first_us second_us pages_4k pages_2m pages_1g).
/GiB$/ { for (i = 1; i <= NF; i++) if ($i == "GiB") gib = $(i - 1) }
$1 ~ /^(none-1G|mem-2M|anon)$/ && $2 ~ /^[0-9]+$/ {
	first[$1] = $2; second[$1] = $3; k4[$1] = $4; m2[$1] = $5; g1[$1] = $6
}
END {
	if (!("none-1G" in first)) {
		print "no results: the guest measured nothing"
		exit 1
	}
	print "# ratios (the other variant / map=none at 1G)"
	printf "%-8s %12s %12s\n", "variant", "first pass", "second pass"
	n = split("mem-2M anon", v, " ")
	for (i = 1; i <= n; i++)
		if (v[i] in first)
			printf "%-8s %12.2f %12.2f\n", v[i], first[v[i]] / first["none-1G"], \
				second[v[i]] / second["none-1G"]
	if (g1["none-1G"] != gib || m2["none-1G"] != 0)
		miss = miss "\n  stage 2: map=none at 1G has " g1["none-1G"] " 1G and " m2["none-1G"] \
			" 2M entries for " gib " GiB (goal: " gib " 1G entries)"
	if (("mem-2M" in first) && first["none-1G"] > first["mem-2M"])
		miss = miss "\n  speed: map=none at 1G is slower than map=mem at 2M on the first pass"
	print miss == "" ? "goals: all met" : "goals missed:" miss
}
