// SPDX-License-Identifier: GPL-2.0
/*
 * hwpoison: memory errors on a DAX mapping (a device-dax character device or
 * a file on a filesystem mounted with -o dax), as TAP.
 *
 * usage: hwpoison write   PATH LEN SEED
 *        hwpoison verify  PATH LEN SEED OFF UNIT
 *        hwpoison madv    PATH LEN OFF LSB
 *        hwpoison mce     PATH LEN OFF LSB PHYS REQ
 *        hwpoison refault PATH LEN OFF
 *        hwpoison watch   PATH LEN OFF LSB MODE READY DONE
 *        hwpoison hammer  PATH LEN OFF READY DONE
 *
 *   write   map LEN bytes of PATH (MAP_SHARED) and write a pattern, a word
 *           per 64 bytes, a function of SEED and the offset
 *   verify  check that pattern everywhere except in the UNIT-sized,
 *           UNIT-aligned block that holds OFF (the poisoned unit)
 *   (write and verify leave alone the pages that a device-dax node lists
 *   in its "poison" when they start: pages it started with as poisoned)
 *   madv    poison the page at OFF with madvise(MADV_HWPOISON) and check
 *           what memory-failure promises for a DAX page: the caller gets
 *           SIGBUS with si_code BUS_MCEERR_AR, si_addr the start of the
 *           mapping unit that holds OFF and si_addr_lsb its shift, LSB (21
 *           for a PMD-mapped device-dax unit, 12 for a PTE-mapped page; the
 *           buffer is placed at a 2M boundary for 21 and 4K past one for 12,
 *           so that the mapping size is known)
 *   mce     the same through a machine check: pinned to CPU 0, write the
 *           guest-physical address PHYS (hex) to the request file REQ, which
 *           the host side of scripts/vm.sh --mce answers by injecting a
 *           machine check (SRAR data load) for it on CPU 0, and read the
 *           line at OFF until SIGBUS arrives (60 s at most); LSB 12 on a
 *           pageless device: only the page of the error is lost
 *   refault after a memory error at OFF in a pageless device: reading the
 *           page at OFF gets SIGBUS BUS_MCEERR_AR for that page (si_addr
 *           the page, si_addr_lsb 12), and its neighbours, in the same unit
 *           of the device's align, read without a signal
 *   watch   map LEN bytes and watch for the memory error at OFF that
 *           someone else injects: read the page at OFF (unless "away"),
 *           create READY, then wait until
 *           DONE exists (60 s at most) and a second more. MODE says what
 *           must happen: "early" (PR_MCE_KILL_EARLY) one SIGBUS
 *           BUS_MCEERR_AO for the unit of OFF (si_addr_lsb LSB); "late"
 *           (PR_MCE_KILL_LATE) none, and reading OFF afterwards gets
 *           BUS_MCEERR_AR for its page; "away" (early, but the mapping
 *           stops short of the unit of OFF: LEN <= OFF) none at all
 *   hammer  three threads fault the rest of the align unit of OFF in and
 *           out (MADV_DONTNEED, read, write) while someone injects a memory
 *           error at OFF and then creates DONE (create READY first); after
 *           DONE they fault a second more without zapping; then reading OFF
 *           must get SIGBUS BUS_MCEERR_AR for its page: no fault mapped it
 *           again
 * A device-dax node is mapped at a boundary of its align (its sysfs
 * "align"), anything else at a 2M boundary.
 *
 * Exit: 0 all checks passed, 1 a check failed, 2 usage error.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/sysmacros.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "mapbuf.h"

#ifndef MADV_HWPOISON
#define MADV_HWPOISON 100
#endif

static volatile sig_atomic_t got_bus;
static volatile int bus_code;
static void *volatile bus_addr;
static volatile short bus_lsb;
static sigjmp_buf bus_jmp;
static volatile sig_atomic_t bus_jump;

static void on_bus(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	if (!got_bus++) {
		bus_code = si->si_code;
		bus_addr = si->si_addr;
		bus_lsb = si->si_addr_lsb;
	}
	if (bus_jump)
		siglongjmp(bus_jmp, 1);
}

static uint64_t num(const char *s)
{
	char *end;
	uint64_t v;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s || *end) {
		fprintf(stderr, "hwpoison: bad number '%s'\n", s);
		exit(2);
	}
	return v;
}

/*
 * daxpattern.c's pattern (splitmix64 of seed and offset), repeated so that
 * each program builds on its own; the two never check each other's data.
 */
