# The one entry point: build, test, demo, bench, install.
#
#   make            machnetd, libmachnet (.so and .a), examples, tests
#   make test       set-up, then unit and integration tests
#   make demo       set-up, then pingpong between two namespaced hosts
#   make bench      machnet against the kernel, results in docs/perf/
#   make soak       SOAK_MINUTES (10) of faults, churn and a flood, checked
#   make fuzz       FUZZ_SECONDS (60) of libFuzzer on the packet-input path
#   make install    PREFIX=/usr/local: machnetd, machnetctl, the library,
#                   headers, machnet.pc, configuration, the systemd unit
#   make uninstall  the same PREFIX: removes what install put
#   make deb        build/machnet_VERSION_ARCH.deb, with dpkg's own tools
#   make SANITIZE=1 ...  the same with AddressSanitizer and
#                   UndefinedBehaviorSanitizer, built in build-sanitize/
#   make V=1 ...    every command in full, not one short line per step

PREFIX ?= /usr/local
ifeq ($(SANITIZE),1)
BUILD  ?= build-sanitize
endif
BUILD  ?= build
SOVERSION := 1
VERSION := 0.1.0

# The GNU installation directories. Configuration goes to /etc for the
# system's own prefix, as Debian's packages do, and under the prefix
# otherwise (/usr/local/etc).
BINDIR     ?= $(PREFIX)/bin
LIBDIR     ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
DATADIR    ?= $(PREFIX)/share
# Helpers that only the service runs, where Debian keeps a package's own.
LIBEXECDIR ?= $(PREFIX)/lib/machnet
ifeq ($(PREFIX),/usr)
SYSCONFDIR ?= /etc
SYSTEMDUNITDIR ?= $(or $(shell pkg-config --variable=systemdsystemunitdir \
	systemd 2>/dev/null),/usr/lib/systemd/system)
else
SYSCONFDIR ?= $(PREFIX)/etc
SYSTEMDUNITDIR ?= $(PREFIX)/lib/systemd/system
endif
# Debian's python3 path for modules that are not tied to one Python version.
PYTHONDIR  ?= $(PREFIX)/lib/python3/dist-packages

# pkg-config is asked when a build step first needs an answer, not when make
# starts: `make demo`, `make test` and `make setup` read this file before
# the set-up step has installed DPDK and Check, and the first thing a new
# machine showed was a dozen "Package libdpdk was not found". A step that
# needs a package that is missing stops with one line saying what to run.
pkg_query = $(if $(shell pkg-config --exists $(2) 2>/dev/null && echo y),$(shell \
	pkg-config $(1) $(2)),$(error $(2) not found by pkg-config: run `make setup` \
	as root, which installs it))
DPDK_CFLAGS  = $(eval DPDK_CFLAGS := $(call pkg_query,--cflags,libdpdk))$(DPDK_CFLAGS)
DPDK_LIBS    = $(eval DPDK_LIBS := $(call pkg_query,--libs,libdpdk))$(DPDK_LIBS)
BSD_LIBS     = $(eval BSD_LIBS := $(shell pkg-config --libs libbsd-overlay \
	2>/dev/null || echo -lbsd))$(BSD_LIBS)
CHECK_CFLAGS = $(eval CHECK_CFLAGS := $(call pkg_query,--cflags,check))$(CHECK_CFLAGS)
CHECK_LIBS   = $(eval CHECK_LIBS := $(call pkg_query,--libs,check))$(CHECK_LIBS)

# One line per step ("  CC      primary/engine.o"), so that a warning
# stands out; V=1 prints the commands instead, and make -s neither.
ifeq ($(V),1)
Q :=
say :=
else
Q := @
ifneq ($(findstring s,$(firstword -$(MAKEFLAGS))),)
say :=
else
say = @printf '  %-7s %s\n' '$(1)' '$(2)'
endif
endif

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
ALL_CFLAGS = -std=gnu11 -D_GNU_SOURCE -DALLOW_EXPERIMENTAL_API $(WARN) $(CFLAGS) -fPIC \
	$(VERSION_CFLAGS) -Icommon -Iprimary -Isecondary $(DPDK_CFLAGS)

