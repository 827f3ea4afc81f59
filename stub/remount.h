/* Leaving file systems clean on disk just before the reboot (read-only, or frozen where a writer
 * keeps them busy), and back as they were when the reboot fails. */
#ifndef KEXE_REMOUNT_H
#define KEXE_REMOUNT_H

#define KEXE_MAX_REMOUNTS 64

struct kexe_remounted {
	unsigned count;
	char targets[KEXE_MAX_REMOUNTS][256];
	unsigned char frozen[KEXE_MAX_REMOUNTS]; /* 1: frozen, 0: remounted read-only */
};

/* Remounts every read-write file system whose source is a block device (/dev/...) read-only,
 * innermost (last mounted) first, through the seam. One that cannot be (busy: a daemon such as
 * journald holds a file open for writing) is frozen instead (FIFREEZE: its journal is flushed
 * and it is clean on disk; its writers block until the reboot). One that can be neither is named
 * on stderr and in the kernel log: the next system may have to recover or check it. Records
 * what it changed in r. Call it last before the reboot: a write to a frozen file system (stderr
 * redirected to a file on it, say) blocks. */
void kexe_remount_readonly(struct kexe_remounted *r);

/* Undoes kexe_remount_readonly in reverse order: thaws what it froze and remounts read-write
 * what it remounted read-only. */
void kexe_remount_restore(const struct kexe_remounted *r);

#endif
