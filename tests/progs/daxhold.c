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
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
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

	if (argc < 4 || (strcmp(argv[1], "hold") && strcmp(argv[1], "badmap") &&
			 strcmp(argv[1], "words") && strcmp(argv[1], "ptdump")) ||
	    ((!strcmp(argv[1], "badmap") || !strcmp(argv[1], "ptdump")) &&
	     argc != 5) ||
	    (!strcmp(argv[1], "words") && argc != 6)) {
		fprintf(stderr, "usage: daxhold hold DEV LEN | badmap DEV ALIGN SIZE |\n"
			"       ptdump DEV ALIGN LEN | words DEV FROM TO XOR\n");
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
	if (!strcmp(argv[1], "words"))
		return words(fd, strtoull(argv[3], NULL, 0), strtoull(argv[4], NULL, 0),
			     strtoul(argv[5], NULL, 0));
	return badmap(fd, strtoull(argv[3], NULL, 0), strtoull(argv[4], NULL, 0));
}
