/* `kexe pack --format nixos-anywhere` and `kexe wrap --format nixos-anywhere`: the tarball
 * nixos-anywhere's --kexec takes unchanged (docs/NIXOS-ANYWHERE.md). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <fcntl.h>
#include <sys/stat.h>

#include "format.h"
#include "input.h"
#include "nixos_anywhere.h"
#include "progress.h"
#include "targz.h"

/* What nixos-anywhere runs (src/nixos-anywhere.sh, runKexec):
 *   cat "$HOME/kexec/kexec-tarball.tar.gz" | tar -xv --gzip
 *   TMPDIR="$HOME/kexec" setsid --wait "$HOME/kexec/kexec/run" --kexec-extra-flags FLAGS
 * and it greps the output for "machine will boot into nixos". Keep this script POSIX sh: the
 * tests run it under dash, busybox ash and bash, and through shellcheck. */
const char kexe_nixos_anywhere_run[] =
    "#!/bin/sh\n"
    "# kexec/run, written by `kexe pack --format nixos-anywhere`. nixos-anywhere --kexec unpacks\n"
    "# this tarball and runs\n"
    "#     setsid --wait kexec/run --kexec-extra-flags FLAGS\n"
    "# taking the line \"machine will boot into nixos\" in its output as success. This starts the\n"
    "# kexe bundle beside it, which carries root's ssh keys and the network configuration into "
    "the\n"
    "# new system (as nixos-images' kexec-run.sh does), loads the kernel, detaches and reboots "
    "into\n"
    "# it a few seconds after this script returned. It needs only a POSIX sh: no bash, tar, cpio,\n"
    "# gzip or kexec-tools. FLAGS may hold kexec-tools flags (translated or ignored, with a note)\n"
    "# and the bundle's own; other arguments go to the bundle as they are (--dry-run, --check).\n"
    "set -u\n"
    "case $0 in */*) kexe_bundle=${0%/*}/kexe-bundle ;; *) kexe_bundle=./kexe-bundle ;; esac\n"
    "kexe_args='' kexe_delay=6 kexe_boots=1 kexe_prev=''\n"
    "\n"
    "kexe_quote() { # WORD: WORD in single quotes, for eval\n"
    "\tkexe_q=$1 kexe_r=\n"
    "\twhile :; do\n"
    "\t\tcase $kexe_q in\n"
    "\t\t*\\'*)\n"
    "\t\t\tkexe_r=\"$kexe_r${kexe_q%%\\'*}'\\\\''\"\n"
    "\t\t\tkexe_q=${kexe_q#*\\'}\n"
    "\t\t\t;;\n"
    "\t\t*) break ;;\n"
    "\t\tesac\n"
    "\tdone\n"
    "\tprintf \"'%s'\" \"$kexe_r$kexe_q\"\n"
    "}\n"
    "\n"
    "kexe_add() { # WORD...: arguments for the bundle\n"
    "\tfor kexe_w in \"$@\"; do\n"
    "\t\tkexe_args=\"$kexe_args $(kexe_quote \"$kexe_w\")\"\n"
    "\t\tcase $kexe_prev in --delay) kexe_delay=$kexe_w ;; esac\n"
    "\t\tcase $kexe_w in\n"
    "\t\t--dry-run | --check | --info | --load-only | --extract | --extract=* | --help | -h | "
    "--version)\n"
    "\t\t\tkexe_boots=0 ;;\n"
    "\t\t--delay=*) kexe_delay=${kexe_w#--delay=} ;;\n"
    "\t\t--now) kexe_delay=0 ;;\n"
    "\t\tesac\n"
    "\t\tkexe_prev=$kexe_w\n"
    "\tdone\n"
    "}\n"
    "\n"
    "kexe_note() { echo \"kexec/run: $*\" >&2; }\n"
    "\n"
    "kexe_extra() { # the words of --kexec-extra-flags\n"
    "\twhile [ $# -gt 0 ]; do\n"
    "\t\tcase $1 in\n"
    "\t\t--append=* | --command-line=*) kexe_add --append \"${1#*=}\" ;;\n"
    "\t\t--initrd=*) kexe_add --initrd \"${1#*=}\" ;;\n"
    "\t\t--append | --command-line | --initrd)\n"
    "\t\t\tif [ $# -lt 2 ]; then\n"
    "\t\t\t\tkexe_note \"$1 in --kexec-extra-flags needs a value\"\n"
    "\t\t\t\texit 2\n"
    "\t\t\tfi\n"
    "\t\t\tcase $1 in --initrd) kexe_add --initrd \"$2\" ;; *) kexe_add --append \"$2\" ;; esac\n"
    "\t\t\tshift\n"
    "\t\t\t;;\n"
    "\t\t-s | --kexec-file-syscall) kexe_add --syscall file ;;\n"
    "\t\t-a | --kexec-syscall-auto) kexe_add --syscall auto ;;\n"
    "\t\t-c | --kexec-syscall) kexe_add --syscall legacy ;;\n"
    "\t\t-f) kexe_add --force ;; # kexec -f: no shutdown; the bundle's --force: no systemctl\n"
    "\t\t--no-sync | --no-checks | --no-ifdown | -x | -d | --debug)\n"
    "\t\t\tkexe_note \"ignoring kexec-tools flag $1: kexe needs no equivalent\" ;;\n"
    "\t\t--reuse-cmdline)\n"
    "\t\t\tkexe_note \"ignoring $1: the bundle boots with its own command line (add to it with "
    "--append)\" ;;\n"
    "\t\t*) kexe_add \"$1\" ;;\n"
    "\t\tesac\n"
    "\t\tshift\n"
    "\tdone\n"
    "}\n"
    "\n"
    "while [ $# -gt 0 ]; do\n"
    "\tcase $1 in\n"
    "\t--kexec-extra-flags)\n"
    "\t\t[ $# -gt 1 ] || { kexe_note \"--kexec-extra-flags needs a value\"; exit 2; }\n"
    "\t\teval \"kexe_extra $2\"\n"
    "\t\tshift\n"
    "\t\t;;\n"
    "\t--kexec-extra-flags=*) eval \"kexe_extra ${1#*=}\" ;;\n"
    "\t*) kexe_add \"$1\" ;;\n"
    "\tesac\n"
    "\tshift\n"
    "done\n"
    "\n"
    "eval \"set -- $kexe_args\"\n"
    "kexe_run() { \"$kexe_bundle\" --detach --delay 6 --carry-ssh-keys --carry-network \"$@\"; }\n"
    "# --consume frees the bundle's pages as it is unpacked (the tarball's copy is not needed\n"
    "# again). Where the file system or kernel cannot (ramfs, no hole punching, vm.memfd_noexec)\n"
    "# the bundle stops with exit code 9 before it frees or loads anything: run it again without.\n"
    "# After any other failure the bundle may be partly used up already: no second run.\n"
    "kexe_run --consume \"$@\"\n"
    "kexe_rc=$?\n"
    "if [ \"$kexe_rc\" = 9 ]; then\n"
    "\tkexe_note \"running the bundle again without --consume\"\n"
    "\tkexe_run \"$@\"\n"
    "\tkexe_rc=$?\n"
    "fi\n"
    "if [ \"$kexe_rc\" != 0 ]; then\n"
    "\tkexe_note \"the bundle stopped with exit code $kexe_rc (its kexe: line above says why); "
    "nothing was booted\"\n"
    "\texit \"$kexe_rc\"\n"
    "fi\n"
    "[ \"$kexe_boots\" = 0 ] || echo \"machine will boot into nixos in ${kexe_delay}s...\"\n";

