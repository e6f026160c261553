# credmon - one plain Makefile. Settings first; `make V=1` shows commands.
#
#   make            build ./credmon
#   make run        install missing packages, build, import fixtures/yaan,
#                   write reports/511800/2018-12/
#   make test       build and run every test twice: plainly, then under
#                   AddressSanitizer + UndefinedBehaviorSanitizer
#   make install    PREFIX=/usr/local DESTDIR=
#   make clean

PREFIX   ?= /usr/local
DESTDIR  ?=
CC       ?= cc
PKGS      = sqlite3 xlsxwriter libpcre2-8
# Lazily expanded: `make run` installs packages before these are first used.
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lhpdf -lm -pthread
TEST_LIBS  = $(shell pkg-config --libs cmocka 2>/dev/null)

CWARNS   = -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
           -Wmissing-prototypes -Wwrite-strings
CFLAGS  ?= -O2 -g
SAN_FLAGS = -fsanitize=address,undefined -fno-sanitize-recover=all \
            -fno-omit-frame-pointer -O1 -g

# Build variant: plain (default) or san.
# ThreadSanitizer, for the modules that run threads (micro.c's reading
# thread, derive.c's statements on several connections)
TSAN_FLAGS = -fsanitize=thread -fno-omit-frame-pointer -O1 -g
TSAN_TESTS = test_micro test_derive

VARIANT ?= plain
ifeq ($(VARIANT),san)
  VFLAGS = $(SAN_FLAGS)
else ifeq ($(VARIANT),tsan)
  VFLAGS = $(TSAN_FLAGS)
else
  VFLAGS = $(CFLAGS)
endif
B = build/$(VARIANT)

ALL_CFLAGS = -std=c11 -D_POSIX_C_SOURCE=200809L -pthread $(CWARNS) $(VFLAGS) \
             -MMD -MP -Iengine $(PKG_CFLAGS)

Q = @
ifeq ($(V),1)
  Q =
endif
# ---- END OF USER SETTINGS ----

