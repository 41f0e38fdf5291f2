/* kernels.c -- model kernels of the fork/join and barrier algorithms of
 * GCC's libgomp and LLVM's libomp, run in the same simulator as hsomp so
 * that README "Scale" can compare them.  Models, not the libraries: only
 * the shared-memory traffic of each algorithm is reproduced.
 *
 *   libgomp (config/linux/bar.c, team.c): a centralised barrier -- one
 *   `awaited` counter every thread decrements and a `generation` word in
 *   the same line that the last arriver bumps and everyone spins on.  A
 *   region: the primary writes each worker's thread record and implicit
 *   task (two lines per worker), every thread meets at the pool's dock
 *   barrier (the fork), runs, and meets at the team barrier (the join).
 *
 *   libomp (kmp_barrier.cpp, the default "hyper" barrier, branching
 *   factor 4): gather up a radix-4 hypercube tree, each thread setting its
 *   own b_arrived flag (its own line) and each parent polling its
 *   children's; release down the same tree, each parent writing its
 *   children's own b_go flags.  A region: the primary writes the team's
 *   fn/data line, release (fork barrier), every worker reads that line,
 *   runs, gather (join barrier).
 *
 *   Critical sections: libgomp's gomp_mutex (config/linux/mutex.h): a
 *   compare-and-swap 0 -> 1, else spin reading the word until it is 0 and
 *   take it with an exchange (the futex sleep after a long spin is left
 *   out: in the model the waiters spin).  libomp's default lock for a
 *   critical section, the queuing lock (kmp_lock.cpp): each waiter spins
 *   on a flag of its own and the holder hands the lock to the next one,
 *   modelled as an MCS queue.  One section per thread and round, REPS
 *   rounds closed by one barrier, as driver.c measures hsomp's.
 *
 * Every spin pauses through hsomp_sim_pause, so the simulator sees it. */
#include <pthread.h>
#include <stdbool.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernels.h"

struct worker_record { /* libgomp: gomp_thread + its implicit task */
  void (*fn)(int);
  char pad[LINE - sizeof(void (*)(int))];
  uint64_t task[8];
} __attribute__((aligned(LINE)));

int n;
static struct central dock, team_bar;
struct flag *arrived, *go;
static struct worker_record *records;
static struct {
  void (*_Atomic fn)(int);
  _Atomic int mode;
} __attribute__((aligned(LINE))) team;
struct thread_state *state;

static void spin_until_change(_Atomic uint32_t *w, uint32_t old) {
  while (atomic_load_explicit(w, memory_order_acquire) == old)
    hsomp_sim_pause();
}

static void spin_until(_Atomic uint32_t *w, uint32_t want) {
  while (atomic_load_explicit(w, memory_order_acquire) != want)
    hsomp_sim_pause();
}

/* libgomp's gomp_barrier_wait. */
void central_wait(struct central *b) {
  uint32_t gen = atomic_load_explicit(&b->generation, memory_order_acquire);
  if (atomic_fetch_sub_explicit(&b->awaited, 1, memory_order_acq_rel) == 1) {
    atomic_store_explicit(&b->awaited, (uint32_t)n, memory_order_relaxed);
    atomic_store_explicit(&b->generation, gen + 1, memory_order_release);
  } else {
    spin_until_change(&b->generation, gen);
  }
}

/* libomp's hyper barrier, branching 4: each wait for a flag through
 * `wait' (a spin here; task_kernels.c runs tasks while it polls). */
void hyper_gather_waiting(int tid, flag_wait_fn wait) {
  uint32_t e = ++state[tid].arrive_epoch;
  for (int lvl = 1; lvl < n; lvl *= 4) {
    if (tid % (lvl * 4) != 0) {
      atomic_store_explicit(&arrived[tid].v, e, memory_order_release);
      return;
    }
    for (int k = 1; k < 4; k++)
      if (tid + k * lvl < n)
        wait(tid, &arrived[tid + k * lvl].v, e);
  }
}

void hyper_release_waiting(int tid, flag_wait_fn wait) {
  uint32_t e = ++state[tid].go_epoch;
  if (tid != 0)
    wait(tid, &go[tid].v, e);
  int top = 1;
  while (top * 4 < n && tid % (top * 4) == 0)
    top *= 4;
  for (int lvl = top; lvl >= 1; lvl /= 4)
    if (tid % (lvl * 4) == 0)
      for (int k = 1; k < 4; k++)
        if (tid + k * lvl < n)
          atomic_store_explicit(&go[tid + k * lvl].v, e, memory_order_release);
}

