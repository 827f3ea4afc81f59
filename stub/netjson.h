/* The host's network state as JSON in the shape of `ip -json addr` and `ip -json route`, which
 * NixOS kexec images (nixos-images' restore_routes.py) read back into systemd-networkd. */
#ifndef KEXE_NETJSON_H
#define KEXE_NETJSON_H

#include <stdio.h>

#include "netlink.h"

/* Like `ip -json addr`: one object per link with its addr_info list. */
void kexe_json_addrs(FILE *out, const struct kexe_netstate *ns);

/* Like `ip -4 -json route` (family AF_INET) or `ip -6 -json route` (AF_INET6). */
void kexe_json_routes(FILE *out, const struct kexe_netstate *ns, int family);

#endif
