// SPDX-License-Identifier: GPL-2.0
/*
 * kvmdax: a KVM guest whose RAM is a device-dax mapping (or anonymous
 * memory), driven through the KVM API directly. The vCPU runs a few
 * instructions in 32-bit protected mode without paging from a small code
 * slot at guest physical 0; the RAM under test is a second slot at 1 GiB.
 * It either stores one word per 4 KiB page (seed ^ page index) or counts
 * the pages whose word is not ~(seed ^ index) and reports the count on I/O
 * port 0x10, then halts.
 *
 *   kvmdax test BUF ALIGN SIZE LEVEL
 *     TAP. BUF is a device-dax node or "anon"; LEVEL (4K, 2M, 1G or any)
 *     is the stage-2 mapping size the RAM must get, read from KVM's
 *     pages_4k/pages_2m/pages_1g statistics while the VM lives ("any":
 *     entries of whatever size that cover all of the RAM). The guest
 *     writes, the host reads through a mapping of its own, and the other
 *     way round; MADV_DONTNEED on the host mapping drops the stage-2
 *     entries and the data comes back (device-dax only); dirty logging
 *     maps at 4K and records every page, and turning it off lets the RAM
 *     be mapped at LEVEL again; deleting the slot leaves the guest an MMIO
 *     exit where its RAM was.
 *
 *   kvmdax revoked DEV ALIGN SIZE
 *     TAP. Run the guest once over DEV, print "# mapped", wait for a line
 *     on stdin (the caller disables the namespace meanwhile): the next run
 *     must fail with EFAULT, and the VM must go away cleanly.
 *
 *   kvmdax poisoned DEV ALIGN SIZE OFF
 *     TAP. Run the guest once over DEV, print "# mapped", wait for a line
 *     on stdin (the caller injects a memory error at offset OFF of DEV
 *     meanwhile): the next run must end with SIGBUS BUS_MCEERR_AR for the
 *     host address of that page (si_addr_lsb 12) sent by KVM to the vCPU
 *     thread, KVM_RUN failing with EINTR rather than EFAULT, and again on
 *     the run after; the VM must go away cleanly.
 *
 *   kvmdax wrprot DEV ALIGN SIZE LEVEL fork|read|none
 *     TAP. The host's entries of DEV are prepared as leave_read_only() in
 *     mapbuf.h says: after a fork, or read-only or not yet mapped over a
 *     device with write notification (pfnmap_test with wrnotify=1, whose
 *     walker shows them so before, and writable after); with "read" the
 *     guest reads its RAM first. The guest's stores to every page must all
 *     be mapped at LEVEL, none emulated: the vCPU's insn_emulation
 *     statistic grows no more than in a second pass over mapped RAM.
 *
 *   kvmdax vmrun BUF ALIGN refused|mapped
 *     TAP. The guest, with paging, EFER.SVME and a host save area, runs
 *     VMRUN on an all-zero VMCB at the start of BUF (ALIGN bytes of it are
 *     the RAM slot). KVM maps a nested VMCB outside the MMU notifier's
 *     protection (kvm_vcpu_map()): "refused", it must refuse and inject
 *     #GP (the guest, with an empty IDT, shuts down) and leave the VMCB
 *     as it was; "mapped", it must write VMEXIT_INVALID into the VMCB
 *     (which fails its checks) and the VMRUN return, the guest reporting
 *     on its port.
 *
 *   kvmdax bench BUF ALIGN SIZE
 *     Not a test: the time of the guest's first pass storing one word per
 *     4 KiB over SIZE bytes (every stage-2 fault included), then of a
 *     second pass, in microseconds, and the stage-2 entries of each size:
 *     "first_us N second_us N pages_4k N pages_2m N pages_1g N".
 *
 *   kvmdax spread BUF ALIGN SIZE N
 *     Not a test: as bench, but the slot may be far larger than the 4 GiB
 *     a flat 32-bit guest reaches: the vCPU runs in 64-bit mode on 1 GiB
 *     identity-mapped pages and stores one word at the start of each of N
 *     GiB spread evenly over the SIZE bytes (a stride of SIZE / N rounded
 *     down to 1 GiB), nothing else. Same output, with "touched N" added.
 *
 * The TAP plan comes last: a program that dies early prints none.
 *
 * Why not the KVM selftests library (tools/testing/selftests/kvm/lib)?
 * 6.1's has vm_get_stat(), but its memslots are memory it allocates
 * itself (vm_userspace_mem_region_add() knows anonymous, THP, hugetlbfs
 * and shmem backings, not a mapping of a file the test opened), so the
 * slot under test would still be a bare KVM_SET_USER_MEMORY_REGION, out
 * of sight of the library's dirty-log and slot helpers, next to a 64-bit
 * guest with page tables, GDT and ucall pages the library sets up in its
 * own slot; the stage-2 counts would then include those. And the library
 * is built inside the kernel tree (the test would have to move there as a
 * KVM selftest). A flat 32-bit guest of twenty instructions with one small
 * code slot keeps the counts exact and the test standalone.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/kvm.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "mapbuf.h"

#define PG		((uint64_t)4096)
#define CODE_SIZE	0x10000ULL	/* slot 0: code and stack */
#define RAM_GPA		(1ULL << 30)	/* slot 1: the RAM under test */
#define REPORT_PORT	0x10

