/* spin.c -- how a waiting thread spins: the spin budget (OMP_WAIT_POLICY,
 * GOMP_SPINCOUNT, oversubscription), when it yields the CPU, and when it
 * moves off a CPU it shares with a team mate.
 *
 * The policy of every wait (wait.h's hsomp_wait_until); what it needs to
 * know comes in its struct hsomp_spin: the budget, the waiter, its team.
 * Its memory is the waiter's: when it last moved (moved_at) and until
 * when its yields are off (yields_off_until), in struct hsomp_thread. */
#include "hsomp.h"
#include "rts_glue.h"

#include <stdlib.h>
#include <string.h>

/* Note [Spin budget]
 * Spinning makes hand-offs fast when every thread has a CPU of its own, and
 * is pure waste when threads outnumber CPUs: the thread we wait for may be
 * the one we keep off the CPU.  So a team larger than the CPUs we may run
 * on spins only the throttled budget (and yields in between) before it
 * sleeps.  The default budget (Note [Spin policy] in env.c) is ~2.5 ms;
 * an idle program does not burn CPU between regions because parked workers
 * shrink their own budget (Note [Adaptive idle spinning], wait.c). */
unsigned long hsomp_spin_budget(unsigned long nthreads) {
  if (nthreads > HSOMP_CROWDED_PER_CPU * (unsigned long)hsomp_settings.ncpus)
    return hsomp_settings.throttled_spin_count < HSOMP_CROWDED_SPINS
               ? hsomp_settings.throttled_spin_count
               : HSOMP_CROWDED_SPINS; /* Note [A crowded process] (team.c) */
  if (nthreads > hsomp_settings.ncpus || hsomp_crowded()) /* Note [Crowded CPUs] (crowd.c) */
    return hsomp_settings.throttled_spin_count;
  return hsomp_settings.spin_count;
}

/* Note [Yielding while spinning]
 * A spinning thread assumes that the thread it waits for runs on another
 * CPU.  On a loaded machine (other processes, or a team larger than the
 * CPUs) the scheduler often puts both on one CPU: then the spinner keeps
 * the other thread off it until it stops spinning -- until the next
 * scheduler tick if it never yields (libgomp's spin loops never yield).
 * So after HSOMP_SPIN_YIELD_AFTER rounds a spinner yields every
 * HSOMP_SPIN_YIELD_EVERY rounds: a cheap system call when nobody else
 * wants the CPU, a hand-over when the awaited thread does.  The cost of a
 * hand-over on a shared CPU is then about the spin before the first
 * yield, while the waits of a balanced team on idle CPUs (well under a
 * microsecond) never reach it.  An oversubscribed team (a throttled
 * budget, under HSOMP_SPIN_YIELD_ALWAYS_BELOW rounds) shares CPUs for
 * sure, and yields on every round, as LLVM's libomp does.
 *
 * Yielding has a price on a busy machine: the CPU may go to another
 * process for a whole time slice, and the team waits for us when the
 * awaited thread arrives.  Since threads keep off each other's CPUs
 * (Note [Keeping threads spread]), a waiter first checks, at its
 * first yield, whether a team mate was last seen on its CPU (each thread
 * notes its CPU when it starts a region or forks).  If none was, it
 * yields only after HSOMP_SPIN_LATE_AFTER rounds, every
 * HSOMP_SPIN_LATE_EVERY -- enough to undo a wrong guess (the CPUs seen
 * may be stale) at a bounded cost.  The benchmarks behind these numbers
 * are bench/sync.c's oversubscribed and loaded runs (docs/bench). */
#ifndef HSOMP_SPIN_LATE_AFTER /* -D for experiments */
#define HSOMP_SPIN_LATE_AFTER 1024 /* apart from team mates: first yield (~25 us) */
#define HSOMP_SPIN_LATE_EVERY 256
#endif

/* Note [Keeping threads spread]
 * Linux starts a new thread on its creator's CPU and wakes a sleeping one
 * preferably near its waker; on a busy machine the load balancer then
 * tends to leave a master and its worker on one CPU -- for good when the
 * two only spin and yield, as neither waits long in the run queue.  The
 * team then runs its threads one after the other, in hsomp and in libomp
 * (both yield), while libgomp's threads (which spin without yielding)
 * drift apart.  So a thread that has waited HSOMP_SPIN_YIELD_AFTER rounds
 * for its team mates and finds one of them last seen on its own CPU
 * (near_peer) moves to another allowed CPU -- the k-th after this one, k
 * its team number, the master's k being 1 -- through
 * hsomp_os_move_off_cpu, a hint, not a binding.  Only in teams that fit
 * the CPUs and without a place list (with one, OMP_PROC_BIND decides;
 * team->master_cpu is then -1), at most once per ~1 ms (2^21 TSC ticks)
 * per thread, and only when waiting, so short regions of co-located
 * threads (where nobody waits long) never pay the two system calls. */
