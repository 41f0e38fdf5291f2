/* A task's child described beside its receiver's hand-off word (Note [A
 * task's child described beside its receiver's word] in task_handoff.c):
 * in teams of more than 8 threads a common child with at most 16 bytes of
 * arguments goes to its designated receiver as a description, from which
 * the receiver makes a record of its own.  Binary trees of tasks, each
 * node numbered as in a heap, in teams of 12, 24 and 70 threads:
 *   - arguments of 16 bytes (a pointer and two ints), 12 bytes (three
 *     ints: not a whole number of words), 4 bytes, none (the node in a
 *     global array), 24 bytes (past the bound: records), and a 16-byte
 *     aligned argument (its address checked in the task);
 *   - nodes that wait for their children, and nodes that do not (their
 *     children outlive them and their thread's next hand-offs at the same
 *     distance; the region's end waits for them);
 *   - final subtrees (omp_in_final checked) and untied tasks;
 *   - a tree in a taskgroup (its children go as records; the taskgroup's
 *     end must wait for all of them);
 *   - a tree made after omp_set_num_threads (the root's ICVs are its own,
 *     its descendants point at them), which checks the ICV it sees;
 *   - trees on every member while member 0 produces a loop of small tasks
 *     (batches described in the receivers' lines: both kinds of
 *     description reserve the same receiver's `busy').
 * Every node checks its arguments and counts itself; every node must run
 * once, and a node that waits checks that its children's subtrees are
 * complete.  Run as it is (crowded CPUs: nobody waits for a hand-off),
 * with HSOMP_ASSUME_NCPUS=128 (hand-offs), and so with cancellation on
 * (GOMP_task's general path). */
// TEST-TIMEOUT: 240
// TEST-ENV: HSOMP_TEST_VARIANT=crowded
// TEST-ENV: HSOMP_ASSUME_NCPUS=128
// TEST-ENV: HSOMP_ASSUME_NCPUS=128 OMP_CANCELLATION=true
#include <omp.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

/* LEAF: a leaf's work, long enough that idle team mates wait for a
 * hand-off (on 2 CPUs with HSOMP_ASSUME_NCPUS=128 about 1900 children per
 * run went described beside their receiver's word, counted in a debug
 * build: 1700 without arguments, 100 of 4 bytes, 150 of 16). */
enum { LEAF = 3000, ROUNDS = 12, DEPTH = 7, NODES = 1 << (DEPTH + 1), TREES = 72, SMALL = 3000 };

static atomic_int seen[TREES][NODES];
static atomic_int bad;
static atomic_int small_ran;

static void work(int n) {
  volatile int x = 0;
  for (int i = 0; i < n; i++)
    x += i;
}

static void mark(int which, int id) { atomic_fetch_add(&seen[which][id], 1); }

/* 16 bytes of arguments: a pointer and two ints; waits for its children. */
static void node16(int which, int id, int *leaves) {
  mark(which, id);
  int depth = DEPTH;
  for (int k = id; k > 1; k >>= 1)
    depth--;
  if (depth == 0) {
    work(LEAF);
    *leaves = 1;
    return;
  }
  int left = 0, right = 0;
#pragma omp task shared(left)
  node16(which, 2 * id, &left);
#pragma omp task shared(right)
  node16(which, 2 * id + 1, &right);
#pragma omp taskwait
  if (left != 1 << (depth - 1) || right != 1 << (depth - 1))
    atomic_fetch_add(&bad, 1);
  *leaves = left + right;
}

/* 12 bytes: three ints, the third a check of the other two; no taskwait:
 * the children outlive their parent. */
static void node12(int which, int id, int check) {
  if (check != which * 1000003 + id * 7)
    atomic_fetch_add(&bad, 1);
  mark(which, id);
  if (id >= 1 << DEPTH) {
    work(LEAF);
    return;
  }
  int a = 2 * id, b = 2 * id + 1;
#pragma omp task
  node12(which, a, which * 1000003 + a * 7);
#pragma omp task
  node12(which, b, which * 1000003 + b * 7);
}

