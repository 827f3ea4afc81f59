/* Command-line options shared by the packer and the bundle. */
#ifndef KEXE_ARGS_H
#define KEXE_ARGS_H

/* For "--name value" and "--name=value" at argv[*i]: the value (advancing *i past a separate
 * value), or NULL when argv[*i] is not that option or its value is missing. */
const char *kexe_option_value(const char *name, int argc, char **argv, int *i);

#endif
