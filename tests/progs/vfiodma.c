// SPDX-License-Identifier: GPL-2.0
/*
 * vfiodma: DMA by a real (emulated) PCI device into a user buffer mapped
 * through VFIO type1, checked on both sides. The device is QEMU's edu, bound
 * to vfio-pci: its DMA engine copies between a buffer inside the device and
 * bus addresses, which the IOMMU translates through the IOVA mappings made
 * here.
 *
 *   vfiodma test GROUP BDF BUF ALIGN SIZE counted|uncounted
 *     TAP. BUF is a device-dax node mapped shared, or "anon" for anonymous
 *     memory; ALIGN is the buffer's alignment (the device's align). Maps
 *     SIZE bytes for DMA, copies pages device -> memory and back at the
 *     start, the middle of an align unit and the end, unmaps, shows that
 *     the device no longer reaches the memory, maps again and repeats.
 *     "counted" memory (anonymous) must show in VmLck while mapped;
 *     "uncounted" memory never does (pfnmap pfns, and device-dax with
 *     pages, which are reserved ZONE_DEVICE pages). Then bad input: unaligned vaddr, iova or size, a range
 *     running into the hole after the buffer, an overlapping map, partial
 *     unmaps: each must fail with its errno and leave nothing behind. Last,
 *     closing the container with a mapping in place releases it.
 *
 *   vfiodma revoked GROUP BDF DEV ALIGN SIZE
 *     TAP. Map DEV, print "mapped", wait for a line on stdin (the caller
 *     disables the namespace meanwhile), then VFIO_IOMMU_MAP_DMA of it must
 *     fail with EFAULT and leave nothing mapped.
 *
 *   vfiodma bench GROUP BDF BUF SIZE REPS
 *     Not a test: print the median time of VFIO_IOMMU_MAP_DMA and of
 *     VFIO_IOMMU_UNMAP_DMA of SIZE bytes of BUF in microseconds, one line
 *     "map_us N unmap_us N". The buffer is touched first, so that only
 *     VFIO's work is timed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/vfio.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "mapbuf.h"
#include "tap.h"

#define EDU_IDENT	0x00
#define EDU_DMA_SRC	0x80
#define EDU_DMA_DST	0x88
#define EDU_DMA_CNT	0x90
#define EDU_DMA_CMD	0x98
#define EDU_DMA_RUN	1
#define EDU_DMA_TO_RAM	2
/*
 * The device's buffer is 4 KiB at 0x40000, but QEMU 7.2's edu aborts on a
 * transfer that touches either end of it: stay inside.
 */
#define EDU_BUF		0x40100ULL
#define XFER		2048ULL
#define PG		((uint64_t)4096)
#define IOVA		(4ULL << 30)	/* 1G-aligned, inside edu's dma_mask */

static int container = -1, group = -1, device = -1;
static volatile uint64_t *bar;
static uint64_t bar_size;

