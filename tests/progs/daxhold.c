// SPDX-License-Identifier: GPL-2.0
/*
 * daxhold: device-dax mappings that outlive or overrun the device.
 *
 *   daxhold hold DEV LEN
 *     map LEN bytes of DEV shared, read a word, print "mapped", wait for a
 *     line on stdin, then read the word again. Exit 0 if it reads the same;
 *     an access after the device went away must end in SIGBUS instead.
 *
 *   daxhold badmap DEV ALIGN SIZE
 *     TAP (kselftest): an offset that is not a multiple of ALIGN is refused with
 *     EINVAL, also at an aligned address (MAP_FIXED); a mapping longer than the device (SIZE bytes) is allowed,
 *     its part inside the device works and the part past the end gets
 *     SIGBUS, as device-dax always did.
 *
 *   daxhold ptdump DEV ALIGN LEN
 *     Map LEN bytes of DEV shared, touch it once every ALIGN bytes, print
 *     "# map START-END" (hex, END exclusive), then this process's page
 *     tables as /sys/kernel/debug/page_tables/current_kernel shows them:
 *     the leaves that map the device and their memory type.
 *
 *   daxhold mremap DEV ALIGN SECONDS
 *     For SECONDS: open DEV (again and again: a caller disables and
 *     enables its namespace meanwhile), map two ALIGN units of it at a
 *     fixed address, touch them, and move the mapping 64 times with
 *     mremap() between two addresses 512 GiB apart (so that every move
 *     needs page tables), touching it before each move; a touch after
 *     the device went away gets SIGBUS, which is caught and counted.
 *     Prints "moves N maps N sigbus N"; exit 0 if mremap() never failed
 *     and something was moved.
 *
 *   daxhold zap DEV ALIGN SECONDS
 *     For SECONDS: six threads touch words of two ALIGN units of DEV (a
 *     read and a write of the same word, at pages spread over each unit)
 *     while another zaps both units with MADV_DONTNEED again and again, so
 *     that faults find a huge entry that goes away under them. A fault
 *     must never end in SIGBUS: it is caught and counted. Prints "rounds
 *     N zaps N sigbus N"; exit 0 if no fault got SIGBUS and both sides
 *     ran. (A stress test: the window it looks for is short, and it can
 *     pass on a kernel that has the race.)
 *
 *   daxhold thp DEV ALIGN SIZE none|mem
 *     TAP (kselftest). The THP switches do not stop device-dax: a child
 *     under prctl(PR_SET_THP_DISABLE), and one that madvise()s its
 *     mapping MADV_NOHUGEPAGE, each map SIZE bytes of DEV and write and
 *     read a word in every ALIGN unit without SIGBUS. Then MADV_COLD and
 *     MADV_PAGEOUT of the whole mapping: EINVAL for map=none (VM_PFNMAP),
 *     success for map=mem; the data stays either way. (The caller checks
 *     the kernel log: 6.1 cleared map=mem's PMD leaves as "bad pmd".)
 *
 *   daxhold words DEV FROM TO XOR
 *     Check the 32-bit word at the start of every 4 KiB page of DEV from
 *     offset FROM to TO: it must be (offset >> 12) ^ XOR, what the nested
 *     guest payload (nested.S) stores in its RAM at the same addresses.
 *     Prints the count of pages that differ; exit 0 if none does.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kselftest.h"

/* Read the word at @p in a child: 0 if it read, 128 + signal otherwise. */
static int child_read(volatile uint64_t *p)
{
	pid_t pid = fork();
	int status;

	if (pid == 0) {
		(void)*p;
		_exit(0);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
}

static int hold(int fd, uint64_t len)
{
	volatile uint64_t *map;
	uint64_t word;
	char line[16];

	map = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (map == MAP_FAILED) {
		perror("daxhold: mmap");
		return 2;
	}
	word = *map;
	printf("mapped\n");
	fflush(stdout);
	if (!fgets(line, sizeof(line), stdin))
		return 2;
	return *map == word ? 0 : 1;
}

static int badmap(int fd, uint64_t align, uint64_t size)
{
	char *map;
	int st;

	ksft_print_header();
	ksft_set_plan(align > 4096 ? 5 : 3);
	if (align > 4096) {
		char *at;

		map = mmap(NULL, align, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 4096);
		ksft_test_result(map == MAP_FAILED && errno == EINVAL,
				 "mmap() at an offset inside an align unit fails with EINVAL (%s)\n",
				 map == MAP_FAILED ? strerror(errno) : "it succeeded");
		if (map != MAP_FAILED)
			munmap(map, align);
		/*
		 * The same at an aligned address (MAP_FIXED inside a
		 * reservation), where only the offset is wrong.
		 */
		at = mmap(NULL, 2 * align, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (at == MAP_FAILED)
			ksft_exit_fail_msg("no address space to test with\n");
		map = (char *)(((uintptr_t)at + align - 1) & ~(uintptr_t)(align - 1));
		map = mmap(map, align, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, fd, 4096);
		ksft_test_result(map == MAP_FAILED && errno == EINVAL,
				 "and so it does at an aligned address with MAP_FIXED (%s)\n",
				 map == MAP_FAILED ? strerror(errno) : "it succeeded");
		munmap(at, 2 * align);
	}
	map = mmap(NULL, size + align, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ksft_test_result(map != MAP_FAILED,
			 "mmap() of one align unit more than the device succeeds (%s)\n",
			 map == MAP_FAILED ? strerror(errno) : "mapped");
	if (map == MAP_FAILED)
		ksft_exit_fail_msg("nothing mapped to test\n");
	st = child_read((uint64_t *)(map + size - 8));
	ksft_test_result(st == 0, "its last word inside the device reads (status %d)\n", st);
	st = child_read((uint64_t *)(map + size));
	ksft_test_result(st == 128 + SIGBUS, "its first word past the device gets SIGBUS (status %d)\n",
			 st);
	munmap(map, size + align);
	ksft_finished();
	return KSFT_FAIL;	/* not reached */
}

static sigjmp_buf bus_jmp;

static void on_sigbus(int sig)
{
	(void)sig;
	siglongjmp(bus_jmp, 1);
}

/* Touch a word in each @align unit of @map: 0, or 1 if that got SIGBUS. */
static int touch_units(volatile char *map, uint64_t len, uint64_t align)
{
	uint64_t off;

	if (sigsetjmp(bus_jmp, 1))
		return 1;
	for (off = 0; off < len; off += align)
		map[off] = map[off];
	return 0;
}

static int mremap_race(const char *dev, uint64_t align, unsigned int seconds)
{
	char *at[2] = { (char *)(64ULL << 40), (char *)((64ULL << 40) + (512ULL << 30)) };
	struct sigaction sa = { .sa_handler = on_sigbus };
	uint64_t len = 2 * align, moves = 0, maps = 0, sigbus = 0;
	time_t end = time(NULL) + seconds;
	char *map;
	int i, fd;

	if (sigaction(SIGBUS, &sa, NULL))
		return 2;
	while (time(NULL) < end) {
		fd = open(dev, O_RDWR);
		map = MAP_FAILED;
		if (fd >= 0) {
			map = mmap(at[0], len, PROT_READ | PROT_WRITE,
				   MAP_SHARED | MAP_FIXED_NOREPLACE, fd, 0);
			close(fd);
		}
		if (map == MAP_FAILED) {
			/* The device is away for now. */
			usleep(10000);
			continue;
		}
		if (map != at[0]) {
			fprintf(stderr, "daxhold: mapped at %p, not %p\n", map, at[0]);
			return 2;
		}
		maps++;
		for (i = 0; i < 64; i++) {
			char *to = at[(i + 1) % 2];

			sigbus += touch_units(map, len, align);
			if (mremap(map, len, len, MREMAP_MAYMOVE | MREMAP_FIXED, to) != to) {
				perror("daxhold: mremap");
				return 1;
			}
			map = to;
			moves++;
		}
		munmap(map, len);
	}
	printf("moves %" PRIu64 " maps %" PRIu64 " sigbus %" PRIu64 "\n", moves, maps, sigbus);
	return moves ? 0 : 1;
}

/* zap_race(): the faulting threads (more than CPUs: preempted in a fault) */
#define ZAP_THREADS 6

/* zap_race(): what the threads share */
struct zap {
	volatile char *map;
	uint64_t len;
	volatile int stop;
	uint64_t rounds, zaps, sigbus;
};

static __thread sigjmp_buf zap_jmp;

static void on_zap_sigbus(int sig)
{
	(void)sig;
	siglongjmp(zap_jmp, 1);
}

static void *zap_faulter(void *arg)
{
	struct zap *z = arg;
	/* each thread its own pages: 4 KiB apart, 509 pages between its touches */
	static int next;
	uint64_t first = __atomic_fetch_add(&next, 1, __ATOMIC_RELAXED) * 4096ULL;
	volatile uint64_t off, rounds = 0;

	off = first;
	if (sigsetjmp(zap_jmp, 1)) {
		__atomic_add_fetch(&z->sigbus, 1, __ATOMIC_RELAXED);
		off += 509 * 4096ULL;
	}
	while (!z->stop) {
		volatile uint64_t *w;

		if (off >= z->len)
			off = first;
		w = (volatile uint64_t *)(z->map + off);
		*w = *w;
		off += 509 * 4096ULL;
		rounds++;
	}
	/* counted here, not in z: a shared counter would slow the faults */
	__atomic_add_fetch(&z->rounds, rounds, __ATOMIC_RELAXED);
	return NULL;
}

static int zap_race(const char *dev, uint64_t align, unsigned int seconds)
{
	struct sigaction sa = { .sa_handler = on_zap_sigbus, .sa_flags = SA_NODEFER };
	struct zap z = { .len = 2 * align };
	time_t end = time(NULL) + seconds;
	pthread_t t[ZAP_THREADS];
	int i, fd;

	if (sigaction(SIGBUS, &sa, NULL))
		return 2;
	fd = open(dev, O_RDWR);
	if (fd < 0) {
		perror("daxhold: open");
		return 2;
	}
	z.map = mmap(NULL, z.len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (z.map == MAP_FAILED) {
		perror("daxhold: mmap");
		return 2;
	}
	for (i = 0; i < ZAP_THREADS; i++)
		if (pthread_create(&t[i], NULL, zap_faulter, &z))
			return 2;
	while (time(NULL) < end) {
		if (madvise((void *)z.map, z.len, MADV_DONTNEED)) {
			perror("daxhold: madvise(MADV_DONTNEED)");
			z.stop = 1;
			break;
		}
		z.zaps++;
	}
	z.stop = 1;
	for (i = 0; i < ZAP_THREADS; i++)
		pthread_join(t[i], NULL);
	printf("rounds %" PRIu64 " zaps %" PRIu64 " sigbus %" PRIu64 "\n",
	       z.rounds, z.zaps, z.sigbus);
	return z.rounds && z.zaps && !z.sigbus ? 0 : 1;
}

/* Write, then read back, a word in each @align unit of @len bytes. */
static int units_hold(volatile uint64_t *map, uint64_t len, uint64_t align, uint64_t seed)
{
	uint64_t off;

	for (off = 0; off < len; off += align)
		map[off / 8] = seed ^ off;
	for (off = 0; off < len; off += align)
		if (map[off / 8] != (seed ^ off))
			return 1;
	return 0;
}

/* In a child: map @len bytes of @fd, switch THP off as @how says, touch. */
static int thp_child(int fd, uint64_t align, uint64_t len, const char *how)
{
	pid_t pid = fork();
	int status;

	if (pid == 0) {
		void *map;

		if (!strcmp(how, "prctl") && prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0))
			_exit(2);
		map = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		if (map == MAP_FAILED)
			_exit(3);
		if (!strcmp(how, "madvise") && madvise(map, len, MADV_NOHUGEPAGE))
			_exit(4);
		_exit(units_hold(map, len, align, 0x7470));
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
}

static int thp(int fd, uint64_t align, uint64_t len, const char *kind)
{
	int none = !strcmp(kind, "none"), advice[2] = { MADV_COLD, MADV_PAGEOUT }, i, e;
	const char *name[2] = { "MADV_COLD", "MADV_PAGEOUT" };
	volatile uint64_t *map;

	ksft_print_header();
	ksft_set_plan(6);
	e = thp_child(fd, align, len, "prctl");
	ksft_test_result(e == 0, "under PR_SET_THP_DISABLE every unit maps and holds data (status %d)\n",
			 e);
	e = thp_child(fd, align, len, "madvise");
	ksft_test_result(e == 0, "after MADV_NOHUGEPAGE every unit maps and holds data (status %d)\n",
			 e);

	map = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (map == MAP_FAILED)
		ksft_exit_fail_msg("mmap: %s\n", strerror(errno));
	units_hold(map, len, align, 0xc01d);
	for (i = 0; i < 2; i++) {
		e = madvise((void *)map, len, advice[i]) ? errno : 0;
		ksft_test_result(e == (none ? EINVAL : 0), "%s %s (%s)\n", name[i],
				 none ? "is refused with EINVAL: VM_PFNMAP" : "succeeds",
				 strerror(e));
	}
	for (e = 0, i = 0; (uint64_t)i < len / align; i++)
		e += map[(uint64_t)i * align / 8] != (0xc01d ^ ((uint64_t)i * align));
	ksft_test_result(e == 0, "the data is still there (%d units differ)\n", e);
	ksft_test_result(units_hold(map, len, align, 0xbeef) == 0, "and the units take new data\n");
	munmap((void *)map, len);
	ksft_finished();
	return KSFT_FAIL;	/* not reached */
}

static int words(int fd, uint64_t from, uint64_t to, uint32_t xor)
{
	/* A mapping must be a multiple of the device's align: round up to 1G. */
	uint64_t len = (to + (1ULL << 30) - 1) & ~((1ULL << 30) - 1);
	uint64_t off, bad = 0;
	char *map;

	map = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, 0);
	if (map == MAP_FAILED) {
		perror("daxhold: mmap");
		return 2;
	}
	for (off = from; off < to; off += 4096)
		if (*(volatile uint32_t *)(map + off) != ((uint32_t)(off >> 12) ^ xor))
			bad++;
	printf("%" PRIu64 " of %" PRIu64 " pages differ\n", bad, (to - from) / 4096);
	munmap(map, len);
	return bad ? 1 : 0;
}

static int ptdump(int fd, uint64_t align, uint64_t len)
{
	const char *path = "/sys/kernel/debug/page_tables/current_kernel";
	volatile char *map;
	char buf[4096];
	uint64_t off;
	size_t n;
	FILE *f;

	map = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (map == MAP_FAILED) {
		perror("daxhold: mmap");
		return 2;
	}
	for (off = 0; off < len; off += align)
		map[off] = map[off];
	f = fopen(path, "r");
	if (!f) {
		fprintf(stderr, "daxhold: %s: %s\n", path, strerror(errno));
		return 2;
	}
	printf("# map %#" PRIxPTR "-%#" PRIxPTR "\n", (uintptr_t)map,
	       (uintptr_t)map + (uintptr_t)len);
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		fwrite(buf, 1, n, stdout);
	fclose(f);
	return 0;
}

int main(int argc, char **argv)
{
	int fd;

	if (argc == 5 && !strcmp(argv[1], "mremap"))
		return mremap_race(argv[2], strtoull(argv[3], NULL, 0), atoi(argv[4]));
	if (argc == 5 && !strcmp(argv[1], "zap"))
		return zap_race(argv[2], strtoull(argv[3], NULL, 0), atoi(argv[4]));
	if (argc < 4 || (strcmp(argv[1], "hold") && strcmp(argv[1], "badmap") &&
			 strcmp(argv[1], "words") && strcmp(argv[1], "ptdump") &&
			 strcmp(argv[1], "thp")) ||
	    ((!strcmp(argv[1], "badmap") || !strcmp(argv[1], "ptdump")) &&
	     argc != 5) ||
	    ((!strcmp(argv[1], "words") || !strcmp(argv[1], "thp")) && argc != 6)) {
		fprintf(stderr, "usage: daxhold hold DEV LEN | badmap DEV ALIGN SIZE |\n"
			"       ptdump DEV ALIGN LEN | words DEV FROM TO XOR |\n"
			"       mremap DEV ALIGN SECONDS | zap DEV ALIGN SECONDS |\n"
			"       thp DEV ALIGN SIZE none|mem\n");
		return 2;
	}
	fd = open(argv[2], O_RDWR);
	if (fd < 0) {
		printf("Bail out! open %s: %s\n", argv[2], strerror(errno));
		return 2;
	}
	if (!strcmp(argv[1], "hold"))
		return hold(fd, strtoull(argv[3], NULL, 0));
	if (!strcmp(argv[1], "ptdump"))
		return ptdump(fd, strtoull(argv[3], NULL, 0), strtoull(argv[4], NULL, 0));
	if (!strcmp(argv[1], "thp"))
		return thp(fd, strtoull(argv[3], NULL, 0), strtoull(argv[4], NULL, 0), argv[5]);
	if (!strcmp(argv[1], "words"))
		return words(fd, strtoull(argv[3], NULL, 0), strtoull(argv[4], NULL, 0),
			     strtoul(argv[5], NULL, 0));
	return badmap(fd, strtoull(argv[3], NULL, 0), strtoull(argv[4], NULL, 0));
}
