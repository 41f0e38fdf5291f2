# The coherence simulator (tools/scale, README "Scale") at 64 threads:
# PARALLEL (fork and join), BARRIER and the join each cost at most 4N line
# transfers with a critical chain of at most 16, and the constructs whose
# algorithms are logarithmic or linear stay within N log2 N transfers.  Builds the simulator into the build tree
# (about 20 s on 2 CPUs, once), then runs only these constructs.
# TEST-NO-SANITIZER
# TEST-TIMEOUT: 300
set -u
n=64
limit_nlogn=$((n * 6)) # N log2 N at 64
dir=$HSOMP_BUILD_DIR/scale-test
sim=$(bash "$HSOMP_SOURCE_DIR/tools/scale/build.sh" "$HSOMP_SOURCE_DIR" "$dir" 2>"$dir.log") ||
  { cat "$dir.log" >&2; echo "FAIL: building the simulator" >&2; exit 1; }
out=$(HSOMP_ASSUME_NCPUS=$n HSOMP_SCALE_ONLY="PARALLEL JOIN BARRIER FOR_STATIC SINGLE REDUCTION" \
      timeout 240 "$sim" 2>&1) || { echo "$out" >&2; echo "FAIL: the simulation did not finish" >&2; exit 1; }
echo "$out"
fails=0
fail() { echo "FAIL: $*" >&2; fails=$((fails + 1)); }
# field CONSTRUCT NAME: the number after NAME on CONSTRUCT's line
field() { echo "$out" | awk -v c="$1" -v f="$2" '$2 == c && $3 == '"$n"' { for (i = 4; i < NF; i++) if ($i == f) print $(i + 1) }'; }
for c in PARALLEL JOIN BARRIER FOR_STATIC SINGLE REDUCTION; do
  t=$(field "$c" transfers)
  [ -n "$t" ] || { fail "no line for $c"; continue; }
  [ "$t" -le "$limit_nlogn" ] || fail "$c: $t transfers at $n threads, more than N log2 N = $limit_nlogn"
done
for c in PARALLEL JOIN BARRIER; do
  t=$(field "$c" transfers) k=$(field "$c" critical)
  [ -n "$t" ] && [ "$t" -le $((4 * n)) ] || fail "$c: ${t:-no} transfers, more than 4N = $((4 * n))"
  [ -n "$k" ] && [ "$k" -le 16 ] || fail "$c: critical chain ${k:-none}, more than 16"
done
[ "$fails" -eq 0 ]
