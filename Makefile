# The one entry point: build, test, demo, bench, install.
#
#   make            machnetd, libmachnet (.so and .a), examples, tests
#   make test       set-up, then unit and integration tests
#   make demo       set-up, then pingpong between two namespaced hosts
#   make bench      machnet against the kernel, results in docs/perf/
#   make soak       SOAK_MINUTES (10) of faults, churn and a flood, checked
#   make fuzz       FUZZ_SECONDS (60) of libFuzzer on the packet-input path
#   make install    PREFIX=/usr/local (binaries, library, header, machnet.pc)
#   make SANITIZE=1 ...  the same with AddressSanitizer and
#                   UndefinedBehaviorSanitizer, built in build-sanitize/

PREFIX ?= /usr/local
ifeq ($(SANITIZE),1)
BUILD  ?= build-sanitize
endif
BUILD  ?= build
SOVERSION := 1
VERSION := 0.1.0

DPDK_CFLAGS := $(shell pkg-config --cflags libdpdk)
DPDK_LIBS   := $(shell pkg-config --libs libdpdk)
BSD_LIBS    := $(shell pkg-config --libs libbsd-overlay 2>/dev/null || echo -lbsd)
CHECK_CFLAGS := $(shell pkg-config --cflags check)
CHECK_LIBS  := $(shell pkg-config --libs check)

CC ?= cc
ifeq ($(SANITIZE),1)
# Every compile and link, the tests' programs included; any finding stops
# the program, so that the test that ran it fails.
SANITIZERS := -fsanitize=address,undefined -fno-sanitize-recover=undefined \
	-fno-omit-frame-pointer
override CC := $(CC) $(SANITIZERS)
override CXX := $(CXX) $(SANITIZERS)
# No leak reports: every process exits holding what it holds (DPDK's own
# state with it, as rte_eal_cleanup is not called), and LeakSanitizer
# would stop each exit. The leaks that matter, of packet buffers and of
# machnetd's hugepage heap, are what the tests count themselves.
export ASAN_OPTIONS ?= abort_on_error=1:detect_leaks=0
export UBSAN_OPTIONS ?= print_stacktrace=1
endif
WARN   := -Wall -Wextra -Werror
CFLAGS ?= -O2 -g
# machnetd tells its version on the telemetry socket (/machnet/info).
VERSION_CFLAGS := -DMN_VERSION='"$(VERSION)"'
ALL_CFLAGS := -std=gnu11 -D_GNU_SOURCE -DALLOW_EXPERIMENTAL_API $(WARN) $(CFLAGS) -fPIC \
	$(VERSION_CFLAGS) -Icommon -Iprimary -Isecondary $(DPDK_CFLAGS)