/*
 * In: eax = first guest address, ecx = pages, edx = seed, ebx = 0 to
 * write, 1 to check. Out: the number of mismatches on port 0x10, then hlt.
 */
extern const unsigned char guest_code[], guest_code_end[];
asm(".pushsection .rodata\n"
    ".globl guest_code, guest_code_end\n"
    "guest_code:\n"
    ".code32\n"
    "	xor %esi, %esi\n"
    "	xor %edi, %edi\n"
    "1:	cmp %ecx, %edi\n"
    "	jae 4f\n"
    "	mov %edx, %ebp\n"
    "	xor %edi, %ebp\n"
    "	test %ebx, %ebx\n"
    "	jnz 2f\n"
    "	mov %ebp, (%eax)\n"
    "	jmp 3f\n"
    "2:	not %ebp\n"
    "	cmp %ebp, (%eax)\n"
    "	je 3f\n"
    "	inc %esi\n"
    "3:	add $4096, %eax\n"
    "	inc %edi\n"
    "	jmp 1b\n"
    "4:	mov %esi, %eax\n"
    "	mov $0x10, %dx\n"
    "	out %eax, %dx\n"
    "	hlt\n"
    ".code64\n"
    "guest_code_end:\n"
    ".popsection\n");

/*
 * At VMRUN_AT in the code slot: in: eax = the guest-physical address of a
 * VMCB. VMRUN it (the VMCB is all zeroes, so nested SVM fails the
 * consistency checks, writes VMEXIT_INVALID into the VMCB and returns
 * right after VMRUN), then report 1 on port 0x10 and halt. If KVM refuses
 * to map the VMCB, it injects #GP, and with an empty IDT the guest shuts
 * down.
 */
extern const unsigned char vmrun_code[], vmrun_code_end[];
asm(".pushsection .rodata\n"
    ".globl vmrun_code, vmrun_code_end\n"
    "vmrun_code:\n"
    ".code32\n"
    "	vmrun\n"
    "	mov $1, %eax\n"
    "	mov $0x10, %dx\n"
    "	out %eax, %dx\n"
    "	hlt\n"
    ".code64\n"
    "vmrun_code_end:\n"
    ".popsection\n");
/*
 * 64-bit, for "spread". In: rax = first guest address, rcx = words, rdx =
 * stride, ebx = seed. Stores seed ^ index at each address, reports the
 * count on port 0x10, then hlt.
 */
extern const unsigned char spread_code[], spread_code_end[];
asm(".pushsection .rodata\n"
    ".globl spread_code, spread_code_end\n"
    "spread_code:\n"
    "	xor %rdi, %rdi\n"
    "1:	cmp %rcx, %rdi\n"
    "	jae 2f\n"
    "	mov %ebx, %esi\n"
    "	xor %edi, %esi\n"
    "	mov %esi, (%rax)\n"
    "	add %rdx, %rax\n"
    "	inc %rdi\n"
    "	jmp 1b\n"
    "2:	mov %edi, %eax\n"
    "	mov $0x10, %dx\n"
    "	out %eax, %dx\n"
    "	hlt\n"
    "spread_code_end:\n"
    ".popsection\n");
#define SPREAD_PML4	0x2000ULL	/* then the PDPTs, 512 GiB each */
#define SPREAD_PDPTS	8		/* 4 TiB of guest-physical space */

#define VMRUN_AT	0x4000ULL
#define PGDIR_AT	0x8000ULL	/* 4 MiB pages mapping 4 GiB 1:1 */
#define HSAVE_AT	0x9000ULL	/* the host save area VMRUN needs */
#define MSR_VM_HSAVE_PA	0xc0010117
#define VMCB_EXIT_CODE	0x70		/* SVM_EXIT_ERR (-1) after a failed VMRUN */

static int kvm, vm, vcpu;
static struct kvm_run *run;
static char *code;

static int set_slot(int slot, uint32_t flags, uint64_t gpa, uint64_t size, void *hva)
{
	struct kvm_userspace_memory_region r = {
		.slot = slot, .flags = flags, .guest_phys_addr = gpa,
		.memory_size = size, .userspace_addr = (uintptr_t)hva,
	};

	return ioctl(vm, KVM_SET_USER_MEMORY_REGION, &r) ? errno : 0;
}

