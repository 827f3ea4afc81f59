/* Reading the host's interfaces, addresses and routes over rtnetlink (no `ip` needed). */
#ifndef KEXE_NETLINK_H
#define KEXE_NETLINK_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

struct kexe_link {
	int index;
	char name[16];
	unsigned flags; /* IFF_* */
	unsigned mtu;
	unsigned char operstate; /* IF_OPER_* */
	unsigned short type;	 /* ARPHRD_* */
	unsigned char address[32], broadcast[32];
	unsigned char address_len, broadcast_len;
};

struct kexe_addr {
	int family; /* AF_INET or AF_INET6 */
	int index;
	unsigned char prefixlen, scope;
	unsigned flags; /* IFA_F_* */
	unsigned char local[16], peer[16], broadcast[16];
	int has_local, has_peer, has_broadcast, has_lifetime;
	uint32_t valid_lifetime, preferred_lifetime;
	char label[16];
};

struct kexe_route {
	int family;
	unsigned char dst_len, protocol, scope, type;
	unsigned table;
	unsigned char dst[16], gateway[16], prefsrc[16];
	int has_dst, has_gateway, has_prefsrc, has_metric;
	int oif;
	uint32_t metric;
	unsigned flags; /* RTNH_F_* */
};

struct kexe_netstate {
	struct kexe_link *links;
	struct kexe_addr *addrs;
	struct kexe_route *routes;
	size_t n_links, n_addrs, n_routes;
};

/* Dumps links, IPv4 and IPv6 addresses, and the main table's IPv4 and IPv6 routes. Returns 0,
 * or -1 with err (KEXE_EXIT_IO) when the kernel cannot be asked. */
int kexe_netstate_read(struct kexe_netstate *ns, struct kexe_err *err);

void kexe_netstate_free(struct kexe_netstate *ns);

/* The link with this index, or NULL. */
const struct kexe_link *kexe_netstate_link(const struct kexe_netstate *ns, int index);

#endif
