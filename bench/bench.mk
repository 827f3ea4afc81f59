# `make bench`: performance measurements (never part of `make test`), ending in one table of
# ratios; about 20 minutes with its QEMU part (BENCH_QEMU=0 skips it). See docs/PERFORMANCE.md.
BENCH_MIB ?= 300

$(BUILD)/bench/unpack: bench/unpack.c tests/unit/images.c $(LIB_SRC) $(wildcard lib/*.h)
	@mkdir -p $(dir $@)
	$(HOST_CC) -std=c11 -D_GNU_SOURCE -O2 -Wall -Wextra -Werror $(INCLUDES) -o $@ \
		bench/unpack.c tests/unit/images.c $(LIB_SRC) -llz4

.PHONY: bench bench-unpack
bench-unpack: $(BUILD)/bench/unpack
	$(BUILD)/bench/unpack $${BENCH_DIR:-/dev/shm} $(BENCH_MIB)

# The dependencies are installed first (bench/deps.sh), so this works on a fresh machine.
bench:
	bench/deps.sh
	$(MAKE) --no-print-directory all $(BUILD)/bench/unpack $(BUILD)/mkimage
	BUILD=$(BUILD) BENCH_MIB=$(BENCH_MIB) bench/run.sh

# `make bench-lowmem`: issue 12's table, the smallest guest RAM of each loader (QEMU, ~40 min).
.PHONY: bench-lowmem
bench-lowmem: all
	BUILD=$(BUILD) bench/lowmem.sh
