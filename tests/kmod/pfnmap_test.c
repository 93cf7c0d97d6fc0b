// SPDX-License-Identifier: GPL-2.0
/*
 * pfnmap_test: a test vehicle for the mm side of the series. It maps a
 * physical range that has no struct page (a memmap= range that no driver
 * claims) to user space the way pageless device-dax does: a VM_PFNMAP
 * mapping of a DAX file whose faults insert PFN_SPECIAL pfns at exactly
 * the configured size (4K, 2M or 1G). Its ioctl reports what maps an
 * address, through follow_pfnmap_start(), follow_pfn() and follow_pte().
 *
 * Parameters: phys_base and phys_size (the range), align (entry size),
 * wrnotify (read faults map read-only entries, see pfnmap_pfn_mkwrite()).
 * Loaded with phys_size=0 it maps nothing and only walks: the ioctl then
 * reports on any VM_PFNMAP mapping of the caller, e.g. of /dev/daxX.Y.
 */
#include <linux/fs.h>
#include <linux/io.h>
#include <linux/ioport.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/mman.h>
#include <linux/module.h>
#include <linux/pfn_t.h>
#include <linux/uaccess.h>

#include "pfnmap_test.h"

static unsigned long range_base;
module_param_named(phys_base, range_base, ulong, 0444);
MODULE_PARM_DESC(phys_base, "start of the physical range to map");
static unsigned long range_size;
module_param_named(phys_size, range_size, ulong, 0444);
MODULE_PARM_DESC(phys_size, "size of the physical range to map");
static unsigned long align = PAGE_SIZE;
module_param(align, ulong, 0444);
MODULE_PARM_DESC(align, "size of every mapping entry: 4096, 2M or 1G");
static bool wrnotify;
module_param(wrnotify, bool, 0444);
MODULE_PARM_DESC(wrnotify, "map read faults read-only, as a driver that tracks writes does");

static struct resource *res;
static void *kaddr;

static vm_fault_t pfnmap_huge_fault(struct vm_fault *vmf,
				    enum page_entry_size pe_size)
{
	struct vm_area_struct *vma = vmf->vma;
	unsigned long size, addr, off;
	pfn_t pfn;

	switch (pe_size) {
	case PE_SIZE_PTE:
		size = PAGE_SIZE;
		break;
	case PE_SIZE_PMD:
		size = PMD_SIZE;
		break;
	case PE_SIZE_PUD:
		size = PUD_SIZE;
		break;
	default:
		return VM_FAULT_SIGBUS;
	}
	/* As device-dax: larger than align falls back, smaller is an error. */
	if (size > align)
		return VM_FAULT_FALLBACK;
	if (size < align)
		return VM_FAULT_SIGBUS;

	addr = vmf->address & ~(size - 1);
	if (addr < vma->vm_start || addr + size > vma->vm_end)
		return VM_FAULT_SIGBUS;
	off = addr - vma->vm_start + (vma->vm_pgoff << PAGE_SHIFT);
	if (off + size > range_size)
		return VM_FAULT_SIGBUS;
	pfn = phys_to_pfn_t(range_base + off, PFN_SPECIAL);

	switch (pe_size) {
	case PE_SIZE_PTE:
		return vmf_insert_pfn(vma, vmf->address,
				      pfn_t_to_pfn(pfn) +
				      ((vmf->address - addr) >> PAGE_SHIFT));
	case PE_SIZE_PMD:
		return vmf_insert_pfn_pmd(vmf, pfn, vmf->flags & FAULT_FLAG_WRITE);
	default:
		return vmf_insert_pfn_pud(vmf, pfn, vmf->flags & FAULT_FLAG_WRITE);
	}
}

static vm_fault_t pfnmap_fault(struct vm_fault *vmf)
{
	return pfnmap_huge_fault(vmf, PE_SIZE_PTE);
}

static int pfnmap_may_split(struct vm_area_struct *vma, unsigned long addr)
{
	return IS_ALIGNED(addr, align) ? 0 : -EINVAL;
}

static const struct vm_operations_struct pfnmap_vm_ops = {
	.fault = pfnmap_fault,
	.huge_fault = pfnmap_huge_fault,
	.may_split = pfnmap_may_split,
};

/*
 * With wrnotify: a pfn_mkwrite method makes mmap() leave write permission
 * out of vm_page_prot (write notification), so read faults map read-only
 * entries in a writable mapping, and a write fault makes them writable:
 * a PTE through pfn_mkwrite, a PMD or PUD leaf through huge_fault.
 */
static vm_fault_t pfnmap_pfn_mkwrite(struct vm_fault *vmf)
{
	return 0;
}

static const struct vm_operations_struct pfnmap_wrnotify_vm_ops = {
	.fault = pfnmap_fault,
	.huge_fault = pfnmap_huge_fault,
	.may_split = pfnmap_may_split,
	.pfn_mkwrite = pfnmap_pfn_mkwrite,
};

static bool pfnmap_ours(struct vm_area_struct *vma)
{
	return vma->vm_ops == &pfnmap_vm_ops ||
	       vma->vm_ops == &pfnmap_wrnotify_vm_ops;
}

static int pfnmap_open(struct inode *inode, struct file *file)
{
	/* Huge faults are for DAX files only: be one, as device-dax is. */
	inode->i_flags |= S_DAX;
	return 0;
}

