# bh - botnet-session distance measurement filters.
# make [all|check|demo|install|uninstall|clean|lint|sanitize|deps|bench|fuzz]

PREFIX	?= /usr/local
BINDIR	?= $(PREFIX)/bin
MANDIR	?= $(PREFIX)/share/man
DESTDIR	?=
# Build directory: `make O=build-asan` keeps a second build apart.
O	?= build

CC	?= cc
PKG_CONFIG ?= pkg-config
CFLAGS	?= -O2 -g
# Users may add flags, never lose the warnings (mblaze).
override CFLAGS := -std=c99 -D_DEFAULT_SOURCE -Wall -Wextra -Wpedantic \
	-Wshadow $(CFLAGS)
# Header dependencies, written by the compiler next to each object.
DEPFLAGS := -MMD -MP

# The version --version prints: VERSION, and `git describe` of the tree
# when it is a git checkout, in $(O)/gen/version.h (rewritten only when
# it changes, so a commit rebuilds lib/opt.o and nothing else).
VERSION	:= 0.14
GIT_DESCRIBE := $(shell git describe --always --dirty 2>/dev/null)

# What the build probes (libpcap's flags, whether libjq links) is found
# once per build directory, in $(O)/config.mk; `make clean` forgets it,
# and so does `make deps` when it installs something.
# Debian 12's libjq-dev ships no .pc file, so libjq is probed by linking.
.DEFAULT_GOAL := all
WITH_JQ	?= auto
JQ_LIBS	?= -ljq
$(O)/config.mk:
	@mkdir -p $(@D)
	@{ echo "PCAP_CFLAGS := $$($(PKG_CONFIG) --cflags libpcap 2>/dev/null)"; \
	  echo "PCAP_LIBS := $$($(PKG_CONFIG) --libs libpcap 2>/dev/null || echo -lpcap)"; \
	  if printf '\043include <jq.h>\nint main(void){jq_state*j=jq_init();jq_teardown(&j);return 0;}\n' | \
	    $(CC) $(CPPFLAGS) -x c - -o /dev/null $(LDFLAGS) $(JQ_LIBS) >/dev/null 2>&1; \
	  then echo "JQ_FOUND := yes"; else echo "JQ_FOUND := no"; fi; } > $@.tmp
	@mv $@.tmp $@
ifeq ($(filter clean deps demo,$(MAKECMDGOALS)),)
include $(O)/config.mk
endif
ifeq ($(WITH_JQ),no)
HAVE_JQ	:= no
else
HAVE_JQ	:= $(JQ_FOUND)
ifeq ($(WITH_JQ),yes)
ifneq ($(HAVE_JQ),yes)
$(error WITH_JQ=yes but libjq was not found (apt-get install libjq-dev))
endif
endif
endif