/* 4 bytes (tree 0); final below depth 3, untied above. */
static void node4(int id) {
  mark(0, id);
  int depth = DEPTH;
  for (int k = id; k > 1; k >>= 1)
    depth--;
  if (omp_in_final() != (depth < 3)) /* made final(1), or final(depth < 3) */
    atomic_fetch_add(&bad, 1);
  if (depth == 0) {
    work(LEAF);
    return;
  }
  if (depth >= 3) {
#pragma omp task untied final(depth - 1 < 3)
    node4(2 * id);
#pragma omp task untied final(depth - 1 < 3)
    node4(2 * id + 1);
  } else {
#pragma omp task final(1)
    node4(2 * id);
#pragma omp task final(1)
    node4(2 * id + 1);
  }
#pragma omp taskwait
}

/* No arguments: the node's number in a global, read at once. */
static int current[TREES];
static void node0(void);
static void node0_at(int id) {
  mark(0, id);
  if (id >= 1 << DEPTH) {
    work(LEAF);
    return;
  }
  current[0] = 2 * id;
#pragma omp task
  node0();
#pragma omp taskwait
  current[0] = 2 * id + 1;
#pragma omp task
  node0();
#pragma omp taskwait
}
static void node0(void) { node0_at(current[0]); }

/* 24 bytes (records), and an aligned argument. */
struct big {
  int which, id, a, b, c, d;
};
typedef struct {
  int v __attribute__((aligned(16)));
} aligned_int;
static void node_big(struct big x, aligned_int al) {
  if (x.a != x.id + 1 || x.b != x.id + 2 || x.c != x.id + 3 || x.d != x.id + 4 ||
      al.v != x.id * 3 || ((uintptr_t)&al.v & 15) != 0)
    atomic_fetch_add(&bad, 1);
  mark(x.which, x.id);
  if (x.id >= 1 << DEPTH) {
    work(LEAF);
    return;
  }
  for (int k = 0; k < 2; k++) {
    struct big y = {x.which, 2 * x.id + k, 2 * x.id + k + 1, 2 * x.id + k + 2, 2 * x.id + k + 3,
                    2 * x.id + k + 4};
    aligned_int al2 = {y.id * 3};
#pragma omp task firstprivate(y, al2)
    {
      if (((uintptr_t)&al2.v & 15) != 0)
        atomic_fetch_add(&bad, 1);
      node_big(y, al2);
    }
  }
#pragma omp taskwait
}

/* A 16-byte aligned argument alone (16 bytes with its padding). */
static void node_al(int id) {
  mark(0, id);
  if (id >= 1 << DEPTH) {
    work(LEAF);
    return;
  }
  aligned_int a = {2 * id}, b = {2 * id + 1};
#pragma omp task firstprivate(a)
  {
    if (((uintptr_t)&a.v & 15) != 0)
      atomic_fetch_add(&bad, 1);
    node_al(a.v);
  }
#pragma omp task firstprivate(b)
  {
    if (((uintptr_t)&b.v & 15) != 0)
      atomic_fetch_add(&bad, 1);
    node_al(b.v);
  }
#pragma omp taskwait
}

/* ICVs of its own: checks what its nodes see. */
static void node_icv(int id, int want) {
  if (omp_get_max_threads() != want)
    atomic_fetch_add(&bad, 1);
  mark(0, id);
  if (id >= 1 << DEPTH)
    return;
#pragma omp task
  node_icv(2 * id, want);
#pragma omp task
  node_icv(2 * id + 1, want);
#pragma omp taskwait
}

static void clear(int trees) {
  for (int w = 0; w < trees; w++)
    for (int i = 0; i < NODES; i++)
      atomic_store(&seen[w][i], 0);
}

/* 0 if every node of trees 0 .. trees-1 below `nodes' ran once, else 1
 * after a message. */
