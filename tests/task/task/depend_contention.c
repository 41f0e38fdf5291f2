/* Dependences under contention, checked against sequential results:
 * long chains of tiny tasks on one address (each completion races with
 * the creation of the next sibling that depends on it), readers between
 * the writers, bursts of readers after a writer (its successor list grows
 * while it may complete), tasks on many addresses at once (more than a sweep of the
 * parent's table holds), every thread a producer of its own siblings at
 * the same time, parents that are explicit tasks (their tables freed
 * while completed children are still listed), and undeferred if(0) tasks
 * and taskwait depend in the stream.  Writers are non-commutative
 * (v = 31 v + k), so an ordering error changes the result. */
// TEST-TIMEOUT: 120
// TEST-ENV: OMP_NUM_THREADS=2
// TEST-ENV: OMP_NUM_THREADS=4
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>

enum { CHAIN = 20000, MANY = 40000, NADDR = 3000, NEST = 16, NEST_TASKS = 400 };

static int failures;

static void fail(const char *what, long got, long want) {
#pragma omp critical(fail)
  {
    if (failures++ < 10)
      fprintf(stderr, "%s: got %ld, want %ld\n", what, got, want);
  }
}

static unsigned long step(unsigned long v, unsigned long k) { return v * 31 + k; }

/* One address: writers with a reader every 7th task, an if(0) writer every
 * 101st, a taskwait depend(in) every 997th. */
static void chain_one(void) {
  static unsigned long x, seen[CHAIN];
  unsigned long ref = 1, ref_seen[CHAIN];
  for (int i = 0; i < CHAIN; i++) {
    if (i % 7 == 3)
      ref_seen[i] = ref;
    else
      ref = step(ref, (unsigned long)i);
  }
  x = 1;
#pragma omp parallel
#pragma omp single
  for (int i = 0; i < CHAIN; i++) {
    if (i % 7 == 3) {
#pragma omp task depend(in: x) firstprivate(i)
      seen[i] = x;
    } else if (i % 101 == 0) {
#pragma omp task depend(inout: x) firstprivate(i) if (0)
      x = step(x, (unsigned long)i);
    } else {
#pragma omp task depend(inout: x) firstprivate(i)
      x = step(x, (unsigned long)i);
    }
    if (i % 997 == 500) {
      unsigned long want = 1;
      for (int k = 0; k <= i; k++)
        if (k % 7 != 3)
          want = step(want, (unsigned long)k);
#pragma omp taskwait depend(in: x)
      if (x != want)
        fail("chain_one taskwait depend", (long)x, (long)want);
    }
  }
  if (x != ref)
    fail("chain_one final", (long)x, (long)ref);
  for (int i = 3; i < CHAIN; i += 7)
    if (seen[i] != ref_seen[i]) {
      fail("chain_one reader", (long)seen[i], (long)ref_seen[i]);
      break;
    }
}

/* Bursts on one address: a writer, then READERS readers of it (the
 * writer's successor list grows while it may be completing), then the
 * next writer, which waits for all of them. */
enum { BURSTS = 300, READERS = 40 };
static void bursts(void) {
  static unsigned long x, seen[BURSTS][READERS];
  x = 7;
#pragma omp parallel
#pragma omp single
  for (int b = 0; b < BURSTS; b++) {
#pragma omp task depend(inout: x) firstprivate(b)
    x = step(x, (unsigned long)b);
    for (int k = 0; k < READERS; k++) {
#pragma omp task depend(in: x) firstprivate(b, k)
      seen[b][k] = x;
    }
  }
  unsigned long want = 7;
  for (int b = 0; b < BURSTS; b++) {
    want = step(want, (unsigned long)b);
    for (int k = 0; k < READERS; k++)
      if (seen[b][k] != want) {
        fail("bursts reader", (long)seen[b][k], (long)want);
        return;
      }
  }
  if (x != want)
    fail("bursts final", (long)x, (long)want);
}

/* Many addresses: task i writes a[i % NADDR] after reading a[(i * 7) %
 * NADDR] (unless that is the same address). */
static void run_many(unsigned long *a, int base) {
  for (int i = 0; i < MANY; i++) {
    int w = (i + base) % NADDR, r = ((i + base) * 7) % NADDR;
    if (r == w) {
#pragma omp task depend(inout: a[w]) firstprivate(i, w)
      a[w] = step(a[w], (unsigned long)i);
    } else {
#pragma omp task depend(inout: a[w]) depend(in: a[r]) firstprivate(i, w, r)
      a[w] = step(a[w], (unsigned long)i + a[r]);
    }
  }
}

static void seq_many(unsigned long *a, int base) {
  for (int i = 0; i < MANY; i++) {
    int w = (i + base) % NADDR, r = ((i + base) * 7) % NADDR;
    a[w] = r == w ? step(a[w], (unsigned long)i) : step(a[w], (unsigned long)i + a[r]);
  }
}

static void init(unsigned long *a) {
  for (int i = 0; i < NADDR; i++)
    a[i] = (unsigned long)i + 1;
}

static void check(const char *what, const unsigned long *a, const unsigned long *ref) {
  for (int i = 0; i < NADDR; i++)
    if (a[i] != ref[i]) {
      fail(what, (long)a[i], (long)ref[i]);
      return;
    }
}

/* Every thread a producer of its own siblings, all at once. */
static void every_thread(void) {
  int n = omp_get_max_threads();
  unsigned long *a = malloc(sizeof *a * NADDR * (size_t)n);
  unsigned long *ref = malloc(sizeof *ref * NADDR);
  for (int t = 0; t < n; t++)
    init(a + (size_t)t * NADDR);
#pragma omp parallel num_threads(n)
  run_many(a + (size_t)omp_get_thread_num() * NADDR, omp_get_thread_num());
  for (int t = 0; t < n; t++) {
    init(ref);
    seq_many(ref, t);
    check("every_thread", a + (size_t)t * NADDR, ref);
  }
  free(a);
  free(ref);
}

/* Explicit tasks as parents: each makes a chain and readers on a local
 * pair of variables and returns without a taskwait (its table is freed
 * when its last child completes); a taskgroup waits for them all. */
static void nested(void) {
  static unsigned long out[NEST];
#pragma omp parallel
#pragma omp single
#pragma omp taskgroup
  for (int p = 0; p < NEST; p++) {
#pragma omp task firstprivate(p)
    {
      unsigned long *v = &out[p];
      *v = (unsigned long)p;
      for (int i = 0; i < NEST_TASKS; i++) {
#pragma omp task depend(inout: v[0]) firstprivate(i, v)
        *v = step(*v, (unsigned long)i);
      }
    }
  }
  for (int p = 0; p < NEST; p++) {
    unsigned long want = (unsigned long)p;
    for (int i = 0; i < NEST_TASKS; i++)
      want = step(want, (unsigned long)i);
    if (out[p] != want)
      fail("nested", (long)out[p], (long)want);
  }
}

int main(void) {
  static unsigned long a[NADDR], ref[NADDR];
  for (int round = 0; round < 3; round++) {
    chain_one();
    bursts();
    init(a);
#pragma omp parallel
#pragma omp single
    run_many(a, 0);
    init(ref);
    seq_many(ref, 0);
    check("many", a, ref);
    every_thread();
    nested();
  }
  if (failures) {
    fprintf(stderr, "%d failures\n", failures);
    return 1;
  }
  return 0;
}
