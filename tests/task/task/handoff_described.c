/* Batches of tasks handed to waiting threads as a description in the
 * receiver's lines, from which it makes records of its own (Note [Tasks
 * described in the hand-off] in task_handoff.c): the arguments travel as
 * words, so they must arrive whole, aligned as asked, and only where a
 * plain copy is the task's data.  One producer in `single' makes, in
 * runs of one kind (batches of one function and argument size, which
 * are described) and interleaved (mixed batches), tasks with:
 *   - no arguments at all;
 *   - firstprivate blocks of 4, 20, 44 and 60 bytes (not all whole words);
 *   - 72 bytes (past the description's bound: records);
 *   - a 32-byte aligned block (its address checked in the task);
 *   - a firstprivate variable-length array: GCC copies it with a cpyfn,
 *     and the argument block points into its own record (moved, the
 *     task would read a freed record that its maker reuses);
 *   - final and untied tasks (omp_in_final checked);
 *   - tasks that make two children and wait for them (the children's
 *     parent is the record the receiver made);
 *   - tasks in a taskgroup (its end must wait for all of them);
 *   - tasks made after omp_set_num_threads (their own ICVs: records),
 *     which check the ICV they see.
 * Every task checks its data and counts itself; every task must run
 * once.  Teams of 24 and 70 threads; with HSOMP_ASSUME_NCPUS=128 the
 * team fits its CPUs (hand-offs), crowded without it, and once with
 * cancellation on (GOMP_task's general path). */
// TEST-TIMEOUT: 240
// TEST-ENV: HSOMP_TEST_VARIANT=crowded
// TEST-ENV: HSOMP_ASSUME_NCPUS=128
// TEST-ENV: HSOMP_ASSUME_NCPUS=128 OMP_CANCELLATION=true
#include <omp.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static void work(int n) {
  volatile int x = 0;
  for (int i = 0; i < n; i++)
    x += i;
}

enum { ROUNDS = 40, PRODUCED = 1200, KINDS = 12, RUN = 40, CHILDREN = 2 };

static atomic_int seen[PRODUCED];
static atomic_int child_seen[PRODUCED];
static atomic_int bad;
static atomic_int zero_ran;

static void fail(int id, const char *what) {
  if (atomic_fetch_add(&bad, 1) < 10)
    fprintf(stderr, "task %d: %s\n", id, what);
}

static void ran(int id) { atomic_fetch_add(&seen[id], 1); }

/* The kind of the task with this index: runs of RUN tasks of one kind in
 * even rounds, every kind in turn in odd ones. */
static int kind_of(int round, int i) { return round % 2 ? i % KINDS : (i / RUN) % KINDS; }

static unsigned mix(unsigned id, unsigned k) { return id * 2654435761u + k * 40503u + 17; }

struct b20 { unsigned v[5]; };
struct b44 { unsigned v[11]; };
struct b56 { unsigned long v[7]; };
struct b72 { unsigned long v[9]; };
struct a32 { _Alignas(32) unsigned v[4]; };

