# Ratios and goals from the table bench/guest-devdax.sh prints
# (size align map free_kb enable_us touch_us_gib dax_size).
$1 ~ /^[0-9]+G$/ && $4 != "-" {
	k = $1 " " $2 " " $3
	mem[k] = $4; en[k] = $5; touch[k] = $6; seen[$1 " " $2] = 1
}
# dynamic devices (dax_hmem): "hmem1G 2M none ..."
$1 ~ /^hmem[0-9]+G$/ && $4 != "-" {
	k = substr($1, 5) " " $2 " " $3
	hmem[k] = $4; hen[k] = $5; htouch[k] = $6; hseen[substr($1, 5) " " $2] = 1
}
# cell(i): the size and align of table cell i (1G 2M, 1G 1024M, 2G 2M,
# ...), as "SIZE ALIGN"; sets sz and al.
function cell(i) {
	sz = (2 ^ int(i / 2)) "G"
	al = i % 2 ? "1024M" : "2M"
	return sz " " al
}
END {
	if (!length(seen)) {
		print "no results: the guest measured nothing"
		exit 1
	}
	print "# ratios (map=none against the others, same size and align)"
	printf "%-5s %-5s %10s %10s %10s %15s %15s\n", "size", "align", \
		"none_kb", "mem_kb", "dev_kb", "touch none/mem", "touch none/dev"
	for (i = 0; i < 6; i++) {
		g = cell(i)
		if (!(g in seen) || !((g " none") in mem))
			continue
		printf "%-5s %-5s %10d %10d %10d %15.2f %15.2f\n", sz, al, \
			mem[g " none"], mem[g " mem"], mem[g " dev"], \
			touch[g " none"] / touch[g " mem"], touch[g " none"] / touch[g " dev"]
		if (mem[g " none"] > 64)
			miss = miss "\n  memory: map=none took " mem[g " none"] " KiB at " g " (goal: at most 64)"
		if (touch[g " none"] > touch[g " mem"])
			miss = miss "\n  touch: map=none slower than map=mem at " g
	}
	# Enable time must not grow with size: 4G against the smallest size
	# that exists at that align (1G align leaves nothing of a 1 GiB one).
	for (a = 0; a < 2; a++) {
		al = a ? "1024M" : "2M"
		small = ("1G " al " none") in en ? "1G" : "2G"
		if (!(("4G " al " none") in en) || !((small " " al " none") in en))
			continue
		r = en["4G " al " none"] / en[small " " al " none"]
		rm = en["4G " al " mem"] / en[small " " al " mem"]
		printf "enable time 4G/%s at align %s: map=none %.2f, map=mem %.2f\n", small, al, r, rm
		if (r > 1.5)
			miss = miss "\n  enable: map=none 4G/" small " = " r " at " al " (goal: at most 1.5)"
	}
	if (!length(hseen))
		miss = miss "\n  dynamic devices: none measured (no dax_hmem region?)"
	print "# dynamic devices (dax_hmem), memmap none against mem, same size and align"
	printf "%-5s %-5s %10s %10s %12s %15s\n", "size", "align", "none_kb", "mem_kb", \
		"enable n/m", "touch none/mem"
	for (i = 0; i < 6; i++) {
		g = cell(i)
		if (!((g " none") in hmem) || !((g " mem") in hmem))
			continue
		printf "%-5s %-5s %10d %10d %12.2f %15.2f\n", sz, al, hmem[g " none"], \
			hmem[g " mem"], hen[g " none"] / hen[g " mem"], \
			htouch[g " none"] / htouch[g " mem"]
		if (hmem[g " none"] > 64)
			miss = miss "\n  memory: memmap none took " hmem[g " none"] " KiB at dynamic " g " (goal: at most 64)"
		if (hen[g " none"] > hen[g " mem"])
			miss = miss "\n  enable: memmap none slower than mem at dynamic " g
	}
	for (a = 0; a < 2; a++) {
		al = a ? "1024M" : "2M"
		if (!(("4G " al " none") in hen) || !(("1G " al " none") in hen))
			continue
		r = hen["4G " al " none"] / hen["1G " al " none"]
		printf "dynamic enable time 4G/1G at align %s: none %.2f, mem %.2f\n", al, r, \
			hen["4G " al " mem"] / hen["1G " al " mem"]
		if (r > 1.5)
			miss = miss "\n  enable: dynamic none 4G/1G = " r " at " al " (goal: at most 1.5)"
	}
	print miss == "" ? "goals: all met" : "goals missed:" miss
}
