#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "netlink.h"
#include "netlink_abi.h"

#define RECV_SIZE 32768

struct dump {
	int fd;
	unsigned seq;
};

static int request(struct dump *d, uint16_t type, unsigned char family)
{
	struct {
		struct nlmsghdr h;
		struct rtgenmsg g;
		unsigned char pad[16];
	} req;

	memset(&req, 0, sizeof req);
	req.h.nlmsg_len = sizeof req;
	req.h.nlmsg_type = type;
	req.h.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	req.h.nlmsg_seq = ++d->seq;
	req.g.rtgen_family = family;
	return send(d->fd, &req, sizeof req, 0) == (ssize_t)sizeof req ? 0 : -1;
}

/* Copies attribute payload into dst (at most size bytes); returns the payload length. */
static size_t attr_copy(const struct rtattr *a, void *dst, size_t size)
{
	size_t len = a->rta_len - RTA_LENGTH(0);

	if (len > size)
		len = size;
	memcpy(dst, RTA_DATA(a), len);
	return len;
}

static uint32_t attr_u32(const struct rtattr *a)
{
	uint32_t v = 0;
	attr_copy(a, &v, sizeof v);
	return v;
}

/* Calls fn for each attribute of a message whose fixed header is hdr_len bytes. */
#define FOR_EACH_ATTR(a, h, hdr_len, left)                                                         \
	for (left = (int)NLMSG_PAYLOAD(h, hdr_len),                                                \
	    a = (const struct rtattr *)((const char *)NLMSG_DATA(h) + NLMSG_ALIGN(hdr_len));       \
	     RTA_OK(a, left); a = RTA_NEXT(a, left))

static void parse_link(const struct nlmsghdr *h, struct kexe_link *l)
{
	const struct ifinfomsg *i = NLMSG_DATA(h);
	const struct rtattr *a;
	int left;

	memset(l, 0, sizeof *l);
	l->index = i->ifi_index;
	l->flags = i->ifi_flags;
	l->type = i->ifi_type;
	FOR_EACH_ATTR(a, h, sizeof *i, left)
	{
		switch (a->rta_type) {
		case IFLA_IFNAME:
			attr_copy(a, l->name, sizeof l->name - 1);
			break;
		case IFLA_MTU:
			l->mtu = attr_u32(a);
			break;
		case IFLA_OPERSTATE:
			attr_copy(a, &l->operstate, 1);
			break;
		case IFLA_ADDRESS:
			l->address_len = (unsigned char)attr_copy(a, l->address, sizeof l->address);
			break;
		case IFLA_BROADCAST:
			l->broadcast_len =
			    (unsigned char)attr_copy(a, l->broadcast, sizeof l->broadcast);
			break;
		}
	}
}

static void parse_addr(const struct nlmsghdr *h, struct kexe_addr *ad)
{
	const struct ifaddrmsg *i = NLMSG_DATA(h);
	const struct rtattr *a;
	struct ifa_cacheinfo ci;
	int left;

	memset(ad, 0, sizeof *ad);
	ad->family = i->ifa_family;
	ad->index = (int)i->ifa_index;
	ad->prefixlen = i->ifa_prefixlen;
	ad->scope = i->ifa_scope;
	ad->flags = i->ifa_flags;
	FOR_EACH_ATTR(a, h, sizeof *i, left)
	{
		switch (a->rta_type) {
		case IFA_LOCAL:
			ad->has_local = (int)attr_copy(a, ad->local, sizeof ad->local);
			break;
		case IFA_ADDRESS:
			ad->has_peer = (int)attr_copy(a, ad->peer, sizeof ad->peer);
			break;
		case IFA_BROADCAST:
			ad->has_broadcast = (int)attr_copy(a, ad->broadcast, sizeof ad->broadcast);
			break;
		case IFA_LABEL:
			attr_copy(a, ad->label, sizeof ad->label - 1);
			break;
		case IFA_FLAGS:
			ad->flags = attr_u32(a);
			break;
		case IFA_CACHEINFO:
			memset(&ci, 0, sizeof ci);
			attr_copy(a, &ci, sizeof ci);
			ad->valid_lifetime = ci.ifa_valid;
			ad->preferred_lifetime = ci.ifa_prefered;
			ad->has_lifetime = 1;
			break;
		}
	}
}

