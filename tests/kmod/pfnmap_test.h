/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Interface of the pfnmap_test module. The kselftest that uses it
 * (tools/testing/selftests/vm/pfnmap.c, in the series) repeats it.
 */
#ifndef PFNMAP_TEST_H
#define PFNMAP_TEST_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define PFNMAP_WRITABLE		(1U << 0)	/* the entry allows writes */
#define PFNMAP_SPECIAL		(1U << 1)	/* the entry is special */
#define PFNMAP_PFN_VALID	(1U << 2)	/* pfn_valid(): a struct page exists */

/* What maps @addr in the calling process, from follow_pfnmap_start(). */
struct pfnmap_walk {
	__u64 addr;		/* in: user address */
	__u64 pfn;		/* out: pfn mapped at addr */
	__u64 size;		/* out: size of the leaf entry */
	__u64 phys_pfn;		/* out: pfn the module meant to map at addr,
				 * ~0 if the mapping is not the module's */
	__u32 flags;		/* out: PFNMAP_* */
	__s32 follow_pte;	/* out: what follow_pte() returned for addr */
};

#define PFNMAP_TEST_WALK	_IOWR('p', 1, struct pfnmap_walk)

#endif
