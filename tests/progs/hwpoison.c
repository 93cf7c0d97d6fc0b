// SPDX-License-Identifier: GPL-2.0
/*
 * hwpoison: memory errors on a DAX mapping (a device-dax character device or
 * a file on a filesystem mounted with -o dax), as TAP.
 *
 * usage: hwpoison write  PATH LEN SEED
 *        hwpoison verify PATH LEN SEED OFF UNIT
 *        hwpoison madv   PATH LEN OFF LSB
 *        hwpoison mce    PATH LEN OFF LSB PHYS REQ
 *
 *   write   map LEN bytes of PATH (MAP_SHARED) and write a pattern, a word
 *           per 64 bytes, a function of SEED and the offset
 *   verify  check that pattern everywhere except in the UNIT-sized,
 *           UNIT-aligned block that holds OFF (the poisoned unit)
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
 *           line at OFF until SIGBUS arrives (60 s at most)
 * Exit: 0 all checks passed, 1 a check failed, 2 usage error.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
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

/*
 * Map @len bytes of @path, shared, at a 2M boundary plus @skew (so that a
 * 4K skew keeps the mapping from using PMD entries).
 */
static char *hw_map(const char *path, uint64_t len, uint64_t skew)
{
	uint64_t span = len + (4 << 20);
	char *res, *buf;
	int fd;

	res = mmap(NULL, span, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (res == MAP_FAILED)
		bail("reserve address space");
	buf = (char *)((((uintptr_t)res + (2 << 20) - 1) & ~(uintptr_t)((2 << 20) - 1)) + skew);
	fd = open(path, O_RDWR);
	if (fd < 0)
		bail(path);
	if (mmap(buf, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, fd, 0) != buf)
		bail("mmap");
	close(fd);
	return buf;
}

static int is_chr(const char *path)
{
	struct stat st;

	if (stat(path, &st))
		bail(path);
	return S_ISCHR(st.st_mode);
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

static int do_write(const char *path, uint64_t len, uint64_t seed)
{
	char *buf = hw_map(path, len, 0);
	uint64_t off, bad = 0;

	for (off = 0; off + 8 <= len; off += 64)
		*(volatile uint64_t *)(buf + off) = pattern(seed, off);
	/* A file on a DAX file system needs it; device-dax refuses it. */
	if (!is_chr(path) && msync(buf, len, MS_SYNC))
		bail("msync");
	for (off = 0; off + 8 <= len; off += 64)
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

	for (off = 0; off + 8 <= len; off += 64) {
		uint64_t v = *(volatile uint64_t *)(buf + off);

		if (off >= skip && off < skip + unit) {
			in_unit += v != pattern(seed, off);
			continue;
		}
		if (v != pattern(seed, off) && bad++ < 5)
			printf("# mismatch at %#" PRIx64 ": %#" PRIx64 "\n", off, v);
	}
	ksft_test_result(!bad, "the pattern is intact outside [%#" PRIx64 ", %#" PRIx64
	       ") (%" PRIu64 " words differ)\n", skip, skip + unit, bad);
	printf("# inside the poisoned unit %" PRIu64 " words differ\n", in_unit);
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
	fprintf(stderr, "usage: hwpoison write PATH LEN SEED\n"
		"       hwpoison verify PATH LEN SEED OFF UNIT\n"
		"       hwpoison madv PATH LEN OFF LSB\n"
		"       hwpoison mce PATH LEN OFF LSB PHYS REQ\n");
	return 2;
}