static inline uint64_t pattern(uint64_t seed, uint64_t off)
{
	uint64_t z = off + seed * 0x9e3779b97f4a7c15ULL;

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static int is_chr(const char *path)
{
	struct stat st;

	if (stat(path, &st))
		bail(path);
	return S_ISCHR(st.st_mode);
}

/* The align of the device-dax node @path, or 2M for anything else. */
static uint64_t dev_align(const char *path)
{
	unsigned long long align = 2 << 20;
	char attr[128];
	struct stat st;
	FILE *f;

	if (stat(path, &st))
		bail(path);
	if (!S_ISCHR(st.st_mode))
		return align;
	snprintf(attr, sizeof(attr), "/sys/dev/char/%u:%u/align",
		 major(st.st_rdev), minor(st.st_rdev));
	f = fopen(attr, "r");
	if (!f || fscanf(f, "%llu", &align) != 1)
		bail(attr);
	fclose(f);
	return align;
}

/*
 * Map @len bytes of @path, shared, at a boundary of its align plus @skew
 * (a 4K skew keeps a file on a DAX file system from using PMD entries; a
 * device-dax node maps with entries of its align, and takes no skew).
 */
static char *hw_map(const char *path, uint64_t len, uint64_t skew)
{
	uint64_t align = dev_align(path);
	char *buf;

	if (is_chr(path))
		skew = 0;
	buf = reserve(len + skew, align) + skew;
	map_at(buf, path, 0, len);
	return buf;
}

static void catch_bus(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_bus;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGBUS, &sa, NULL))
		bail("sigaction");
}

/* The SIGBUS that memory-failure sends for the unit of @buf + @off. */
static void check_bus(const char *how, char *buf, uint64_t off, unsigned int lsb)
{
	char *want = buf + (off & ~((1ULL << lsb) - 1));

	ksft_test_result(got_bus == 1, "%s: one SIGBUS (got %d)\n", how, (int)got_bus);
	ksft_test_result(bus_code == BUS_MCEERR_AR, "%s: si_code BUS_MCEERR_AR (%d, got %d)\n",
	       how, BUS_MCEERR_AR, bus_code);
	ksft_test_result(bus_addr == want, "%s: si_addr %p, the start of the 2^%u unit (got %p)\n",
	       how, (void *)want, lsb, bus_addr);
	ksft_test_result(bus_lsb == (short)lsb, "%s: si_addr_lsb %u (got %d)\n", how, lsb, bus_lsb);
}

/* The pages a device-dax node lists as poisoned when the program starts. */
static uint64_t known_bad[64];
static unsigned int nr_known_bad;

static void read_known_bad(const char *path)
{
	char attr[128];
	unsigned long long off;
	struct stat st;
	FILE *f;

	if (stat(path, &st))
		bail(path);
	if (!S_ISCHR(st.st_mode))
		return;
	snprintf(attr, sizeof(attr), "/sys/dev/char/%u:%u/poison",
		 major(st.st_rdev), minor(st.st_rdev));
	f = fopen(attr, "r");
	if (!f)
		bail(attr);
	while (nr_known_bad < 64 && fscanf(f, "%llx", &off) == 1)
		known_bad[nr_known_bad++] = off;
	fclose(f);
	if (nr_known_bad)
		printf("# %u pages poisoned already (%#" PRIx64 "...): not touched\n",
		       nr_known_bad, known_bad[0]);
}

static int known_bad_page(uint64_t off)
{
	unsigned int i;

	for (i = 0; i < nr_known_bad; i++)
		if ((off & ~4095ULL) == known_bad[i])
			return 1;
	return 0;
}

