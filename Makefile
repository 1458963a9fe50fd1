# hookbox: one entry point. `make run` and `make test` work on a fresh machine
# with only the Rust toolchain, gcc, python3 and node; whatever else a target
# needs it installs itself, idempotently.

SHELL := /bin/bash
CARGO ?= cargo
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

PLUGIN_DIR := guest-sdk/plugin
NPM_DIR := guest-sdk/npm
PLUGIN_DIST := guest-sdk/dist/hookbox-plugin.wasm
PLUGIN_TARGET := $(CURDIR)/target/plugin
PLUGIN_RAW := $(PLUGIN_TARGET)/wasm32-wasip1/release/hookbox_plugin.wasm
PLUGIN_CHECK := $(CURDIR)/target/plugin-check/hookbox-plugin.wasm
WASI_SDK := $(CURDIR)/target/wasi-sdk
# Debian's WASI C toolchain for rquickjs-sys (its build script would otherwise
# try to download a wasi-sdk, which this network does not allow).
WASI_DEBS := clang-16 lld-16 llvm-16 libclang-16-dev libclang-rt-16-dev-wasm32 wasi-libc

.PHONY: all build run test lint fmt postgres test-postgres-all bench-cluster bench-events plugin plugin-raw plugin-check wasm-toolchain bench soak sdk-test fuzz \
	npm-modules npm-modules-check npm-smoke crypto-js-test intl-data profile console console-check console-test chromium

# The vendor SDKs the compatible fronts are tested with, pinned, installed locally.
SDK_DIR := target/sdk
# authing imports websockets without declaring it.
AUTHING_PY := authing==5.1.0 websockets==15.0.1

all: build

# Every cargo call selects the whole workspace: a per-package feature set would
# rebuild wasmtime from scratch (tests and benches included, for the same
# reason: dev-dependencies take part in feature unification). Binaries are
# then run from target/debug.
build:
	$(CARGO) build --workspace --all-targets

# Serves on 127.0.0.1:8080 with ./data; the first start prints the default
# tenant's key pair. HOOKBOX_LISTEN, HOOKBOX_DATA_DIR, HOOKBOX_ADMIN_KEY, … override.
run: build
	HOOKBOX_LOG=$${HOOKBOX_LOG:-info} ./target/debug/hookbox serve

# The engine's Node cases compare against Node 20 with the pinned npm packages
# (tests/fixtures/node); npm-modules-check proves the committed registry is
# what the lock file builds. The end-to-end server suite runs twice: on the
# embedded store, then (but PG_PASS_SKIP) with every server a cluster-mode
# node on PostgreSQL.
test: lint postgres $(NPM_DIR)/node_modules/.installed
	$(MAKE) npm-modules-check
	$(CARGO) test --workspace --all-targets
	HOOKBOX_TEST_DATABASE=postgres $(CARGO) test --workspace --test all -- server:: $(PG_PASS_SKIP)
	$(CARGO) test --workspace --doc
	$(MAKE) crypto-js-test
	$(MAKE) sdk-test
	$(MAKE) console-check
	$(MAKE) console-test
	$(MAKE) plugin-check

# The PostgreSQL pass leaves out the modules that test what a script sees and
# what the HTTP boundary refuses: their storage is the create-and-run every
# other module exercises there. `make test-postgres-all` runs the whole suite.
PG_PASS_SKIP := --skip server::templates --skip server::node_templates --skip server::conventions \
	--skip server::strict --skip server::bad_input --skip server::bounds --skip server::outbound
test-postgres-all: postgres
	HOOKBOX_TEST_DATABASE=postgres $(CARGO) test --workspace --test all -- server::

# Debian's PostgreSQL server, for cluster mode's tests: each test process
# starts its own throwaway cluster under target/pg (crates/hookbox-pgtest), as
# the package's `postgres` user when run as root, and stops it when it exits.
postgres:
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || { \
		$(SUDO) apt-get update -q && $(SUDO) apt-get install -y -q --no-install-recommends postgresql; }

lint:
	$(CARGO) fmt --all --check
	cd $(PLUGIN_DIR) && $(CARGO) fmt --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings

fmt:
	$(CARGO) fmt --all
	cd $(PLUGIN_DIR) && $(CARGO) fmt

