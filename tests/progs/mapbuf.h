/* SPDX-License-Identifier: GPL-2.0 */
/*
 * map_buf() for the test programs that hand a device-dax mapping (or
 * anonymous memory) to VFIO or KVM.
 */
#ifndef PROGS_MAPBUF_H
#define PROGS_MAPBUF_H

#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "tap.h"

/*
 * Map @size bytes of @path (or anonymous memory) at an @align boundary,
 * followed by an unmapped hole of at least one page.
 */
static char *map_buf(const char *path, uint64_t align, uint64_t size)
{
	uint64_t span = size + 2 * align + 4096;
	char *res, *buf;
	int fd = -1;

	res = mmap(NULL, span, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (res == MAP_FAILED)
		bail("reserve address space");
	buf = (char *)(((uintptr_t)res + align - 1) & ~(uintptr_t)(align - 1));
	if (strcmp(path, "anon")) {
		fd = open(path, O_RDWR);
		if (fd < 0)
			bail(path);
		if (mmap(buf, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED,
			 fd, 0) != buf)
			bail("mmap buffer");
		close(fd);
	} else if (mmap(buf, size, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) != buf) {
		bail("mmap anonymous buffer");
	}
	munmap(buf + size, res + span - (buf + size));
	if (buf > res)
		munmap(res, buf - res);
	return buf;
}

#endif
