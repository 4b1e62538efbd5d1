# hakit - small programs for two-node failover and multi-uplink routing.
# See README.  Every variable below can be set on the command line.
#
# Programs are found, not listed: each bin-src/NAME.c is one program,
# each bin-src/lib/*.c goes into libhakit.a, each t/helpers/*.c is a test
# helper.  (GNU make's wildcard; the rest is plain make.)

VERSION = 0.1

PREFIX = /usr/local
SBINDIR = $(PREFIX)/sbin
SHAREDIR = $(PREFIX)/share/hakit
MANDIR = $(PREFIX)/share/man
# hakit's OCF resource agents, where Pacemaker looks for provider hakit
# (with PREFIX=/usr: /usr/lib/ocf/resource.d/hakit)
OCFDIR = $(PREFIX)/lib/ocf/resource.d/hakit
DESTDIR =

CC = cc
AR = ar
WARN = -Wall -Wextra -Werror
CFLAGS = -O2 -g
LDFLAGS =
HK_CPPFLAGS = -std=c11 -D_DEFAULT_SOURCE -D_GNU_SOURCE \
	-DHAKIT_VERSION='"$(VERSION)"' -Ibin-src/lib

# Where objects and programs are built; make asan uses its own.
O = bin-src/build

SAN_FLAGS = -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined \
	-fno-sanitize-recover=undefined

