/* cmm_calls.c -- C functions that test/CmmSpec.hs and bench/CmmBench.hs
 * call through the inline Cmm primitives (HsOmp.Inline) and through
 * ordinary foreign calls.
 *
 * Owns: a counter tick (intptr_t (*)(void *), the shape batchApply calls),
 * a tick that sleeps (so that a batch lasts long enough for GCs to run
 * beside it), and the tiny add that the benchmark calls three ways. */
#include <stdint.h>
#include <time.h>

/* ++*counter; returns 1. */
intptr_t cmm_test_tick(void *counter) {
  __atomic_fetch_add((long *)counter, 1, __ATOMIC_RELAXED);
  return 1;
}

/* ++*counter after sleeping 200 us; returns 1. */
intptr_t cmm_test_sleepy_tick(void *counter) {
  struct timespec ts = {0, 200 * 1000};
  nanosleep(&ts, NULL);
  __atomic_fetch_add((long *)counter, 1, __ATOMIC_RELAXED);
  return 1;
}

/* a + b: the C side of the benchmark's prim/unsafe/safe comparison. */
long cmm_bench_add(long a, long b) { return a + b; }
