# SPDX-License-Identifier: MIT
# Thin verbs over Meson. Every target installs missing Debian packages first
# (scripts/deps.sh), so a fresh Debian 12 machine needs nothing else.
PREFIX ?= /usr/local
BUILD ?= build
CHECK_BUILD ?= build-check
FUZZ_BUILD ?= build-fuzz
FUZZ_SECONDS ?= 60

.PHONY: all deps demo check bench perf fuzz install clean

# Quiet unless something fails: then the whole output, so the error is seen.
all: deps
	@[ -f $(BUILD)/build.ninja ] || { out=$$(meson setup $(BUILD) --buildtype=release \
	    --prefix=$(PREFIX) 2>&1) || { echo "$$out"; exit 1; }; }
	@meson configure $(BUILD) -Dprefix=$(PREFIX) >/dev/null
	@out=$$(ninja -C $(BUILD) 2>&1) || { echo "$$out"; exit 1; }

deps:
	@scripts/deps.sh

demo: all
	@scripts/demo.sh $(BUILD)/src/hotpath

check: deps
	@scripts/check.sh $(CHECK_BUILD) $(FUZZ_BUILD)

# hotpath's key ratios to its peers, added to the history in bench/perf/;
# exit 99 (a failed make) when the newest runs start a regression.
perf: all
	@scripts/deps.sh bench
	@bench/perf.sh $(BUILD)

bench: all
	@scripts/deps.sh bench
	@bench/serve_vs_nginx.sh $(BUILD)/src/hotpath
	@bench/load_vs_wrk.sh $(BUILD)/src/hotpath
	@bench/model_usl.sh $(BUILD)/src/hotpath
	@bench/model_mva.sh $(BUILD)/src/hotpath
	@bench/scenario_vs_plain.sh $(BUILD)/src/hotpath
	@bench/lua_vs_wrk.sh $(BUILD)/src/hotpath
	@bench/tls_vs_wrk.sh $(BUILD)/src/hotpath
	@bench/h2_vs_h2load.sh $(BUILD)/src/hotpath
	@bench/report_hour.sh $(BUILD)/src/hotpath
	@bench/sql_vs_pt.sh $(BUILD)/src/hotpath
	@bench/cache_sim.sh $(BUILD)/src/hotpath
	@bench/bench_vs_hyperfine.sh $(BUILD)/src/hotpath $(BUILD)/bench/fixed_ms
	@bench/history_detect.sh $(BUILD)/src/hotpath
	@bench/flame_vs_npm.sh $(BUILD)/src/hotpath
	@bench/profile_overhead.sh $(BUILD)
	@bench/load_floor.sh $(BUILD)

fuzz: deps
	@scripts/fuzz.sh $(FUZZ_BUILD) $(FUZZ_SECONDS)

install: all
	meson install -C $(BUILD) $(if $(DESTDIR),--destdir $(DESTDIR))

clean:
	rm -rf $(BUILD) $(CHECK_BUILD) $(FUZZ_BUILD)