# A tool is cmd/bh-TOOL.c (its main) and its modules cmd/TOOL-*.c, linked
# with the lib/ objects it lists here and nothing else (mblaze's
# GNUmakefile).  Only bh-sessions' capture reader sees <pcap.h> and only
# bh-sessions links libpcap.
TOOLS	:= $(patsubst cmd/%.c,%,$(wildcard cmd/bh-*.c))
BINS	:= $(addprefix $(O)/bin/,$(TOOLS))
REC_LIB	:= diag opt num escape record
bh-cut_LIB	:= $(REC_LIB)
bh-filter_LIB	:= $(REC_LIB)
bh-hist_LIB	:= $(REC_LIB)
bh-mkpcap_LIB	:= diag opt num escape pktbuild
bh-phase_LIB	:= $(REC_LIB)
bh-rtt_LIB	:= $(REC_LIB)
bh-sessions_LIB	:= diag opt num escape pkt tcpfp flow evidence
bh-synth_LIB	:= diag opt num pktbuild
bh-ttl_LIB	:= $(REC_LIB) tcpfp
bh-story_LIB	:= $(REC_LIB)
bh-hosts_LIB	:= $(REC_LIB)
# Compressed captures (cmd/sessions-unzip.c): zlib, liblzma, libzstd,
# libbz2 (Debian 12's libbz2-dev ships no .pc file).
ZIP_LIBS ?= -lz -llzma -lzstd -lbz2
bh-sessions_LIBS = $(PCAP_LIBS) $(ZIP_LIBS)
ifeq ($(HAVE_JQ),yes)
bh-filter_LIBS	= $(JQ_LIBS)
endif
# tool_mods TOOL: the objects of its modules; tool_objs TOOL: all it links
tool_mods = $(patsubst cmd/%.c,$(O)/cmd/%.o,$(wildcard cmd/$(1:bh-%=%)-*.c))
tool_libs = $(patsubst %,$(O)/lib/%.o,$($(1)_LIB))
tool_objs = $(O)/cmd/$(1).o $(call tool_mods,$(1)) $(call tool_libs,$(1))
MAN1	:= $(wildcard man/*.1)
MAN5	:= $(wildcard man/*.5)
MAN7	:= $(wildcard man/*.7)

all: $(BINS)

$(O)/lib/%.o: lib/%.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(DEPFLAGS) $(LIB_CFLAGS) -Ilib -c -o $@ $<

$(O)/gen/version.h: FORCE
	@mkdir -p $(@D)
	@printf '#define BH_VERSION "%s"\n' \
	    '$(VERSION)$(if $(GIT_DESCRIBE), ($(GIT_DESCRIBE)))' > $@.tmp
	@if cmp -s $@.tmp $@; then rm $@.tmp; else mv $@.tmp $@; fi
$(O)/lib/opt.o: $(O)/gen/version.h
$(O)/lib/opt.o: LIB_CFLAGS += -I$(O)/gen
FORCE:
.PHONY: FORCE

$(O)/cmd/%.o: cmd/%.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(DEPFLAGS) $(TOOL_CFLAGS) -Ilib -c -o $@ $<

define tool_rule
$(O)/bin/$(1): $(call tool_objs,$(1))
	@mkdir -p $$(@D)
	$$(CC) $$(CFLAGS) $$(LDFLAGS) -o $$@ $$^ $$($(1)_LIBS) $$(LDLIBS) -lm
endef
$(foreach t,$(TOOLS),$(eval $(call tool_rule,$(t))))

-include $(wildcard $(O)/lib/*.d $(O)/cmd/*.d $(O)/fuzz/*.d $(O)/tests/*.d)

# The objects that include <pcap.h>: the capture reader.
PCAP_OBJS := $(patsubst cmd/%.c,$(O)/cmd/%.o,$(shell grep -lE '<pcap(/pcap)?\.h>' cmd/*.c))
$(PCAP_OBJS): TOOL_CFLAGS += $(PCAP_CFLAGS)

# A tool's built-in data, cmd/TOOL.rules, is compiled in as C string
# literals, one per line, in $(O)/gen/TOOL.rules.h (bh-phase's rules).
$(O)/gen/%.rules.h: cmd/%.rules
	@mkdir -p $(@D)
	sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/?/\\?/g' \
	    -e 's/^/"/' -e 's/$$/\\n",/' $< > $@
$(O)/cmd/bh-phase.o $(call tool_mods,bh-phase): $(O)/gen/bh-phase.rules.h
$(O)/cmd/bh-phase.o $(call tool_mods,bh-phase): TOOL_CFLAGS += -I$(O)/gen

ifeq ($(HAVE_JQ),yes)
$(O)/cmd/bh-filter.o $(call tool_mods,bh-filter): TOOL_CFLAGS += -DBH_HAVE_JQ
endif

# Unit tests of lib/, run by tests/lib.bats.
UNIT_LIB := diag opt num escape record pkt tcpfp flow evidence pktbuild
$(O)/tests/unit: tests/unit.c $(patsubst %,$(O)/lib/%.o,$(UNIT_LIB))
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(DEPFLAGS) $(LDFLAGS) -Ilib -o $@ $^ $(LDLIBS) -lm

# The tests run the binaries just built (tests/helper.bash puts $(O)/bin
# first on PATH); `make check` also lints the man pages and replays the
# fuzz seeds and every regression input, plainly and under ASan + UBSan
# (in $(O)/san; `make sanitize`, which runs everything sanitized, leaves
# that out: SAN_REPLAY=).  It installs nothing: `make deps` does.
BATS	?= bats
SAN_REPLAY ?= fuzz-replay-san
check: check-run
check-run: all $(O)/tests/unit lint fuzz-replay $(SAN_REPLAY)
	BH_BIN=$(abspath $(O))/bin BH_HAVE_JQ=$(HAVE_JQ) $(BATS) $(BATSFLAGS) tests

lint:
	mandoc -Tlint -Wwarning $(MAN1) $(MAN5) $(MAN7)
	tests/lint-bats

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
	mkdir -p $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 \
	    $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man7
	for t in $(TOOLS); do install -m 755 $(O)/bin/$$t $(DESTDIR)$(BINDIR)/$$t; done
	for m in $(MAN1); do install -m 644 $$m $(DESTDIR)$(MANDIR)/man1/; done
	for m in $(MAN5); do install -m 644 $$m $(DESTDIR)$(MANDIR)/man5/; done
	for m in $(MAN7); do install -m 644 $$m $(DESTDIR)$(MANDIR)/man7/; done

uninstall:
	for t in $(TOOLS); do rm -f $(DESTDIR)$(BINDIR)/$$t; done
	for m in $(MAN1); do rm -f $(DESTDIR)$(MANDIR)/man1/$${m#man/}; done
	for m in $(MAN5); do rm -f $(DESTDIR)$(MANDIR)/man5/$${m#man/}; done
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
# zlib, liblzma, libzstd, libbz2: compressed captures; gzip, xz, zstd,
# bzip2: the tests compress their fixtures; iproute2, python3: the live
# capture test (a veth pair, a TCP server and client); util-linux: script(1).
DEPS_PKGS := gcc make pkg-config libpcap-dev libjq-dev bats mandoc \
	zlib1g-dev liblzma-dev libzstd-dev libbz2-dev gzip xz-utils zstd bzip2 \
	iproute2 python3-minimal util-linux
DEPS_CHECK := command -v gcc && command -v pkg-config && command -v bats && \
	command -v mandoc && test -e /usr/include/pcap.h && test -e /usr/include/jq.h && \
	test -e /usr/include/zlib.h && test -e /usr/include/lzma.h && \
	test -e /usr/include/zstd.h && test -e /usr/include/bzlib.h && \
	command -v gzip && command -v xz && command -v zstd && command -v bzip2 && \
	command -v ip && command -v python3 && command -v script
deps:
	@if ( $(DEPS_CHECK) ) >/dev/null 2>&1; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ]; then \
		echo "bh: installing $(DEPS_PKGS)" >&2; \
		DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(DEPS_PKGS) >&2 && \
		rm -f $(O)/config.mk; \
	else \
		echo "bh: missing build dependencies; run:" >&2; \
		echo "  sudo apt-get install -y $(DEPS_PKGS)" >&2; \
		exit 2; \
	fi

clean:
	rm -rf $(O) build build-asan build-fuzz

.PHONY: all check check-run lint sanitize install uninstall deps clean

# ---- fuzzing (fuzz/README.md) -------------------------------------------
# A fuzz target, fuzz/fuzz_T.c, calls the functions of a tool's modules
# (or of lib/) the way tcpdump's fuzzers call a printer; it links those
# objects, built as for the tools, and fuzz/fz.o, the output checks the
# targets share.  With any compiler a target links with fuzz/replay.c:
# `fuzz-replay` (part of check-run) runs the seeds and every input that
# ever broke something, each in a process of its own.  With clang it
# links with libFuzzer: `make fuzz` runs each target for FUZZ_TIME
# seconds, `make fuzz-smoke` for a few.
FUZZ_TARGETS ?= pkt ev pcap unzip record phase rtt ttl hist hosts story \
	$(if $(filter yes,$(HAVE_JQ)),filter)
# The tool whose modules a target drives (none: lib/ only), and the lib/
# objects of a target without a tool.
FUZZ_TOOL_pcap	:= bh-sessions
FUZZ_TOOL_unzip	:= bh-sessions
FUZZ_TOOL_phase	:= bh-phase
FUZZ_TOOL_rtt	:= bh-rtt
FUZZ_TOOL_ttl	:= bh-ttl
FUZZ_TOOL_story	:= bh-story
FUZZ_TOOL_hist	:= bh-hist
FUZZ_TOOL_hosts	:= bh-hosts
FUZZ_TOOL_filter := bh-filter
FUZZ_LIB_pkt	:= diag num escape pkt tcpfp flow evidence
FUZZ_LIB_ev	:= diag num escape evidence
FUZZ_LIB_record	:= $(REC_LIB)
fuzz_objs = $(if $(FUZZ_TOOL_$(1)),$(call tool_mods,$(FUZZ_TOOL_$(1))) \
	$(call tool_libs,$(FUZZ_TOOL_$(1))),$(patsubst %,$(O)/lib/%.o,$(FUZZ_LIB_$(1))))
fuzz_libs = $(if $(FUZZ_TOOL_$(1)),$($(FUZZ_TOOL_$(1))_LIBS))

$(O)/fuzz/%.o: fuzz/%.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(DEPFLAGS) $(TOOL_CFLAGS) -Ilib -Icmd -Ifuzz -c -o $@ $<
$(O)/fuzz/fuzz_phase.o: $(O)/gen/bh-phase.rules.h
$(O)/fuzz/fuzz_phase.o: TOOL_CFLAGS += -I$(O)/gen
$(O)/fuzz/fuzz_pcap.o $(O)/fuzz/fuzz_unzip.o: TOOL_CFLAGS += $(PCAP_CFLAGS)
$(O)/fuzz/fuzz_filter.o: TOOL_CFLAGS += -DBH_HAVE_JQ

define fuzz_rule
$(O)/fuzz/replay-$(1): $(O)/fuzz/fuzz_$(1).o $(O)/fuzz/replay.o $(O)/fuzz/fz.o $(call fuzz_objs,$(1))
	$$(CC) $$(CFLAGS) $$(LDFLAGS) -o $$@ $$^ $$(call fuzz_libs,$(1)) $$(LDLIBS) -lm
$(O)/fuzz/libfuzzer-$(1): $(O)/fuzz/fuzz_$(1).o $(O)/fuzz/fz.o $(call fuzz_objs,$(1))
	$$(CC) $$(CFLAGS) $$(LDFLAGS) -fsanitize=fuzzer -o $$@ $$^ \
	    $$(call fuzz_libs,$(1)) $$(LDLIBS) -lm
endef
$(foreach t,pkt ev pcap unzip record phase rtt ttl hist hosts story filter,$(eval $(call fuzz_rule,$(t))))
.SECONDARY: $(O)/fuzz/replay.o $(O)/fuzz/fz.o \
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
