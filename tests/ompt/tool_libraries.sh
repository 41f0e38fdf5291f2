# OMPT tool discovery: a tool library named by OMP_TOOL_LIBRARIES (after a
# missing one and one without ompt_start_tool, which are skipped) is
# started and sees the program's region; OMP_TOOL=disabled keeps it out;
# OMP_TOOL_VERBOSE_INIT logs the search to stdout, stderr or a file; a
# tool whose initializer returns 0 gets no callbacks; a bad OMP_TOOL value
# warns and is treated as enabled.
set -u
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
fail() { echo "FAIL: $*" >&2; fails=$((fails + 1)); }

cat >"$tmp/tool.c" <<'C'
#include <stdio.h>
#include <stdlib.h>
#include "omp-tools.h"
static int regions;
static void on_parallel_begin(ompt_data_t *t, const ompt_frame_t *f, ompt_data_t *p,
                              unsigned n, int flags, const void *ra) { regions++; }
static int init(ompt_function_lookup_t lookup, int dev, ompt_data_t *data) {
  ompt_set_callback_t set = (ompt_set_callback_t)lookup("ompt_set_callback");
  set(ompt_callback_parallel_begin, (ompt_callback_t)on_parallel_begin);
  printf("tool: initialized\n");
  return getenv("TOOL_REFUSE") == NULL;
}
static void fini(ompt_data_t *data) { printf("tool: %d regions\n", regions); }
ompt_start_tool_result_t *ompt_start_tool(unsigned v, const char *rt) {
  static ompt_start_tool_result_t r = {init, fini, {0}};
  printf("tool: started by %s (OpenMP %u)\n", rt, v);
  return &r;
}
C
echo 'int not_a_tool(void) { return 0; }' >"$tmp/other.c"
cat >"$tmp/prog.c" <<'C'
#include <stdio.h>
int main(void) {
  int n = 0;
#pragma omp parallel num_threads(2) reduction(+ : n)
  n++;
#pragma omp parallel num_threads(2) reduction(+ : n)
  n++;
  printf("prog: %d\n", n);
  return n != 4;
}
C
$HSOMP_CC -shared -fPIC -I"$HSOMP_SOURCE_DIR/src/ompt" -o "$tmp/tool.so" "$tmp/tool.c" || exit 1
$HSOMP_CC -shared -fPIC -o "$tmp/other.so" "$tmp/other.c" || exit 1
$HSOMP_CC -fopenmp -o "$tmp/prog" "$tmp/prog.c" || exit 1

run() {
  "$HSOMP_RUN" env ${HSOMP_PRELOAD:+LD_PRELOAD=$HSOMP_PRELOAD} "$tmp/prog" >"$tmp/out" 2>"$tmp/err"
}

OMP_TOOL_LIBRARIES="$tmp/missing.so:$tmp/other.so:$tmp/tool.so" OMP_TOOL_VERBOSE_INIT=stderr run ||
  fail "program with the tool: $(cat "$tmp/err")"
grep -q "tool: started by hsomp" "$tmp/out" || fail "tool not started: $(cat "$tmp/out")"
grep -q "tool: 2 regions" "$tmp/out" || fail "tool did not see 2 regions: $(cat "$tmp/out")"
grep -q "missing.so... failed" "$tmp/err" || fail "verbose log lacks the missing library: $(cat "$tmp/err")"
grep -q "no ompt_start_tool in it" "$tmp/err" || fail "verbose log lacks other.so: $(cat "$tmp/err")"
grep -q "tool.so... success" "$tmp/err" || fail "verbose log lacks the tool: $(cat "$tmp/err")"

OMP_TOOL=disabled OMP_TOOL_LIBRARIES="$tmp/tool.so" OMP_TOOL_VERBOSE_INIT=stdout run ||
  fail "program with OMP_TOOL=disabled"
grep -q "tool:" "$tmp/out" && fail "OMP_TOOL=disabled still started the tool: $(cat "$tmp/out")"
grep -q "OMP_TOOL=disabled" "$tmp/out" || fail "verbose log to stdout lacks the reason: $(cat "$tmp/out")"

OMP_TOOL_LIBRARIES="$tmp/tool.so" OMP_TOOL_VERBOSE_INIT="$tmp/log" run || fail "log to a file"
grep -q "initialized and uses the OMPT interface" "$tmp/log" 2>/dev/null ||
  fail "verbose log file: $(cat "$tmp/log" 2>&1)"

TOOL_REFUSE=1 OMP_TOOL_LIBRARIES="$tmp/tool.so" run || fail "program with a refusing tool"
grep -q "tool: initialized" "$tmp/out" || fail "refusing tool not initialized"
grep -q "regions" "$tmp/out" && fail "a refusing tool was finalized: $(cat "$tmp/out")"

OMP_TOOL=maybe OMP_TOOL_LIBRARIES="$tmp/tool.so" run || fail "program with OMP_TOOL=maybe"
grep -q "OMP_TOOL='maybe'" "$tmp/err" || fail "no warning for OMP_TOOL=maybe: $(cat "$tmp/err")"
grep -q "tool: 2 regions" "$tmp/out" || fail "OMP_TOOL=maybe: tool not used"

run || fail "program without a tool"
grep -q "tool:" "$tmp/out" && fail "a tool without OMP_TOOL_LIBRARIES"
[ "$fails" -eq 0 ]