COMMON_SRC    := $(wildcard common/*.c)
PRIMARY_SRC   := $(filter-out primary/main.c,$(wildcard primary/*.c))
SECONDARY_SRC := $(wildcard secondary/*.c)
UNIT_SRC      := $(wildcard tests/unit/test_*.c)
ITEST_SRC     := $(wildcard tests/integration/*.c)
COMPAT_SRC    := $(wildcard tests/compat/*.c)
TOOL_SRC      := $(wildcard tests/tools/*.c)
EXAMPLES      := $(filter-out common,$(notdir $(wildcard examples/*)))

obj = $(patsubst %.c,$(BUILD)/obj/%.o,$(1))
COMMON_OBJ    := $(call obj,$(COMMON_SRC))
PRIMARY_OBJ   := $(call obj,$(PRIMARY_SRC))
SECONDARY_OBJ := $(call obj,$(SECONDARY_SRC))

MACHNETD := $(BUILD)/machnetd
LIB_SO   := $(BUILD)/libmachnet.so
LIB_A    := $(BUILD)/libmachnet.a
LIBPRIM  := $(BUILD)/libmnprimary.a
EXAMPLE_BINS := $(addprefix $(BUILD)/,$(EXAMPLES))
UNIT_BINS := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRC))
ITEST_BINS := $(patsubst tests/integration/%.c,$(BUILD)/tests/%,$(ITEST_SRC))
TOOL_BINS := $(patsubst tests/tools/%.c,$(BUILD)/tools/%,$(TOOL_SRC))
COMPAT_BINS := $(patsubst tests/compat/%.c,$(BUILD)/compat/%,$(COMPAT_SRC)) \
	$(patsubst tests/compat/%.c,$(BUILD)/compat/%_cxx,$(COMPAT_SRC))

.PHONY: all test unit integration demo bench soak fuzz install setup clean
all: $(MACHNETD) $(LIB_SO) $(LIB_A) $(EXAMPLE_BINS) $(UNIT_BINS) $(ITEST_BINS) \
	$(COMPAT_BINS) $(TOOL_BINS) $(BUILD)/tests/header_cxx

$(BUILD)/obj/%.o: %.c $(wildcard common/*.h primary/*.h secondary/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c $< -o $@

# The checksum loop runs over every payload byte on NICs without offloads;
# at -O2 GCC leaves it scalar (common/mn_cksum.h).
$(call obj,common/mn_cksum.c): ALL_CFLAGS += -O3

$(LIBPRIM): $(PRIMARY_OBJ) $(COMMON_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(MACHNETD): $(call obj,primary/main.c) $(LIBPRIM)
	$(CC) -o $@ $^ $(DPDK_LIBS) $(BSD_LIBS) -lpthread -lm

$(LIB_SO): $(SECONDARY_OBJ) $(COMMON_OBJ) secondary/libmachnet.map
	$(CC) -shared -o $@.$(SOVERSION) -Wl,-soname,libmachnet.so.$(SOVERSION) \
		-Wl,--version-script=secondary/libmachnet.map \
		$(SECONDARY_OBJ) $(COMMON_OBJ) $(DPDK_LIBS) $(BSD_LIBS) -lpthread
	ln -sf libmachnet.so.$(SOVERSION) $@

$(LIB_A): $(SECONDARY_OBJ) $(COMMON_OBJ)
	@rm -f $@
	ar rcs $@ $^

# Examples and integration programs use only machnet.h, as an application would,
# and the libc helpers they share in examples/common/example.h.
APP_CFLAGS := -std=gnu11 -D_GNU_SOURCE $(WARN) $(CFLAGS) -Isecondary -Iexamples/common
APP_LIBS := -L$(BUILD) -lmachnet -Wl,-rpath,'$$ORIGIN' -Wl,-rpath,'$$ORIGIN/..' -lm -lpthread

.SECONDEXPANSION:
$(BUILD)/%: $$(wildcard examples/$$*/*.c examples/$$*/*.h examples/common/*.h) \
		$(LIB_SO)
	$(CC) $(APP_CFLAGS) -o $@ $(filter %.c,$^) $(APP_LIBS)

$(BUILD)/tests/%: tests/integration/%.c $(wildcard examples/common/*.h) $(LIB_SO)
	@mkdir -p $(dir $@)
	$(CC) $(APP_CFLAGS) -o $@ $< $(APP_LIBS)

$(BUILD)/tests/test_%: tests/unit/test_%.c tests/unit/unit.h $(LIBPRIM) $(LIB_A)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(CHECK_CFLAGS) -Itests/unit -o $@ $< $(SECONDARY_OBJ) \
		$(LIBPRIM) $(CHECK_LIBS) $(DPDK_LIBS) -lrte_net_ring $(BSD_LIBS) -lpthread -lm

# The fuzzer's findings replay on the engine it fuzzes (tests/fuzz/world.c).
FUZZ_WORLD := $(call obj,tests/fuzz/world.c)
$(FUZZ_WORLD): tests/fuzz/world.h
$(BUILD)/tests/test_fuzz_finds: tests/unit/test_fuzz_finds.c tests/unit/unit.h \
		tests/fuzz/world.h $(FUZZ_WORLD) $(LIBPRIM) $(LIB_A)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(CHECK_CFLAGS) -Itests/unit -Itests/fuzz -o $@ $< \
		$(FUZZ_WORLD) $(SECONDARY_OBJ) $(LIBPRIM) $(CHECK_LIBS) $(DPDK_LIBS) \
		-lrte_net_ring $(BSD_LIBS) -lpthread -lm

# Test tools that play a misbehaving tenant need libmachnet's insides and
# DPDK, which no application sees.
$(BUILD)/tools/%: tests/tools/%.c $(LIB_A)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(LIB_A) $(DPDK_LIBS) $(BSD_LIBS) -lpthread

# machnet.h must stay usable from C++ (checked by building, not running).
$(BUILD)/tests/header_cxx: tests/unit/header_cxx.cc secondary/machnet.h \
		secondary/machnet_common.h $(LIB_SO)
	@mkdir -p $(dir $@)
	$(CXX) -std=c++11 -Wall -Wextra -Werror -Isecondary -o $@ $< -L$(BUILD) -lmachnet

# The compatibility suite is built as upstream Machnet applications are:
# only the public headers on the include path, once as C and once as C++.
COMPAT_LIBS := -L$(BUILD) -lmachnet -Wl,-rpath,'$$ORIGIN/..'
$(BUILD)/compat/%: tests/compat/%.c secondary/machnet.h secondary/machnet_common.h $(LIB_SO)
	@mkdir -p $(dir $@)
	$(CC) -std=gnu11 $(WARN) $(CFLAGS) -Isecondary -o $@ $< $(COMPAT_LIBS)

$(BUILD)/compat/%_cxx: tests/compat/%.c secondary/machnet.h secondary/machnet_common.h $(LIB_SO)
	@mkdir -p $(dir $@)
	$(CXX) -x c++ -std=gnu++17 $(WARN) $(CFLAGS) -Isecondary -o $@ $< $(COMPAT_LIBS)

# machnet.pc names PREFIX, so install writes it for the prefix it uses.
write_pc = printf 'prefix=%s\nlibdir=$${prefix}/lib\nincludedir=$${prefix}/include\n\nName: machnet\nDescription: kernel-bypass messaging through machnetd\nVersion: %s\nLibs: -L$${libdir} -lmachnet\nLibs.private: %s %s\nCflags: -I$${includedir}\n' \
	'$(PREFIX)' '$(VERSION)' '$(DPDK_LIBS)' '$(BSD_LIBS)' > $(1)

setup:
	bash scripts/setup.sh

unit: all
	bash tests/run_unit.sh $(BUILD)

integration: all
	bash tests/run_integration.sh $(BUILD)

# The set-up targets build on every core the machine has.
NPROC := $(shell nproc 2>/dev/null || echo 1)

test:
	bash scripts/setup.sh
	$(MAKE) -j$(NPROC) all
	bash tests/run_unit.sh $(BUILD)
	bash tests/run_integration.sh $(BUILD)

demo:
	bash scripts/setup.sh
	$(MAKE) -j$(NPROC) all
	bash scripts/demo.sh $(BUILD)

bench:
	$(MAKE) all
	bash scripts/bench.sh $(BUILD)

# SOAK_MINUTES (default 10) of everything at once; see scripts/soak.sh.
soak:
	bash scripts/setup.sh
	$(MAKE) -j$(NPROC) all
	bash scripts/soak.sh $(BUILD)

# The packet-input fuzzer (tests/fuzz/), built with clang apart from `all`:
# primary/ and common/ with coverage and sanitizers, the harness with
# sanitizers only, so that coverage counts machnetd's code. FUZZ_SECONDS
# (60) of fuzzing from seeds the engines generate; findings are kept in
# $(BUILD)/fuzz/artifacts and make fails.
FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 60
FUZZ_MAX_LEN ?= 16384
FUZZ_DIR     := $(BUILD)/fuzz
FUZZ_SAN     := -fsanitize=address,undefined -fno-sanitize-recover=undefined
# RTE_LIBRTE_MBUF_DEBUG: DPDK's inline mbuf functions check each mbuf.
FUZZ_CFLAGS  := -std=gnu11 -D_GNU_SOURCE -DALLOW_EXPERIMENTAL_API \
	-DRTE_LIBRTE_MBUF_DEBUG $(WARN) -O1 -g -fno-omit-frame-pointer $(FUZZ_SAN) \
	$(VERSION_CFLAGS) -Icommon -Iprimary -Isecondary $(DPDK_CFLAGS)
FUZZ_LIBS    := $(DPDK_LIBS) -lrte_net_ring $(BSD_LIBS) -lpthread -lm
fuzz_obj      = $(patsubst %.c,$(FUZZ_DIR)/obj/%.o,$(1))
FUZZ_LIB_OBJ := $(call fuzz_obj,$(PRIMARY_SRC) $(COMMON_SRC))
FUZZ_WORLD_OBJ := $(call fuzz_obj,tests/fuzz/world.c)
FUZZ_HDRS    := $(wildcard common/*.h primary/*.h) tests/fuzz/world.h

$(FUZZ_LIB_OBJ): $(FUZZ_DIR)/obj/%.o: %.c $(FUZZ_HDRS)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c $< -o $@

$(call fuzz_obj,$(wildcard tests/fuzz/*.c)): $(FUZZ_DIR)/obj/%.o: %.c $(FUZZ_HDRS)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -c $< -o $@

$(FUZZ_DIR)/fuzz_input: $(call fuzz_obj,tests/fuzz/fuzz_input.c) $(FUZZ_WORLD_OBJ) \
		$(FUZZ_LIB_OBJ)
	$(FUZZ_CC) $(FUZZ_SAN) -fsanitize=fuzzer -o $@ $^ $(FUZZ_LIBS)

$(FUZZ_DIR)/fuzz_seeds: $(call fuzz_obj,tests/fuzz/fuzz_seeds.c) $(FUZZ_WORLD_OBJ) \
		$(FUZZ_LIB_OBJ)
	$(FUZZ_CC) $(FUZZ_SAN) -fsanitize=fuzzer-no-link -o $@ $^ $(FUZZ_LIBS)

fuzz:
	@command -v $(FUZZ_CC) >/dev/null || \
		{ echo "make fuzz: no $(FUZZ_CC): run make setup" >&2; exit 1; }
	$(MAKE) $(FUZZ_DIR)/fuzz_input $(FUZZ_DIR)/fuzz_seeds
	bash tests/run_fuzz.sh $(FUZZ_DIR) $(FUZZ_SECONDS) $(FUZZ_MAX_LEN)

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib/pkgconfig \
		$(DESTDIR)$(PREFIX)/include $(DESTDIR)$(PREFIX)/etc/machnet
	install -m 755 $(MACHNETD) $(DESTDIR)$(PREFIX)/bin/
	install -m 755 $(BUILD)/pingpong $(DESTDIR)$(PREFIX)/bin/machnet-pingpong
	install -m 755 $(BUILD)/msg_gen $(DESTDIR)$(PREFIX)/bin/machnet-msg-gen
	install -m 755 $(LIB_SO).$(SOVERSION) $(DESTDIR)$(PREFIX)/lib/
	ln -sf libmachnet.so.$(SOVERSION) $(DESTDIR)$(PREFIX)/lib/libmachnet.so
	install -m 644 $(LIB_A) $(DESTDIR)$(PREFIX)/lib/
	install -m 644 secondary/machnet.h secondary/machnet_common.h \
		$(DESTDIR)$(PREFIX)/include/
	$(call write_pc,$(DESTDIR)$(PREFIX)/lib/pkgconfig/machnet.pc)
	install -m 644 config/machnet.conf $(DESTDIR)$(PREFIX)/etc/machnet/

clean:
	rm -rf $(BUILD)