static int do_write(const char *path, uint64_t len, uint64_t seed)
{
	char *buf = hw_map(path, len, 0);
	uint64_t off, bad = 0;

	read_known_bad(path);
	for (off = 0; off + 8 <= len; off += 64)
		if (!known_bad_page(off))
			*(volatile uint64_t *)(buf + off) = pattern(seed, off);
	/* A file on a DAX file system needs it; device-dax refuses it. */
	if (!is_chr(path) && msync(buf, len, MS_SYNC))
		bail("msync");
	for (off = 0; off + 8 <= len; off += 64)
		if (!known_bad_page(off))
			bad += *(volatile uint64_t *)(buf + off) != pattern(seed, off);
	ksft_test_result(!bad, "wrote the pattern (seed %" PRIu64 ") over %" PRIu64
			 " bytes and read it back (%" PRIu64 " words differ)\n", seed, len, bad);
	ksft_plan_and_exit();
}

static int do_verify(const char *path, uint64_t len, uint64_t seed, uint64_t poff,
		     uint64_t unit)
{
	char *buf = hw_map(path, len, 0);
	uint64_t off, skip = poff & ~(unit - 1), bad = 0, in_unit = 0;

	/* not a byte of the poisoned unit, or of pages poisoned before, is read */
	read_known_bad(path);
	for (off = 0; off + 8 <= len; off += 64) {
		uint64_t v;

		if (off >= skip && off < skip + unit) {
			in_unit++;
			continue;
		}
		if (known_bad_page(off))
			continue;
		v = *(volatile uint64_t *)(buf + off);
		if (v != pattern(seed, off) && bad++ < 5)
			printf("# mismatch at %#" PRIx64 ": %#" PRIx64 "\n", off, v);
	}
	ksft_test_result(!bad, "the pattern is intact outside [%#" PRIx64 ", %#" PRIx64
	       ") (%" PRIu64 " words differ)\n", skip, skip + unit, bad);
	printf("# %" PRIu64 " words in the poisoned unit not read\n", in_unit);
	ksft_plan_and_exit();
}

static int do_madv(const char *path, uint64_t len, uint64_t off, unsigned int lsb)
{
	char *buf = hw_map(path, len, lsb < 21 ? 4096 : 0);
	char *page = buf + (off & ~4095ULL);
	volatile char c;
	int ret;

	catch_bus();
	/* Fault the unit in: memory-failure signals the processes mapping it. */
	c = page[0];
	(void)c;
	errno = 0;
	ret = madvise(page, 4096, MADV_HWPOISON);
	ksft_test_result(ret == 0, "madvise(MADV_HWPOISON) at offset %#" PRIx64 " returns 0 (%d, %s)\n",
	       off, ret, strerror(errno));
	check_bus("madvise", buf, off, lsb);
	ksft_plan_and_exit();
}

static int do_mce(const char *path, uint64_t len, uint64_t off, unsigned int lsb,
		  const char *phys, const char *req)
{
	char *buf = hw_map(path, len, lsb < 21 ? 4096 : 0);
	volatile uint64_t *line = (volatile uint64_t *)(buf + (off & ~63ULL));
	char tmp[4096];
	cpu_set_t cpus;
	uint64_t t0, reads = 0;
	FILE *f;

	CPU_ZERO(&cpus);
	CPU_SET(0, &cpus);
	if (sched_setaffinity(0, sizeof(cpus), &cpus))
		bail("pin to CPU 0");
	catch_bus();
	(void)*line;
	snprintf(tmp, sizeof(tmp), "%s.tmp", req);
	f = fopen(tmp, "w");
	if (!f || fprintf(f, "%s\n", phys) < 0 || fclose(f) || rename(tmp, req))
		bail(req);
	printf("# asked the host for a machine check at %s\n", phys);
	fflush(stdout);
	t0 = now_us();
	if (!sigsetjmp(bus_jmp, 1)) {
		bus_jump = 1;
		/* Stay in user mode on CPU 0 until the machine check lands. */
		while (now_us() - t0 < 60000000ULL) {
			(void)*line;
			reads++;
		}
	}
	bus_jump = 0;
	printf("# %" PRIu64 " reads in %" PRIu64 " ms\n", reads, (now_us() - t0) / 1000);
	check_bus("machine check", buf, off, lsb);
	ksft_plan_and_exit();
}

