// SPDX-License-Identifier: GPL-2.0
/*
 * vfiodma: DMA by a real (emulated) PCI device into a user buffer mapped
 * through VFIO type1, checked on both sides. The device is QEMU's edu, bound
 * to vfio-pci: its DMA engine copies between a buffer inside the device and
 * bus addresses, which the IOMMU translates through the IOVA mappings made
 * here. Under TCG each edu transfer takes 100 ms of virtual time, so the
 * programs count them.
 *
 *   vfiodma test GROUP BDF BUF ALIGN SIZE none|mem|anon
 *     TAP. BUF is a device-dax node mapped shared, or "anon" for anonymous
 *     memory; ALIGN is the buffer's alignment (the device's align), and the
 *     last argument what the memory is: map=none device-dax (pfnmap pfns,
 *     neither pinned nor counted), device-dax with pages (pinned, but not
 *     counted in VmLck: ZONE_DEVICE pages are reserved) or anonymous memory
 *     (pinned and counted). Maps SIZE bytes for DMA; has edu write into
 *     every unit (at 4K: every 2 MiB, the most a pin batch holds) and copy
 *     pages memory -> device -> memory at the start, the middle of a unit
 *     and the end; checks VmLck and the pins (nr_foll_pin_acquired minus
 *     nr_foll_pin_released in /proc/vmstat); unmaps, shows that the device
 *     no longer reaches the memory and that the pins are gone, maps again
 *     and repeats. Then bad input: unaligned vaddr, iova or size, a range
 *     running into the hole after the buffer, an overlapping map, partial
 *     unmaps: each must fail with its errno and leave nothing behind. Last,
 *     closing the container with a mapping in place releases it.
 *
 *   vfiodma swapped GROUP BDF DEV ALIGN SIZE
 *     TAP. Map the second half of SIZE bytes of DEV and then the first half
 *     right after it, so that the pfns jump back in the middle of one
 *     VFIO_IOMMU_MAP_DMA; edu writes every unit and reads across the jump.
 *
 *   vfiodma mixed GROUP BDF DEV ALIGN
 *     TAP. One VFIO_IOMMU_MAP_DMA over anonymous memory (2 MiB and three
 *     pages: a pin batch and a piece of the next) directly followed by two
 *     units of DEV, and then over DEV followed by anonymous memory: both
 *     parts reach the device, only the anonymous part is pinned and counted.
 *
 *   vfiodma revoked GROUP BDF DEV ALIGN SIZE
 *     TAP. Map DEV, print "# mapped", wait for a line on stdin (the caller
 *     disables the namespace meanwhile), then VFIO_IOMMU_MAP_DMA of it must
 *     fail with EFAULT and leave nothing mapped.
 *
 *   vfiodma poisoned GROUP BDF DEV ALIGN SIZE OFF
 *     TAP. As revoked, but the caller injects a memory error at offset
 *     OFF of DEV: VFIO_IOMMU_MAP_DMA of all of it must fail with EFAULT
 *     and leave nothing mapped, and a mapping of the units before the one
 *     that holds OFF must still succeed.
 *
 *   vfiodma held GROUP BDF DEV ALIGN SIZE
 *     TAP. Map SIZE bytes of DEV for DMA, check that edu reaches every
 *     unit, print "# mapped" and wait for a line on stdin (the caller
 *     starts tearing the device down meanwhile, which must wait for this
 *     mapping). Then edu writes a page into every unit again, with the
 *     CPU mapping gone, and a second DMA mapping of it fails with EFAULT;
 *     print "# dma done" and wait for a second line
 *     (the caller checks that the teardown still waits); then unmap,
 *     which lets the teardown finish, and check that the pins are back
 *     where they were; print "# unmapped" and wait for a third line (the
 *     caller makes the memory something else meanwhile), then have edu
 *     write to the old IOVA of every unit, which must reach nothing.
 *
 *   vfiodma wrprot GROUP BDF DEV ALIGN SIZE fork|read|none
 *     TAP. Map SIZE bytes of DEV and prepare its entries as
 *     leave_read_only() in mapbuf.h says: after a fork, or read-only or
 *     not yet mapped over a device with write notification (pfnmap_test
 *     with wrnotify=1, whose walker then shows them read-only or absent
 *     before the map, and writable after it); VFIO_IOMMU_MAP_DMA for
 *     reading and writing must succeed and edu reach every unit. A
 *     mapping of DEV without PROT_WRITE is refused with EFAULT and maps
 *     nothing.
 *
 *   vfiodma bench GROUP BDF BUF SIZE REPS [STRIDE]
 *     Not a test: print the median time of VFIO_IOMMU_MAP_DMA and of
 *     VFIO_IOMMU_UNMAP_DMA of SIZE bytes of BUF in microseconds, one line
 *     "map_us N unmap_us N". The buffer is touched first (a byte written
 *     every STRIDE bytes, 4 KiB by default; with the mapping's unit, e.g.
 *     1 GiB, a TiB of device-dax is faulted in without writing all of it),
 *     so that only VFIO's work is timed.
 *
 * The TAP plan comes last: the number of checks depends on the arguments,
 * and a program that dies early prints none.
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
#define BATCH		(2ULL << 20)	/* what one pin batch (a page of pointers) covers */

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

