/* kernels.c -- OpenMP C kernels the Haskell tests and benchmarks call.
 *
 * Compiled with gcc -fopenmp like any OpenMP code, and linked with no
 * libgomp: every GOMP_* call lands in the hsomp runtime compiled into the
 * hsomp package.  Each kernel has a sequential twin (no pragma) for the
 * crossover measurement. */
#include <math.h>
#include <omp.h>
#include <stdint.h>
#include <time.h>
#include <unistd.h>

#include "hsomp_ext.h"

/* ---- numeric kernels ------------------------------------------------ */
double k_dot(const double *x, const double *y, long n) {
  double s = 0;
#pragma omp parallel for reduction(+ : s) schedule(static)
  for (long i = 0; i < n; i++)
    s += x[i] * y[i];
  return s;
}

double k_dot_seq(const double *x, const double *y, long n) {
  double s = 0;
  for (long i = 0; i < n; i++)
    s += x[i] * y[i];
  return s;
}

void k_saxpy(float a, const float *x, float *y, long n) {
#pragma omp parallel for schedule(static)
  for (long i = 0; i < n; i++)
    y[i] = a * x[i] + y[i];
}

void k_saxpy_seq(float a, const float *x, float *y, long n) {
  for (long i = 0; i < n; i++)
    y[i] = a * x[i] + y[i];
}

/* sum of sin(i * 0.001) for i < n, dynamic schedule */
double k_sin_sum(long n) {
  double s = 0;
#pragma omp parallel for reduction(+ : s) schedule(dynamic, 1024)
  for (long i = 0; i < n; i++)
    s += sin((double)i * 0.001);
  return s;
}

double k_sin_sum_seq(long n) {
  double s = 0;
  for (long i = 0; i < n; i++)
    s += sin((double)i * 0.001);
  return s;
}

/* ---- regions ------------------------------------------------------- */
static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* A region of nthreads where every thread spins for `seconds`; returns the
 * number of threads that took part; *t0 and *t1 get the times the region started and
 * ended (CLOCK_MONOTONIC seconds). */
int k_spin_region(int nthreads, double seconds, double *t0, double *t1) {
  int count = 0;
  *t0 = now();
#pragma omp parallel num_threads(nthreads) reduction(+ : count)
  {
    double end = now() + seconds;
    while (now() < end)
      ;
    count = 1;
  }
  *t1 = now();
  return count;
}

/* A region where thread t writes its number, team size and Capability to
 * out[3t..3t+2]; returns the team size. */
int k_team_info(int nthreads, int *out) {
  int size = 0;
#pragma omp parallel num_threads(nthreads)
  {
    int t = omp_get_thread_num();
    out[3 * t] = t;
    out[3 * t + 1] = omp_get_num_threads();
    out[3 * t + 2] = hsomp_get_capability();
#pragma omp single
    size = omp_get_num_threads();
  }
  return size;
}

/* A small region for latency measurements: sum of 0..n-1 split over the
 * team; the result must be n(n-1)/2. */
long k_small_region(int nthreads, long n) {
  long s = 0;
#pragma omp parallel for num_threads(nthreads) reduction(+ : s)
  for (long i = 0; i < n; i++)
    s += i;
  return s;
}

/* ---- callbacks ----------------------------------------------------- */
/* Every thread of a team calls entry(env, &slots[t]) `per_thread` times;
 * the Haskell callback adds something to the slot it is given. */
struct cb_slot {
  long thread;  /* omp_get_thread_num of the caller */
  long calls;   /* incremented by Haskell */
  long value;   /* accumulated by Haskell */
};

void k_callbacks(int nthreads, void (*entry)(void *, void *), void *env, long per_thread,
                 struct cb_slot *slots) {
#pragma omp parallel num_threads(nthreads)
  {
    struct cb_slot *mine = &slots[omp_get_thread_num()];
    mine->thread = omp_get_thread_num();
    for (long k = 0; k < per_thread; k++)
      entry(env, mine);
  }
}

/* The same with a plain function pointer (a "wrapper" FunPtr). */
void k_callbacks_fp(int nthreads, void (*fn)(void *), long per_thread, struct cb_slot *slots) {
#pragma omp parallel num_threads(nthreads)
  {
    struct cb_slot *mine = &slots[omp_get_thread_num()];
    mine->thread = omp_get_thread_num();
    for (long k = 0; k < per_thread; k++)
      fn(mine);
  }
}

