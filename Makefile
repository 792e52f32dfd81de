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
CFLAGS  += -std=c17 -D_GNU_SOURCE -DMD_VERSION=\"$(VERSION)\" $(WARN) -Isrc -MMD -MP \
           -fstack-protector-strong -D_FORTIFY_SOURCE=2 -fPIE
LDFLAGS += -pie -Wl,-O1 -Wl,--as-needed -Wl,-z,relro,-z,now

HOT_PKGS   = json-c libseccomp libcap libmnl
IMAGE_PKGS = json-c libarchive libcrypto libcurl
HOT_CFLAGS   := $(shell $(PKG) --cflags $(HOT_PKGS))
HOT_LIBS     := $(shell $(PKG) --libs $(HOT_PKGS))
IMAGE_CFLAGS := $(shell $(PKG) --cflags $(IMAGE_PKGS))
IMAGE_LIBS   := $(shell $(PKG) --libs $(IMAGE_PKGS))

LIB_SRCS   = $(wildcard src/util/*.c src/runtime/*.c src/engine/*.c src/image/*.c src/cgroup/*.c src/net/*.c)
CMD_SRCS   = src/mydocker.c $(wildcard src/cmd/*.c)
TOOL_SRCS  = $(wildcard src/imagetool/*.c)
RUNC_SRCS  = $(wildcard src/runc/*.c)
UNIT_SRCS  = $(wildcard tests/unit/test_*.c)

LIB_OBJS  = $(LIB_SRCS:%.c=$(BUILD)/obj/%.o)
CMD_OBJS  = $(CMD_SRCS:%.c=$(BUILD)/obj/%.o)
TOOL_OBJS = $(TOOL_SRCS:%.c=$(BUILD)/obj/%.o)
RUNC_OBJS = $(RUNC_SRCS:%.c=$(BUILD)/obj/%.o)
UNIT_BINS = $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/%)

PROBES    = $(BUILD)/probes/escape

all: $(BUILD)/mydocker $(BUILD)/mydocker-image $(BUILD)/mydocker-monitor $(BUILD)/mydocker-runc $(UNIT_BINS) $(PROBES)

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC $<"
	@$(CC) $(CFLAGS) $(HOT_CFLAGS) $(IMAGE_CFLAGS) -c -o $@ $<

$(BUILD)/libmydocker.a: $(LIB_OBJS)
	@rm -f $@
	@ar rcs $@ $^

$(BUILD)/mydocker: $(CMD_OBJS) $(BUILD)/libmydocker.a
	@echo "  LD $@"
	@$(CC) $(LDFLAGS) -o $@ $(CMD_OBJS) $(BUILD)/libmydocker.a $(HOT_LIBS)

$(BUILD)/mydocker-image: $(TOOL_OBJS) $(BUILD)/libmydocker.a
	@echo "  LD $@"
	@$(CC) $(LDFLAGS) -o $@ $(TOOL_OBJS) $(BUILD)/libmydocker.a $(IMAGE_LIBS) $(HOT_LIBS) -lpthread

# the runc-compatible OCI runtime (docs/oci-runtime.md): the same core, hot libraries only
$(BUILD)/mydocker-runc: $(RUNC_OBJS) $(BUILD)/libmydocker.a
	@echo "  LD $@"
	@$(CC) $(LDFLAGS) -o $@ $(RUNC_OBJS) $(BUILD)/libmydocker.a $(HOT_LIBS)

# libc only, nothing else: one of these stays resident per detached container
$(BUILD)/mydocker-monitor: src/monitor/monitor.c src/util/jsonlog.c src/util/jsonlog.h Makefile
	@mkdir -p $(dir $@)
	@echo "  LD $@"
	@$(CC) -std=c17 -O2 -Wall -Wextra -Werror -Wshadow -static -Isrc -o $@ src/monitor/monitor.c src/util/jsonlog.c

# escape probes run inside containers (tests/integration/test_security.sh):
# static, since an image may have no libc
$(BUILD)/probes/%: tests/probes/%.c
	@mkdir -p $(dir $@)
	@echo "  LD $@"
	@$(CC) -std=c17 -D_GNU_SOURCE -O2 -Wall -Wextra -Werror -Wshadow -static -o $@ $<

# the image tool's unit test links its objects (not its main) and its libraries
$(BUILD)/tests/test_imagetool: tests/unit/test_imagetool.c $(filter-out %/main.o,$(TOOL_OBJS)) \
                               $(BUILD)/libmydocker.a tests/unit/unit.h
	@mkdir -p $(dir $@)
	@echo "  LD $@"
	@$(CC) $(CFLAGS) $(HOT_CFLAGS) $(IMAGE_CFLAGS) $(LDFLAGS) -Itests/unit -o $@ $< \
		$(filter-out %/main.o,$(TOOL_OBJS)) $(BUILD)/libmydocker.a $(IMAGE_LIBS) $(HOT_LIBS) -lpthread

$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/libmydocker.a tests/unit/unit.h
	@mkdir -p $(dir $@)
	@echo "  LD $@"
	@$(CC) $(CFLAGS) $(HOT_CFLAGS) $(LDFLAGS) -Itests/unit -o $@ $< $(BUILD)/libmydocker.a $(HOT_LIBS)

clean:
	rm -rf $(BUILD)

format:
	clang-format -i $(LIB_SRCS) $(CMD_SRCS) $(TOOL_SRCS) $(RUNC_SRCS) $(wildcard src/*/*.h)

.PHONY: all clean format
-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
