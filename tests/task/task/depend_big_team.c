/* Tasks with dependences in teams of more than 8 threads, where a
 * producer's batches go to waiting threads as descriptions and the
 * receiver runs records of its own that stand for the producer's (Note
 * [Tasks with dependences described in the hand-off] in task_deps.c): the
 * producer's record keeps the dependences until both its parent's table
 * and the receiver's completion let go of it.  One producer in `single'
 * makes, per round:
 *   - chains: task k depend(inout: chain[k % C]) (EPCC's MASTER_TASK_DEPS
 *     shape, and the coherence model's TASK_DEPS), each checking that it
 *     runs in its chain's order (a step counter per chain), some with
 *     firstprivate arguments (checked), some long enough that the next
 *     task of the chain is made before it completes (an edge added to a
 *     running task) and some short (a completed predecessor dropped);
 *   - readers between writers: depend(in) tasks after an inout, then an
 *     inout, which must see every reader done;
 *   - a taskwait depend on one chain in the middle (a waiter on a
 *     producer's record whose task may run as a receiver's record);
 *   - a wide pass: a writer on each of WIDE addresses, more than a big
 *     team's table holds before it sweeps (Note [Sweeps in a big team] in
 *     task_deps.c), so sweeps look at batches still running and prune
 *     those that completed quietly (Note [Completion signalled per
 *     batch]), then a second writer on each, which must see the first.
 * Every task must run once and in order; the rounds reuse the records
 * (recycled blocks go round the threads' caches).  Teams of 12, 24 and
 * 70 threads; with HSOMP_ASSUME_NCPUS=128 the team fits its CPUs
 * (hand-offs, descriptions), crowded without it. */
// TEST-TIMEOUT: 240
// TEST-ENV: HSOMP_TEST_VARIANT=crowded
// TEST-ENV: HSOMP_ASSUME_NCPUS=128
#include <omp.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

enum { PAUSE = 20000, ROUNDS = 25, CHAINS = 24, PER_CHAIN = 12, READERS = 6, GROUPS = 20, WIDE = 400 };

static atomic_int step[CHAINS];
static atomic_int ran_chain[CHAINS * PER_CHAIN];
static atomic_int readers_done[GROUPS];
static atomic_int group_stage[GROUPS];
static atomic_int bad;
static char chain_var[CHAINS];
static char group_var[GROUPS];
static atomic_int wide_stage[WIDE];
static char wide_var[WIDE];

static void fail(const char *what, int a, int b, int c) {
  if (atomic_fetch_add(&bad, 1) < 10)
    fprintf(stderr, "%s: %d %d %d\n", what, a, b, c);
}

static void work(int n) {
  volatile int x = 0;
  for (int i = 0; i < n; i++)
    x += i;
}

struct payload {
  int k, chain, pos;
  unsigned check;
};

static unsigned mix(int k) { return (unsigned)k * 2654435761u + 12345u; }

static void chain_task(struct payload p, int spin) {
  if (p.check != mix(p.k))
    fail("argument", p.k, (int)p.check, 0);
  int s = atomic_load(&step[p.chain]);
  if (s != p.pos)
    fail("chain order", p.chain, p.pos, s);
  work(spin);
  atomic_store(&step[p.chain], p.pos + 1);
  atomic_fetch_add(&ran_chain[p.k], 1);
}

