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

# Keep the objects: they are intermediates of the pattern chain.
.SECONDARY: $(patsubst %,$(O)/cmd/%.o,$(TOOLS))

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

# `make check` replays the fuzz seeds and every regression input under
# ASan + UBSan as well (issue 9), in $(O)/san; `make sanitize`, which runs
# everything sanitized, leaves it out (SAN_REPLAY=).
SAN_REPLAY ?= fuzz-replay-san
check-run: all $(O)/tests/unit lint fuzz-replay $(SAN_REPLAY)
	BH_BIN=$(abspath $(O))/bin BH_HAVE_JQ=$(HAVE_JQ) $(BATS) $(BATSFLAGS) tests

lint:
	mandoc -Tlint -Wwarning $(MAN1) $(MAN7)

# The whole suite under AddressSanitizer + UndefinedBehaviorSanitizer
# (LeakSanitizer is part of ASan on Linux), in a build directory of its own.
SAN_FLAGS := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined \
	-fno-sanitize-recover=all
sanitize:
	$(MAKE) O=build-asan CFLAGS="$(SAN_FLAGS)" LDFLAGS="$(SAN_FLAGS)" \
	    SAN_REPLAY= check-run

fuzz-replay-san:
	@$(MAKE) --no-print-directory O=$(O)/san CFLAGS="$(SAN_FLAGS)" \
	    LDFLAGS="$(SAN_FLAGS)" fuzz-replay

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

# ---- fuzzing (fuzz/README.md) -------------------------------------------
# Fuzz targets fuzz/fuzz_*.c, linked with lib/ compiled against the
# harness (fuzz/fz.h: exit() caught, leftovers reclaimed per run).  With
# any compiler they link with fuzz/replay.c: `fuzz-replay` (part of
# check-run) runs the seeds and every crash ever found under $(O).  With
# clang they link with libFuzzer: `make fuzz` runs each target for
# FUZZ_TIME seconds, `make fuzz-smoke` for a few.
FUZZ_TARGETS ?= pkt pcap record phase rtt ttl hist \
	$(if $(filter yes,$(HAVE_JQ)),filter)
FUZZ_LIBOBJ := $(patsubst lib/%.c,$(O)/fuzz/lib/%.o,$(LIBSRC)) $(O)/fuzz/fz.o
FUZZ_CPPFLAGS := -include fuzz/fz.h -Ilib -Ifuzz $(PCAP_CFLAGS)

$(O)/fuzz/lib/%.o: lib/%.c lib/bh.h fuzz/fz.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(FUZZ_CPPFLAGS) -DBH_FUZZ_LIB -c -o $@ $<

$(O)/fuzz/fz.o: fuzz/fz.c fuzz/fz.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(PCAP_CFLAGS) -c -o $@ fuzz/fz.c

$(O)/fuzz/replay.o: fuzz/replay.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -c -o $@ fuzz/replay.c

$(O)/fuzz/fuzz_%.o: fuzz/fuzz_%.c fuzz/fz.h lib/bh.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(FUZZ_CPPFLAGS) $(FUZZ_TCFLAGS) -c -o $@ $<
$(O)/fuzz/fuzz_pcap.o: cmd/bh-sessions.c
$(O)/fuzz/fuzz_phase.o: cmd/bh-phase.c $(O)/gen/bh-phase.rules.h
$(O)/fuzz/fuzz_phase.o: FUZZ_TCFLAGS = -I$(O)/gen
$(O)/fuzz/fuzz_rtt.o: cmd/bh-rtt.c
$(O)/fuzz/fuzz_ttl.o: cmd/bh-ttl.c
$(O)/fuzz/fuzz_hist.o: cmd/bh-hist.c
$(O)/fuzz/fuzz_filter.o: cmd/bh-filter.c
$(O)/fuzz/fuzz_filter.o: FUZZ_TCFLAGS = -DBH_HAVE_JQ

$(O)/fuzz/replay-%: $(O)/fuzz/fuzz_%.o $(O)/fuzz/replay.o $(FUZZ_LIBOBJ)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(JQ_LIBS_$*) $(PCAP_LIBS) -lm
$(O)/fuzz/libfuzzer-%: $(O)/fuzz/fuzz_%.o $(FUZZ_LIBOBJ)
	$(CC) $(CFLAGS) $(LDFLAGS) -fsanitize=fuzzer -o $@ $^ $(JQ_LIBS_$*) \
	    $(PCAP_LIBS) -lm
JQ_LIBS_filter = $(JQ_LIBS)
.SECONDARY: $(FUZZ_LIBOBJ) $(O)/fuzz/replay.o \
	$(patsubst %,$(O)/fuzz/fuzz_%.o,$(FUZZ_TARGETS))

fuzz-replay: $(addprefix $(O)/fuzz/replay-,$(FUZZ_TARGETS))
	@for t in $(FUZZ_TARGETS); do \
		$(O)/fuzz/replay-$$t fuzz/corpus/$$t fuzz/regress/$$t || exit 1; \
	done

FUZZ_CC	?= clang
FUZZ_TIME ?= 180
FUZZ_FLAGS ?=
FUZZ_SAN := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined \
	-fno-sanitize-recover=all
fuzz-build:
	$(MAKE) O=build-fuzz CC=$(FUZZ_CC) \
	    CFLAGS="$(FUZZ_SAN) -fsanitize=fuzzer-no-link" LDFLAGS="$(FUZZ_SAN)" \
	    FUZZ_TARGETS="$(FUZZ_TARGETS)" \
	    $(addprefix build-fuzz/fuzz/libfuzzer-,$(FUZZ_TARGETS))
fuzz: fuzz-build
	fuzz/run.sh $(FUZZ_TIME) "$(FUZZ_FLAGS)" $(FUZZ_TARGETS)
fuzz-smoke: fuzz-build
	fuzz/run.sh 10 "$(FUZZ_FLAGS)" $(FUZZ_TARGETS)

.PHONY: fuzz fuzz-build fuzz-smoke fuzz-replay fuzz-replay-san

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