int kexe_nixos_anywhere_write(int fd, const char *what, const struct input_file *bundle,
			      struct kexe_err *err)
{
	struct kexe_targz *t = malloc(sizeof *t);
	struct kexe_progress progress;
	int rc;

	if (!t)
		return kexe_fail(err, KEXE_EXIT_MEMORY, "out of memory");
	rc = kexe_targz_begin(t, fd, what, err);
	if (rc == 0)
		rc = kexe_targz_dir(t, "kexec/", 0755, 0, err);
	if (rc == 0)
		rc = kexe_targz_file(t, "kexec/run", 0755, 0, kexe_nixos_anywhere_run,
				     strlen(kexe_nixos_anywhere_run), NULL, NULL, err);
	kexe_progress_start(&progress, "writing tarball", bundle->size);
	if (rc == 0)
		rc = kexe_targz_file(t, "kexec/" KEXE_NIXOS_ANYWHERE_BUNDLE, 0755, 0, bundle->data,
				     bundle->size, kexe_progress_add, &progress, err);
	kexe_progress_end(&progress);
	if (rc == 0)
		rc = kexe_targz_finish(t, err);
	free(t);
	return rc;
}

int kexe_nixos_anywhere_file(const char *bundle_path, const char *output, struct kexe_err *err)
{
	struct input_file b;
	char tmp[4096];
	int fd, rc;

	if ((size_t)snprintf(tmp, sizeof tmp, "%s.tmp.XXXXXX", output) >= sizeof tmp)
		return kexe_fail(err, KEXE_EXIT_USAGE, "output path too long");
	if (strlen(output) < 7 || strcmp(output + strlen(output) - 7, ".tar.gz"))
		fprintf(stderr,
			"kexe: note: nixos-anywhere unpacks --kexec FILE with gzip only when "
			"its name ends in .tar.gz; name it so\n");
	if (input_open(&b, bundle_path, err))
		return -1;
	fd = mkstemp(tmp);
	if (fd < 0) {
		input_close(&b);
		return kexe_fail_errno(err, KEXE_EXIT_IO, errno,
				       "cannot create a file next to %s: %s", output,
				       strerror(errno));
	}
	rc = kexe_nixos_anywhere_write(fd, tmp, &b, err);
	if (rc == 0 && (fsync(fd) || fchmod(fd, 0644)))
		rc = kexe_fail_errno(err, KEXE_EXIT_IO, errno, "writing %s failed: %s", tmp,
				     strerror(errno));
	if (close(fd) && rc == 0)
		rc = kexe_fail_errno(err, KEXE_EXIT_IO, errno, "writing %s failed: %s", tmp,
				     strerror(errno));
	if (rc == 0 && rename(tmp, output))
		rc = kexe_fail_errno(err, KEXE_EXIT_IO, errno, "cannot rename %s to %s: %s", tmp,
				     output, strerror(errno));
	if (rc)
		unlink(tmp);
	input_close(&b);
	return rc;
}

