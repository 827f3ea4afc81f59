#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "authkeys.h"
#include "carry.h"
#include "fixtures.h"
#include "netjson.h"
#include "test.h"

static char *json_of(const struct kexe_netstate *ns, int family)
{
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);

	if (family)
		kexe_json_routes(out, ns, family);
	else
		kexe_json_addrs(out, ns);
	fclose(out);
	return text;
}

TEST(network_json_has_the_shape_of_ip_json)
{
	struct kexe_link link = {.index = 2,
				 .name = "eth0",
				 .flags = 0x1 | 0x2 | 0x1000 | 0x10000,
				 .mtu = 1500,
				 .operstate = 6,
				 .type = 1,
				 .address_len = 6};
	struct kexe_addr addr = {.family = AF_INET,
				 .index = 2,
				 .prefixlen = 24,
				 .has_local = 1,
				 .has_peer = 1,
				 .has_broadcast = 1,
				 .has_lifetime = 1,
				 .valid_lifetime = 86000,
				 .preferred_lifetime = 86000,
				 .label = "eth0"};
	struct kexe_route routes[2] = {{.family = AF_INET,
					.protocol = 16,
					.table = 254,
					.has_gateway = 1,
					.oif = 2,
					.has_metric = 1,
					.metric = 100},
				       {.family = AF_INET,
					.dst_len = 24,
					.protocol = 2,
					.scope = 253,
					.table = 254,
					.has_dst = 1,
					.oif = 2,
					.has_prefsrc = 1}};
	struct kexe_netstate ns = {&link, &addr, routes, 1, 1, 2};
	char *text;

	memcpy(link.address, "\x52\x54\x00\x12\x34\x56", 6);
	inet_pton(AF_INET, "10.0.2.15", addr.local);
	inet_pton(AF_INET, "10.0.2.15", addr.peer);
	inet_pton(AF_INET, "10.0.2.255", addr.broadcast);
	inet_pton(AF_INET, "10.0.2.2", routes[0].gateway);
	inet_pton(AF_INET, "10.0.2.0", routes[1].dst);
	inet_pton(AF_INET, "10.0.2.15", routes[1].prefsrc);
	text = json_of(&ns, 0);
	CHECK(
	    strcmp(text,
		   "[{\"ifindex\":2,\"ifname\":\"eth0\",\"flags\":[\"BROADCAST\",\"MULTICAST\","
		   "\"UP\",\"LOWER_UP\"],\"mtu\":1500,\"operstate\":\"UP\",\"link_type\":\"ether\","
		   "\"address\":\"52:54:00:12:34:56\",\"addr_info\":[{\"family\":\"inet\","
		   "\"local\":\"10.0.2.15\",\"prefixlen\":24,\"broadcast\":\"10.0.2.255\","
		   "\"scope\":\"global\",\"dynamic\":true,\"label\":\"eth0\","
		   "\"valid_life_time\":86000,\"preferred_life_time\":86000}]}]\n") == 0);
	free(text);
	text = json_of(&ns, AF_INET);
	CHECK(strcmp(text, "[{\"dst\":\"default\",\"gateway\":\"10.0.2.2\",\"dev\":\"eth0\","
			   "\"protocol\":\"dhcp\",\"metric\":100,\"flags\":[]},"
			   "{\"dst\":\"10.0.2.0/24\",\"dev\":\"eth0\",\"protocol\":\"kernel\","
			   "\"scope\":\"link\",\"prefsrc\":\"10.0.2.15\",\"flags\":[]}]\n") == 0);
	free(text);
	text = json_of(&ns, AF_INET6);
	CHECK(strcmp(text, "[]\n") == 0);
	free(text);
}

static void put(const char *dir, const char *name, const char *text, unsigned mode)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	for (char *p = strchr(path + strlen(dir) + 1, '/'); p; p = strchr(p + 1, '/')) {
		*p = 0;
		mkdir(path, 0755);
		*p = '/';
	}
	f = fopen(path, "w");
	fputs(text, f);
	fclose(f);
	chmod(path, mode);
}

