/* SPDX-License-Identifier: GPL-2.0 */
/*
 * map_buf() for the test programs that hand a device-dax mapping (or
 * anonymous memory) to VFIO or KVM, and what else those two share on top
 * of the kernel tree's kselftest.h.
 */
#ifndef PROGS_MAPBUF_H
#define PROGS_MAPBUF_H

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kselftest.h"
#include "../kmod/pfnmap_test.h"

/*
 * 6.1's kselftest.h does not declare its printers printf-like; these
 * declarations let the compiler check every format given to them.
 */
static inline void ksft_print_msg(const char *msg, ...)
	__attribute__((format(printf, 1, 2)));
static inline void ksft_test_result_pass(const char *msg, ...)
	__attribute__((format(printf, 1, 2)));
static inline void ksft_test_result_fail(const char *msg, ...)
	__attribute__((format(printf, 1, 2)));
static inline void ksft_test_result_skip(const char *msg, ...)
	__attribute__((format(printf, 1, 2)));
static inline int ksft_exit_fail_msg(const char *msg, ...)
	__attribute__((format(printf, 1, 2)));

/* Stop the program: @what failed with errno. */
#define bail(what) ksft_exit_fail_msg("%s: %s\n", what, strerror(errno))

/*
 * For programs whose number of checks depends on their arguments: print
 * the plan after the checks (a program that dies early prints none) and
 * exit as kselftest does.
 */
static inline void __attribute__((noreturn)) ksft_plan_and_exit(void)
{
	ksft_set_plan(ksft_test_num());
	ksft_finished();
	exit(KSFT_FAIL);
}

static inline uint64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000ULL + ts.tv_nsec / 1000;
}

/* An address range of @span bytes, nothing mapped in it; @align-aligned. */
static inline char *reserve(uint64_t span, uint64_t align)
{
	char *res = mmap(NULL, span + align, PROT_NONE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *start;

	if (res == MAP_FAILED)
		bail("reserve address space");
	start = (char *)(((uintptr_t)res + align - 1) & ~(uintptr_t)(align - 1));
	if (start > res)
		munmap(res, start - res);
	munmap(start + span, res + span + align - (start + span));
	return start;
}

/*
 * Map @size bytes of @path from @offset (or anonymous memory) at @where,
 * which must be free (reserved).
 */
static inline void map_at(char *where, const char *path, uint64_t offset,
			  uint64_t size)
{
	int fd;

	if (!strcmp(path, "anon")) {
		if (mmap(where, size, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) != where)
			bail("mmap anonymous buffer");
		return;
	}
	fd = open(path, O_RDWR);
	if (fd < 0)
		bail(path);
	if (mmap(where, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED,
		 fd, offset) != where)
		bail("mmap buffer");
	close(fd);
}

/*
 * Map @size bytes of @path (or anonymous memory) at an @align boundary,
 * followed by an unmapped hole of at least one page.
 */
static inline char *map_buf(const char *path, uint64_t align, uint64_t size)
{
	char *buf = reserve(size + align + 4096, align);

	map_at(buf, path, 0, size);
	munmap(buf + size, align + 4096);
	return buf;
}

/*
 * Prepare the entries that map [@buf, @buf + @size) of a writable mapping
 * as @how says: "fork" writes every page and forks a child that exits at
 * once (fork() used to write-protect the parent's PUD leaves); "read"
 * only reads every page (over a driver with write notification, such as
 * pfnmap_test loaded with wrnotify=1, read faults map read-only entries);
 * "none" leaves them unmapped (over such a driver the first write fault
 * on a 4 KiB page maps it read-only too). Returns 0, or -1 if @how is
 * none of these or the child failed.
 */
static inline int leave_read_only(char *buf, uint64_t size, const char *how)
{
	uint64_t off;
	int status;
	pid_t pid;

	if (!strcmp(how, "none"))
		return 0;
	if (!strcmp(how, "read")) {
		for (off = 0; off < size; off += 4096)
			(void)*(volatile char *)(buf + off);
		return 0;
	}
	if (strcmp(how, "fork"))
		return -1;
	for (off = 0; off < size; off += 4096)
		*(volatile char *)(buf + off) = 1;
	pid = fork();
	if (pid == 0)
		_exit(0);
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status))
		return -1;
	return 0;
}

/*
 * Whether pfnmap_test (the device mapped at @addr, /dev/pfnmap_test) maps
 * @addr with a writable entry: 1 or 0, or -1 if it cannot tell.
 */
static inline int pfnmap_test_writable(void *addr)
{
	struct pfnmap_walk w = { .addr = (uintptr_t)addr };
	int fd = open("/dev/pfnmap_test", O_RDWR), r = -1;

	if (fd >= 0 && !ioctl(fd, PFNMAP_TEST_WALK, &w))
		r = !!(w.flags & PFNMAP_WRITABLE);
	if (fd >= 0)
		close(fd);
	return r;
}

/* Map @size bytes of device @path PROT_READ (shared) at an @align boundary. */
static inline char *map_buf_read_only(const char *path, uint64_t align, uint64_t size)
{
	char *buf = reserve(size, align);
	int fd = open(path, O_RDWR);

	if (fd < 0)
		bail(path);
	if (mmap(buf, size, PROT_READ, MAP_SHARED | MAP_FIXED, fd, 0) != buf)
		bail("mmap read-only");
	close(fd);
	return buf;
}

#endif
