# mydocker build. `make` builds build/mydocker (hot paths: json-c, libcap,
# libseccomp only), build/mydocker-image (image tools: libarchive, libcrypto)
# and the unit tests. See docs/architecture.md for why there are two binaries.
CC      ?= gcc
PKG     ?= pkg-config
BUILD   ?= build
VERSION ?= 0.1.0

WARN    = -Wall -Wextra -Werror -Wformat=2 -Wformat-security -Wshadow -Wno-unused-parameter \
          -Wstrict-prototypes -Wmissing-prototypes -Wvla
CFLAGS  ?= -O2 -g
# SAN: extra flags for a sanitizer build (make asan); empty otherwise
SAN     ?=
CFLAGS  += $(SAN) -std=c17 -D_GNU_SOURCE -DMD_VERSION=\"$(VERSION)\" $(WARN) -Isrc -MMD -MP \
           -fstack-protector-strong -D_FORTIFY_SOURCE=2 -fPIE
LDFLAGS += $(SAN) -pie -Wl,-O1 -Wl,--as-needed -Wl,-z,relro,-z,now

HOT_PKGS   = json-c libseccomp libcap libmnl
API_PKGS   = libmicrohttpd
COMPOSE_PKGS = yaml-0.1 libcrypto
IMAGE_PKGS = json-c libarchive libcrypto libcurl
HOT_CFLAGS   := $(shell $(PKG) --cflags $(HOT_PKGS))
HOT_LIBS     := $(shell $(PKG) --libs $(HOT_PKGS))
# The start-time binaries (mydocker, mydocker-runc) take json-c, libseccomp and libcap from
# their Debian static archives: no loading or symbol binding of three libraries at every
# command, ~0.16 ms (docs/architecture.md). libmnl has no archive in Debian: shared.
HOT_LINK     := -Wl,-Bstatic $(shell $(PKG) --libs-only-l json-c libseccomp libcap) -Wl,-Bdynamic \
                $(shell $(PKG) --libs libmnl)
IMAGE_CFLAGS := $(shell $(PKG) --cflags $(IMAGE_PKGS))
IMAGE_LIBS   := $(shell $(PKG) --libs $(IMAGE_PKGS))
API_CFLAGS   := $(shell $(PKG) --cflags $(API_PKGS))
API_LIBS     := $(shell $(PKG) --libs $(API_PKGS))
COMPOSE_CFLAGS := $(shell $(PKG) --cflags $(COMPOSE_PKGS))
COMPOSE_LIBS   := $(shell $(PKG) --libs $(COMPOSE_PKGS))

