# hsomp-run's command line: options set the OpenMP environment, bad input
# gets a clear one-line message and a distinct exit status (2: usage,
# 126: not executable, 127: not found), the library path puts hsomp's
# libgomp.so.1 first, and --display-env reaches the runtime.  The launcher
# is the same in every build: release only.
# TEST-NO-SANITIZER
set -u
run=$HSOMP_RUN
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
fail() { echo "FAIL: $*" >&2; fails=$((fails + 1)); }

# expect STATUS PATTERN ARGS...: exit status and a pattern in stderr.
expect() {
  want=$1 pattern=$2; shift 2
  "$run" "$@" >"$tmp/out" 2>"$tmp/err"
  got=$?
  [ "$got" -eq "$want" ] || fail "hsomp-run $*: exit $got, expected $want ($(head -c 200 "$tmp/err"))"
  grep -q -e "$pattern" "$tmp/err" || fail "hsomp-run $*: stderr lacks '$pattern': $(cat "$tmp/err")"
}
expect 2 "no program"
expect 2 "needs a value" --threads
expect 2 "at least 1" --threads 0
expect 2 "at least 1" --threads=2,0
expect 2 "positive number" --threads abc true
expect 2 "positive number" --threads 4, true
expect 2 "positive number" --threads ,4 true
expect 2 "positive number" --threads 4,,2 true
expect 2 "positive number" --threads -3 true
expect 2 "too large" --threads 12345678901 true
expect 2 "unknown option '--bogus'" --bogus true
expect 2 "takes 'true' or 'verbose'" --display-env=maybe true
expect 127 "no such program" /nonexistent/program
expect 127 "command not found" hsomp-no-such-command-xyz
printf '#!/bin/sh\n' >"$tmp/noexec"
chmod 644 "$tmp/noexec"
expect 126 "not executable" "$tmp/noexec"

# check_output EXPECTED ARGS...: stdout of a successful run.
check_output() {
  want=$1; shift
  got=$("$run" "$@" 2>"$tmp/err") || fail "hsomp-run $*: failed: $(cat "$tmp/err")"
  [ "$got" = "$want" ] || fail "hsomp-run $*: printed '$got', expected '$want'"
}
check_output 3 --threads 3 sh -c 'echo $OMP_NUM_THREADS'
check_output 4,2 --threads=4,2 sh -c 'echo $OMP_NUM_THREADS'
check_output true --display-env sh -c 'echo $OMP_DISPLAY_ENV'
check_output verbose --display-env=verbose sh -c 'echo $OMP_DISPLAY_ENV'
check_output "x --threads" -- sh -c 'echo "$0 $1"' x --threads
check_output "x y" sh -c 'echo "$0 $1"' x y
"$run" --help >"$tmp/out" 2>&1 || fail "hsomp-run --help exited non-zero"
grep -q "usage: hsomp-run" "$tmp/out" || fail "hsomp-run --help prints no usage"

# The library path: hsomp's directory first, the caller's kept after it.
ldp=$(LD_LIBRARY_PATH=/caller/lib "$run" sh -c 'echo $LD_LIBRARY_PATH')
case "$ldp" in
  */gomp:/caller/lib) ;;
  *) fail "LD_LIBRARY_PATH under hsomp-run is '$ldp'" ;;
esac
dir=${ldp%%:*}
[ "$(readlink -f "$dir/libgomp.so.1")" = "$(readlink -f "$HSOMP_LIB")" ] ||
  fail "$dir/libgomp.so.1 is not $HSOMP_LIB"

# --display-env reaches the runtime: OpenMP's environment block on stderr.
cat >"$tmp/probe.c" <<'C'
#include <omp.h>
int main(void) { return omp_get_max_threads() == 3 ? 0 : 1; }
C
if "$HSOMP_CC" -fopenmp "$tmp/probe.c" -o "$tmp/probe" 2>"$tmp/err"; then
  "$run" --threads 3 --display-env "$tmp/probe" >"$tmp/out" 2>&1 ||
    fail "probe under hsomp-run --threads 3 failed: $(tail -n 3 "$tmp/out")"
  grep -q "OPENMP DISPLAY ENVIRONMENT BEGIN" "$tmp/out" ||
    fail "--display-env printed no OpenMP environment: $(head -n 3 "$tmp/out")"
  grep -q "OMP_NUM_THREADS = '3'" "$tmp/out" ||
    fail "--display-env does not show OMP_NUM_THREADS = '3'"
else
  fail "cannot compile the probe: $(cat "$tmp/err")"
fi

[ $fails -eq 0 ] && echo "hsomp-run: all command-line checks passed"
[ $fails -eq 0 ]
