/* What the fuzz harnesses share. Each harness (fuzz_NAME.c) defines LLVMFuzzerTestOneInput;
 * libFuzzer (clang -fsanitize=fuzzer) or afl_main.c provides main(). */
#ifndef KEXE_FUZZ_UTIL_H
#define KEXE_FUZZ_UTIL_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A memfd holding exactly data[0..size), as the readers under test see a bundle file. The same
 * descriptor is reused by every run of the process. */
int fuzz_file(const uint8_t *data, size_t size);

/* size writable bytes that end right where an inaccessible page starts. liblz4 is not built with
 * ASan, so its writes past the end of an output buffer have to fault by themselves. Like an
 * empty output file mapped by kexe_map_output, 0 bytes are NULL. */
unsigned char *fuzz_guarded_alloc(size_t size);
void fuzz_guarded_free(unsigned char *p, size_t size);

/* An invariant of the code under test broke: report it and abort, which the fuzzer records as a
 * crash together with the input. */
#define FUZZ_ASSERT(cond) ((cond) ? (void)0 : fuzz_broken(__FILE__, __LINE__, #cond))
void fuzz_broken(const char *file, int line, const char *what) __attribute__((noreturn));

#endif
