/* doacross.c -- cross-iteration dependences of ordered(n) loops:
 * `ordered depend(source)` (GOMP_doacross_post, GOMP_doacross_ull_post)
 * and `ordered depend(sink: vec)` (GOMP_doacross_wait, _ull_wait), and
 * the per-loop record they use, set up by the doacross loop starts. */
#include "iter.h"
#include "ompt_internal.h"

#include <stdarg.h>

/* Note [Doacross slots]
 * The loop shares out the outer iterations 0..counts[0]-1; an iteration is
 * the vector (v0, ..., v[n-1]) with v[i] < counts[i].  Iterations are
 * grouped into slots so that each slot is only ever written by one thread,
 * which runs its iterations in lexicographic order:
 *   static:  one slot per thread (a thread's chunks come in order);
 *   dynamic: one slot per chunk (chunks start at multiples of the chunk);
 *   guided:  one slot per outer iteration (chunk bounds vary).
 * A slot holds the last iteration posted to it, so "iteration w has been
 * posted" is "slot(w0) >= w".  Normally the vector is flattened into one
 * word, sum v[i] * prod(counts[i+1..]) plus 1 (0: nothing yet), written
 * with one store.  When the product of the counts does not fit in 64 bits,
 * a slot is a sequence lock and the vector: the single writer makes the
 * sequence odd, writes, makes it even; readers retry until they read the
 * same even sequence on both sides.  Waiters use the progress waits of
 * ordered.c (Note [Progress waits]). */
/* Iteration vectors are copied to the stack; GCC's ordered(n) takes a
 * constant n, and loop nests this deep are unheard of. */
#define MAX_STACK_DIMS 64

struct hsomp_doacross {
  unsigned ncounts;
  unsigned nthreads;
  int sched;
  bool flat;
  uint64_t chunk;                /* static chunked, dynamic: chunk size */
  uint64_t q, t, boundary;       /* static unchunked: the block split */
  uint64_t nslots;
  size_t stride;                 /* bytes per slot */
  unsigned char *slots;
  uint64_t counts[];
};

static size_t round_up(size_t n, size_t to) { return (n + to - 1) / to * to; }

static uint64_t count_at(const struct hsomp_loop_args *a, unsigned i) {
  if (a->ull)
    return a->counts_ull[i];
  return a->counts_long[i] > 0 ? (uint64_t)a->counts_long[i] : 0;
}

void hsomp_doacross_init(struct hsomp_work_share *ws, const struct hsomp_loop_args *a,
                         size_t extra) {
  unsigned n = a->ncounts;
  if (n > MAX_STACK_DIMS)
    hsomp_fatal("doacross loop with %u dimensions (at most %d supported)", n, MAX_STACK_DIMS);
  bool needed = ws->nthreads > 1 && n > 0;
  uint64_t product = 1;
  bool flat = true;
  for (unsigned i = 0; needed && i < n; i++) {
    uint64_t c = count_at(a, i);
    if (c == 0)
      needed = false; /* no iteration: no post or wait can happen */
    else if (__builtin_mul_overflow(product, c, &product) || product == UINT64_MAX)
      flat = false;
  }
  if (!needed) {
    ws->doacross = NULL;
    if (a->mem)
      ws->mem = hsomp_ws_scratch(ws, extra);
    return;
  }

  uint64_t c0 = count_at(a, 0);
  uint64_t nslots;
  if (ws->sched == HSOMP_SCHED_STATIC)
    nslots = ws->nthreads;
  else if (ws->sched == HSOMP_SCHED_DYNAMIC)
    nslots = (c0 - 1) / ws->chunk + 1;
  else
    nslots = c0;
  size_t word = sizeof(_Atomic uint64_t);
  size_t stride = flat ? word : round_up((1 + (size_t)n) * word, HSOMP_CACHELINE);
  /* Pad single-word slots to a cache line each while that stays small:
   * neighbouring slots are written by different threads. */
  if (flat && nslots <= (1u << 20) / HSOMP_CACHELINE)
    stride = HSOMP_CACHELINE;
  size_t head = round_up(sizeof(struct hsomp_doacross) + n * sizeof(uint64_t), HSOMP_CACHELINE);
  size_t slots_size;
  if (__builtin_mul_overflow((size_t)nslots, stride, &slots_size) ||
      slots_size > ((size_t)1 << 40))
    hsomp_fatal("doacross loop too large: %llu slots", (unsigned long long)nslots);
  unsigned char *mem = hsomp_ws_scratch(ws, head + slots_size + extra);

  struct hsomp_doacross *d = (struct hsomp_doacross *)mem;
  d->ncounts = n;
  d->nthreads = ws->nthreads;
  d->sched = ws->sched;
  d->flat = flat;
  d->chunk = ws->chunk;
  d->nslots = nslots;
  d->stride = stride;
  d->slots = mem + head;
  for (unsigned i = 0; i < n; i++)
    d->counts[i] = count_at(a, i);
  if (ws->sched == HSOMP_SCHED_STATIC && ws->chunk == 0) {
    d->q = c0 / ws->nthreads;
    d->t = c0 % ws->nthreads;
    d->boundary = d->t * (d->q + 1);
  }
  ws->doacross = d;
  if (a->mem)
    ws->mem = mem + head + slots_size;
}

/* The slot of outer iteration v0 (< counts[0]). */
static _Atomic uint64_t *slot_of(const struct hsomp_doacross *d, uint64_t v0) {
  uint64_t k;
  switch (d->sched) {
  case HSOMP_SCHED_STATIC:
    if (d->chunk == 0)
      k = v0 < d->boundary ? v0 / (d->q + 1) : d->t + (v0 - d->boundary) / d->q;
    else
      k = v0 / d->chunk % d->nthreads;
    break;
  case HSOMP_SCHED_DYNAMIC:
    k = v0 / d->chunk;
    break;
  default:
    k = v0;
  }
  return (_Atomic uint64_t *)(d->slots + k * d->stride);
}

