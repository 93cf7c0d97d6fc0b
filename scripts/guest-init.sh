#!/bin/bash
# PID 1 of a test guest booted by scripts/vm.sh. The root file system is
# the host's / over 9p, read-only. This script makes the few writable and
# virtual file systems the tests need, puts the built modules under
# /lib/modules, runs the job named on the kernel command line with its output
# on the second serial port (and, for vm.sh --shell, its input from there
# too), records its exit status and powers off.
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/tmp LANG=C.UTF-8 TERM=dumb

param() {
	local w
	# shellcheck disable=SC2013
	for w in $(cat /proc/cmdline); do
		case "$w" in "$1="*) echo "${w#*=}"; return 0;; esac
	done
	return 1
}

poweroff_now() {
	sync
	echo o >/proc/sysrq-trigger
	sleep 30
	# sysrq did not power off: panic makes QEMU exit (-no-reboot).
	echo c >/proc/sysrq-trigger
}

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mountpoint -q /dev || mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/pts /dev/shm 2>/dev/null
mount -t devpts devpts /dev/pts 2>/dev/null
mount -t tmpfs tmpfs /dev/shm
mount -t debugfs debugfs /sys/kernel/debug

# /tmp, /run and /var/tmp become writable as overlays with a tmpfs upper
# layer over the host's directories, not as empty tmpfs: the repository (and
# so this script, the job and the modules) may itself live under /tmp.
mkdir -p /dev/.rw
mount -t tmpfs -o mode=0700 tmpfs /dev/.rw
for d in /tmp /run /var/tmp; do
	u=/dev/.rw/${d//\//_}
	mkdir -p "$u/upper" "$u/work"
	chmod 1777 "$u/upper"
	if ! mount -t overlay overlay -o "lowerdir=$d,upperdir=$u/upper,workdir=$u/work" "$d"; then
		echo "guest-init: cannot overlay $d; an empty tmpfs hides the host's $d" >/dev/ttyS1
		mount -t tmpfs -o mode=1777 tmpfs "$d"
	fi
done

out=/dev/ttyS1
stty -F $out raw -echo 2>/dev/null
# UEFI firmware (vm.sh --uefi) leaves terminal codes on every serial port
# without a newline: end that line before the job's first.
[ ! -d /sys/firmware/efi ] || echo >$out
say() { echo "guest-init: $*" >$out; }

rundir=$(param pageless.run) || { say "no pageless.run= on the command line"; poweroff_now; }
mods=$(param pageless.mods) || mods=
# The run directory is writable through its own 9p share, mounted over the
# read-only view of the same path.
mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144 run "$rundir" ||
	say "cannot mount the run directory share"

# Modules: /lib -> usr/lib on Debian 12, and the host has no modules tree.
# A read-only overlay of the built modules over /usr/lib gives modprobe and
# libkmod /lib/modules/$(uname -r) without writing anything.
if [ -n "$mods" ]; then
	mount -t overlay overlay -o "lowerdir=$mods/lib:/usr/lib" /usr/lib ||
		say "cannot overlay modules from $mods"
fi
hostname pageless-guest

rc=0
cd /tmp || true
if param pageless.shell >/dev/null; then
	# vm.sh --shell: the job is an interactive shell on the serial port,
	# which becomes its controlling terminal (job control, Ctrl-C).
	setsid -c -w bash "$rundir/job.sh" <>$out >&0 2>&1 || rc=$?
else
	bash "$rundir/job.sh" >$out 2>&1 </dev/null || rc=$?
fi
echo "$rc" >"$rundir/status"
dmesg >"$rundir/dmesg.txt"
sync
umount "$rundir" 2>/dev/null
poweroff_now