COMMON_SRC    := $(wildcard common/*.c)
PRIMARY_SRC   := $(filter-out primary/main.c,$(wildcard primary/*.c))
SECONDARY_SRC := $(wildcard secondary/*.c)
UNIT_SRC      := $(wildcard tests/unit/test_*.c)
ITEST_SRC     := $(wildcard tests/integration/*.c)
COMPAT_SRC    := $(wildcard tests/compat/*.c)
TOOL_SRC      := $(wildcard tests/tools/*.c)
# Every directory of examples/ with C sources is one program.
EXAMPLES      := $(sort $(notdir $(patsubst %/,%,$(dir $(wildcard examples/*/*.c)))))

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

.PHONY: all test unit integration demo bench soak fuzz install uninstall deb setup clean
all: $(MACHNETD) $(LIB_SO) $(LIB_A) $(EXAMPLE_BINS) $(UNIT_BINS) $(ITEST_BINS) \
	$(COMPAT_BINS) $(TOOL_BINS) $(BUILD)/tests/header_cxx

$(BUILD)/obj/%.o: %.c $(wildcard common/*.h primary/*.h secondary/*.h)
	@mkdir -p $(dir $@)
	$(call say,CC,$(@:$(BUILD)/obj/%=%))
	$(Q)$(CC) $(ALL_CFLAGS) -c $< -o $@

# The checksum loop runs over every payload byte on NICs without offloads;
# at -O2 GCC leaves it scalar (common/mn_cksum.h).
$(call obj,common/mn_cksum.c): ALL_CFLAGS += -O3

$(LIBPRIM): $(PRIMARY_OBJ) $(COMMON_OBJ)
	@rm -f $@
	$(call say,AR,$@)
	$(Q)ar rcs $@ $^

$(MACHNETD): $(call obj,primary/main.c) $(LIBPRIM)
	$(call say,LD,$@)
	$(Q)$(CC) -o $@ $^ $(DPDK_LIBS) $(BSD_LIBS) -lpthread -lm

$(LIB_SO): $(SECONDARY_OBJ) $(COMMON_OBJ) secondary/libmachnet.map
	$(call say,LD,$@.$(SOVERSION))
	$(Q)$(CC) -shared -o $@.$(SOVERSION) -Wl,-soname,libmachnet.so.$(SOVERSION) \
		-Wl,--version-script=secondary/libmachnet.map \
		$(SECONDARY_OBJ) $(COMMON_OBJ) $(DPDK_LIBS) $(BSD_LIBS) -lpthread
	$(Q)ln -sf libmachnet.so.$(SOVERSION) $@

$(LIB_A): $(SECONDARY_OBJ) $(COMMON_OBJ)
	@rm -f $@
	$(call say,AR,$@)
	$(Q)ar rcs $@ $^

# Examples and integration programs use only machnet.h, as an application would,
# and the libc helpers they share in examples/common/example.h.
APP_CFLAGS := -std=gnu11 -D_GNU_SOURCE $(WARN) $(CFLAGS) -Isecondary -Iexamples/common
APP_LIBS := -L$(BUILD) -lmachnet -Wl,-rpath,'$$ORIGIN' -Wl,-rpath,'$$ORIGIN/..' -lm -lpthread

.SECONDEXPANSION:
$(BUILD)/%: $$(wildcard examples/$$*/*.c examples/$$*/*.h examples/common/*.h) \
		$(LIB_SO)
	$(call say,CCLD,$@)
	$(Q)$(CC) $(APP_CFLAGS) -o $@ $(filter %.c,$^) $(APP_LIBS)

$(BUILD)/tests/%: tests/integration/%.c $(wildcard examples/common/*.h) $(LIB_SO)
	@mkdir -p $(dir $@)
	$(call say,CCLD,$@)
	$(Q)$(CC) $(APP_CFLAGS) -o $@ $< $(APP_LIBS)

$(BUILD)/tests/test_%: tests/unit/test_%.c tests/unit/unit.h $(LIBPRIM) $(LIB_A)
	@mkdir -p $(dir $@)
	$(call say,CCLD,$@)
	$(Q)$(CC) $(ALL_CFLAGS) $(CHECK_CFLAGS) -Itests/unit -o $@ $< $(SECONDARY_OBJ) \
		$(LIBPRIM) $(CHECK_LIBS) $(DPDK_LIBS) -lrte_net_ring $(BSD_LIBS) -lpthread -lm

# The fuzzer's findings replay on the engine it fuzzes (tests/fuzz/world.c).
FUZZ_WORLD := $(call obj,tests/fuzz/world.c)
$(FUZZ_WORLD): tests/fuzz/world.h
$(BUILD)/tests/test_fuzz_finds: tests/unit/test_fuzz_finds.c tests/unit/unit.h \
		tests/fuzz/world.h $(FUZZ_WORLD) $(LIBPRIM) $(LIB_A)
	@mkdir -p $(dir $@)
	$(call say,CCLD,$@)
	$(Q)$(CC) $(ALL_CFLAGS) $(CHECK_CFLAGS) -Itests/unit -Itests/fuzz -o $@ $< \
		$(FUZZ_WORLD) $(SECONDARY_OBJ) $(LIBPRIM) $(CHECK_LIBS) $(DPDK_LIBS) \
		-lrte_net_ring $(BSD_LIBS) -lpthread -lm

# Test tools that play a misbehaving tenant need libmachnet's insides and
# DPDK, which no application sees.
$(BUILD)/tools/%: tests/tools/%.c $(LIB_A)
	@mkdir -p $(dir $@)
	$(call say,CCLD,$@)
	$(Q)$(CC) $(ALL_CFLAGS) -o $@ $< $(LIB_A) $(DPDK_LIBS) $(BSD_LIBS) -lpthread

# machnet.h must stay usable from C++ (checked by building, not running).
$(BUILD)/tests/header_cxx: tests/unit/header_cxx.cc secondary/machnet.h \
		secondary/machnet_common.h $(LIB_SO)
	@mkdir -p $(dir $@)
	$(call say,CXXLD,$@)
	$(Q)$(CXX) -std=c++11 -Wall -Wextra -Werror -Isecondary -o $@ $< -L$(BUILD) -lmachnet

# The compatibility suite is built as upstream Machnet applications are:
# only the public headers on the include path, once as C and once as C++.
COMPAT_LIBS := -L$(BUILD) -lmachnet -Wl,-rpath,'$$ORIGIN/..'
$(BUILD)/compat/%: tests/compat/%.c secondary/machnet.h secondary/machnet_common.h $(LIB_SO)
	@mkdir -p $(dir $@)
	$(call say,CCLD,$@)
	$(Q)$(CC) -std=gnu11 $(WARN) $(CFLAGS) -Isecondary -o $@ $< $(COMPAT_LIBS)

$(BUILD)/compat/%_cxx: tests/compat/%.c secondary/machnet.h secondary/machnet_common.h $(LIB_SO)
	@mkdir -p $(dir $@)
	$(call say,CXXLD,$@)
	$(Q)$(CXX) -x c++ -std=gnu++17 $(WARN) $(CFLAGS) -Isecondary -o $@ $< $(COMPAT_LIBS)

# machnet.pc names the directories, so install writes it for those it uses.
write_pc = printf 'prefix=%s\nlibdir=%s\nincludedir=%s\n\nName: machnet\nDescription: kernel-bypass messaging through machnetd\nVersion: %s\nLibs: -L$${libdir} -lmachnet\nLibs.private: %s %s\nCflags: -I$${includedir}\n' \
	'$(PREFIX)' '$(LIBDIR)' '$(INCLUDEDIR)' '$(VERSION)' '$(DPDK_LIBS)' '$(BSD_LIBS)' > $(1)

setup:
	$(Q)bash scripts/setup.sh

unit: all
	$(Q)bash tests/run_unit.sh $(BUILD)

integration: all
	$(Q)bash tests/run_integration.sh $(BUILD)

# The set-up targets build on every core the machine has.
NPROC := $(shell nproc 2>/dev/null || echo 1)

test:
	$(Q)bash scripts/setup.sh
	$(Q)$(MAKE) --no-print-directory -j$(NPROC) all
	$(Q)bash tests/run_unit.sh $(BUILD)
	$(Q)bash tests/run_integration.sh $(BUILD)

demo:
	$(Q)bash scripts/setup.sh
	$(Q)$(MAKE) --no-print-directory -j$(NPROC) all
	$(Q)bash scripts/demo.sh $(BUILD)

bench:
	$(Q)$(MAKE) --no-print-directory all
	$(Q)bash scripts/bench.sh $(BUILD)

# SOAK_MINUTES (default 10) of everything at once; see scripts/soak.sh.
soak:
	$(Q)bash scripts/setup.sh
	$(Q)$(MAKE) --no-print-directory -j$(NPROC) all
	$(Q)bash scripts/soak.sh $(BUILD)

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
FUZZ_CFLAGS  = -std=gnu11 -D_GNU_SOURCE -DALLOW_EXPERIMENTAL_API \
	-DRTE_LIBRTE_MBUF_DEBUG $(WARN) -O1 -g -fno-omit-frame-pointer $(FUZZ_SAN) \
	$(VERSION_CFLAGS) -Icommon -Iprimary -Isecondary $(DPDK_CFLAGS)
FUZZ_LIBS    = $(DPDK_LIBS) -lrte_net_ring $(BSD_LIBS) -lpthread -lm
fuzz_obj      = $(patsubst %.c,$(FUZZ_DIR)/obj/%.o,$(1))
FUZZ_LIB_OBJ := $(call fuzz_obj,$(PRIMARY_SRC) $(COMMON_SRC))
FUZZ_WORLD_OBJ := $(call fuzz_obj,tests/fuzz/world.c)
FUZZ_HDRS    := $(wildcard common/*.h primary/*.h) tests/fuzz/world.h

$(FUZZ_LIB_OBJ): $(FUZZ_DIR)/obj/%.o: %.c $(FUZZ_HDRS)
	@mkdir -p $(dir $@)
	$(call say,FUZZCC,$(@:$(FUZZ_DIR)/obj/%=%))
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c $< -o $@

$(call fuzz_obj,$(wildcard tests/fuzz/*.c)): $(FUZZ_DIR)/obj/%.o: %.c $(FUZZ_HDRS)
	@mkdir -p $(dir $@)
	$(call say,FUZZCC,$(@:$(FUZZ_DIR)/obj/%=%))
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -c $< -o $@

$(FUZZ_DIR)/fuzz_input: $(call fuzz_obj,tests/fuzz/fuzz_input.c) $(FUZZ_WORLD_OBJ) \
		$(FUZZ_LIB_OBJ)
	$(call say,FUZZLD,$@)
	$(Q)$(FUZZ_CC) $(FUZZ_SAN) -fsanitize=fuzzer -o $@ $^ $(FUZZ_LIBS)

$(FUZZ_DIR)/fuzz_seeds: $(call fuzz_obj,tests/fuzz/fuzz_seeds.c) $(FUZZ_WORLD_OBJ) \
		$(FUZZ_LIB_OBJ)
	$(call say,FUZZLD,$@)
	$(Q)$(FUZZ_CC) $(FUZZ_SAN) -fsanitize=fuzzer-no-link -o $@ $^ $(FUZZ_LIBS)

fuzz:
	@command -v $(FUZZ_CC) >/dev/null || \
		{ echo "make fuzz: no $(FUZZ_CC): run make setup" >&2; exit 1; }
	$(Q)$(MAKE) --no-print-directory $(FUZZ_DIR)/fuzz_input $(FUZZ_DIR)/fuzz_seeds
	$(Q)bash tests/run_fuzz.sh $(FUZZ_DIR) $(FUZZ_SECONDS) $(FUZZ_MAX_LEN)

# What make install puts, in the directories above; make uninstall takes
# exactly these away again. machnetctl is required; the Python binding and
# the NIC profiles go in as the tree has them.
MACHNETCTL := usertools/machnetctl
HEADERS    := secondary/machnet.h secondary/machnet_common.h
PROFILES   := $(wildcard config/profiles/*.conf)
PY_PKG     := bindings/python/machnet
PY_FILES   := $(patsubst $(PY_PKG)/%,%,$(shell find $(PY_PKG) -name __pycache__ \
	-prune -o -type f -name '*.py' -print 2>/dev/null))
BIN_FILES  := machnetd machnetctl machnet-pingpong machnet-msg-gen
LIB_FILES  := libmachnet.so libmachnet.so.$(SOVERSION) libmachnet.a pkgconfig/machnet.pc
# The unit names the directories it was installed for.
UNIT_SED    = -e 's|@BINDIR@|$(BINDIR)|g' -e 's|@LIBEXECDIR@|$(LIBEXECDIR)|g' \
	-e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g'
D = $(DESTDIR)
# The files an administrator edits are treated as dpkg treats conffiles.
# install: put where there is none, replaced where it is the default an
# earlier install put (the pristine copy it keeps in DATADIR/machnet) or
# the new one, kept otherwise, with a line saying where the new default is.
# uninstall: removed if still the default, kept if edited.
#   $(call install_conf,SOURCE,INSTALLED,PRISTINE)
install_conf = if [ ! -e $(2) ] || cmp -s $(2) $(3) || cmp -s $(2) $(1); then \
	install -m 644 $(1) $(2); \
	else echo "  KEEP    $(2): edited; the new default is $(3)"; fi; \
	install -m 644 $(1) $(3)
uninstall_conf = if cmp -s $(1) $(2); then rm -f $(1); \
	elif [ -e $(1) ]; then echo "  KEEP    $(1): edited"; fi; rm -f $(2)
CONF      := $(SYSCONFDIR)/machnet/machnet.conf
CONF_PRISTINE := $(DATADIR)/machnet/machnet.conf
DEFAULTS  := $(SYSCONFDIR)/default/machnet
DEFAULTS_PRISTINE := $(DATADIR)/machnet/machnet.default

install: $(MACHNETD) $(LIB_SO) $(LIB_A) $(BUILD)/pingpong $(BUILD)/msg_gen $(MACHNETCTL) \
		config/machnet.conf config/systemd/machnet.default \
		config/systemd/machnetd@.service.in scripts/machnet-hugepages
	$(call say,INSTALL,$(D)$(PREFIX))
	$(Q)install -d $(D)$(BINDIR) $(D)$(LIBDIR)/pkgconfig $(D)$(INCLUDEDIR) \
		$(D)$(LIBEXECDIR) $(D)$(SYSTEMDUNITDIR) $(D)$(DATADIR)/machnet \
		$(D)$(SYSCONFDIR)/machnet $(D)$(SYSCONFDIR)/default
	$(Q)install -m 755 $(MACHNETD) $(D)$(BINDIR)/
	$(Q)install -m 755 $(MACHNETCTL) $(D)$(BINDIR)/machnetctl
	$(Q)install -m 755 $(BUILD)/pingpong $(D)$(BINDIR)/machnet-pingpong
	$(Q)install -m 755 $(BUILD)/msg_gen $(D)$(BINDIR)/machnet-msg-gen
	$(Q)install -m 755 $(LIB_SO).$(SOVERSION) $(D)$(LIBDIR)/
	$(Q)ln -sf libmachnet.so.$(SOVERSION) $(D)$(LIBDIR)/libmachnet.so
	$(Q)install -m 644 $(LIB_A) $(D)$(LIBDIR)/
	$(Q)install -m 644 $(HEADERS) $(D)$(INCLUDEDIR)/
	$(Q)$(call write_pc,$(D)$(LIBDIR)/pkgconfig/machnet.pc)
	$(Q)install -m 755 scripts/machnet-hugepages $(D)$(LIBEXECDIR)/
	$(Q)sed $(UNIT_SED) config/systemd/machnetd@.service.in \
		>$(D)$(SYSTEMDUNITDIR)/machnetd@.service
	$(Q)chmod 644 $(D)$(SYSTEMDUNITDIR)/machnetd@.service
	$(Q)$(call install_conf,config/machnet.conf,$(D)$(CONF),$(D)$(CONF_PRISTINE))
	$(Q)$(call install_conf,config/systemd/machnet.default,$(D)$(DEFAULTS),$(D)$(DEFAULTS_PRISTINE))
	$(if $(PROFILES),$(Q)install -d $(D)$(DATADIR)/machnet/profiles)
	$(if $(PROFILES),$(Q)install -m 644 $(PROFILES) $(D)$(DATADIR)/machnet/profiles/)
	$(Q)for f in $(PY_FILES); do \
		install -D -m 644 $(PY_PKG)/$$f $(D)$(PYTHONDIR)/machnet/$$f || exit 1; done
	$(if $(D),,$(Q)ldconfig 2>/dev/null || true)

# Python leaves byte code beside the modules it imports; it goes with them.
uninstall:
	$(call say,UNINST,$(D)$(PREFIX))
	$(Q)rm -f $(addprefix $(D)$(BINDIR)/,$(BIN_FILES)) \
		$(addprefix $(D)$(LIBDIR)/,$(LIB_FILES)) \
		$(addprefix $(D)$(INCLUDEDIR)/,$(notdir $(HEADERS))) \
		$(D)$(LIBEXECDIR)/machnet-hugepages $(D)$(SYSTEMDUNITDIR)/machnetd@.service \
		$(addprefix $(D)$(DATADIR)/machnet/profiles/,$(notdir $(PROFILES))) \
		$(addprefix $(D)$(PYTHONDIR)/machnet/,$(PY_FILES))
	$(Q)if [ -d $(D)$(PYTHONDIR)/machnet ]; then \
		find $(D)$(PYTHONDIR)/machnet -depth -name __pycache__ -exec rm -rf {} + && \
		find $(D)$(PYTHONDIR)/machnet -depth -type d -empty -delete; fi
	$(Q)$(call uninstall_conf,$(D)$(CONF),$(D)$(CONF_PRISTINE))
	$(Q)$(call uninstall_conf,$(D)$(DEFAULTS),$(D)$(DEFAULTS_PRISTINE))
	$(Q)for d in $(D)$(DATADIR)/machnet/profiles $(D)$(DATADIR)/machnet \
		$(D)$(LIBEXECDIR) $(D)$(SYSCONFDIR)/machnet; do \
		[ ! -d $$d ] || rmdir --ignore-fail-on-non-empty $$d; done
	$(if $(D),,$(Q)ldconfig 2>/dev/null || true)

# The package is staged by install, for /usr and Debian's multiarch library
# directory, and put together by scripts/deb.sh with dpkg's tools.
DEB_ARCH  = $(shell dpkg --print-architecture)
DEB_MULTIARCH = $(shell dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null)
DEB_ROOT := $(abspath $(BUILD))/deb/root
DEB       = $(BUILD)/machnet_$(VERSION)_$(DEB_ARCH).deb

deb:
	@command -v dpkg-shlibdeps >/dev/null || \
		{ echo "make deb: no dpkg-shlibdeps (dpkg-dev): run make setup" >&2; exit 1; }
	$(Q)rm -rf $(DEB_ROOT)
	$(Q)$(MAKE) --no-print-directory install DESTDIR=$(DEB_ROOT) PREFIX=/usr \
		LIBDIR=/usr/lib/$(DEB_MULTIARCH)
	$(call say,DEB,$(DEB))
	$(Q)bash scripts/deb.sh $(DEB_ROOT) $(VERSION) $(DEB)

clean:
	$(Q)rm -rf $(BUILD)
