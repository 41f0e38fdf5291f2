/* crowd.c -- the process-wide thread budget: how many threads want a CPU.
 *
 * Owns the count of threads inside parallel regions, across every master
 * of the process (libgomp's gomp_managed_threads, for the same purpose),
 * and the judgement "the CPUs are crowded" that adds to it the GHC
 * Capabilities busy with Haskell work and a GC under way (rts_glue.c).
 * team.c and join.c count teams in and out; wait.c asks before it spins. */
#include "hsomp.h"
#include "rts_glue.h"

static HSOMP_OWN_LINE(_Atomic unsigned, threads_in_regions); /* Note [Hot globals own their line] */

/* Note [Crowded CPUs]
 * A team that fits the CPUs spins the full budget at its barriers and
 * joins, and its workers spin for the next region: right when the team
 * has the machine to itself.  In a Haskell program it rarely does.  Four
 * Haskell threads making safe calls into OpenMP C run four masters with a
 * team each; Haskell threads run on the other Capabilities; parallel GC
 * threads want every CPU during a collection.  A team of 2 on 2 CPUs then
 * spins against threads it keeps off the CPUs -- the team mate it waits
 * for among them -- and the program ran up to twice as slow as on
 * libgomp, whose spin budget already counts every thread in every team of
 * the process.  So a team starting while the threads in regions (its own
 * included) plus the Capabilities that are running Haskell exceed the
 * CPUs gets the throttled budget (Note [Spin budget], spin.c), as an
 * oversubscribed team does: short spins that yield, then sleep.  Its
 * workers keep that budget when they park (Note [Worker life cycle]).
 * And since Haskell threads start and stop while a team runs, every wait
 * that lasts HSOMP_SPIN_YIELD_AFTER rounds (about a microsecond) asks
 * again, and keeps asking every HSOMP_SPIN_CROWD_EVERY rounds (about 25
 * microseconds) while it spins, and sleeps at once if the CPUs are
 * crowded -- or if the RTS is synchronising its Capabilities for a GC,
 * whose threads (parallel GC) need every CPU we spin on (hsomp_spin_slow,
 * spin.c).  Asking once was not enough: a team that starts on idle
 * Capabilities spins its full budget (milliseconds) at every barrier and
 * join, and a Haskell thread that becomes runnable meanwhile waits for a
 * CPU that the spinner holds; the Capabilities' owners are re-read at most
 * once per 25 microseconds of a wait that would otherwise only spin.
 * Workers of our own teams that run Haskell callbacks hold a Capability
 * and are counted twice: a conservative error (less spinning).  The
 * counts are read without synchronisation: a hint, stale by at most one
 * region start.  A team's waits take the count its master saw when the
 * team started (team->threads_in_regions), not the shared counter, which
 * every region start and end writes: reading it from every waiting member
 * would cost a line transfer per member per region (the coherence model,
 * README "Scale", counted 47 of 315 at 64 threads). */
unsigned hsomp_crowd_enter(unsigned threads) {
  return atomic_fetch_add_explicit(&threads_in_regions.value, threads, memory_order_relaxed) + threads;
}

unsigned hsomp_crowd_leave(unsigned threads) {
  return atomic_fetch_sub_explicit(&threads_in_regions.value, threads, memory_order_relaxed);
}

unsigned hsomp_crowd_demand(void) {
  return atomic_load_explicit(&threads_in_regions.value, memory_order_relaxed) +
         hsomp_rts_busy_capabilities();
}

bool hsomp_crowded_with(unsigned in_regions) {
  return in_regions > hsomp_settings.ncpus ||
         in_regions + hsomp_rts_busy_capabilities() > hsomp_settings.ncpus;
}

bool hsomp_crowded(void) {
  return hsomp_crowded_with(atomic_load_explicit(&threads_in_regions.value, memory_order_relaxed));
}

/* With dyn-var true a team may be smaller than asked (OpenMP 5.1, 2.6.1):
 * it gets at most the CPUs nobody else is using, and at least 1. */
unsigned hsomp_crowd_free_cpus(void) {
  unsigned demand = hsomp_crowd_demand();
  return demand < hsomp_settings.ncpus ? hsomp_settings.ncpus - demand : 1;
}
