# Environment fuzz: a small OpenMP program (parallel loop with a runtime
# schedule, tasks, nested regions, host teams, a target region, locks,
# an allocator) runs on hsomp with malformed values for every OMP_* and
# GOMP_* variable libgomp 12 reads -- empty, blanks, signs, huge numbers,
# overflow, junk suffixes, bad lists and places, control characters,
# invalid UTF-8, a very long value -- one variable at a time and then all
# at once.  Every run must finish (under `timeout`), exit 0, print the
# right result, and write at most one line on stderr per bad variable,
# naming it; values that are malformed beyond doubt must give exactly one.
# TEST-TIMEOUT: 300
set -u
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
runs=0
fail() { echo "FAIL: $*" >&2; fails=$((fails + 1)); }

# The child environment starts without any OpenMP variable.
for v in $(env | sed -n 's/^\(G\{0,1\}OMP_[A-Za-z0-9_]*\)=.*/\1/p; s/^\(ACC_[A-Za-z0-9_]*\)=.*/\1/p'); do
  unset "$v"
done

cat >"$tmp/prog.c" <<'EOF'
#include <omp.h>
#include <stdio.h>
int main(void) {
  int ok = 1;
  long sum = 0;
#pragma omp parallel for schedule(runtime) reduction(+ : sum)
  for (long i = 1; i <= 10000; i++)
    sum += i;
  ok &= sum == 50005000L;

  long tasks = 0;
#pragma omp parallel
#pragma omp single
  for (int t = 0; t < 100; t++) {
#pragma omp task shared(tasks)
    {
#pragma omp atomic
      tasks += t;
    }
  }
  ok &= tasks == 4950;

  int inner = 0;
#pragma omp parallel num_threads(2) reduction(+ : inner)
  {
#pragma omp parallel num_threads(2) reduction(+ : inner)
    inner += 1;
  }
  ok &= inner >= 1 && inner <= 4;

  int teams = 0;
#pragma omp teams reduction(+ : teams)
  teams += 1;
  ok &= teams >= 1;

  int on_target = 0;
#pragma omp target map(tofrom : on_target)
  on_target = 42;
  ok &= on_target == 42;

  omp_lock_t lock;
  omp_init_lock(&lock);
  int locked = 0;
#pragma omp parallel
  {
    omp_set_lock(&lock);
    locked++;
    omp_unset_lock(&lock);
  }
  omp_destroy_lock(&lock);
  ok &= locked >= 1;

  int *mem = omp_alloc(64 * sizeof(int), omp_get_default_allocator());
  ok &= mem != NULL;
  if (mem)
    mem[63] = 1;
  omp_free(mem, omp_get_default_allocator());

  printf(ok ? "ok\n" : "wrong sum=%ld tasks=%ld inner=%d teams=%d\n", sum, tasks, inner, teams);
  return 0;
}
EOF
# Under the sanitizers a run of prog takes about a second, so there most
# cases run quick, which only reads the environment (the library
# constructor parses every variable) and prints ok; every 8th case, and
# the last, still run prog.
printf '#include <omp.h>\n#include <stdio.h>\nint main(void) { puts(omp_get_max_threads() > 0 ? "ok" : "no"); return 0; }\n' >"$tmp/quick.c"
"$HSOMP_CC" -fopenmp -O1 -o "$tmp/prog" "$tmp/prog.c" &&
  "$HSOMP_CC" -fopenmp -O1 -o "$tmp/quick" "$tmp/quick.c" || { echo "cannot compile" >&2; exit 1; }
full=

