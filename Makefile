# kexe: `make` builds the stub and the packer (build/kexe); `make check` runs the fast tests;
# `make test` runs everything CI runs; SANITIZE=1 builds the host tests with ASan+UBSan.

BUILD ?= build
MUSL_CC ?= musl-gcc
HOST_CC ?= cc
PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
LZ4_INCLUDE ?= /usr/include
LZ4_STATIC ?= $(shell $(HOST_CC) -print-multiarch | sed 's|^|/usr/lib/|')/liblz4.a
# zlib (zlib1g-dev): only the packer, to unpack gzip'd and EFI zboot kernels (packer/unwrap.c).
ZLIB_STATIC ?= $(dir $(LZ4_STATIC))libz.a

WARN := -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wvla
INCLUDES := -Ilib -Istub -Ipacker -Itests/unit
# musl-gcc must see the lz4 headers without the rest of the glibc include tree.
MUSL_CFLAGS := $(WARN) $(INCLUDES) -isystem $(BUILD)/lz4inc -Os -ffunction-sections \
	-fdata-sections -fno-asynchronous-unwind-tables -fno-ident
MUSL_LDFLAGS := -static -s -Wl,--gc-sections -Wl,--build-id=none
HOST_CFLAGS := $(WARN) $(INCLUDES) -O1 -g
HOST_LDLIBS := -llz4 -lz
HOST_DIR := $(BUILD)/host
ifeq ($(SANITIZE),1)
HOST_CFLAGS += -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
HOST_LDFLAGS += -fsanitize=address,undefined
HOST_DIR := $(BUILD)/host-san
endif

