# The conformance runner (conformance/run-gcc-testsuite) on a small
# synthetic testsuite, with hsomp as libgomp.so.1: the dg-* directives it
# honours (dg-do and target selectors, dg-options replacing -O2,
# dg-additional-options/-sources, dg-set-target-env-var in a clean OMP_*
# environment, dg-output, dg-shouldfail, dg-skip-if, Fortran modules), its
# verdicts, and the known-failures gate: an unlisted failure fails the run,
# a listed test that passes fails it, a stale entry fails it, a listed
# failure passes it, a test failing with libgomp too is not held against
# hsomp.
# TEST-NO-SANITIZER
# TEST-TIMEOUT: 240
# TEST-REQUIRES-FILE: /usr/bin/python3
set -eu
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
ts=$tmp/testsuite
mkdir -p "$ts/libgomp.c" "$ts/libgomp.fortran"
fail() { echo "runner_gate: $*" >&2; exit 1; }

cat >"$ts/libgomp.c/plain.c" <<'T'
/* { dg-do run } */
#include <omp.h>
int main (void) { int n = 0;
#pragma omp parallel num_threads (2) reduction (+:n)
  n += 1;
  return n == 2 ? 0 : 1; }
T
cat >"$ts/libgomp.c/options.c" <<'T'
/* { dg-do run } */
/* { dg-options "-O0 -DVALUE=3" } */
/* { dg-additional-options "-DEXTRA=4" { target x86_64-*-* } } */
/* { dg-additional-options "-DWRONG=1" { target { ! x86_64-*-* } } } */
#if defined __OPTIMIZE__ || VALUE != 3 || EXTRA != 4 || defined WRONG
#error "flags not as dg-options and dg-additional-options say"
#endif
int main (void) { return 0; }
T
cat >"$ts/libgomp.c/env.c" <<'T'
/* { dg-do run } */
/* { dg-set-target-env-var OMP_NUM_THREADS "3" } */
#include <omp.h>
#include <stdlib.h>
int main (void) { return omp_get_max_threads () == 3 && !getenv ("OMP_SCHEDULE") ? 0 : 1; }
T
cat >"$ts/libgomp.c/output.c" <<'T'
/* { dg-do run } */
/* { dg-output "hello \[0-9\]+(\n|\r\n|\r)" } */
/* { dg-output "world" } */
#include <stdio.h>
int main (void) { printf ("hello 42\nworld\n"); return 0; }
T
cat >"$ts/libgomp.c/wrong-output.c" <<'T'
/* { dg-do run } */
/* { dg-output "goodbye" } */
#include <stdio.h>
int main (void) { printf ("hello\n"); return 0; }
T
cat >"$ts/libgomp.c/shouldfail.c" <<'T'
/* { dg-do run } */
/* { dg-shouldfail "abort" } */
#include <stdlib.h>
int main (void) { abort (); }
T
cat >"$ts/libgomp.c/sources.c" <<'T'
/* { dg-do run } */
/* { dg-additional-sources "sources-aux.c" } */
int aux (void);
int main (void) { return aux () == 7 ? 0 : 1; }
T
cat >"$ts/libgomp.c/sources-aux.c" <<'T'
/* { dg-skip-if "auxiliary source" { *-*-* } } */
int aux (void) { return 7; }
T
cat >"$ts/libgomp.c/offload.c" <<'T'
/* { dg-do run { target offload_device_nonshared_as } } */
#include <stdlib.h>
int main (void) { abort (); }
T
cat >"$ts/libgomp.c/compile.c" <<'T'
/* { dg-do compile } */
this is not C
T
cat >"$ts/libgomp.c/hsomp-only-fail.c" <<'T'
/* { dg-do run } */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
#include <omp.h>
int main (void) { omp_get_max_threads ();
  if (dlsym (RTLD_DEFAULT, "hsomp_get_capability")) { puts ("this is hsomp"); return 1; }
  return 0; }
T
cat >"$ts/libgomp.c/both-fail.c" <<'T'
/* { dg-do run } */
#include <stdio.h>
int main (void) { puts ("fails everywhere"); return 2; }
T
cat >"$ts/libgomp.fortran/module.f90" <<'T'
! { dg-do run }
module counter
  integer :: total = 0
end module counter
program main
  use counter
  use omp_lib
  !$omp parallel num_threads(2) reduction(+:total)
  total = total + 1
  !$omp end parallel
  if (total /= 2) stop 1
end program main
T

known=$tmp/known-failures.txt
run_suite() {
  OMP_SCHEDULE=static python3 "$HSOMP_SOURCE_DIR/conformance/run-gcc-testsuite" --source "$ts" \
    --cache "$tmp/cache" --build-dir "$HSOMP_BUILD_DIR" --output-dir "$tmp/out" --langs c,fortran \
    --retries 0 --timeout 30 --known-failures "$known" "$@" >"$tmp/log" 2>&1
}
expect_rc() {
  want=$1; shift
  rc=0
  run_suite "$@" || rc=$?
  [ "$rc" -eq "$want" ] || { cat "$tmp/log" >&2; fail "exit status $rc, expected $want ($*)"; }
}
has() { grep -qF -- "$1" "$tmp/log" || { cat "$tmp/log" >&2; fail "no line '$1' in the output"; }; }

# No list: hsomp-only-fail.c fails unlisted; both-fail.c and
# wrong-output.c fail with libgomp too; offload.c, sources-aux.c and
# compile.c are not run.
: >"$known"
expect_rc 1
has "NEW FAILURE  c:libgomp.c/hsomp-only-fail.c"
grep -q "NEW FAILURE  c:libgomp.c/both-fail.c" "$tmp/log" && fail "both-fail.c held against hsomp"
has "gcc-testsuite: result: 7/10 passed, 0 known failures, 2 failing with libgomp too, 1 gate errors"
has "unsupported here: 2 run tests"
grep -q "^c:libgomp.c/hsomp-only-fail.c	exit 1: this is hsomp$" "$tmp/out/failures-hsomp.txt" ||
  fail "failures-hsomp.txt lacks the failure with its last output line"
grep -q "^c:libgomp.c/wrong-output.c	output does not match dg-output: hello$" "$tmp/out/failures-hsomp.txt" ||
  fail "failures-hsomp.txt lacks the dg-output mismatch"

# Listed: the gate passes.
printf '# reasons\nc:libgomp.c/hsomp-only-fail.c  fails on purpose\n' >"$known"
expect_rc 0
has "gcc-testsuite: gate passed"
has "gcc-testsuite: result: 7/10 passed, 1 known failures, 2 failing with libgomp too, 0 gate errors"

# A listed test that passes, and an entry that is no run test here.
printf 'c:libgomp.c/plain.c  passes\nc:libgomp.c/offload.c  not run\n' >>"$known"
expect_rc 1
has "NOW PASSES   c:libgomp.c/plain.c"
has "STALE ENTRY  c:libgomp.c/offload.c"

# --update-known-failures keeps the reasons of tests still failing.
expect_rc 0 --update-known-failures
grep -q "^c:libgomp.c/hsomp-only-fail.c  *fails on purpose$" "$known" || fail "reason not kept: $(cat "$known")"
grep -q "plain.c\|offload.c" "$known" && fail "entries not removed: $(cat "$known")"
expect_rc 0
echo "runner_gate: ok"