PROGS = $(sort $(basename $(notdir $(wildcard bin-src/*.c))))
LIBSRC = $(sort $(wildcard bin-src/lib/*.c))
LIBOBJ = $(LIBSRC:bin-src/lib/%.c=$(O)/lib/%.o)
HELPERS = $(sort $(basename $(notdir $(wildcard t/helpers/*.c))))
WRAPPERS = $(sort $(notdir $(wildcard share/hbnode share/hbmon share/hbmonctl \
	share/wanfailover)))
MAN8 = $(sort $(wildcard share/man/*.8))
MAN7 = $(sort $(wildcard share/man/*.7))
AGENTS = $(sort $(notdir $(wildcard share/ocf/*)))
SHAREDIRS = $(sort $(wildcard share/sh share/resource.d share/alert.d \
	share/mon.d share/hooks.d))

BINS = $(PROGS:%=$(O)/%) $(HELPERS:%=$(O)/t/%)

all: $(BINS)

$(O)/lib $(O)/t:
	mkdir -p $@

$(O)/lib/%.o: bin-src/lib/%.c | $(O)/lib
	$(CC) $(HK_CPPFLAGS) $(WARN) $(CFLAGS) -MMD -MP -c -o $@ $<

$(O)/%.o: bin-src/%.c | $(O)/lib
	$(CC) $(HK_CPPFLAGS) $(WARN) $(CFLAGS) -MMD -MP -c -o $@ $<

$(O)/t/%.o: t/helpers/%.c | $(O)/t
	$(CC) $(HK_CPPFLAGS) $(WARN) $(CFLAGS) -MMD -MP -c -o $@ $<

$(O)/libhakit.a: $(LIBOBJ)
	rm -f $@
	$(AR) rcs $@ $(LIBOBJ)

$(O)/%: $(O)/%.o $(O)/libhakit.a
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(O)/libhakit.a

$(O)/t/%: $(O)/t/%.o $(O)/libhakit.a
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(O)/libhakit.a

# hbsend, hbrecv and gwswitch run for months: linked static they stay
# under 1 MiB of RSS, which a dynamic libc alone exceeds.  An LDFLAGS given
# on the command line (make asan) replaces this.
$(O)/hbsend $(O)/hbrecv $(O)/gwswitch: LDFLAGS += -static

.SECONDARY:

-include $(wildcard $(O)/*.d $(O)/lib/*.d $(O)/t/*.d)

# The suite: t/run installs bats when it is missing (as root), runs
# shellcheck over the shell code, then every t/*.bats, and prints
# "N passed, N failed, N skipped".
test: all
	HAKIT_BINDIR=$(CURDIR)/$(O) HAKIT_SHAREDIR=$(CURDIR)/share \
		sh t/run $(TESTS)

asan:
	$(MAKE) O=bin-src/build-asan CFLAGS='$(SAN_FLAGS)' \
		LDFLAGS='-fsanitize=address,undefined' test

bench: all
	HAKIT_BINDIR=$(CURDIR)/$(O) HAKIT_SHAREDIR=$(CURDIR)/share \
		sh t/bench/run $(BENCH)

# The README's main command: the heartbeat + mon howto's two-node
# cluster, then the two-ISP failover router, in network namespaces,
# narrated (root; see t/demo and t/demo-router).  make demo-router runs
# the router alone.  The build is quiet: its output goes to DEMO_LOG,
# shown only when the build fails.
DEMO_LOG = $(O)/demo-build.log
DEMO_ENV = HAKIT_BINDIR=$(CURDIR)/$(O) HAKIT_SHAREDIR=$(CURDIR)/share

demo: demo-build
	@$(DEMO_ENV) sh t/demo
	@echo
	@$(DEMO_ENV) sh t/demo-router

demo-router: demo-build
	@$(DEMO_ENV) sh t/demo-router

demo-build:
	@mkdir -p $(O)
	@echo "make demo: building hakit quietly; the build's log is $(DEMO_LOG)"
	@if ! $(MAKE) all >$(DEMO_LOG) 2>&1; then \
		cat $(DEMO_LOG); \
		echo "make demo: the build failed (its log, above, is in $(DEMO_LOG))" >&2; \
		exit 1; fi

.PHONY: demo-router demo-build

lint: lint-man lint-sh

lint-man:
	@for m in $(MAN8) $(MAN7); do \
		mandoc -Tlint -W warning "$$m" || exit 1; done

lint-sh:
	sh t/run --lint-only

install: all
	mkdir -p $(DESTDIR)$(SBINDIR) $(DESTDIR)$(SHAREDIR) \
		$(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(MANDIR)/man7 \
		$(DESTDIR)$(OCFDIR)
	for p in $(PROGS); do \
		cp -f $(O)/$$p $(DESTDIR)$(SBINDIR)/$$p || exit 1; \
		chmod 755 $(DESTDIR)$(SBINDIR)/$$p; done
	for w in $(WRAPPERS); do \
		cp -f share/$$w $(DESTDIR)$(SBINDIR)/$$w || exit 1; \
		chmod 755 $(DESTDIR)$(SBINDIR)/$$w; done
	for d in $(SHAREDIRS); do \
		cp -Rf $$d $(DESTDIR)$(SHAREDIR)/ || exit 1; done
	for a in $(AGENTS); do \
		cp -f share/ocf/$$a $(DESTDIR)$(OCFDIR)/$$a || exit 1; \
		chmod 755 $(DESTDIR)$(OCFDIR)/$$a; done
	for m in $(MAN8); do \
		cp -f $$m $(DESTDIR)$(MANDIR)/man8/ || exit 1; done
	for m in $(MAN7); do \
		cp -f $$m $(DESTDIR)$(MANDIR)/man7/ || exit 1; done

uninstall:
	for p in $(PROGS) $(WRAPPERS); do \
		rm -f $(DESTDIR)$(SBINDIR)/$$p; done
	rm -rf $(DESTDIR)$(SHAREDIR)
	for a in $(AGENTS); do \
		rm -f $(DESTDIR)$(OCFDIR)/$$a; done
	-rmdir $(DESTDIR)$(OCFDIR) 2>/dev/null
	for m in $(MAN8); do \
		rm -f $(DESTDIR)$(MANDIR)/man8/$${m##*/}; done
	for m in $(MAN7); do \
		rm -f $(DESTDIR)$(MANDIR)/man7/$${m##*/}; done

clean:
	rm -rf bin-src/build bin-src/build-asan bin-src/build-fuzz

.PHONY: all test asan bench demo lint lint-man lint-sh install uninstall clean

# Fuzzing (clang's libFuzzer): make fuzz builds t/fuzz/*.c with the lib
# sources they need into bin-src/build-fuzz and runs each for
# FUZZ_SECONDS, starting from t/fuzz/seed; each target is linked with
# every lib source; crashes land in
# bin-src/build-fuzz/ as crash-* files.
FUZZ_CC = clang
FUZZ_SECONDS = 60
FUZZ_O = bin-src/build-fuzz
FUZZ_FLAGS = -g -O1 -fsanitize=fuzzer,address,undefined \
	-fno-sanitize-recover=undefined
FUZZ_TARGETS = $(sort $(basename $(notdir $(wildcard t/fuzz/*.c))))

$(FUZZ_O)/%: t/fuzz/%.c $(LIBSRC) $(wildcard bin-src/lib/*.h)
	mkdir -p $(FUZZ_O)
	$(FUZZ_CC) $(HK_CPPFLAGS) $(WARN) $(FUZZ_FLAGS) -o $@ $< $(LIBSRC)

fuzz: $(FUZZ_TARGETS:%=$(FUZZ_O)/%)
	for f in $(FUZZ_TARGETS); do \
		mkdir -p $(FUZZ_O)/corpus-$$f || exit 1; \
		$(FUZZ_O)/$$f -max_total_time=$(FUZZ_SECONDS) -max_len=2048 \
			-artifact_prefix=$(FUZZ_O)/ \
			$(FUZZ_O)/corpus-$$f t/fuzz/seed || exit 1; done

.PHONY: fuzz
