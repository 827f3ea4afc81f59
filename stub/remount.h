/* Remounting file systems read-only just before the reboot, and back on failure. */
#ifndef KEXE_REMOUNT_H
#define KEXE_REMOUNT_H

#define KEXE_MAX_REMOUNTS 64

struct kexe_remounted {
	unsigned count;
	char targets[KEXE_MAX_REMOUNTS][256];
};

/* Remounts every read-write file system whose source is a block device (/dev/...) read-only,
 * innermost (last mounted) first, through the seam; a busy one is left as it is. Records what
 * it changed in r. */
void kexe_remount_readonly(struct kexe_remounted *r);

/* Remounts what kexe_remount_readonly changed read-write again, in reverse order. */
void kexe_remount_restore(const struct kexe_remounted *r);

#endif