# The fuzz targets (proptest, stable toolchain; every test named fuzz_*), run
# long with fresh random cases. `make test` runs the same targets briefly, with
# a fixed seed, as part of `cargo test`. FUZZ_CASES cases per target (19
# minutes on 2 cores); HOOKBOX_FUZZ_SEED=N replays one seed.
FUZZ_CASES ?= 15000
fuzz:
	HOOKBOX_FUZZ_CASES=$(FUZZ_CASES) HOOKBOX_FUZZ_SEED=$${HOOKBOX_FUZZ_SEED:-random} \
		$(CARGO) test --workspace --all-targets -- fuzz_

# The guest's `crypto` module (guest-sdk/js/crypto.js) under Node, over the
# real host ops (the engine's host_call example), each result compared with
# Node's own crypto; jsonwebtoken 9 (the pinned catalogue's) signs and verifies through it.
crypto-js-test: $(NPM_DIR)/node_modules/.installed
	$(CARGO) build --workspace --examples
	node guest-sdk/js/crypto.test.js target/debug/examples/host_call $(NPM_DIR)/node_modules

# The standard suite: criterion micro-benchmarks, then hookbox against the
# Node vm baseline over HTTP. Writes target/bench/report.{json,svg}.
bench:
	$(CARGO) bench --workspace --profile dev --bench engine -- --warm-up-time 2 --measurement-time 5
	$(MAKE) build
	./target/debug/hookbox bench --suite all --iterations 20000 --seconds 5

# Event delivery (bench/events/bench.js): POST /v1/events to a receiver on
# 127.0.0.1 through HTTP functions; the accept time, the latency one event
# at a time, and the throughput to one function and to eight.
BENCH_EVENTS ?= 2000
bench-events: build
	node bench/events/bench.js target/debug/hookbox $(BENCH_EVENTS)

# Cluster mode beside sled (`hookbox bench --suite cluster`): warm scene runs
# on each, deploy-to-visible on another node, the first call after a restart
# with 200 functions in the database; on a throwaway PostgreSQL cluster under
# target/bench-pg. Writes target/bench/cluster.json. BENCH_PG_NICE=19 runs
# the database at the lowest CPU priority, standing in for a database on a
# machine of its own.
BENCH_PG_PORT ?= 55499
BENCH_PG_NICE ?= 0
bench-cluster: build postgres
	@url=$$(PG_NICE=$(BENCH_PG_NICE) scripts/throwaway-postgres.sh start target/bench-pg $(BENCH_PG_PORT)) && \
		./target/debug/hookbox bench --suite cluster --database-url "$$url" --seconds 5; \
		status=$$?; scripts/throwaway-postgres.sh stop target/bench-pg; exit $$status

# Where a warm call's time goes. perf (Debian's linux-perf) samples one
# criterion benchmark, the guest's functions named through wasmtime's perf map
# (HOOKBOX_PERF_MAP), and inferno folds the samples into a flame graph:
# target/profile/flamegraph.svg, with the hottest symbols (self time) in
# target/profile/top.txt. PROFILE_BENCH picks the benchmark (a criterion
# filter, `cargo bench --bench engine -- --list` names them).
PROFILE_BENCH ?= invoke_trivial_pipe/pooling\+cow/metered
PROFILE_SECONDS ?= 10
INFERNO_VERSION := 0.12.8
INFERNO := target/tools/bin/inferno-flamegraph
$(INFERNO):
	$(CARGO) install --locked --root target/tools inferno --version $(INFERNO_VERSION)

profile: $(INFERNO)
	@dpkg -s linux-perf >/dev/null 2>&1 || { $(SUDO) apt-get update -q && $(SUDO) apt-get install -y -q linux-perf; }
	@mkdir -p target/profile
	$(CARGO) bench --workspace --profile dev --bench engine --no-run --message-format=json \
		| python3 -c 'import json,sys; print([m["executable"] for m in map(json.loads, sys.stdin) if m.get("reason") == "compiler-artifact" and m.get("executable") and m["target"]["name"] == "engine"][-1])' \
		> target/profile/bench-binary
	HOOKBOX_PERF_MAP=1 perf record -F 2000 -g -o target/profile/perf.data \
		$$(cat target/profile/bench-binary) --bench '$(PROFILE_BENCH)' --profile-time $(PROFILE_SECONDS) > /dev/null
	perf script -i target/profile/perf.data 2>/dev/null | target/tools/bin/inferno-collapse-perf > target/profile/folded.txt
	target/tools/bin/inferno-flamegraph --title '$(PROFILE_BENCH)' < target/profile/folded.txt > target/profile/flamegraph.svg
	perf report -i target/profile/perf.data --no-children --sort sym --stdio -g none 2>/dev/null \
		| grep -v '^#' | grep . | head -40 > target/profile/top.txt
	@cat target/profile/top.txt
	@echo "flame graph: target/profile/flamegraph.svg"