static void spin_wait(int tid, _Atomic uint32_t *w, uint32_t want) { spin_until(w, want); }
static void hyper_gather(int tid) { hyper_gather_waiting(tid, spin_wait); }
static void hyper_release(int tid) { hyper_release_waiting(tid, spin_wait); }

void barrier(int tid) {
  if (state[tid].mode == LIBGOMP) {
    central_wait(&team_bar);
  } else {
    hyper_gather(tid);
    hyper_release(tid);
  }
}

/* Critical sections (see the top). */
struct qnode {
  _Atomic uint32_t locked;
  char pad[LINE - sizeof(uint32_t)];
  struct qnode *_Atomic next;
  char pad2[LINE - sizeof(void *)];
} __attribute__((aligned(LINE)));
static struct qnode *qnodes;
/* The queue's tail in a line of its own (libomp's lock object), not
 * beside pointers every thread reads. */
static struct {
  struct qnode *_Atomic tail;
  char pad[LINE - sizeof(void *)];
} queue __attribute__((aligned(LINE)));
static _Atomic int32_t gomp_mutex __attribute__((aligned(LINE)));
static long critical_count __attribute__((aligned(LINE)));

static void critical_enter(int tid) {
  if (state[tid].mode == LIBGOMP) {
    int32_t old = 0;
    while (!atomic_compare_exchange_strong(&gomp_mutex, &old, old ? -1 : 1)) {
      while ((old = atomic_load_explicit(&gomp_mutex, memory_order_relaxed)) != 0)
        hsomp_sim_pause();
    }
    return;
  }
  struct qnode *me = &qnodes[tid];
  atomic_store_explicit(&me->next, NULL, memory_order_relaxed);
  atomic_store_explicit(&me->locked, 1, memory_order_relaxed);
  struct qnode *pred = atomic_exchange(&queue.tail, me);
  if (pred) {
    atomic_store_explicit(&pred->next, me, memory_order_release);
    while (atomic_load_explicit(&me->locked, memory_order_acquire))
      hsomp_sim_pause();
  }
}

static void critical_leave(int tid) {
  if (state[tid].mode == LIBGOMP) {
    atomic_exchange(&gomp_mutex, 0);
    return;
  }
  struct qnode *me = &qnodes[tid], *succ = atomic_load_explicit(&me->next, memory_order_acquire);
  if (!succ) {
    struct qnode *expected = me;
    if (atomic_compare_exchange_strong(&queue.tail, &expected, NULL))
      return;
    while (!(succ = atomic_load_explicit(&me->next, memory_order_acquire)))
      hsomp_sim_pause();
  }
  atomic_store_explicit(&succ->locked, 0, memory_order_release);
}

static struct sim_result critical_result;
static void critical_body(int tid) {
  for (int r = 0; r < WARM + REPS; r++) {
    if (r == WARM) {
      barrier(tid);
      if (tid == 0)
        sim_window_begin();
    }
    critical_enter(tid);
    critical_count++;
    critical_leave(tid);
  }
  barrier(tid);
  if (tid == 0)
    sim_window_end(NULL, n, REPS, &critical_result);
}

static void *worker(void *arg) {
  int tid = (int)(intptr_t)arg;
  for (;;) {
    void (*fn)(int);
    if (state[tid].mode == LIBGOMP) {
      central_wait(&dock);
      fn = records[tid].fn;
      for (int k = 0; k < 8; k++)
        (void)((volatile uint64_t *)records[tid].task)[k];
    } else {
      hyper_release(tid);
      fn = atomic_load_explicit(&team.fn, memory_order_relaxed);
    }
    enum mode next = (enum mode)atomic_load_explicit(&team.mode, memory_order_relaxed);
    fn(tid);
    if (state[tid].mode == LIBGOMP)
      central_wait(&team_bar);
    else
      hyper_gather(tid);
    state[tid].mode = next;
  }
  return NULL;
}

