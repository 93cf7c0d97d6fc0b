// SPDX-License-Identifier: GPL-2.0
/*
 * attach_split: while loaded, an IOMMU group may be attached only to the
 * domain most recently allocated with iommu_domain_alloc(); an attach to
 * any older domain fails with -EBUSY without being made. A VFIO container
 * then cannot put a second group into its first domain, gives that group
 * a domain of its own and replays its DMA mappings into it
 * (vfio_iommu_replay()), which QEMU's single vIOMMU never makes it do.
 *
 * refused (read-only): the attaches failed so far.
 *
 * For a guest that runs one VFIO user at a time: any iommu_domain_alloc()
 * between a caller's allocation and its attach makes that attach fail.
 * x86-64 only (the probe redirects the call at its entry).
 */
#include <linux/atomic.h>
#include <linux/iommu.h>
#include <linux/kprobes.h>
#include <linux/module.h>
#include <linux/rcupdate.h>

static atomic_t refused_count = ATOMIC_INIT(0);
static int refused_get(char *buf, const struct kernel_param *kp)
{
	return sprintf(buf, "%d\n", atomic_read(&refused_count));
}

static const struct kernel_param_ops refused_ops = { .get = refused_get };
module_param_cb(refused, &refused_ops, NULL, 0444);
MODULE_PARM_DESC(refused, "attaches refused so far");

/* the newest domain; only compared, never dereferenced */
static void *newest;

static int alloc_ret(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	void *domain = (void *)regs_return_value(regs);

	if (domain)
		WRITE_ONCE(newest, domain);
	return 0;
}

static struct kretprobe alloc_probe = {
	.kp.symbol_name = "iommu_domain_alloc",
	.handler = alloc_ret,
};

/* Run instead of iommu_attach_group(): its caller gets -EBUSY. */
static noinline int attach_split_refuse(void)
{
	return -EBUSY;
}

static int attach_pre(struct kprobe *p, struct pt_regs *regs)
{
	/* iommu_attach_group(domain, group): the domain is the first argument */
	if ((void *)regs_get_kernel_argument(regs, 0) == READ_ONCE(newest))
		return 0;
	atomic_inc(&refused_count);
	/* at the entry, the stack holds the caller's return address */
	instruction_pointer_set(regs, (unsigned long)attach_split_refuse);
	return 1;
}

/* Never called; an optimized (jump) kprobe could not redirect the call. */
static void attach_post(struct kprobe *p, struct pt_regs *regs,
			unsigned long flags)
{
}

static struct kprobe attach_probe = {
	.symbol_name = "iommu_attach_group",
	.pre_handler = attach_pre,
	.post_handler = attach_post,
};

static int __init attach_split_init(void)
{
	int rc = register_kretprobe(&alloc_probe);

	if (rc)
		return rc;
	rc = register_kprobe(&attach_probe);
	if (rc)
		unregister_kretprobe(&alloc_probe);
	return rc;
}

static void __exit attach_split_exit(void)
{
	unregister_kprobe(&attach_probe);
	unregister_kretprobe(&alloc_probe);
	/* a task sent to attach_split_refuse() may not have left it yet */
	synchronize_rcu_tasks();
}

module_init(attach_split_init);
module_exit(attach_split_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Make each IOMMU group attach to a domain of its own");