# run NAME=VALUE...: runs the program with these variables and checks that
# it finished, exited 0 and printed "ok"; leaves stderr in $tmp/err, its
# non-blank line count in $lines and the case, printable, in $shown.
run() {
  runs=$((runs + 1))
  shown=$(printf '%s' "$*" | tr -c '[:print:]' '?' | cut -c1-160)
  prog=$tmp/prog
  [ -n "$HSOMP_PRELOAD" ] && [ -z "$full" ] && [ $((runs % 8)) -ne 0 ] && prog=$tmp/quick
  env "$@" timeout -k 5 60 "$HSOMP_RUN" \
    env ${HSOMP_PRELOAD:+LD_PRELOAD=$HSOMP_PRELOAD} "$prog" >"$tmp/out" 2>"$tmp/err" </dev/null
  status=$?
  lines=$(grep -c '[^[:space:]]' "$tmp/err")
  if [ "$status" -eq 124 ] || [ "$status" -eq 137 ]; then
    fail "[$shown] hangs (killed by timeout)"
    return 1
  fi
  if [ "$status" -ne 0 ]; then
    fail "[$shown] exit status $status: $(head -c 300 "$tmp/err")"
    return 1
  fi
  if [ "$(cat "$tmp/out")" != ok ]; then
    fail "[$shown] printed '$(head -c 200 "$tmp/out")'"
    return 1
  fi
}

# bad VAR VALUE: malformed beyond doubt: exactly one line, naming VAR.
bad() {
  run "$1=$2" || return
  if [ "$lines" -ne 1 ] || [ "$(grep -c -F "$1" "$tmp/err")" -ne 1 ]; then
    fail "[$shown] expected one warning naming $1, got $lines line(s): $(head -c 400 "$tmp/err")"
  fi
}

# odd VAR VALUE: maybe well-formed: at most one line, naming VAR if any.
odd() {
  run "$1=$2" || return
  if [ "$lines" -gt 1 ] || { [ "$lines" -eq 1 ] && ! grep -q -F "$1" "$tmp/err"; }; then
    fail "[$shown] expected at most one warning naming $1, got $lines line(s): $(head -c 400 "$tmp/err")"
  fi
}

# Bytes that are not printable ASCII.
nl='
'
tab=$(printf '\t')
utf8=$(printf '\303\251\342\202\254') # e-acute, euro sign
badutf8=$(printf '\377\376\200')
esc=$(printf '\033[31m')
long=$(printf '%04096d' 7) # 4096 digits: 000...07
huge=99999999999999999999
junk_values() {
  # Values no numeric, boolean or keyword variable accepts.
  printf '%s\n' "" " $tab" "junk" "-1" "+" "$huge" "1x" "0x10" "1.5" "$utf8" "$badutf8$esc" \
    "," "true false" "${long}x"
}

# Every scalar variable libgomp 12 reads that hsomp validates.
scalars="OMP_NUM_THREADS OMP_SCHEDULE OMP_DYNAMIC OMP_NESTED OMP_MAX_ACTIVE_LEVELS
  OMP_THREAD_LIMIT OMP_STACKSIZE GOMP_STACKSIZE OMP_WAIT_POLICY GOMP_SPINCOUNT OMP_PROC_BIND
  OMP_PLACES GOMP_CPU_AFFINITY OMP_CANCELLATION OMP_DEFAULT_DEVICE OMP_MAX_TASK_PRIORITY
  OMP_DISPLAY_ENV OMP_DISPLAY_AFFINITY OMP_TARGET_OFFLOAD OMP_ALLOCATOR OMP_NUM_TEAMS
  OMP_TEAMS_THREAD_LIMIT"
junk_values >"$tmp/junk"
for var in $scalars; do
  while IFS= read -r value; do
    case "$var=$value" in
      # A bare number is a valid CPU list / thread count / stack size...
      GOMP_CPU_AFFINITY=-1) odd "$var" "$value" ;;
      *) bad "$var" "$value" ;;
    esac
  done <"$tmp/junk"
  # A value with a newline in it (read above would split it).
  bad "$var" "x${nl}y"
done

