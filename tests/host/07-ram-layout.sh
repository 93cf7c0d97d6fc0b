#!/bin/bash
# scripts/vm.sh computes the guest's RAM layout as QEMU 7.2's q35 makes it
# and refuses, before QEMU starts, a layout that would hurt: a memmap=
# range outside the RAM QEMU gives the guest (the kernel would reserve
# addresses nothing backs, and the RAM it leaves would all be System RAM),
# one beyond the vCPU's physical address bits, a guest with more than
# SYSRAM_MAX of System RAM, RAM QEMU cannot place in those bits. Each case
# through --show-command (TCG: an AMD vCPU with 40 physical address bits
# unless --phys-bits or --lazy-ram). Every test group's and benchmark's
# guest still boots as before.
. "$TOP/tests/lib/tap.sh"
export ACCEL=tcg

# vm ARGS...: vm.sh --show-command, its quoting (\,) taken out.
vm() {
	local o rc=0
	o=$("$TOP/scripts/vm.sh" --show-command "$@" 2>&1) || rc=$?
	printf '%s\n' "${o//\\/}"
	return "$rc"
}

# accepted DESC ARGS...: vm.sh prints a QEMU command line.
accepted() {
	local desc=$1 out rc=0
	shift
	out=$(vm "$@" 2>&1) || rc=$?
	if [ "$rc" -eq 0 ] && grep -q '^qemu-system-x86_64 ' <<<"$out"; then
		ok "$desc"
	else
		not_ok "$desc"
		diag <<<"exit $rc: $out"
	fi
}
# refused DESC TEXT ARGS...: vm.sh exits 1 with an error containing TEXT
# and no QEMU command line.
refused() {
	local desc=$1 text=$2 out rc=0
	shift 2
	out=$(vm "$@" 2>&1) || rc=$?
	if [ "$rc" -eq 1 ] && grep -qF -- "$text" <<<"$out" && ! grep -q '^qemu-system' <<<"$out"; then
		ok "$desc"
	else
		not_ok "$desc"
		diag <<<"exit $rc (want 1 and '$text'): $out"
	fi
}

