#ifndef KEXE_VERSION_H
#define KEXE_VERSION_H

#define KEXE_VERSION "0.1.0"

/* The exit-code table printed by every --help and kept in README.md. */
#define KEXE_EXIT_CODES_HELP                                                                       \
	"Exit codes:\n"                                                                            \
	"  0  success (for a real run: the kernel was loaded and the reboot started)\n"            \
	"  1  internal error\n"                                                                    \
	"  2  usage error (bad option, command line too long for the kernel)\n"                    \
	"  3  bundle damaged, truncated, or not for this machine (nothing was loaded)\n"           \
	"  4  this host does not permit kexec (not root, disabled, lockdown, container, "          \
	"signature)\n"                                                                             \
	"  5  not enough memory for the payload\n"                                                 \
	"  6  the running kernel refused to load the new kernel\n"                                 \
	"  7  I/O error reading or writing a file, or no room left on its file system\n"           \
	"  8  the kernel was loaded but the reboot into it failed (it was unloaded again)\n"

#endif
