/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A bare-metal multiboot payload for a nested guest: store one 32-bit word
 * at the start of every 4 KiB page of RAM from 2 MiB to the end of memory,
 * the page's address shifted right by 12 and XORed with 0x5eed5eed, say so
 * on COM1, and leave QEMU through isa-debug-exit (status 0x10, so QEMU
 * exits with (0x10 << 1) | 1 = 33).
 */
	.set	MB_MAGIC, 0x1badb002
	.set	MB_FLAGS, 0x3			/* align modules, memory info */
	.set	COM1, 0x3f8
	.set	DEBUG_EXIT, 0xf4
	.set	FIRST, 0x200000
	.set	SEED, 0x5eed5eed

	.code32
	.section .text
	.align	4
	.long	MB_MAGIC
	.long	MB_FLAGS
	.long	-(MB_MAGIC + MB_FLAGS)

	.globl	_start
_start:
	cli
	mov	$0x90000, %esp
	/* ebx: multiboot info; mem_upper (KiB above 1 MiB) at offset 8 */
	mov	8(%ebx), %ecx
	add	$1024, %ecx
	shl	$10, %ecx			/* end of memory */
	mov	$FIRST, %eax
1:	cmp	%ecx, %eax
	jae	2f
	mov	%eax, %edx
	shr	$12, %edx
	xor	$SEED, %edx
	mov	%edx, (%eax)
	add	$4096, %eax
	jmp	1b

2:	mov	$msg, %esi
3:	movb	(%esi), %al
	test	%al, %al
	jz	4f
	mov	$COM1, %dx
	outb	%al, %dx
	inc	%esi
	jmp	3b

4:	mov	$0x10, %eax
	mov	$DEBUG_EXIT, %dx
	outl	%eax, %dx
5:	hlt
	jmp	5b

	.section .rodata
msg:	.asciz	"nested guest: wrote its RAM\n"