# Per variable: numbers at and past the edges, signs, junk suffixes, lists.
for value in 0 -0 -5 -2147483648 2147483648 4294967296 9223372036854775808 "$huge" "$long" \
  "2 3" "2," ",2" "2,,3" "2,-1" "2,0" "2;3" "2:3" "+-2" "2$tab,${nl}3x" "4,3,2,1,0"; do
  odd OMP_NUM_THREADS "$value"
done
# Absurd but well-formed team sizes are cut by a thread limit of 4.
for value in 100000 2147483647 "2147483647,2147483647"; do
  run OMP_NUM_THREADS="$value" OMP_THREAD_LIMIT=4 && [ "$lines" -eq 0 ] ||
    fail "[$shown] $lines line(s): $(head -c 300 "$tmp/err")"
done
for value in "static,-1" "static,$huge" "static,2147483648" "dynamic,x" "guided," ",5" \
  "monotonic" "monotonic:" ":static" "nonmonotonic:monotonic:static" "static,5,5" \
  "static 5" "auto,-0" "dynamic,+3" "monotonic:nonmonotonic" "STATIC${tab},${tab}3" \
  "runtime" "static,1x" "dynamic,${long}"; do
  odd OMP_SCHEDULE "$value"
done
for var in OMP_DYNAMIC OMP_NESTED OMP_CANCELLATION OMP_DISPLAY_AFFINITY; do
  for value in 1 0 yes no on TRUEx " false x" "t" "truetrue" "true,false"; do
    bad "$var" "$value"
  done
done
for var in OMP_MAX_ACTIVE_LEVELS OMP_THREAD_LIMIT OMP_DEFAULT_DEVICE OMP_MAX_TASK_PRIORITY \
  OMP_NUM_TEAMS OMP_TEAMS_THREAD_LIMIT; do
  for value in 0 -0 2147483647 2147483648 4294967297 9223372036854775807 "$huge" "3 4" "3,4" \
    "+3" "++3" "3-"; do
    # A league of 2^31 - 1 teams is well-formed, and runs for ever (libgomp too).
    [ "$var=$value" = OMP_NUM_TEAMS=2147483647 ] && continue
    odd "$var" "$value"
  done
done
for var in OMP_STACKSIZE GOMP_STACKSIZE; do
  for value in 0 1 1b 1B 16k 1m 17179869184G 4096G 100000000M 18446744073709551615b \
    18446744073709551616b "1 k" "1 k b" "1kk" "k" "-1k" "1.5M" "1G1"; do
    odd "$var" "$value"
  done
done
# A stack size that can be mapped once but not for every thread (address
# space limited; not under the sanitizers, whose shadow memory needs it).
if [ -z "$HSOMP_PRELOAD" ]; then
  (ulimit -v 6000000 && run OMP_STACKSIZE=1G OMP_NUM_THREADS=8) &&
    [ "$(grep -c OMP_STACKSIZE "$tmp/err")" -le 1 ] ||
    fail "[OMP_STACKSIZE=1G OMP_NUM_THREADS=8, ulimit -v 6000000] $(head -c 300 "$tmp/err")"
fi
for value in 0 1 infinite INFINITY infinite5 infinity_ 18446744073709551615 \
  18446744073709551615T 5t "5 k" "5kk" -5 "1e9"; do
  odd GOMP_SPINCOUNT "$value"
done
for value in passive active PASSIVE " active " passiveactive "active,passive"; do
  odd OMP_WAIT_POLICY "$value"
done
for value in "close,,spread" "close," ",close" "spread,close,primary,master" \
  "false,false" "true,true" "close spread" "close,spread,$huge"; do
  odd OMP_PROC_BIND "$value"
