# bh - botnet-session distance measurement filters.
# make [all|check|demo|install|uninstall|clean|lint|sanitize|deps|bench|fuzz]

PREFIX	?= /usr/local
BINDIR	?= $(PREFIX)/bin
MANDIR	?= $(PREFIX)/share/man
DESTDIR	?=
# Build directory: `make O=build-asan` keeps a second build apart.
O	?= build

CC	?= cc
CFLAGS	?= -O2 -g
# Users may add flags, never lose the warnings (mblaze).
override CFLAGS := -std=c99 -D_DEFAULT_SOURCE -Wall -Wextra -Wpedantic \
	-Wshadow $(CFLAGS)

PCAP_CFLAGS := $(shell pkg-config --cflags libpcap 2>/dev/null)
PCAP_LIBS := $(shell pkg-config --libs libpcap 2>/dev/null || echo -lpcap)

# libjq: Debian 12's libjq-dev ships no .pc file, so probe by linking.
WITH_JQ	?= auto
JQ_LIBS	?= -ljq
ifeq ($(WITH_JQ),no)
HAVE_JQ	:= no
else
HAVE_JQ	:= $(shell printf '\043include <jq.h>\nint main(void){jq_state*j=jq_init();jq_teardown(&j);return 0;}\n' | \
	$(CC) -x c - -o /dev/null $(JQ_LIBS) >/dev/null 2>&1 && echo yes || echo no)
ifeq ($(WITH_JQ),yes)
ifneq ($(HAVE_JQ),yes)
$(error WITH_JQ=yes but libjq was not found (apt-get install libjq-dev))
endif
endif
endif