LIB_SRC  = $(filter-out engine/main.c,$(wildcard engine/*.c))
LIB_OBJ  = $(LIB_SRC:%.c=$(B)/%.o)
TEST_SRC = $(wildcard tests/test_*.c)
TEST_BIN = $(TEST_SRC:tests/%.c=$(B)/tests/%)
ifeq ($(VARIANT),tsan)
  TEST_BIN = $(TSAN_TESTS:%=$(B)/tests/%)
endif

.PHONY: all run deps test test-variant install clean bench bench-data fuzz
# keep test objects between runs
.SECONDARY:

all: credmon

# copied under a temporary name and renamed: a running ./credmon (make
# bench) keeps its file, and a half-copied binary is never run
credmon: $(B)/credmon
	$(Q)cp $< $@.tmp && mv -f $@.tmp $@

$(B)/credmon: $(B)/engine/main.o $(LIB_OBJ)
	@echo "  LINK  $@"
	$(Q)$(CC) $(VFLAGS) -o $@ $^ $(PKG_LIBS)

# the CLI falls back to the installed definitions and templates
$(B)/engine/main.o: ALL_CFLAGS += -DCM_DATADIR='"$(PREFIX)/share/credmon"'

$(B)/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC    $@"
	$(Q)$(CC) $(ALL_CFLAGS) -c -o $@ $<

# Tests build paths from short names they chose themselves into fixed
# buffers; GCC's truncation guess (which assumes any d_name may be 255 bytes)
# is noise there. The engine keeps the warning.
$(B)/tests/%.o: CWARNS += -Wno-format-truncation

$(B)/tests/%: $(B)/tests/%.o $(LIB_OBJ)
	@mkdir -p $(dir $@)
	@echo "  LINK  $@"
	$(Q)$(CC) $(VFLAGS) -o $@ $^ $(TEST_LIBS) $(PKG_LIBS)

# Installs what is missing (apt-get, only for absent packages).
deps:
	$(Q)sh tests/deps.sh

# `make run` settings; the end-to-end test points them at a temporary folder
# and at the binary of the build variant under test.
OUT     ?= reports
DB      ?= $(OUT)/credmon.db
REGION  ?= 511800
PERIOD  ?= 2018-12
CREDMON ?= ./credmon

# Seed 000 (雅安市, 2018-12) from its published figures and the national
# monitoring ranks (fixtures/ranks: 261 cities x 24 months) with its work
# plan; then the microdata fixture (眉山市, 2019-06: registers and records ->
# derived elements -> the same pipeline, drill-down workbooks per unit); then
# the plans of seeds 001 (乌海市) and 004 (盘锦市). One store per city, as
# each credit office keeps its own.
run: deps
	$(Q)$(MAKE) --no-print-directory $(CREDMON)
	$(Q)mkdir -p $(OUT)
	$(CREDMON) import --db $(DB) fixtures/yaan fixtures/ranks
	$(CREDMON) run --db $(DB) --defs indicators --templates templates \
	    --region $(REGION) --period $(PERIOD) --out $(OUT) --rank-target 30
	$(CREDMON) plan --db $(DB) --defs indicators --templates templates \
	    --plan fixtures/yaan/workplan.csv --region 511800 --period 2019-06 \
	    --title '雅安市2019年社会信用体系建设工作要点任务分工表' --out $(OUT)
	$(CREDMON) import --db $(OUT)/meishan.db fixtures/calendar fixtures/meishan
	$(CREDMON) derive --db $(OUT)/meishan.db --defs indicators/derive \
	    --from 2019-06 --to 2019-06
	$(CREDMON) run --db $(OUT)/meishan.db --defs indicators --templates templates \
	    --region 511400 --period 2019-06 --out $(OUT) \
	    --codes-unit 市市场监督管理局
	$(CREDMON) import --db $(OUT)/wuhai.db fixtures/wuhai
	$(CREDMON) plan --db $(OUT)/wuhai.db --defs indicators --templates templates \
	    --plan fixtures/wuhai/plan.csv --region 150300 --period 2018 \
	    --title '“十三五”时期乌海市社会信用体系建设指标' --out $(OUT)
	$(CREDMON) plan --db $(OUT)/wuhai.db --defs indicators --templates templates \
	    --plan fixtures/wuhai/plan.csv --region 150300 --period 2020 \
	    --title '“十三五”时期乌海市社会信用体系建设指标' --out $(OUT)
	$(CREDMON) import --db $(OUT)/panjin.db fixtures/panjin
	$(CREDMON) plan --db $(OUT)/panjin.db --defs indicators --templates templates \
	    --plan fixtures/panjin/tasks.csv --region 211100 --period 2019 \
	    --title '盘锦市《国家信用体系建设示范城市评审指标任务分解表(2019年)》' --out $(OUT)

test: deps
	$(Q)$(MAKE) --no-print-directory test-variant VARIANT=plain
	$(Q)$(MAKE) --no-print-directory test-variant VARIANT=san
	$(Q)$(MAKE) --no-print-directory test-variant VARIANT=tsan

# Runs every test binary of one variant; the end-to-end test finds the
# variant's credmon through CREDMON_BIN.
test-variant: $(B)/credmon $(TEST_BIN)
	@echo "== tests ($(VARIANT))"
	$(Q)fail=0; pass=0; \
	for t in $(TEST_BIN); do \
	    if CREDMON_BIN=$(CURDIR)/$(B)/credmon CREDMON_ROOT=$(CURDIR) \
	       ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
	       TSAN_OPTIONS=halt_on_error=1 \
	       $$t >$$t.log 2>&1; then pass=$$((pass+1)); \
	    else fail=$$((fail+1)); echo "FAILED: $$t"; cat $$t.log; fi; \
	done; \
	echo "$(VARIANT): $$pass passed, $$fail failed"; \
	test $$fail -eq 0

# Benchmark (issue 3): a province's records from a deterministic generator,
# imported and derived by bench.sh; figures go to $(BENCH_OUT). SIZE=1 is the
# full province (1.7 GB of CSV; the store reaches about 2 GB).
SEED      ?= 1
SIZE      ?= 1
BENCH_DIR ?= build/bench-data-$(SEED)-$(SIZE)
BENCH_OUT ?= build/bench.md

build/gen: tests/bench/gen.c
	@mkdir -p build
	$(Q)$(CC) -std=c11 -D_POSIX_C_SOURCE=200809L $(CWARNS) -O2 $< -o $@ -lm

bench-data: build/gen
	$(Q)test -f $(BENCH_DIR)/gen-summary.txt || \
	    build/gen --seed $(SEED) --size $(SIZE) --out $(BENCH_DIR)

# SQLite alone on the same rows: the floor under the import (floor.c)
build/floor: tests/bench/floor.c
	@mkdir -p build
	$(Q)$(CC) -std=c11 -D_POSIX_C_SOURCE=200809L $(CWARNS) -O2 $(PKG_CFLAGS) \
	    $< -o $@ $(shell pkg-config --libs sqlite3 2>/dev/null || echo -lsqlite3)

bench: credmon bench-data build/floor
	BENCH_FLOOR=build/floor tests/bench/bench.sh ./credmon $(BENCH_DIR) $(BENCH_OUT)
	@cat $(BENCH_OUT)

# Fuzz targets (STYLE.md section 5), one per parser, with clang's
# libFuzzer: `make fuzz FUZZ_SECONDS=60`. Not part of `make test`.
FUZZ_SECONDS ?= 10
FUZZ_CC      ?= clang
FUZZ_FLAGS    = -std=c11 -D_POSIX_C_SOURCE=200809L -g -O1 -Iengine \
                -fsanitize=fuzzer,address,undefined $(PKG_CFLAGS)
FUZZ_SRC      = $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BIN      = $(FUZZ_SRC:tests/fuzz/%.c=build/fuzz/%)

build/fuzz/%: tests/fuzz/%.c $(LIB_SRC)
	@mkdir -p build/fuzz
	@echo "  FUZZ  $@"
	$(Q)$(FUZZ_CC) $(FUZZ_FLAGS) -o $@ $< $(LIB_SRC) $(PKG_LIBS)

fuzz: $(FUZZ_BIN)
	$(Q)for f in $(FUZZ_BIN); do \
	    name=$${f##*/fuzz_}; mkdir -p build/fuzz/corpus-$$name; \
	    echo "== $$f ($(FUZZ_SECONDS) s)"; \
	    $$f -max_total_time=$(FUZZ_SECONDS) -max_len=4096 \
	        build/fuzz/corpus-$$name tests/fuzz/corpus/$$name \
	        > build/fuzz/$$name.log 2>&1 || { tail -40 build/fuzz/$$name.log; exit 1; }; \
	    tail -1 build/fuzz/$$name.log; \
	done

install: credmon
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/credmon
	install -m 755 credmon $(DESTDIR)$(PREFIX)/bin/credmon
	cp -r indicators templates $(DESTDIR)$(PREFIX)/share/credmon/

clean:
	rm -rf build credmon

-include $(shell find build -name '*.d' 2>/dev/null)
