/* authorized_keys lines carried into the new system (--carry-ssh-keys), restrictions intact. */
#ifndef KEXE_AUTHKEYS_H
#define KEXE_AUTHKEYS_H

#include <stdio.h>

/* Writes each key line of the authorized_keys text to out, one per line, with its options
 * exactly as written (from=, command=, restrict, expiry-time=, cert-authority, principals=,
 * ...) except cloud-init's forced command that only prints 'Please login as the user "X"
 * rather than the user "root".' (it would lock root out of the new system). Comments, blank
 * lines and lines without a recognisable key are dropped. */
void kexe_authkeys_filter(FILE *out, const char *text);

#endif
