#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "test.h"

#define MAX_TESTS 256
/* A test still running after this long is stuck (a decoder loop that never ends): it fails,
 * and the run ends with its count line, so a hang is a failure instead of a stalled CI. */
#ifndef TEST_SECONDS
#define TEST_SECONDS 300
#endif

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

static char stuck_report[512];
static size_t stuck_len;

static void stuck(int sig)
{
	(void)sig;
	if (write(STDOUT_FILENO, stuck_report, stuck_len) < 0)
		_exit(2);
	_exit(1);
}

/* What stuck() prints if test i does not end: its FAIL line and the count line. */
static void arm_watchdog(unsigned i, unsigned passed, unsigned failed)
{
	int n = snprintf(stuck_report, sizeof stuck_report,
			 "FAIL unit/%s: still running after %d s\n%u passed, %u failed\n",
			 tests[i].name, TEST_SECONDS, passed, failed + 1);

	stuck_len = n > 0 && (size_t)n < sizeof stuck_report ? (size_t)n : 0;
	alarm(TEST_SECONDS);
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
	signal(SIGALRM, stuck);

	for (unsigned i = 0; i < n_tests; i++) {
		if (argc > 1 && !strstr(tests[i].name, argv[1]))
			continue;
		current_failed = 0;
		arm_watchdog(i, passed, failed);
		tests[i].fn();
		alarm(0);
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
