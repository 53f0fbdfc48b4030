# The two commands: `make demo` and `make test` (plus `make bench`). Each installs the Debian
# packages that are missing, configures, builds, and then runs its job.
SHELL := /bin/bash

BUILD_TYPE ?= RelWithDebInfo
SANITIZE ?= OFF
ifeq ($(SANITIZE),ON)
BUILD_DIR ?= build-asan
else
BUILD_DIR ?= build
endif
# CI sets CI=true; warnings are errors there.
WERROR := $(if $(filter true 1 yes,$(CI)),ON,OFF)
JOBS ?= $(shell nproc)
# Seconds each libFuzzer target runs in `make bench` (ctest runs them 10 s each).
FUZZ_SECONDS ?= 120
DEMO_SECONDS ?= 45
CONSOLE_BENCH_MINUTES ?= 10
# The console launched against a monitor that holds an hour: the launch is what is measured.
CONSOLE_PREFILL_MINUTES ?= 2
BIN := $(BUILD_DIR)/bin

# Debian 12 packages: toolchain, Qt 6.4 (Core, Network, Gui, Widgets, Charts, Test; Charts needs
# the OpenGL module), MPICH 4.0, a font so offscreen charts have readable text, libmicrohttpd
# for the HTTP servers, and the Prometheus client's text parser that tests check /metrics with;
# libcurl and OpenSSL for starling get, clang's libFuzzer, aria2 and curl for the transfer
# tests; OpenCV imgproc, libpng and TurboJPEG for image jobs; Xvfb (and xauth, for xvfb-run)
# for the console's screenshot test on a real X server; iproute2 (ip, tc) for starling lab;
# help2man (man pages from --help), dpkg-dev (cpack's dpkg-shlibdeps), lintian, man-db and
# systemd (systemd-analyze verify on the unit) for the Debian package and tst_package.
PACKAGES := cmake g++ make ninja-build pkg-config \
            qt6-base-dev qt6-charts-dev libqt6opengl6-dev libgl-dev libxkbcommon-dev \
            mpich libmpich-dev fonts-dejavu-core libmicrohttpd-dev python3-prometheus-client \
            libcurl4-openssl-dev libssl-dev clang libclang-rt-14-dev aria2 curl \
            libopencv-imgproc-dev libpng-dev libturbojpeg0-dev xvfb xauth iproute2 \
            help2man dpkg-dev lintian man-db systemd
# Issue 17, slice "Prometheus": promtool checks and unit-tests resources/prometheus/ and a real
# prometheus scrapes a live cluster in tst_prometheuslive (its own instance on a free loopback
# port). Debian's package also registers a system prometheus on :9090 (init script; started
# at install wherever services may start); the tests never use or touch that one.
PACKAGES += prometheus
BENCH_PACKAGES := nginx curl aria2

.PHONY: demo test bench deps bench-deps build clean format package

# Installs the Debian packages of list $(1) that are missing (sudo when not root).
define install_missing
	@missing=""; \
	for p in $(1); do \
	  dpkg-query -W -f='$${Status}' "$$p" 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "make: installing missing Debian packages:$$missing"; \
	  SUDO=""; [ "$$(id -u)" -eq 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y --no-install-recommends $$missing; \
	fi
endef

deps:
	$(call install_missing,$(PACKAGES))

# Only `make bench` needs these: the reference server and clients the transfer benchmark
# compares `starling get` with. Debian's nginx package also starts the system nginx on port 80;
# the benchmark never uses that one (it runs its own on a free loopback port).
bench-deps:
	$(call install_missing,$(BENCH_PACKAGES))

build: deps
	cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) \
	      -DSTARLING_WERROR=$(WERROR) -DSTARLING_SANITIZE=$(SANITIZE)
	cmake --build $(BUILD_DIR) -j $(JOBS)

test: build
	ctest --test-dir $(BUILD_DIR) --output-on-failure --timeout 600

# The Debian package (resources/packaging/README.md): $(BUILD_DIR)/package/starling_VERSION-1_ARCH.deb.
package: build
	cmake --build $(BUILD_DIR) --target package

# LAB=1: the demo on a starling lab (four hosts in network namespaces; needs root). Without it
# the machine's networking is never touched.
LAB ?= 0

demo: build
	@mkdir -p $(BUILD_DIR)/demo
ifeq ($(LAB),1)
	bash resources/scripts/lab-demo.sh $(BIN) $(BUILD_DIR)/demo \
	    resources/profiles/four-slaves.json $(DEMO_SECONDS)
else
	$(BIN)/starling sim --paper --csv $(BUILD_DIR)/demo/paper.csv --plot $(BUILD_DIR)/demo/paper.png
	@echo
	@echo "Wrote $(BUILD_DIR)/demo/paper.csv and the chart $(BUILD_DIR)/demo/paper.png"
	@echo
	@echo "=== A live cluster: 1 master + 1 monitor + 4 emulated slaves under mpiexec, with load"
	@$(BIN)/starling down --run-dir $(BUILD_DIR)/demo/run >/dev/null 2>&1 || true
	@if [ -n "$$DISPLAY$$WAYLAND_DISPLAY" ]; then \
	  echo "$(BIN)/starling-console --demo --run-dir $(BUILD_DIR)/demo/run  (close the window to stop)"; \
	  $(BIN)/starling-console --demo --run-dir $(BUILD_DIR)/demo/run; \
	else \
	  echo "No display: the same cluster and load, headless ($(BIN)/starling demo)"; \
	  $(BIN)/starling demo --run-dir $(BUILD_DIR)/demo/run --seconds $(DEMO_SECONDS); \
	fi
endif

bench: build bench-deps
	@mkdir -p $(BUILD_DIR)/bench
	$(BIN)/starling sim --paper --csv $(BUILD_DIR)/bench/paper-whole.csv \
	    --plot $(BUILD_DIR)/bench/paper-whole.png
	$(BIN)/starling sim --paper --divisible --csv $(BUILD_DIR)/bench/paper-divisible.csv \
	    --plot $(BUILD_DIR)/bench/paper-divisible.png
	$(BIN)/starling sim --dynamic-check --csv $(BUILD_DIR)/bench/dynamic-check.csv \
	    --plot $(BUILD_DIR)/bench/dynamic-check.png
	$(BIN)/bench_estimator $(BUILD_DIR)/bench
	$(BIN)/bench_runtime $(BIN)/starling $(BUILD_DIR)/bench
	$(BIN)/bench_transfer $(BIN)/starling $(BUILD_DIR)/bench
	$(BIN)/bench_failover $(BIN)/starling $(BUILD_DIR)/bench
	$(BIN)/bench_imagekernel $(BUILD_DIR)/bench
	$(BIN)/bench_jobs $(BIN)/starling $(BUILD_DIR)/bench
	$(BIN)/bench_stream $(BUILD_DIR)/bench --cluster $(BIN)/starling
	$(BIN)/bench_jobs $(BIN)/starling $(BUILD_DIR)/bench --lab
	$(BIN)/bench_console $(BIN)/starling-console $(BUILD_DIR)/bench --minutes $(CONSOLE_BENCH_MINUTES)
	$(BIN)/bench_console $(BIN)/starling-console $(BUILD_DIR)/bench/console-prefill \
	    --minutes $(CONSOLE_PREFILL_MINUTES) --prefill
	sh tests/fuzz/run.sh $(BUILD_DIR)/fuzz $(FUZZ_SECONDS)
	@echo "Wrote CSV and PNG files under $(BUILD_DIR)/bench/"

format:
	git ls-files '*.cpp' '*.h' | xargs clang-format -i

clean:
	rm -rf $(BUILD_DIR)