static void parse_route(const struct nlmsghdr *h, struct kexe_route *r)
{
	const struct rtmsg *m = NLMSG_DATA(h);
	const struct rtattr *a;
	int left;

	memset(r, 0, sizeof *r);
	r->family = m->rtm_family;
	r->dst_len = m->rtm_dst_len;
	r->protocol = m->rtm_protocol;
	r->scope = m->rtm_scope;
	r->type = m->rtm_type;
	r->table = m->rtm_table;
	r->flags = m->rtm_flags;
	FOR_EACH_ATTR(a, h, sizeof *m, left)
	{
		switch (a->rta_type) {
		case RTA_DST:
			r->has_dst = (int)attr_copy(a, r->dst, sizeof r->dst);
			break;
		case RTA_GATEWAY:
			r->has_gateway = (int)attr_copy(a, r->gateway, sizeof r->gateway);
			break;
		case RTA_PREFSRC:
			r->has_prefsrc = (int)attr_copy(a, r->prefsrc, sizeof r->prefsrc);
			break;
		case RTA_OIF:
			r->oif = (int)attr_u32(a);
			break;
		case RTA_PRIORITY:
			r->metric = attr_u32(a);
			r->has_metric = 1;
			break;
		case RTA_TABLE:
			r->table = attr_u32(a);
			break;
		}
	}
}

/* Grows *array (of *n elements of size each) by one; returns the new element or NULL. */
static void *append(void **array, size_t *n, size_t size)
{
	void *p = realloc(*array, (*n + 1) * size);

	if (!p)
		return NULL;
	*array = p;
	return (char *)p + (*n)++ * size;
}

static int take(struct kexe_netstate *ns, const struct nlmsghdr *h)
{
	void *slot;

	switch (h->nlmsg_type) {
	case RTM_NEWLINK:
		if (h->nlmsg_len < NLMSG_LENGTH(sizeof(struct ifinfomsg)))
			return 0;
		slot = append((void **)&ns->links, &ns->n_links, sizeof *ns->links);
		if (slot)
			parse_link(h, slot);
		break;
	case RTM_NEWADDR:
		if (h->nlmsg_len < NLMSG_LENGTH(sizeof(struct ifaddrmsg)))
			return 0;
		slot = append((void **)&ns->addrs, &ns->n_addrs, sizeof *ns->addrs);
		if (slot)
			parse_addr(h, slot);
		break;
	case RTM_NEWROUTE:
		if (h->nlmsg_len < NLMSG_LENGTH(sizeof(struct rtmsg)))
			return 0;
		slot = append((void **)&ns->routes, &ns->n_routes, sizeof *ns->routes);
		if (slot)
			parse_route(h, slot);
		break;
	default:
		return 0;
	}
	return slot ? 0 : -1;
}

/* Receives one dump's replies until NLMSG_DONE. */
static int receive(struct dump *d, struct kexe_netstate *ns, unsigned char *buf)
{
	for (;;) {
		ssize_t n = recv(d->fd, buf, RECV_SIZE, 0);
		int left = (int)n;
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		for (const struct nlmsghdr *h = (const void *)buf; NLMSG_OK(h, left);
		     h = NLMSG_NEXT(h, left)) {
			if (h->nlmsg_seq != d->seq)
				continue;
			if (h->nlmsg_type == NLMSG_DONE)
				return 0;
			if (h->nlmsg_type == NLMSG_ERROR || take(ns, h))
				return -1;
		}
	}
}

int kexe_netstate_read(struct kexe_netstate *ns, struct kexe_err *err)
{
	static const struct {
		uint16_t type;
		unsigned char family;
	} dumps[] = {{RTM_GETLINK, AF_UNSPEC},
		     {RTM_GETADDR, AF_UNSPEC},
		     {RTM_GETROUTE, AF_INET},
		     {RTM_GETROUTE, AF_INET6}};
	struct dump d = {.fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE)};
	unsigned char *buf = malloc(RECV_SIZE);
	int rc = 0;

	memset(ns, 0, sizeof *ns);
	if (d.fd < 0 || !buf)
		rc = -1;
	for (size_t i = 0; rc == 0 && i < sizeof dumps / sizeof *dumps; i++)
		if (request(&d, dumps[i].type, dumps[i].family) || receive(&d, ns, buf))
			rc = -1;
	if (d.fd >= 0)
		close(d.fd);
	free(buf);
	if (rc)
		return kexe_fail(err, KEXE_EXIT_IO,
				 "cannot read the network configuration over netlink (%s); drop "
				 "--carry-network or carry files with --carry-file",
				 strerror(errno));
	return 0;
}

void kexe_netstate_free(struct kexe_netstate *ns)
{
	free(ns->links);
	free(ns->addrs);
	free(ns->routes);
	memset(ns, 0, sizeof *ns);
}

const struct kexe_link *kexe_netstate_link(const struct kexe_netstate *ns, int index)
{
	for (size_t i = 0; i < ns->n_links; i++)
		if (ns->links[i].index == index)
			return &ns->links[i];
	return NULL;
}
