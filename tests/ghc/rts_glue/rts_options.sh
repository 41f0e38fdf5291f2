# The RTS a C host boots takes options from HSOMP_RTS_OPTS only: accepted
# words apply (read back from the RTS's own RtsFlags after the first
# region), refused words get one line each and the program runs on, and
# GHCRTS -- meant for Haskell programs -- is neither applied nor an error.
# Before the fix GHCRTS=-A16m applied silently and HSOMP_RTS_OPTS did
# nothing.
set -u
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
fail() { echo "FAIL: $*" >&2; fails=$((fails + 1)); }
unset GHCRTS HSOMP_RTS_OPTS

inc=$(ghc-pkg field rts include-dirs --simple-output 2>/dev/null | awk '{print $1}')
[ -f "$inc/Rts.h" ] || { echo "no Rts.h (ghc-pkg field rts include-dirs)" >&2; exit 1; }
cat >"$tmp/flags.c" <<'EOF2'
#include <Rts.h>
#include <dlfcn.h>
#include <omp.h>
#include <stdio.h>
int main(void) {
  int team = 0;
#pragma omp parallel num_threads(2)
  {
#pragma omp atomic
    team++;
  }
  RTS_FLAGS *flags = dlsym(RTLD_DEFAULT, "RtsFlags");
  if (!flags || team != 2)
    return 2;
  printf("A=%u G=%u\n", (unsigned)flags->GcFlags.minAllocAreaSize * 4,
         (unsigned)flags->GcFlags.generations);
  return 0;
}
EOF2
"$HSOMP_CC" -fopenmp -O1 -I"$inc" -o "$tmp/flags" "$tmp/flags.c" -ldl ||
  { echo "cannot compile" >&2; exit 1; }

# check EXPECTED-OUTPUT EXPECTED-STDERR-LINES VAR=VALUE...
check() {
  want=$1 lines=$2; shift 2
  env "$@" timeout -k 5 60 "$HSOMP_RUN" \
    env ${HSOMP_PRELOAD:+LD_PRELOAD=$HSOMP_PRELOAD} "$tmp/flags" >"$tmp/out" 2>"$tmp/err" </dev/null
  status=$?
  got=$(cat "$tmp/out")
  n=$(grep -c . "$tmp/err")
  if [ "$status" -ne 0 ] || [ "$got" != "$want" ] || [ "$n" -ne "$lines" ]; then
    fail "[$*] status $status, printed '$got' (want '$want'), $n lines on stderr (want $lines): $(head -c 400 "$tmp/err")"
  fi
}

check "A=1024 G=2" 0
check "A=8192 G=2" 0 HSOMP_RTS_OPTS=-A8m
check "A=8192 G=3" 0 "HSOMP_RTS_OPTS=  -A8m	-G3 -qg "
check "A=1024 G=2" 0 GHCRTS=-A16m
check "A=1024 G=2" 0 GHCRTS=-xc
check "A=4096 G=2" 0 GHCRTS=-A16m HSOMP_RTS_OPTS=-A4m
# refused: one line each, naming the variable; the accepted words still apply
check "A=4096 G=2" 3 "HSOMP_RTS_OPTS=-xc -A4m -N3 -M1k"
check "A=1024 G=2" 1 "HSOMP_RTS_OPTS=-?"
check "A=1024 G=2" 1 "HSOMP_RTS_OPTS=--info"
check "A=1024 G=2" 1 "HSOMP_RTS_OPTS=-A"
check "A=1024 G=2" 1 "HSOMP_RTS_OPTS=-G0"
check "A=1024 G=2" 1 "HSOMP_RTS_OPTS=-qn-1"
check "A=1024 G=2" 1 "HSOMP_RTS_OPTS=-A1.5x"
check "A=1024 G=2" 1 "HSOMP_RTS_OPTS=$(printf '%0200d' 7)"
grep -q HSOMP_RTS_OPTS "$tmp/err" || fail "the warning does not name HSOMP_RTS_OPTS: $(cat "$tmp/err")"

[ "$fails" -eq 0 ] && echo "ok"
[ "$fails" -eq 0 ]
