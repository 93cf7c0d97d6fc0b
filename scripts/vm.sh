#!/usr/bin/env bash
# Boot the built kernel under QEMU with the host's / as a read-only 9p root,
# run a command (or a job script, or an interactive shell) inside, stream
# its output and return its exit status. The guest's whole kernel log is
# kept, and any WARN, BUG, Oops, KASAN, lockdep or DEBUG_VM report in it
# fails the run. The command runs with TOP, BUILD, PROGS (the test
# programs) and RUN (the run directory, writable) in its environment.
#
# Exit status: the command's, or
#   124  the guest did not finish within --timeout and was killed
#   125  the command succeeded but the kernel log has a report
#   126  the guest stopped without reporting a status (panic, crash)
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

usage() {
	cat <<USAGE
usage: scripts/vm.sh [options] [--] [command [args...]]
       scripts/vm.sh [options] --job FILE [args...]
       scripts/vm.sh [options] --shell

  --mem SIZE        guest RAM (default 6G)
  --smp N           vCPUs (default 2)
  --append ARGS     extra kernel command line, e.g. 'memmap=2G!4G'
  --iommu           intel-iommu (intremap) and intel_iommu=on
  --edu             QEMU's edu PCI device (implies --iommu); given twice,
                    two of them, each in an IOMMU group of its own
  --nvdimm FILE:SIZE  emulated ACPI NVDIMM with a label area, backed by FILE
                    (created if missing)
  --ram-file FILE   back guest RAM with FILE (shared), so that what the guest
                    leaves in RAM, e.g. in memmap= ranges, is there at the
                    next boot on the same FILE (created if missing)
  --lazy-ram        back guest RAM with anonymous memory QEMU neither
                    reserves nor allocates before the guest touches it
                    (memory-backend-ram,reserve=off), for a guest far larger
                    than this machine whose RAM is nearly all in memmap=
                    ranges nobody writes; implies --phys-bits 48
  --phys-bits N     the vCPU's physical address bits (default QEMU's: 40
                    under TCG, the host's under KVM); with --iommu, N > 39
                    gives the vIOMMU 48-bit addresses (aw-bits=48)
  --soft-reserved SIZE@START  make that RAM soft-reserved (EFI_MEMORY_SP, as
                    memmap=SIZE%START-1+0xefffffff does, which is what it
                    appends): the kernel keeps it out of System RAM and
                    dax_hmem offers it as a dynamic dax region (hmem.N)
  --uefi            boot the kernel through OVMF's UEFI firmware (EFI stub)
                    instead of QEMU's direct boot, e.g. for efi_fake_mem=
  --mce             machine checks on request: an Intel vCPU and an HMP
                    monitor (hmp.sock in the run directory); a guest-physical
                    address the guest writes to mce.req there gets an action-
                    required memory error (SRAR data load), injected on CPU 0
                    while it runs user code and broadcast; "ao ADDRESS" gets
                    an action-optional one (SRAO memory scrub), at once;
                    answered in mce.ack
  --mods std|nfit|none  module tree in /lib/modules (default std; nfit adds
                    tools/testing/nvdimm's nfit_test and the modules it replaces)
  --timeout SECS    kill the guest after SECS (default 600; with --shell, none)
  --group NAME      boot as tests/NAME/vm.conf says (its VM_OPTS, and its
                    TIMEOUT unless --shell); options after it override or
                    add to those
  --name NAME       run directory name under build/runs (default: a timestamp)
  --job FILE [args] run FILE with bash (with the args) instead of a command;
                    it comes last: what follows it is its arguments
  --shell           an interactive shell in the guest on this terminal (the
                    command's serial port on stdio); 'exit' powers it off.
                    The shell has tests/lib/tap.sh and dax.sh loaded.
  --show-command    print the QEMU command line and exit
  -q                do not stream the guest's output

Environment: ACCEL=kvm|tcg overrides the accelerator (default: KVM when
/dev/kvm works, else TCG). SYSRAM_MAX (default 16G) is the most System
RAM the guest may get.

The guest's RAM layout is computed before QEMU starts (see ram_layout),
and a layout is refused when the guest's own System RAM (RAM less the
memmap= ranges that reserve it) would exceed SYSRAM_MAX, or when a
memmap= range lies beyond the vCPU's physical address bits or not wholly
inside the RAM QEMU gives the guest.

Without a command, --job or --shell, boots, says so and powers off.
The run directory keeps console.log (the full kernel log), output.log,
dmesg.txt, job.sh, qemu.cmd and status.
USAGE
}

mem=6G smp=2 append="" iommu=0 edu=0 nvdimm="" ramfile="" mods=std timeout="" mce=0 uefi=0
lazy=0 physbits=""
name="" job="" quiet=0 shell=0 show=0 group_timeout=""
while [ $# -gt 0 ]; do
	case "$1" in
	--mem) mem=$2; shift 2;;
	--smp) smp=$2; shift 2;;
	--append) append="$append $2"; shift 2;;
	--iommu) iommu=1; shift;;
	--edu) edu=$((edu + 1)); iommu=1; shift;;
	--nvdimm) nvdimm=$2; shift 2;;
	--ram-file) ramfile=$2; shift 2;;
	--lazy-ram) lazy=1; shift;;
	--phys-bits) physbits=$2; shift 2;;
	--mce) mce=1; shift;;
	--uefi) uefi=1; shift;;
	--soft-reserved)
		[[ $2 =~ ^[^@%!]+@[^@%!]+$ ]] || die "--soft-reserved takes SIZE@START, e.g. 4G@4G"
		append="$append memmap=${2%@*}%${2#*@}-1+0xefffffff"; shift 2;;
	--mods) mods=$2; shift 2;;
	--timeout) timeout=$2; shift 2;;
	--name) name=$2; shift 2;;
	--job) job=$2; shift 2; break;;
	--group)
		[ -f "$TOP/tests/$2/vm.conf" ] || die "no test group '$2' (tests/$2/vm.conf)"
		VM_OPTS=() TIMEOUT=""
		# shellcheck source=tests/devdax/vm.conf
		. "$TOP/tests/$2/vm.conf"
		group_timeout=$TIMEOUT
		shift 2
		set -- "${VM_OPTS[@]}" "$@";;
	--shell) shell=1; shift;;
	--show-command) show=1; shift;;
	-q) quiet=1; shift;;
	-h|--help) usage; exit 0;;
	--) shift; break;;
	-*) usage >&2; die "unknown option $1";;
	*) break;;
	esac
