/* The rtnetlink ABI (linux/netlink.h, linux/rtnetlink.h, linux/if_link.h, linux/if_addr.h):
 * musl-gcc does not see the kernel's uapi headers, so the few definitions used are here. */
#ifndef KEXE_NETLINK_ABI_H
#define KEXE_NETLINK_ABI_H

#include <stdint.h>

#define NETLINK_ROUTE 0
#define NLM_F_REQUEST 0x1
#define NLM_F_DUMP 0x300
#define NLMSG_ERROR 2
#define NLMSG_DONE 3
#define RTM_NEWLINK 16
#define RTM_GETLINK 18
#define RTM_NEWADDR 20
#define RTM_GETADDR 22
#define RTM_NEWROUTE 24
#define RTM_GETROUTE 26

#define IFLA_ADDRESS 1
#define IFLA_BROADCAST 2
#define IFLA_IFNAME 3
#define IFLA_MTU 4
#define IFLA_OPERSTATE 16
#define IFA_ADDRESS 1
#define IFA_LOCAL 2
#define IFA_LABEL 3
#define IFA_BROADCAST 4
#define IFA_CACHEINFO 6
#define IFA_FLAGS 8
#define IFA_F_PERMANENT 0x80
#define RTA_DST 1
#define RTA_OIF 4
#define RTA_GATEWAY 5
#define RTA_PRIORITY 6
#define RTA_PREFSRC 7
#define RTA_TABLE 15
#define RT_TABLE_MAIN 254
#define RTN_UNICAST 1
#define RTNH_F_ONLINK 4

struct nlmsghdr {
	uint32_t nlmsg_len;
	uint16_t nlmsg_type;
	uint16_t nlmsg_flags;
	uint32_t nlmsg_seq;
	uint32_t nlmsg_pid;
};

struct rtgenmsg {
	unsigned char rtgen_family;
};

struct rtattr {
	unsigned short rta_len;
	unsigned short rta_type;
};

struct ifinfomsg {
	unsigned char ifi_family;
	unsigned char ifi_pad;
	unsigned short ifi_type;
	int ifi_index;
	unsigned ifi_flags;
	unsigned ifi_change;
};

struct ifaddrmsg {
	uint8_t ifa_family;
	uint8_t ifa_prefixlen;
	uint8_t ifa_flags;
	uint8_t ifa_scope;
	uint32_t ifa_index;
};

struct ifa_cacheinfo {
	uint32_t ifa_prefered;
	uint32_t ifa_valid;
	uint32_t cstamp;
	uint32_t tstamp;
};

struct rtmsg {
	unsigned char rtm_family;
	unsigned char rtm_dst_len;
	unsigned char rtm_src_len;
	unsigned char rtm_tos;
	unsigned char rtm_table;
	unsigned char rtm_protocol;
	unsigned char rtm_scope;
	unsigned char rtm_type;
	unsigned rtm_flags;
};

#define NLMSG_ALIGN(len) (((len) + 3u) & ~3u)
#define NLMSG_HDRLEN ((int)NLMSG_ALIGN(sizeof(struct nlmsghdr)))
#define NLMSG_LENGTH(len) ((len) + NLMSG_HDRLEN)
#define NLMSG_SPACE(len) NLMSG_ALIGN(NLMSG_LENGTH(len))
#define NLMSG_DATA(h) ((void *)((char *)(h) + NLMSG_HDRLEN))
#define NLMSG_NEXT(h, len)                                                                         \
	((len) -= (int)NLMSG_ALIGN((h)->nlmsg_len),                                                \
	 (const struct nlmsghdr *)((const char *)(h) + NLMSG_ALIGN((h)->nlmsg_len)))
#define NLMSG_OK(h, len)                                                                           \
	((len) >= (int)sizeof(struct nlmsghdr) && (h)->nlmsg_len >= sizeof(struct nlmsghdr) &&     \
	 (h)->nlmsg_len <= (unsigned)(len))
#define NLMSG_PAYLOAD(h, len) ((h)->nlmsg_len - NLMSG_SPACE((len)))
#define RTA_ALIGN(len) (((len) + 3u) & ~3u)
#define RTA_LENGTH(len) (RTA_ALIGN(sizeof(struct rtattr)) + (len))
#define RTA_DATA(a) ((void *)((char *)(a) + RTA_LENGTH(0)))
#define RTA_OK(a, len)                                                                             \
	((len) >= (int)sizeof(struct rtattr) && (a)->rta_len >= sizeof(struct rtattr) &&           \
	 (a)->rta_len <= (unsigned)(len))
#define RTA_NEXT(a, len)                                                                           \
	((len) -= (int)RTA_ALIGN((a)->rta_len),                                                    \
	 (const struct rtattr *)((const char *)(a) + RTA_ALIGN((a)->rta_len)))

#endif