static int pfnmap_mmap(struct file *file, struct vm_area_struct *vma)
{
	if (!range_size)
		return -ENODEV;
	if (!(vma->vm_flags & VM_SHARED))
		return -EINVAL;
	vma->vm_ops = wrnotify ? &pfnmap_wrnotify_vm_ops : &pfnmap_vm_ops;
	vma->vm_flags |= VM_PFNMAP | VM_DONTEXPAND | VM_DONTDUMP;
	return 0;
}

static unsigned long pfnmap_get_unmapped_area(struct file *file,
		unsigned long addr, unsigned long len, unsigned long pgoff,
		unsigned long flags)
{
	unsigned long off = (pgoff << PAGE_SHIFT) & (align - 1), got;

	if (addr || flags & MAP_FIXED || len < align)
		return current->mm->get_unmapped_area(file, addr, len, pgoff, flags);
	/* Leave room to place the start at the same offset within align. */
	got = current->mm->get_unmapped_area(file, 0, len + align, pgoff, flags);
	if (IS_ERR_VALUE(got))
		return got;
	return ALIGN(got - off, align) + off;
}

static long pfnmap_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct mm_struct *mm = current->mm;
	struct pfnmap_walk w;
	struct vm_area_struct *vma;
	struct follow_pfnmap_args args = { };
	unsigned long pfn;
	spinlock_t *ptl;
	pte_t *ptep;
	int ret;

	if (cmd != PFNMAP_TEST_WALK)
		return -ENOTTY;
	if (copy_from_user(&w, (void __user *)arg, sizeof(w)))
		return -EFAULT;

	mmap_read_lock(mm);
	vma = vma_lookup(mm, w.addr);
	if (!vma || (!pfnmap_ours(vma) && range_size) ||
	    !(vma->vm_flags & VM_PFNMAP)) {
		ret = -ENXIO;
		goto out;
	}
	args.vma = vma;
	args.address = w.addr;
	ret = follow_pfnmap_start(&args);
	if (ret)
		goto out;
	w.pfn = args.pfn;
	w.size = ~args.addr_mask + 1;
	w.flags = (args.writable ? PFNMAP_WRITABLE : 0) |
		  (args.special ? PFNMAP_SPECIAL : 0) |
		  (pfn_valid(args.pfn) ? PFNMAP_PFN_VALID : 0);
	follow_pfnmap_end(&args);

	/* follow_pfn() must agree; follow_pte() only knows PTEs. */
	if (follow_pfn(vma, w.addr, &pfn) || pfn != w.pfn) {
		ret = -EIO;
		goto out;
	}
	w.follow_pte = follow_pte(mm, w.addr, &ptep, &ptl);
	if (!w.follow_pte)
		pte_unmap_unlock(ptep, ptl);

	/* only known for this module's own mappings */
	w.phys_pfn = (range_base + w.addr - vma->vm_start +
		      (vma->vm_pgoff << PAGE_SHIFT)) >> PAGE_SHIFT;
	if (!pfnmap_ours(vma))
		w.phys_pfn = ~0ULL;
out:
	mmap_read_unlock(mm);
	if (!ret && copy_to_user((void __user *)arg, &w, sizeof(w)))
		ret = -EFAULT;
	return ret;
}

static const struct file_operations pfnmap_fops = {
	.owner = THIS_MODULE,
	.open = pfnmap_open,
	.mmap = pfnmap_mmap,
	.get_unmapped_area = pfnmap_get_unmapped_area,
	.unlocked_ioctl = pfnmap_ioctl,
};

static struct miscdevice pfnmap_dev = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "pfnmap_test",
	.fops = &pfnmap_fops,
};

static int __init pfnmap_init(void)
{
	int ret;

	if (align != PAGE_SIZE && align != PMD_SIZE && align != PUD_SIZE) {
		pr_err("pfnmap_test: align must be %lu, %lu or %lu\n",
		       PAGE_SIZE, PMD_SIZE, PUD_SIZE);
		return -EINVAL;
	}
	if (!range_size)
		return misc_register(&pfnmap_dev);
	if (!IS_ALIGNED(range_base | range_size, align)) {
		pr_err("pfnmap_test: range_base and range_size must be multiples of align\n");
		return -EINVAL;
	}
	res = request_mem_region(range_base, range_size, "pfnmap_test");
	if (!res)
		return -EBUSY;
	/* Reserves the write-back memory type that the mappings get. */
	kaddr = memremap(range_base, range_size, MEMREMAP_WB);
	if (!kaddr) {
		ret = -ENOMEM;
		goto err_res;
	}
	ret = misc_register(&pfnmap_dev);
	if (ret)
		goto err_map;
	return 0;
err_map:
	memunmap(kaddr);
err_res:
	release_mem_region(range_base, range_size);
	return ret;
}

static void __exit pfnmap_exit(void)
{
	misc_deregister(&pfnmap_dev);
	if (!range_size)
		return;
	memunmap(kaddr);
	release_mem_region(range_base, range_size);
}

module_init(pfnmap_init);
module_exit(pfnmap_exit);
MODULE_DESCRIPTION("Maps pageless memory with special huge entries, for tests");
MODULE_LICENSE("GPL");
