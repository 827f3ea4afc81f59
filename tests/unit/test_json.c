/* The JSON writer (lib/json.c) and the bundle description as JSON (lib/info_json.c): exact
 * output for escaping, nesting and the error object; docs/JSON.md is the schema. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fixtures.h"
#include "info_json.h"
#include "json.h"
#include "test.h"

static char *buf;
static size_t len;

static FILE *open_buffer(struct kexe_json *j)
{
	FILE *f = open_memstream(&buf, &len);
	kexe_json_init(j, f);
	return f;
}

/* Closes the stream; buf holds what was written. */
static const char *text(FILE *f)
{
	fclose(f);
	return buf;
}

static int string_is(const char *in, size_t n, const char *want)
{
	struct kexe_json j;
	FILE *f = open_buffer(&j);
	int ok;

	kexe_json_strn(&j, in, n);
	ok = !strcmp(text(f), want);
	if (!ok)
		printf("  %s, want %s\n", buf, want);
	free(buf);
	return ok;
}

TEST(json_escapes_quotes_backslashes_and_control_bytes)
{
	CHECK(string_is("a\"b\\c", 5, "\"a\\\"b\\\\c\""));
	CHECK(string_is("l1\nl2\tx\r", 8, "\"l1\\nl2\\tx\\r\""));
	CHECK(string_is("\x01\x1f\x7f", 3, "\"\\u0001\\u001f\\u007f\""));
	CHECK(string_is("nul\0in", 6, "\"nul\\u0000in\""));
	CHECK(string_is("", 0, "\"\""));
}

TEST(json_keeps_utf8_and_replaces_invalid_bytes)
{
	CHECK(string_is("gr\xc3\xbc\xc3\x9f \xe2\x82\xac \xf0\x9f\x90\xa7", 15,
			"\"gr\xc3\xbc\xc3\x9f \xe2\x82\xac \xf0\x9f\x90\xa7\""));
	CHECK(string_is("\xff", 1, "\"\\ufffd\""));
	CHECK(string_is("\xc0\x80", 2, "\"\\ufffd\\ufffd\""));		  /* overlong NUL */
	CHECK(string_is("\xed\xa0\x80", 3, "\"\\ufffd\\ufffd\\ufffd\"")); /* surrogate */
	CHECK(string_is("\xe2\x82", 2, "\"\\ufffd\\ufffd\""));		  /* cut short */
	CHECK(
	    string_is("\xf4\x90\x80\x80", 4, "\"\\ufffd\\ufffd\\ufffd\\ufffd\"")); /* > U+10FFFF */
	CHECK(string_is("a\x80z", 3, "\"a\\ufffdz\""));
}

TEST(json_places_commas_and_colons)
{
	struct kexe_json j;
	FILE *f = open_buffer(&j);

	kexe_json_object(&j);
	kexe_json_ku64(&j, "n", 18446744073709551615ull);
	kexe_json_ki64(&j, "i", -5);
	kexe_json_key(&j, "list");
	kexe_json_array(&j);
	kexe_json_object(&j);
	kexe_json_kbool(&j, "t", 1);
	kexe_json_end(&j);
	kexe_json_object(&j);
	kexe_json_end(&j);
	kexe_json_str(&j, NULL);
	kexe_json_hex64(&j, 0xabcull);
	kexe_json_end(&j);
	kexe_json_kstr(&j, "s", "x");
	kexe_json_newline(&j);
	CHECK(!strcmp(text(f),
		      "{\"n\":18446744073709551615,\"i\":-5,\"list\":[{\"t\":true},{},null,"
		      "\"0000000000000abc\"],\"s\":\"x\"}\n"));
	free(buf);
}

TEST(json_newline_closes_what_is_open)
{
	struct kexe_json j;
	FILE *f = open_buffer(&j);

	kexe_json_object(&j);
	kexe_json_key(&j, "a");
	kexe_json_array(&j);
	kexe_json_u64(&j, 1);
	kexe_json_newline(&j);
	kexe_json_object(&j);
	kexe_json_newline(&j);
	CHECK(!strcmp(text(f), "{\"a\":[1]}\n{}\n"));
	free(buf);
}

TEST(json_error_splits_cause_and_advice)
{
	struct kexe_err err;
	struct kexe_json j;
	FILE *f = open_buffer(&j);

	kexe_fail_errno(&err, KEXE_EXIT_HOST, EPERM,
			"kexec_file_load: operation not permitted: lockdown (a; b); boot a signed "
			"kernel; it stays");
	kexe_json_object(&j);
	kexe_json_error_members(&j, &err);
	kexe_json_end(&j);
	CHECK(!strcmp(text(f),
		      "{\"exit_code\":4,\"category\":\"host\",\"message\":\"kexec_file_load: "
		      "operation not permitted: lockdown (a; b); boot a signed kernel; it "
		      "stays\",\"cause\":\"kexec_file_load: operation not permitted: lockdown "
		      "(a; b)\",\"advice\":\"boot a signed kernel; it stays\",\"errno\":1,"
		      "\"errno_name\":\"EPERM\"}"));
	free(buf);

	f = open_buffer(&j);
	kexe_fail(&err, KEXE_EXIT_BUNDLE, "bundle is truncated");
	kexe_json_object(&j);
	kexe_json_error_members(&j, &err);
	kexe_json_end(&j);
	CHECK(!strcmp(text(f), "{\"exit_code\":3,\"category\":\"bundle\",\"message\":\"bundle is "
			       "truncated\",\"cause\":\"bundle is truncated\",\"advice\":\"\","
			       "\"errno\":null,\"errno_name\":null}"));
	free(buf);
	CHECK(!strcmp(kexe_exit_category(8), "reboot") && !strcmp(kexe_exit_category(0), "ok"));
	CHECK(!strcmp(kexe_exit_category(KEXE_EXIT_CONSUME), "consume"));
	CHECK(!strcmp(kexe_errno_name(EKEYREJECTED), "EKEYREJECTED") && !kexe_errno_name(0));
}

TEST(json_info_describes_every_section)
{
	static struct fixture fx;
	static struct kexe_bundle b;
	struct kexe_err err;
	struct kexe_json j;
	FILE *f;

	CHECK(fixture_default(&fx) == 0);
	CHECK(kexe_bundle_open(fx.fd, &b, 1, &err) == 0);
	f = open_buffer(&j);
	kexe_json_object(&j);
	CHECK(kexe_info_json(&j, fx.fd, &b, &err) == 0);
	kexe_json_end(&j);
	text(f);
	CHECK(strstr(buf, "\"format_version\":1,\"arch\":\"x86_64\","));
	CHECK(strstr(buf, "\"cmdline\":\"console=ttyS0 root=/dev/ram0\""));
	CHECK(strstr(buf, "{\"name\":\"kernel\",\"type\":\"kernel\",\"compression\":"));
	CHECK(strstr(buf, "{\"name\":\"initrd-1\",\"type\":\"initrd\",\"compression\":\"none\""));
	CHECK(strstr(buf, "\"metadata\":{"));
	free(buf);
	close(fx.fd);
}
