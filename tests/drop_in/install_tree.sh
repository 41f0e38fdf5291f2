# The installed tree (cmake --install, as `./run install PREFIX` and
# `make install PREFIX=...` do), after moving it elsewhere (it must be
# relocatable): the files are in place; the installed hsomp-run runs a
# program built against GCC's libgomp on hsomp; a program built with
# `pkg-config hsomp` or with CMake's find_package(hsomp) needs libhsomp.so.1
# and not libgomp.so.1, and runs on hsomp by itself.
# TEST-NO-SANITIZER
# TEST-TIMEOUT: 240
set -eu
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
probe=$HSOMP_SOURCE_DIR/tests/support/install_probe.c
fail() { echo "FAIL: $*" >&2; exit 1; }

"$HSOMP_CMAKE" --install "$HSOMP_BUILD_DIR" --prefix "$tmp/first" >"$tmp/install.log" 2>&1 ||
  { cat "$tmp/install.log" >&2; fail "cmake --install failed"; }
mv "$tmp/first" "$tmp/prefix"
prefix=$tmp/prefix
lib=$(dirname "$(find "$prefix" -name libhsomp.so.1 | head -n 1)")
[ -d "$lib" ] || fail "no libhsomp.so.1 installed"
for f in "$lib/libhsomp.so" "$lib/hsomp/libgomp.so.1" "$lib/hsomp/libgomp.so" \
         "$prefix/bin/hsomp-run" "$lib/pkgconfig/hsomp.pc" \
         "$lib/cmake/hsomp/hsompConfig.cmake" "$lib/cmake/hsomp/hsompConfigVersion.cmake"; do
  [ -e "$f" ] || fail "$f is not installed (or is a dangling link)"
done
[ "$(readlink -f "$lib/hsomp/libgomp.so.1")" = "$(readlink -f "$lib/libhsomp.so.1")" ] ||
  fail "lib/hsomp/libgomp.so.1 is not libhsomp"

needs() { readelf -d "$1" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'; }
only_hsomp() {
  needs "$1" | grep -q -x libhsomp.so.1 || fail "$1 does not need libhsomp.so.1: $(needs "$1")"
  if needs "$1" | grep -q libgomp; then fail "$1 needs libgomp: $(needs "$1")"; fi
}
expect_runtime() { # expect_runtime WANT COMMAND...
  want=$1; shift
  out=$("$@" 2>&1) || fail "$* failed: $out"
  [ "$out" = "runtime=$want threads=3" ] || fail "$*: '$out', expected runtime=$want"
}

# 1. An ordinary OpenMP program (linked against libgomp) via the installed launcher.
"$HSOMP_CC" -fopenmp -O2 "$probe" -o "$tmp/probe_gomp" -ldl
expect_runtime libgomp "$tmp/probe_gomp"
expect_runtime hsomp "$prefix/bin/hsomp-run" --threads 3 "$tmp/probe_gomp"

# 2. pkg-config hsomp: linked against hsomp alone (even with -fopenmp at link time).
export PKG_CONFIG_PATH="$lib/pkgconfig"
pkg-config --exists hsomp || fail "pkg-config does not find hsomp"
# shellcheck disable=SC2046
"$HSOMP_CC" $(pkg-config --cflags hsomp) -O2 "$probe" -o "$tmp/probe_pc" $(pkg-config --libs hsomp) -ldl
only_hsomp "$tmp/probe_pc"
expect_runtime hsomp "$tmp/probe_pc"

# 3. find_package(hsomp) from a CMake project.
mkdir -p "$tmp/consumer"
cp "$probe" "$tmp/consumer/probe.c"
cat >"$tmp/consumer/CMakeLists.txt" <<'CMAKE'
cmake_minimum_required(VERSION 3.20)
project(consumer C)
find_package(hsomp 0.1 REQUIRED)
add_executable(probe probe.c)
target_link_libraries(probe PRIVATE hsomp::hsomp dl)
if(NOT EXISTS "${HSOMP_RUN}" OR NOT IS_DIRECTORY "${HSOMP_GOMP_DIR}")
  message(FATAL_ERROR "HSOMP_RUN=${HSOMP_RUN} HSOMP_GOMP_DIR=${HSOMP_GOMP_DIR}")
endif()
CMAKE
"$HSOMP_CMAKE" -S "$tmp/consumer" -B "$tmp/consumer/build" -DCMAKE_PREFIX_PATH="$prefix" \
  >"$tmp/consumer.log" 2>&1 || { cat "$tmp/consumer.log" >&2; fail "find_package(hsomp) failed"; }
"$HSOMP_CMAKE" --build "$tmp/consumer/build" >>"$tmp/consumer.log" 2>&1 ||
  { cat "$tmp/consumer.log" >&2; fail "building against hsomp::hsomp failed"; }
only_hsomp "$tmp/consumer/build/probe"
expect_runtime hsomp "$tmp/consumer/build/probe"
echo "installed tree: launcher, pkg-config and find_package(hsomp) all run on hsomp"
