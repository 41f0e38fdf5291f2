# Makefile -- conveniences over ./run and CMake (the build itself is CMake's,
# in _build/release; see ./run help).
#   make                          configure and build (installs missing packages)
#   make install PREFIX=/opt/hsomp [DESTDIR=...]   install (default /usr/local)
#   make test                     ./run test (release, tsan, asan)
#   make demo                     ./run demo
#   make clean                    remove _build/
PREFIX ?= /usr/local
BUILD ?= $(or $(HSOMP_BUILD_ROOT),_build)/release
export DESTDIR

all:
	./run build

install: all
	cmake --install "$(BUILD)" --prefix "$(PREFIX)"

test:
	./run test

demo:
	./run demo

clean:
	./run clean

.PHONY: all install test demo clean
