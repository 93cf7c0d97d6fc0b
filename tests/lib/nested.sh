# shellcheck shell=bash
# nested_cmd DEV: NESTED_CMD, the command line of a nested QEMU whose 1 GiB
# of guest RAM is DEV (memory-backend-file; guest-physical address = offset
# in DEV) and which runs tests/progs/nested.S; NESTED_ACCEL, kvm when
# kvm_amd loads, else tcg.
nested_cmd() {
	NESTED_ACCEL=tcg
	if modprobe kvm_amd 2>/dev/null && [ -c /dev/kvm ]; then
		NESTED_ACCEL=kvm
	fi
	NESTED_CMD=(qemu-system-x86_64 -machine q35 -accel "$NESTED_ACCEL" -m 1G -nodefaults
		-display none
		-object "memory-backend-file,id=mem,size=1G,mem-path=$1,share=on,align=1G"
		-numa "node,memdev=mem" -kernel "$PROGS/nested.elf"
		-device "isa-debug-exit,iobase=0xf4,iosize=4" -serial stdio -monitor none -no-reboot)
}

# nested_qemu DEV: the user's scenario on a device-dax node of at least
# 1 GiB at align 1G: a nested QEMU (KVM when kvm_amd loads, else TCG;
# NESTED_ACCEL says which) whose 1 GiB of guest RAM is DEV
# (memory-backend-file) runs tests/progs/nested.S, which writes a word into
# every page of its RAM; the words are then read back through DEV. TAP
# points (tests/lib/tap.sh); used by scripts/guest-demo.sh and the hmem
# group.
nested_qemu() {
	local dev=$1 ram=$((1 << 30)) cmd out rc=0
	nested_cmd "$dev"
	cmd=("${NESTED_CMD[@]}")
	note "accelerator: $NESTED_ACCEL"
	# Start from other bytes than the ones the nested guest will write.
	check "overwrite the first GiB of $dev" "$PROGS/daxpattern" -w -s 3 -t 4096 -l "$ram" "$dev"
	check "the words are not the nested guest's yet" \
		sh -c "! '$PROGS/daxhold' words '$dev' $((2 << 20)) $((ram - (1 << 20))) 0x5eed5eed"
	note "${cmd[*]}"
	out=$(timeout 600 "${cmd[@]}" 2>&1) || rc=$?
	echo "$out" | diag
	check "the nested guest ran and exited through isa-debug-exit (status $rc)" test "$rc" -eq 33
	check "it says it wrote its RAM" contains "$out" "nested guest: wrote its RAM"
	# The firmware keeps the top of the nested guest's RAM out of its
	# memory map, so the payload stops short of it.
	note "read the nested guest's RAM back through $dev"
	check "every page from 2 MiB to 1 GiB - 1 MiB holds the nested guest's word" \
		"$PROGS/daxhold" words "$dev" $((2 << 20)) $((ram - (1 << 20))) 0x5eed5eed
}