/* Read the word at @p; 1 if that raised SIGBUS. */
static int read_bus(volatile uint64_t *p)
{
	got_bus = 0;
	if (!sigsetjmp(bus_jmp, 1)) {
		bus_jump = 1;
		(void)*p;
	}
	bus_jump = 0;
	return got_bus != 0;
}

static int do_refault(const char *path, uint64_t len, uint64_t off)
{
	char *buf = hw_map(path, len, 0);
	uint64_t page = off & ~4095ULL;

	catch_bus();
	read_bus((volatile uint64_t *)(buf + page));
	check_bus("refault", buf, off, 12);
	if (page >= 4096)
		ksft_test_result(!read_bus((volatile uint64_t *)(buf + page - 4096)),
				 "the page before it reads without a signal\n");
	if (page + 8192 <= len)
		ksft_test_result(!read_bus((volatile uint64_t *)(buf + page + 4096)),
				 "the page after it reads without a signal\n");
	ksft_plan_and_exit();
}

/* Create @ready, then wait until @done exists (60 s at most). */
static void signal_ready_wait_done(const char *ready, const char *done)
{
	uint64_t t0;
	int fd;

	fd = open(ready, O_CREAT | O_WRONLY, 0644);
	if (fd < 0)
		bail(ready);
	close(fd);
	t0 = now_us();
	while (access(done, F_OK) && now_us() - t0 < 60000000ULL)
		usleep(10000);
}

static int do_watch(const char *path, uint64_t len, uint64_t off, unsigned int lsb,
		    const char *mode, const char *ready, const char *done)
{
	int early = strcmp(mode, "late") != 0;
	char *buf;

	if (strcmp(mode, "early") && strcmp(mode, "late") && strcmp(mode, "away")) {
		fprintf(stderr, "hwpoison: watch: bad mode '%s'\n", mode);
		exit(2);
	}
	if (prctl(PR_MCE_KILL, PR_MCE_KILL_SET,
		  early ? PR_MCE_KILL_EARLY : PR_MCE_KILL_LATE, 0, 0))
		bail("prctl(PR_MCE_KILL)");
	buf = hw_map(path, len, 0);
	catch_bus();
	/* a page of DAX memory is signalled where it is mapped */
	if (strcmp(mode, "away"))
		(void)*(volatile uint64_t *)(buf + (off & ~4095ULL));
	signal_ready_wait_done(ready, done);
	usleep(1000000);
	if (!strcmp(mode, "early")) {
		ksft_test_result(got_bus == 1, "early kill: one SIGBUS (got %d)\n", (int)got_bus);
		ksft_test_result(bus_code == BUS_MCEERR_AO,
				 "early kill: si_code BUS_MCEERR_AO (%d, got %d)\n",
				 BUS_MCEERR_AO, bus_code);
		ksft_test_result(bus_addr == buf + (off & ~((1ULL << lsb) - 1)),
				 "early kill: si_addr at the unit of the error (%p, got %p)\n",
				 buf + (off & ~((1ULL << lsb) - 1)), bus_addr);
		ksft_test_result(bus_lsb == (short)lsb, "early kill: si_addr_lsb %u (got %d)\n",
				 lsb, bus_lsb);
	} else {
		ksft_test_result(!got_bus, "%s: no signal (got %d, si_code %d)\n",
				 mode, (int)got_bus, bus_code);
	}
	if (!strcmp(mode, "late")) {
		read_bus((volatile uint64_t *)(buf + (off & ~4095ULL)));
		check_bus("late kill, touching it", buf, off, 12);
	}
	ksft_plan_and_exit();
}

/* do_hammer's threads: what they fault, and when to stop */
struct hammer {
	char *buf;
	uint64_t unit, align, len, page;
	volatile int injected, stop;
	uint64_t rounds;
};

