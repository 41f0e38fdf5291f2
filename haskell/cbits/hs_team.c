/* hs_team.c -- which Capability a team's thread that is bound to none
 * (the primary thread of a team started from Haskell) should enter Haskell
 * on.  See Note [Which Capability a team's primary thread enters on] in
 * hs_callback.c.
 *
 * Owns: the one look at the runtime's internals (src/hsomp.h) that the
 * Haskell package makes: the Capabilities of the calling thread's team
 * members.  The runtime is compiled into the package, so the two always
 * agree on the layout. */
#include "hsomp.h"

int hsomp_get_num_capabilities(void);

#define MAX_COUNTED_CAPS 256

/* The Capability used by the fewest other members of the calling thread's
 * team (ties: the first from the thread's own number mod Capabilities),
 * or -1 when the thread is bound to a Capability or not in a team of more
 * than one. */
int hsomp_hs_team_capability(void) {
  struct hsomp_thread *self = hsomp_self();
  struct hsomp_team *team = self->ts.team;
  int ncaps = hsomp_get_num_capabilities();
  if (self->capability >= 0 || !team || team->nthreads <= 1 || ncaps <= 0)
    return -1;
  if (ncaps > MAX_COUNTED_CAPS)
    ncaps = MAX_COUNTED_CAPS;
  unsigned used[MAX_COUNTED_CAPS] = {0};
  /* A worker binds itself to Capability (index mod Capabilities) when it
   * starts (worker_main, team.c), possibly after this region began: its
   * `capability` field may not be written yet, and is written by another
   * thread.  Its index was written before the worker was created. */
  for (unsigned i = 0; i < team->nthreads; i++) {
    struct hsomp_thread *m = team->members[i];
    if (m && m != self && m->is_worker)
      used[m->index % (unsigned)ncaps]++;
  }
  int start = (int)(self->ts.team_id % (unsigned)ncaps), best = start;
  for (int k = 0; k < ncaps; k++) {
    int c = (start + k) % ncaps;
    if (used[c] < used[best])
      best = c;
  }
  return best;
}