done
if [ "$shell" = 1 ]; then
	if [ -n "$job" ] || [ $# -gt 0 ]; then die "--shell takes no command or --job"; fi
	[ "$quiet" = 0 ] || die "--shell and -q do not go together"
	[ "$mce" = 0 ] || die "--mce serves a command's requests, not a --shell"
	[ -n "$timeout" ] || timeout=0
fi
[ -n "$job" ] && [ "${1:-}" = -- ] && shift
[ -n "$timeout" ] || timeout=${group_timeout:-600}

need_pkgs qemu-system-x86
[ "$mce" = 0 ] || need_pkgs python3
[ -f "$BUILD/bzImage" ] || die "no kernel at $BUILD/bzImage: run 'make build' first"
case "$mods" in
std|nfit) moddir=$BUILD/mod/$mods
	[ -d "$moddir/lib/modules" ] || die "no module tree at $moddir: run 'make build'";;
none) moddir="";;
*) die "--mods takes std, nfit or none";;
esac
case "$timeout" in ''|*[!0-9]*) die "--timeout takes a number of seconds";; esac
# KVM where /dev/kvm exists and works (on some virtual machines it exists
# but QEMU aborts setting up a vCPU: probe with a paused machine), else TCG.
kvm_works() {
	[ -w /dev/kvm ] || return 1
	(echo quit | timeout 20 qemu-system-x86_64 -accel kvm -cpu max -M q35 -S \
		-display none -monitor stdio -nodefaults) >/dev/null 2>&1
}
accel=${ACCEL:-auto}
if [ "$accel" = auto ]; then
	if kvm_works; then accel=kvm; else accel=tcg; fi
fi

