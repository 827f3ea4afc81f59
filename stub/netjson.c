#include <arpa/inet.h>
#include <string.h>
#include <sys/socket.h>

#include "netjson.h"
#include "netlink_abi.h"

static void json_string(FILE *out, const char *s)
{
	fputc('"', out);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			fprintf(out, "\\%c", c);
		else if (c < 0x20)
			fprintf(out, "\\u%04x", c);
		else
			fputc(c, out);
	}
	fputc('"', out);
}

static void json_ip(FILE *out, int family, const unsigned char *addr)
{
	char text[INET6_ADDRSTRLEN];

	json_string(out, inet_ntop(family, addr, text, sizeof text) ? text : "");
}

static void json_hw(FILE *out, const unsigned char *a, unsigned len)
{
	fputc('"', out);
	for (unsigned i = 0; i < len; i++)
		fprintf(out, "%s%02x", i ? ":" : "", a[i]);
	fputc('"', out);
}

static const char *scope_name(unsigned scope)
{
	switch (scope) {
	case 0:
		return "global";
	case 200:
		return "site";
	case 253:
		return "link";
	case 254:
		return "host";
	}
	return "nowhere";
}

static void link_flags(FILE *out, unsigned flags)
{
	static const struct {
		unsigned bit;
		const char *name;
	} names[] = {{0x8, "LOOPBACK"},	    {0x2, "BROADCAST"},	   {0x10, "POINTOPOINT"},
		     {0x1000, "MULTICAST"}, {0x80, "NOARP"},	   {0x200, "ALLMULTI"},
		     {0x100, "PROMISC"},    {0x800, "SLAVE"},	   {0x400, "MASTER"},
		     {0x1, "UP"},	    {0x10000, "LOWER_UP"}, {0x20000, "DORMANT"}};
	int first = 1;

	fputs("\"flags\":[", out);
	for (size_t i = 0; i < sizeof names / sizeof *names; i++)
		if (flags & names[i].bit) {
			fprintf(out, "%s\"%s\"", first ? "" : ",", names[i].name);
			first = 0;
		}
	fputc(']', out);
}

static const char *link_type(unsigned type)
{
	switch (type) {
	case 1:
		return "ether";
	case 772:
		return "loopback";
	case 776:
		return "sit";
	case 65534:
		return "none";
	}
	return "unknown";
}

static void addr_info(FILE *out, const struct kexe_addr *a)
{
	/* IPv4 puts the address in IFA_LOCAL (IFA_ADDRESS is the peer); IPv6 only sends
	 * IFA_ADDRESS unless it is point-to-point. */
	const unsigned char *local = a->has_local ? a->local : a->peer;

	fprintf(out, "{\"family\":\"%s\",\"local\":", a->family == AF_INET ? "inet" : "inet6");
	json_ip(out, a->family, local);
	if (a->has_local && a->has_peer && memcmp(a->local, a->peer, 16)) {
		fputs(",\"address\":", out);
		json_ip(out, a->family, a->peer);
	}
	fprintf(out, ",\"prefixlen\":%u", a->prefixlen);
	if (a->has_broadcast && a->family == AF_INET) {
		fputs(",\"broadcast\":", out);
		json_ip(out, a->family, a->broadcast);
	}
	fprintf(out, ",\"scope\":\"%s\"", scope_name(a->scope));
	if (!(a->flags & IFA_F_PERMANENT))
		fputs(",\"dynamic\":true", out);
	if (a->label[0]) {
		fputs(",\"label\":", out);
		json_string(out, a->label);
	}
	if (a->has_lifetime)
		fprintf(out, ",\"valid_life_time\":%u,\"preferred_life_time\":%u",
			a->valid_lifetime, a->preferred_lifetime);
	fputc('}', out);
}