static void produce(int round) {
  for (int i = 0; i < PRODUCED; i++) {
    int kind = kind_of(round, i);
    switch (kind) {
    case 0: /* no arguments */
#pragma omp task
      {
        work(20);
        atomic_fetch_add(&zero_ran, 1);
      }
      break;
    case 1: { /* 4 bytes of its own (and a pointer to `seen' is global) */
      int id = i;
#pragma omp task firstprivate(id)
      {
        work(20);
        ran(id);
      }
      break;
    }
    case 2: {
      struct b20 b;
      for (int k = 0; k < 5; k++)
        b.v[k] = mix(i, k);
      int id = i;
#pragma omp task firstprivate(b, id)
      {
        for (int k = 0; k < 5; k++)
          if (b.v[k] != mix(id, k))
            fail(id, "20-byte block changed");
        ran(id);
      }
      break;
    }
    case 3: {
      struct b44 b;
      for (int k = 0; k < 11; k++)
        b.v[k] = mix(i, k);
      int id = i;
#pragma omp task firstprivate(b, id)
      {
        for (int k = 0; k < 11; k++)
          if (b.v[k] != mix(id, k))
            fail(id, "44-byte block changed");
        ran(id);
      }
      break;
    }
    case 4: {
      struct b56 b;
      for (int k = 0; k < 7; k++)
        b.v[k] = mix(i, k) * 3ul << 20;
      int id = i;
#pragma omp task firstprivate(b, id)
      {
        for (int k = 0; k < 7; k++)
          if (b.v[k] != mix(id, k) * 3ul << 20)
            fail(id, "56-byte block changed");
        ran(id);
      }
      break;
    }
    case 5: {
      struct b72 b;
      for (int k = 0; k < 9; k++)
        b.v[k] = mix(i, k);
      int id = i;
#pragma omp task firstprivate(b, id)
      {
        for (int k = 0; k < 9; k++)
          if (b.v[k] != mix(id, k))
            fail(id, "72-byte block changed");
        ran(id);
      }
      break;
    }
    case 6: {
      struct a32 b;
      for (int k = 0; k < 4; k++)
        b.v[k] = mix(i, k);
      int id = i;
#pragma omp task firstprivate(b, id)
      {
        if ((uintptr_t)&b % 32)
          fail(id, "32-byte aligned block misaligned");
        for (int k = 0; k < 4; k++)
          if (b.v[k] != mix(id, k))
            fail(id, "aligned block changed");
        ran(id);
      }
      break;
    }
    case 7: { /* a copy function (cpyfn): the block points into itself */
      int len = 3 + i % 5;
      unsigned vla[len];
      for (int k = 0; k < len; k++)
        vla[k] = mix(i, k);
      int id = i;
#pragma omp task firstprivate(vla, id, len)
      {
        work(20);
        for (int k = 0; k < len; k++)
          if (vla[k] != mix(id, k))
            fail(id, "variable-length array changed");
        ran(id);
      }
      break;
    }
    case 8: {
      int id = i;
      if (i % 2) {
#pragma omp task firstprivate(id) final(1)
        {
          if (!omp_in_final())
            fail(id, "final task not final");
          ran(id);
        }
      } else {
#pragma omp task firstprivate(id) untied
        {
          work(20);
          ran(id);
        }
      }
      break;
    }
    case 9: { /* children of a task whose record its runner made */
      int id = i;
#pragma omp task firstprivate(id)
      {
        for (int c = 0; c < CHILDREN; c++) {
#pragma omp task firstprivate(id)
          {
            work(30);
            atomic_fetch_add(&child_seen[id], 1);
          }
        }
#pragma omp taskwait
        if (atomic_load(&child_seen[id]) != CHILDREN)
          fail(id, "taskwait ended before its children");
        ran(id);
      }
      break;
    }
    case 10: { /* a taskgroup of a run of tasks */
      atomic_int in_group = 0;
      int from = i;
#pragma omp taskgroup
      {
        for (; i < PRODUCED && kind_of(round, i) == 10 && i < from + RUN; i++) {
          int id = i;
#pragma omp task firstprivate(id) shared(in_group)
          {
            work(20);
            atomic_fetch_add(&in_group, 1);
            ran(id);
          }
        }
      }
      if (atomic_load(&in_group) != i - from)
        fail(from, "taskgroup ended before its tasks");
      i--; /* the loop's own step */
      break;
    }
    case 11: { /* tasks with ICVs of their own */
      int id = i, want = 2 + i % 5, was = omp_get_max_threads();
      omp_set_num_threads(want);
#pragma omp task firstprivate(id, want)
      {
        if (omp_get_max_threads() != want)
          fail(id, "task saw other ICVs");
        ran(id);
      }
      omp_set_num_threads(was);
      break;
    }
    }
  }
}

static int run_round(int round, int nthreads) {
  int zeros = 0;
  for (int i = 0; i < PRODUCED; i++) {
    atomic_store(&seen[i], 0);
    atomic_store(&child_seen[i], 0);
    zeros += kind_of(round, i) == 0;
  }
  atomic_store(&zero_ran, 0);
#pragma omp parallel num_threads(nthreads)
#pragma omp single
  produce(round);
  for (int i = 0; i < PRODUCED; i++) {
    int want = kind_of(round, i) != 0;
    if (atomic_load(&seen[i]) != want) {
      fprintf(stderr, "task %d (kind %d) ran %d times\n", i, kind_of(round, i),
              atomic_load(&seen[i]));
      return 1;
    }
    if (kind_of(round, i) == 9 && atomic_load(&child_seen[i]) != CHILDREN) {
      fprintf(stderr, "task %d: %d of its children ran\n", i, atomic_load(&child_seen[i]));
      return 1;
    }
  }
  if (atomic_load(&zero_ran) != zeros) {
    fprintf(stderr, "%d of %d argument-less tasks ran\n", atomic_load(&zero_ran), zeros);
    return 1;
  }
  return atomic_load(&bad) != 0;
}

int main(void) {
  static const int sizes[] = {24, 70};
  omp_set_dynamic(0);
  for (unsigned s = 0; s < sizeof sizes / sizeof sizes[0]; s++)
    for (int round = 0; round < ROUNDS; round++)
      if (run_round(round, sizes[s])) {
        fprintf(stderr, "FAIL: team of %d, round %d\n", sizes[s], round);
        return 1;
      }
  printf("ok\n");
  return 0;
}