/* ---- tiny C functions for call-cost measurements ------------------- */
void k_noop(void *p) { (void)p; }

void k_incr(void *p) { __atomic_fetch_add((long *)p, 1, __ATOMIC_RELAXED); }

/* Records the call order: appends *(long *)p to a log. */
static long order_log[4096];
static long order_len;
void k_log_value(void *p) {
  if (order_len < 4096)
    order_log[order_len++] = *(long *)p;
}
long k_log_take(long *out, long max) {
  long n = order_len < max ? order_len : max;
  for (long i = 0; i < n; i++)
    out[i] = order_log[i];
  order_len = 0;
  return n;
}

/* Sleeps ~20 microseconds, then increments: widens the window in which the
 * Capability is released during a batch (GC stress). */
void k_slow_incr(void *p) {
  struct timespec ts = {0, 20000};
  nanosleep(&ts, NULL);
  __atomic_fetch_add((long *)p, 1, __ATOMIC_RELAXED);
}

/* A C function that runs an OpenMP region: batches of these run regions
 * with the Capability released. */
void k_region_incr(void *p) {
#pragma omp parallel num_threads(2)
  __atomic_fetch_add((long *)p, 1, __ATOMIC_RELAXED);
}

/* intptr_t f(void *): the sum of a long array {n, x0, x1, ...}. */
intptr_t k_sum_array(void *p) {
  long *a = p;
  intptr_t s = 0;
  for (long i = 0; i < a[0]; i++)
    s += a[1 + i];
  return s;
}

/* For parallel-for entry-cost comparisons: out[i] = i * i. */
void k_square_into(void *p, long i) { ((long *)p)[i] = i * i; }

/* sum of sin(i * 0.001) for lo <= i < hi, sequential: one share of a
 * forkIO-split sin-sum (GHC-native parallelism over the same C loop). */
double k_sin_sum_range(long lo, long hi) {
  double s = 0;
  for (long i = lo; i < hi; i++)
    s += sin((double)i * 0.001);
  return s;
}

/* A Haskell callback called `n` times from the calling thread (no region):
 * the entry cost alone. */
void k_call_n(void (*entry)(void *, void *), void *env, long n, void *arg) {
  for (long k = 0; k < n; k++)
    entry(env, arg);
}

/* The same with a plain function pointer (a "wrapper" FunPtr). */
void k_call_fp_n(void (*fn)(void *), long n, void *arg) {
  for (long k = 0; k < n; k++)
    fn(arg);
}

/* k_call_n inside one session (cbits/hs_callback.h): the Capability is kept
 * from one entry to the next, for C loops that call Haskell back to back. */
#include "hs_callback.h"
void k_call_n_session(HsStablePtr fn, long n, void *arg) {
  struct hsomp_hs_session s;
  hsomp_hs_session_begin(&s);
  for (long k = 0; k < n; k++)
    hsomp_hs_session_call_ptr(&s, fn, arg);
  hsomp_hs_session_end(&s);
}

/* A region of 2 threads that each sleep `us` microseconds: a short region
 * whose length does not depend on the CPUs (CrowdSpec's hand-back test). */
void k_sleep_region(long us) {
#pragma omp parallel num_threads(2)
  usleep((useconds_t)us);
}

/* A region of one thread per CPU whose threads other than the master sleep
 * `us` microseconds before a barrier, so that the master waits there that
 * long; `trigger_us` into the wait, thread 1 fills the MVar `go` (the
 * Haskell side starts a loop on it).  Returns the master's CPU time from
 * the region's start to the barrier's end in microseconds, -1 with a team
 * of one (CrowdSpec: a wait that spins notices Haskell threads that start
 * while it spins). */
long k_wait_cpu_region(long us, long trigger_us, HsStablePtr go) {
  long cpu = -1;
#pragma omp parallel num_threads(omp_get_num_procs())
  {
    struct timespec t0, t1;
    int me = omp_get_thread_num(), n = omp_get_num_threads();
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t0);
    if (me == (n > 1)) {
      usleep((useconds_t)trigger_us);
      hs_try_putmvar(-1, go);
      usleep((useconds_t)(us - trigger_us));
    } else if (me != 0) {
      usleep((useconds_t)us);
    }
#pragma omp barrier
    if (me == 0 && n > 1) {
      clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t1);
      cpu = (long)((t1.tv_sec - t0.tv_sec) * 1000000L + (t1.tv_nsec - t0.tv_nsec) / 1000L);
    }
  }
  return cpu;
}
