// SPDX-License-Identifier: GPL-2.0
/*
 * memtype_hold: holds an uncached (UC-) kernel mapping of a physical range
 * for as long as it is loaded, and with it the range's memory type in the
 * PAT memtype tree, so that a test can see what a driver that needs the
 * range write-back does about the conflict.
 *
 * Parameters: phys and size, the range (not System RAM).
 */
#include <linux/io.h>
#include <linux/module.h>

static unsigned long phys;
module_param(phys, ulong, 0444);
MODULE_PARM_DESC(phys, "start of the physical range");
static unsigned long size = PAGE_SIZE;
module_param(size, ulong, 0444);
MODULE_PARM_DESC(size, "size of the physical range");

static void __iomem *addr;

static int __init memtype_hold_init(void)
{
	if (!phys || !size)
		return -EINVAL;
	addr = ioremap(phys, size);
	if (!addr)
		return -ENOMEM;
	pr_info("memtype_hold: %#lx-%#lx mapped uncached\n", phys, phys + size - 1);
	return 0;
}

static void __exit memtype_hold_exit(void)
{
	iounmap(addr);
}

module_init(memtype_hold_init);
module_exit(memtype_hold_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Hold an uncached mapping of a physical range");