static void link_object(FILE *out, const struct kexe_netstate *ns, const struct kexe_link *l)
{
	static const char *const operstates[] = {"UNKNOWN", "NOTPRESENT", "DOWN", "LOWERLAYERDOWN",
						 "TESTING", "DORMANT",	  "UP"};
	int first = 1;

	fprintf(out, "{\"ifindex\":%d,\"ifname\":", l->index);
	json_string(out, l->name);
	fputc(',', out);
	link_flags(out, l->flags);
	fprintf(out, ",\"mtu\":%u,\"operstate\":\"%s\",\"link_type\":\"%s\"", l->mtu,
		l->operstate < 7 ? operstates[l->operstate] : "UNKNOWN", link_type(l->type));
	if (l->address_len) {
		fputs(",\"address\":", out);
		json_hw(out, l->address, l->address_len);
	}
	if (l->broadcast_len) {
		fputs(",\"broadcast\":", out);
		json_hw(out, l->broadcast, l->broadcast_len);
	}
	fputs(",\"addr_info\":[", out);
	for (size_t i = 0; i < ns->n_addrs; i++) {
		if (ns->addrs[i].index != l->index ||
		    (ns->addrs[i].family != AF_INET && ns->addrs[i].family != AF_INET6))
			continue;
		fputs(first ? "" : ",", out);
		addr_info(out, &ns->addrs[i]);
		first = 0;
	}
	fputs("]}", out);
}

void kexe_json_addrs(FILE *out, const struct kexe_netstate *ns)
{
	fputc('[', out);
	for (size_t i = 0; i < ns->n_links; i++) {
		fputs(i ? "," : "", out);
		link_object(out, ns, &ns->links[i]);
	}
	fputs("]\n", out);
}

static void protocol(FILE *out, unsigned p)
{
	static const char *const names[] = {[1] = "redirect", [2] = "kernel", [3] = "boot",
					    [4] = "static",   [9] = "ra",     [16] = "dhcp"};

	if (p == 3)
		return; /* "boot", the default, which ip leaves out */
	if (p < sizeof names / sizeof *names && names[p])
		fprintf(out, ",\"protocol\":\"%s\"", names[p]);
	else
		fprintf(out, ",\"protocol\":\"%u\"", p);
}

static void route_object(FILE *out, const struct kexe_netstate *ns, const struct kexe_route *r)
{
	const struct kexe_link *dev = kexe_netstate_link(ns, r->oif);
	unsigned host = r->family == AF_INET ? 32 : 128;

	fputs("{\"dst\":", out);
	if (r->dst_len == 0) {
		fputs("\"default\"", out);
	} else {
		char text[INET6_ADDRSTRLEN + 8];
		if (!inet_ntop(r->family, r->dst, text, INET6_ADDRSTRLEN))
			text[0] = 0;
		if (r->dst_len != host)
			snprintf(text + strlen(text), 8, "/%u", r->dst_len);
		json_string(out, text);
	}
	if (r->has_gateway) {
		fputs(",\"gateway\":", out);
		json_ip(out, r->family, r->gateway);
	}
	if (dev) {
		fputs(",\"dev\":", out);
		json_string(out, dev->name);
	}
	protocol(out, r->protocol);
	if (r->scope)
		fprintf(out, ",\"scope\":\"%s\"", scope_name(r->scope));
	if (r->has_prefsrc) {
		fputs(",\"prefsrc\":", out);
		json_ip(out, r->family, r->prefsrc);
	}
	if (r->has_metric)
		fprintf(out, ",\"metric\":%u", r->metric);
	fprintf(out, ",\"flags\":[%s]}", r->flags & RTNH_F_ONLINK ? "\"onlink\"" : "");
}

void kexe_json_routes(FILE *out, const struct kexe_netstate *ns, int family)
{
	int first = 1;

	fputc('[', out);
	for (size_t i = 0; i < ns->n_routes; i++) {
		const struct kexe_route *r = &ns->routes[i];
		if (r->family != family || r->table != RT_TABLE_MAIN)
			continue;
		fputs(first ? "" : ",", out);
		route_object(out, ns, r);
		first = 0;
	}
	fputs("]\n", out);
}
