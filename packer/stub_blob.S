/* The loaders, embedded so that `kexe` alone can write bundles: the x86_64 stub, and the
 * aarch64 stub when the build has one (STUB_AARCH64; otherwise its symbols mark an empty blob). */
	.section .rodata
	.balign 16
	.globl kexe_stub_x86_64
	.globl kexe_stub_x86_64_end
kexe_stub_x86_64:
	.incbin STUB_X86_64
kexe_stub_x86_64_end:
	.balign 16
	.globl kexe_stub_aarch64
	.globl kexe_stub_aarch64_end
kexe_stub_aarch64:
#ifdef STUB_AARCH64
	.incbin STUB_AARCH64
#endif
kexe_stub_aarch64_end:
	.section .note.GNU-stack,"",@progbits
