/* wait.c -- how hsomp threads wait: spin briefly, then sleep on a futex.
 *
 * Owns the futex system calls, the internal mutex's slow path and the spin
 * budget policy (OMP_WAIT_POLICY, GOMP_SPINCOUNT, oversubscription). */
#include "hsomp.h"

#include <limits.h>
#include <linux/futex.h>
#include <sched.h>
#include <sys/syscall.h>
#include <unistd.h>

void hsomp_futex_wait(_Atomic uint32_t *word, uint32_t val) {
  syscall(SYS_futex, (uint32_t *)word, FUTEX_WAIT_PRIVATE, val, NULL, NULL, 0);
}

void hsomp_futex_wake(_Atomic uint32_t *word, int n) {
  syscall(SYS_futex, (uint32_t *)word, FUTEX_WAKE_PRIVATE, n, NULL, NULL, 0);
}

/* Note [Sleeping without lost wake-ups]
 * A waiter that gives up spinning announces itself (sleepers += 1, seq_cst)
 * and only then re-reads the word (seq_cst) before FUTEX_WAIT.  A waker
 * stores the new value (seq_cst) and only then reads sleepers (seq_cst).
 * In the single total order of seq_cst operations, either the waiter's
 * re-read sees the new value (it does not sleep), or the waker's read of
 * sleepers sees the announcement (it calls FUTEX_WAKE).  FUTEX_WAIT itself
 * re-checks the value atomically in the kernel, so a wake between the
 * re-read and the system call is not lost either. */
void hsomp_wait_change(_Atomic uint32_t *word, uint32_t old, _Atomic uint32_t *sleepers,
                       unsigned long spins) {
  for (unsigned long i = 0; i < spins; i++) {
    if (atomic_load_explicit(word, memory_order_acquire) != old)
      return;
    hsomp_spin_round(i, spins);
  }
  while (atomic_load_explicit(word, memory_order_acquire) == old) {
    atomic_fetch_add_explicit(sleepers, 1, memory_order_seq_cst);
    if (atomic_load_explicit(word, memory_order_seq_cst) == old)
      hsomp_futex_wait(word, old);
    atomic_fetch_sub_explicit(sleepers, 1, memory_order_relaxed);
  }
}

/* Note [Adaptive idle spinning]
 * A parked worker waits for its next region.  Spinning pays off only when
 * the next region comes within the spin budget; a program that runs one
 * short region every few milliseconds (an event loop, a solver with serial
 * phases) would otherwise burn the whole budget after every region -- ~5 %
 * of a CPU per worker at one region per 10 ms with the default budget.
 * So the worker keeps its own budget (*budget, at most `cap`, the team's):
 * a wait that ends in the futex halves it (down to
 * HSOMP_IDLE_SPIN_MIN rounds) unless the wake-up came so soon that spinning
 * `cap` rounds would have caught it, in which case it doubles; a wait that
 * ends while spinning keeps it.  Back-to-back regions therefore keep the
 * full budget, sparse ones converge to a few microseconds of spinning
 * within ten regions.  Times are TSC ticks: only their ratios matter. */
#define HSOMP_IDLE_SPIN_MIN 64
void hsomp_wait_change_adaptive(_Atomic uint32_t *word, uint32_t old, _Atomic uint32_t *sleepers,
                                unsigned long cap, unsigned long *budget) {
  unsigned long spins = *budget < cap ? *budget : cap;
  if (spins < HSOMP_IDLE_SPIN_MIN)
    spins = cap < HSOMP_IDLE_SPIN_MIN ? cap : HSOMP_IDLE_SPIN_MIN;
  uint64_t t0 = __builtin_ia32_rdtsc();
  for (unsigned long i = 0; i < spins; i++) {
    if (atomic_load_explicit(word, memory_order_acquire) != old) {
      *budget = spins;
      return;
    }
    hsomp_spin_round(i, cap);
  }
  uint64_t t1 = __builtin_ia32_rdtsc();
  hsomp_wait_change(word, old, sleepers, 0);
  uint64_t slept = __builtin_ia32_rdtsc() - t1;
  /* What spinning up to `cap` rounds would have added, at this rate. */
  double per_round = spins ? (double)(t1 - t0) / (double)spins : 0.0;
  double more = per_round * (double)(cap - spins);
  if ((double)slept < more)
    *budget = spins * 2 < cap ? spins * 2 : cap;
  else
    *budget = spins / 2 > HSOMP_IDLE_SPIN_MIN ? spins / 2 : HSOMP_IDLE_SPIN_MIN;
}

