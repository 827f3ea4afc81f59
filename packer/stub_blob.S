/* The x86_64 stub, embedded so that `kexe` alone can write bundles. */
	.section .rodata
	.balign 16
	.globl kexe_stub_x86_64
	.globl kexe_stub_x86_64_end
kexe_stub_x86_64:
	.incbin STUB_X86_64
kexe_stub_x86_64_end:
	.section .note.GNU-stack,"",@progbits
