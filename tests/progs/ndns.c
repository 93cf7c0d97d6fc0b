// SPDX-License-Identifier: GPL-2.0
/*
 * ndns: turn a namespace into a device-dax namespace through libndctl,
 * with the same calls `ndctl create-namespace --mode devdax` makes, and
 * with the map choice "none" that stock ndctl does not offer yet:
 *
 *   ndns devdax NAMESPACE ALIGN none|mem|dev
 *
 * NAMESPACE must be idle (e.g. just reset with `ndctl create-namespace -f
 * -e NAMESPACE -m raw`). On success it prints "nd=daxR.N dev=/dev/daxR.M";
 * on failure it says which step failed and why, puts the namespace back as
 * it was (raw, enabled) and exits 1.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ndctl/libndctl.h>
#include <daxctl/libdaxctl.h>
#include <uuid/uuid.h>

static struct ndctl_namespace *find_namespace(struct ndctl_ctx *ctx, const char *name)
{
	struct ndctl_namespace *ndns;
	struct ndctl_region *region;
	struct ndctl_bus *bus;

	ndctl_bus_foreach(ctx, bus)
		ndctl_region_foreach(bus, region)
			ndctl_namespace_foreach(region, ndns)
				if (strcmp(ndctl_namespace_get_devname(ndns), name) == 0)
					return ndns;
	return NULL;
}

static int fail(const char *step, int rc)
{
	fprintf(stderr, "ndns: %s: %s\n", step, strerror(rc < 0 ? -rc : rc));
	return rc ? rc : -EIO;
}

static int make_devdax(struct ndctl_namespace *ndns, unsigned long align,
		       enum ndctl_pfn_loc loc)
{
	struct ndctl_region *region = ndctl_namespace_get_region(ndns);
	struct daxctl_region *dregion;
	struct daxctl_dev *ddev;
	struct ndctl_dax *dax;
	uuid_t uuid;
	int rc;

	if (ndctl_namespace_is_enabled(ndns)) {
		rc = ndctl_namespace_disable_safe(ndns);
		if (rc)
			return fail("disable the namespace", rc);
	}
	dax = ndctl_region_get_dax_seed(region);
	if (!dax)
		return fail("find the region's dax seed", -ENODEV);

	/* One libndctl setter after another; the first that fails says which. */
	uuid_generate(uuid);
	rc = ndctl_dax_set_uuid(dax, uuid);
	if (rc)
		return fail("set the uuid", rc);
	rc = ndctl_dax_set_location(dax, loc);
	if (rc)
		return fail("set the location (map)", rc);
	rc = ndctl_dax_set_align(dax, align);
	if (rc)
		return fail("set the align", rc);
	rc = ndctl_dax_set_namespace(dax, ndns);
	if (rc)
		return fail("claim the namespace", rc);
	rc = ndctl_dax_enable(dax);
	if (rc) {
		fail("enable the dax device", rc);
		/* give the namespace back, as ndctl does */
		ndctl_dax_delete(dax);
		ndctl_namespace_enable(ndns);
		return rc;
	}

	printf("nd=%s", ndctl_dax_get_devname(dax));
	dregion = ndctl_dax_get_daxctl_region(dax);
	if (dregion)
		daxctl_dev_foreach(dregion, ddev)
			printf(" dev=/dev/%s", daxctl_dev_get_devname(ddev));
	printf("\n");
	return 0;
}

int main(int argc, char **argv)
{
	static const char * const maps[] = {
		[NDCTL_PFN_LOC_NONE] = "none",
		[NDCTL_PFN_LOC_RAM] = "mem",
		[NDCTL_PFN_LOC_PMEM] = "dev",
	};
	struct ndctl_namespace *ndns;
	struct ndctl_ctx *ctx;
	unsigned long align;
	char *end;
	int loc, rc;

	if (argc != 5 || strcmp(argv[1], "devdax") != 0) {
		fprintf(stderr, "usage: ndns devdax NAMESPACE ALIGN none|mem|dev\n");
		return 2;
	}
	errno = 0;
	align = strtoul(argv[3], &end, 0);
	if (errno || *end || !align) {
		fprintf(stderr, "ndns: bad align '%s'\n", argv[3]);
		return 2;
	}
	for (loc = 0; loc < 3; loc++)
		if (strcmp(argv[4], maps[loc]) == 0)
			break;
	if (loc == 3) {
		fprintf(stderr, "ndns: map must be none, mem or dev, not '%s'\n", argv[4]);
		return 2;
	}

	rc = ndctl_new(&ctx);
	if (rc) {
		fail("ndctl_new", rc);
		return 1;
	}
	ndns = find_namespace(ctx, argv[2]);
	if (!ndns) {
		fprintf(stderr, "ndns: no namespace %s\n", argv[2]);
		ndctl_unref(ctx);
		return 1;
	}
	rc = make_devdax(ndns, align, loc);
	ndctl_unref(ctx);
	return rc ? 1 : 0;
}
