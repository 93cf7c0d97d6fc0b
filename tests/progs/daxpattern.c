// SPDX-License-Identifier: GPL-2.0
/*
 * daxpattern: map a device-dax character device (or a prefix of it) with
 * MAP_SHARED, write a pattern that differs in every word and every unit,
 * and verify it. The pattern is a function of a seed and the byte offset, so
 * a later run (after a disable/enable, a reboot, or from another process) can
 * verify what an earlier one wrote.
 *
 * usage: daxpattern [-w] [-v] [-s SEED] [-l LEN] [-u UNIT] [-t STRIDE] DEV
 *   -w        write only          -v        verify only (default: both)
 *   -s SEED   pattern seed (default 1)
 *   -l LEN    bytes to map (default: the whole device, from sysfs)
 *   -u UNIT   unit reported in mismatches (default 2M)
 *   -t STRIDE bytes between the words touched (default 8: every word)
 * Exit: 0 all words match, 1 mismatch, 2 usage or system error.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

static uint64_t parse_size(const char *s)
{
	char *end;
	uint64_t v;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s)
		goto bad;
	switch (*end) {
	case 'G': case 'g': v <<= 10; /* fall through */
	case 'M': case 'm': v <<= 10; /* fall through */
	case 'K': case 'k': v <<= 10; end++; break;
	case '\0': break;
	default: goto bad;
	}
	if (*end == '\0')
		return v;
bad:
	fprintf(stderr, "daxpattern: bad size '%s'\n", s);
	exit(2);
}

/* Size of a dax character device, from /sys/dev/char/MAJ:MIN/size. */
static uint64_t dev_size(int fd, const char *path)
{
	char sysf[128];
	struct stat st;
	unsigned long long v;
	FILE *f;

	if (fstat(fd, &st) || !S_ISCHR(st.st_mode)) {
		fprintf(stderr, "daxpattern: %s is not a character device; give -l\n", path);
		exit(2);
	}
	snprintf(sysf, sizeof(sysf), "/sys/dev/char/%u:%u/size",
		 major(st.st_rdev), minor(st.st_rdev));
	f = fopen(sysf, "r");
	if (!f || fscanf(f, "%llu", &v) != 1) {
		fprintf(stderr, "daxpattern: cannot read %s: %s\n", sysf, strerror(errno));
		exit(2);
	}
	fclose(f);
	return v;
}

static inline uint64_t pattern(uint64_t seed, uint64_t off)
{
	/* splitmix64 of (seed, offset): distinct in every word and unit */
	uint64_t z = off + seed * 0x9e3779b97f4a7c15ULL;

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	uint64_t seed = 1, len = 0, unit = 2 << 20, stride = 8, off, bad = 0;
	int do_write = 1, do_verify = 1, opt, fd;
	volatile uint64_t *p;
	double t0;
	char *map;

	while ((opt = getopt(argc, argv, "wvs:l:u:t:")) != -1) {
		switch (opt) {
		case 'w': do_verify = 0; break;
		case 'v': do_write = 0; break;
		case 's': seed = parse_size(optarg); break;
		case 'l': len = parse_size(optarg); break;
		case 'u': unit = parse_size(optarg); break;
		case 't': stride = parse_size(optarg); break;
		default:
			fprintf(stderr, "usage: daxpattern [-w|-v] [-s SEED] [-l LEN] [-u UNIT] [-t STRIDE] DEV\n");
			return 2;
		}
	}
	if (optind != argc - 1 || (!do_write && !do_verify) || !unit ||
	    !stride || stride % 8) {
		fprintf(stderr, "daxpattern: need one device; -w and -v exclude each other; STRIDE a multiple of 8\n");
		return 2;
	}
	fd = open(argv[optind], O_RDWR);
	if (fd < 0) {
		fprintf(stderr, "daxpattern: open %s: %s\n", argv[optind], strerror(errno));
		return 2;
	}
	if (!len)
		len = dev_size(fd, argv[optind]);
	map = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (map == MAP_FAILED) {
		fprintf(stderr, "daxpattern: mmap %s length %" PRIu64 ": %s\n",
			argv[optind], len, strerror(errno));
		return 2;
	}
	t0 = now();
	if (do_write)
		for (off = 0; off + 8 <= len; off += stride) {
			p = (volatile uint64_t *)(map + off);
			*p = pattern(seed, off);
		}
	if (do_verify)
		for (off = 0; off + 8 <= len; off += stride) {
			p = (volatile uint64_t *)(map + off);
			if (*p == pattern(seed, off))
				continue;
			if (bad++ < 5)
				fprintf(stderr, "daxpattern: mismatch at offset %#" PRIx64
					" (unit %" PRIu64 "): got %#" PRIx64 " want %#" PRIx64 "\n",
					off, off / unit, (uint64_t)*p, pattern(seed, off));
		}
	printf("daxpattern: %s %s%s%s %" PRIu64 " bytes, seed %" PRIu64
	       ", stride %" PRIu64 ", %" PRIu64 " units: %s (%.2fs)\n",
	       argv[optind], do_write ? "wrote" : "",
	       do_write && do_verify ? "+" : "", do_verify ? "verified" : "",
	       len, seed, stride, (len + unit - 1) / unit,
	       bad ? "MISMATCH" : "ok", now() - t0);
	if (bad)
		fprintf(stderr, "daxpattern: %" PRIu64 " mismatching words\n", bad);
	munmap(map, len);
	close(fd);
	return bad ? 1 : 0;
}
