/* Singles right after a barrier (Note [Single right after a barrier] in
 * src/work/single.c): every single still runs exactly once when singles
 * that follow a barrier (or start the region) mix with singles that
 * follow another single or a `for nowait` (chains of `single nowait`),
 * with `single` and its barrier, `single copyprivate`, explicit barriers
 * and nested regions; teams of 1 to 8 threads and one with more threads
 * than CPUs.  On hsomp without cancellation, thread 0 runs every single
 * that is the first since a barrier, also when it arrives there last.
 * With OMP_CANCELLATION=true every single is claimed by the first thread
 * to arrive: a region where thread 0 cancels itself away right after a
 * barrier still runs its next single, through the other threads. */
// TEST-ENV: OMP_CANCELLATION=false
// TEST-ENV: OMP_CANCELLATION=true
// TEST-TIMEOUT: 60
#include "hsomp_test.h"

#include <omp.h>
#include <sched.h>

#define MAXS 2048 /* singles per region */
#define ROUNDS 150

/* One region's singles, numbered in the order every thread meets them. */
struct record {
  int met[MAXS];    /* how many threads met single i */
  int runs[MAXS];   /* how many threads ran its body */
  int who[MAXS];    /* the last thread that ran it */
  char first[MAXS]; /* it was the first single since a barrier */
  int length[64];   /* singles met, by thread */
  int copied_bad;   /* threads that got a wrong copyprivate value */
};

/* What each thread knows while it follows the script. */
struct walker {
  struct record *rec;
  int next;  /* the index of the next single */
  int fresh; /* no single since the last barrier (or the region's start) */
};

static void ran(struct walker *w, int i) {
  __atomic_add_fetch(&w->rec->runs[i], 1, __ATOMIC_RELAXED);
  __atomic_store_n(&w->rec->who[i], omp_get_thread_num(), __ATOMIC_RELAXED);
}

static int take(struct walker *w) {
  int i = w->next++;
  HT_CHECK(i < MAXS, "script too long");
  __atomic_add_fetch(&w->rec->met[i], 1, __ATOMIC_RELAXED);
  __atomic_store_n(&w->rec->first[i], (char)w->fresh, __ATOMIC_RELAXED);
  w->fresh = 0;
  return i;
}

static void done(struct walker *w) {
  int id = omp_get_thread_num();
  if (id < 64)
    w->rec->length[id] = w->next;
}

static void single_nowait(struct walker *w) {
  int i = take(w);
#pragma omp single nowait
  ran(w, i);
}

static void single_barrier(struct walker *w) {
  int i = take(w);
#pragma omp single
  ran(w, i);
  w->fresh = 1;
}

static void barrier(struct walker *w) {
#pragma omp barrier
  w->fresh = 1;
}

static void single_copyprivate(struct walker *w, int round) {
  int i = take(w), value = -1;
  /* A work share's claim, whatever precedes it: not checked for thread 0. */
  __atomic_store_n(&w->rec->first[i], 0, __ATOMIC_RELAXED);
#pragma omp single copyprivate(value)
  {
    ran(w, i);
    value = round * 7 + 1;
  }
  if (value != round * 7 + 1)
    __atomic_add_fetch(&w->rec->copied_bad, 1, __ATOMIC_RELAXED);
  w->fresh = 1;
}

static void for_nowait(void) {
  static int sink;
#pragma omp for nowait schedule(dynamic)
  for (int k = 0; k < 16; k++)
    __atomic_store_n(&sink, k, __ATOMIC_RELAXED);
}

/* The script: many consecutive singles of every kind, the same for all. */
static void script(struct record *rec) {
  struct walker w = {.rec = rec, .next = 0, .fresh = 1};
  single_nowait(&w); /* the region's first: no barrier yet */
  single_nowait(&w);
  for (int r = 0; r < ROUNDS; r++) {
    /* Threads arrive out of step: odd ones pause. */
    if (omp_get_thread_num() & 1)
      for (volatile int k = 0; k < 20 * (r % 5); k++)
        ;
    switch (r % 5) {
    case 0: /* barrier, then a chain of nowait singles */
      barrier(&w);
      single_nowait(&w);
      single_nowait(&w);
      single_nowait(&w);
      break;
    case 1: /* singles with their barrier back to back */
      single_barrier(&w);
      single_barrier(&w);
      single_nowait(&w);
      break;
    case 2: /* `for nowait` between singles */
      for_nowait();
      single_nowait(&w);
      for_nowait();
      single_nowait(&w);
      barrier(&w);
      for_nowait();
      single_nowait(&w);
      break;
    case 3: /* copyprivate ends with a barrier */
      single_copyprivate(&w, r);
      single_nowait(&w);
      single_copyprivate(&w, r + 1);
      single_barrier(&w);
      break;
    case 4: /* nowait singles, then one with its barrier */
      single_nowait(&w);
      single_nowait(&w);
      single_barrier(&w);
      single_nowait(&w);
      break;
    }
  }
  single_barrier(&w);
  done(&w);
}

/* Thread 0 runs the first single since a barrier on hsomp, unless
 * cancellation is on (then the first thread to arrive does). */
static int thread0_runs_first(void) { return ht_expect_hsomp() && !omp_get_cancellation(); }

/* Every single that some thread met ran exactly once (none that nobody
 * met ran); with `everyone', every thread of the team met every single;
 * at least `each' of them followed a barrier, and as many did not. */