static void vm_create(void)
{
	struct kvm_sregs sregs;
	struct kvm_segment seg = {
		.base = 0, .limit = 0xffffffff, .present = 1, .s = 1, .db = 1, .g = 1,
	};
	int mmap_size;

	kvm = open("/dev/kvm", O_RDWR);
	if (kvm < 0)
		bail("open /dev/kvm");
	vm = ioctl(kvm, KVM_CREATE_VM, 0);
	if (vm < 0)
		bail("KVM_CREATE_VM");
	code = mmap(NULL, CODE_SIZE, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (code == MAP_FAILED)
		bail("mmap code");
	memcpy(code, guest_code, guest_code_end - guest_code);
	if (set_slot(0, 0, 0, CODE_SIZE, code))
		bail("code slot");
	vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);
	mmap_size = ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (vcpu < 0 || mmap_size <= 0)
		bail("KVM_CREATE_VCPU");
	run = mmap(NULL, mmap_size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
	if (run == MAP_FAILED)
		bail("mmap kvm_run");

	/* Flat 32-bit protected mode, no paging: linear = guest physical. */
	if (ioctl(vcpu, KVM_GET_SREGS, &sregs))
		bail("KVM_GET_SREGS");
	seg.type = 11;	/* code: execute/read, accessed */
	seg.selector = 8;
	sregs.cs = seg;
	seg.type = 3;	/* data: read/write, accessed */
	seg.selector = 16;
	sregs.ds = sregs.es = sregs.fs = sregs.gs = sregs.ss = seg;
	sregs.cr0 |= 1;
	if (ioctl(vcpu, KVM_SET_SREGS, &sregs))
		bail("KVM_SET_SREGS");
}

static void vm_destroy(void)
{
	munmap(run, ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0));
	close(vcpu);
	close(vm);
	close(kvm);
	munmap(code, CODE_SIZE);
}

/*
 * One pass of the guest over @size bytes of RAM: 0 and the mismatch count
 * in *@bad, -errno if KVM_RUN failed, or 1 on an unexpected exit (the
 * exit reason in *@bad).
 */
static int guest_pass(uint64_t size, uint32_t seed, int check, uint64_t *bad)
{
	struct kvm_regs regs = {
		.rip = 0, .rsp = CODE_SIZE, .rflags = 2,
		.rax = RAM_GPA, .rcx = size / PG, .rdx = seed, .rbx = check,
	};

	*bad = 0;
	if (ioctl(vcpu, KVM_SET_REGS, &regs))
		return -errno;
	for (;;) {
		if (ioctl(vcpu, KVM_RUN, 0))
			return -errno;
		if (run->exit_reason == KVM_EXIT_IO && run->io.port == REPORT_PORT &&
		    run->io.direction == KVM_EXIT_IO_OUT && run->io.size == 4) {
			*bad = *(uint32_t *)((char *)run + run->io.data_offset);
			continue;
		}
		if (run->exit_reason == KVM_EXIT_HLT)
			return 0;
		*bad = run->exit_reason;
		return 1;
	}
}

/* KVM's statistic @name of the VM or vCPU @owner, from its binary stats file. */
static int64_t kvm_stat(int owner, const char *name)
{
	struct kvm_stats_header h;
	struct kvm_stats_desc *d;
	int64_t val = -1;
	size_t dsize;
	uint64_t v;
	char *descs;
	uint32_t i;
	int fd = ioctl(owner, KVM_GET_STATS_FD, NULL);

	if (fd < 0 || pread(fd, &h, sizeof(h), 0) != sizeof(h))
		return -1;
	dsize = sizeof(*d) + h.name_size;
	descs = malloc(dsize * h.num_desc);
	if (descs && pread(fd, descs, dsize * h.num_desc, h.desc_offset) ==
	    (ssize_t)(dsize * h.num_desc)) {
		for (i = 0; i < h.num_desc; i++) {
			d = (struct kvm_stats_desc *)(descs + i * dsize);
			if (!strcmp(d->name, name) &&
			    pread(fd, &v, sizeof(v), h.data_offset + d->offset) == sizeof(v)) {
				val = v;
				break;
			}
		}
	}
	free(descs);
	close(fd);
	return val;
}

static int64_t vm_stat(const char *name)
{
	return kvm_stat(vm, name);
}

struct levels { int64_t k4, m2, g1; };

static struct levels levels(void)
{
	struct levels l = { vm_stat("pages_4k"), vm_stat("pages_2m"), vm_stat("pages_1g") };

	return l;
}

/* The RAM is mapped with entries of @level only (and 4K ones of the code). */
static int at_level(struct levels l, const char *level, uint64_t size)
{
	if (!strcmp(level, "1G"))
		return l.g1 == (int64_t)(size >> 30) && l.m2 == 0;
	if (!strcmp(level, "2M"))
		return l.m2 == (int64_t)(size >> 21) && l.g1 == 0;
	if (!strcmp(level, "4K"))
		return l.k4 >= (int64_t)(size / PG) && l.m2 == 0 && l.g1 == 0;
	/* "any": the code slot adds a few 4K entries, never size / PG. */
	return l.k4 + (l.m2 << 9) + (l.g1 << 18) >= (int64_t)(size / PG);
}

