// SPDX-License-Identifier: GPL-2.0
/*
 * pfnmap: TAP test of a pageless mapping with special entries of one size,
 * as made by tests/kmod/pfnmap_test.ko and by pageless device-dax.
 *
 * usage: pfnmap DEV ALIGN LEN [WALKDEV PHYS]
 * Checks entry size, pfn and absence of struct page through the walk ioctl
 * of tests/kmod/pfnmap_test.ko (on DEV itself, or on WALKDEV when DEV is
 * another driver's, e.g. /dev/dax0.0, whose offset 0 is at physical address
 * PHYS; PHYS "ram" means memory at unknown addresses that has struct
 * pages, like nfit_test's vmalloc()ed buffers: the pfn is not checked and
 * pfn_valid() must be true), data through the mapping, and that everything
 * that needs a struct page (GUP: vmsplice, process_vm_readv/writev,
 * ptrace, /proc/PID/mem, futex, io_uring fixed buffers, O_DIRECT on the
 * block device named by $ODIRECT_DEV) fails cleanly, and fork, mprotect,
 * MADV_DONTNEED, munmap and mremap.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/futex.h>
#include <linux/io_uring.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tap.h"

#include "../kmod/pfnmap_test.h"


/* The errno of the last failing call, or 0 when it succeeded. */
#define ERR(call) ((call) < 0 ? errno : 0)

static uint64_t pat(uint64_t seed, uint64_t off)
{
	uint64_t z = off + seed * 0x9e3779b97f4a7c15ULL;

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	return z ^ (z >> 27);
}

/* Write (or check) one word per 4 KiB page of [map, map + len). */
static uint64_t fill(char *map, uint64_t len, uint64_t seed, int check)
{
	uint64_t off, bad = 0;

	for (off = 0; off < len; off += 4096) {
		volatile uint64_t *p = (uint64_t *)(map + off);

		if (!check)
			*p = pat(seed, off);
		else if (*p != pat(seed, off))
			bad++;
	}
	return bad;
}

/* MemFree in KiB, with the page cache dropped first so that it cannot hide
 * or fake a change. */
static long memfree_kb(void)
{
	char line[128];
	long kb = -1;
	FILE *f;

	f = fopen("/proc/sys/vm/drop_caches", "w");
	if (f) {
		fputs("3\n", f);
		fclose(f);
	}
	f = fopen("/proc/meminfo", "r");
	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "MemFree: %ld kB", &kb) == 1)
			break;
	if (f)
		fclose(f);
	return kb;
}

/* Run fn in a child; return its exit status, or 128 + the signal. */
static int in_child(void (*fn)(char *), char *arg)
{
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		fn(arg);
		_exit(0);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
}

#define PUD_BYTES (1ULL << 30)

static void child_read(char *p)
{
	(void)*(volatile uint64_t *)p;
}

static void child_write(char *p)
{
	*(volatile uint64_t *)p = 0x5a5a5a5a5a5a5a5aULL;
}

static void child_stop(char *p)
{
	(void)p;
	if (ptrace(PTRACE_TRACEME, 0, NULL, NULL) == 0)
		raise(SIGSTOP);
}

/* PTRACE_PEEKDATA of @p in a stopped child; the errno it fails with. */
static int peek_child(char *p)
{
	pid_t pid = fork();
	int status, e;

	if (pid == 0) {
		child_stop(p);
		_exit(0);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFSTOPPED(status))
		return -1;
	errno = 0;
	ptrace(PTRACE_PEEKDATA, pid, p, NULL);
	e = errno;
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	return e;
}

/* Register @len bytes at @p as an io_uring fixed buffer; the errno. */
static int uring_register(char *p, size_t len)
{
	struct io_uring_params params;
	struct iovec iov = { .iov_base = p, .iov_len = len };
	int fd, e;

	memset(&params, 0, sizeof(params));
	fd = syscall(__NR_io_uring_setup, 4, &params);
	if (fd < 0)
		return -errno;
	e = ERR(syscall(__NR_io_uring_register, fd, IORING_REGISTER_BUFFERS, &iov, 1));
	close(fd);
	return e;
}

/* O_DIRECT read or write of the block device @dev into/from @p. */
static int odirect(const char *dev, char *p, int write)
{
	int fd = open(dev, (write ? O_WRONLY : O_RDONLY) | O_DIRECT), e;

	if (fd < 0)
		return -errno;
	e = ERR(write ? pwrite(fd, p, 4096, 0) : pread(fd, p, 4096, 0));
	close(fd);
	return e;
}