# The guest's RAM layout, as QEMU 7.2's q35 machine makes it (hw/i386/pc.c
# pc_memory_init(), pc_q35.c pc_q35_init()), checked against a guest's
# /proc/iomem (tests/host/07-ram-layout.sh runs these rules; the values
# were verified with "info mtree -f" and in guests):
#  - RAM below 4 GiB: all of it if -m is below 2816 MiB (0xb0000000), else
#    2 GiB, the rest going above 4 GiB;
#  - the RAM above 4 GiB starts at 4 GiB, or at 1 TiB with an AMD vCPU
#    (TCG's "max" is AuthenticAMD; under KVM the host's vendor; --mce
#    makes it Intel) when the highest address used, the 64-bit PCI hole's
#    end, would reach the HyperTransport range at 0xfd00000000 (1012 GiB):
#    that hole starts at the end of that RAM rounded up to 1 GiB, or past
#    the memory-device area when maxmem > -m (maxmem - ram + 1 GiB a slot)
#    and is 32 GiB (q35's pci-hole64-size);
#  - QEMU refuses to start if that end does not fit the vCPU's physical
#    address bits (40 under TCG, the host's under KVM, or --phys-bits).
# memparse/QEMU sizes: bytes of a number with an optional K/M/G/T/P/E
# suffix (memparse: decimal, 0x hex or 0 octal); a bare -m size is MiB.
to_bytes() {
	local v=$1 unit=${2:-1} n s
	[[ $v =~ ^(0[xX][0-9a-fA-F]+|[0-9]+)([kKmMgGtTpPeE]?)$ ]] || return 1
	n=${BASH_REMATCH[1]} s=${BASH_REMATCH[2]}
	case "$n" in 0[xX]*) ;; 0?*) n=$((8#${n#0}));; esac
	case "$s" in
	'') echo $((n * unit)); return;;
	k|K) s=10;; m|M) s=20;; g|G) s=30;; t|T) s=40;; p|P) s=50;; e|E) s=60;;
	esac
	echo $((n << s))
}
# hsize BYTES: "N GiB" when whole GiB, else hex.
hsize() {
	if [ $(($1 % (1 << 30))) -eq 0 ]; then echo "$(($1 >> 30)) GiB"; else printf '%#x' "$1"; fi
}
# ram_layout: sets ram_lo, ram_hi_start, ram_hi (bytes), physbits_eff.
ram_layout() {
	local msize=${mem%%,*} opt ram slots=0 maxmem=0 hole64=$((32 << 30)) amd=0 used v
	msize=${msize#size=}
	ram=$(to_bytes "$msize" $((1 << 20))) || die "--mem: cannot read the size '$msize'"
	maxmem=$ram
	for opt in $(tr , ' ' <<<"${mem#"${mem%%,*}"}"); do
		case "$opt" in
		slots=*) slots=${opt#slots=};;
		maxmem=*) maxmem=$(to_bytes "${opt#maxmem=}") || die "--mem: cannot read '$opt'";;
		*) die "--mem: unknown option '$opt'";;
		esac
	done
	# --nvdimm adds slots=2,maxmem=64G (below).
	if [ -n "$nvdimm" ]; then slots=2 maxmem=$((64 << 30)); fi
	if [ "$ram" -ge $((0xb0000000)) ]; then ram_lo=$((2 << 30)); else ram_lo=$ram; fi
	ram_hi=$((ram - ram_lo)) ram_hi_start=$((4 << 30))
	if [ "$mce" = 0 ]; then
		if [ "$accel" = tcg ] || grep -qm1 '^vendor_id.*AuthenticAMD' /proc/cpuinfo; then amd=1; fi
	fi
	if [ -n "$physbits" ]; then
		physbits_eff=$physbits
	elif [ "$accel" = tcg ]; then
		physbits_eff=40
	else
		physbits_eff=$(sed -n 's/^address sizes.* \([0-9]*\) bits physical.*/\1/p' /proc/cpuinfo | head -1)
	fi
	# The 64-bit PCI hole's last byte for RAM above 4G starting at $1.
	max_used() {
		local end=$(($1 + ram_hi)) r
		if [ "$maxmem" -gt "$ram" ]; then
			end=$(( ((end + (1 << 30) - 1) >> 30 << 30) + maxmem - ram + slots * (1 << 30) ))
		fi
		r=$(( (end + (1 << 30) - 1) >> 30 << 30 ))
		echo $((r + hole64 - 1))
	}
	if [ "$amd" = 1 ] && [ "$(max_used $ram_hi_start)" -ge $((0xfd00000000)) ]; then
		ram_hi_start=$((1 << 40))
	fi
	used=$(max_used $ram_hi_start)
	v=$(( (1 << physbits_eff) - 1 ))
	[ "$used" -le "$v" ] || die "--mem $mem: QEMU would need addresses up to $(printf '%#x' "$used") (RAM above 4 GiB at $(hsize "$ram_hi_start"), then the 64-bit PCI hole), beyond the vCPU's $physbits_eff physical address bits: give --phys-bits (or --lazy-ram)"
}
# check_layout: refuse memmap= ranges beyond the physical address bits or
# outside the RAM ram_layout computed, and a guest whose own System RAM
# (that RAM less the memmap= ranges taking it from the kernel: !, $ and #)
# would exceed SYSRAM_MAX.
check_layout() {
	local w e size start type end max carved=0 i lo hi sysram ranges
	local -a taken=()
	max=$(to_bytes "${SYSRAM_MAX:-16G}" $((1 << 20))) || die "SYSRAM_MAX: cannot read '${SYSRAM_MAX:-}'"
	ranges="0-$(hsize "$ram_lo")"
	[ "$ram_hi" -eq 0 ] || ranges+=" and $(hsize "$ram_hi_start")-$(hsize $((ram_hi_start + ram_hi)))"
	for w in $append; do
		case "$w" in memmap=*) ;; *) continue;; esac
		for e in $(tr , ' ' <<<"${w#memmap=}"); do
			[[ $e =~ ^([^!\$#@%]+)([!\$#@%])(.+)$ ]] ||
				die "memmap=$e: vm.sh checks the forms SIZE!START, SIZE\$START, SIZE#START, SIZE@START and SIZE%START-OLD+NEW only"
			type=${BASH_REMATCH[2]}
			size=$(to_bytes "${BASH_REMATCH[1]}") || die "memmap=$e: cannot read its size"
			start=${BASH_REMATCH[3]}
			if [ "$type" = % ]; then
				# SIZE%START-OLD+NEW, SIZE%START-OLD or SIZE%START+NEW: an
				# e820 type change, only of RAM (type 1) checked here.
				if ! [[ $start =~ ^([^-+]+)(-1)?(\+(0x[0-9a-fA-F]+|[0-9]+))?$ ]] ||
					[ -z "${BASH_REMATCH[2]}${BASH_REMATCH[3]}" ]; then
					die "memmap=$e: vm.sh checks SIZE%START-1+NEWTYPE (RAM made another type) only"
				fi
				start=${BASH_REMATCH[1]}
			fi
			start=$(to_bytes "$start") || die "memmap=$e: cannot read its start"
			end=$((start + size))
			[ "$size" -gt 0 ] || die "memmap=$e: an empty range"
			[ "$end" -le $((1 << physbits_eff)) ] ||
				die "memmap=$e ends at $(printf '%#x' "$end"), beyond the guest's $physbits_eff physical address bits ($(printf '%#x' $((1 << physbits_eff))))"
			if ! { [ "$end" -le "$ram_lo" ]; } &&
				! { [ "$ram_hi" -gt 0 ] && [ "$start" -ge "$ram_hi_start" ] &&
					[ "$end" -le $((ram_hi_start + ram_hi)) ]; }; then
				die "memmap=$e ($(printf '%#x-%#x' "$start" $((end - 1)))) is not inside the guest's RAM: with --mem $mem QEMU gives it $ranges; addresses outside those are backed by nothing"
			fi
			[ "$type" = @ ] && continue
			for i in "${taken[@]}"; do
				lo=${i% *} hi=${i#* }
				[ "$end" -le "$lo" ] || [ "$start" -ge "$hi" ] ||
					die "memmap=$e overlaps another memmap= range"
			done
			taken+=("$start $end")
			carved=$((carved + size))
		done
	done
	sysram=$((ram_lo + ram_hi - carved))
	[ "$sysram" -le "$max" ] ||
		die "the guest would have $(hsize "$sysram") of System RAM (--mem $mem: $ranges, less $(hsize $carved) in memmap= ranges), more than SYSRAM_MAX=${SYSRAM_MAX:-16G}: it would build a struct page for every 4 KiB of it and QEMU would grow with it; reserve it with memmap= or lower --mem"
	layout="RAM $ranges, System RAM $(hsize "$sysram")"
}
case "$physbits" in
'') [ "$lazy" = 0 ] || physbits=48;;
*[!0-9]*) die "--phys-bits takes a number of bits";;
*) if [ "$physbits" -lt 32 ] || [ "$physbits" -gt 52 ]; then die "--phys-bits takes 32 to 52"; fi;;
esac
[ "$lazy" = 0 ] || [ -z "$ramfile" ] || die "--lazy-ram and --ram-file do not go together"
layout=""
ram_layout
check_layout

[ -n "$name" ] || name=$(date +%Y%m%d-%H%M%S)-$$
run=$BUILD/runs/$name
[ -z "$job" ] || [ -f "$job" ] || die "no job file $job"

# The guest's job: the environment every guest script relies on, then the
# job file (with its arguments), the command, or the interactive shell.
write_job() {
	local v
	for v in TOP BUILD PROGS RUN; do
		printf 'export %s=%q\n' "$v" "${!v}"
	done
	if [ -n "$job" ]; then
		[ $# -eq 0 ] || { printf 'set --'; printf ' %q' "$@"; echo; }
		cat "$job"
	elif [ "$shell" = 1 ]; then
		# The serial port was raw for streaming; a shell wants a terminal.
		printf 'stty sane %s 2>/dev/null\n' "$(stty size 2>/dev/null |
			awk '{ print "rows", $1, "cols", $2 }')"
		printf 'export TERM=%q\n' "${TERM:-vt100}"
		printf 'cd %q\n' "$PWD"
		printf 'exec bash --rcfile %q -i\n' "$TOP/scripts/guest-shellrc.sh"
	elif [ $# -gt 0 ]; then
		printf 'cd %q\n' "$PWD"
		printf '%q ' "$@"
		echo
	else
		# shellcheck disable=SC2016 # expanded in the guest
		echo 'echo "guest is up: $(uname -r)"'
	fi
}
# shellcheck disable=SC2034 # read by write_job
PROGS=$BUILD/progs RUN=$run
if [ "$show" = 0 ]; then
	rm -rf "$run"
	mkdir -p "$run"
	write_job "$@" >"$run/job.sh"
fi

machine=q35
qemu=(qemu-system-x86_64 -cpu max -smp "$smp" -display none -vga none
	-monitor none -no-reboot -net none -serial "file:$run/console.log")
if [ "$shell" = 1 ]; then
	# The command's serial port on this terminal; Ctrl-C goes to the
	# guest, Ctrl-A X stops QEMU.
	qemu+=(-chardev "stdio,id=shell,mux=on,signal=off" -serial chardev:shell)
else
	qemu+=(-serial "file:$run/output.log")
fi
qemu+=(-accel "$accel")
if [ "$mce" = 1 ]; then
	# With QEMU's default (AMD) vendor the guest grades an injected SRAR
	# error fatal. The last -cpu given wins.
	qemu+=(-cpu "max,vendor=GenuineIntel")
	qemu+=(-monitor "unix:$run/hmp.sock,server=on,wait=off")
fi
if [ -n "$physbits" ]; then
	cpu=max
	[ "$mce" = 0 ] || cpu+=",vendor=GenuineIntel"
	qemu+=(-cpu "$cpu,phys-bits=$physbits")
fi
cmdline="console=ttyS0 loglevel=8 panic=-1 root=host rootfstype=9p"
cmdline+=" rootflags=trans=virtio,version=9p2000.L,msize=262144,cache=loose ro"
cmdline+=" init=$TOP/scripts/guest-init.sh pageless.run=$run"
[ -n "$moddir" ] && cmdline+=" pageless.mods=$moddir"
[ "$shell" = 1 ] && cmdline+=" pageless.shell=1"
if [ "$iommu" = 1 ]; then
	machine+=",kernel-irqchip=split"
	# The vIOMMU must exist before the PCI devices it translates.
	# Guest-physical addresses beyond 39 bits need a 48-bit vIOMMU.
	if [ "${physbits:-0}" -gt 39 ]; then
		qemu+=(-device "intel-iommu,intremap=on,aw-bits=48")
	else
		qemu+=(-device "intel-iommu,intremap=on")
	fi
	cmdline+=" intel_iommu=on"
fi
if [ -n "$ramfile" ]; then
	[ -n "$nvdimm" ] && die "--ram-file and --nvdimm do not go together"
	[ -f "$ramfile" ] || [ "$show" = 1 ] || truncate -s "$mem" "$ramfile"
	qemu+=(-object "memory-backend-file,id=ram0,share=on,mem-path=$ramfile,size=$mem")
	machine+=",memory-backend=ram0"
fi
if [ "$lazy" = 1 ]; then
	# MAP_NORESERVE anonymous memory: QEMU allocates a page when the guest
	# first writes it (reads of untouched RAM map the zero page).
	qemu+=(-object "memory-backend-ram,id=ram0,reserve=off,size=$((ram_lo + ram_hi))")
	machine+=",memory-backend=ram0"
fi
if [ -n "$nvdimm" ]; then
	nvfile=${nvdimm%:*} nvsize=${nvdimm##*:}
	[ "$nvfile" != "$nvdimm" ] || die "--nvdimm takes FILE:SIZE"
	machine+=",nvdimm=on"
	mem="$mem,slots=2,maxmem=64G"
	[ -f "$nvfile" ] || [ "$show" = 1 ] || truncate -s "$nvsize" "$nvfile"
	qemu+=(-object "memory-backend-file,id=nvmem0,share=on,mem-path=$nvfile,size=$nvsize"
		-device "nvdimm,id=nvdimm0,memdev=nvmem0,label-size=128K")
fi
qemu+=(-machine "$machine" -m "$mem"
	-virtfs "local,path=/,mount_tag=host,security_model=none,readonly=on,multidevs=remap"
	-virtfs "local,path=$run,mount_tag=run,security_model=none,multidevs=remap")
# edu masks DMA addresses to 28 bits by default; IOVAs above 4G need more.
for ((i = 0; i < edu; i++)); do
	qemu+=(-device "edu,dma_mask=0xffffffffff")
done
if [ "$uefi" = 1 ]; then
	[ -r /usr/share/ovmf/OVMF.fd ] || die "--uefi needs OVMF (/usr/share/ovmf/OVMF.fd, Debian package ovmf)"
	qemu+=(-bios /usr/share/ovmf/OVMF.fd)
fi
qemu+=(-kernel "$BUILD/bzImage" -append "$cmdline $append")
if [ "$show" = 1 ]; then
	printf '%q ' "${qemu[@]}"
	echo
	exit 0
fi
printf '%q ' "${qemu[@]}" >"$run/qemu.cmd"
echo >>"$run/qemu.cmd"

: >"$run/output.log"
start=$(date +%s)
qrc=0
# --mce: inject a machine check for each address the guest asks for. The
# error says the instruction that consumed it cannot resume (SRAR); taken in
# kernel mode that is fatal, so inject only while CPU 0 runs user code: stop
# the machine, look at CPU 0's privilege level, inject if it is 3 (the
# machine check is then the first thing CPU 0 takes when it resumes), and
# resume.
mce_inject() {
	local addr=$1 sock=$run/hmp.sock i regs
	if [ "${2:-}" = ao ]; then
		# SRAO, memory scrubbing: VAL|UC|EN|MISCV|ADDRV|S, MCACOD 0xc0;
		# MCG_STATUS RIPV|MCIP. Harmless in any mode: nobody consumed it.
		python3 "$TOP/scripts/hmp.py" "$sock" \
			"mce -b 0 1 0xbd000000000000c0 0x5 $addr 0x8c"
		return
	fi
	for i in $(seq 200); do
		regs=$(python3 "$TOP/scripts/hmp.py" "$sock" stop "cpu 0" "info registers") ||
			{ python3 "$TOP/scripts/hmp.py" "$sock" cont; return 1; }
		echo "try $i: CPU 0 at $(grep -o 'RIP=[0-9a-f]*' <<<"$regs") $(grep -o 'CPL=[0-9]' <<<"$regs")"
		if grep -q 'CPL=3' <<<"$regs"; then
			python3 "$TOP/scripts/hmp.py" "$sock" \
				"mce -b 0 1 0xbd80000000000134 0x7 $addr 0x8c" cont
			return
		fi
		python3 "$TOP/scripts/hmp.py" "$sock" cont >/dev/null || return 1
		sleep 0.05
	done
	echo "CPU 0 never seen in user mode"
	return 1
}
mce_service() {
	local addr kind
	while kill -0 "$qpid" 2>/dev/null; do
		if [ -e "$run/mce.req" ]; then
			addr=$(head -c 40 "$run/mce.req")
			rm -f "$run/mce.req"
			kind="ar"
			if [[ $addr =~ ^ao\ (.*)$ ]]; then
				kind=ao
				addr=${BASH_REMATCH[1]}
			fi
			if ! [[ $addr =~ ^0x[0-9a-fA-F]{1,16}$ ]]; then
				echo "bad request: $addr" >"$run/mce.ack"
			elif mce_inject "$addr" "$kind" >>"$run/mce.log" 2>&1; then
				[ "$kind" = ar ] || addr="ao $addr"
				echo "injected $addr" >"$run/mce.ack"
			else
				echo "failed $addr (see mce.log)" >"$run/mce.ack"
			fi
		fi
		sleep 0.2
	done
}
if [ "$shell" = 1 ]; then
	log "booting guest ($name) with a shell on this terminal (Ctrl-A X stops it): logs in ${run#"$TOP"/}"
	# In the foreground, so that QEMU may read the terminal.
	timeout --foreground -k 10 "$timeout" "${qemu[@]}" 2>"$run/qemu.log" || qrc=$?
else
	log "booting guest ($name, timeout ${timeout}s): logs in ${run#"$TOP"/}"
	[ "$lazy" = 0 ] || log "lazily backed guest RAM: $layout"
	timeout -k 10 "$timeout" "${qemu[@]}" </dev/null >"$run/qemu.log" 2>&1 &
	qpid=$!
	svc=""
	if [ "$mce" = 1 ]; then
		mce_service &
		svc=$!
	fi
	# A background job ignores Ctrl-C: stop the guest when this script is.
	trap 'kill "$qpid" $svc 2>/dev/null; exit 130' INT TERM
	if [ "$quiet" = 0 ]; then
		tail -n +1 -F --pid=$qpid "$run/output.log" 2>/dev/null
	fi
	wait $qpid || qrc=$?
	[ -z "$svc" ] || { kill "$svc" 2>/dev/null; wait "$svc" 2>/dev/null || true; }
fi
log "guest ended after $(( $(date +%s) - start ))s"

rc=0
if [ "$qrc" = 124 ] || [ "$qrc" = 137 ]; then
	log "guest killed: it did not finish within ${timeout}s"
	rc=124
elif [ "$qrc" != 0 ]; then
	cat "$run/qemu.log" >&2
	log "QEMU failed (exit $qrc)"
	rc=126
elif ! [ -s "$run/status" ]; then
	log "the guest stopped without reporting a status (see ${run#"$TOP"/}/console.log)"
	rc=126
else
	rc=$(cat "$run/status")
fi
if ! "$TOP/scripts/logcheck.sh" "$run/console.log" >"$run/logcheck.txt"; then
	log "the guest kernel log has reports (${run#"$TOP"/}/logcheck.txt)"
	[ "$quiet" = 1 ] || head -40 "$run/logcheck.txt" >&2
	[ "$rc" = 0 ] && rc=125
fi
exit "$rc"
