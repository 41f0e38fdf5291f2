/* taskapps.h -- the task-workload benchmark programs (`hsomp-taskapps`).
 *
 * Each program is a classic task-parallel workload written for this
 * project: it builds its input, computes the answer with a serial version,
 * then runs the task-parallel version (one `parallel` region per run) and
 * checks that it computed the same answer.  The driver (main.c) times the
 * parallel runs and prints them as bench.h's SAMPLES/BEST lines, so that
 * bench/run-bench.py can compare libgomp, LLVM's libomp and hsomp running
 * the same binary. */
#ifndef HSOMP_TASKAPPS_H
#define HSOMP_TASKAPPS_H

#include <omp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "taskapps_trace.h"

/* Sizes: the benchmark size runs 0.05-1 s on 2 threads; the tiny size is
 * for the correctness test (ctest), a few milliseconds. */
enum taskapp_size { TASKAPP_TINY, TASKAPP_BENCH };

struct taskapp {
  const char *name;
  const char *what;              /* one line for --list */
  void (*setup)(enum taskapp_size size); /* input and serial answer */
  void (*prepare)(void);         /* untimed, before each run (NULL: none) */
  void (*run)(void);             /* the task-parallel version, one region */
  int (*check)(void);            /* 1 if run() computed the serial answer */
  void (*teardown)(void);
};

/* Deterministic pseudo-random numbers (splitmix64): inputs must be the
 * same on every runtime. */
static inline uint64_t taskapp_mix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}
static inline uint64_t taskapp_rand(uint64_t *state) { return taskapp_mix((*state)++); }

static inline void *taskapp_alloc(size_t n) {
  void *p = malloc(n ? n : 1);
  if (!p) {
    fprintf(stderr, "hsomp-taskapps: out of memory (%zu bytes)\n", n);
    exit(3);
  }
  return p;
}

extern const struct taskapp taskapp_sort, taskapp_sparselu_single, taskapp_sparselu_for,
    taskapp_strassen, taskapp_fft, taskapp_nqueens, taskapp_nqueens_cutoff, taskapp_fib_cutoff,
    taskapp_floorplan, taskapp_health, taskapp_uts_geo, taskapp_uts_bin, taskapp_alignment;

#endif