static void *hammer_thread(void *arg)
{
	struct hammer *h = arg;
	uint64_t p;

	while (!h->stop) {
		/* zap the unit, only before the error: afterwards a stale entry must stay visible */
		if (!h->injected && madvise(h->buf + h->unit, h->align, MADV_DONTNEED))
			bail("madvise(MADV_DONTNEED)");
		/* a read fault, then a write to the read-only entry it may map */
		for (p = h->unit; p < h->unit + h->align && p < h->len; p += 4096 * 61) {
			volatile uint64_t *w = (volatile uint64_t *)(h->buf + p);

			if (p == h->page)
				continue;
			*w = *w;
		}
		__atomic_add_fetch(&h->rounds, 1, __ATOMIC_RELAXED);
	}
	return NULL;
}

/*
 * Threads fault the pages of the unit of OFF in and out again and again,
 * read then write, all but the page of OFF, while someone injects a memory
 * error at OFF and then creates DONE (60 s at most): the faults race the
 * record and the zap of the error. Once DONE exists nothing zaps the unit
 * any more and the threads go on faulting for a second. Then the page of
 * OFF must not be mapped: reading it gets SIGBUS BUS_MCEERR_AR. A SIGBUS
 * meanwhile kills the program (no handler yet).
 */
static int do_hammer(const char *path, uint64_t len, uint64_t off, const char *ready,
		     const char *done)
{
	struct hammer h = { .align = dev_align(path), .len = len };
	pthread_t t[3];
	int i;

	h.buf = hw_map(path, len, 0);
	h.unit = off & ~(h.align - 1);
	h.page = off & ~4095ULL;
	for (i = 0; i < 3; i++)
		if (pthread_create(&t[i], NULL, hammer_thread, &h))
			bail("pthread_create");
	signal_ready_wait_done(ready, done);
	h.injected = 1;
	usleep(1000000);
	h.stop = 1;
	for (i = 0; i < 3; i++)
		pthread_join(t[i], NULL);
	printf("# %" PRIu64 " rounds of faults over the unit at %#" PRIx64 " in 3 threads\n",
	       h.rounds, h.unit);
	ksft_test_result(h.rounds > 0, "the threads faulted the rest of the unit, no signal\n");
	catch_bus();
	read_bus((volatile uint64_t *)(h.buf + h.page));
	check_bus("after the race", h.buf, off, 12);
	ksft_plan_and_exit();
}

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : "";

	if (argc > 1)
		ksft_print_header();

	if (!strcmp(cmd, "write") && argc == 5)
		return do_write(argv[2], num(argv[3]), num(argv[4]));
	if (!strcmp(cmd, "verify") && argc == 7)
		return do_verify(argv[2], num(argv[3]), num(argv[4]), num(argv[5]),
				 num(argv[6]));
	if (!strcmp(cmd, "madv") && argc == 6)
		return do_madv(argv[2], num(argv[3]), num(argv[4]), num(argv[5]));
	if (!strcmp(cmd, "mce") && argc == 8)
		return do_mce(argv[2], num(argv[3]), num(argv[4]), num(argv[5]),
			      argv[6], argv[7]);
	if (!strcmp(cmd, "refault") && argc == 5)
		return do_refault(argv[2], num(argv[3]), num(argv[4]));
	if (!strcmp(cmd, "hammer") && argc == 7)
		return do_hammer(argv[2], num(argv[3]), num(argv[4]), argv[5], argv[6]);
	if (!strcmp(cmd, "watch") && argc == 9)
		return do_watch(argv[2], num(argv[3]), num(argv[4]), num(argv[5]),
				argv[6], argv[7], argv[8]);
	fprintf(stderr, "usage: hwpoison write PATH LEN SEED\n"
		"       hwpoison verify PATH LEN SEED OFF UNIT\n"
		"       hwpoison madv PATH LEN OFF LSB\n"
		"       hwpoison mce PATH LEN OFF LSB PHYS REQ\n"
		"       hwpoison refault PATH LEN OFF\n"
		"       hwpoison watch PATH LEN OFF LSB early|late|away READY DONE\n"
		"       hwpoison hammer PATH LEN OFF READY DONE\n");
	return 2;
}