static int check(const char *what, int n, int round, int trees, int nodes) {
  for (int w = 0; w < trees; w++)
    for (int i = 1; i < NODES; i++) {
      int k = atomic_load(&seen[w][i]);
      if (k != (i < nodes)) {
        fprintf(stderr, "FAIL: %s, team of %d, round %d: tree %d node %d ran %d times\n", what, n,
                round, w, i, k);
        return 1;
      }
    }
  if (atomic_load(&bad)) {
    fprintf(stderr, "FAIL: %s, team of %d, round %d: %d wrong arguments, flags or subtrees\n",
            what, n, round, atomic_load(&bad));
    return 1;
  }
  return 0;
}

static int rounds(int n) {
  for (int round = 0; round < ROUNDS; round++) {
    int leaves = 0;
    clear(1);
#pragma omp parallel num_threads(n)
#pragma omp single
    node16(0, 1, &leaves);
    if (check("16 bytes, taskwait", n, round, 1, NODES) || leaves != 1 << DEPTH)
      return 1;

    clear(1);
#pragma omp parallel num_threads(n)
#pragma omp single
    node12(0, 1, 7);
    if (check("12 bytes, no taskwait", n, round, 1, NODES))
      return 1;

    clear(1);
#pragma omp parallel num_threads(n)
#pragma omp single
    node4(1);
    if (check("4 bytes, untied and final", n, round, 1, NODES))
      return 1;

    clear(1);
#pragma omp parallel num_threads(n)
#pragma omp single
    {
      current[0] = 1;
      node0();
    }
    if (check("no arguments", n, round, 1, NODES))
      return 1;

    clear(1);
#pragma omp parallel num_threads(n)
#pragma omp single
    node_big((struct big){0, 1, 2, 3, 4, 5}, (aligned_int){3});
    if (check("24 bytes and aligned", n, round, 1, NODES))
      return 1;

    clear(1);
#pragma omp parallel num_threads(n)
#pragma omp single
    node_al(1);
    if (check("aligned", n, round, 1, NODES))
      return 1;

    clear(1);
#pragma omp parallel num_threads(n)
#pragma omp single
#pragma omp taskgroup
    node12(0, 1, 7);
    if (check("in a taskgroup", n, round, 1, NODES))
      return 1;

    clear(1);
#pragma omp parallel num_threads(n)
#pragma omp single
    {
      omp_set_num_threads(5 + round);
#pragma omp task
      node_icv(1, 5 + round);
    }
    if (check("own ICVs", n, round, 1, NODES))
      return 1;

    clear(n);
    atomic_store(&small_ran, 0);
#pragma omp parallel num_threads(n)
    {
      int me = omp_get_thread_num();
      if (me == 0) {
        for (int k = 0; k < SMALL; k++) {
#pragma omp task
          {
            work(10);
            atomic_fetch_add(&small_ran, 1);
          }
        }
      } else {
        int mine = 0;
        node16(me, 1 << 3, &mine); /* a tree of depth DEPTH - 3 */
        if (mine != 1 << (DEPTH - 3))
          atomic_fetch_add(&bad, 1);
      }
    }
    for (int w = 1; w < n; w++)
      for (int i = 1; i < NODES; i++) {
        int in = 0; /* the subtree of node 8 */
        for (int k = i; k >= 8; k >>= 1)
          in |= k == 8;
        if (in)
          atomic_fetch_sub(&seen[w][i], 1);
      }
    if (check("trees beside a producer", n, round, n, 0) || atomic_load(&small_ran) != SMALL)
      return 1;
  }
  return 0;
}

int main(void) {
  static const int sizes[] = {12, 24, 70};
  omp_set_dynamic(0);
  for (unsigned s = 0; s < sizeof sizes / sizeof sizes[0]; s++)
    if (rounds(sizes[s]))
      return 1;
  printf("ok\n");
  return 0;
}
