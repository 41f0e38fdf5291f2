# The coherence simulator (tools/scale, README "Scale") at 64 threads, every
# construct it prints:
# - PARALLEL (fork and join), BARRIER and the join cost at most 4N line
#   transfers with a critical chain of at most 16;
# - static loops, single and reduction at most N log2 N; single at most
#   the barrier's count plus 8 (the first single after a barrier touches
#   no shared word: main at 308cb81 paid N-1 more);
# - dynamic and guided loops and critical sections at most 9N (one or two
#   claims per chunk and thread, a queue lock's hand-overs, plus the
#   barrier): linear, where the compare-and-swap guided claim and the
#   test-and-set critical section cost 135N and 59N;
# - task spawn + taskwait at most 1.5N (each member's two tasks stay its
#   own: about the closing barrier's 0.8N; main at c0c4232, whose members
#   advertised and withdrew their two kept tasks every round, 111, 1.7N);
#   task steal (2N tasks from one
#   producer) at most 6.5N and the task tree (N leaves, 2N-2 tasks) at most
#   10N, 3.3 and 5 transfers per task (README "Scale": each task that moves costs
#   its share of a hand-off to a waiting thread -- its record's line, or
#   for a producer's batch its share of a description in the receiver's
#   lines -- and of its parent's count, plus the closing barrier; in this
#   test's one process task steal paid about 4N more for the thieves'
#   first reads of the adverts that task spawn + taskwait, run before it,
#   wrote, until kept tasks went unadvertised: 706, 11N, at c0c4232, now
#   about 411, 6.4N, README "Scale", thieves' looks): linear, where a taskwait
#   thief that stole tasks it may not run and parked them in the shared
#   queue's lock cost 5N^2, 7N^2 and 12N^2, idle thieves polling one
#   producer's deque cost 52N and 43N (main at 2c259d6), records read
#   by their runners in five lines with a count per task 35N and 26N
#   (main at d5a7af4), a waiting set whose every hand-off cleared the
#   receiver's bit, set again at its next wait, 16-20N and 19-20N (main
#   at c62c6e1), and a producer that handed its tasks in pairs whatever
#   their length, 16.6N (main at 2336142), and records that moved with
#   every handed task, 12.7N (main at 7f16ff3; in this test's one process
#   11N and 17.4N at 0a4ebcc, README "Scale", eighth round), and a tree
#   whose every subtree found its receiver through a claim on a shared
#   waiting word, 17.4N (main at 0a4ebcc, 1112; 15.8N after the ninth
#   round), and a tree whose late designated receivers' subtrees went by
#   claims to threads with too few designated receivers, 15.8N (main at
#   396f0ab, 1014; 13.1N at c0c4232, README "Scale", claims in place),
#   and a tree whose subtrees went as records, counted in lines their
#   runners wrote last, 13.1N (main at c0c4232, 837-850; 12.1N, README
#   "Scale", a task's child described beside its receiver's word), and,
#   main at 308cb81, a single whose every thread read the claimed count,
#   a taskwait that read its count shared and a describer that read the
#   receiver's word before every description: task steal 414 (6.5N), the
#   tree 756 (11.8N; now 348-352 and 568-570, README "Scale", issue 19's
#   fifth task round; task steal keeps a margin for its scatter between
#   builds, 358-388 in processes of its own).
# Builds the simulator into the build tree (about 20 s on 2 CPUs, once),
# then runs it once at 64 threads (about 20 s) and once at 256 threads
# (every construct but the libgomp and libomp models, about 4-5 minutes),
# where it asserts issue 19's goal itself: 4N transfers and a chain of 16
# for PARALLEL, JOIN and BARRIER, and no construct above N log2 N = 2048
# (at d62ed56: critical 1998, guided 1938, the task tree 1919, task
# dependences 1753, dynamic 1659, task steal 1232, the barrier 829).
# Task dependences (TASK_DEPS: 4N tasks from one producer on N chains, each
# released by its predecessor) at most 8.5N, about 2 transfers per task:
# siblings completing no longer meet on their parent's lock (README "Task
# dependences without the parent's lock"), which cost 41 per task (main at
# 2c259d6), compact records and batched counts halved the rest (83N at
# d5a7af4), growing batches took a quarter more (37N at 2336142, 28N at
# 396f0ab), and batches with dependences described in the hand-off, with
# the creator taking a completed task's line at once, a third (18N; README
# "Scale", issue 19's task dependences), and completion signalled per
# batch, with the batch carrying its records, most of the rest of the
# per-task handshake (main at c0c4232: 1158, 18.1N; 637, 10N), and a
# single that every thread's look paid for (main at 308cb81: 579; now 505).
# The task tree at 256 threads: at most N log2 N transfers, as every
# construct there, and a critical chain of at most 90 (main at
# 396f0ab: 3987, 15.6N, critical 103; main at c0c4232: 3293-3296, 12.9N,
# critical 62-66; main at 308cb81: 2910, 11.4N, critical 57; main at
# 47cde9f: 2184, 8.5N, critical 48; main at 3e48297: 2104, 8.2N; now,
# with the receiver taking its word's line, 1925, 7.5N, critical 46;
# 12.5N, 13.5N, and 17N and 500, before).
# Main at 77dca06 had a second mode there, 37000-39000 transfers with a
# critical chain of about 8500 and futex sleeps, which a few nanoseconds
# per deque push or the build's path switched on and off: one task a
# failed hand-off put in the shared queue lined every idle thread up on
# its lock (README "Scale", "A second mode of the task tree"; now
# 3977-4106, critical 98-109, in every build tried).
# TEST-NO-SANITIZER
# TEST-TIMEOUT: 1500
set -u
n=64
limit_nlogn=$((n * 6)) # N log2 N at 64
dir=$HSOMP_BUILD_DIR/scale-test
sim=$(bash "$HSOMP_SOURCE_DIR/tools/scale/build.sh" "$HSOMP_SOURCE_DIR" "$dir" 2>"$dir.log") ||
  { cat "$dir.log" >&2; echo "FAIL: building the simulator" >&2; exit 1; }