/* Pages of @view whose word is not (seed ^ index), complemented if @inv. */
static uint64_t host_check(const char *view, uint64_t size, uint32_t seed, int inv)
{
	uint64_t i, bad = 0;

	for (i = 0; i < size / PG; i++) {
		uint32_t want = seed ^ (uint32_t)i;

		if (*(const volatile uint32_t *)(view + i * PG) != (inv ? ~want : want))
			bad++;
	}
	return bad;
}

static void host_write(char *view, uint64_t size, uint32_t seed)
{
	uint64_t i;

	for (i = 0; i < size / PG; i++)
		*(volatile uint32_t *)(view + i * PG) = ~(seed ^ (uint32_t)i);
}

static void show(const char *when, struct levels l)
{
	ksft_print_msg("%s: stage-2 pages_4k %" PRId64 " pages_2m %" PRId64 " pages_1g %" PRId64 "\n",
	       when, l.k4, l.m2, l.g1);
}

static int test(char **argv)
{
	const char *path = argv[2], *level = argv[5];
	uint64_t align = strtoull(argv[3], NULL, 0);
	uint64_t size = strtoull(argv[4], NULL, 0);
	int dax = strcmp(path, "anon") != 0, r, e;
	uint64_t bad, bitmap_len = size / PG / 8, i, dirty;
	char *buf, *view;
	uint64_t *bitmap;
	struct levels l;

	vm_create();
	buf = map_buf(path, align, size);
	/* The host's own view: a second mapping of the device (or the same). */
	view = dax ? map_buf(path, align, size) : buf;
	e = set_slot(1, 0, RAM_GPA, size, buf);
	ksft_test_result(e == 0, "a %" PRIu64 " MiB memslot on %s (%s)\n",
			 size >> 20, path, strerror(e));
	if (e)
		ksft_exit_fail_msg("no memslot to test\n");

	r = guest_pass(size, 0x1234, 0, &bad);
	ksft_test_result(r == 0, "the guest stores a word in each of its %" PRIu64 " pages and halts (%d, %s)\n",
			 size / PG, r, r < 0 ? strerror(-r) : "ok");
	l = levels();
	show("after the guest's writes", l);
	ksft_test_result(at_level(l, level, size), "its RAM is mapped at stage 2 with %s entries\n",
			 strcmp(level, "any") ? level : "some");
	bad = host_check(view, size, 0x1234, 0);
	ksft_test_result(bad == 0, "the host reads the guest's words through its own mapping (%" PRIu64 " bad)\n",
			 bad);
	host_write(view, size, 0x5678);
	r = guest_pass(size, 0x5678, 1, &bad);
	ksft_test_result(r == 0 && bad == 0, "the guest reads the host's words (%d, %" PRIu64 " bad)\n", r, bad);

	if (dax) {
		e = madvise(buf, size, MADV_DONTNEED) ? errno : 0;
		l = levels();
		show("after MADV_DONTNEED", l);
		ksft_test_result(e == 0 && l.m2 == 0 && l.g1 == 0 && l.k4 <= (int64_t)(CODE_SIZE / PG),
				 "MADV_DONTNEED of the host mapping drops the RAM's stage-2 entries (%s)\n",
				 strerror(e));
		r = guest_pass(size, 0x5678, 1, &bad);
		ksft_test_result(r == 0 && bad == 0, "the guest faults it back in with the data intact (%d, %" PRIu64 " bad)\n",
				 r, bad);
		l = levels();
		ksft_test_result(at_level(l, level, size), "and at %s again\n",
				 strcmp(level, "any") ? level : "some size");
	}

	/* Dirty logging: 4K entries and a bit for every page written. */
	e = set_slot(1, KVM_MEM_LOG_DIRTY_PAGES, RAM_GPA, size, buf);
	r = guest_pass(size, 0x9abc, 0, &bad);
	bitmap = calloc(1, bitmap_len + 8);
	dirty = 0;
	if (bitmap) {
		struct kvm_dirty_log log = { .slot = 1, .dirty_bitmap = bitmap };

		if (ioctl(vm, KVM_GET_DIRTY_LOG, &log) == 0)
			for (i = 0; i < bitmap_len / 8; i++)
				dirty += __builtin_popcountll(bitmap[i]);
	}
	l = levels();
	show("with dirty logging", l);
	ksft_test_result(e == 0 && r == 0 && l.m2 == 0 && l.g1 == 0 && dirty == size / PG,
			 "with dirty logging the RAM is mapped at 4K and all %" PRIu64 " pages are logged dirty (%" PRIu64 ")\n",
			 size / PG, dirty);
	free(bitmap);
	e = set_slot(1, 0, RAM_GPA, size, buf);
	r = guest_pass(size, 0x9abc, 0, &bad);
	l = levels();
	show("dirty logging off", l);
	ksft_test_result(e == 0 && r == 0 && at_level(l, level, size),
			 "with dirty logging off it is mapped at %s again\n",
			 strcmp(level, "any") ? level : "some size");
	bad = host_check(view, size, 0x9abc, 0);
	ksft_test_result(bad == 0, "and the host sees the guest's last words (%" PRIu64 " bad)\n", bad);

	/* No slot, no RAM: the guest's access is an MMIO exit, not a stale page. */
	e = set_slot(1, 0, RAM_GPA, 0, buf);
	l = levels();
	r = guest_pass(size, 0x9abc, 1, &bad);
	ksft_test_result(e == 0 && l.m2 == 0 && l.g1 == 0 && r == 1 && bad == KVM_EXIT_MMIO,
			 "after the slot is deleted the guest's access to its RAM exits as MMIO (exit %" PRIu64 ")\n",
			 bad);

	vm_destroy();
	munmap(buf, size);
	if (dax)
		munmap(view, size);
	ksft_plan_and_exit();
}

