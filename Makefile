# One build for every example. An example is a pair DIR/NAME.bpf.c +
# DIR/NAME.c; the binary is DIR/NAME, intermediates live in .output/.
# A copied-and-renamed directory builds with no edit here.

OUTPUT     ?= .output
# Where the loaders land: next to their sources unless set (make
# test-asan puts its sanitized build under $(OUTPUT)/asan/bin/).
BINDIR     ?=
ARCH       ?= $(shell uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/' \
			-e 's/ppc64le/powerpc/' -e 's/riscv64/riscv/' -e 's/s390x/s390/' \
			-e 's/loongarch64/loongarch/')
# Newest clang first: BPF code generation improves with every release.
CLANG      ?= $(firstword $(foreach v,21 20 19 18 17 16 15 14,$(shell command -v clang-$(v))) \
			$(shell command -v clang))
BPFTOOL    ?= $(shell PATH="$$PATH:/usr/sbin:/sbin" command -v bpftool)
CC         ?= cc
PKG_CONFIG ?= pkg-config

VMLINUX_DIR := vmlinux/$(ARCH)
ifeq ($(wildcard $(VMLINUX_DIR)/vmlinux.h),)
# No committed header for this architecture: generate one from the
# running kernel's BTF (needs CONFIG_DEBUG_INFO_BTF).
VMLINUX_DIR := $(OUTPUT)/vmlinux/$(ARCH)
endif
VMLINUX_H := $(VMLINUX_DIR)/vmlinux.h

CFLAGS     ?= -g -O2
# What the code needs survives a CFLAGS given on the command line
# (make CFLAGS='-O1 -fsanitize=address'): override appends to it.
override CFLAGS += -Wall -Wextra -Wno-unused-parameter -Werror -std=gnu11 -D_GNU_SOURCE
LDFLAGS    ?=
LIBBPF_CFLAGS = $(shell $(PKG_CONFIG) --cflags libbpf 2>/dev/null)
LDLIBS     += $(shell $(PKG_CONFIG) --libs libbpf 2>/dev/null || echo -lbpf) -lelf -lz -lmnl
BPF_CFLAGS := -g -O2 -target bpf -D__TARGET_ARCH_$(ARCH) -Wall -Werror \
	      -I$(VMLINUX_DIR) -Icommon

# LIBBPF_SRC=1: link a pinned libbpf release built statically from its
# source tarball into $(OUTPUT)/libbpf, for distributions whose libbpf is
# older than 1.3 (Ubuntu 22.04 has 0.5). `sudo scripts/setup.sh
# --libbpf-from-source` fetches the tarball into LIBBPF_CACHE. After
# switching between the two, run `make clean`.
LIBBPF_VERSION := 1.4.6
LIBBPF_CACHE   ?= /var/cache/ebpf-catalog-libbpf
LIBBPF_TARBALL ?= $(LIBBPF_CACHE)/libbpf-$(LIBBPF_VERSION).tar.gz
ifeq ($(LIBBPF_SRC),1)
LIBBPF_DIR    := $(abspath $(OUTPUT))/libbpf
LIBBPF_A      := $(LIBBPF_DIR)/lib/libbpf.a
LIBBPF_CFLAGS := -I$(LIBBPF_DIR)/include
LDLIBS        := $(LIBBPF_A) -lelf -lz -lmnl
BPF_CFLAGS    += -I$(LIBBPF_DIR)/include
export PKG_CONFIG_PATH := $(LIBBPF_DIR)/lib/pkgconfig
endif

ifeq ($(V),1)
Q :=
msg :=
else
Q := @
msg = @printf '  %-8s %s\n' "$(1)" "$(2)";
endif

ifeq ($(LIBBPF_SRC),1)
$(LIBBPF_A):
	@test -r $(LIBBPF_TARBALL) || { echo "no $(LIBBPF_TARBALL): run 'sudo scripts/setup.sh --libbpf-from-source' (or set LIBBPF_TARBALL)" >&2; exit 1; }
	$(call msg,LIBBPF,$(LIBBPF_VERSION) from $(LIBBPF_TARBALL))
	$(Q)rm -rf $(LIBBPF_DIR) && mkdir -p $(LIBBPF_DIR)/src $(LIBBPF_DIR)/obj
	$(Q)tar -xzf $(LIBBPF_TARBALL) -C $(LIBBPF_DIR)/src --strip-components=1
	$(Q)$(MAKE) --no-print-directory -s -C $(LIBBPF_DIR)/src/src BUILD_STATIC_ONLY=1 \
		OBJDIR=$(LIBBPF_DIR)/obj DESTDIR=$(LIBBPF_DIR) PREFIX= LIBDIR=/lib \
		INCLUDEDIR=/include UAPIDIR=/include install install_uapi_headers >/dev/null
	$(Q)sed -i -e 's|^prefix=.*|prefix=$(LIBBPF_DIR)|' -e 's|^libdir=.*|libdir=$${prefix}/lib|' $(LIBBPF_DIR)/lib/pkgconfig/libbpf.pc
endif

# Example discovery: DIR/NAME.bpf.c with a DIR/NAME.c. The benchmarks'
# tools, bench/DIR/NAME.bpf.c + .c, build the same way and with every
# `make`, but are no examples (no `make DIR`, not in `make help`'s list).
pairs     = $(foreach s,$(1),$(if $(wildcard $(s:.bpf.c=.c)),$(s:.bpf.c=)))
BPF_SRCS := $(sort $(wildcard */*.bpf.c))
EXAMPLES := $(call pairs,$(BPF_SRCS))
TOOLS    := $(call pairs,$(sort $(wildcard bench/*/*.bpf.c)))
APPS     := $(EXAMPLES) $(TOOLS)
APP_DIRS := $(sort $(patsubst %/,%,$(dir $(EXAMPLES))))
SKELS    := $(foreach a,$(APPS),$(OUTPUT)/$(a).skel.h)
BINS     := $(addprefix $(BINDIR),$(APPS))