/* Read all of @path; 0 if that worked, else the errno. */
static int slurp(const char *path)
{
	char chunk[4096];
	ssize_t got;
	int fd = open(path, O_RDONLY), e = 0;

	if (fd < 0)
		return errno;
	while ((got = read(fd, chunk, sizeof(chunk))) > 0)
		;
	if (got < 0)
		e = errno;
	close(fd);
	return e;
}

static void child_check_and_mark(char *map)
{
	if (*(volatile uint64_t *)map != pat(1, 0))
		_exit(1);
	*(volatile uint64_t *)(map + 8) = 0xc0ffee;
}

int main(int argc, char **argv)
{
	uint64_t align, len, off, bad, phys = ~0ULL;
	int ram = 0;
	long before, after, limit;
	struct pfnmap_walk w;
	int fd, walkfd, ok, i, e, pipefd[2];
	char *map, *p, buf[64];
	struct iovec liov, riov;

	if (argc != 4 && argc != 6) {
		fprintf(stderr, "usage: pfnmap DEV ALIGN LEN [WALKDEV PHYS]\n");
		return 2;
	}
	align = strtoull(argv[2], NULL, 0);
	len = strtoull(argv[3], NULL, 0);
	fd = open(argv[1], O_RDWR);
	if (fd < 0) {
		printf("Bail out! open %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	walkfd = fd;
	if (argc == 6) {
		ram = !strcmp(argv[5], "ram");
		if (!ram)
			phys = strtoull(argv[5], NULL, 0);
		walkfd = open(argv[4], O_RDWR);
		if (walkfd < 0) {
			printf("Bail out! open %s: %s\n", argv[4], strerror(errno));
			return 1;
		}
	}

	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	e = p == MAP_FAILED ? errno : 0;
	result(e == EINVAL, "MAP_PRIVATE is refused with EINVAL (%s)", strerror(e));

	before = memfree_kb();
	map = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (map == MAP_FAILED) {
		printf("Bail out! mmap: %s\n", strerror(errno));
		return 1;
	}
	result(((uintptr_t)map & (align - 1)) == 0, "the mapping is %" PRIu64 "-aligned", align);

	fill(map, len, 1, 0);
	bad = fill(map, len, 1, 1);
	result(bad == 0, "a pattern written to every page reads back (%" PRIu64 " bad)", bad);
	/* Page tables only: 4 KiB per 2 MiB mapped at 4K, next to nothing above. */
	after = memfree_kb();
	limit = 1024 + (align == 4096 ? (long)(len >> 21) * 4 : 0);
	result(before > 0 && after > 0 && before - after < limit,
	       "MemFree dropped by %ld KiB (limit %ld) with %" PRIu64 " MiB mapped and touched",
	       before - after, limit, len >> 20);

	/* What maps the first, a middle and the last byte of units. */
	ok = 1;
	for (off = 0; off < len; off += align) {
		uint64_t probe[3] = { off, off + align / 2, off + align - 1 };

		for (i = 0; i < 3; i++) {
			memset(&w, 0, sizeof(w));
			w.addr = (uintptr_t)map + probe[i];
			if (ioctl(walkfd, PFNMAP_TEST_WALK, &w)) {
				printf("# walk %#" PRIx64 ": %s\n", probe[i], strerror(errno));
				ok = 0;
				continue;
			}
			if (phys != ~0ULL)
				w.phys_pfn = (phys + probe[i]) >> 12;
			if (ram)
				w.phys_pfn = w.pfn;
			if (w.size != align || w.pfn != w.phys_pfn ||
			    !(w.flags & PFNMAP_SPECIAL) || !(w.flags & PFNMAP_WRITABLE) ||
			    !(w.flags & PFNMAP_PFN_VALID) != !ram ||
			    w.follow_pte != (align == 4096 ? 0 : -EINVAL)) {
				printf("# offset %#" PRIx64 ": size %" PRIu64 " pfn %#" PRIx64
				       " (want %#" PRIx64 ") flags %#x follow_pte %d\n",
				       probe[i], (uint64_t)w.size, (uint64_t)w.pfn,
				       (uint64_t)w.phys_pfn, w.flags, w.follow_pte);
				ok = 0;
			}
		}
	}
	result(ok, "every unit is one special, writable %" PRIu64 "-byte entry %s; follow_pte() %s",
	       align, ram ? "over RAM (pfn_valid)" : "of the right pfn, without struct page",
	       align == 4096 ? "finds the PTE" : "refuses the huge leaf");

	/* The proc files that walk page tables skip (or report) the mapping. */
	e = slurp("/proc/self/smaps");
	i = e ? e : slurp("/proc/self/numa_maps");
	result(!e && !i, "/proc/self/smaps and numa_maps read while it is mapped (%s, %s)",
	       strerror(e), strerror(i));
	i = open("/proc/self/pagemap", O_RDONLY);
	e = i < 0 ? errno : 0;
	if (i >= 0) {
		uint64_t ent[2];
		ssize_t got = pread(i, ent, sizeof(ent), (uintptr_t)map / 4096 * 8);

		e = got == sizeof(ent) ? 0 : got < 0 ? errno : EIO;
		close(i);
	}
	result(!e, "/proc/self/pagemap reads for the mapping (%s)", strerror(e));

	/* Whatever needs a struct page fails cleanly. */
	if (pipe(pipefd) == 0) {
		liov.iov_base = map;
		liov.iov_len = 4096;
		e = ERR(vmsplice(pipefd[1], &liov, 1, 0));
		result(e == EFAULT, "vmsplice() of the mapping fails with EFAULT (%s)", strerror(e));
		close(pipefd[0]);
		close(pipefd[1]);
	}
	liov.iov_base = buf;
	liov.iov_len = sizeof(buf);
	riov.iov_base = map;
	riov.iov_len = sizeof(buf);
	e = ERR(process_vm_readv(getpid(), &liov, 1, &riov, 1, 0));
	result(e == EFAULT, "process_vm_readv() from the mapping fails with EFAULT (%s)", strerror(e));
	i = open("/proc/self/mem", O_RDONLY);
	e = i < 0 ? errno : ERR(pread(i, buf, sizeof(buf), (uintptr_t)map));
	result(i >= 0 && e == EIO,
	       "reading the mapping through /proc/self/mem fails with EIO (%s)", strerror(e));
	if (i >= 0)
		close(i);
	e = ERR(syscall(SYS_futex, map, FUTEX_WAIT, 12345, NULL, NULL, 0));
	result(e == EFAULT, "FUTEX_WAIT on the mapping fails with EFAULT (%s)", strerror(e));
	liov.iov_base = buf;
	riov.iov_base = map;
	e = ERR(process_vm_writev(getpid(), &liov, 1, &riov, 1, 0));
	result(e == EFAULT, "process_vm_writev() into the mapping fails with EFAULT (%s)", strerror(e));
	e = peek_child(map);
	result(e == EIO, "PTRACE_PEEKDATA of the mapping fails with EIO (%s)", strerror(e));
	e = uring_register(map, align);
	result(e == EFAULT, "io_uring buffer registration of the mapping fails with EFAULT (%d: %s)",
	       e, strerror(e < 0 ? -e : e));
	if (getenv("ODIRECT_DEV")) {
		e = odirect(getenv("ODIRECT_DEV"), map, 0);
		result(e == EFAULT, "an O_DIRECT read into the mapping fails with EFAULT (%d: %s)",
		       e, strerror(e < 0 ? -e : e));
		e = odirect(getenv("ODIRECT_DEV"), map, 1);
		result(e == EFAULT, "an O_DIRECT write from the mapping fails with EFAULT (%d: %s)",
		       e, strerror(e < 0 ? -e : e));
	} else {
		printf("ok %d - O_DIRECT read and write # SKIP no $ODIRECT_DEV\n", ++n);
	}
	result(fill(map, len, 1, 1) == 0, "and none of them changed the data");

	/* fork: the child sees the parent's data, the parent the child's. */
	*(volatile uint64_t *)(map + 8) = 0;
	i = in_child(child_check_and_mark, map);
	result(i == 0 && *(volatile uint64_t *)(map + 8) == 0xc0ffee,
	       "a child of fork reads the parent's data and its write is seen (status %d)", i);
	*(volatile uint64_t *)(map + 8) = pat(1, 8);

	/* mprotect read-only: a write gets SIGSEGV; back to read-write. */
	result(mprotect(map, len, PROT_READ) == 0, "mprotect(PROT_READ) of the whole mapping");
	i = in_child(child_write, map + align / 2);
	result(i == 128 + SIGSEGV, "a write after mprotect(PROT_READ) gets SIGSEGV (status %d)", i);
	result(mprotect(map, len, PROT_READ | PROT_WRITE) == 0 && fill(map, len, 1, 1) == 0,
	       "mprotect back to read-write; the data is intact");
	i = in_child(child_write, map + align / 2);
	result(i == 0, "and writes work again (status %d)", i);
	*(volatile uint64_t *)(map + align / 2) = pat(1, align / 2);

	/* mbind() with MPOL_MF_STRICT walks even VM_PFNMAP mappings. */
	{
		unsigned long nodes = 1;

		e = ERR(syscall(SYS_mbind, map, len, 2 /* MPOL_BIND */, &nodes,
				sizeof(nodes) * 8, 1 /* MPOL_MF_STRICT */));
		result(e == 0, "mbind(MPOL_BIND, MPOL_MF_STRICT) over the mapping succeeds (%s)",
		       strerror(e));
	}

	/*
	 * MADV_DONTNEED zaps the first unit (and, given a piece of the second,
	 * the whole leaf that maps it); the next access faults the same memory
	 * back in.
	 */
	e = ERR(madvise(map, align, MADV_DONTNEED));
	memset(&w, 0, sizeof(w));
	w.addr = (uintptr_t)map;
	i = ioctl(walkfd, PFNMAP_TEST_WALK, &w) ? errno : 0;
	result(e == 0 && i != 0, "MADV_DONTNEED of a unit succeeds and unmaps it (%s; walk: %s)",
	       strerror(e), strerror(i));
	e = len >= 2 * align ? ERR(madvise(map + align + 4096, 4096, MADV_DONTNEED)) : 0;
	result(e == 0 && fill(map, len, 1, 1) == 0,
	       "MADV_DONTNEED of a page inside a unit succeeds; the data faults back in intact (%s)",
	       strerror(e));
	memset(&w, 0, sizeof(w));
	w.addr = (uintptr_t)map + align / 2;
	i = ioctl(walkfd, PFNMAP_TEST_WALK, &w) ? errno : 0;
	result(i == 0 && w.size == align, "and it is mapped again with a %" PRIu64 "-byte entry (size %" PRIu64 ", %s)",
	       align, (uint64_t)w.size, strerror(i));
	/*
	 * msync(): MS_ASYNC has nothing to do; MS_SYNC needs ->fsync, which
	 * device-dax never had (with or without pages): EINVAL, data kept.
	 */
	e = ERR(msync(map, align, MS_ASYNC));
	i = ERR(msync(map, align, MS_SYNC));
	result(e == 0 && i == EINVAL && fill(map, len, 1, 1) == 0,
	       "msync(MS_ASYNC) succeeds, msync(MS_SYNC) fails with EINVAL as on device-dax with pages (%s, %s)",
	       strerror(e), strerror(i));
	result(mlock(map, align) == 0 && munlock(map, align) == 0,
	       "mlock() and munlock() of a unit succeed (no-ops on VM_PFNMAP)");

	/* mremap: growing is refused, moving keeps the data. */
	p = mremap(map, len, len + align, 0);
	e = p == MAP_FAILED ? errno : 0;
	result(e == EFAULT, "mremap() growing the mapping fails with EFAULT (%s)", strerror(e));
	if (len >= 2 * align) {
		char *dst = mmap(NULL, len + align, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		dst = (char *)(((uintptr_t)dst + align - 1) & ~(uintptr_t)(align - 1));
		p = mremap(map, len, len, MREMAP_MAYMOVE | MREMAP_FIXED, dst);
		ok = p == dst && fill(p, len, 1, 1) == 0;
		result(ok, "mremap() moving the mapping keeps the data");
		if (p != MAP_FAILED)
			map = p;

		/* munmap of a misaligned piece is refused; of a unit, fine. */
		if (align > 4096) {
			e = ERR(munmap(map + 4096, 4096));
			result(e == EINVAL, "munmap() of a piece inside a unit fails with EINVAL (%s)",
			       strerror(e));
		}
		if (align == PUD_BYTES) {
			/*
			 * Move the last unit to an address that is not
			 * 1G-aligned: the PUD leaf cannot move whole, so it
			 * is split (zapped), and the memory cannot be mapped
			 * again there: SIGBUS, as device-dax gives for a
			 * misaligned mapping. The rest keeps its data.
			 */
			char *odd = mmap(NULL, 2 * align, PROT_NONE,
					 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

			odd = (char *)((((uintptr_t)odd + align - 1) &
					~(uintptr_t)(align - 1)) + (2 << 20));
			p = mremap(map + len - align, align, align,
				   MREMAP_MAYMOVE | MREMAP_FIXED, odd);
			i = p == odd ? in_child(child_read, odd) : -1;
			result(p == odd && i == 128 + SIGBUS,
			       "mremap() of a unit to a misaligned address splits the leaf; access there gets SIGBUS (status %d)",
			       i);
			if (p == odd)
				munmap(odd, align);
			len -= align;
			result(fill(map, len, 1, 1) == 0, "the rest of the mapping keeps its data");
		} else {
			result(munmap(map + len - align, align) == 0, "munmap() of the last unit");
			len -= align;
		}
	}
	result(munmap(map, len) == 0, "munmap() of the rest");
	close(fd);
	if (walkfd != fd)
		close(walkfd);
	return tap_done();
}