#define HSOMP_SPREAD_INTERVAL_TICKS (1ull << 21)

/* Move off `here` if the team may spread and the last move is old. */
static bool spread_from(struct hsomp_thread *self, struct hsomp_team *team, int here) {
  if (team->master_cpu < 0)
    return false;
  uint64_t now = hsomp_ticks();
  if (now - self->moved_at < HSOMP_SPREAD_INTERVAL_TICKS)
    return false;
  self->moved_at = now;
  unsigned k = self->ts.team_id ? self->ts.team_id : 1;
  hsomp_os_move_off_cpu(here, k - 1);
  int there = hsomp_os_cpu();
  hsomp_note_cpu(self, there);
  return there != here;
}

/* Note [Who ran on a CPU last]
 * near_peer must not read every team mate's CPU: at 256 threads that is
 * 255 line transfers per waiting thread, at every wait that lasts past
 * the first yield (O(N^2) per barrier).  Instead every thread that notes
 * its CPU inside a team (hsomp_note_cpu: at the start of a region, at
 * barriers, after a move) also claims that CPU's slot in `cpu_last', one
 * line per CPU, written only when the claimant changes; the slot keeps
 * the last two claimants.  A waiter reads the slot of its own CPU: if a
 * team mate among the two claimed it and still says it runs there, a
 * team mate shares our CPU.  So two team mates on one CPU both see each
 * other (with only the last claimant, the last one to claim would not see
 * the first, and spin without yielding while the thread it waits for
 * cannot run).  A claimant is named by its team record's serial number
 * and its team number, never by a pointer: a slot may outlive its
 * claimant's record (an exited host thread, a retired worker), and only a
 * member of the waiter's own team, found through its members[], is ever
 * read.  (Not the region's barrier tag: the claims of the last region
 * must still count in the next.)  A CPU number beyond the table (never, unless the CPU set grows
 * after start-up) counts as shared: yielding is the safe side. */
struct cpu_slot {
  _Atomic uint64_t last HSOMP_ALIGNED;
  _Atomic uint64_t before;
};
static struct cpu_slot *_Atomic cpu_last;

static unsigned cpu_table_len(void) {
  size_t n = hsomp_settings.cpuset_size * 8;
  return n < 64 ? 64 : (unsigned)n;
}

static struct cpu_slot *cpu_table(void) {
  struct cpu_slot *t = atomic_load_explicit(&cpu_last, memory_order_acquire);
  if (HSOMP_LIKELY(t))
    return t;
  unsigned n = cpu_table_len();
  struct cpu_slot *fresh = NULL;
  if (posix_memalign((void **)&fresh, HSOMP_CACHELINE, n * sizeof *fresh) != 0)
    hsomp_fatal("out of memory allocating the CPU table");
  memset(fresh, 0, n * sizeof *fresh);
  struct cpu_slot *none = NULL;
  if (atomic_compare_exchange_strong_explicit(&cpu_last, &none, fresh, memory_order_acq_rel,
                                              memory_order_acquire))
    return fresh;
  free(fresh);
  return none;
}

/* The name of a claimant: its team's serial number and its team number + 1. */
static uint64_t claimant(const struct hsomp_thread *t) {
  return (uint64_t)t->ts.team->serial << 32 | (t->ts.team_id + 1);
}

void hsomp_note_cpu(struct hsomp_thread *self, int cpu) {
  if (atomic_load_explicit(&self->cpu, memory_order_relaxed) != cpu)
    atomic_store_explicit(&self->cpu, cpu, memory_order_relaxed);
  if (cpu < 0 || (unsigned)cpu >= cpu_table_len() || !self->ts.team)
    return;
  struct cpu_slot *t = cpu_table();
  uint64_t me = claimant(self);
  uint64_t last = atomic_load_explicit(&t[cpu].last, memory_order_relaxed);
  if (last != me) {
    atomic_store_explicit(&t[cpu].before, last, memory_order_relaxed);
    atomic_store_explicit(&t[cpu].last, me, memory_order_relaxed);
  }
}

/* Whether the claimant c is another member of self's region on CPU here. */
static bool mate_here(uint64_t c, struct hsomp_thread *self, struct hsomp_team *team, int here) {
  uint32_t id = (uint32_t)c - 1;
  if ((uint32_t)(c >> 32) != team->serial || id == self->ts.team_id || id >= team->nthreads)
    return false;
  return atomic_load_explicit(&team->members[id]->cpu, memory_order_relaxed) == here;
}

