/* Subtrees handed to designated receivers (Note [Designated receivers] in
 * task_handoff.c): in teams of more than 8 threads a task's first child
 * goes first to the next of its thread's receivers in a binomial tree
 * over the team ids (a CAS on that thread's hand-off word, no claim), and
 * by a claim when that thread does not wait.  Teams of 12, 24 and 70
 * threads (not powers of two: receivers past the team are skipped), many
 * rounds of binary trees of tasks with taskwaits, started
 *   - by the primary in `masked' (member 0: the root of the receivers'
 *     tree, from its implicit task's task wait),
 *   - by the last member, the others at a barrier (a thread with no
 *     designated receiver of its own: claims),
 *   - by whoever wins a `single', the root itself a task,
 *   - by every member at once (all hand to busy designated receivers),
 * each node numbered as in a heap.  Every node must run once, and every
 * node checks after its taskwait that both children's subtrees are
 * complete (their leaf counts, written by the children, add up): a
 * taskwait that returned before a handed child completed fails.  With
 * cancellation on, one tree in a taskgroup is cancelled from a leaf:
 * then no node may run twice, and the taskgroup must end.  Run as it is
 * (on a small machine: crowded CPUs, where nobody waits for a hand-off),
 * with HSOMP_ASSUME_NCPUS=128 (the team fits: hand-offs), and so with
 * cancellation on. */
// TEST-TIMEOUT: 240
// TEST-ENV: HSOMP_TEST_VARIANT=crowded
// TEST-ENV: HSOMP_ASSUME_NCPUS=128
// TEST-ENV: HSOMP_ASSUME_NCPUS=128 OMP_CANCELLATION=true
#include <omp.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

enum { ROUNDS = 20, DEPTH = 7, NODES = 1 << (DEPTH + 1), TREES = 72 };

static atomic_int seen[TREES][NODES];
static atomic_int bad_sum;

static void work(int n) {
  volatile int x = 0;
  for (int i = 0; i < n; i++)
    x += i;
}

/* Node `id' (heap numbering, root 1) of tree `which', `depth' levels
 * above its leaves: its leaf count in *leaves once its children are
 * done. */
static void node(int which, int id, int depth, int cancel_at, int *leaves) {
  atomic_fetch_add(&seen[which][id], 1);
  if (depth == 0) {
    work(50);
    if (id == cancel_at) {
#pragma omp task
      {
#pragma omp cancel taskgroup
      }
    }
    *leaves = 1;
    return;
  }
  int left = 0, right = 0;
#pragma omp task shared(left)
  node(which, 2 * id, depth - 1, cancel_at, &left);
#pragma omp task shared(right)
  node(which, 2 * id + 1, depth - 1, cancel_at, &right);
#pragma omp taskwait
  /* a cancelled tree's nodes may have discarded children */
  if (cancel_at == 0 && (left != 1 << (depth - 1) || right != 1 << (depth - 1)))
    atomic_fetch_add(&bad_sum, 1);
  *leaves = left + right;
}

static void clear(int trees) {
  for (int w = 0; w < trees; w++)
    for (int i = 0; i < NODES; i++)
      atomic_store(&seen[w][i], 0);
}

/* 0 if every node of trees 0 .. trees-1 ran once (at most once when
 * `cancelled'), else 1 after a message. */
static int check(const char *what, int n, int round, int trees, int cancelled) {
  for (int w = 0; w < trees; w++)
    for (int i = 1; i < NODES; i++) {
      int k = atomic_load(&seen[w][i]);
      if (k > 1 || (!cancelled && k != 1)) {
        fprintf(stderr, "FAIL: %s, team of %d, round %d: tree %d node %d ran %d times\n", what, n,
                round, w, i, k);
        return 1;
      }
    }
  if (atomic_load(&bad_sum)) {
    fprintf(stderr, "FAIL: %s, team of %d, round %d: %d taskwaits returned before their "
                    "children's subtrees were complete\n",
            what, n, round, atomic_load(&bad_sum));
    return 1;
  }
  return 0;
}

static int rounds(int n, int cancellation) {
  for (int round = 0; round < ROUNDS; round++) {
    int leaves = 0;
    clear(1);
#pragma omp parallel num_threads(n)
#pragma omp masked
    node(0, 1, DEPTH, 0, &leaves);
    if (check("tree from the primary", n, round, 1, 0) || leaves != 1 << DEPTH)
      return 1;

    clear(1);
#pragma omp parallel num_threads(n)
    {
      if (omp_get_thread_num() == n - 1)
        node(0, 1, DEPTH, 0, &leaves);
#pragma omp barrier
    }
    if (check("tree from the last member", n, round, 1, 0) || leaves != 1 << DEPTH)
      return 1;

    clear(1);
#pragma omp parallel num_threads(n)
#pragma omp single
    {
#pragma omp task shared(leaves)
      node(0, 1, DEPTH, 0, &leaves);
    }
    if (check("tree as a task in single", n, round, 1, 0) || leaves != 1 << DEPTH)
      return 1;

    clear(n);
    atomic_int wrong = 0;
#pragma omp parallel num_threads(n) shared(wrong)
    {
      int mine = 0;
      node(omp_get_thread_num(), 1, DEPTH - 3, 0, &mine);
      if (mine != 1 << (DEPTH - 3))
        atomic_fetch_add(&wrong, 1);
    }
    for (int w = 0; w < n; w++)
      for (int i = 1 << (DEPTH - 2); i < NODES; i++)
        atomic_fetch_add(&seen[w][i], 1); /* the nodes these smaller trees do not have */
    if (check("a tree on every member", n, round, n, 0) || atomic_load(&wrong))
      return 1;

    if (cancellation) {
      clear(1);
#pragma omp parallel num_threads(n)
#pragma omp masked
#pragma omp taskgroup
      node(0, 1, DEPTH, (1 << DEPTH) + round % (1 << DEPTH), &leaves);
      if (check("cancelled tree", n, round, 1, 1))
        return 1;
    }
  }
  return 0;
}

int main(void) {
  static const int sizes[] = {12, 24, 70};
  const char *c = getenv("OMP_CANCELLATION");
  int cancellation = c && omp_get_cancellation();
  omp_set_dynamic(0);
  for (unsigned s = 0; s < sizeof sizes / sizeof sizes[0]; s++)
    if (rounds(sizes[s], cancellation))
      return 1;
  printf("ok\n");
  return 0;
}