bool hsomp_wake_all(_Atomic uint32_t *word, _Atomic uint32_t *sleepers) {
  if (atomic_load_explicit(sleepers, memory_order_seq_cst) == 0)
    return false;
  hsomp_futex_wake(word, INT_MAX);
  return true;
}

/* Note [Yielding while spinning]
 * A spinning thread assumes that the thread it waits for runs on another
 * CPU.  On a loaded machine (other processes, or a team larger than the
 * CPUs) the scheduler often puts both on one CPU: then the spinner keeps
 * the other thread off it until it stops spinning -- until the next
 * scheduler tick (4 ms at HZ=250) if it never yields.  Measured at 2
 * threads on this 2-CPU machine with a load average of 10: libgomp, whose
 * spin loops never yield, spends 4-20 ms per PARALLEL in that case.  So
 * after HSOMP_SPIN_YIELD_AFTER rounds a spinner calls sched_yield every
 * HSOMP_SPIN_YIELD_EVERY rounds: a cheap system call when nobody else
 * wants the CPU, a hand-over when the awaited thread does.  The cost of a
 * hand-over on a shared CPU is then about the spin before the first yield;
 * measured overheads (PARALLEL / BARRIER, us, 2 threads, same load) for a
 * first yield after 4096, 256, 64 and 16 rounds: 220/140-220, 16/9, 7/4,
 * 6/2; LLVM's libomp, which also yields, ~40/40.  32 is the compromise:
 * the waits of a balanced team on idle CPUs (well under a microsecond)
 * never reach the first yield.  An oversubscribed team (a throttled
 * budget, under HSOMP_SPIN_YIELD_ALWAYS_BELOW rounds) shares CPUs for
 * sure, and yields on every round, as libomp does: at 4 threads on 2 CPUs
 * that took PARALLEL / BARRIER from 13/11 us to 4/3 (libomp 4/3), at 8
 * threads from 25/25 to 12/11 (libomp 16/16).
 *
 * Yielding has a price on a busy machine: the CPU may go to another
 * process for a whole time slice, and the team waits for us when the
 * awaited thread arrives.  Since threads keep off each other's CPUs
 * (Note [Keeping threads spread]), a waiter first checks, at its
 * first yield, whether a team mate was last seen on its CPU (each thread
 * notes its CPU when it starts a region or forks).  If none was, it
 * yields only after HSOMP_SPIN_LATE_AFTER rounds, every
 * HSOMP_SPIN_LATE_EVERY -- enough to undo a wrong guess (the CPUs seen
 * may be stale) at a bounded cost. */
/* Note [Keeping threads spread]
 * Linux starts a new thread on its creator's CPU and wakes a sleeping one
 * preferably near its waker; on a busy machine the load balancer then
 * tends to leave a master and its worker on one CPU -- for good when the
 * two only spin and yield, as neither waits long in the run queue.  The
 * team then runs its threads one after the other: measured at 2 threads
 * on 2 busy CPUs, a loop of 13 us per thread took 26, every time, in
 * hsomp and in libomp (both yield), while libgomp's threads (which spin
 * without yielding) drifted apart.  So a thread that has waited
 * HSOMP_SPIN_YIELD_AFTER rounds for its team mates and finds one of them
 * last seen on its own CPU (near_peer) moves to another allowed CPU --
 * the k-th after this one, k its team number, the master's k being 1 --
 * by narrowing its affinity mask to that CPU and restoring the full mask
 * at once: the kernel migrates it and stays free to move it again.  A
 * hint, not a binding.  Only in teams that fit the CPUs and without a
 * place list (with one, OMP_PROC_BIND decides; team->master_cpu is then
 * -1), at most once per ~1 ms (2^21 TSC ticks) per thread, and only when
 * waiting, so short regions of co-located threads (where nobody waits
 * long) never pay the two system calls.  With it the loop above takes
 * 13 us again. */