/* Open edu @bdf of the group @grp: device, its BAR0 (bar), enable DMA. */
static void edu_open(int grp, const char *bdf)
{
	struct vfio_region_info reg = { .argsz = sizeof(reg) };
	uint16_t cmd;

	device = ioctl(grp, VFIO_GROUP_GET_DEVICE_FD, bdf);
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
static void edu_close(void)
{
	munmap((void *)bar, bar_size);
	close(device);
}

/* Open group @grp, viable, or bail. */
static int group_open(const char *grp)
{
	struct vfio_group_status status = { .argsz = sizeof(status) };
	char path[64];
	int fd;

	snprintf(path, sizeof(path), "/dev/vfio/%s", grp);
	fd = open(path, O_RDWR);
	if (fd < 0)
		bail(path);
	if (ioctl(fd, VFIO_GROUP_GET_STATUS, &status) ||
	    !(status.flags & VFIO_GROUP_FLAGS_VIABLE))
		bail("group not viable");
	return fd;
}

/* Open the container and group, set type1v2, and edu (edu_open()). */
static void vfio_open(const char *grp, const char *bdf)
{
	container = open("/dev/vfio/vfio", O_RDWR);
	if (container < 0)
		bail("open /dev/vfio/vfio");
	if (ioctl(container, VFIO_GET_API_VERSION) != VFIO_API_VERSION ||
	    !ioctl(container, VFIO_CHECK_EXTENSION, VFIO_TYPE1v2_IOMMU))
		bail("no VFIO type1v2");
	group = group_open(grp);
	if (ioctl(group, VFIO_GROUP_SET_CONTAINER, &container) ||
	    ioctl(container, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU))
		bail("set container/iommu");
	edu_open(group, bdf);
}

static void vfio_close(void)
{
	edu_close();
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
 * (The seeds differ from round to round: stale bytes in the device do
 * not pass.)
 */
static int copy_round(char *buf, uint64_t iova, uint64_t from, uint64_t to, uint64_t seed)
{
	fill(buf + from, seed);
	memset(buf + to, 0x5a, PG);
	if (edu_dma(iova + from, EDU_BUF, 0) || edu_dma(EDU_BUF, iova + to, 1))
		return 0;
	return same(buf + to, seed);
}

static void dma_rounds(char *buf, uint64_t align, uint64_t size, uint64_t seed,
		       const char *when)
{
	uint64_t mid = (size / 2 & ~(align - 1)) + align / 2;
	uint64_t off[3] = { 0, mid & ~(PG - 1), size - PG };
	int i;

	for (i = 0; i < 3; i++) {
		uint64_t to = off[(i + 1) % 3];

		ksft_test_result(copy_round(buf, IOVA, off[i], to, seed + i),
				 "%s: edu copies from offset %#" PRIx64 " to the device and back to offset %#" PRIx64 "\n",
				 when, off[i], to);
	}
}

/*
 * One page in every unit of [@start, @end) of the buffer (every 2 MiB when
 * the units are smaller), a different one in each, and the last page.
 */
static uint64_t probes(uint64_t start, uint64_t end, uint64_t align, uint64_t *off)
{
	uint64_t step = align > BATCH ? align : BATCH, n = 0, u;

	for (u = start; u < end; u += step, n++)
		off[n] = u + (n * 37 * PG) % (end - u < step ? end - u : step);
	if (off[n - 1] != end - PG)
		off[n++] = end - PG;
	return n;
}

/*
 * edu writes a page into each of @n pages of the buffer, mapped at @iova:
 * a wrong translation of any unit leaves its page as it was. Returns the
 * number of pages that did not get the bytes, and shows the first.
 */
static uint64_t write_probes(char *buf, uint64_t iova, const uint64_t *off, uint64_t n,
			     uint64_t seed)
{
	uint64_t i, bad = 0;

	fill(buf + off[0], seed);
	if (edu_dma(iova + off[0], EDU_BUF, 0))
		return n;
	for (i = 0; i < n; i++) {
		if (i)
			memset(buf + off[i], 0x5a, PG);
		if (edu_dma(EDU_BUF, iova + off[i], 1))
			return n;
	}
	for (i = 0; i < n; i++) {
		if (same(buf + off[i], seed))
			continue;
		if (!bad++)
			ksft_print_msg("offset %#" PRIx64 " did not get the device's bytes\n", off[i]);
	}
	return bad;
}

/* One check: edu reaches every unit of @size bytes of the buffer at IOVA. */
static void every_unit(char *buf, uint64_t align, uint64_t size, uint64_t seed)
{
	uint64_t n, bad, *off = calloc(size / PG + 2, sizeof(*off));

	if (!off)
		bail("calloc");
	n = probes(0, size, align, off);
	bad = write_probes(buf, IOVA, off, n, seed);
	ksft_test_result(bad == 0, "edu writes into every unit: %" PRIu64 " pages (%" PRIu64 " missed)\n",
			 n, bad);
	free(off);
}

static void touch(char *buf, uint64_t size)
{
	uint64_t off;

	for (off = 0; off < size; off += PG)
		buf[off] = 1;
}

/* Pages pinned (FOLL_PIN) and not yet released, system-wide. */
static long pins(void)
{
	long acq = -1, rel = -1, v;
	char name[64];
	FILE *f;

	/* Fold the per-cpu counts into the totals first. */
	f = fopen("/proc/sys/vm/stat_refresh", "w");
	if (f) {
		fputs("1\n", f);
		fclose(f);
	}
	f = fopen("/proc/vmstat", "r");
	if (!f)
		bail("/proc/vmstat");
	while (fscanf(f, "%63s %ld", name, &v) == 2) {
		if (!strcmp(name, "nr_foll_pin_acquired"))
			acq = v;
		else if (!strcmp(name, "nr_foll_pin_released"))
			rel = v;
	}
	fclose(f);
	if (acq < 0 || rel < 0)
		ksft_exit_fail_msg("no nr_foll_pin_* in /proc/vmstat\n");
	return acq - rel;
}

/*
 * The pin balance of a DMA mapping: @now pins more than when it started,
 * which must be @want. (6.1's type1 never released the pins it took on
 * device-dax pages with a struct page, which are PageReserved: it decided
 * what to unpin by what the pfns were, not by what it had pinned.)
 */
static void pins_are(long now, long want, const char *what)
{
	ksft_test_result(now == want, "%s (%ld pins, want %ld)\n", what, now, want);
}

/*
 * Open edu's group (argv[2], argv[3]), map @size bytes of argv[4] at
 * @align and touch them, note VmLck and the pins, and map them all for DMA
 * at IOVA: one check, and the end of the test if it fails.
 */
static char *open_and_map(char **argv, uint64_t align, uint64_t size, long *lck0,
			  long *pin0)
{
	char *buf;
	int e;

	vfio_open(argv[2], argv[3]);
	buf = map_buf(argv[4], align, size);
	touch(buf, size);
	*lck0 = vmlck_kb();
	*pin0 = pins();
	e = map_dma(buf, IOVA, size);
	ksft_test_result(e == 0, "VFIO_IOMMU_MAP_DMA of %" PRIu64 " MiB of %s (%s)\n",
			 size >> 20, argv[4], strerror(e));
	if (e)
		ksft_exit_fail_msg("no DMA mapping\n");
	return buf;
}

static int test(char **argv)
{
	const char *kind = argv[7];
	uint64_t align = strtoull(argv[5], NULL, 0);
	uint64_t size = strtoull(argv[6], NULL, 0);
	int anon = !strcmp(kind, "anon"), none = !strcmp(kind, "none");
	long lck0, lck, pin0, pinned, want_pins = none ? 0 : (long)(size / PG);
	uint64_t done;
	char *buf;
	int e;

	if (!anon && !none && strcmp(kind, "mem"))
		ksft_exit_fail_msg("kind must be none, mem or anon, not %s\n", kind);
	buf = open_and_map(argv, align, size, &lck0, &pin0);
	lck = vmlck_kb();
	/* Device-dax pages are reserved: VFIO never counts them; the pins tell. */
	if (anon)
		ksft_test_result(lck - lck0 == (long)(size >> 10),
				 "the pinned pages are counted in VmLck (%ld kB more)\n", lck - lck0);
	else if (none)
		ksft_test_result(lck == lck0, "nothing is counted in VmLck (%ld kB more)\n",
				 lck - lck0);
	pinned = pins() - pin0;
	ksft_test_result(pinned == want_pins, "%ld pages are pinned (%ld)\n", want_pins, pinned);

	every_unit(buf, align, size, 5);
	dma_rounds(buf, align, size, 1, "mapped");

	e = unmap_dma(IOVA, size, &done);
	ksft_test_result(e == 0 && done == size,
			 "VFIO_IOMMU_UNMAP_DMA unmaps all %" PRIu64 " bytes (%s, %" PRIu64 ")\n",
			 size, strerror(e), done);
	if (anon)
		ksft_test_result(vmlck_kb() == lck0, "VmLck is back to where it was (%ld kB)\n",
				 vmlck_kb());
	pins_are(pins() - pin0, 0, "and no page is pinned any more");
	/* After the unmap the device must not reach the memory any more. */
	fill(buf, 77);
	ksft_test_result(edu_dma(EDU_BUF, IOVA, 1) == 0 && same(buf, 77),
			 "after the unmap a device write to the old IOVA does not reach the memory\n");

	e = map_dma(buf, IOVA, size);
	ksft_test_result(e == 0, "mapping it again succeeds (%s)\n", strerror(e));
	dma_rounds(buf, align, size, 10, "mapped again");
	lck = vmlck_kb();
	pinned = pins() - pin0;

	/* Bad input; each must leave what is mapped as it was. */
	e = map_dma(buf + PG, IOVA, size - PG);
	ksft_test_result(e == EEXIST, "an overlapping map fails with EEXIST (%s)\n", strerror(e));
	e = map_dma(buf + 1, IOVA + size, PG);
	ksft_test_result(e == EINVAL, "an unaligned vaddr fails with EINVAL (%s)\n", strerror(e));
	e = map_dma(buf, IOVA + size + 1, PG);
	ksft_test_result(e == EINVAL, "an unaligned iova fails with EINVAL (%s)\n", strerror(e));
	e = map_dma(buf, IOVA + size, PG + 1);
	ksft_test_result(e == EINVAL, "an unaligned size fails with EINVAL (%s)\n", strerror(e));
	e = map_dma(buf + size - PG, IOVA + size, 2 * PG);
	ksft_test_result(e == EFAULT && nothing_mapped(IOVA + size, 2 * PG),
			 "a range running into the hole after the buffer fails with EFAULT and maps nothing (%s)\n",
			 strerror(e));
	e = unmap_dma(IOVA, size / 2, &done);
	ksft_test_result(e == EINVAL, "unmapping the first half fails with EINVAL (%s)\n",
			 strerror(e));
	e = unmap_dma(IOVA + PG, size - PG, &done);
	ksft_test_result(e == EINVAL, "unmapping all but the first page fails with EINVAL (%s)\n",
			 strerror(e));
	if (anon)
		ksft_test_result(vmlck_kb() == lck, "VmLck is unchanged by the failed calls (%ld kB)\n",
				 vmlck_kb());
	pins_are(pins() - pin0, pinned, "so are the pins");
	dma_rounds(buf, align, size, 20, "after the bad calls");

	/* Teardown with the mapping in place releases it. */
	vfio_close();
	if (anon)
		ksft_test_result(vmlck_kb() == lck0,
				 "closing the container releases the mapping (VmLck %ld kB)\n",
				 vmlck_kb());
	pins_are(pins() - pin0, 0, "closing the container unpins everything");
	munmap(buf, size);
	ksft_plan_and_exit();
}

/*
 * The second half of the device's first @size bytes, then the first half:
 * at the middle the pfns jump back by @size.
 */
static int swapped(char **argv)
{
	uint64_t align = strtoull(argv[5], NULL, 0);
	uint64_t size = strtoull(argv[6], NULL, 0);
	uint64_t half = size / 2, done;
	char *buf;
	int e;

	if (half % align)
		ksft_exit_fail_msg("half of %" PRIu64 " is not a multiple of %" PRIu64 "\n",
				   size, align);
	vfio_open(argv[2], argv[3]);
	buf = reserve(size, align);
	map_at(buf, argv[4], half, half);
	map_at(buf + half, argv[4], 0, half);
	touch(buf, size);

	e = map_dma(buf, IOVA, size);
	ksft_test_result(e == 0, "VFIO_IOMMU_MAP_DMA of the two halves of %s in swapped order (%s)\n",
			 argv[4], strerror(e));
	if (e)
		ksft_exit_fail_msg("no DMA mapping to test\n");
	every_unit(buf, align, size, 31);
	ksft_test_result(copy_round(buf, IOVA, half - PG, half, 32) &&
			 copy_round(buf, IOVA, half, half - PG, 33),
			 "edu copies from the last page of the first half to the first of the second and back\n");
	e = unmap_dma(IOVA, size, &done);
	ksft_test_result(e == 0 && done == size,
			 "VFIO_IOMMU_UNMAP_DMA unmaps all %" PRIu64 " bytes (%s, %" PRIu64 ")\n",
			 size, strerror(e), done);
	vfio_close();
	munmap(buf, size);
	ksft_plan_and_exit();
}

/*
 * One MAP_DMA over anonymous memory and two units of @dev next to each
 * other, anonymous first if @anon_first.
 */
static void mixed_one(const char *dev, uint64_t align, int anon_first)
{
	const char *order = anon_first ? "anonymous then dax" : "dax then anonymous";
	uint64_t anon_size = BATCH + 3 * PG, dax_size = align < BATCH ? BATCH + 2 * PG : 2 * align;
	uint64_t size = anon_size + dax_size;
	uint64_t a0, d0, n, bad, done, *off;
	long lck0, pin0, lck, pinned;
	char *buf;
	int e;

	/* The dax part starts at an align boundary either way. */
	buf = reserve(size + align, align);
	if (anon_first) {
		buf += align - anon_size % align;
		a0 = 0;
		d0 = anon_size;
	} else {
		d0 = 0;
		a0 = dax_size;
	}
	map_at(buf + a0, "anon", 0, anon_size);
	map_at(buf + d0, dev, 0, dax_size);
	touch(buf, size);
	lck0 = vmlck_kb();
	pin0 = pins();

	e = map_dma(buf, IOVA, size);
	ksft_test_result(e == 0, "%s: one VFIO_IOMMU_MAP_DMA over both (%s)\n", order, strerror(e));
	if (e)
		ksft_exit_fail_msg("no DMA mapping to test\n");
	lck = vmlck_kb() - lck0;
	ksft_test_result(lck == (long)(anon_size >> 10),
			 "%s: the anonymous part is counted in VmLck (%ld kB more)\n", order, lck);
	pinned = pins() - pin0;
	ksft_test_result(pinned == (long)(anon_size / PG),
			 "%s: its %" PRIu64 " pages are pinned (%ld)\n", order, anon_size / PG, pinned);
	off = calloc(size / PG + 4, sizeof(*off));
	if (!off)
		bail("calloc");
	n = probes(a0, a0 + anon_size, PG, off);
	n += probes(d0, d0 + dax_size, align, off + n);
	bad = write_probes(buf, IOVA, off, n, 41);
	ksft_test_result(bad == 0, "%s: edu writes into every unit of both: %" PRIu64 " pages (%" PRIu64 " missed)\n",
			 order, n, bad);
	free(off);
	ksft_test_result(copy_round(buf, IOVA, a0, d0 + dax_size - PG, 42) &&
			 copy_round(buf, IOVA, d0, a0 + anon_size - PG, 43),
			 "%s: edu copies from each part to the other\n", order);
	e = unmap_dma(IOVA, size, &done);
	pinned = pins() - pin0;
	ksft_test_result(e == 0 && done == size && vmlck_kb() == lck0 && pinned == 0,
			 "%s: VFIO_IOMMU_UNMAP_DMA unmaps all, VmLck and pins are back (%s, %" PRIu64 " bytes, %ld kB, %ld pinned)\n",
			 order, strerror(e), done, vmlck_kb() - lck0, pinned);
	munmap(buf, size);
}

static int mixed(char **argv)
{
	vfio_open(argv[2], argv[3]);
	mixed_one(argv[4], strtoull(argv[5], NULL, 0), 1);
	mixed_one(argv[4], strtoull(argv[5], NULL, 0), 0);
	vfio_close();
	ksft_plan_and_exit();
}

/*
 * Open VFIO (GROUP, BDF in argv[2], argv[3]), map @size bytes of DEV
 * (argv[4]) at @align, touch it, print "# mapped" and wait for a line on
 * stdin, while the caller does something to the device.
 */
static char *map_and_wait(char **argv, uint64_t align, uint64_t size)
{
	char line[16], *buf;

	vfio_open(argv[2], argv[3]);
	buf = map_buf(argv[4], align, size);
	buf[0] = 1;
	ksft_print_msg("mapped\n");
	fflush(stdout);
	if (!fgets(line, sizeof(line), stdin))
		bail("stdin");
	return buf;
}

static int revoked(char **argv)
{
	uint64_t align = strtoull(argv[5], NULL, 0);
	uint64_t size = strtoull(argv[6], NULL, 0);
	char *buf = map_and_wait(argv, align, size);
	int e;

	e = map_dma(buf, IOVA, size);
	ksft_test_result(e == EFAULT && nothing_mapped(IOVA, size),
			 "VFIO_IOMMU_MAP_DMA of a revoked device-dax mapping fails with EFAULT and maps nothing (%s)\n",
			 strerror(e));
	vfio_close();
	ksft_plan_and_exit();
}

/*
 * After a memory error at @off of DEV, VFIO_IOMMU_MAP_DMA of a range that
 * holds that page fails, mapping nothing; the units before it still map.
 */
static int poisoned(char **argv)
{
	uint64_t align = strtoull(argv[5], NULL, 0);
	uint64_t size = strtoull(argv[6], NULL, 0);
	uint64_t off = strtoull(argv[7], NULL, 0);
	uint64_t before = off & ~(align - 1), done;
	char *buf = map_and_wait(argv, align, size);
	int e;

	e = map_dma(buf, IOVA, size);
	ksft_test_result(e == EFAULT && nothing_mapped(IOVA, size),
			 "VFIO_IOMMU_MAP_DMA of a range holding a poisoned page fails with EFAULT and maps nothing (%s)\n",
			 strerror(e));
	if (before) {
		e = map_dma(buf, IOVA, before);
		ksft_test_result(!e, "the %#" PRIx64 " bytes before its unit map (%s)\n",
				 before, strerror(e));
		if (!e)
			unmap_dma(IOVA, before, &done);
	}
	vfio_close();
	ksft_plan_and_exit();
}

/* Wait for a line on stdin, after saying @what (a TAP comment). */
static void wait_line(const char *what)
{
	char line[16];

	ksft_print_msg("%s\n", what);
	fflush(stdout);
	if (!fgets(line, sizeof(line), stdin))
		bail("stdin");
}

/*
 * A DMA mapping of a device-dax node that is torn down under it: the
 * teardown must wait until the mapping is gone, and until then the device
 * still reaches the memory, which the teardown keeps.
 */
static int held(char **argv)
{
	uint64_t align = strtoull(argv[5], NULL, 0);
	uint64_t size = strtoull(argv[6], NULL, 0);
	uint64_t i, n, done, *off = calloc(size / PG + 2, sizeof(*off));
	long lck0, pin0;
	char *buf;
	int e, ok = 1;

	if (!off)
		bail("calloc");
	buf = open_and_map(argv, align, size, &lck0, &pin0);
	every_unit(buf, align, size, 41);
	wait_line("mapped");

	/* The CPU mapping is gone now; the device's is not. */
	n = probes(0, size, align, off);
	for (i = 0; i < n && ok; i++)
		ok = !edu_dma(EDU_BUF, IOVA + off[i], 1);
	ksft_test_result(ok, "while the teardown waits, edu still writes into every unit (%" PRIu64 " pages)\n",
			 n);
	e = map_dma(buf, IOVA + size, size);
	ksft_test_result(e == EFAULT && nothing_mapped(IOVA + size, size),
			 "and a new DMA mapping of it fails with EFAULT and maps nothing (%s)\n",
			 strerror(e));
	wait_line("dma done");

	e = unmap_dma(IOVA, size, &done);
	ksft_test_result(e == 0 && done == size,
			 "VFIO_IOMMU_UNMAP_DMA unmaps all %" PRIu64 " bytes (%s)\n", size, strerror(e));
	pins_are(pins() - pin0, 0, "and no page is pinned any more");
	wait_line("unmapped");

	/* Whatever the memory is now, the device must not reach it. */
	for (i = 0, ok = 1; i < n && ok; i++)
		ok = !edu_dma(EDU_BUF, IOVA + off[i], 1);
	ksft_test_result(ok, "edu wrote to the old IOVA of every unit (%" PRIu64 " pages)\n", n);
	vfio_close();
	free(off);
	ksft_plan_and_exit();
}

/*
 * A writable DMA mapping of entries that are read-only in a writable
 * mapping (see leave_read_only()): type1 makes them writable, as GUP does
 * for pages; a read-only mapping stays refused.
 */
static int wrprot(char **argv)
{
	uint64_t align = strtoull(argv[5], NULL, 0);
	uint64_t size = strtoull(argv[6], NULL, 0);
	const char *how = argv[7];
	uint64_t done;
	int e, walked;
	char *buf;

	vfio_open(argv[2], argv[3]);
	buf = map_buf(argv[4], align, size);
	if (leave_read_only(buf, size, how))
		ksft_exit_fail_msg("cannot prepare the entries by %s\n", how);
	walked = !strcmp(argv[4], "/dev/pfnmap_test") && strcmp(how, "fork");
	if (walked)
		ksft_test_result(pfnmap_test_writable(buf) == (strcmp(how, "read") ? -1 : 0),
				 "before the map, the first unit is %s\n",
				 strcmp(how, "read") ? "not mapped" : "mapped read-only");
	e = map_dma(buf, IOVA, size);
	ksft_test_result(e == 0, "VFIO_IOMMU_MAP_DMA of %" PRIu64 " MiB after \"%s\" succeeds (%s)\n",
			 size >> 20, how, strerror(e));
	if (walked)
		ksft_test_result(pfnmap_test_writable(buf) == 1 &&
				 pfnmap_test_writable(buf + size - PG) == 1,
				 "and it left the first and last units writable\n");
	if (!e) {
		every_unit(buf, align, size, 9);
		e = unmap_dma(IOVA, size, &done);
		ksft_test_result(e == 0 && done == size, "and unmaps (%s)\n", strerror(e));
	}
	munmap(buf, size);

	buf = map_buf_read_only(argv[4], align, size);
	leave_read_only(buf, size, "read");
	e = map_dma(buf, IOVA, size);
	ksft_test_result(e == EFAULT && nothing_mapped(IOVA, size),
			 "a mapping of it without PROT_WRITE is refused with EFAULT (%s)\n",
			 strerror(e));
	munmap(buf, size);
	vfio_close();
	ksft_plan_and_exit();
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static int bench(char **argv)
{
	uint64_t size = strtoull(argv[5], NULL, 0);
	uint64_t stride = argv[7] ? strtoull(argv[7], NULL, 0) : PG, off;
	int reps = atoi(argv[6]), i, e;
	uint64_t t, done, map_us[16], unmap_us[16];
	char *buf;

	if (reps < 1 || reps > 16)
		reps = 3;
	if (stride < PG || stride % PG) {
		fprintf(stderr, "vfiodma: the stride must be a multiple of 4 KiB\n");
		return 2;
	}
	vfio_open(argv[2], argv[3]);
	buf = map_buf(argv[4], 1ULL << 30, size);
	for (off = 0; off < size; off += stride)
		buf[off] = 1;
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

/* Write @v to the file @path, if there is one (the probe switch). */
static void arm(const char *path, const char *v)
{
	int fd;

	if (!path)
		return;
	fd = open(path, O_WRONLY);
	if (fd < 0 || write(fd, v, 1) != 1)
		bail(path);
	close(fd);
}

/*
 * DMA mappings made through edu of GROUP reach a second group's edu once
 * that group joins the container: attaching it makes type1 replay them
 * when the group needs a domain of its own (tests/kmod/attach_split). The
 * mapping is DEV as it is (plain), its halves in swapped order (two runs),
 * or anonymous memory followed by DEV (mixed: pinned pages, then a run).
 * With VFIODMA_ARM set, "1" is written there just before the attach and
 * "0" just after, so that probes armed that way count the replay alone.
 * Prints "attach_us N" (the attach, replay included) as a diagnostic.
 */
static int replay(char **argv)
{
	const char *layout = argv[9], *sw = getenv("VFIODMA_ARM");
	uint64_t align = strtoull(argv[5], NULL, 0);
	uint64_t size = strtoull(argv[6], NULL, 0);
	uint64_t anon = 0, total, half = size / 2, t, done, n, bad, *off;
	volatile uint64_t *bar1;
	int group2, device1, e, g;
	char *buf;

	vfio_open(argv[2], argv[3]);
	if (!strcmp(layout, "plain")) {
		buf = map_buf(argv[4], align, size);
	} else if (!strcmp(layout, "swapped") && half % align == 0) {
		buf = reserve(size, align);
		map_at(buf, argv[4], half, half);
		map_at(buf + half, argv[4], 0, half);
	} else if (!strcmp(layout, "mixed")) {
		/* the dax part starts at an align boundary */
		anon = BATCH + 3 * PG;
		buf = reserve(anon + size + align, align);
		buf += align - anon % align;
		map_at(buf, "anon", 0, anon);
		map_at(buf + anon, argv[4], 0, size);
	} else {
		ksft_exit_fail_msg("bad layout %s for size %" PRIu64 " at align %" PRIu64 "\n",
				   layout, size, align);
	}
	total = anon + size;
	touch(buf, total);
	e = map_dma(buf, IOVA, total);
	ksft_test_result(e == 0, "%s: VFIO_IOMMU_MAP_DMA of %" PRIu64 " MiB (%s)\n",
			 layout, total >> 20, strerror(e));
	if (e)
		ksft_exit_fail_msg("no DMA mapping\n");

	group2 = group_open(argv[7]);
	arm(sw, "1");
	t = now_us();
	e = ioctl(group2, VFIO_GROUP_SET_CONTAINER, &container) ? errno : 0;
	t = now_us() - t;
	arm(sw, "0");
	ksft_test_result(e == 0, "%s: group %s joins the container (%s)\n", layout,
			 argv[7], strerror(e));
	if (e)
		ksft_exit_fail_msg("no second group\n");
	ksft_print_msg("attach_us %" PRIu64 "\n", t);

	/* edu of the second group, then edu of the first again */
	off = calloc(total / PG + 4, sizeof(*off));
	if (!off)
		bail("calloc");
	n = anon ? probes(0, anon, PG, off) : 0;
	n += probes(anon, total, align, off + n);
	device1 = device;
	bar1 = bar;
	for (g = 2; g > 0; g--) {
		if (g == 2)
			edu_open(group2, argv[8]);
		bad = write_probes(buf, IOVA, off, n, 50 + g);
		ksft_test_result(bad == 0, "%s: edu of group %s writes into every unit: %" PRIu64 " pages (%" PRIu64 " missed)\n",
				 layout, argv[g == 2 ? 7 : 2], n, bad);
		ksft_test_result(copy_round(buf, IOVA, 0, total - PG, 60 + g) &&
				 copy_round(buf, IOVA, total - PG, 0, 70 + g),
				 "%s: edu of group %s copies from the first page to the last and back\n",
				 layout, argv[g == 2 ? 7 : 2]);
		if (g == 2) {
			edu_close();
			device = device1;
			bar = bar1;
		}
	}
	free(off);

	e = unmap_dma(IOVA, total, &done);
	ksft_test_result(e == 0 && done == total,
			 "%s: VFIO_IOMMU_UNMAP_DMA unmaps it from both (%s, %" PRIu64 " bytes)\n",
			 layout, strerror(e), done);
	close(group2);
	vfio_close();
	ksft_plan_and_exit();
}

/* Subcommand dispatch, of the same shape as kvmdax.c's (kept per program). */
int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "bench"))
		ksft_print_header();
	if (argc == 8 && !strcmp(argv[1], "test"))
		return test(argv);
	if (argc == 7 && !strcmp(argv[1], "swapped"))
		return swapped(argv);
	if (argc == 6 && !strcmp(argv[1], "mixed"))
		return mixed(argv);
	if (argc == 7 && !strcmp(argv[1], "revoked"))
		return revoked(argv);
	if (argc == 8 && !strcmp(argv[1], "poisoned"))
		return poisoned(argv);
	if (argc == 8 && !strcmp(argv[1], "wrprot"))
		return wrprot(argv);
	if (argc == 7 && !strcmp(argv[1], "held"))
		return held(argv);
	if (argc == 10 && !strcmp(argv[1], "replay"))
		return replay(argv);
	if ((argc == 7 || argc == 8) && !strcmp(argv[1], "bench"))
		return bench(argv);
	fprintf(stderr, "usage: vfiodma test GROUP BDF BUF ALIGN SIZE none|mem|anon\n"
		"       vfiodma swapped GROUP BDF DEV ALIGN SIZE\n"
		"       vfiodma mixed GROUP BDF DEV ALIGN\n"
		"       vfiodma revoked GROUP BDF DEV ALIGN SIZE\n"
		"       vfiodma poisoned GROUP BDF DEV ALIGN SIZE OFF\n"
		"       vfiodma held GROUP BDF DEV ALIGN SIZE\n"
		"       vfiodma wrprot GROUP BDF DEV ALIGN SIZE fork|read|none\n"
		"       vfiodma replay GROUP BDF DEV ALIGN SIZE GROUP2 BDF2 plain|swapped|mixed\n"
		"       vfiodma bench GROUP BDF BUF SIZE REPS [STRIDE]\n");
	return 2;
}
