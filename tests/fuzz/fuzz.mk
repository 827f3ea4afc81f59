# Fuzzing (tests/fuzz/, included by the top Makefile). `make fuzz` builds each harness
# tests/fuzz/fuzz_NAME.c with clang's libFuzzer, ASan and UBSan as $(BUILD)/fuzz/NAME, makes the
# seed corpora with the packer, and runs every harness for FUZZ_SECONDS (tests/fuzz/run.sh).
# `make fuzz-afl` builds the same harnesses for AFL++ when afl-clang-fast is installed.

FUZZ_CC ?= clang
AFL_CC ?= afl-clang-fast
FUZZ_SECONDS ?= 60
FUZZ_DIR := $(BUILD)/fuzz
FUZZ_NAMES := $(patsubst tests/fuzz/fuzz_%.c,%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_SAN := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_CFLAGS := $(WARN) $(INCLUDES) -Itests/fuzz -g -O1 $(FUZZ_SAN)
# The code under test: the library, the stub (with the fake seam, which cannot kexec or reboot
# anything, as in the unit tests), the kexec tree parser and the UKI reader.
FUZZ_LIB_SRC := $(LIB_SRC) $(STUB_CORE_SRC) stub/seam_fake.c packer/kexec_tree.c packer/uki.c \
	packer/input.c tests/fuzz/util.c
FUZZ_LIB_OBJ := $(patsubst %.c,$(FUZZ_DIR)/obj/%.o,$(FUZZ_LIB_SRC)) \
	$(patsubst %.S,$(FUZZ_DIR)/obj/%.o,$(STUB_ASM))
FUZZ_HEADERS := $(wildcard lib/*.h stub/*.h packer/*.h tests/fuzz/*.h)

.PHONY: fuzz fuzz-build fuzz-afl
fuzz: fuzz-build $(FUZZ_DIR)/seeds/.stamp
	tests/fuzz/run.sh $(FUZZ_DIR) $(FUZZ_SECONDS) $(FUZZ_NAMES)

FUZZ_BINS := $(addprefix $(FUZZ_DIR)/,$(FUZZ_NAMES))
fuzz-build: $(FUZZ_BINS)

$(FUZZ_DIR)/obj/%.o: %.c $(FUZZ_HEADERS)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c $< -o $@

$(FUZZ_DIR)/obj/%.o: %.S
	@mkdir -p $(dir $@)
	$(FUZZ_CC) -c $< -o $@

$(FUZZ_BINS): $(FUZZ_DIR)/%: $(FUZZ_DIR)/obj/tests/fuzz/fuzz_%.o $(FUZZ_LIB_OBJ)
	$(FUZZ_CC) $(FUZZ_SAN) -fsanitize=fuzzer -o $@ $^ -llz4

$(FUZZ_DIR)/cut-sections: $(call host_obj,tests/fuzz/cut_sections.c $(LIB_SRC))
	$(HOST_CC) $(HOST_LDFLAGS) -o $@ $^ $(HOST_LDLIBS)

$(FUZZ_DIR)/seeds/.stamp: tests/fuzz/seeds.sh $(BUILD)/kexe $(BUILD)/mkimage $(FUZZ_DIR)/cut-sections
	tests/fuzz/seeds.sh $(BUILD) $(FUZZ_DIR)/seeds
	touch $@

# AFL++: afl_main.c reads the input file; run as
#   afl-fuzz -i build/fuzz/seeds/NAME -o build/fuzz/afl-out/NAME -- build/fuzz/afl/NAME @@
fuzz-afl: $(FUZZ_DIR)/seeds/.stamp
	@if command -v $(AFL_CC) >/dev/null; then \
		$(MAKE) --no-print-directory $(addprefix $(FUZZ_DIR)/afl/,$(FUZZ_NAMES)); \
	else \
		echo "fuzz-afl: $(AFL_CC) not found (Debian: apt-get install afl++)"; \
	fi

$(addprefix $(FUZZ_DIR)/afl/,$(FUZZ_NAMES)): $(FUZZ_DIR)/afl/%: tests/fuzz/fuzz_%.c tests/fuzz/afl_main.c \
		$(FUZZ_LIB_SRC) $(STUB_ASM) $(FUZZ_HEADERS)
	@mkdir -p $(dir $@)
	AFL_USE_ASAN=1 AFL_USE_UBSAN=1 $(AFL_CC) $(WARN) $(INCLUDES) -Itests/fuzz -g -O1 -o $@ \
		$(filter %.c %.S,$^) -llz4