LIB_SRCS   = $(wildcard src/util/*.c src/runtime/*.c src/engine/*.c src/image/*.c src/cgroup/*.c src/store/*.c src/net/*.c)
CLI_SRCS   = $(wildcard src/cli/*.c)
CMD_SRCS   = src/mydocker.c $(wildcard src/cmd/*.c)
TOOL_SRCS  = $(wildcard src/imagetool/*.c)
API_SRCS   = $(wildcard src/api/*.c)
COMPOSE_SRCS = $(wildcard src/compose/*.c)
RUNC_SRCS  = $(wildcard src/runc/*.c)
UNIT_SRCS  = $(wildcard tests/unit/test_*.c)

LIB_OBJS  = $(LIB_SRCS:%.c=$(BUILD)/obj/%.o)
CLI_OBJS  = $(CLI_SRCS:%.c=$(BUILD)/obj/%.o)
CMD_OBJS  = $(CMD_SRCS:%.c=$(BUILD)/obj/%.o)
TOOL_OBJS = $(TOOL_SRCS:%.c=$(BUILD)/obj/%.o)
API_OBJS  = $(API_SRCS:%.c=$(BUILD)/obj/%.o)
COMPOSE_OBJS = $(COMPOSE_SRCS:%.c=$(BUILD)/obj/%.o)
RUNC_OBJS = $(RUNC_SRCS:%.c=$(BUILD)/obj/%.o)
UNIT_BINS = $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/%)

PROBES    = $(BUILD)/probes/escape $(BUILD)/probes/pause

all: $(BUILD)/mydocker $(BUILD)/mydocker-image $(BUILD)/mydocker-api $(BUILD)/mydocker-compose $(BUILD)/mydocker-monitor $(BUILD)/mydocker-runc $(UNIT_BINS) $(PROBES)

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC $<"
	@$(CC) $(CFLAGS) $(HOT_CFLAGS) $(IMAGE_CFLAGS) $(API_CFLAGS) $(COMPOSE_CFLAGS) -c -o $@ $<

$(BUILD)/libmydocker.a: $(LIB_OBJS)
	@rm -f $@
	@ar rcs $@ $^

# front-end helpers shared by the command binaries (argv parsing, tables,
# templates): never linked into the library layers
$(BUILD)/libmdcli.a: $(CLI_OBJS)
	@rm -f $@
	@ar rcs $@ $^

$(BUILD)/mydocker: $(CMD_OBJS) $(BUILD)/libmdcli.a $(BUILD)/libmydocker.a
	@echo "  LD $@"
	@$(CC) $(LDFLAGS) -o $@ $(CMD_OBJS) $(BUILD)/libmdcli.a $(BUILD)/libmydocker.a $(HOT_LINK)

$(BUILD)/mydocker-image: $(TOOL_OBJS) $(BUILD)/libmdcli.a $(BUILD)/libmydocker.a
	@echo "  LD $@"
	@$(CC) $(LDFLAGS) -o $@ $(TOOL_OBJS) $(BUILD)/libmdcli.a $(BUILD)/libmydocker.a $(IMAGE_LIBS) $(HOT_LIBS) -lpthread

# the runc-compatible OCI runtime (docs/oci-runtime.md): the same core, hot libraries only
# the Engine API server: libmicrohttpd, off the hot path (docs/api.md)
$(BUILD)/mydocker-api: $(API_OBJS) $(BUILD)/libmdcli.a $(BUILD)/libmydocker.a
	@echo "  LD $@"
	@$(CC) $(LDFLAGS) -o $@ $(API_OBJS) $(BUILD)/libmdcli.a $(BUILD)/libmydocker.a $(API_LIBS) $(HOT_LIBS) -lpthread -lutil

# `mydocker compose` (docs/compose.md): libyaml and libcrypto, off the hot path
$(BUILD)/mydocker-compose: $(COMPOSE_OBJS) $(BUILD)/libmdcli.a $(BUILD)/libmydocker.a
	@echo "  LD $@"
	@$(CC) $(LDFLAGS) -o $@ $(COMPOSE_OBJS) $(BUILD)/libmdcli.a $(BUILD)/libmydocker.a $(COMPOSE_LIBS) $(HOT_LIBS)

# static-pie, as the monitor: containerd and podman run it several times per container, and a
# static start is ~0.25 ms shorter than a dynamic one (no ld.so, no libraries to bind). It
# needs nothing of NSS or dlopen (a link warning would say so).
$(BUILD)/mydocker-runc: $(RUNC_OBJS) $(BUILD)/libmydocker.a
	@echo "  LD $@"
	@$(CC) $(SAN) $(if $(SAN),-pie,-static-pie) -Wl,-O1 -Wl,-z,relro,-z,now -o $@ $(RUNC_OBJS) \
		$(BUILD)/libmydocker.a $(if $(SAN),$(HOT_LIBS),$(shell $(PKG) --static --libs-only-l json-c libseccomp libcap))

# libc only, nothing else: one of these stays resident per detached container
$(BUILD)/mydocker-monitor: src/monitor/monitor.c src/util/jsonlog.c src/util/jsonlog.h Makefile
	@mkdir -p $(dir $@)
	@echo "  LD $@"
	@$(CC) -std=c17 -O2 $(WARN) -fstack-protector-strong -D_FORTIFY_SOURCE=2 -fPIE -static-pie \
		-Wl,-z,relro,-z,now -Isrc -o $@ src/monitor/monitor.c src/util/jsonlog.c

# escape probes run inside containers (tests/integration/test_security.sh):
# static, since an image may have no libc
$(BUILD)/probes/%: tests/probes/%.c
	@mkdir -p $(dir $@)
	@echo "  LD $@"
	@$(CC) -std=c17 -D_GNU_SOURCE -O2 -Wall -Wextra -Werror -Wshadow -static -o $@ $<

# the image tool's unit test links its objects (not its main) and its libraries
$(BUILD)/tests/test_imagetool $(BUILD)/tests/test_dockerfile: $(BUILD)/tests/test_%: tests/unit/test_%.c \
        $(filter-out %/main.o,$(TOOL_OBJS)) $(BUILD)/libmdcli.a $(BUILD)/libmydocker.a tests/unit/unit.h
	@mkdir -p $(dir $@)
	@echo "  LD $@"
	@$(CC) $(CFLAGS) $(HOT_CFLAGS) $(IMAGE_CFLAGS) $(LDFLAGS) -Itests/unit -o $@ $< \
		$(filter-out %/main.o,$(TOOL_OBJS)) $(BUILD)/libmdcli.a $(BUILD)/libmydocker.a $(IMAGE_LIBS) $(HOT_LIBS) -lpthread

$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/libmdcli.a $(BUILD)/libmydocker.a tests/unit/unit.h
	@mkdir -p $(dir $@)
	@echo "  LD $@"
	@$(CC) $(CFLAGS) $(HOT_CFLAGS) $(LDFLAGS) -Itests/unit -o $@ $< $(BUILD)/libmdcli.a $(BUILD)/libmydocker.a $(HOT_LIBS)

clean:
	rm -rf $(BUILD) build-asan build-fuzz

# every C file and header of the tree, one style (.clang-format)
FORMAT_FILES = $(wildcard src/*.c src/*/*.c src/*/*.h tests/unit/*.c tests/unit/*.h tests/probes/*.c tests/fuzz/*.c bench/*.c)

format:
	clang-format -i $(FORMAT_FILES)

format-check:
	@clang-format --dry-run -Werror $(FORMAT_FILES) && echo "format-check: $(words $(FORMAT_FILES)) files formatted"

# the unit tests, each ending with its "N passed, N failed" line
check: all
	@fail=0; for t in $(UNIT_BINS); do $$t | tail -n 1 || fail=1; done; exit $$fail

# AddressSanitizer + UBSan: the unit tests and a short smoke run of real
# containers, in a build tree of their own (build-asan/)
ASAN = -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
asan:
	@$(MAKE) -s BUILD=build-asan SAN="$(ASAN)" all
	@tests/asan.sh build-asan

# libFuzzer targets (tests/fuzz/), clang with ASan + UBSan, in build-fuzz/:
# tests/integration/test_fuzz.sh runs each for a bounded time
FUZZ_TARGETS = spec ref ports template manifest mounts
FUZZ_SAN = -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
fuzz:
	@$(MAKE) -s CC=clang BUILD=build-fuzz SAN="$(FUZZ_SAN)" WARN="-Wall -Wno-unused-parameter" fuzz-bins

fuzz-bins: $(FUZZ_TARGETS:%=$(BUILD)/fuzz/fuzz_%)

$(BUILD)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(BUILD)/libmdcli.a $(BUILD)/libmydocker.a $(filter-out %/main.o,$(TOOL_OBJS))
	@mkdir -p $(dir $@)
	@echo "  LD $@"
	@$(CC) $(CFLAGS) $(HOT_CFLAGS) $(IMAGE_CFLAGS) $(LDFLAGS) -fsanitize=fuzzer -o $@ $< \
		$(filter-out %/main.o,$(TOOL_OBJS)) $(BUILD)/libmdcli.a $(BUILD)/libmydocker.a $(IMAGE_LIBS) $(HOT_LIBS) -lpthread

.PHONY: all clean format format-check check asan fuzz fuzz-bins
-include $(shell find $(BUILD)/obj $(BUILD)/tests -name '*.d' 2>/dev/null)