done
for value in "{" "}" "{}" "{0" "{0}}" "{0}:" "{0}:0" "{0}:1:0" "{0}:$huge" "{0}:99999" \
  "{0}:2:-1" "{0}:2:$huge" "{0}:4:-9223372036854775808" "{0:0}" "{0:$huge}" \
  "{0:2:-1}" "{0:99999:-1}" "{$huge}" "{99999}" "{1023}" "{1024}" "{0,!0}" "{!0}" "{!0,0}" \
  "{0,1}:2:1" "{0},{0}" "{0},,{1}" "!{0}" "!{0},!{1}" "{0}:2:1,!{1}" "!threads" \
  "threads(" "threads()" "threads(0)" "threads(-1)" "threads($huge)" "threads(99999)" \
  "threads(2)x" "cores(1) " " sockets" "ll_caches" "numa_domains" "ll_caches(1)" \
  "numa_domains(999)" "Threads(1)" "{0}:2147483648" "{0:1:1}:3:4" "{0-1}" "0-1" \
  "{0}${nl}" "{${utf8}}"; do
  odd OMP_PLACES "$value"
done
for value in "0-$huge" "0-99999" "99999" "0-1:0" "0-1:-1" "1-0" "0 1 2 3 99999" "0,,1" \
  "0-" "-" "0:2" "0-1:$huge" "0 - 1" "0-1-2" "0-1:2:3" "1023" "1024"; do
  odd GOMP_CPU_AFFINITY "$value"
done
for value in mandatory MANDATORY " disabled " default defaultx "mandatory,disabled"; do
  odd OMP_TARGET_OFFLOAD "$value"
done
for value in omp_default_mem_alloc " OMP_LARGE_CAP_MEM_ALLOC " omp_high_bw_mem_alloc \
  omp_null_allocator omp_default_mem_space "omp_default_mem_alloc:pinned=true" \
  omp_thread_mem_allocx 1 0; do
  odd OMP_ALLOCATOR "$value"
done
for value in false " TRUE" true verbose verbosex "true,verbose"; do
  case "$value" in
    *x | *,*) bad OMP_DISPLAY_ENV "$value" ;;
    *) run OMP_DISPLAY_ENV="$value" || true ;; # prints the environment: no line count
  esac
done

# The affinity format is any string; displayed, it must not crash either.
for value in "" "%" "%%" "%{" "%{}" "%{bogus}" "%{thread_num" "%.99999L" \
  "%2147483648A" "%.99999999999999999999A" "%0.18446744073709551614n" "%-99999999999i" "%0.0.0n" "%99999H" "%.99999P" "$long" "%${badutf8}" \
  "%{host}%{pid}%{thread_affinity}%{native_thread_id}%{ancestor_tnum}%{nesting_level}"; do
  run OMP_AFFINITY_FORMAT="$value" || continue
  [ "$lines" -eq 0 ] || fail "[$shown] not displayed, yet $lines line(s): $(head -c 300 "$tmp/err")"
  run OMP_AFFINITY_FORMAT="$value" OMP_DISPLAY_AFFINITY=true || continue
  n=$(grep -c 'affinity format' "$tmp/err")
  [ "$n" -le 1 ] || fail "[$shown] displayed: $n warnings: $(head -c 300 "$tmp/err")"
done

# Variables hsomp does not use (OpenACC, debugging, RTEMS) are ignored.
for var in GOMP_DEBUG GOMP_RTEMS_THREAD_POOLS GOMP_OPENACC_DIM ACC_DEVICE_TYPE ACC_DEVICE_NUM \
  ACC_PROFLIB; do
  for value in "" junk "$huge" "$badutf8"; do
    odd "$var" "$value"
  done
done

# Everything bad at once: one line per variable at most, each named once.
full=1
set --
for var in $scalars; do
  set -- "$@" "$var=${huge}x${badutf8}"
done
if run "$@"; then
  [ "$lines" -le $# ] || fail "[all at once] $lines lines for $# variables"
  for var in $scalars; do
    n=$(grep -c "variable $var:" "$tmp/err")
    [ "$n" -eq 1 ] || fail "[all at once] $var named in $n warning lines: $(cat "$tmp/err")"
  done
fi

echo "$runs runs, $fails failures"
[ "$fails" -eq 0 ]
