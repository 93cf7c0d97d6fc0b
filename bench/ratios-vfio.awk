# Ratios and goals from the table bench/guest-vfio.sh prints
# (variant size map_us unmap_us lookups gup_calls).
$2 ~ /^[0-9]+G$/ && $3 ~ /^[0-9]+$/ {
	k = $1 " " $2
	map[k] = $3; unmap[k] = $4; look[k] = $5; gup[k] = $6; seen[$2] = 1
}
END {
	if (!length(seen)) {
		print "no results: the guest measured nothing"
		exit 1
	}
	print "# ratios of map time (the other variant / map=none at 1G, same size)"
	printf "%-5s %12s %12s %12s %12s %12s\n", "size", "none-1G-4K", "none-4K", \
		"none-2M", "mem-2M", "anon"
	for (s = 1; s <= 4; s *= 2) {
		g = s "G"
		b = "none-1G " g
		if (!(b in map) || map[b] == 0)
			continue
		printf "%-5s", g
		n = split("none-1G-4K none-4K none-2M mem-2M anon", v, " ")
		for (i = 1; i <= n; i++)
			if ((v[i] " " g) in map)
				printf " %12.1f", map[v[i] " " g] / map[b]
			else
				printf " %12s", "-"
		printf "\n"
		if (look[b] != s)
			miss = miss "\n  lookups: map=none at 1G took " look[b] " for " g " (goal: " s ")"
		if (("none-1G-4K " g) in map && map["none-1G-4K " g] < 100 * map[b])
			miss = miss "\n  speed: one 4 KiB pfn at a time is only " \
				sprintf("%.1f", map["none-1G-4K " g] / map[b]) "x slower at " g " (goal: 100x)"
		if (("mem-2M " g) in map && map["mem-2M " g] <= map[b])
			miss = miss "\n  speed: map=none at 1G is not faster than map=mem at " g
	}
	print ""
	print "# unmap time / map time, same variant and size (goal for map=none: at most 10)"
	printf "%-5s %12s %12s %12s %12s %12s %12s\n", "size", "none-1G", "none-1G-4K", \
		"none-4K", "none-2M", "mem-2M", "anon"
	for (s = 1; s <= 4; s *= 2) {
		g = s "G"
		printf "%-5s", g
		n = split("none-1G none-1G-4K none-4K none-2M mem-2M anon", v, " ")
		for (i = 1; i <= n; i++) {
			k = v[i] " " g
			if ((k in map) && map[k] > 0)
				printf " %12.2f", unmap[k] / map[k]
			else
				printf " %12s", "-"
		}
		printf "\n"
		k = "none-1G " g
		if ((k in map) && unmap[k] > 10 * map[k])
			miss = miss "\n  unmap: map=none at 1G unmaps " g " in " \
				sprintf("%.1f", unmap[k] / map[k]) "x its map time (goal: 10x)"
	}
	print miss == "" ? "goals: all met" : "goals missed:" miss
}
