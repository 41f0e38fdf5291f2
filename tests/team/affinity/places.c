/* Places and proc_bind: with a place list, every thread of a team runs
 * bound to the place OpenMP 5.1 (2.6.2) assigns it under close, spread
 * and primary -- checked against a model of the rules for teams of 1, 2,
 * 3 and 8 threads, nested spread/close teams, and the place queries
 * (place numbers, partitions, the CPUs of each place, and the thread's
 * real CPU mask). */
// TEST-ENV: OMP_PLACES=threads
// TEST-ENV: OMP_PLACES={0},{1},{0},{1} OMP_PROC_BIND=spread,close
// TEST-ENV: OMP_PLACES={0}:4:0,{1}:4:0
// TEST-ENV: OMP_PLACES={1},{0},{0,1} OMP_PROC_BIND=close
#include "hsomp_test.h"

#include <omp.h>
#include <pthread.h>
#include <sched.h>

enum { CLOSE, SPREAD, PRIMARY };
#define MAXT 8

struct seen {
  int place, part_len, part[16], mask_ok;
};

/* The model: where thread i of a team of t goes, given the master's place
 * p and partition [off, off+len) -- OpenMP's rules with libgomp's choices
 * (close T > P: blocks of T/P from the master's place, the remainder one
 * per place; spread T <= P: the first P mod T subpartitions one longer). */
static void model(int policy, int t, int p, int off, int len, int *place, int *poff, int *plen) {
  for (int i = 0; i < t; i++) {
    poff[i] = off;
    plen[i] = len;
    place[i] = p;
  }
  if (policy == PRIMARY)
    return;
  if (policy == SPREAD && t <= len) {
    int s = len / t, rem = len % t, start = off;
    int sub[MAXT], sublen[MAXT];
    for (int j = 0; j < t; j++) {
      sub[j] = start;
      sublen[j] = j < rem ? s + 1 : s;
      start += sublen[j];
    }
    int m = 0; /* the master's subpartition */
    while (!(p >= sub[m] && p < sub[m] + sublen[m]))
      m++;
    for (int i = 0; i < t; i++) {
      int j = (m + i) % t;
      place[i] = i == 0 ? p : sub[j];
      poff[i] = sub[j];
      plen[i] = sublen[j];
    }
    return;
  }
  /* close, or spread with more threads than places */
  int s = t > len ? t / len : 1, rem = t > len ? t % len : 0;
  int q = p, k = 1;
  for (int i = 1; i < t; i++) {
    if (k == s) {
      q = q + 1 == off + len ? off : q + 1;
      k = 1;
      if (i == t - rem)
        s = 1;
    } else {
      k++;
    }
    place[i] = q;
  }
  if (policy == SPREAD)
    for (int i = 0; i < t; i++) {
      poff[i] = place[i];
      plen[i] = 1;
    }
}

/* The calling thread's view, and whether its CPU mask is its place's. */
static void observe(struct seen *s) {
  s->place = omp_get_place_num();
  s->part_len = omp_get_partition_num_places();
  if (s->part_len > 0 && s->part_len <= 16)
    omp_get_partition_place_nums(s->part);
  cpu_set_t mask, want;
  CPU_ZERO(&mask);
  CPU_ZERO(&want);
  pthread_getaffinity_np(pthread_self(), sizeof mask, &mask);
  int n = s->place >= 0 ? omp_get_place_num_procs(s->place) : 0;
  int ids[64];
  if (n > 0 && n <= 64) {
    omp_get_place_proc_ids(s->place, ids);
    for (int i = 0; i < n; i++)
      CPU_SET(ids[i], &want);
  }
  s->mask_ok = n > 0 && CPU_EQUAL(&mask, &want);
}

static void check(const char *what, int policy, int t, int p, int off, int len, struct seen *s) {
  int place[MAXT], poff[MAXT], plen[MAXT];
  model(policy, t, p, off, len, place, poff, plen);
  for (int i = 0; i < t; i++) {
    HT_CHECK(s[i].place == place[i], "%s: thread %d on place %d, want %d", what, i, s[i].place,
             place[i]);
    HT_CHECK(s[i].mask_ok, "%s: thread %d's CPU mask is not place %d's", what, i, s[i].place);
    HT_CHECK(s[i].part_len == plen[i], "%s: thread %d's partition has %d places, want %d", what,
             i, s[i].part_len, plen[i]);
    for (int j = 0; j < plen[i]; j++)
      HT_CHECK(s[i].part[j] == poff[i] + j, "%s: thread %d partition[%d] = %d, want %d", what, i,
               j, s[i].part[j], poff[i] + j);
  }
}

int main(void) {
  int nplaces = omp_get_num_places();
  HT_CHECK(nplaces >= 1 && nplaces <= 16, "%d places", nplaces);
  HT_CHECK(omp_get_place_num_procs(-1) == 0 && omp_get_place_num_procs(nplaces) == 0,
           "procs of a place that does not exist");
  for (int i = 0; i < nplaces; i++)
    HT_CHECK(omp_get_place_num_procs(i) >= 1, "place %d is empty", i);
  /* The initial thread is on the first place, its partition all places. */
  struct seen init;
  observe(&init);
  HT_CHECK(init.place == 0 && init.mask_ok && init.part_len == nplaces,
           "initial thread: place %d, partition of %d", init.place, init.part_len);

  int sizes[] = {1, 2, 3, 8};
  const char *names[] = {"close", "spread", "primary"};
  struct seen s[MAXT];
  for (int policy = CLOSE; policy <= PRIMARY; policy++)
    for (int k = 0; k < 4; k++) {
      int t = sizes[k];
      memset(s, 0, sizeof s);
      if (policy == CLOSE) {
#pragma omp parallel num_threads(t) proc_bind(close)
        observe(&s[omp_get_thread_num()]);
      } else if (policy == SPREAD) {
#pragma omp parallel num_threads(t) proc_bind(spread)
        observe(&s[omp_get_thread_num()]);
      } else {
#pragma omp parallel num_threads(t) proc_bind(primary)
        observe(&s[omp_get_thread_num()]);
      }
      char what[64];
      snprintf(what, sizeof what, "%s, %d threads", names[policy], t);
      check(what, policy, t, 0, 0, nplaces, s);
    }

  /* Nested: spread over 2, then close within each subpartition. */
  omp_set_max_active_levels(2);
  struct seen outer[2], inner[2][MAXT];
  memset(inner, 0, sizeof inner);
#pragma omp parallel num_threads(2) proc_bind(spread)
  {
    int o = omp_get_thread_num();
    observe(&outer[o]);
#pragma omp parallel num_threads(3) proc_bind(close)
    observe(&inner[o][omp_get_thread_num()]);
  }
  check("outer spread", SPREAD, 2, 0, 0, nplaces, outer);
  for (int o = 0; o < 2; o++) {
    char what[64];
    snprintf(what, sizeof what, "inner close of outer thread %d", o);
    check(what, CLOSE, 3, outer[o].place, outer[o].part[0], outer[o].part_len, inner[o]);
  }
  /* Back in the initial thread: its place and partition are restored. */
  observe(&init);
  HT_CHECK(init.place == 0 && init.part_len == nplaces, "after the regions: place %d, %d places",
           init.place, init.part_len);
  return 0;
}