out=$(HSOMP_ASSUME_NCPUS=$n timeout 240 "$sim" 2>&1) ||
  { echo "$out" >&2; echo "FAIL: the simulation did not finish" >&2; exit 1; }
echo "$out"
fails=0
fail() { echo "FAIL: $*" >&2; fails=$((fails + 1)); }
# field CONSTRUCT NAME [SIZE OUTPUT]: the number after NAME on CONSTRUCT's line
field() {
  echo "${4:-$out}" | awk -v c="$1" -v f="$2" -v n="${3:-$n}" \
    '$2 == c && $3 == n { for (i = 4; i < NF; i++) if ($i == f) print $(i + 1) }'
}
# bound CONSTRUCT LIMIT WHAT [SIZE OUTPUT]: transfers at most LIMIT
bound() {
  local t size=${4:-$n}
  t=$(field "$1" transfers "$size" "${5:-$out}")
  [ -n "$t" ] || { fail "no line for $1 at $size threads"; return; }
  [ "$t" -le "$2" ] || fail "$1: $t transfers at $size threads, more than $3 = $2"
}
# fork_join_bounds SIZE OUTPUT: PARALLEL, JOIN and BARRIER within 4N
# transfers and a critical chain of 16
fork_join_bounds() {
  local c k
  for c in PARALLEL JOIN BARRIER; do
    bound "$c" $((4 * $1)) "4N" "$1" "$2"
    k=$(field "$c" critical "$1" "$2")
    [ -n "$k" ] && [ "$k" -le 16 ] || fail "$c: critical chain ${k:-none} at $1 threads, more than 16"
  done
}
for c in PARALLEL JOIN BARRIER FOR_STATIC SINGLE REDUCTION; do
  bound "$c" "$limit_nlogn" "N log2 N"
done
for c in FOR_DYNAMIC FOR_GUIDED CRITICAL; do
  bound "$c" $((9 * n)) "9N"
done
bound TASK_DEPS $((17 * n / 2)) "8.5N"
# A single that follows a barrier costs what the barrier does, plus at most
# 8 (Note [Single right after a barrier]; main at 308cb81, where every
# thread looked at the claimed count, 269 against the barrier's 205).
single_t=$(field SINGLE transfers) barrier_t=$(field BARRIER transfers)
[ -n "$single_t" ] && [ -n "$barrier_t" ] && [ "$single_t" -le $((barrier_t + 8)) ] ||
  fail "SINGLE: ${single_t:-no} transfers, more than BARRIER's ${barrier_t:-none} + 8"
bound TASK_SPAWN_WAIT $((3 * n / 2)) "1.5N"
bound TASK_STEAL $((13 * n / 2)) "6.5N"
bound TASK_TREE $((10 * n)) "10N"
fork_join_bounds "$n" "$out"
big=256
# every construct of driver.c, not the models (HSOMP_SCALE_ONLY matches names)
constructs="PARALLEL JOIN BARRIER FOR_STATIC FOR_DYNAMIC FOR_GUIDED SINGLE REDUCTION CRITICAL"
constructs="$constructs TASK_SPAWN_WAIT TASK_STEAL TASK_TREE TASK_DEPS"
out_big=$(HSOMP_ASSUME_NCPUS=$big HSOMP_SCALE_ONLY="$constructs" timeout 1200 "$sim" 2>&1) ||
  { echo "$out_big" >&2; echo "FAIL: the simulation at $big threads did not finish" >&2; exit 1; }
echo "$out_big"
for c in $constructs; do
  bound "$c" $((big * 8)) "N log2 N" "$big" "$out_big"
done
fork_join_bounds "$big" "$out_big"
k=$(field TASK_TREE critical $big "$out_big")
[ -n "$k" ] && [ "$k" -le 90 ] || fail "TASK_TREE: critical chain ${k:-none} at $big threads, more than 90"
[ "$fails" -eq 0 ]