#define HSOMP_SPREAD_INTERVAL_TICKS (1ull << 21)
static __thread uint64_t last_move;

static void move_off_cpu(int here, unsigned nth) {
  cpu_set_t allowed, one;
  if (sched_getaffinity(0, sizeof allowed, &allowed) != 0 || CPU_COUNT(&allowed) < 2)
    return;
  unsigned skip = (nth - 1) % (unsigned)(CPU_COUNT(&allowed) - CPU_ISSET(here, &allowed));
  int target = -1;
  for (int i = 1; i < CPU_SETSIZE && target < 0; i++) {
    int c = (here + i) % CPU_SETSIZE;
    if (CPU_ISSET(c, &allowed) && skip-- == 0)
      target = c;
  }
  if (target < 0)
    return;
  CPU_ZERO(&one);
  CPU_SET(target, &one);
  if (sched_setaffinity(0, sizeof one, &one) == 0)
    sched_setaffinity(0, sizeof allowed, &allowed);
}

/* Move off `here` if the team may spread and the last move is old. */
static bool spread_from(struct hsomp_thread *self, struct hsomp_team *team, int here) {
  if (team->master_cpu < 0)
    return false;
  uint64_t now = __builtin_ia32_rdtsc();
  if (now - last_move < HSOMP_SPREAD_INTERVAL_TICKS)
    return false;
  last_move = now;
  move_off_cpu(here, self->ts.team_id ? self->ts.team_id : 1);
  int there = sched_getcpu();
  atomic_store_explicit(&self->cpu, there, memory_order_relaxed);
  return there != here;
}

#ifndef HSOMP_SPIN_LATE_AFTER /* -D for experiments */
#define HSOMP_SPIN_LATE_AFTER 1024 /* apart from team mates: first yield (~25 us) */
#define HSOMP_SPIN_LATE_EVERY 256
#endif

__thread int hsomp_spin_peer_cpu = -1;
__thread unsigned long hsomp_spin_cap = ULONG_MAX;
static __thread bool spin_near_peer; /* for the current wait, from its round AFTER */

/* Whether a thread this one may be waiting for was last seen on its CPU.
 * Unknown counts as yes. */
static bool near_peer(void) {
  struct hsomp_thread *self = hsomp_tls;
  int here = sched_getcpu();
  if (!self || here < 0)
    return true;
  struct hsomp_team *team = self->ts.team;
  if (!team) /* a parked worker waits for its next master */
    return hsomp_spin_peer_cpu < 0 || hsomp_spin_peer_cpu == here;
  /* Keep our own entry fresh for the team mates' checks: the kernel may
   * have moved us since the region began. */
  atomic_store_explicit(&self->cpu, here, memory_order_relaxed);
  for (unsigned i = 0; i < team->nthreads; i++) {
    struct hsomp_thread *m = team->members[i];
    if (m != self && atomic_load_explicit(&m->cpu, memory_order_relaxed) == here)
      return !spread_from(self, team, here); /* Note [Keeping threads spread] */
  }
  return false;
}

/* Note [Yields that cost a time slice]
 * An oversubscribed team yields on every spin round (Note [Yielding while
 * spinning]): right when the threads sharing our CPU are team mates, but
 * when they are other processes' CPU-bound threads each yield gives one
 * of them the CPU for a whole time slice, and a thread that keeps
 * spinning and yielding never sleeps, so it gets no wake-up preference to
 * win the CPU back.  Measured on this 2-CPU machine with two busy loops
 * beside the program: 2.6-3.3 ms per barrier in teams of 4 and 8
 * (libgomp, which spins briefly, then sleeps: 0.03-0.2 ms), so
 * barrier.phases timed out under `ctest -j4`.  So a yield that took more
 * than HSOMP_YIELD_SLOW_TICKS (~0.4 ms: another process ran) turns the
 * thread's yields into pauses for HSOMP_YIELD_OFF_TICKS (~50 ms); its
 * waits then spin their short budget and sleep, as libgomp's do.  Same
 * load, with this: 0.05-0.16 ms per barrier.  Without foreign load,
 * yields return within microseconds and stay on. */
