/* omp_init_lock_with_hint / omp_init_nest_lock_with_hint: GCC 12's omp.h
 * declares them but libgomp 12 does not define them, so they are looked
 * up at run time: hsomp must have them (at OMP_4.5), and locks they
 * initialise must work with every hint.  Also the hinted critical
 * construct, which GCC compiles to a named critical section. */
// TEST-LIBS: dl
// TEST-TIMEOUT: 30
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* dlvsym */
#endif
#include <dlfcn.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One counter per lock: each is guarded by its own lock only. */
static volatile long by_lock, by_nest, by_critical;

static void slow_increment(volatile long *counter) {
  long v = *counter;
  for (int k = 0; k < 20; k++)
    __asm__ volatile("" ::: "memory");
  *counter = v + 1;
}

int main(void) {
  const char *runtime = getenv("HSOMP_TEST_RUNTIME");
  int on_hsomp = runtime && strcmp(runtime, "hsomp") == 0;
  void (*init_hint)(omp_lock_t *, omp_sync_hint_t) =
      (void (*)(omp_lock_t *, omp_sync_hint_t))dlvsym(RTLD_DEFAULT, "omp_init_lock_with_hint",
                                                      "OMP_4.5");
  void (*init_nest_hint)(omp_nest_lock_t *, omp_sync_hint_t) =
      (void (*)(omp_nest_lock_t *, omp_sync_hint_t))dlvsym(
          RTLD_DEFAULT, "omp_init_nest_lock_with_hint", "OMP_4.5");
  if (on_hsomp && (!init_hint || !init_nest_hint)) {
    fprintf(stderr, "hsomp lacks omp_init_lock_with_hint or omp_init_nest_lock_with_hint\n");
    return 1;
  }
  const omp_sync_hint_t hints[] = {
      omp_sync_hint_none, omp_sync_hint_uncontended, omp_sync_hint_contended,
      omp_sync_hint_speculative, omp_sync_hint_nonspeculative,
      omp_sync_hint_contended | omp_sync_hint_speculative};
  const int per_thread = 4000;
  for (unsigned h = 0; h < sizeof hints / sizeof hints[0]; h++) {
    static const int sizes[] = {1, 2, 3, 8};
    for (int si = 0; si < 4; si++) {
      int n = sizes[si];
      omp_lock_t lock;
      omp_nest_lock_t nest;
      if (init_hint) {
        /* Garbage first: the initialiser must not rely on zeroed memory. */
        memset(&lock, 0xff, sizeof lock);
        memset(&nest, 0xff, sizeof nest);
        init_hint(&lock, hints[h]);
        init_nest_hint(&nest, hints[h]);
      }
      by_lock = by_nest = by_critical = 0;
#pragma omp parallel num_threads(n)
      {
#pragma omp barrier
        for (int i = 0; i < per_thread; i++) {
          if (init_hint) {
            omp_set_lock(&lock);
            slow_increment(&by_lock);
            omp_unset_lock(&lock);
            omp_set_nest_lock(&nest);
            omp_set_nest_lock(&nest);
            slow_increment(&by_nest);
            omp_unset_nest_lock(&nest);
            omp_unset_nest_lock(&nest);
          }
          /* GCC drops the hint: this is GOMP_critical_name_start. */
#pragma omp critical(hinted) hint(omp_sync_hint_contended)
          slow_increment(&by_critical);
        }
      }
      if (init_hint) {
        omp_destroy_lock(&lock);
        omp_destroy_nest_lock(&nest);
      }
      long want = (long)n * per_thread, want_locks = init_hint ? want : 0;
      if (by_lock != want_locks || by_nest != want_locks || by_critical != want) {
        fprintf(stderr, "hint %d, %d threads: counters %ld (lock) %ld (nest lock) %ld (critical), "
                        "expected %ld %ld %ld\n",
                (int)hints[h], n, by_lock, by_nest, by_critical, want_locks, want_locks, want);
        return 1;
      }
    }
  }
  return 0;
}