static void produce(int round) {
  int n = CHAINS * PER_CHAIN;
  for (int k = 0; k < n; k++) {
    int c = k % CHAINS;
    struct payload p = {k, c, k / CHAINS, mix(k)};
    int spin = (k + round) % 7 == 0 ? 20000 : (k % 3 ? 0 : 200);
    if (k % 5 == 0) {
#pragma omp task depend(inout: chain_var[c]) firstprivate(p, spin)
      chain_task(p, spin);
    } else {
      /* no arguments beyond what the task reads from its chain's slots */
#pragma omp task depend(inout: chain_var[c]) firstprivate(k)
      {
        struct payload q = {k, k % CHAINS, k / CHAINS, mix(k)};
        chain_task(q, k % 3 ? 0 : 200);
      }
    }
    if (k % 8 == 7)
      work(PAUSE); /* the waiting threads get a CPU, and open their words */
    if (k == n / 2) {
      /* taskwait depend on one chain: its tasks so far are done after it */
#pragma omp taskwait depend(in: chain_var[3])
      {
        int want = k / CHAINS + (3 <= k % CHAINS ? 1 : 0);
        int s = atomic_load(&step[3]);
        if (s != want)
          fail("taskwait depend", round, want, s);
      }
    }
  }
  for (int g = 0; g < GROUPS; g++) {
#pragma omp task depend(inout: group_var[g]) firstprivate(g)
    {
      if (atomic_load(&group_stage[g]) != 0)
        fail("group writer first", g, atomic_load(&group_stage[g]), 0);
      work(g % 4 ? 0 : 5000);
      atomic_store(&group_stage[g], 1);
    }
    for (int r = 0; r < READERS; r++) {
#pragma omp task depend(in: group_var[g]) firstprivate(g, r)
      {
        if (atomic_load(&group_stage[g]) != 1)
          fail("reader before its writer", g, r, atomic_load(&group_stage[g]));
        work(r % 2 ? 3000 : 0);
        atomic_fetch_add(&readers_done[g], 1);
      }
    }
#pragma omp task depend(inout: group_var[g]) firstprivate(g)
    {
      if (atomic_load(&readers_done[g]) != READERS)
        fail("writer before the readers", g, atomic_load(&readers_done[g]), 0);
      atomic_store(&group_stage[g], 2);
    }
  }
  for (int a = 0; a < WIDE; a++) {
#pragma omp task depend(out: wide_var[a]) firstprivate(a)
    {
      if (atomic_load(&wide_stage[a]) != 0)
        fail("wide first writer", a, atomic_load(&wide_stage[a]), 0);
      work(a % 16 ? 0 : 2000);
      atomic_store(&wide_stage[a], 1);
    }
    if (a % 32 == 31)
      work(PAUSE);
  }
  for (int a = 0; a < WIDE; a++) {
#pragma omp task depend(inout: wide_var[a]) firstprivate(a)
    {
      if (atomic_load(&wide_stage[a]) != 1)
        fail("wide second writer", a, atomic_load(&wide_stage[a]), 0);
      atomic_store(&wide_stage[a], 2);
    }
  }
}

static void round_in_team(int nthreads, int round) {
  for (int c = 0; c < CHAINS; c++)
    atomic_store(&step[c], 0);
  for (int k = 0; k < CHAINS * PER_CHAIN; k++)
    atomic_store(&ran_chain[k], 0);
  for (int g = 0; g < GROUPS; g++) {
    atomic_store(&readers_done[g], 0);
    atomic_store(&group_stage[g], 0);
  }
  for (int a = 0; a < WIDE; a++)
    atomic_store(&wide_stage[a], 0);
#pragma omp parallel num_threads(nthreads)
  {
#pragma omp single
    produce(round);
  }
  for (int k = 0; k < CHAINS * PER_CHAIN; k++)
    if (atomic_load(&ran_chain[k]) != 1)
      fail("chain task ran", nthreads, k, atomic_load(&ran_chain[k]));
  for (int c = 0; c < CHAINS; c++)
    if (atomic_load(&step[c]) != PER_CHAIN)
      fail("chain steps", nthreads, c, atomic_load(&step[c]));
  for (int g = 0; g < GROUPS; g++)
    if (atomic_load(&group_stage[g]) != 2 || atomic_load(&readers_done[g]) != READERS)
      fail("group", nthreads, g, atomic_load(&group_stage[g]));
  for (int a = 0; a < WIDE; a++)
    if (atomic_load(&wide_stage[a]) != 2)
      fail("wide", nthreads, a, atomic_load(&wide_stage[a]));
}

int main(void) {
  omp_set_dynamic(0);
  static const int teams[] = {12, 24, 70};
  for (int t = 0; t < 3; t++)
    for (int round = 0; round < ROUNDS && !atomic_load(&bad); round++)
      round_in_team(teams[t], round);
  if (atomic_load(&bad)) {
    fprintf(stderr, "%d failures\n", atomic_load(&bad));
    return 1;
  }
  return 0;
}
