# hsomp-run --trace FILE: the timeline tool writes a Chrome trace-event JSON
# file and an SVG picture for a known program (2 threads, one dynamic loop
# of 10 chunks, 4 tasks, a critical section per thread), with exactly the
# spans that program makes; bad --trace arguments are refused.
set -u
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
fail() { echo "FAIL: $*" >&2; fails=$((fails + 1)); }

cat >"$tmp/prog.c" <<'C'
#include <stdio.h>
volatile long sink;
int main(void) {
#pragma omp parallel num_threads(2)
  {
#pragma omp for schedule(dynamic, 10)
    for (int i = 0; i < 100; i++)
      sink += i;
#pragma omp single
    for (int t = 0; t < 4; t++) {
#pragma omp task
      sink += t;
    }
#pragma omp critical
    sink++;
  }
  puts("done");
  return 0;
}
C
$HSOMP_CC -fopenmp -O1 -o "$tmp/prog" "$tmp/prog.c" || exit 1
"$HSOMP_RUN" --trace "$tmp/t.json" env ${HSOMP_PRELOAD:+LD_PRELOAD=$HSOMP_PRELOAD} "$tmp/prog" \
  >"$tmp/out" 2>"$tmp/err" || fail "traced run failed: $(cat "$tmp/err")"
grep -q done "$tmp/out" || fail "the program's output is missing"
grep -q "hsomp-trace: wrote" "$tmp/err" || fail "no 'wrote' message: $(cat "$tmp/err")"
[ -s "$tmp/t.json" ] && [ -s "$tmp/t.svg" ] || fail "missing output files: $(ls "$tmp")"

# count NAME: complete events of that name in the JSON.
count() { grep -c "\"name\":\"$1\",\"cat\"" "$tmp/t.json"; }
[ "$(count 'parallel region')" -eq 2 ] || fail "parallel region spans: $(count 'parallel region')"
[ "$(count loop)" -eq 2 ] || fail "loop spans: $(count loop)"
[ "$(count chunk)" -eq 10 ] || fail "chunk spans: $(count chunk)"
[ "$(count task)" -eq 4 ] || fail "task spans: $(count task)"
[ "$(count critical)" -eq 2 ] || fail "critical held spans: $(count critical)"
[ "$(count 'critical wait')" -eq 2 ] || fail "critical wait spans: $(count 'critical wait')"
[ "$(count 'barrier (construct end)')" -eq 2 ] || fail "loop barrier spans"
[ "$(count 'barrier (region end)')" -eq 2 ] || fail "region end barrier spans"
grep -q '"name":"thread_name".*"initial thread 0"' "$tmp/t.json" || fail "no thread names"
if command -v python3 >/dev/null; then
  python3 -c "import json,sys; json.load(open(sys.argv[1]))" "$tmp/t.json" || fail "invalid JSON"
fi
grep -q '^<svg ' "$tmp/t.svg" && grep -q '</svg>' "$tmp/t.svg" || fail "not an SVG"
[ "$(grep -c '<rect' "$tmp/t.svg")" -gt 10 ] || fail "SVG without spans"

# Bad arguments: a missing or unwritable file.
"$HSOMP_RUN" --trace >/dev/null 2>"$tmp/err"
[ $? -eq 2 ] && grep -q "needs a file name" "$tmp/err" || fail "--trace without a file"
"$HSOMP_RUN" --trace /nonexistent/dir/t.json true >/dev/null 2>"$tmp/err"
[ $? -eq 2 ] && grep -q "cannot write" "$tmp/err" || fail "--trace to an unwritable file"
[ "$fails" -eq 0 ]
