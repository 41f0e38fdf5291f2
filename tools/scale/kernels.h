/* kernels.h -- what the model kernels of kernels.c (fork/join, barriers,
 * critical sections) share with those of task_kernels.c (task
 * schedulers): the kernel team, its regions and its barriers.  See the
 * top of each file and README "Scale". */
#ifndef HSOMP_KERNELS_H
#define HSOMP_KERNELS_H

#include <stdatomic.h>
#include <stdint.h>

#include "sim.h"

#define WARM 2
#define REPS 4
#define LINE 64

enum mode { LIBGOMP, LIBOMP };

struct flag {
  _Atomic uint32_t v;
  char pad[LINE - sizeof(uint32_t)];
};

struct central {
  _Atomic uint32_t generation;
  _Atomic uint32_t awaited;
  char pad[LINE - 2 * sizeof(uint32_t)];
} __attribute__((aligned(LINE)));

struct thread_state {
  uint32_t arrive_epoch, go_epoch;
  enum mode mode;
  char pad[LINE];
};

extern int n;                     /* the kernel team's size */
extern struct flag *arrived, *go; /* libomp's hyper barrier flags, one line per thread */
extern struct thread_state *state;

/* A wait until *w == want by thread tid. */
typedef void (*flag_wait_fn)(int tid, _Atomic uint32_t *w, uint32_t want);
/* libomp's hyper barrier (branching 4), its two halves, each wait for a
 * flag through `wait'. */
void hyper_gather_waiting(int tid, flag_wait_fn wait);
void hyper_release_waiting(int tid, flag_wait_fn wait);
/* libgomp's centralised barrier on b, all n threads. */
void central_wait(struct central *b);
/* The barrier of the team's current mode (libgomp's or libomp's). */
void barrier(int tid);
/* A parallel region of the kernel team running fn(tid) on every thread,
 * forked and joined by the algorithm of the team's mode; the next region
 * runs in mode `next'. */
void region(void (*fn)(int), enum mode next);
/* Two empty regions: the team runs in mode m from then on, warm. */
void enter_mode(enum mode m);
/* One `scale:' line: CONSTRUCT@LIB-model. */
void emit(const char *construct, const char *lib, const struct sim_result *r);

/* task_kernels.c: the task constructs of driver.c under libgomp's and
 * libomp's task schedulers, in the kernel team (mode m). */
void task_kernels_measure(enum mode m);

#endif