#define HSOMP_YIELD_SLOW_TICKS (1ull << 20)
#define HSOMP_YIELD_OFF_TICKS (1ull << 27)
static __thread uint64_t yields_off_until;

static void oversubscribed_yield(void) {
  uint64_t before = __builtin_ia32_rdtsc();
  if (before < yields_off_until) {
    hsomp_cpu_relax();
    return;
  }
  sched_yield();
  uint64_t after = __builtin_ia32_rdtsc();
  if (after - before > HSOMP_YIELD_SLOW_TICKS)
    yields_off_until = after + HSOMP_YIELD_OFF_TICKS;
}

void hsomp_spin_slow(unsigned long round, unsigned long budget) {
  if (budget < HSOMP_SPIN_YIELD_ALWAYS_BELOW) {
    oversubscribed_yield();
    return;
  }
  if (round == HSOMP_SPIN_YIELD_AFTER)
    spin_near_peer = near_peer();
  if (spin_near_peer ? round % HSOMP_SPIN_YIELD_EVERY == 0
                     : round >= HSOMP_SPIN_LATE_AFTER && round % HSOMP_SPIN_LATE_EVERY == 0)
    sched_yield();
  else
    hsomp_cpu_relax();
}

/* Drepper's three-state futex mutex ("Futexes are tricky", mutex 2).
 *
 * Note [Spinning for a contended mutex]
 * A critical section or omp_set_lock is usually held for far less than a
 * futex round trip (a sleeping waiter costs its holder a FUTEX_WAKE system
 * call and itself a context switch: microseconds).  So a waiter spins with
 * the budget of the team it runs in (the whole spin policy applies: yield
 * when oversubscribed, Note [Spin budget]) before it marks the mutex
 * contended (2) and sleeps, as libgomp's mutex does.  Spinning only reads
 * the word, so it does not take the cache line from the holder; the
 * holder's unlock finds state 1 and makes no system call. */
void hsomp_mutex_lock_slow(hsomp_mutex *m) {
  struct hsomp_thread *self = hsomp_tls;
  unsigned long spins = self && self->ts.team ? self->ts.team->spins : hsomp_spin_budget(1);
  for (unsigned long i = 0; i < spins; i++) {
    if (atomic_load_explicit(m, memory_order_relaxed) == 0 && hsomp_mutex_trylock(m))
      return;
    hsomp_spin_round(i, spins);
  }
  while (atomic_exchange_explicit(m, 2, memory_order_acquire) != 0)
    hsomp_futex_wait(m, 2);
}

/* Note [Spin budget]
 * Spinning makes hand-offs fast when every thread has a CPU of its own, and
 * is pure waste when threads outnumber CPUs: the thread we wait for may be
 * the one we keep off the CPU.  So a team larger than the CPUs we may run
 * on spins only the throttled budget (and yields in between) before it
 * sleeps.  The default budget (Note [Spin policy] in env.c) is ~2.5 ms;
 * an idle program does not burn CPU between regions because parked workers
 * shrink their own budget (Note [Adaptive idle spinning]). */
unsigned long hsomp_spin_budget(unsigned long nthreads) {
  if (nthreads > HSOMP_CROWDED_PER_CPU * (unsigned long)hsomp_settings.ncpus)
    return hsomp_settings.throttled_spin_count < HSOMP_CROWDED_SPINS
               ? hsomp_settings.throttled_spin_count
               : HSOMP_CROWDED_SPINS; /* Note [A crowded process] (team.c) */
  if (nthreads > hsomp_settings.ncpus)
    return hsomp_settings.throttled_spin_count;
  return hsomp_settings.spin_count;
}