/*
 * A VM whose RAM is @size bytes of @path mapped at @align: the guest writes
 * it once (a TAP point), then "# mapped" is printed and a line awaited on
 * stdin, while the caller does something to the device.
 */
static char *run_and_wait(const char *path, uint64_t align, uint64_t size)
{
	char line[16], *buf;
	uint64_t bad;
	int r;

	vm_create();
	buf = map_buf(path, align, size);
	if (set_slot(1, 0, RAM_GPA, size, buf))
		bail("memslot");
	r = guest_pass(size, 1, 0, &bad);
	ksft_test_result(r == 0, "the guest writes its RAM (%d)\n", r);
	ksft_print_msg("mapped\n");
	fflush(stdout);
	if (!fgets(line, sizeof(line), stdin))
		bail("stdin");
	return buf;
}

static int revoked(char **argv)
{
	uint64_t align = strtoull(argv[3], NULL, 0);
	uint64_t size = strtoull(argv[4], NULL, 0);
	char *buf = run_and_wait(argv[2], align, size);
	uint64_t bad;
	int r;

	r = guest_pass(size, 1, 1, &bad);
	ksft_test_result(r == -EFAULT, "once the namespace is disabled, KVM_RUN fails with EFAULT (%s)\n",
			 r < 0 ? strerror(-r) : "ran");
	vm_destroy();
	munmap(buf, size);
	ksft_plan_and_exit();
}

static volatile int bus_count, bus_code;
static void *volatile bus_addr;
static volatile short bus_lsb;

static void on_bus(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	bus_count++;
	bus_code = si->si_code;
	bus_addr = si->si_addr;
	bus_lsb = si->si_addr_lsb;
}

static int poisoned(char **argv)
{
	uint64_t align = strtoull(argv[3], NULL, 0);
	uint64_t size = strtoull(argv[4], NULL, 0);
	uint64_t off = strtoull(argv[5], NULL, 0) & ~(uint64_t)(PG - 1);
	struct sigaction sa = { .sa_sigaction = on_bus, .sa_flags = SA_SIGINFO };
	uint64_t bad;
	char *buf;
	int r, pass;

	if (sigaction(SIGBUS, &sa, NULL))
		bail("sigaction");
	buf = run_and_wait(argv[2], align, size);
	for (pass = 1; pass <= 2; pass++) {
		bus_count = 0;
		r = guest_pass(size, 1, 0, &bad);
		ksft_test_result(r == -EINTR, "run %d after the error: KVM_RUN fails with EINTR (%s)\n",
				 pass, r < 0 ? strerror(-r) : "ran");
		ksft_test_result(bus_count == 1 && bus_code == BUS_MCEERR_AR,
				 "run %d: the vCPU thread gets one SIGBUS BUS_MCEERR_AR (%d, si_code %d)\n",
				 pass, bus_count, bus_code);
		ksft_test_result(bus_addr == buf + off && bus_lsb == 12,
				 "run %d: si_addr %p, the page of the error, si_addr_lsb 12 (%p, %d)\n",
				 pass, (void *)(buf + off), bus_addr, bus_lsb);
	}
	vm_destroy();
	munmap(buf, size);
	ksft_plan_and_exit();
}

/*
 * The guest stores to RAM whose host entries are read-only in a writable
 * mapping (see leave_read_only()); with "read" the guest reads it first,
 * so that KVM maps it read-only at stage 2 too. Every store must be mapped
 * writable, none emulated.
 */
