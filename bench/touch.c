// SPDX-License-Identifier: GPL-2.0
/*
 * touch: first-touch cost of a device-dax mapping. Maps LEN bytes of DEV
 * shared, writes one word per 4 KiB page and prints the nanoseconds that
 * took (every fault of the fresh mapping included) and per GiB.
 *
 * usage: touch DEV LEN
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

int main(int argc, char **argv)
{
	uint64_t len, off, t0, t1;
	char *map;
	int fd;

	if (argc != 3) {
		fprintf(stderr, "usage: touch DEV LEN\n");
		return 2;
	}
	len = strtoull(argv[2], NULL, 0);
	fd = open(argv[1], O_RDWR);
	if (fd < 0) {
		perror(argv[1]);
		return 1;
	}
	map = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (map == MAP_FAILED) {
		perror("mmap");
		return 1;
	}
	t0 = now_ns();
	for (off = 0; off < len; off += 4096)
		*(volatile uint64_t *)(map + off) = off;
	t1 = now_ns();
	printf("%llu %llu\n", (unsigned long long)(t1 - t0),
	       (unsigned long long)((t1 - t0) * (1ULL << 30) / len));
	munmap(map, len);
	close(fd);
	return 0;
}
