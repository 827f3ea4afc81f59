/* A minimal test runner: TEST(name) registers a test; CHECK stops it on the first failure. */
#ifndef KEXE_TEST_H
#define KEXE_TEST_H

#include <stdio.h>

void test_register(const char *name, void (*fn)(void));
void test_failed(const char *file, int line, const char *what);

#define TEST(name)                                                                                 \
	static void name(void);                                                                    \
	__attribute__((constructor)) static void register_##name(void)                             \
	{                                                                                          \
		test_register(#name, name);                                                        \
	}                                                                                          \
	static void name(void)

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			test_failed(__FILE__, __LINE__, #cond);                                    \
			return;                                                                    \
		}                                                                                  \
	} while (0)

#endif