static int wrprot(char **argv)
{
	const char *path = argv[2], *level = argv[5], *how = argv[6];
	uint64_t align = strtoull(argv[3], NULL, 0);
	uint64_t size = strtoull(argv[4], NULL, 0);
	int64_t e0, e1, e2;
	struct levels l;
	int walked;
	uint64_t bad;
	char *buf;
	int r;

	vm_create();
	buf = map_buf(path, align, size);
	if (leave_read_only(buf, size, how))
		ksft_exit_fail_msg("cannot prepare the entries by %s\n", how);
	walked = !strcmp(path, "/dev/pfnmap_test") && strcmp(how, "fork");
	if (set_slot(1, 0, RAM_GPA, size, buf))
		bail("memslot");
	if (!strcmp(how, "read")) {
		r = guest_pass(size, 0, 1, &bad);
		ksft_test_result(r == 0, "the guest reads its RAM first (%d)\n", r);
	}
	if (walked)
		ksft_test_result(pfnmap_test_writable(buf) == (strcmp(how, "read") ? -1 : 0),
				 "before the stores, the first unit is %s\n",
				 strcmp(how, "read") ? "not mapped" : "mapped read-only");
	e0 = kvm_stat(vcpu, "insn_emulation");
	r = guest_pass(size, 0x2468, 0, &bad);
	e1 = kvm_stat(vcpu, "insn_emulation");
	ksft_test_result(r == 0, "after \"%s\" the guest stores a word in each of its %" PRIu64 " pages (%d)\n",
			 how, size / PG, r);
	/* What a pass emulates anyway (its hlt, say), once all is mapped. */
	r = guest_pass(size, 0x2468, 0, &bad);
	e2 = kvm_stat(vcpu, "insn_emulation");
	ksft_test_result(r == 0 && e0 >= 0 && e1 >= 0 && e2 >= 0 && e1 - e0 == e2 - e1,
			 "and KVM emulated none of the stores (%" PRId64 " instructions emulated, %" PRId64 " in a pass over mapped RAM)\n",
			 e1 - e0, e2 - e1);
	if (walked)
		ksft_test_result(pfnmap_test_writable(buf) == 1 &&
				 pfnmap_test_writable(buf + size - PG) == 1,
				 "the stores left the first and last units writable in the host\n");
	l = levels();
	show("after the stores", l);
	ksft_test_result(at_level(l, level, size), "its RAM is mapped at stage 2 with %s entries\n",
			 level);
	bad = host_check(buf, size, 0x2468, 0);
	ksft_test_result(bad == 0, "the host reads the guest's words (%" PRIu64 " bad)\n", bad);
	vm_destroy();
	munmap(buf, size);
	ksft_plan_and_exit();
}

/*
 * Let the vCPU run nested SVM: the SVM CPUID bit, EFER.SVME, paging (VMRUN
 * needs it), with a page directory of 4 MiB pages at PGDIR_AT, and a host
 * save area. The IDT is empty (limit 0), so any exception shuts it down.
 */
static void enable_svm(void)
{
	struct {
		struct kvm_cpuid2 c;
		struct kvm_cpuid_entry2 e[100];
	} cpuid = { .c.nent = 100 };
	struct {
		struct kvm_msrs m;
		struct kvm_msr_entry e;
	} msrs = { .m.nmsrs = 1, .e.index = MSR_VM_HSAVE_PA, .e.data = HSAVE_AT };
	struct kvm_sregs sregs;
	uint32_t *pgdir = (uint32_t *)(code + PGDIR_AT), i;

	if (ioctl(kvm, KVM_GET_SUPPORTED_CPUID, &cpuid))
		bail("KVM_GET_SUPPORTED_CPUID");
	for (i = 0; i < cpuid.c.nent; i++)
		if (cpuid.e[i].function == 0x80000001 && !(cpuid.e[i].ecx & (1 << 2)))
			ksft_exit_skip("KVM offers no nested SVM (kvm_amd nested=0?)\n");
	if (ioctl(vcpu, KVM_SET_CPUID2, &cpuid))
		bail("KVM_SET_CPUID2");
	for (i = 0; i < 1024; i++)
		pgdir[i] = (i << 22) | 0x83;	/* present, writable, 4 MiB */
	if (ioctl(vcpu, KVM_GET_SREGS, &sregs))
		bail("KVM_GET_SREGS");
	sregs.cr3 = PGDIR_AT;
	sregs.cr4 |= 1 << 4;			/* PSE */
	sregs.cr0 |= 1U << 31;			/* PG */
	sregs.efer |= 1 << 12;			/* SVME */
	sregs.idt.base = 0;
	sregs.idt.limit = 0;
	if (ioctl(vcpu, KVM_SET_SREGS, &sregs))
		bail("KVM_SET_SREGS (paging, EFER.SVME)");
	if (ioctl(vcpu, KVM_SET_MSRS, &msrs) != 1)
		bail("KVM_SET_MSRS (VM_HSAVE_PA)");
	memcpy(code + VMRUN_AT, vmrun_code, vmrun_code_end - vmrun_code);
}

/*
 * KVM maps a nested guest's VMCB (vmcb12) with kvm_vcpu_map(), outside
 * the MMU notifier's protection. Put it at the start of BUF: "refused"
 * means the VMRUN must end in a shutdown (KVM refuses the map and injects
 * #GP), "mapped" that it must return (VMEXIT_INVALID) and the guest
 * report on its port.
 */
