/* Purgatory: the few instructions between the old kernel and the new one on the kexec_load
 * path. The old kernel's relocate_kernel enters here in 64-bit mode on identity-mapped page
 * tables with interrupts off, after copying the segments into place. The old kernel's GDT and
 * stack may have been overwritten by that copy, so this code brings its own, then enters the
 * new kernel's 64-bit entry point with RSI = boot_params (Documentation/arch/x86/boot.rst,
 * "64-bit Boot Protocol"). The blob is data to the loader: it is copied into a segment and the
 * loader fills in kexe_purgatory_boot_params, kexe_purgatory_entry and the two page-table
 * roots first.
 *
 * It also switches to page tables of its own (identity map of the low 4 GiB, built by the
 * loader right after this blob in the same segment). The old kernel's tables live in pages
 * that are not segments; the loader declares only the kernel's file bytes as its segment, not
 * all of init_size (the kernel refuses segments over half of RAM, and init_size is ~64 MiB
 * of nothing), so those pages may lie where the new kernel decompresses itself. */
	.section .rodata.kexe_purgatory, "a"
	.code64
	.balign 16
	.globl kexe_purgatory_start, kexe_purgatory_end
	.globl kexe_purgatory_boot_params, kexe_purgatory_entry
	.globl kexe_purgatory_pml4, kexe_purgatory_pml5
kexe_purgatory_start:
	cli
	cld
	leaq	gdt(%rip), %rax
	movq	%rax, gdt_base(%rip)
	lgdt	gdt_limit(%rip)
	movl	$0x18, %eax		/* __BOOT_DS */
	movl	%eax, %ds
	movl	%eax, %es
	movl	%eax, %ss
	movl	%eax, %fs
	movl	%eax, %gs
	leaq	stack_end(%rip), %rsp
	movq	kexe_purgatory_pml4(%rip), %rdx
	movq	%cr4, %rax
	btq	$12, %rax		/* CR4.LA57: the walk starts one level higher */
	jnc	2f
	movq	kexe_purgatory_pml5(%rip), %rdx
2:
	movq	%rdx, %cr3
	leaq	1f(%rip), %rax
	pushq	$0x10			/* __BOOT_CS */
	pushq	%rax
	lretq
1:
	movq	kexe_purgatory_boot_params(%rip), %rsi
	movq	kexe_purgatory_entry(%rip), %rax
	xorl	%ebx, %ebx
	xorl	%ecx, %ecx
	xorl	%edx, %edx
	xorl	%edi, %edi
	xorl	%ebp, %ebp
	jmp	*%rax

	.balign 16
gdt:
	.quad	0			/* null */
	.quad	0			/* 0x08: unused */
	.quad	0x00af9a000000ffff	/* 0x10: 64-bit code */
	.quad	0x00cf92000000ffff	/* 0x18: data */
gdt_end:
	.balign 8
	.word	0, 0, 0
gdt_limit:
	.word	gdt_end - gdt - 1
gdt_base:
	.quad	0
	.balign 8
kexe_purgatory_boot_params:
	.quad	0
kexe_purgatory_entry:
	.quad	0
kexe_purgatory_pml4:
	.quad	0
kexe_purgatory_pml5:
	.quad	0
	.balign 16
	.fill	512, 1, 0
stack_end:
kexe_purgatory_end:
	.section .note.GNU-stack,"",@progbits