for conf in "$TOP"/tests/*/vm.conf; do
	g=$(basename "$(dirname "$conf")")
	accepted "test group $g boots as its vm.conf says" --group "$g"
done
for conf in "$TOP"/bench/*.conf; do
	BENCH_VM=()
	# shellcheck source=bench/devdax.conf
	. "$conf"
	accepted "bench $(basename "$conf" .conf) boots as its conf says" "${BENCH_VM[@]}"
done

# The lazily backed 1 TiB guest of bench/scale.conf.
big=(--lazy-ram --mem 1032G)
out=$(vm "${big[@]}" --edu --append 'memmap=1024G!1026G' 2>&1) || true
check "--lazy-ram: RAM QEMU reserves nothing of" contains "$out" \
	'memory-backend-ram,id=ram0,reserve=off' 'memory-backend=ram0'
check "--lazy-ram: 48 physical address bits, and a 48-bit vIOMMU" contains "$out" \
	'-cpu max,phys-bits=48' 'intel-iommu,intremap=on,aw-bits=48'
out=$(vm --mem 8G --edu 2>&1) || true
# shellcheck disable=SC2317 # called through check
defaults() { ! grep -qe phys-bits -e aw-bits -e reserve=off <<<"$out"; }
check "without them, the vCPU and vIOMMU are QEMU's defaults" defaults

# The layout rules.
accepted "below 2816 MiB all RAM is below 4 GiB" --mem 2815M --append 'memmap=512M!2G'
refused "from 2816 MiB, 2 GiB below 4 GiB" "is not inside the guest's RAM" \
	--mem 2816M --append 'memmap=512M!2G'
accepted "the rest from 4 GiB" --mem 8G --append 'memmap=6G!4G'
refused "and no further" "is not inside the guest's RAM" --mem 8G --append 'memmap=6G!5G'
accepted "976 GiB above 4 GiB stay at 4 GiB (hole64 ends below 1012 GiB)" \
	--lazy-ram --mem 978G --append 'memmap=970G!4G'
refused "977 GiB above 4 GiB move to 1 TiB (AMD HyperTransport hole)" \
	"QEMU gives it 0-2 GiB and 1024 GiB-2001 GiB" \
	--lazy-ram --mem 979G --append 'memmap=970G!4G'
accepted "an Intel vCPU (--mce) keeps them at 4 GiB" \
	--lazy-ram --mce --mem 979G --append 'memmap=970G!4G'
refused "memory-device space (maxmem) counts towards the hole" \
	"QEMU gives it 0-2 GiB and 1024 GiB-1922 GiB" \
	--lazy-ram --mem 900G,slots=2,maxmem=977G --append 'memmap=890G!4G'

# Bad input.
refused "memmap= over addresses no RAM backs (the 1 TiB guest's RAM is at 1 TiB)" \
	"memmap=1024G!8G (0x200000000-0x101ffffffff) is not inside the guest's RAM" \
	"${big[@]}" --append 'memmap=1024G!8G nd_e820.labels=1'
refused "memmap= running past the end of RAM" "is not inside the guest's RAM" \
	"${big[@]}" --append 'memmap=1024G!1031G'
refused "memmap= beyond the vCPU's physical address bits" \
	"beyond the guest's 40 physical address bits" --mem 8G --append 'memmap=2G!0x10000000000'
refused "memmap= beyond --phys-bits" "beyond the guest's 48 physical address bits" \
	"${big[@]}" --append 'memmap=1G!256T'
refused "a 1 TiB guest whose RAM is not reserved: System RAM" \
	"the guest would have 1032 GiB of System RAM" "${big[@]}"
refused "one with 32 GiB of it" "the guest would have 32 GiB of System RAM" \
	"${big[@]}" --append 'memmap=1000G!1026G'
refused "an ordinary guest above SYSRAM_MAX" "more than SYSRAM_MAX=16G" --mem 20G
check "SYSRAM_MAX raises the limit" env SYSRAM_MAX=20G "$TOP/scripts/vm.sh" --show-command --mem 20G
refused "RAM QEMU cannot place in 40 bits (needs --phys-bits)" "beyond the vCPU's 40 physical address bits" \
	--mem 1032G --append 'memmap=1024G!1026G'
refused "two memmap= ranges over the same RAM" "overlaps another memmap= range" \
	--mem 8G --append 'memmap=2G!4G memmap=1G!5G'
refused "a memmap= form vm.sh cannot check" "checks the forms" --mem 8G --append 'memmap=exactmap'
refused "--lazy-ram with --ram-file" "do not go together" "${big[@]}" --ram-file /tmp/x \
	--append 'memmap=1024G!1026G'
refused "--phys-bits out of range" "--phys-bits takes 32 to 52" --phys-bits 60

# Soft-reserved RAM (memmap=SIZE%START-1+0xefffffff) as the hmem group has it.
out=$(vm --mem 10G --soft-reserved 4G@4G 2>&1)
check "--soft-reserved 4G@4G appends memmap=4G%4G-1+0xefffffff" \
	grep -q -- "-append .*memmap=4G%4G-1+0xefffffff" <<<"$out"
refused "soft-reserved RAM counts as taken from System RAM" \
	"the guest would have 17 GiB of System RAM" --mem 21G --soft-reserved 4G@4G
accepted "... and 4 GiB more of it make the guest fit" \
	--mem 21G --soft-reserved 8G@4G
refused "--soft-reserved outside RAM" "is not inside the guest's RAM" \
	--mem 10G --soft-reserved 4G@10G
refused "--soft-reserved over a memmap= range" "overlaps another memmap= range" \
	--mem 10G --soft-reserved 4G@4G --append 'memmap=1G!7G'
refused "--soft-reserved without a start" "takes SIZE@START" --soft-reserved 4G
refused "a type change of other than RAM" "SIZE%START-1+NEWTYPE" \
	--mem 10G --append 'memmap=4G%4G-2+12'
done_testing