static int vmrun(char **argv)
{
	const char *path = argv[2], *want = argv[4];
	uint64_t align = strtoull(argv[3], NULL, 0);
	struct kvm_regs regs = { .rip = VMRUN_AT, .rsp = CODE_SIZE, .rflags = 2,
				 .rax = RAM_GPA };
	int refused = !strcmp(want, "refused"), r;
	uint64_t exit_code;
	char *buf;

	if (!refused && strcmp(want, "mapped"))
		ksft_exit_fail_msg("refused or mapped, not %s\n", want);
	vm_create();
	enable_svm();
	buf = map_buf(path, align, align);
	memset(buf, 0, PG);
	if (set_slot(1, 0, RAM_GPA, align, buf))
		bail("memslot");
	if (ioctl(vcpu, KVM_SET_REGS, &regs))
		bail("KVM_SET_REGS");
	r = ioctl(vcpu, KVM_RUN, 0) ? -errno : 0;
	exit_code = *(volatile uint64_t *)(buf + VMCB_EXIT_CODE);
	if (refused)
		ksft_test_result(r == 0 && run->exit_reason == KVM_EXIT_SHUTDOWN && !exit_code,
				 "VMRUN of a VMCB in %s: KVM refuses to map it, the guest shuts down (%d, exit %u, VMCB exit code %#" PRIx64 ")\n",
				 path, r, run->exit_reason, exit_code);
	else
		ksft_test_result(r == 0 && run->exit_reason == KVM_EXIT_IO &&
				 run->io.port == REPORT_PORT && exit_code == ~0ULL,
				 "VMRUN of a VMCB in %s: KVM maps it, writes VMEXIT_INVALID into it, and the VMRUN returns (%d, exit %u, VMCB exit code %#" PRIx64 ")\n",
				 path, r, run->exit_reason, exit_code);
	vm_destroy();
	munmap(buf, align);
	ksft_plan_and_exit();
}

static int bench(char **argv)
{
	uint64_t align = strtoull(argv[3], NULL, 0);
	uint64_t size = strtoull(argv[4], NULL, 0);
	uint64_t t0, t1, t2, bad;
	struct levels l;
	char *buf;

	vm_create();
	buf = map_buf(argv[2], align, size);
	if (set_slot(1, 0, RAM_GPA, size, buf))
		bail("memslot");
	t0 = now_us();
	if (guest_pass(size, 1, 0, &bad))
		bail("first pass");
	t1 = now_us();
	if (guest_pass(size, 2, 0, &bad))
		bail("second pass");
	t2 = now_us();
	l = levels();
	printf("first_us %" PRIu64 " second_us %" PRIu64 " pages_4k %" PRId64
	       " pages_2m %" PRId64 " pages_1g %" PRId64 "\n",
	       t1 - t0, t2 - t1, l.k4, l.m2, l.g1);
	vm_destroy();
	return 0;
}

/*
 * The vCPU in 64-bit mode with 4-level paging, 1 GiB pages mapping the
 * first @top bytes of guest-physical space 1:1, and the CPUID KVM
 * supports (so that the guest has 1 GiB pages and the physical address
 * bits a slot beyond 64 GiB needs), running spread_code.
 */
static void enable_long_mode(uint64_t top)
{
	struct {
		struct kvm_cpuid2 c;
		struct kvm_cpuid_entry2 e[100];
	} cpuid = { .c.nent = 100 };
	struct kvm_segment cs = {
		.base = 0, .limit = 0xffffffff, .selector = 8, .type = 11,
		.present = 1, .s = 1, .l = 1, .g = 1,
	};
	uint64_t *pml4 = (uint64_t *)(code + SPREAD_PML4), *pdpt, i, n;
	struct kvm_sregs sregs;
	int gb = 0;

	n = (top + (512ULL << 30) - 1) >> 39;
	if (n > SPREAD_PDPTS)
		ksft_exit_fail_msg("the slot ends beyond the %d GiB the page tables map\n",
				   SPREAD_PDPTS * 512);
	if (ioctl(kvm, KVM_GET_SUPPORTED_CPUID, &cpuid))
		bail("KVM_GET_SUPPORTED_CPUID");
	for (i = 0; i < cpuid.c.nent; i++) {
		if (cpuid.e[i].function == 0x80000001)
			gb = !!(cpuid.e[i].edx & (1U << 26));
		if (cpuid.e[i].function == 0x80000008 &&
		    (1ULL << (cpuid.e[i].eax & 0xff)) < top)
			ksft_exit_fail_msg("KVM offers %u physical address bits, too few for a slot ending at %#" PRIx64 "\n",
					   cpuid.e[i].eax & 0xff, top);
	}
	if (!gb)
		ksft_exit_fail_msg("KVM offers no 1 GiB pages (CPUID pdpe1gb)\n");
	if (ioctl(vcpu, KVM_SET_CPUID2, &cpuid))
		bail("KVM_SET_CPUID2");
	for (i = 0; i < n; i++) {
		pml4[i] = (SPREAD_PML4 + (i + 1) * PG) | 3;	/* present, writable */
		pdpt = (uint64_t *)(code + SPREAD_PML4 + (i + 1) * PG);
		for (uint64_t j = 0; j < 512; j++)
			pdpt[j] = ((i * 512 + j) << 30) | 0x83;	/* 1 GiB page */
	}
	memcpy(code, spread_code, spread_code_end - spread_code);
	if (ioctl(vcpu, KVM_GET_SREGS, &sregs))
		bail("KVM_GET_SREGS");
	sregs.cs = cs;
	sregs.tr.type = 11;				/* busy 64-bit TSS */
	sregs.cr3 = SPREAD_PML4;
	sregs.cr4 |= 1 << 5;				/* PAE */
	sregs.cr0 |= 1U << 31 | 1;			/* PG, PE */
	sregs.efer |= 1 << 8 | 1 << 10;			/* LME, LMA */
	if (ioctl(vcpu, KVM_SET_SREGS, &sregs))
		bail("KVM_SET_SREGS (long mode)");
}