COMMON_SRCS := $(wildcard common/*.c)
COMMON_OBJS := $(patsubst %.c,$(OUTPUT)/%.o,$(COMMON_SRCS))
COMMON_HDRS := $(wildcard common/*.h)
LIBCOMMON   := $(OUTPUT)/common/libcommon.a

# tests/DIR/NAME.c builds .output/tests/DIR/NAME: unit tests (NAME_test,
# run by the runner) and small programs the scenario tests drive.
TEST_SRCS  := $(sort $(filter-out tests/lib/%,$(wildcard tests/*/*.c)))
TEST_BINS  := $(patsubst %.c,$(OUTPUT)/%,$(TEST_SRCS))
TEST_HDRS  := $(wildcard tests/lib/*.h)

TOOLCHAIN_OK := $(OUTPUT)/toolchain.ok

.DELETE_ON_ERROR:
.SECONDARY:
.PHONY: all clean vmlinux check-env setup demo doctest test test-bins test-asan bench help vmtest diagrams clean-vmtest $(APP_DIRS)

all: $(BINS)

help:
	@echo "make                build every example ($(words $(EXAMPLES)) found) and the benchmarks' tools in bench/"
	@echo "make DIR            build one directory: $(APP_DIRS)"
	@echo "make test [T=PAT]   set up, build and run the tests (PAT: xdp, xdp/icmp ...)"
	@echo "make test-asan      the hostile/ tests against loaders built with ASan + UBSan"
	@echo "make demo           set up, build and run the XDP ICMP demo"
	@echo "make doctest [DOC=README.md]  run the READMEs' marked recipes (part of make test)"
	@echo "make diagrams       render the READMEs' pictures (DIR/doc/*.svg) from their .dot"
	@echo "make vmtest KERNEL=6.1|6.12|FILE.deb [T=PAT]"
	@echo "                    run the tests on that kernel under QEMU, a guest per CPU (cache: $(VMTEST_CACHE))"
	@echo "make check-env      what this kernel and toolchain support, per example"
	@echo "make vmlinux        regenerate $(VMLINUX_DIR)/vmlinux.h from this kernel"
	@echo "make bench          run the benchmarks (scripts/bench)"
	@echo "make new NAME=mytool FROM=xdp/xdp_drop [DEST=../mytool]"
	@echo "                    start your own tool from an example (scripts/new.sh)"
	@echo "make clean          remove binaries and $(OUTPUT)/"
	@echo "make clean-vmtest   remove the kernels and busybox that make vmtest downloaded"
	@echo "V=1                 show every command"

# `make xdp` builds the binaries of xdp/.
define dir_rule
$(1): $(addprefix $(BINDIR),$(filter $(1)/%,$(APPS)))
endef
$(foreach d,$(APP_DIRS),$(eval $(call dir_rule,$(d))))

$(TOOLCHAIN_OK): scripts/check-toolchain.sh $(LIBBPF_A)
	$(Q)mkdir -p $(@D)
	$(Q)CLANG="$(CLANG)" BPFTOOL="$(BPFTOOL)" PKG_CONFIG="$(PKG_CONFIG)" \
		scripts/check-toolchain.sh
	$(Q)touch $@

$(OUTPUT)/vmlinux/$(ARCH)/vmlinux.h: | $(TOOLCHAIN_OK)
	$(Q)mkdir -p $(@D)
	$(Q)if [ ! -r /sys/kernel/btf/vmlinux ]; then \
		echo "no vmlinux/$(ARCH)/vmlinux.h and no /sys/kernel/btf/vmlinux: build on a kernel with CONFIG_DEBUG_INFO_BTF=y, or copy a vmlinux.h for $(ARCH) into vmlinux/$(ARCH)/" >&2; \
		exit 1; fi
	$(call msg,GEN,$@)
	$(Q)$(BPFTOOL) btf dump file /sys/kernel/btf/vmlinux format c > $@

vmlinux: | $(TOOLCHAIN_OK)
	@test -r /sys/kernel/btf/vmlinux || \
		{ echo "/sys/kernel/btf/vmlinux missing: this kernel has no BTF (CONFIG_DEBUG_INFO_BTF)" >&2; exit 1; }
	@mkdir -p vmlinux/$(ARCH)
	$(call msg,GEN,vmlinux/$(ARCH)/vmlinux.h)
	$(Q)$(BPFTOOL) btf dump file /sys/kernel/btf/vmlinux format c > vmlinux/$(ARCH)/vmlinux.h

# BPF objects: clang, then bpftool gen object (static linking, sanitised
# ELF), then the skeleton.
$(OUTPUT)/%.tmp.bpf.o: %.bpf.c $(VMLINUX_H) $(wildcard common/*.bpf.h) $(wildcard */*.h) | $(TOOLCHAIN_OK)
	$(call msg,BPF,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(BPF_CFLAGS) -I$(dir $<) -c $< -o $@

$(OUTPUT)/%.bpf.o: $(OUTPUT)/%.tmp.bpf.o
	$(Q)$(BPFTOOL) gen object $@ $<

$(OUTPUT)/%.skel.h: $(OUTPUT)/%.bpf.o
	$(call msg,GEN-SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< > $@

# User space. Every loader may include its own skeleton and header.
$(OUTPUT)/common/%.o: common/%.c $(COMMON_HDRS) | $(TOOLCHAIN_OK)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) $(LIBBPF_CFLAGS) -Icommon -c $< -o $@

$(LIBCOMMON): $(COMMON_OBJS)
	$(call msg,AR,$@)
	$(Q)$(AR) rcs $@ $^

# DIR/NAME-*.c (sk_skb/sk_skb-relay.c) are more of NAME's own sources,
# linked into it: what is not the lesson can leave NAME.c that way.
define app_rule
$(OUTPUT)/$(1).o $(patsubst %.c,$(OUTPUT)/%.o,$(wildcard $(1)-*.c)): $(OUTPUT)/%.o: %.c \
		$(OUTPUT)/$(1).skel.h $(COMMON_HDRS) $(wildcard $(dir $(1))*.h)
	$$(call msg,CC,$$@)
	$(Q)$$(CC) $$(CFLAGS) $$(LIBBPF_CFLAGS) -Icommon -I$(OUTPUT)/$(dir $(1)) -I$(dir $(1)) -c $$< -o $$@

$(BINDIR)$(1): $(OUTPUT)/$(1).o $(patsubst %.c,$(OUTPUT)/%.o,$(wildcard $(1)-*.c)) $(LIBCOMMON)
	$$(call msg,BINARY,$$@)
	$(Q)mkdir -p $$(@D)
	$(Q)$$(CC) $$(CFLAGS) $$(LDFLAGS) $$^ $$(LDLIBS) -o $$@
endef
$(foreach a,$(APPS),$(eval $(call app_rule,$(a))))

# tests/DIR/X.c may include the skeletons and headers of DIR. In a
# pattern rule a literal % would become the stem: spell it through PCT.
PCT := %
.SECONDEXPANSION:
$(OUTPUT)/tests/%: tests/%.c $$(filter $(OUTPUT)/$$(firstword $$(subst /, ,$$*))/$$(PCT),$(SKELS)) \
		$(TEST_HDRS) $(COMMON_HDRS) $(LIBCOMMON)
	$(call msg,TEST-CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) $(LIBBPF_CFLAGS) -Icommon -Itests/lib -I$(OUTPUT) -I. \
		$(LDFLAGS) $< $(LIBCOMMON) $(LDLIBS) -o $@

# BPF objects the lab loads with iproute2 (tests/lib/NAME.bpf.c).
TEST_BPF_OBJS := $(patsubst %.bpf.c,$(OUTPUT)/%.bpf.o,$(wildcard tests/lib/*.bpf.c))
# The examples that have --trace, built with the tracing compiled out: the
# unit tests compare the verifier's work on them with tracing off.
UNTRACED_OBJS := $(patsubst %.bpf.c,$(OUTPUT)/tests/untraced/%.bpf.o,\
		   $(shell grep -l '^\#include "trace.bpf.h"' $(BPF_SRCS)))
TEST_BPF_OBJS += $(UNTRACED_OBJS)
$(OUTPUT)/tests/untraced/%.bpf.o: %.bpf.c $(VMLINUX_H) $(wildcard common/*.bpf.h) $(wildcard */*.h) | $(TOOLCHAIN_OK)
	$(call msg,BPF,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(BPF_CFLAGS) -DTRACE_COMPILED_OUT -I$(dir $<) -c $< -o $@

test-bins: $(BINS) $(TEST_BINS) $(TEST_BPF_OBJS)

setup:
	@scripts/setup.sh

# setup first, then a fresh make: the toolchain may only exist after it.
test: setup
	@$(MAKE) --no-print-directory test-bins
	@tests/run.sh $(T)

# The loaders built with AddressSanitizer and UBSan into $(ASAN_OUT)
# (the normal build is left alone), then the hostile/ tests run them:
# the bad-input matrix, one short run of every loader, the signal and
# concurrency matrices. Any sanitizer report ends the loader with status
# 99, which the tests count as a failure.
ASAN_OUT   := $(OUTPUT)/asan
ASAN_FLAGS := -g -O1 -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all
test-asan: setup
	@$(MAKE) --no-print-directory test-bins
	@$(MAKE) --no-print-directory OUTPUT=$(ASAN_OUT) BINDIR=$(ASAN_OUT)/bin/ \
		CFLAGS='$(ASAN_FLAGS)' LDFLAGS='-fsanitize=address,undefined' all
	@LOADER_ROOT=$(ASAN_OUT)/bin TEST_TIMEOUT=$${TEST_TIMEOUT:-900} \
		ASAN_OPTIONS=halt_on_error=1:exitcode=99:detect_leaks=1:abort_on_error=0 \
		UBSAN_OPTIONS=halt_on_error=1:exitcode=99:print_stacktrace=1 \
		tests/run.sh $(or $(T),hostile/)

demo: setup
	@$(MAKE) --no-print-directory all
	@scripts/demo.sh

# Run the README recipes marked <!-- doctest --> (DOC=path/README.md for one).
doctest: setup
	@$(MAKE) --no-print-directory test-bins
	@scripts/doctest.py $(DOC)

# The READMEs' pictures: DIR/doc/NAME.svg from DIR/doc/NAME.dot (Graphviz).
diagrams:
	@command -v dot >/dev/null || { echo "make diagrams: needs Graphviz's dot (scripts/setup.sh)" >&2; exit 1; }
	@for f in */doc/*.dot; do [ -e "$$f" ] || continue; \
		dot -Tsvg "$$f" -o "$${f%.dot}.svg" && echo "$${f%.dot}.svg"; done

check-env:
	@scripts/check-env.sh $(APP_DIRS)

bench: setup
	@$(MAKE) --no-print-directory all
	@scripts/bench/run.sh

# A standalone project (DEST outside the tree, default ../NAME) or a new
# example directory (DEST a top-level directory of the tree).
new:
	@scripts/new.sh "$(NAME)" "$(FROM)" $(if $(DEST),"$(DEST)")

# .gitignore lists the binaries by name, from the discovery above, after
# its marker line; a data file beside an example stays visible to git.
# Every `make` brings the list up to date.
.PHONY: new gitignore
all: gitignore
GITIGNORE_MARK := \# Built binaries (make rewrites the lines below from its discovery)
gitignore:
	$(Q)mkdir -p $(OUTPUT)
	$(Q){ sed '/^$(GITIGNORE_MARK)/,$$d' .gitignore; echo '$(GITIGNORE_MARK)'; \
		printf '/%s\n' $(APPS); } > $(OUTPUT)/gitignore.tmp
	$(Q)if cmp -s $(OUTPUT)/gitignore.tmp .gitignore; then rm -f $(OUTPUT)/gitignore.tmp; \
		else mv $(OUTPUT)/gitignore.tmp .gitignore; fi

clean:
	$(call msg,CLEAN,$(OUTPUT) and binaries)
	$(Q)rm -rf $(OUTPUT) $(BINS)

# Another kernel under QEMU: scripts/vmtest.sh downloads it (and
# busybox-static) into VMTEST_CACHE, installs nothing but QEMU.
VMTEST_CACHE ?= /var/cache/ebpf-catalog-vmtest
export VMTEST_CACHE

vmtest:
	@test -n "$(KERNEL)" || { echo "usage: make vmtest KERNEL=6.1|6.12|FILE.deb [T=PATTERN]" >&2; exit 2; }
	@scripts/setup.sh --vmtest
	@$(MAKE) --no-print-directory test-bins
	@scripts/vmtest.sh --kernel $(KERNEL) $(if $(T),"T=$(T)")

clean-vmtest:
	$(call msg,CLEAN,$(VMTEST_CACHE) and $(OUTPUT)/vmtest)
	$(Q)rm -rf $(VMTEST_CACHE) $(OUTPUT)/vmtest