/* The archive's member names in order, one per line. */
static char *listing(const struct kexe_cpio *c)
{
	static char out[2048];
	char path[] = "/tmp/kexe-unit-carry.XXXXXX", cmd[128];
	int fd = mkstemp(path);
	FILE *p;
	size_t n;

	if (write(fd, c->data, c->size) != (ssize_t)c->size)
		return "";
	close(fd);
	snprintf(cmd, sizeof cmd, "cpio -t < %s 2>/dev/null", path);
	p = popen(cmd, "r");
	n = fread(out, 1, sizeof out - 1, p);
	out[n] = 0;
	pclose(p);
	unlink(path);
	return out;
}

TEST(carried_ssh_keys_and_files_use_the_nixos_images_layout)
{
	struct stub_options o = {.carry_ssh_keys = 1};
	struct kexe_cpio c;
	struct kexe_err err;
	const char *dir = fixture_host(0, NULL, 0);
	char spec[600], src[512];

	put(dir, "root/.ssh/authorized_keys",
	    "command=\"echo 'Please login as the user \\\"debian\\\" rather than the user "
	    "\\\"root\\\".';echo;sleep 10;exit 142\" ssh-ed25519 AAAAC3 a@b\n",
	    0600);
	put(dir, "etc/ssh/ssh_host_ed25519_key", "PRIVATE\n", 0600);
	snprintf(src, sizeof src, "%s/notes.txt", dir);
	put(dir, "notes.txt", "carried\n", 0640);
	snprintf(spec, sizeof spec, "%s:/etc/kexe/notes.txt", src);
	o.carry_files[o.n_carry_files++] = spec;
	CHECK(kexe_carry_build(&o, &c, &err) == 0);
	CHECK(strcmp(listing(&c), "ssh\nssh/authorized_keys\nssh/ssh_host_ed25519_key\netc\n"
				  "etc/kexe\netc/kexe/notes.txt\n") == 0);
	/* the key without cloud-init's forced command that would lock root out */
	CHECK(memmem(c.data, c.size, "ssh-ed25519 AAAAC3 a@b\n", 23) != NULL);
	CHECK(memmem(c.data, c.size, "Please login", 12) == NULL);
	kexe_cpio_free(&c);

	o.carry_ssh_keys = 0;
	snprintf(spec, sizeof spec, "%s:../escape", src);
	CHECK(kexe_carry_build(&o, &c, &err) == -1);
	CHECK(err.code == KEXE_EXIT_USAGE);
	snprintf(spec, sizeof spec, "%s/missing:x", dir);
	CHECK(kexe_carry_build(&o, &c, &err) == -1);
	CHECK(err.code == KEXE_EXIT_IO);
	o.n_carry_files = 0;
	CHECK(kexe_carry_build(&o, &c, &err) == 0);
	CHECK(c.size == 0);
}

/* Cloud-init's forced command as Debian's, Ubuntu's and Amazon's images write it. */
#define CLOUD_INIT_COMMAND                                                                         \
	"command=\"echo 'Please login as the user \\\"debian\\\" rather than the user "            \
	"\\\"root\\\".';echo;sleep 10;exit 142\""

/* What --carry-ssh-keys writes for the authorized_keys text in. */
static char *filtered(const char *in)
{
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);

	kexe_authkeys_filter(out, in);
	fclose(out);
	return text;
}

static int kept_as_written(const char *line)
{
	char in[1024];
	char *out;
	int same;

	snprintf(in, sizeof in, "%s\n", line);
	out = filtered(in);
	same = strcmp(out, in) == 0;
	if (!same)
		printf("  in:  %s  out: %s\n", in, out);
	free(out);
	return same;
}

