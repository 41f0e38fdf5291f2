/* affinity.c -- places and thread affinity (OpenMP 5.1, 2.6.2 and 3.3).
 *
 * Owns: binding threads to places when a team starts under a proc_bind
 * policy (primary, close, spread) with a place list (OMP_PLACES, parsed
 * by env_places.c), the place-partition-var of each implicit task, and
 * the place queries omp_get_num_places, omp_get_place_num_procs,
 * omp_get_place_proc_ids, omp_get_place_num,
 * omp_get_partition_num_places, omp_get_partition_place_nums.
 * The affinity format and its display are in affinity_format.c.
 *
 * A thread's place is `place` in its state (1 + the place's index; 0: not
 * bound yet).  Each thread binds itself: the master computes the places
 * of the team's members when it starts the team (hsomp_placement_*), the
 * worker moves to its new place when it starts the region (only when the
 * place changes, which after the first region is rare). */
#include "hsomp.h"

#include <omp.h>
#include <pthread.h>

static bool have_places(void) { return hsomp_settings.places != NULL; }

static void partition_of(const struct hsomp_icv *icv, unsigned *off, unsigned *len) {
  *off = icv->place_partition_off;
  *len = icv->place_partition_len ? icv->place_partition_len : (unsigned)hsomp_settings.nplaces;
}

/* Binds the calling thread to place `place` (1-based). */
static void bind_self(struct hsomp_thread *self, unsigned place) {
  int rc = hsomp_os_bind(hsomp_settings.cpuset_size, hsomp_settings.places[place - 1]);
  static _Atomic bool warned;
  if (rc != 0 && !atomic_exchange_explicit(&warned, true, memory_order_relaxed))
    hsomp_warn("cannot bind a thread to place %u (error %d); threads may run anywhere",
               place - 1, rc);
  self->place = place;
}

/* libgomp's rule for a thread that has no place yet (the initial thread,
 * or any host thread) once places are in use: it goes to the first place,
 * with the whole place list as its partition. */
static void ensure_bound(struct hsomp_thread *self) {
  if (self->place == 0 && have_places()) {
    bind_self(self, 1);
    self->icv.place_partition_off = 0;
    self->icv.place_partition_len = (unsigned)hsomp_settings.nplaces;
  }
}

/* ------------------------------------------------------------------ */
/* Placing a team.                                                      */

/* Note [Placing a team]
 * OpenMP 5.1, 2.6.2, with libgomp's choices where the specification
 * leaves room, so that programs see the same places as under libgomp.
 * T threads, the master's partition [off, off+P) and its place p:
 *  - primary: everyone on p; partitions unchanged.
 *  - close: T <= P: thread i on the i-th place after p (wrapping within
 *    the partition).  T > P: blocks of S = T/P consecutive threads per
 *    place, starting at p, and the last T mod P threads one per place,
 *    again from p.  Partitions unchanged.
 *  - spread, T <= P: the partition is cut into T subpartitions of
 *    consecutive places, the first P mod T of S+1 places, the others of
 *    S = P/T; the master keeps its place and gets the subpartition that
 *    holds it; the other threads get the next subpartitions in turn (with
 *    wrap-around) and run on their first place.
 *  - spread, T > P: as close, and each thread's partition is its place.
 * The members are visited in order 1..T-1, each step moving on from the
 * previous thread's place, so the master computes all of it in one pass
 * while it fills the members' start fields. */
void hsomp_placement_begin(struct hsomp_placement *pl, struct hsomp_thread *self,
                           unsigned nthreads, unsigned bind_flag, struct hsomp_icv *icv) {
  pl->active = false;
  if (!have_places() || nthreads == 0)
    return;
  int bind = self->icv.bind_var;
  if (bind != HSOMP_BIND_FALSE && bind_flag != HSOMP_BIND_FALSE)
    bind = (int)bind_flag;
  if (bind == HSOMP_BIND_FALSE)
    return;
  ensure_bound(self);
  unsigned off, len;
  partition_of(&self->icv, &off, &len);
  if (len == 0)
    return;
  pl->active = true;
  pl->bind = bind;
  pl->nthreads = nthreads;
  pl->off = off;
  pl->len = len;
  pl->p = self->place - 1;
  pl->s = 1;
  pl->rest = 0;
  pl->k = 1;
  switch (bind) {
  case HSOMP_BIND_PRIMARY:
    break;
  case HSOMP_BIND_SPREAD:
    if (nthreads <= len) {
      pl->s = len / nthreads;
      pl->rest = (pl->s + 1) * (len % nthreads) + off; /* first place of the short ones */
      pl->k = 0;
      unsigned sub_len;
      if (pl->p < pl->rest) {
        pl->p -= (pl->p - off) % (pl->s + 1);
        sub_len = pl->s + 1;
      } else {
        pl->p -= (pl->p - pl->rest) % pl->s;
        sub_len = pl->s;
      }
      icv->place_partition_off = pl->p;
      icv->place_partition_len = sub_len;
    } else {
      pl->s = nthreads / len;
      pl->rest = nthreads % len;
      icv->place_partition_off = pl->p;
      icv->place_partition_len = 1;
    }
    break;
  default: /* true, close */
    if (nthreads > len) {
      pl->s = nthreads / len;
      pl->rest = nthreads % len;
    }
    break;
  }
}

