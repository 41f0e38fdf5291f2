/* compose.c -- the OpenMP C kernels of the composition benchmark
 * (haskell/compose): plain gcc -fopenmp code, linked to hsomp through the
 * Haskell package in one build and to GCC's libgomp (or LLVM's libomp by
 * LD_PRELOAD) in the other, so every runtime runs the same object code. */
#include <math.h>
#include <omp.h>
#include <sys/resource.h>

/* Context switches of the whole process so far, every thread, voluntary
 * and involuntary (the driver's CPU table, Composition.hs). */
long compose_context_switches(void) {
  struct rusage u;
  getrusage(RUSAGE_SELF, &u);
  return u.ru_nvcsw + u.ru_nivcsw;
}

/* A parallel for reduction over n doubles on a team of `nthreads`. */
double compose_sum(const double *x, long n, int nthreads) {
  double s = 0;
#pragma omp parallel for reduction(+ : s) num_threads(nthreads)
  for (long i = 0; i < n; i++)
    s += x[i];
  return s;
}

/* A heavier loop (about 20 ns per iteration): OpenMP work that competes
 * with Haskell work for the CPUs. */
double compose_work(long n, int nthreads) {
  double s = 0;
#pragma omp parallel for reduction(+ : s) num_threads(nthreads) schedule(static)
  for (long i = 0; i < n; i++)
    s += sin((double)i * 1e-3) * cos((double)i * 2e-3);
  return s;
}

/* A region of `nthreads` whose every thread calls Haskell once (its
 * thread number) and then takes part in a reduction over x. */
double compose_region_cb(void (*cb)(long), const double *x, long n, int nthreads) {
  double s = 0;
#pragma omp parallel num_threads(nthreads) reduction(+ : s)
  {
    cb(omp_get_thread_num());
#pragma omp for
    for (long i = 0; i < n; i++)
      s += x[i];
  }
  return s;
}

/* Callbacks from all team threads at once: cb(i) for every i of a
 * dynamically scheduled loop. */
void compose_callbacks(void (*cb)(long), long iters, int nthreads) {
#pragma omp parallel for num_threads(nthreads) schedule(dynamic, 64)
  for (long i = 0; i < iters; i++)
    cb(i);
}

/* The same loop calling entry(env, i): the C side of a callback made with
 * the hsomp package's HsOmp.Callback (entry = callbackEntry, env =
 * callbackEnv), or of a "wrapper" FunPtr with that type for the peers. */
void compose_callbacks_env(void (*entry)(void *, void *), void *env, long iters, int nthreads) {
#pragma omp parallel for num_threads(nthreads) schedule(dynamic, 64)
  for (long i = 0; i < iters; i++)
    entry(env, (void *)i);
}
