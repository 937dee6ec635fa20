# copytrade — every target installs what it needs from Debian packages.
#   make demo    run the whole pipeline against the SmartAPI emulator
#   make test    build and run every test (ctest)
#   make bench   latency/throughput benchmarks (prints p50/p99 + machine)
#   make chaos   long crash/restart runs

BUILD_DIR ?= build
BUILD_TYPE ?= RelWithDebInfo
JOBS ?= $(shell nproc)

DEBIAN_PACKAGES := build-essential cmake pkg-config cppzmq-dev libzmq3-dev libprotobuf-dev \
  protobuf-compiler libcurl4-openssl-dev libspdlog-dev libcli11-dev libgtest-dev libgmock-dev \
  nlohmann-json3-dev libsqlite3-dev libssl-dev libboost-dev libtomlplusplus-dev supervisor \
  python3 curl chromium python3-prometheus-client

.PHONY: all deps configure build test demo bench chaos clean

all: build

deps:
	@missing=""; for p in $(DEBIAN_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing; \
	fi

configure: deps
	@cmake -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) > $(BUILD_DIR).configure.log 2>&1 || \
	  (cat $(BUILD_DIR).configure.log; exit 1)

build: configure
	@cmake --build $(BUILD_DIR) -j $(JOBS)

test: build
	@cd $(BUILD_DIR) && ctest --output-on-failure --timeout 300 -j 2 -LE "bench|chaos"

demo: build
	@bash deploy/demo.sh $(BUILD_DIR)

bench: build
	@bash bench/run.sh $(BUILD_DIR)

chaos: build
	@cd $(BUILD_DIR) && ctest --output-on-failure -L chaos

clean:
	rm -rf $(BUILD_DIR) $(BUILD_DIR).configure.log
