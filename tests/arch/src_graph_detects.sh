# tools/src_graph.py --check (test arch.src_graph) fails on a cycle: a
# small source tree in folders, like src/, whose files call each other in
# a circle (lower/a.c -> upper/b.c -> lower/a.c) and whose headers include
# each other, is rejected with an empty list of known cycles, and accepted
# once both cycles are listed; a listed cycle that is gone fails too; and
# the tree without the back call passes.
set -eu
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
src=$tmp/src obj=$tmp/obj
mkdir -p "$src/lower" "$src/upper" "$obj/lower" "$obj/upper"
cat >"$src/lower/a.h" <<'EOF'
#include "b.h"
int a_fn(int);
EOF
cat >"$src/upper/b.h" <<'EOF'
#include "a.h"
int b_fn(int);
EOF
cat >"$src/lower/a.c" <<'EOF'
int b_fn(int);
int a_fn(int x) { return x > 0 ? b_fn(x - 1) : 0; }
EOF
cat >"$src/upper/b.c" <<'EOF'
int a_fn(int);
int b_fn(int x) { return a_fn(x) + 1; }
EOF
build() {
  for f in lower/a upper/b; do
    "${HSOMP_CC:-cc}" -c -o "$obj/$f.c.o" "$src/$f.c"
  done
}
check() { python3 "$HSOMP_SOURCE_DIR/tools/src_graph.py" --check "$obj" "$src" "$tmp/known" >"$tmp/out" 2>&1; }
fails=0
fail() { echo "FAIL: $*" >&2; cat "$tmp/out" >&2; fails=$((fails + 1)); }
build

: >"$tmp/known"
if check; then fail "a call and an include cycle with no known cycles passed"; fi
grep -q 'new or changed cycle between src/ files (calls: lower/a.c upper/b.c)' "$tmp/out" ||
  fail "the call cycle is not named"
grep -q 'new or changed cycle between src/ files (includes: lower/a.h upper/b.h)' "$tmp/out" ||
  fail "the include cycle is not named"

printf 'calls: lower/a.c upper/b.c\nincludes: lower/a.h upper/b.h\n' >"$tmp/known"
check || fail "the listed cycles were not accepted"

# without the back call and include: the listed cycles are gone, which fails
cat >"$src/lower/a.c" <<'EOF'
int a_fn(int x) { return x; }
EOF
printf 'int a_fn(int);\n' >"$src/lower/a.h"
build
if check; then fail "listed cycles that are gone passed"; fi
grep -q 'listed cycle is gone' "$tmp/out" || fail "a gone cycle is not reported"

: >"$tmp/known"
check || fail "a tree without cycles failed"

[ "$fails" -eq 0 ] && echo "src_graph.py finds call and include cycles between folders"
exit "$fails"