static void check(struct record *rec, const char *what, int team, int everyone, int each) {
  int len = rec->length[0], designated = 0, claimed = 0, bad = 0;
  for (int t = 1; everyone && t < team && t < 64; t++)
    if (rec->length[t] != len)
      HT_FAIL("%s: thread %d met %d singles, thread 0 %d", what, t, rec->length[t], len);
  for (int i = 0; i < MAXS; i++) {
    int met = rec->met[i], runs = rec->runs[i];
    if ((met ? runs != 1 : runs != 0) || (everyone && i < len && met != team) ||
        (everyone && i >= len && met)) {
      if (bad++ < 5)
        HT_FAIL("%s (%d threads): single %d met by %d threads, ran %d times", what, team, i, met,
                runs);
      continue;
    }
    if (!met)
      continue;
    if (rec->first[i]) {
      designated++;
      if (thread0_runs_first() && rec->who[i] != 0 && bad++ < 5)
        HT_FAIL("%s (%d threads): single %d follows a barrier but thread %d ran it", what, team,
                i, rec->who[i]);
    } else {
      claimed++;
    }
  }
  if (rec->copied_bad)
    HT_FAIL("%s: %d threads got a wrong copyprivate value", what, rec->copied_bad);
  if (designated < each || claimed < each)
    HT_FAIL("%s: the script met %d singles after a barrier and %d others", what, designated,
            claimed);
}

static struct record rec_team, rec_outer, rec_inner[2][2], rec_cancel;

static void one_team(int n) {
  memset(&rec_team, 0, sizeof rec_team);
  int team = 0;
#pragma omp parallel num_threads(n)
  {
    if (omp_get_thread_num() == 0)
      team = omp_get_num_threads();
    script(&rec_team);
  }
  char what[64];
  snprintf(what, sizeof what, "team of %d", n);
  if (team != n)
    HT_FAIL("%s: got %d threads", what, team);
  check(&rec_team, what, team, 1, ROUNDS);
}

/* Nested: the outer team's singles around inner regions.  An inner
 * region has barriers of its own, which are not the outer team's: the
 * single after it is the first since the outer barrier only if none came
 * between. */
static void nested(void) {
  memset(&rec_outer, 0, sizeof rec_outer);
  memset(rec_inner, 0, sizeof rec_inner);
  int outer_team = 0, inner_team = 0;
  omp_set_max_active_levels(2);
#pragma omp parallel num_threads(2)
  {
    int o = omp_get_thread_num();
    if (o == 0)
      outer_team = omp_get_num_threads();
    struct walker w = {.rec = &rec_outer, .next = 0, .fresh = 1};
    barrier(&w);
    single_nowait(&w);
#pragma omp parallel num_threads(3)
    {
      if (omp_get_thread_num() == 0 && o == 0)
        inner_team = omp_get_num_threads();
      script(&rec_inner[0][o]);
    }
    single_nowait(&w); /* not the first: the inner barriers are not ours */
    barrier(&w);
#pragma omp parallel num_threads(3)
    script(&rec_inner[1][o]);
    single_nowait(&w); /* the first since our barrier */
    single_nowait(&w);
    single_barrier(&w);
    done(&w);
  }
  check(&rec_outer, "nested: outer team", outer_team, 1, 2);
  for (int k = 0; k < 2; k++)
    for (int o = 0; o < outer_team && o < 2; o++)
      check(&rec_inner[k][o], "nested: inner team", inner_team, 1, ROUNDS);
  if (rec_outer.length[0] != 5)
    HT_FAIL("nested: the outer team met %d singles, expected 5", rec_outer.length[0]);
}

/* Thread 0 reaches the single after a barrier last: it first waits until
 * all the others have passed it.  Without cancellation it then runs it
 * (on hsomp; on libgomp the first to arrive did).  With cancellation it
 * cancels the region instead and never meets the single, which one of
 * the others must then have run. */
static void thread0_last(int n) {
  memset(&rec_cancel, 0, sizeof rec_cancel);
  int passed = 0, team = 0;
#pragma omp parallel num_threads(n)
  {
    struct walker w = {.rec = &rec_cancel, .next = 0, .fresh = 1};
    int id = omp_get_thread_num();
    if (id == 0)
      team = omp_get_num_threads();
    single_nowait(&w);
    barrier(&w);
    if (id == 0) {
      while (__atomic_load_n(&passed, __ATOMIC_ACQUIRE) < omp_get_num_threads() - 1)
        sched_yield();
#pragma omp cancel parallel
    }
    single_nowait(&w);
    if (id != 0)
      __atomic_add_fetch(&passed, 1, __ATOMIC_RELEASE);
#pragma omp cancellation point parallel
  }
  char what[64];
  snprintf(what, sizeof what, "thread 0 last, %d threads", n);
  int expect_met = omp_get_cancellation() ? team - 1 : team;
  if (rec_cancel.met[0] != team || rec_cancel.met[1] != expect_met)
    HT_FAIL("%s: the singles were met by %d and %d threads, expected %d and %d", what,
            rec_cancel.met[0], rec_cancel.met[1], team, expect_met);
  check(&rec_cancel, what, team, 0, 0);
  if (omp_get_cancellation() && team > 1 && rec_cancel.runs[1] == 1 && rec_cancel.who[1] == 0)
    HT_FAIL("%s: the cancelled thread 0 ran the single", what);
}

int main(void) {
  omp_set_dynamic(0);
  for (int n = 1; n <= 8; n++)
    one_team(n);
  int many = 4 * omp_get_num_procs() + 1;
  one_team(many < 9 ? 9 : many > 64 ? 64 : many);
  nested();
  for (int n = 1; n <= 4; n++)
    for (int k = 0; k < 20; k++)
      thread0_last(n);
  return ht_failures != 0;
}