void region(void (*fn)(int), enum mode next) {
  atomic_store_explicit(&team.mode, (int)next, memory_order_relaxed);
  if (state[0].mode == LIBGOMP) {
    for (int i = 1; i < n; i++) {
      records[i].fn = fn;
      for (int k = 0; k < 8; k++)
        ((volatile uint64_t *)records[i].task)[k] = (uint64_t)k;
    }
    central_wait(&dock);
  } else {
    atomic_store_explicit(&team.fn, fn, memory_order_relaxed);
    hyper_release(0);
  }
  fn(0);
  if (state[0].mode == LIBGOMP)
    central_wait(&team_bar);
  else
    hyper_gather(0);
  state[0].mode = next;
}

static void empty_body(int tid) { sim_delay(100); }

void enter_mode(enum mode m) {
  region(empty_body, m); /* the team switches to mode m in its first region */
  region(empty_body, m);
}

static struct sim_result barrier_result;
static void barrier_body(int tid) {
  for (int r = 0; r < WARM + REPS; r++) {
    if (r == WARM && tid == 0)
      sim_window_begin();
    barrier(tid);
  }
  if (tid == 0)
    sim_window_end(NULL, n, REPS, &barrier_result);
}

void emit(const char *construct, const char *lib, const struct sim_result *r) {
  printf("scale: %s@%s-model %d transfers %.0f critical %.0f   (rmw %.0f inval %.0f remote %.0f"
         " time %.2f us)\n",
         construct, lib, n, r->transfers, r->critical, r->rmw, r->inval, r->remote, r->us);
  fflush(stdout);
}

static void measure(enum mode m) {
  const char *lib = m == LIBGOMP ? "libgomp" : "libomp";
  struct sim_result res;
  enter_mode(m);
  {
    sim_window_begin();
    for (int r = 0; r < REPS; r++)
      region(empty_body, m);
    sim_window_end(NULL, n, REPS, &res);
    emit("PARALLEL", lib, &res);
  }
  {
    region(barrier_body, m);
    emit("BARRIER", lib, &barrier_result);
  }
  {
    region(critical_body, m);
    emit("CRITICAL", lib, &critical_result);
  }
}

/* Whether `word' is one of the blank-separated words of `list'. */
static bool named(const char *list, const char *word) {
  size_t len = strlen(word);
  for (const char *p = list; (p = strstr(p, word)); p += len)
    if ((p == list || p[-1] == ' ') && (p[len] == ' ' || p[len] == '\0'))
      return true;
  return false;
}

void kernels_run(int nthreads, const char *only) {
  /* "model" or nothing: the barrier kernels; "taskmodel": the task
   * kernels, only when named (they take half an hour at 256 threads) */
  bool all = !only || !*only;
  bool plain = all || named(only, "model"), tasks = !all && named(only, "taskmodel");
  if (!tasks && !plain)
    return;
  n = nthreads;
  arrived = aligned_alloc(LINE, sizeof *arrived * (size_t)n);
  go = aligned_alloc(LINE, sizeof *go * (size_t)n);
  records = aligned_alloc(LINE, sizeof *records * (size_t)n);
  state = aligned_alloc(LINE, sizeof *state * (size_t)n);
  qnodes = aligned_alloc(LINE, sizeof *qnodes * (size_t)n);
  memset(qnodes, 0, sizeof *qnodes * (size_t)n);
  memset(arrived, 0, sizeof *arrived * (size_t)n);
  memset(go, 0, sizeof *go * (size_t)n);
  memset(records, 0, sizeof *records * (size_t)n);
  memset(state, 0, sizeof *state * (size_t)n);
  atomic_store(&dock.awaited, (uint32_t)n);
  atomic_store(&team_bar.awaited, (uint32_t)n);
  for (int i = 1; i < n; i++) {
    pthread_t t;
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    pthread_attr_setstacksize(&attr, 1 << 16);
    if (pthread_create(&t, &attr, worker, (void *)(intptr_t)i) != 0) {
      fprintf(stderr, "scale: cannot create a kernel thread\n");
      exit(1);
    }
    pthread_attr_destroy(&attr);
  }
  if (plain) {
    measure(LIBGOMP);
    measure(LIBOMP);
  }
  if (tasks) {
    task_kernels_measure(LIBGOMP);
    task_kernels_measure(LIBOMP);
  }
}