/* One run of spread_code over @n words @stride apart; fails the program. */
static void spread_pass(uint64_t n, uint64_t stride, uint32_t seed)
{
	struct kvm_regs regs = {
		.rip = 0, .rsp = CODE_SIZE, .rflags = 2,
		.rax = RAM_GPA, .rcx = n, .rdx = stride, .rbx = seed,
	};
	uint64_t got = ~0ULL;

	if (ioctl(vcpu, KVM_SET_REGS, &regs))
		bail("KVM_SET_REGS");
	for (;;) {
		if (ioctl(vcpu, KVM_RUN, 0))
			bail("KVM_RUN");
		if (run->exit_reason == KVM_EXIT_IO && run->io.port == REPORT_PORT &&
		    run->io.direction == KVM_EXIT_IO_OUT && run->io.size == 4) {
			got = *(uint32_t *)((char *)run + run->io.data_offset);
			continue;
		}
		if (run->exit_reason == KVM_EXIT_HLT && got == n)
			return;
		ksft_exit_fail_msg("the guest stopped after %" PRIu64 " of %" PRIu64 " words (exit %u)\n",
				   got, n, run->exit_reason);
	}
}

static int spread(char **argv)
{
	uint64_t align = strtoull(argv[3], NULL, 0);
	uint64_t size = strtoull(argv[4], NULL, 0);
	uint64_t n = strtoull(argv[5], NULL, 0);
	uint64_t stride, t0, t1, t2, i, bad = 0;
	struct levels l;
	char *buf;

	stride = n ? (size / n) & ~((1ULL << 30) - 1) : 0;
	if (!n || !stride)
		ksft_exit_fail_msg("%" PRIu64 " words do not spread over %" PRIu64 " bytes 1 GiB apart\n",
				   n, size);
	vm_create();
	enable_long_mode(RAM_GPA + size);
	buf = map_buf(argv[2], align, size);
	if (set_slot(1, 0, RAM_GPA, size, buf))
		bail("memslot");
	t0 = now_us();
	spread_pass(n, stride, 1);
	t1 = now_us();
	spread_pass(n, stride, 2);
	t2 = now_us();
	l = levels();
	for (i = 0; i < n; i++)
		if (*(volatile uint32_t *)(buf + i * stride) != (2 ^ (uint32_t)i))
			bad++;
	if (bad)
		ksft_exit_fail_msg("the host reads %" PRIu64 " of the guest's words wrong\n", bad);
	printf("first_us %" PRIu64 " second_us %" PRIu64 " pages_4k %" PRId64
	       " pages_2m %" PRId64 " pages_1g %" PRId64 " touched %" PRIu64 "\n",
	       t1 - t0, t2 - t1, l.k4, l.m2, l.g1, n);
	vm_destroy();
	return 0;
}

/* Subcommand dispatch, of the same shape as vfiodma.c's (kept per program). */
int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "bench") && strcmp(argv[1], "spread"))
		ksft_print_header();
	if (argc == 6 && !strcmp(argv[1], "test"))
		return test(argv);
	if (argc == 5 && !strcmp(argv[1], "revoked"))
		return revoked(argv);
	if (argc == 6 && !strcmp(argv[1], "poisoned"))
		return poisoned(argv);
	if (argc == 7 && !strcmp(argv[1], "wrprot"))
		return wrprot(argv);
	if (argc == 5 && !strcmp(argv[1], "vmrun"))
		return vmrun(argv);
	if (argc == 5 && !strcmp(argv[1], "bench"))
		return bench(argv);
	if (argc == 6 && !strcmp(argv[1], "spread"))
		return spread(argv);
	fprintf(stderr, "usage: kvmdax test BUF ALIGN SIZE 4K|2M|1G|any\n"
		"       kvmdax revoked DEV ALIGN SIZE\n"
		"       kvmdax poisoned DEV ALIGN SIZE OFF\n"
		"       kvmdax wrprot DEV ALIGN SIZE 4K|2M|1G fork|read|none\n"
		"       kvmdax vmrun BUF ALIGN refused|mapped\n"
		"       kvmdax bench BUF ALIGN SIZE\n"
		"       kvmdax spread BUF ALIGN SIZE N\n");
	return 2;
}