int kexe_nixos_anywhere_wrap(const char *bundle_path, const char *output, struct kexe_err *err)
{
	static struct kexe_bundle bundle;
	struct stat in, out;
	int fd = open(bundle_path, O_RDONLY | O_CLOEXEC), rc;

	if (fd < 0)
		return kexe_fail_errno(err, KEXE_EXIT_IO, errno, "cannot open %s: %s", bundle_path,
				       strerror(errno));
	rc = kexe_bundle_open(fd, &bundle, 1, err);
	if (rc == 0 && fstat(fd, &in))
		rc = kexe_fail_errno(err, KEXE_EXIT_IO, errno, "cannot stat %s: %s", bundle_path,
				     strerror(errno));
	close(fd);
	if (rc)
		return -1;
	if (stat(output, &out) == 0 && out.st_dev == in.st_dev && out.st_ino == in.st_ino)
		return kexe_fail(err, KEXE_EXIT_USAGE, "output %s is the bundle; choose another -o",
				 output);
	if (kexe_nixos_anywhere_file(bundle_path, output, err))
		return -1;
	if (stat(output, &out) == 0)
		printf("kexe: wrote %s: %.1f MiB (nixos-anywhere tarball of %s)\n", output,
		       (double)out.st_size / (1024.0 * 1024.0), bundle_path);
	return 0;
}