# lib/*_aarch64.c is the aarch64 loader's alone (aarch64.mk); lib/*_x86_64.c is in everything
# else, which is built for x86_64 (musl-gcc, the host compiler, the fuzzers' clang).
LIB_SRC := $(filter-out lib/%_aarch64.c,$(wildcard lib/*.c))
# Every stub/*.c but the entry point, the two seams and aarch64-only code (aarch64.mk); every
# packer/*.c but its entry point.
STUB_CORE_SRC := $(filter-out stub/main.c stub/seam_linux.c stub/seam_fake.c stub/%_aarch64.c,\
	$(wildcard stub/*.c))
PACKER_CORE_SRC := $(filter-out packer/main.c packer/embedded_stub.c,$(wildcard packer/*.c))
UNIT_SRC := $(wildcard tests/unit/*.c)
MKIMAGE_SRC := tests/tools/mkimage.c tests/unit/images.c lib/xxh64.c

musl_obj = $(patsubst %.c,$(BUILD)/musl/%.o,$(1))
host_obj = $(patsubst %.c,$(HOST_DIR)/%.o,$(1))

STUB_ASM := $(wildcard stub/*_x86_64.S)
STUB_OBJ := $(call musl_obj,$(LIB_SRC) $(STUB_CORE_SRC) stub/main.c) \
	$(patsubst %.S,$(BUILD)/musl/%.o,$(STUB_ASM))
PACKER_OBJ := $(call musl_obj,$(LIB_SRC) $(PACKER_CORE_SRC) packer/main.c packer/embedded_stub.c)
# The unit tests link everything but the entry points, the real seam and the embedded stub.
UNIT_OBJ := $(call host_obj,$(LIB_SRC) $(STUB_CORE_SRC) stub/seam_fake.c \
	$(PACKER_CORE_SRC) $(UNIT_SRC)) $(patsubst %.S,$(HOST_DIR)/%.o,$(STUB_ASM))

.PHONY: all check unit cli interop matrix test e2e demo bench format clean install uninstall
all: $(BUILD)/kexe $(BUILD)/stub $(BUILD)/stub-fake

$(BUILD)/lz4inc/.stamp:
	mkdir -p $(BUILD)/lz4inc
	ln -sf $(LZ4_INCLUDE)/lz4.h $(LZ4_INCLUDE)/lz4frame.h $(LZ4_INCLUDE)/lz4hc.h $(BUILD)/lz4inc/
	touch $@

$(BUILD)/musl/%.o: %.c $(BUILD)/lz4inc/.stamp $(wildcard lib/*.h stub/*.h packer/*.h)
	@mkdir -p $(dir $@)
	$(MUSL_CC) $(MUSL_CFLAGS) -c $< -o $@

$(BUILD)/musl/stub/%.o: stub/%.S
	@mkdir -p $(dir $@)
	$(MUSL_CC) -c $< -o $@

$(HOST_DIR)/stub/%.o: stub/%.S
	@mkdir -p $(dir $@)
	$(HOST_CC) -c $< -o $@

$(HOST_DIR)/%.o: %.c $(wildcard lib/*.h stub/*.h packer/*.h tests/unit/*.h)
	@mkdir -p $(dir $@)
	$(HOST_CC) $(HOST_CFLAGS) -c $< -o $@

# The stub: the loader at the start of every bundle. It talks to the kernel through seam_linux.
$(BUILD)/stub: $(STUB_OBJ) $(BUILD)/musl/stub/seam_linux.o
	$(MUSL_CC) $(MUSL_LDFLAGS) -o $@ $^ $(LZ4_STATIC)

# The same stub with the fake seam, for host tests: it cannot kexec or reboot anything.
$(BUILD)/stub-fake: $(STUB_OBJ) $(BUILD)/musl/stub/seam_fake.o
	$(MUSL_CC) $(MUSL_LDFLAGS) -o $@ $^ $(LZ4_STATIC)

$(BUILD)/musl/packer/stub_blob.o: packer/stub_blob.S $(BUILD)/stub
	@mkdir -p $(dir $@)
	$(MUSL_CC) -DSTUB_X86_64='"$(BUILD)/stub"' $(STUB_BLOB_FLAGS) -c $< -o $@

$(BUILD)/zinc/.stamp:
	mkdir -p $(BUILD)/zinc
	ln -sf $(LZ4_INCLUDE)/zlib.h $(LZ4_INCLUDE)/zconf.h $(BUILD)/zinc/
	touch $@

$(BUILD)/musl/packer/unwrap.o: $(BUILD)/zinc/.stamp
$(BUILD)/musl/packer/unwrap.o: MUSL_CFLAGS += -isystem $(BUILD)/zinc

$(BUILD)/kexe: $(PACKER_OBJ) $(BUILD)/musl/packer/stub_blob.o
	$(MUSL_CC) $(MUSL_LDFLAGS) -o $@ $^ $(LZ4_STATIC) $(ZLIB_STATIC)

# The aarch64 loader, when the cross toolchain is installed.
include aarch64.mk

# Synthetic kernels and data for the shell tests.
$(BUILD)/mkimage: $(call host_obj,$(MKIMAGE_SRC))
	$(HOST_CC) $(HOST_LDFLAGS) -o $@ $^

$(HOST_DIR)/unit-tests: $(UNIT_OBJ)
	$(HOST_CC) $(HOST_LDFLAGS) -o $@ $^ $(HOST_LDLIBS)

unit: $(HOST_DIR)/unit-tests
	$(HOST_DIR)/unit-tests

cli: all $(BUILD)/mkimage
	BUILD=$(BUILD) tests/cli/run.sh

interop: all $(BUILD)/mkimage
	BUILD=$(BUILD) tests/interop/run.sh

matrix: all $(BUILD)/mkimage
	BUILD=$(BUILD) tests/matrix/run.sh

check: all $(HOST_DIR)/unit-tests $(BUILD)/mkimage
	BUILD=$(BUILD) UNIT_TESTS=$(HOST_DIR)/unit-tests tests/run-suites.sh unit cli interop matrix

demo: all
	BUILD=$(BUILD) KEXE=$(BUILD)/kexe scripts/demo.sh

e2e: all
	KEXE=$(BUILD)/kexe BUILD=$(BUILD) tests/e2e/run.sh

test: all $(HOST_DIR)/unit-tests $(BUILD)/mkimage
	BUILD=$(BUILD) tests/run-suites.sh unit sanitize cli interop matrix oneliner fuzz e2e

# Suites and tools that live with their tests add their own rules here (e.g. tests/fuzz/fuzz.mk).
-include $(wildcard tests/*/*.mk) bench/bench.mk

# The packer (every loader is inside it), its man pages and bash completion. DESTDIR for staging.
install: $(BUILD)/kexe
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(BASHCOMPDIR)
	install -m 755 $(BUILD)/kexe $(DESTDIR)$(BINDIR)/kexe
	install -m 644 docs/kexe.1 docs/kexe-bundle.1 $(DESTDIR)$(MANDIR)/man1/
	install -m 644 scripts/kexe-completion.bash $(DESTDIR)$(BASHCOMPDIR)/kexe

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/kexe $(DESTDIR)$(MANDIR)/man1/kexe.1 \
		$(DESTDIR)$(MANDIR)/man1/kexe-bundle.1 $(DESTDIR)$(BASHCOMPDIR)/kexe

format:
	clang-format -i lib/*.[ch] stub/*.[ch] packer/*.[ch] tests/unit/*.[ch] tests/tools/*.c

clean:
	rm -rf $(BUILD)
