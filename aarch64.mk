# The aarch64 loader (build/stub-aarch64), cross-built with Debian's gcc-aarch64-linux-gnu and
# musl-dev:arm64 (whose aarch64-linux-musl-gcc wraps the cross gcc with musl's specs) against
# liblz4-dev:arm64's static archive; build/kexe embeds it next to the x86_64 loader. Without
# that toolchain, make builds the x86_64 parts and says what to install. Included by Makefile.
#
# Sources: everything the x86_64 stub has, minus stub/*_x86_64.c and lib/*_x86_64.c (x86-only
# code such as the kexec_load path and SHA-NI), plus stub/*_aarch64.c and lib/*_aarch64.c.

AARCH64_CC ?= aarch64-linux-musl-gcc
AARCH64_LZ4_STATIC ?= /usr/lib/aarch64-linux-gnu/liblz4.a
AARCH64_DEPS := gcc-aarch64-linux-gnu musl-dev:arm64 liblz4-dev:arm64
HAVE_AARCH64 := $(shell $(AARCH64_CC) --version >/dev/null 2>&1 && \
	test -f $(AARCH64_LZ4_STATIC) && echo yes)

aarch64_obj = $(patsubst %.c,$(BUILD)/musl-aarch64/%.o,$(1))
LIB_AARCH64_SRC := $(filter-out lib/%_x86_64.c,$(LIB_SRC)) $(wildcard lib/*_aarch64.c)
STUB_AARCH64_SRC := $(LIB_AARCH64_SRC) $(filter-out stub/%_x86_64.c,$(STUB_CORE_SRC)) \
	$(wildcard stub/*_aarch64.c) stub/main.c
STUB_AARCH64_OBJ := $(call aarch64_obj,$(STUB_AARCH64_SRC))

ifeq ($(HAVE_AARCH64),yes)
all: $(BUILD)/stub-aarch64 $(BUILD)/stub-aarch64-fake
# tests/cli/sha256.sh runs it under qemu-aarch64
cli check test: $(BUILD)/sha256-test-aarch64
STUB_BLOB_FLAGS += -DSTUB_AARCH64='"$(BUILD)/stub-aarch64"'
$(BUILD)/musl/packer/stub_blob.o: $(BUILD)/stub-aarch64
else
$(warning kexe: no aarch64 cross toolchain ($(AARCH64_CC) or $(AARCH64_LZ4_STATIC) missing): \
building the x86_64 loader only, so build/kexe cannot write arm64 bundles. Install \
$(AARCH64_DEPS) after `dpkg --add-architecture arm64 && apt-get update` \
(scripts/install-deps.sh does all of it), then run make again)
endif

$(BUILD)/musl-aarch64/%.o: %.c $(BUILD)/lz4inc/.stamp $(wildcard lib/*.h stub/*.h tests/unit/*.h)
	@mkdir -p $(dir $@)
	$(AARCH64_CC) $(MUSL_CFLAGS) -c $< -o $@

$(BUILD)/stub-aarch64: $(STUB_AARCH64_OBJ) $(BUILD)/musl-aarch64/stub/seam_linux.o
	$(AARCH64_CC) $(MUSL_LDFLAGS) -o $@ $^ $(AARCH64_LZ4_STATIC)

# With the fake seam: runs on this machine under qemu-aarch64 (user mode) in the cli tests.
$(BUILD)/stub-aarch64-fake: $(STUB_AARCH64_OBJ) $(BUILD)/musl-aarch64/stub/seam_fake.o
	$(AARCH64_CC) $(MUSL_LDFLAGS) -o $@ $^ $(AARCH64_LZ4_STATIC)

# The unit runner with only the SHA-256 tests, for arm64: they compare the ARMv8 SHA2 code with
# the portable code, which only an aarch64 CPU (or qemu-aarch64's default one) can run.
$(BUILD)/sha256-test-aarch64: $(call aarch64_obj,tests/unit/main.c tests/unit/test_sha256.c \
		$(filter lib/sha256%,$(LIB_AARCH64_SRC)))
	$(AARCH64_CC) $(MUSL_LDFLAGS) -o $@ $^
