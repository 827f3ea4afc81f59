/* The bundle's whole run, from options to reboot, minus finding its own file. */
#ifndef KEXE_RUN_H
#define KEXE_RUN_H

#include "options.h"

/* Runs the bundle open at self_fd as the options say; returns the process exit code (see
 * KEXE_EXIT_CODES_HELP), having printed one line on failure. On a real run that succeeded the
 * seam's reboot does not return; the fake seam's does, and then 0 is returned. */
int stub_run(int self_fd, const struct stub_options *o);

#endif