/* Whether a thread the waiter may be waiting for was last seen on its
 * CPU.  Unknown counts as yes. */
static bool near_peer(struct hsomp_spin *s) {
  struct hsomp_thread *self = s->self;
  int here = hsomp_os_cpu();
  if (!self || here < 0)
    return true;
  struct hsomp_team *team = s->team;
  if (!team) /* e.g. a parked worker, waiting for its next master */
    return s->peer_cpu < 0 || s->peer_cpu == here;
  /* Keep our own entry fresh for the others' checks: the kernel may have
   * moved us since the region began. */
  hsomp_note_cpu(self, here);
  if ((unsigned)here >= cpu_table_len())
    return true;
  struct cpu_slot *slot = &cpu_table()[here];
  if (mate_here(atomic_load_explicit(&slot->last, memory_order_relaxed), self, team, here) ||
      mate_here(atomic_load_explicit(&slot->before, memory_order_relaxed), self, team, here))
    return !spread_from(self, team, here); /* Note [Keeping threads spread] */
  return false;
}

/* Note [Yields that cost a time slice]
 * An oversubscribed team yields on every spin round (Note [Yielding while
 * spinning]): right when the threads sharing our CPU are team mates, but
 * when they are other processes' CPU-bound threads each yield gives one
 * of them the CPU for a whole time slice, and a thread that keeps
 * spinning and yielding never sleeps, so it gets no wake-up preference to
 * win the CPU back: a barrier then costs milliseconds where libgomp (which
 * spins briefly, then sleeps) takes a tenth of that.  So a yield that took
 * more than HSOMP_YIELD_SLOW_TICKS (~0.4 ms: another process ran) turns
 * the thread's yields into pauses for HSOMP_YIELD_OFF_TICKS (~50 ms); its
 * waits then spin their short budget and sleep, as libgomp's do.  Without
 * foreign load, yields return within microseconds and stay on. */
#define HSOMP_YIELD_SLOW_TICKS (1ull << 20)
#define HSOMP_YIELD_OFF_TICKS (1ull << 27)

static void oversubscribed_yield(struct hsomp_thread *self) {
  if (!self) {
    hsomp_os_yield();
    return;
  }
  uint64_t before = hsomp_ticks();
  if (before < self->yields_off_until) {
    hsomp_cpu_relax();
    return;
  }
  hsomp_os_yield();
  uint64_t after = hsomp_ticks();
  if (after - before > HSOMP_YIELD_SLOW_TICKS)
    self->yields_off_until = after + HSOMP_YIELD_OFF_TICKS;
}

/* Note [Crowded CPUs] (crowd.c): with the count of threads in regions its
 * team's master saw, or a parked worker's last team's. */
static bool spin_crowded(const struct hsomp_spin *s) {
  unsigned in_regions = s->team ? s->team->threads_in_regions : s->threads_in_regions;
  return in_regions ? hsomp_crowded_with(in_regions) : hsomp_crowded();
}

/* Rounds (~25 us) between two looks at the CPUs during one long wait. */
#define HSOMP_SPIN_CROWD_EVERY 1024

void hsomp_spin_slow(struct hsomp_spin *s, unsigned long round) {
  /* Note [Crowded CPUs] (crowd.c): a GC stopping the Capabilities (its
   * threads need the CPUs: Note [What the RTS says about its
   * Capabilities], rts_glue.c), or more threads wanting a CPU than there
   * are, checked when a wait starts to last and again every
   * HSOMP_SPIN_CROWD_EVERY rounds while it lasts: sleep now. */
  if (HSOMP_UNLIKELY(hsomp_rts_gc_pending()) ||
      ((round == HSOMP_SPIN_YIELD_AFTER ||
        (round > HSOMP_SPIN_YIELD_AFTER && round % HSOMP_SPIN_CROWD_EVERY == 0)) &&
       spin_crowded(s))) {
    s->rounds = 0;
    return;
  }
  if (s->budget < HSOMP_SPIN_YIELD_ALWAYS_BELOW) {
    oversubscribed_yield(s->self);
    return;
  }
  if (round == HSOMP_SPIN_YIELD_AFTER)
    s->near_peer = near_peer(s);
  if (s->near_peer ? round % HSOMP_SPIN_YIELD_EVERY == 0
                   : round >= HSOMP_SPIN_LATE_AFTER && round % HSOMP_SPIN_LATE_EVERY == 0)
    hsomp_os_yield();
  else
    hsomp_cpu_relax();
}
