#!/bin/bash
# KVM maps some guest pages outside its MMU notifier's protection, with
# kvm_vcpu_map(): a nested guest's VMCB (SVM), the virtual-APIC and
# posted-interrupt pages of nested VMX. A page of pageless memory could be
# disabled and reused meanwhile, so KVM refuses to map a pfn without a
# refcounted page unless kvm.allow_unsafe_mappings=1 (mainline's name): a
# guest whose VMRUN names a VMCB in map=none RAM shuts down (KVM injects
# #GP, and its IDT is empty), the VMCB untouched, and the kernel says why;
# in anonymous memory KVM maps it and writes VMEXIT_INVALID into it, with
# or without the parameter; with the parameter set, so it does in map=none
# RAM. Only the SVM path can run here (no nested VMX under TCG).
. "$TOP/tests/lib/tap.sh"
. "$TOP/tests/lib/dax.sh"

# shellcheck disable=SC2317 # called through check
# kvm_reload [PARAM...]: load kvm with PARAMs, and kvm_amd.
kvm_reload() {
	modprobe -r kvm_amd kvm >"$TAP_OUT" 2>&1 &&
		modprobe kvm "$@" >>"$TAP_OUT" 2>&1 &&
		modprobe kvm_amd >>"$TAP_OUT" 2>&1 && return 0
	diag <"$TAP_OUT"
	return 1
}

need_modules kvm_amd nd_e820 nd_pmem dax_pmem device_dax
ns=$(nd_first namespace -N) || bail "no namespace on the legacy region"
make_dax "$ns" $((2 << 20)) none || bail "no map=none device"
mark="pageless-dax-test: vmcb $(date +%s%N)"
echo "$mark" >/dev/kmsg
sub_tap "map=none" "$PROGS/kvmdax" vmrun "$dev" $((2 << 20)) refused
check "the kernel says why it refused" sh -c \
	"dmesg | sed -n '/$mark/,\$p' | grep -q 'kvm.allow_unsafe_mappings'"
sub_tap "anonymous memory" "$PROGS/kvmdax" vmrun anon $((2 << 20)) mapped
if check "kvm reloads with allow_unsafe_mappings=1" kvm_reload allow_unsafe_mappings=1; then
	sub_tap "map=none, unsafe mappings allowed" "$PROGS/kvmdax" vmrun "$dev" \
		$((2 << 20)) mapped
	sub_tap "anonymous memory, unsafe mappings allowed" "$PROGS/kvmdax" vmrun anon \
		$((2 << 20)) mapped
	check "kvm reloads with the default" kvm_reload
fi
done_testing
