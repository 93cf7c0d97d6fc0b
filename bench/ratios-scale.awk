# Ratios and goals from the tables bench/guest-scale.sh prints: the
# section ("## enable", "## vfio", "## kvm", "## fio") says which columns
# a row has. Rows whose numbers are "-" were not measured (a "#" note
# says why).
/^## / { sec = $2; next }
/^#/ || NF < 5 { next }
sec == "enable:" && $4 ~ /^-?[0-9]+$/ {
	k = $1 " " $2
	en_free[k] = $4; en_us[k] = $5; en_gib[k] = $3; seen++
	if ($1 == "none-1G" && ($2 + 0) > (big + 0)) big = $2
	next
}
sec == "enable:" { skipped[$1 " " $2] = 1; next }
sec == "vfio:" && $3 ~ /^[0-9]+$/ {
	vsize = $2; vmap = $3; vunmap = $4; vlook = $5; viova = $6; seen++; next
}
sec == "vfio:" { vfail = 1; next }
sec == "kvm:" && $4 ~ /^[0-9]+$/ {
	ksize = $2; ktouch = $3; kfirst = $4; ksecond = $5; k1g = $8; seen++; next
}
sec == "kvm:" { kfail = 1; next }
sec == "fio" && $3 ~ /^[0-9]+$/ {
	fio_first[$1] = $3; fio_seq[$1] = $4; fio_rand[$1] = $5; seen++; next
}
sec == "fio" { fio_fail[$1] = 1; next }
END {
	if (!seen) {
		print "no results: the guest measured nothing"
		exit 1
	}
	b = "none-1G " big
	print "# enable: map=mem / map=none at 1G (" big "), time and MemFree taken;"
	print "# a variant measured on a smaller namespace is scaled to " big " (linear in size)"
	printf "%-8s %-6s %12s %14s %12s\n", "variant", "size", "time_x", "free_KiB", "scaled_to"
	n = split("mem-1G mem-2M mem-4K", v, " ")
	for (i = 1; i <= n; i++)
		for (k in en_us) {
			split(k, p, " ")
			if (p[1] != v[i])
				continue
			f = (big + 0) / (p[2] + 0)
			nk = "none-1G " p[2]
			t = (nk in en_us && en_us[nk] > 0) ? sprintf("%.1f", en_us[k] / en_us[nk]) : "-"
			printf "%-8s %-6s %12s %14d %12s\n", p[1], p[2], t, en_free[k] * f, \
				f == 1 ? "-" : sprintf("x%.0f", f)
		}
	if (!(b in en_us))
		miss = miss "\n  enable: no map=none 1G namespace over the whole region was measured"
	else {
		if (en_us[b] >= 1000000)
			miss = miss "\n  enable: map=none at 1G took " en_us[b] " us (goal: below 1 s)"
		if (en_free[b] >= 64)
			miss = miss "\n  enable: map=none at 1G took " en_free[b] " KiB (goal: below 64 KiB)"
	}
	print ""
	print "# vfio: lookups of one map and one unmap (goal: at most one per GiB, 1024 for 1 TiB); unmap time / map time (goal: at most 10)"
	if (vmap == "") {
		print "not measured"
		miss = miss "\n  vfio: not measured"
	} else {
		printf "%-6s %12s %14s %12s\n", "size", "map_lookups", "unmap_lookups", "unmap/map"
		printf "%-6s %12d %14d %12.4f\n", vsize, vlook, viova, (vmap > 0 ? vunmap / vmap : 0)
		gib = vsize + 0
		lim = gib > 1024 ? gib : 1024
		if (vlook > lim)
			miss = miss "\n  vfio: map took " vlook " lookups for " vsize " (goal: at most " lim ")"
		if (viova > lim)
			miss = miss "\n  vfio: unmap took " viova " lookups for " vsize " (goal: at most " lim ")"
		if (vunmap > 10 * vmap)
			miss = miss "\n  vfio: unmap took " sprintf("%.1f", vunmap / vmap) "x the map time (goal: 10x)"
	}
	print ""
	print "# kvm: 1G stage-2 entries for the GiB touched (goal: equal)"
	if (kfirst == "") {
		print "not measured"
		miss = miss "\n  kvm: not measured"
	} else {
		printf "%-6s %8s %9s\n", "size", "touched", "pages_1g"
		printf "%-6s %8d %9d\n", ksize, ktouch, k1g
		if (k1g != ktouch)
			miss = miss "\n  kvm: " k1g " 1G entries for " ktouch " GiB touched"
	}
	print ""
	print "# fio dev-dax: map=none / map=mem (throughput: above 1 is faster; first pass: below 1 is faster)"
	if (!("none-2M" in fio_seq) || !("mem-2M" in fio_seq) || fio_seq["mem-2M"] == 0 ||
	    fio_rand["mem-2M"] == 0 || fio_first["mem-2M"] == 0) {
		print "not measured"
		miss = miss "\n  fio: not measured on both map=none and map=mem"
	} else {
		printf "%12s %12s %14s\n", "seq_write", "rand_write", "first_pass"
		printf "%12.2f %12.2f %14.2f\n", fio_seq["none-2M"] / fio_seq["mem-2M"], \
			fio_rand["none-2M"] / fio_rand["mem-2M"], fio_first["none-2M"] / fio_first["mem-2M"]
	}
	print miss == "" ? "goals: all met" : "goals missed:" miss
}