TOOLS	:= $(patsubst cmd/%.c,%,$(wildcard cmd/*.c))
BINS	:= $(addprefix $(O)/bin/,$(TOOLS))
LIBSRC	:= $(wildcard lib/*.c)
LIBOBJ	:= $(patsubst lib/%.c,$(O)/lib/%.o,$(LIBSRC))
MAN1	:= $(wildcard man/*.1)
MAN7	:= $(wildcard man/*.7)

all: $(BINS)

$(O)/lib/%.o: lib/%.c lib/bh.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(PCAP_CFLAGS) -Ilib -c -o $@ $<

$(O)/libbh.a: $(LIBOBJ)
	rm -f $@
	$(AR) rcs $@ $(LIBOBJ)

$(O)/cmd/%.o: cmd/%.c lib/bh.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(PCAP_CFLAGS) $(TOOL_CFLAGS) -Ilib -c -o $@ $<

$(O)/bin/%: $(O)/cmd/%.o $(O)/libbh.a
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(O)/libbh.a $(TOOL_LIBS) $(PCAP_LIBS) -lm

# A tool's built-in data, cmd/TOOL.rules, is compiled in as C string
# literals, one per line, in $(O)/gen/TOOL.rules.h (bh-phase's rules).
$(O)/gen/%.rules.h: cmd/%.rules
	@mkdir -p $(@D)
	sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/?/\\?/g' \
	    -e 's/^/"/' -e 's/$$/\\n",/' $< > $@
$(O)/cmd/bh-phase.o: $(O)/gen/bh-phase.rules.h
$(O)/cmd/bh-phase.o: TOOL_CFLAGS = -I$(O)/gen

ifeq ($(HAVE_JQ),yes)
$(O)/cmd/bh-filter.o: TOOL_CFLAGS = -DBH_HAVE_JQ
$(O)/bin/bh-filter: TOOL_LIBS = $(JQ_LIBS)
endif

# Unit tests of lib/, run by tests/lib.bats.
$(O)/tests/unit: tests/unit.c $(O)/libbh.a lib/bh.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(LDFLAGS) -Ilib -o $@ tests/unit.c $(O)/libbh.a -lm

# The tests run the binaries just built (tests/helper.bash puts $(O)/bin
# first on PATH); `make check` also lints the man pages.
BATS	?= bats
# `check` installs what is missing first, then re-reads this Makefile so
# the libjq probe sees the freshly installed library.
check: deps
	@$(MAKE) --no-print-directory check-run

check-run: all $(O)/tests/unit lint
	BH_BIN=$(abspath $(O))/bin BH_HAVE_JQ=$(HAVE_JQ) $(BATS) $(BATSFLAGS) tests

lint:
	mandoc -Tlint -Wwarning $(MAN1) $(MAN7)

# The whole suite under AddressSanitizer + UndefinedBehaviorSanitizer
# (LeakSanitizer is part of ASan on Linux), in a build directory of its own.
SAN_FLAGS := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined \
	-fno-sanitize-recover=all
sanitize:
	$(MAKE) O=build-asan CFLAGS="$(SAN_FLAGS)" LDFLAGS="$(SAN_FLAGS)" check-run

install: all
	mkdir -p $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man7
	for t in $(TOOLS); do install -m 755 $(O)/bin/$$t $(DESTDIR)$(BINDIR)/$$t; done
	for m in $(MAN1); do install -m 644 $$m $(DESTDIR)$(MANDIR)/man1/; done
	for m in $(MAN7); do install -m 644 $$m $(DESTDIR)$(MANDIR)/man7/; done

uninstall:
	for t in $(TOOLS); do rm -f $(DESTDIR)$(BINDIR)/$$t; done
	for m in $(MAN1); do rm -f $(DESTDIR)$(MANDIR)/man1/$${m#man/}; done
	for m in $(MAN7); do rm -f $(DESTDIR)$(MANDIR)/man7/$${m#man/}; done

# The main job (examples/demo.sh): synthesize a honeypot capture with
# bh-synth, run the pipeline once, draw the study's figures and write
# demo/REPORT.md.  Like `check`: `deps` first, then a fresh make.
demo: deps
	@$(MAKE) --no-print-directory demo-run

demo-run: all
	BH_BIN=$(abspath $(O))/bin examples/demo.sh demo

.PHONY: demo demo-run

# Install what is missing (Debian/Ubuntu).  As root it runs apt-get;
# otherwise it prints the exact command and stops.
DEPS_PKGS := gcc make pkg-config libpcap-dev libjq-dev bats mandoc
DEPS_CHECK := command -v gcc && command -v pkg-config && command -v bats && \
	command -v mandoc && test -e /usr/include/pcap.h && test -e /usr/include/jq.h
deps:
	@if ( $(DEPS_CHECK) ) >/dev/null 2>&1; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ]; then \
		echo "bh: installing $(DEPS_PKGS)" >&2; \
		DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(DEPS_PKGS) >&2; \
	else \
		echo "bh: missing build dependencies; run:" >&2; \
		echo "  sudo apt-get install -y $(DEPS_PKGS)" >&2; \
		exit 2; \
	fi

clean:
	rm -rf build build-asan

.PHONY: all check check-run lint sanitize install uninstall deps clean

# ---- benchmark (bench/README.md) -----------------------------------------
# `make bench` builds the tools and the two helpers (bench/pcap-count: the
# bare libpcap loop and the raw read() floor; bench/runstat: wall, CPU and
# peak RSS of one command) and runs bench/run: minutes of work on a 1.5 GB
# synthetic capture cached in bench/data/, then bench/RESULTS.md rewritten.
# Never part of `check` (tests/bench.bats runs its quick mode, -q).
# BENCHFLAGS passes options: make bench BENCHFLAGS='-s 300MB -n 1'.
BENCHFLAGS ?=

$(O)/bench/pcap-count: bench/pcap-count.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(PCAP_CFLAGS) $(LDFLAGS) -o $@ bench/pcap-count.c \
	    $(PCAP_LIBS)

$(O)/bench/runstat: bench/runstat.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ bench/runstat.c

bench: all $(O)/bench/pcap-count $(O)/bench/runstat
	BH_BIN=$(abspath $(O))/bin BENCH_BIN=$(abspath $(O))/bench \
	    bench/run $(BENCHFLAGS)

.PHONY: bench
