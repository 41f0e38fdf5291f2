/* Descriptions written without a look after a barrier (Note [Describing
 * after a barrier] in task_handoff.c): a thread that hands a task's child
 * to a member whose last description was handed before a barrier this
 * thread has left complete writes the description and CASes the word
 * without reading the word first.  That is sound only if the receiver has
 * read that description by then; under TSan (only the runtime is
 * instrumented) a description written while the receiver may still read
 * the last one is a race the run stops on.  One region per team size, many
 * rounds inside it, so describers keep meeting members whose descriptions
 * were handed in an earlier interval between barriers:
 *   - a tree from a single (its implicit barrier ends the round), 16 bytes
 *     of arguments that every node checks;
 *   - trees from every member, then an explicit barrier: the threads that
 *     wait in it run the trees' tasks and hand their children while others
 *     are still on their way (describers inside barrier k+1 have left k);
 *   - a tree from a single after a `for nowait' (no barrier between: the
 *     describers look), then a barrier;
 *   - trees whose nodes do not wait for their children, ended by a barrier.
 * Every node checks its arguments and counts itself; every node must run
 * once, and a node that waits checks that its children's subtrees are
 * complete.  Run as it is (crowded CPUs: nobody waits for a hand-off),
 * with HSOMP_ASSUME_NCPUS=128 (hand-offs), and so with cancellation on
 * (the look always). */
// TEST-TIMEOUT: 240
// TEST-ENV: HSOMP_TEST_VARIANT=crowded
// TEST-ENV: HSOMP_ASSUME_NCPUS=128
// TEST-ENV: HSOMP_ASSUME_NCPUS=128 OMP_CANCELLATION=true
#include <omp.h>
#include <stdatomic.h>
#include <stdio.h>

enum { LEAF = 2000, ROUNDS = 16, DEPTH = 6, NODES = 1 << (DEPTH + 1), TREES = 72 };

static atomic_int seen[TREES][NODES];
static atomic_int done_below[TREES][NODES]; /* leaves finished under each node */
static atomic_int bad;

static void work(int n) {
  volatile int x = 0;
  for (int i = 0; i < n; i++)
    x += i;
}

/* What node `id' of tree `which' in round `round' must receive. */
static int salt_of(int which, int id, int round) { return (round * 7919 + which * 131 + id) ^ 0x5a5a; }

/* Where a node belongs: its tree, its round, whether its nodes wait.  A
 * node's task has 16 bytes of arguments (a pointer to this, its number, its
 * check word): a description beside the receiver's word. */
struct where {
  int which, round, wait;
};

static void leaf_done(int which, int id) {
  for (int k = id; k >= 1; k >>= 1)
    atomic_fetch_add(&done_below[which][k], 1);
}

static void node(const struct where *w, int id, int salt) {
  int which = w->which, round = w->round;
  if (salt != salt_of(which, id, round))
    atomic_fetch_add(&bad, 1);
  atomic_fetch_add(&seen[which][id], 1);
  int depth = DEPTH;
  for (int k = id; k > 1; k >>= 1)
    depth--;
  if (depth == 0) {
    work(LEAF);
    leaf_done(which, id);
    return;
  }
  int left = 2 * id, right = 2 * id + 1;
  int sl = salt_of(which, left, round), sr = salt_of(which, right, round);
#pragma omp task firstprivate(w, left, sl)
  node(w, left, sl);
#pragma omp task firstprivate(w, right, sr)
  node(w, right, sr);
  if (w->wait) {
#pragma omp taskwait
    if (atomic_load(&done_below[which][id]) != 1 << depth)
      atomic_fetch_add(&bad, 1);
  }
}

static void clear(int trees) {
  for (int t = 0; t < trees; t++)
    for (int i = 0; i < NODES; i++) {
      atomic_store(&seen[t][i], 0);
      atomic_store(&done_below[t][i], 0);
    }
}

/* 0 if every node of trees 0 .. trees-1 ran once, else 1 after a message. */
static int check(const char *what, int n, int round, int trees) {
  for (int t = 0; t < trees; t++)
    for (int i = 1; i < NODES; i++) {
      int k = atomic_load(&seen[t][i]);
      if (k != 1) {
        fprintf(stderr, "FAIL: %s, team of %d, round %d: tree %d node %d ran %d times\n", what, n,
                round, t, i, k);
        return 1;
      }
    }
  if (atomic_load(&bad)) {
    fprintf(stderr, "FAIL: %s, team of %d, round %d: %d wrong arguments or subtrees\n", what, n,
            round, atomic_load(&bad));
    return 1;
  }
  return 0;
}

static int team(int n) {
  static struct where where[ROUNDS][TREES];
  int failed = 0;
  clear(TREES);
#pragma omp parallel num_threads(n) shared(failed)
  {
    int me = omp_get_thread_num(), size = omp_get_num_threads();
    for (int round = 0; round < ROUNDS && !failed; round++) {
      /* a tree from a single: its implicit barrier ends it */
#pragma omp single
      {
        where[round][0] = (struct where){0, round, 1};
        node(&where[round][0], 1, salt_of(0, 1, round));
      }
#pragma omp single
      {
        if (check("single's tree", n, round, 1))
          failed = 1;
        clear(1);
      }
      /* trees from every member, run by the others while they wait */
      if (me < TREES) {
        where[round][me] = (struct where){me, round, me % 2};
        node(&where[round][me], 1, salt_of(me, 1, round));
      }
#pragma omp barrier
#pragma omp single
      {
        if (check("every member's tree", n, round, size < TREES ? size : TREES))
          failed = 1;
        clear(TREES);
      }
      /* after a `for nowait': no barrier between the last hands and these */
#pragma omp for nowait
      for (int i = 0; i < 4 * size; i++)
        work(LEAF / 8);
#pragma omp single nowait
      {
        where[round][1] = (struct where){1, round, 1};
        node(&where[round][1], 1, salt_of(1, 1, round));
      }
#pragma omp barrier
#pragma omp single
      {
        if (atomic_load(&seen[1][1]) != 1 || check("tree after for nowait", n, round, 0))
          failed = 1;
        for (int i = 1; i < NODES && !failed; i++)
          if (atomic_load(&seen[1][i]) != 1) {
            fprintf(stderr, "FAIL: tree after for nowait, team of %d, round %d: node %d ran %d times\n",
                    n, round, i, atomic_load(&seen[1][i]));
            failed = 1;
          }
        clear(TREES);
      }
      /* nodes that do not wait: the barrier waits for all of them */
#pragma omp single nowait
      {
        where[round][2] = (struct where){2, round, 0};
        node(&where[round][2], 1, salt_of(2, 1, round));
      }
#pragma omp barrier
#pragma omp single
      {
        for (int i = 1; i < NODES && !failed; i++)
          if (atomic_load(&seen[2][i]) != 1) {
            fprintf(stderr, "FAIL: nodes that do not wait, team of %d, round %d: node %d ran %d times\n",
                    n, round, i, atomic_load(&seen[2][i]));
            failed = 1;
          }
        if (atomic_load(&done_below[2][1]) != 1 << DEPTH || check("nodes that do not wait", n, round, 0))
          failed = 1;
        clear(TREES);
      }
    }
  }
  return failed;
}

int main(void) {
  omp_set_dynamic(0);
  const int sizes[] = {12, 24, 70};
  for (unsigned k = 0; k < sizeof sizes / sizeof sizes[0]; k++)
    if (team(sizes[k]))
      return 1;
  printf("ok\n");
  return 0;
}