/* Moves to the place of the next block of threads (close, spread T > P). */
static void next_block_place(struct hsomp_placement *pl, unsigned i) {
  if (pl->k == pl->s) {
    if (++pl->p == pl->off + pl->len)
      pl->p = pl->off;
    pl->k = 1;
    if (i == pl->nthreads - pl->rest)
      pl->s = 1;
  } else {
    pl->k++;
  }
}

void hsomp_placement_assign_slow(struct hsomp_placement *pl, unsigned i, struct hsomp_thread *w) {
  unsigned part_off = pl->off, part_len = pl->len;
  switch (pl->bind) {
  case HSOMP_BIND_PRIMARY:
    break;
  case HSOMP_BIND_SPREAD:
    if (pl->k == 0) {
      pl->p += pl->p < pl->rest ? pl->s + 1 : pl->s;
      if (pl->p == pl->off + pl->len)
        pl->p = pl->off;
      part_off = pl->p;
      part_len = pl->p < pl->rest ? pl->s + 1 : pl->s;
    } else {
      next_block_place(pl, i);
      part_off = pl->p;
      part_len = 1;
    }
    break;
  default:
    next_block_place(pl, i);
    break;
  }
  w->start_place = pl->p + 1;
  w->start_icv.place_partition_off = part_off;
  w->start_icv.place_partition_len = part_len;
}

/* A worker starting a region: move to the place the master chose. */
void hsomp_affinity_enter(struct hsomp_thread *self) {
  if (self->start_place != 0 && self->start_place != self->place)
    bind_self(self, self->start_place);
  if (hsomp_settings.display_affinity)
    hsomp_affinity_display_changes(self);
}

/* ------------------------------------------------------------------ */
/* Queries.                                                             */

int omp_get_num_places(void) { return (int)hsomp_settings.nplaces; }

int omp_get_place_num_procs(int place_num) {
  if (place_num < 0 || (unsigned long)place_num >= hsomp_settings.nplaces)
    return 0;
  return CPU_COUNT_S(hsomp_settings.cpuset_size, hsomp_settings.places[place_num]);
}

/* The CPUs of a place, in increasing order, through `store`. */
static void place_cpus(int place_num, void (*store)(void *ids, int i, int cpu), void *ids) {
  if (place_num < 0 || (unsigned long)place_num >= hsomp_settings.nplaces || ids == NULL)
    return;
  const cpu_set_t *set = hsomp_settings.places[place_num];
  int n = 0;
  for (unsigned long cpu = 0; cpu < 8 * hsomp_settings.cpuset_size; cpu++)
    if (CPU_ISSET_S(cpu, hsomp_settings.cpuset_size, set))
      store(ids, n++, (int)cpu);
}

static void store_int(void *ids, int i, int cpu) { ((int *)ids)[i] = cpu; }
static void store_int64(void *ids, int i, int cpu) { ((int64_t *)ids)[i] = cpu; }

void omp_get_place_proc_ids(int place_num, int *ids) { place_cpus(place_num, store_int, ids); }

/* For the Fortran omp_get_place_proc_ids_8_ (fortran.c). */
void hsomp_get_place_proc_ids_8(int place_num, int64_t *ids) {
  place_cpus(place_num, store_int64, ids);
}

int omp_get_place_num(void) {
  if (!have_places())
    return -1;
  struct hsomp_thread *self = hsomp_self();
  ensure_bound(self);
  return (int)self->place - 1;
}

int omp_get_partition_num_places(void) {
  if (!have_places())
    return 0;
  struct hsomp_thread *self = hsomp_self();
  ensure_bound(self);
  unsigned off, len;
  partition_of(&self->icv, &off, &len);
  return (int)len;
}

void omp_get_partition_place_nums(int *place_nums) {
  if (!have_places() || place_nums == NULL)
    return;
  struct hsomp_thread *self = hsomp_self();
  ensure_bound(self);
  unsigned off, len;
  partition_of(&self->icv, &off, &len);
  for (unsigned i = 0; i < len; i++)
    place_nums[i] = (int)(off + i);
}

/* For the Fortran omp_get_partition_place_nums_8_. */
void hsomp_get_partition_place_nums_8(int64_t *place_nums) {
  int n = omp_get_partition_num_places();
  if (n <= 0 || place_nums == NULL)
    return;
  struct hsomp_thread *self = hsomp_self();
  unsigned off, len;
  partition_of(&self->icv, &off, &len);
  for (unsigned i = 0; i < len; i++)
    place_nums[i] = (int64_t)(off + i);
}
