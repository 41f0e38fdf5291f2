/* The OpenMP 5 loop starts with the compiler's scratch request (`mem`):
 * every thread gets the same zeroed buffer, usable for the construct's
 * duration, also for the ordered and doacross forms and sections; the
 * `sched` argument in libgomp's encoding (runtime, monotonic bit); and a
 * NULL istart, which only joins the construct.  The buffer's contents are
 * checked inside the construct: libgomp frees it with the work share when
 * the construct ends. */
#include "hsomp_test.h"

#include <omp.h>
#include <stdbool.h>
#include <stdint.h>

extern bool GOMP_loop_start(long, long, long, long, long, long *, long *, uintptr_t *, void **);
extern bool GOMP_loop_ordered_start(long, long, long, long, long, long *, long *, uintptr_t *,
                                    void **);
extern bool GOMP_loop_doacross_start(unsigned, long *, long, long, long *, long *, uintptr_t *,
                                     void **);
extern bool GOMP_loop_ull_start(bool, unsigned long long, unsigned long long,
                                unsigned long long, long, unsigned long long,
                                unsigned long long *, unsigned long long *, uintptr_t *, void **);
extern bool GOMP_loop_runtime_next(long *, long *);
extern bool GOMP_loop_ordered_runtime_next(long *, long *);
extern bool GOMP_loop_ull_runtime_next(unsigned long long *, unsigned long long *);
extern void GOMP_loop_end(void);
extern void GOMP_loop_end_nowait(void);
extern unsigned GOMP_sections2_start(unsigned, uintptr_t *, void **);
extern unsigned GOMP_sections_next(void);
extern void GOMP_sections_end(void);
extern void GOMP_ordered_start(void);
extern void GOMP_ordered_end(void);

#define GFS_RUNTIME 0
#define GFS_STATIC 1
#define GFS_DYNAMIC 2
#define GFS_GUIDED 3
#define GFS_AUTO 4
#define GFS_MONOTONIC 0x80000000L

#define N 500
static int hits[N];
static void *bufs[8];

/* After the construct: every thread got the same aligned buffer. */
static void check_buf(const char *what, int nthr, size_t size) {
  for (int k = 1; k < nthr; k++)
    HT_CHECK(bufs[k] == bufs[0], "%s: threads 0 and %d got different buffers", what, k);
  HT_CHECK(bufs[0] != NULL, "%s: no buffer", what);
  HT_CHECK((uintptr_t)bufs[0] % 8 == 0, "%s: buffer misaligned", what);
}

/* Inside the construct, by every thread: it was zeroed, and shared, so
 * after a barrier each slot holds the id+1 its thread added into it. */
static void use_buf(const char *what, void *buf, size_t size) {
  int id = omp_get_thread_num(), nthr = omp_get_num_threads();
  bufs[id] = buf;
  if ((size_t)id < size / sizeof(long))
    __atomic_fetch_add(&((long *)buf)[id], id + 1, __ATOMIC_RELAXED);
#pragma omp barrier
  for (int k = 0; k < nthr && (size_t)k < size / sizeof(long); k++) {
    long v = __atomic_load_n(&((long *)buf)[k], __ATOMIC_RELAXED);
    HT_CHECK(v == k + 1, "%s: thread %d sees %ld in slot %d", what, id, v, k);
  }
}

static void count(long s, long e) {
  for (long i = s; i < e; i++)
    __atomic_fetch_add(&hits[i], 1, __ATOMIC_RELAXED);
}

static void check_hits(const char *what, int nthr, int n) {
  for (int i = 0; i < N; i++)
    HT_CHECK(hits[i] == (i < n), "%s, %d threads: iteration %d ran %d times", what, nthr, i,
             hits[i]);
  memset(hits, 0, sizeof hits);
}