# Sustained mixed load at concurrency 64 against a real `hookbox serve`: its
# resident memory and data dir, sampled over the run, should level off.
# SOAK_SECONDS sets the duration. Writes target/bench/soak.json.
SOAK_SECONDS ?= 180
soak: build
	./target/debug/hookbox bench --suite soak --seconds $(SOAK_SECONDS) --concurrency 64

# ---------------------------------------------------------------- vendor SDKs

$(SDK_DIR)/venv/.installed:
	python3 -m venv $(SDK_DIR)/venv
	$(SDK_DIR)/venv/bin/pip install -q $(AUTHING_PY)
	touch $@

# authing-node-sdk and auth0, pinned by tests/sdk/package-lock.json.
tests/sdk/node_modules/.installed: tests/sdk/package.json tests/sdk/package-lock.json
	cd tests/sdk && npm ci --no-audit --no-fund --loglevel=error
	touch $@

# The real clients against a real server, each checked through the native API:
# Authing's Python and node SDKs, auth0's hooks and Actions clients, and a
# receiver of event deliveries that checks them with the Standard Webhooks
# library (tests/sdk/).
sdk-test: $(SDK_DIR)/venv/.installed tests/sdk/node_modules/.installed build
	$(SDK_DIR)/venv/bin/python tests/sdk/authing_py.py target/debug/hookbox
	node tests/sdk/authing_node.js target/debug/hookbox
	node tests/sdk/auth0_node.js target/debug/hookbox
	node tests/sdk/auth0_actions_node.js target/debug/hookbox
	node tests/sdk/auth0_connections_node.js target/debug/hookbox
	node tests/sdk/webhooks_node.js target/debug/hookbox

# ---------------------------------------------------------------- the web console

# The console's sources (console/src) and toolkit (Preact, CodeMirror 6,
# uPlot; esbuild; playwright-core for its browser test), pinned by
# console/package-lock.json. The built assets are committed under
# crates/hookbox-server/console/ and embedded in the server, so a fresh
# clone serves /console without node.
CONSOLE_DIR := console
CONSOLE_OUT := crates/hookbox-server/console
CHROMIUM ?= /usr/bin/chromium

$(CONSOLE_DIR)/node_modules/.installed: $(CONSOLE_DIR)/package.json $(CONSOLE_DIR)/package-lock.json
	cd $(CONSOLE_DIR) && npm ci --no-audit --no-fund --loglevel=error
	touch $@

# Rebuild the committed assets from console/src.
console: $(CONSOLE_DIR)/node_modules/.installed
	node $(CONSOLE_DIR)/build.mjs

# Fail, naming the file, when the committed build is not what the sources make.
console-check: $(CONSOLE_DIR)/node_modules/.installed
	@tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	node $(CONSOLE_DIR)/build.mjs --out "$$tmp" >/dev/null && \
	stale=0 && \
	for f in index.html app.js app.css THIRD_PARTY.txt; do \
		cmp -s "$$tmp/$$f" "$(CONSOLE_OUT)/$$f" || { echo "$(CONSOLE_OUT)/$$f is stale: run make console" >&2; stale=1; }; \
	done && exit $$stale

# Debian's Chromium, for the console's browser test.
chromium:
	@[ -x $(CHROMIUM) ] || { $(SUDO) apt-get update -q && $(SUDO) apt-get install -y -q --no-install-recommends chromium; }

# The console in headless Chromium against a real server (console/test/);
# screenshots in target/console/screenshots/.
console-test: chromium $(CONSOLE_DIR)/node_modules/.installed build
	node $(CONSOLE_DIR)/test/convention.test.mjs
	CHROMIUM=$(CHROMIUM) node $(CONSOLE_DIR)/test/browser.test.cjs target/debug/hookbox

