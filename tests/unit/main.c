#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test.h"

#define MAX_TESTS 256

static struct {
	const char *name;
	void (*fn)(void);
} tests[MAX_TESTS];
static unsigned n_tests;
static int current_failed;

void test_register(const char *name, void (*fn)(void))
{
	if (n_tests == MAX_TESTS)
		abort();
	tests[n_tests].name = name;
	tests[n_tests++].fn = fn;
}

void test_failed(const char *file, int line, const char *what)
{
	printf("  %s:%d: CHECK(%s) failed\n", file, line, what);
	current_failed = 1;
}

/* Runs every test, or those whose names contain argv[1]. */
int main(int argc, char **argv)
{
	unsigned passed = 0, failed = 0;

	/* The stub detaches when stdin is a terminal or it runs under ssh; tests that want that
	 * ask for it. */
	if (!freopen("/dev/null", "r", stdin))
		return 1;
	unsetenv("SSH_CONNECTION");
	unsetenv("SSH_TTY");

	for (unsigned i = 0; i < n_tests; i++) {
		if (argc > 1 && !strstr(tests[i].name, argv[1]))
			continue;
		current_failed = 0;
		tests[i].fn();
		printf("%s unit/%s\n", current_failed ? "FAIL" : "PASS", tests[i].name);
		fflush(stdout);
		if (current_failed)
			failed++;
		else
			passed++;
	}
	printf("%u passed, %u failed\n", passed, failed);
	return failed ? 1 : 0;
}