int main(void) {
  static const int threads[] = {1, 2, 3, 8};
  static const long scheds[] = {GFS_RUNTIME,  GFS_STATIC, GFS_DYNAMIC | GFS_MONOTONIC,
                                GFS_GUIDED,   GFS_AUTO,   GFS_STATIC | GFS_MONOTONIC,
                                GFS_DYNAMIC,  GFS_RUNTIME | GFS_MONOTONIC};
  static const size_t sizes[] = {8, 64, 4096, 1 << 20};
  omp_set_schedule(omp_sched_guided, 4);
  for (int t = 0; t < 4; t++) {
    int nthr = threads[t];
    for (int si = 0; si < 8; si++) {
      size_t size = sizes[si % 4];
      /* GOMP_loop_start with mem, then the runtime next (what GCC emits). */
#pragma omp parallel num_threads(nthr)
      {
        void *mem = (void *)(uintptr_t)size;
        long s, e;
        bool more = GOMP_loop_start(0, N, 1, scheds[si], 3, &s, &e, NULL, &mem);
        use_buf("GOMP_loop_start", mem, size);
        while (more) {
          count(s, e);
          more = GOMP_loop_runtime_next(&s, &e);
        }
        GOMP_loop_end();
      }
      check_buf("GOMP_loop_start", nthr, size);
      check_hits("GOMP_loop_start", nthr, N);

      /* NULL istart: only joins; the threads then split the loop. */
#pragma omp parallel num_threads(nthr)
      {
        void *mem = (void *)(uintptr_t)size;
        HT_CHECK(GOMP_loop_start(0, N, 1, scheds[si], 0, NULL, NULL, NULL, &mem),
                 "GOMP_loop_start without istart returned false");
        use_buf("GOMP_loop_start (NULL istart)", mem, size);
        int id = omp_get_thread_num();
        for (int i = id; i < N; i += nthr)
          count(i, i + 1);
#pragma omp barrier
        GOMP_loop_end_nowait();
      }
      check_buf("GOMP_loop_start (NULL istart)", nthr, size);
      check_hits("GOMP_loop_start (NULL istart)", nthr, N);

      /* Ordered, with mem: the ordered regions in order. */
      static long order[N];
      static int len;
      len = 0;
#pragma omp parallel num_threads(nthr)
      {
        void *mem = (void *)(uintptr_t)size;
        long s, e;
        bool more = GOMP_loop_ordered_start(N - 1, -1, -1, scheds[si], 2, &s, &e, NULL, &mem);
        use_buf("GOMP_loop_ordered_start", mem, size);
        while (more) {
          for (long i = s; i > e; i--) {
            __atomic_fetch_add(&hits[i], 1, __ATOMIC_RELAXED);
            GOMP_ordered_start();
            order[len++] = i;
            GOMP_ordered_end();
          }
          more = GOMP_loop_ordered_runtime_next(&s, &e);
        }
        GOMP_loop_end();
      }
      check_buf("GOMP_loop_ordered_start", nthr, size);
      check_hits("GOMP_loop_ordered_start", nthr, N);
      HT_CHECK(len == N, "%d ordered regions", len);
      for (int k = 0; k < N; k++)
        HT_CHECK(order[k] == N - 1 - k, "ordered region %d ran iteration %ld", k, order[k]);

      /* Doacross with mem (a 1-d chain through the ABI), short: libgomp's
       * waiters spin without yielding, slow with 8 threads on 2 CPUs. */
      enum { ND = 64 };
      static long chain[ND];
#pragma omp parallel num_threads(nthr)
      {
        void *mem = (void *)(uintptr_t)size;
        long counts[1] = {ND}, s, e;
        bool more = GOMP_loop_doacross_start(1, counts, scheds[si], 5, &s, &e, NULL, &mem);
        use_buf("GOMP_loop_doacross_start", mem, size);
        extern void GOMP_doacross_post(long *);
        extern void GOMP_doacross_wait(long, ...);
        while (more) {
          for (long i = s; i < e; i++) {
            if (i > 0)
              GOMP_doacross_wait(i - 1);
            chain[i] = i > 0 ? chain[i - 1] + i : 0;
            __atomic_fetch_add(&hits[i], 1, __ATOMIC_RELAXED);
            GOMP_doacross_post(&i);
          }
          more = GOMP_loop_runtime_next(&s, &e);
        }
        GOMP_loop_end();
      }
      check_buf("GOMP_loop_doacross_start", nthr, size);
      check_hits("GOMP_loop_doacross_start", nthr, ND);
      for (long i = 0; i < ND; i++)
        HT_CHECK(chain[i] == i * (i + 1) / 2, "doacross chain[%ld] = %ld", i, chain[i]);

      /* unsigned long long, counting down from ULLONG_MAX. */
#pragma omp parallel num_threads(nthr)
      {
        void *mem = (void *)(uintptr_t)size;
        unsigned long long s, e, top = ~0ULL;
        bool more = GOMP_loop_ull_start(false, top, top - N, -1ULL, scheds[si], 4, &s, &e,
                                        NULL, &mem);
        use_buf("GOMP_loop_ull_start", mem, size);
        while (more) {
          for (unsigned long long i = s; i > e; i--)
            __atomic_fetch_add(&hits[top - i], 1, __ATOMIC_RELAXED);
          more = GOMP_loop_ull_runtime_next(&s, &e);
        }
        GOMP_loop_end_nowait();
      }
      check_buf("GOMP_loop_ull_start", nthr, size);
      check_hits("GOMP_loop_ull_start", nthr, N);

      /* sections2 with mem. */
#pragma omp parallel num_threads(nthr)
      {
        void *mem = (void *)(uintptr_t)size;
        unsigned sec = GOMP_sections2_start(7, NULL, &mem);
        use_buf("GOMP_sections2_start", mem, size);
        while (sec) {
          HT_CHECK(sec >= 1 && sec <= 7, "section %u", sec);
          count(sec - 1, sec);
          sec = GOMP_sections_next();
        }
        GOMP_sections_end();
      }
      check_buf("GOMP_sections2_start", nthr, size);
      check_hits("GOMP_sections2_start", nthr, 7);
    }
  }
  return 0;
}