# ---------------------------------------------------------------- npm packages for functions

# The shims of Node's built-ins and the default catalogue, pinned by
# guest-sdk/npm/package-lock.json (reinstalled when node_modules is missing or
# older than the lock file).
$(NPM_DIR)/node_modules/.installed: $(NPM_DIR)/package.json $(NPM_DIR)/package-lock.json
	cd $(NPM_DIR) && npm ci --no-audit --no-fund --loglevel=error
	touch $@

# Regenerate guest-sdk/js/modules.js (the guest's CommonJS registry of those
# packages), guest-sdk/npm/THIRD_PARTY.md and guest-sdk/npm/licenses/.
npm-modules: $(NPM_DIR)/node_modules/.installed
	node $(NPM_DIR)/build.js

# Regenerate guest-sdk/js/intl-data.js, Intl's tables, from this machine's Node
# (its ICU is the reference: run it with the Node 20 the README names), then
# `make plugin` to bake them in.
intl-data:
	node guest-sdk/intl/build.js

# Fail, naming the file, when the committed output is not what the lock file builds.
npm-modules-check: $(NPM_DIR)/node_modules/.installed
	@tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	node $(NPM_DIR)/build.js --out "$$tmp" >/dev/null && \
	stale=0 && \
	for f in guest-sdk/js/modules.js guest-sdk/js/catalogue.json $(NPM_DIR)/THIRD_PARTY.md; do \
		cmp -s "$$tmp/$$(basename $$f)" "$$f" || { echo "$$f is stale: run make npm-modules" >&2; stale=1; }; \
	done && \
	{ diff -rq "$$tmp/licenses" $(NPM_DIR)/licenses >&2 || { echo "$(NPM_DIR)/licenses is stale: run make npm-modules" >&2; stale=1; }; } && \
	exit $$stale

# Every catalogue package and shim, loaded through guest-sdk/js/require.js in a
# bare vm context and compared with the same call under Node.
npm-smoke: $(NPM_DIR)/node_modules/.installed
	node $(NPM_DIR)/smoke.js

# ---------------------------------------------------------------- the engine plugin

wasm-toolchain:
	@rustup target list --installed | grep -qx wasm32-wasip1 || rustup target add wasm32-wasip1
	@dpkg -s $(WASI_DEBS) >/dev/null 2>&1 || { $(SUDO) apt-get update -q && $(SUDO) apt-get install -y -q $(WASI_DEBS); }
	@mkdir -p $(WASI_SDK)/bin $(WASI_SDK)/share/wasi-sysroot
	@ln -sfn /usr/bin/clang-16 $(WASI_SDK)/bin/clang
	@ln -sfn /usr/bin/llvm-ar-16 $(WASI_SDK)/bin/ar
	@ln -sfn /usr/bin/wasm-ld-16 $(WASI_SDK)/bin/wasm-ld
	@ln -sfn /usr/include/wasm32-wasi $(WASI_SDK)/share/wasi-sysroot/include
	@ln -sfn /usr/lib/wasm32-wasi $(WASI_SDK)/share/wasi-sysroot/lib

plugin-raw: wasm-toolchain
	cd $(PLUGIN_DIR) && WASI_SDK=$(WASI_SDK) LIBCLANG_PATH=/usr/lib/llvm-16/lib CARGO_TARGET_DIR=$(PLUGIN_TARGET) \
		$(CARGO) build --locked --release --target wasm32-wasip1

# Rebuild the committed, pre-initialised plugin.
plugin: plugin-raw build
	./target/debug/hookbox-wizen $(PLUGIN_RAW) $(PLUGIN_DIST)

# Prove the sources still produce a working plugin: rebuild it from scratch
# and run the engine's convention tests against the rebuilt one.
plugin-check: plugin-raw build
	@mkdir -p $(dir $(PLUGIN_CHECK))
	./target/debug/hookbox-wizen $(PLUGIN_RAW) $(PLUGIN_CHECK)
	HOOKBOX_PLUGIN=$(PLUGIN_CHECK) $(CARGO) test --workspace --test all -- --test-threads 2 engine::