TEST(authorized_keys_options_are_kept_as_written)
{
	CHECK(kept_as_written("from=\"10.0.0.0/8,192.168.1.1\",command=\"borg serve "
			      "--restrict-to-path /backup\",restrict ssh-ed25519 AAAAC3 backup"));
	CHECK(kept_as_written("restrict,pty ssh-rsa AAAAB3 r"));
	CHECK(kept_as_written("expiry-time=\"20300101\" ecdsa-sha2-nistp256 AAAAE2 e"));
	CHECK(kept_as_written("cert-authority,principals=\"alice,bob\" ssh-ed25519 AAAAC3 ca"));
	CHECK(kept_as_written("command=\"echo \\\"hi, there\\\" ssh-ed25519 x\",no-pty "
			      "sk-ssh-ed25519@openssh.com AAAAGn k"));
	CHECK(kept_as_written("environment=\"A=\\\"x y\\\"\",permitopen=\"h:22\" ssh-ed25519 A c"));
	CHECK(kept_as_written("ssh-ed25519 AAAAC3 plain key, with a comment"));
	/* the login message followed by anything else is not cloud-init's */
	CHECK(kept_as_written("command=\"echo 'Please login as the user \\\"debian\\\" rather than "
			      "the user \\\"root\\\".';borg serve\" ssh-ed25519 AAAAC3 b"));
	CHECK(kept_as_written("command=\"echo 'Please login as the user \\\"$(reboot)\\\" rather "
			      "than the user \\\"root\\\".'\" ssh-ed25519 AAAAC3 b"));
}

TEST(authorized_keys_cloud_init_command_alone_is_stripped)
{
	char *out;

	out = filtered(CLOUD_INIT_COMMAND " ssh-ed25519 AAAAC3 a@b\n");
	CHECK(strcmp(out, "ssh-ed25519 AAAAC3 a@b\n") == 0);
	free(out);
	/* cloud-init's other options on the line stay; so do options around the command */
	out =
	    filtered("no-port-forwarding,no-agent-forwarding,no-X11-forwarding," CLOUD_INIT_COMMAND
		     " ssh-rsa AAAAB3 u\n"
		     "from=\"10.1.2.3\"," CLOUD_INIT_COMMAND ",restrict ssh-ed25519 AAAAC3 v\n");
	CHECK(strcmp(out,
		     "no-port-forwarding,no-agent-forwarding,no-X11-forwarding ssh-rsa AAAAB3 u\n"
		     "from=\"10.1.2.3\",restrict ssh-ed25519 AAAAC3 v\n") == 0);
	free(out);
	/* older cloud-init (no exit) and the Ubuntu user; sshd matches option names in any case */
	out =
	    filtered("COMMAND=\"echo 'Please login as the user \\\"ubuntu\\\" rather than the user "
		     "\\\"root\\\".';echo;sleep 10\" ssh-ed25519 AAAAC3 w\n");
	CHECK(strcmp(out, "ssh-ed25519 AAAAC3 w\n") == 0);
	free(out);
}

TEST(authorized_keys_comments_and_broken_lines_are_dropped)
{
	char *out = filtered("# a comment ssh-ed25519 AAAA\n\n   \n"
			     "command=\"unterminated ssh-ed25519 AAAAC3 x\n"
			     "not-a-key-line at all\n"
			     "  ssh-ed25519 AAAAC3 indented\n");

	CHECK(strcmp(out, "ssh-ed25519 AAAAC3 indented\n") == 0);
	free(out);
}

TEST(carried_authorized_keys_keep_their_restrictions)
{
	static const char keys[] =
	    "from=\"10.0.0.0/8\",command=\"borg serve --append-only\",restrict ssh-ed25519 A bk\n"
	    "no-port-forwarding," CLOUD_INIT_COMMAND " ssh-ed25519 AAAAC3 admin\n";
	static const char want[] =
	    "from=\"10.0.0.0/8\",command=\"borg serve --append-only\",restrict ssh-ed25519 A bk\n"
	    "no-port-forwarding ssh-ed25519 AAAAC3 admin\n";
	struct stub_options o = {.carry_ssh_keys = 1};
	struct kexe_cpio c;
	struct kexe_err err;
	const char *dir = fixture_host(0, NULL, 0);

	put(dir, "root/.ssh/authorized_keys", keys, 0600);
	CHECK(kexe_carry_build(&o, &c, &err) == 0);
	CHECK(memmem(c.data, c.size, want, sizeof want - 1) != NULL);
	kexe_cpio_free(&c);
}