/* An iteration vector gathered from the caller. */
struct iteration {
  const struct hsomp_doacross *d;
  _Atomic uint64_t *slot;
  uint64_t flat;                 /* flattened + 1, if d->flat */
  const uint64_t *v;             /* the vector, if not */
};

/* Checks v against the counts and fills it in; false if out of range. */
static bool gather(const struct hsomp_doacross *d, const uint64_t *v, struct iteration *it) {
  uint64_t flat = 0;
  for (unsigned i = 0; i < d->ncounts; i++) {
    if (v[i] >= d->counts[i])
      return false;
    flat = flat * d->counts[i] + v[i];
  }
  it->d = d;
  it->slot = slot_of(d, v[0]);
  it->flat = flat + 1;
  it->v = v;
  return true;
}

static void post(struct hsomp_work_share *ws, const uint64_t *v) {
  HSOMP_OMPT(doacross(ompt_dependence_type_source, v, ws->doacross->ncounts));
  struct iteration it;
  if (!gather(ws->doacross, v, &it)) {
    hsomp_warn("ordered depend(source) in an iteration outside the loop's iteration space: "
               "ignored");
    return;
  }
  if (it.d->flat) {
    atomic_store_explicit(it.slot, it.flat, memory_order_seq_cst);
  } else {
    /* The sequence lock's writer: this thread is the slot's only one. */
    _Atomic uint64_t *seq = it.slot, *words = it.slot + 1;
    uint64_t s = atomic_load_explicit(seq, memory_order_relaxed);
    atomic_store_explicit(seq, s + 1, memory_order_relaxed);
    atomic_thread_fence(memory_order_release);
    for (unsigned i = 0; i < it.d->ncounts; i++)
      atomic_store_explicit(&words[i], v[i], memory_order_relaxed);
    atomic_store_explicit(seq, s + 2, memory_order_seq_cst);
  }
  hsomp_progress_notify(ws);
}

/* Has the iteration been posted?  (seq_cst loads: Note [Progress waits].) */
static bool posted(void *arg) {
  const struct iteration *it = arg;
  if (it->d->flat)
    return atomic_load_explicit(it->slot, memory_order_seq_cst) >= it->flat;
  _Atomic uint64_t *seq = it->slot, *words = it->slot + 1;
  for (;;) {
    uint64_t s1 = atomic_load_explicit(seq, memory_order_seq_cst);
    if (s1 == 0)
      return false;
    if (s1 & 1) {
      hsomp_cpu_relax();
      continue;
    }
    int cmp = 0;
    for (unsigned i = 0; i < it->d->ncounts && cmp == 0; i++) {
      uint64_t w = atomic_load_explicit(&words[i], memory_order_relaxed);
      cmp = w < it->v[i] ? -1 : w > it->v[i];
    }
    atomic_thread_fence(memory_order_acquire);
    if (atomic_load_explicit(seq, memory_order_relaxed) == s1)
      return cmp >= 0;
  }
}

static void wait_for(struct hsomp_work_share *ws, const uint64_t *v) {
  HSOMP_OMPT(doacross(ompt_dependence_type_sink, v, ws->doacross->ncounts));
  struct iteration it;
  /* A sink outside the iteration space names no iteration: ignore it. */
  if (!gather(ws->doacross, v, &it))
    return;
  if (posted(&it))
    return;
  hsomp_progress_wait(hsomp_self(), ws, posted, &it);
}

/* ------------------------------------------------------------------ */
/* Entry points.  Outside a doacross record (a team of one, an empty
 * loop) there is nobody to wait for; the calls still order memory. */

static struct hsomp_work_share *doacross_ws(void) {
  struct hsomp_work_share *ws = hsomp_self()->ts.ws;
  if (HSOMP_UNLIKELY(!ws || !ws->doacross)) {
    atomic_thread_fence(memory_order_seq_cst);
    return NULL;
  }
  return ws;
}

void GOMP_doacross_post(long *counts) {
  struct hsomp_work_share *ws = doacross_ws();
  if (!ws)
    return;
  uint64_t v[MAX_STACK_DIMS];
  for (unsigned i = 0; i < ws->doacross->ncounts; i++)
    v[i] = (uint64_t)counts[i];
  post(ws, v);
}

void GOMP_doacross_ull_post(unsigned long long *counts) {
  struct hsomp_work_share *ws = doacross_ws();
  if (!ws)
    return;
  uint64_t v[MAX_STACK_DIMS];
  for (unsigned i = 0; i < ws->doacross->ncounts; i++)
    v[i] = counts[i];
  post(ws, v);
}

void GOMP_doacross_wait(long first, ...) {
  struct hsomp_work_share *ws = doacross_ws();
  if (!ws)
    return;
  uint64_t v[MAX_STACK_DIMS];
  v[0] = (uint64_t)first;
  va_list ap;
  va_start(ap, first);
  for (unsigned i = 1; i < ws->doacross->ncounts; i++)
    v[i] = (uint64_t)va_arg(ap, long);
  va_end(ap);
  wait_for(ws, v);
}

void GOMP_doacross_ull_wait(unsigned long long first, ...) {
  struct hsomp_work_share *ws = doacross_ws();
  if (!ws)
    return;
  uint64_t v[MAX_STACK_DIMS];
  v[0] = first;
  va_list ap;
  va_start(ap, first);
  for (unsigned i = 1; i < ws->doacross->ncounts; i++)
    v[i] = va_arg(ap, unsigned long long);
  va_end(ap);
  wait_for(ws, v);
}
