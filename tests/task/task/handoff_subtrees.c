/* Subtrees handed to waiting threads in teams of more than 8 threads that
 * fit their CPUs: a task's child goes to its designated receiver, described
 * beside the receiver's hand-off word (Note [Designated receivers], Note
 * [A task's child described beside its receiver's word] in
 * task_handoff.c), and the receiver's looks take that word's line (Note
 * [The receiver takes its word's line]).  Binary trees of tasks in teams
 * of 16 and 48 threads:
 *   - every node waits for its children and checks what they wrote (plain
 *     stores by the child's thread, read after the taskwait);
 *   - nodes that do not wait: the parent ends while the child it handed
 *     still works, and the region's end waits for every one of them;
 *   - children that end without waiting for their own children, whose
 *     subtrees outlive them: the parent's taskwait sees the child complete
 *     while its grandchildren run;
 *   - a parent whose child is such a node itself.
 * Leaves work long enough (about 0.3-1 ms on this machine) that parents
 * reach their waits before their children end.  Every node counts
 * itself; every node must run once, and a waiting node checks its
 * children's subtrees.  Run as it is (crowded CPUs: nobody waits for a
 * hand-off), with HSOMP_ASSUME_NCPUS=128 (hand-offs), with a short spin
 * (waits sleep), and with cancellation on (GOMP_task's general path).
 * (Written for issue 19's sixth task round, a moved child's completion
 * signalled in its receiver's word, since taken out.) */
// TEST-TIMEOUT: 240
// TEST-ENV: HSOMP_TEST_VARIANT=crowded
// TEST-ENV: HSOMP_ASSUME_NCPUS=128
// TEST-ENV: HSOMP_ASSUME_NCPUS=128 GOMP_SPINCOUNT=100
// TEST-ENV: HSOMP_ASSUME_NCPUS=128 OMP_CANCELLATION=true
#include <omp.h>
#include <stdatomic.h>
#include <stdio.h>

#include "task_tree.h"

enum { DEPTH = 6, NODES = 1 << (DEPTH + 1), ROUNDS = 10, LEAF = 200000 };

static atomic_int seen[NODES];
static atomic_int bad;

static int depth_of(int id) {
  int depth = DEPTH;
  for (int k = id; k > 1; k >>= 1)
    depth--;
  return depth;
}

/* Waits for its children; each writes its subtree's leaf count into the
 * parent's frame with a plain store. */
static void waiting(int id, int *leaves) {
  atomic_fetch_add(&seen[id], 1);
  int depth = depth_of(id);
  if (depth == 0) {
    work(LEAF);
    *leaves = 1;
    return;
  }
  int left = -1, right = -1;
#pragma omp task shared(left)
  waiting(2 * id, &left);
#pragma omp task shared(right)
  waiting(2 * id + 1, &right);
#pragma omp taskwait
  if (left != 1 << (depth - 1) || right != 1 << (depth - 1))
    atomic_fetch_add(&bad, 1);
  *leaves = left + right;
}

/* Never waits: its children outlive it. */
static void ending(int id) {
  atomic_fetch_add(&seen[id], 1);
  if (depth_of(id) == 0) {
    work(LEAF);
    return;
  }
#pragma omp task
  ending(2 * id);
#pragma omp task
  ending(2 * id + 1);
}

/* Waits at odd depths only: a waiting node's children end before their
 * own children (the subtree still runs when the child completes), and a
 * node that does not wait is the child of one that does. */
static void alternating(int id, atomic_int *done_below) {
  atomic_fetch_add(&seen[id], 1);
  int depth = depth_of(id);
  if (depth == 0) {
    work(LEAF);
    atomic_fetch_add(done_below, 1);
    return;
  }
  atomic_int mine = 0;
  atomic_int *count = depth % 2 ? &mine : done_below;
#pragma omp task
  alternating(2 * id, count);
#pragma omp task
  alternating(2 * id + 1, count);
  if (depth % 2) {
#pragma omp taskwait
    /* the children completed; their children may still run, and count
     * into `mine' (so this frame waits for them before it returns) */
    while (atomic_load(&mine) < 1 << depth) {
#pragma omp taskyield
    }
    atomic_fetch_add(done_below, atomic_load(&mine));
  }
}

static int check(const char *what, int n, int round) {
  for (int i = 1; i < NODES; i++) {
    int k = atomic_load(&seen[i]);
    if (k != 1) {
      fprintf(stderr, "FAIL: %s, team of %d, round %d: node %d ran %d times\n", what, n, round, i,
              k);
      return 1;
    }
  }
  if (atomic_load(&bad)) {
    fprintf(stderr, "FAIL: %s, team of %d, round %d: %d wrong subtrees\n", what, n, round,
            atomic_load(&bad));
    return 1;
  }
  return 0;
}

static void clear(void) {
  for (int i = 0; i < NODES; i++)
    atomic_store(&seen[i], 0);
}

static int rounds(int n) {
  for (int round = 0; round < ROUNDS; round++) {
    int leaves = 0;
    clear();
#pragma omp parallel num_threads(n)
#pragma omp single
    waiting(1, &leaves);
    if (check("every node waits", n, round))
      return 1;
    if (leaves != 1 << DEPTH) {
      fprintf(stderr, "FAIL: team of %d, round %d: %d leaves\n", n, round, leaves);
      return 1;
    }

    clear();
#pragma omp parallel num_threads(n)
#pragma omp single
    ending(1);
    if (check("no node waits", n, round))
      return 1;

    clear();
    atomic_int all = 0;
#pragma omp parallel num_threads(n)
#pragma omp single
#pragma omp task
    alternating(1, &all);
    if (check("odd depths wait", n, round))
      return 1;
    if (atomic_load(&all) != 1 << DEPTH) {
      fprintf(stderr, "FAIL: odd depths wait, team of %d, round %d: %d leaves counted\n", n, round,
              atomic_load(&all));
      return 1;
    }
  }
  return 0;
}

int main(void) {
  static const int sizes[] = {16, 48};
  omp_set_dynamic(0);
  for (unsigned s = 0; s < sizeof sizes / sizeof sizes[0]; s++)
    if (rounds(sizes[s]))
      return 1;
  printf("ok\n");
  return 0;
}