static long vmlck_kb(void)
{
	char line[128];
	long kb = -1;
	FILE *f = fopen("/proc/self/status", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmLck: %ld kB", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

/* Open the container and group, set type1v2, map edu's BAR0, enable DMA. */
static void vfio_open(const char *grp, const char *bdf)
{
	struct vfio_group_status status = { .argsz = sizeof(status) };
	struct vfio_region_info reg = { .argsz = sizeof(reg) };
	char path[64];
	uint16_t cmd;

	container = open("/dev/vfio/vfio", O_RDWR);
	if (container < 0)
		bail("open /dev/vfio/vfio");
	if (ioctl(container, VFIO_GET_API_VERSION) != VFIO_API_VERSION ||
	    !ioctl(container, VFIO_CHECK_EXTENSION, VFIO_TYPE1v2_IOMMU))
		bail("no VFIO type1v2");
	snprintf(path, sizeof(path), "/dev/vfio/%s", grp);
	group = open(path, O_RDWR);
	if (group < 0)
		bail(path);
	if (ioctl(group, VFIO_GROUP_GET_STATUS, &status) ||
	    !(status.flags & VFIO_GROUP_FLAGS_VIABLE))
		bail("group not viable");
	if (ioctl(group, VFIO_GROUP_SET_CONTAINER, &container) ||
	    ioctl(container, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU))
		bail("set container/iommu");
	device = ioctl(group, VFIO_GROUP_GET_DEVICE_FD, bdf);
	if (device < 0)
		bail("get device fd");

	reg.index = VFIO_PCI_BAR0_REGION_INDEX;
	if (ioctl(device, VFIO_DEVICE_GET_REGION_INFO, &reg) ||
	    !(reg.flags & VFIO_REGION_INFO_FLAG_MMAP))
		bail("BAR0 info");
	bar_size = reg.size;
	bar = mmap(NULL, reg.size, PROT_READ | PROT_WRITE, MAP_SHARED, device,
		   reg.offset);
	if (bar == MAP_FAILED)
		bail("mmap BAR0");
	if (((volatile uint32_t *)bar)[EDU_IDENT / 4] >> 8 != 0x010000)
		bail("BAR0 is not edu's");

	reg.index = VFIO_PCI_CONFIG_REGION_INDEX;
	if (ioctl(device, VFIO_DEVICE_GET_REGION_INFO, &reg) ||
	    pread(device, &cmd, 2, reg.offset + 4) != 2)
		bail("read PCI command");
	cmd |= 4;	/* bus master */
	if (pwrite(device, &cmd, 2, reg.offset + 4) != 2)
		bail("write PCI command");
}

/* The BAR mapping holds the device file open: unmap it first. */
static void vfio_close(void)
{
	munmap((void *)bar, bar_size);
	close(device);
	close(group);
	close(container);
}

static int map_dma(void *vaddr, uint64_t iova, uint64_t size)
{
	struct vfio_iommu_type1_dma_map map = {
		.argsz = sizeof(map),
		.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
		.vaddr = (uintptr_t)vaddr, .iova = iova, .size = size,
	};

	return ioctl(container, VFIO_IOMMU_MAP_DMA, &map) ? errno : 0;
}

/* 0 and the bytes unmapped in *@done, or the errno. */
static int unmap_dma(uint64_t iova, uint64_t size, uint64_t *done)
{
	struct vfio_iommu_type1_dma_unmap unmap = {
		.argsz = sizeof(unmap), .iova = iova, .size = size,
	};
	int e = ioctl(container, VFIO_IOMMU_UNMAP_DMA, &unmap) ? errno : 0;

	*done = unmap.size;
	return e;
}

/* Nothing mapped in [iova, iova + size): unmapping it unmaps 0 bytes. */
static int nothing_mapped(uint64_t iova, uint64_t size)
{
	uint64_t done = 1;

	return unmap_dma(iova, size, &done) == 0 && done == 0;
}

/* One run of edu's DMA engine; 0 once it finished. */
static int edu_dma(uint64_t src, uint64_t dst, int to_ram)
{
	uint64_t t = now_us();

	bar[EDU_DMA_SRC / 8] = src;
	bar[EDU_DMA_DST / 8] = dst;
	bar[EDU_DMA_CNT / 8] = XFER;
	bar[EDU_DMA_CMD / 8] = EDU_DMA_RUN | (to_ram ? EDU_DMA_TO_RAM : 0);
	while (bar[EDU_DMA_CMD / 8] & EDU_DMA_RUN) {
		if (now_us() - t > 20000000)
			return -1;
		usleep(1000);
	}
	return 0;
}

static uint64_t word(uint64_t seed, uint64_t i)
{
	uint64_t x = (seed + 1) * 0x9e3779b97f4a7c15ULL ^ (i + 1) * 0xbf58476d1ce4e5b9ULL;

	return x ^ x >> 29;
}

static void fill(char *p, uint64_t seed)
{
	uint64_t i;

	for (i = 0; i < XFER / 8; i++)
		((uint64_t *)p)[i] = word(seed, i);
}

static int same(const char *p, uint64_t seed)
{
	uint64_t i;

	for (i = 0; i < XFER / 8; i++)
		if (((const uint64_t *)p)[i] != word(seed, i))
			return 0;
	return 1;
}

/*
 * Memory -> device from page @from, device -> memory into page @to: the
 * bytes must arrive, so both directions went through the IOMMU mapping.
 */
static int copy_round(char *buf, uint64_t from, uint64_t to, uint64_t seed)
{
	fill(buf + from, seed);
	memset(buf + to, 0x5a, PG);
	if (edu_dma(IOVA + from, EDU_BUF, 0) || edu_dma(EDU_BUF, IOVA + to, 1))
		return 0;
	return same(buf + to, seed) && same(buf + from, seed);
}

static void dma_rounds(char *buf, uint64_t align, uint64_t size, uint64_t seed,
		       const char *when)
{
	uint64_t mid = (size / 2 & ~(align - 1)) + align / 2;
	uint64_t off[3] = { 0, mid & ~(PG - 1), size - PG };
	int i;

	for (i = 0; i < 3; i++) {
		uint64_t to = off[(i + 1) % 3];

		result(copy_round(buf, off[i], to, seed + i),
		       "%s: edu copies from offset %#" PRIx64 " to the device and back to offset %#" PRIx64,
		       when, off[i], to);
	}
}

static void touch(char *buf, uint64_t size)
{
	uint64_t off;

	for (off = 0; off < size; off += PG)
		buf[off] = 1;
}

static int test(char **argv)
{
	uint64_t align = strtoull(argv[5], NULL, 0);
	uint64_t size = strtoull(argv[6], NULL, 0);
	int counted = !strcmp(argv[7], "counted");
	uint64_t done;
	long lck0, lck;
	char *buf;
	int e;

	vfio_open(argv[2], argv[3]);
	buf = map_buf(argv[4], align, size);
	touch(buf, size);
	lck0 = vmlck_kb();

	e = map_dma(buf, IOVA, size);
	result(e == 0, "VFIO_IOMMU_MAP_DMA of %" PRIu64 " MiB of %s (%s)",
	       size >> 20, argv[4], strerror(e));
	if (e) {
		printf("Bail out! no DMA mapping to test\n");
		return 1;
	}
	lck = vmlck_kb();
	if (counted)
		result(lck - lck0 == (long)(size >> 10),
		       "the pinned pages are counted in VmLck (%ld kB more)", lck - lck0);
	else
		result(lck == lck0, "nothing is counted in VmLck (%ld kB more)", lck - lck0);
	dma_rounds(buf, align, size, 1, "mapped");

	e = unmap_dma(IOVA, size, &done);
	result(e == 0 && done == size, "VFIO_IOMMU_UNMAP_DMA unmaps all %" PRIu64 " bytes (%s, %" PRIu64 ")",
	       size, strerror(e), done);
	result(vmlck_kb() == lck0, "VmLck is back to where it was (%ld kB)", vmlck_kb());
	/* After the unmap the device must not reach the memory any more. */
	fill(buf, 77);
	result(edu_dma(EDU_BUF, IOVA, 1) == 0 && same(buf, 77),
	       "after the unmap a device write to the old IOVA does not reach the memory");

	e = map_dma(buf, IOVA, size);
	result(e == 0, "mapping it again succeeds (%s)", strerror(e));
	dma_rounds(buf, align, size, 10, "mapped again");

	/* Bad input; each must leave what is mapped as it was. */
	e = map_dma(buf + PG, IOVA, size - PG);
	result(e == EEXIST, "an overlapping map fails with EEXIST (%s)", strerror(e));
	e = map_dma(buf + 1, IOVA + size, PG);
	result(e == EINVAL, "an unaligned vaddr fails with EINVAL (%s)", strerror(e));
	e = map_dma(buf, IOVA + size + 1, PG);
	result(e == EINVAL, "an unaligned iova fails with EINVAL (%s)", strerror(e));
	e = map_dma(buf, IOVA + size, PG + 1);
	result(e == EINVAL, "an unaligned size fails with EINVAL (%s)", strerror(e));
	e = map_dma(buf + size - PG, IOVA + size, 2 * PG);
	result(e == EFAULT && nothing_mapped(IOVA + size, 2 * PG),
	       "a range running into the hole after the buffer fails with EFAULT and maps nothing (%s)",
	       strerror(e));
	e = unmap_dma(IOVA, size / 2, &done);
	result(e == EINVAL, "unmapping the first half fails with EINVAL (%s)", strerror(e));
	e = unmap_dma(IOVA + PG, size - PG, &done);
	result(e == EINVAL, "unmapping all but the first page fails with EINVAL (%s)",
	       strerror(e));
	result(vmlck_kb() == lck, "VmLck is unchanged by the failed calls (%ld kB)", vmlck_kb());
	dma_rounds(buf, align, size, 20, "after the bad calls");

	/* Teardown with the mapping in place releases it. */
	vfio_close();
	result(vmlck_kb() == lck0, "closing the container releases the mapping (VmLck %ld kB)",
	       vmlck_kb());
	munmap(buf, size);
	return tap_done();
}

static int revoked(char **argv)
{
	uint64_t align = strtoull(argv[5], NULL, 0);
	uint64_t size = strtoull(argv[6], NULL, 0);
	char line[16], *buf;
	int e;

	vfio_open(argv[2], argv[3]);
	buf = map_buf(argv[4], align, size);
	buf[0] = 1;
	printf("# mapped\n");
	fflush(stdout);
	if (!fgets(line, sizeof(line), stdin))
		bail("stdin");
	e = map_dma(buf, IOVA, size);
	result(e == EFAULT && nothing_mapped(IOVA, size),
	       "VFIO_IOMMU_MAP_DMA of a revoked device-dax mapping fails with EFAULT and maps nothing (%s)",
	       strerror(e));
	vfio_close();
	return tap_done();
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static int bench(char **argv)
{
	uint64_t size = strtoull(argv[5], NULL, 0);
	int reps = atoi(argv[6]), i, e;
	uint64_t t, done, map_us[16], unmap_us[16];
	char *buf;

	if (reps < 1 || reps > 16)
		reps = 3;
	vfio_open(argv[2], argv[3]);
	buf = map_buf(argv[4], 1ULL << 30, size);
	touch(buf, size);
	for (i = 0; i < reps; i++) {
		t = now_us();
		e = map_dma(buf, IOVA, size);
		map_us[i] = now_us() - t;
		if (e) {
			fprintf(stderr, "vfiodma: map: %s\n", strerror(e));
			return 1;
		}
		t = now_us();
		e = unmap_dma(IOVA, size, &done);
		unmap_us[i] = now_us() - t;
		if (e || done != size) {
			fprintf(stderr, "vfiodma: unmap: %s\n", strerror(e));
			return 1;
		}
	}
	qsort(map_us, reps, sizeof(*map_us), cmp_u64);
	qsort(unmap_us, reps, sizeof(*unmap_us), cmp_u64);
	printf("map_us %" PRIu64 " unmap_us %" PRIu64 "\n", map_us[reps / 2],
	       unmap_us[reps / 2]);
	vfio_close();
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 8 && !strcmp(argv[1], "test"))
		return test(argv);
	if (argc == 7 && !strcmp(argv[1], "revoked"))
		return revoked(argv);
	if (argc == 7 && !strcmp(argv[1], "bench"))
		return bench(argv);
	fprintf(stderr, "usage: vfiodma test GROUP BDF BUF ALIGN SIZE counted|uncounted\n"
		"       vfiodma revoked GROUP BDF DEV ALIGN SIZE\n"
		"       vfiodma bench GROUP BDF BUF SIZE REPS\n");
	return 2;
}
