/* task_deps.c -- task dependences (depend clauses, depobj, taskwait with
 * depend).
 *
 * Owns the per-parent dependence table: for every address some unfinished
 * child task depends on, which children it must order after; the edges
 * from predecessor to successor; releasing successors when a task
 * completes; and waiting for predecessors in the undeferred cases. */
#include "task_internal.h"
#include "ompt_internal.h"

#include <stdlib.h>
#include <string.h>

/* Note [Dependence table]
 * Dependences only order sibling tasks, so each parent task has its own
 * table (hash by address), guarded by the parent's dep_lock; that lock
 * also guards the successor lists of the children.  Per address the table
 * keeps the unfinished children that later siblings may have to wait for:
 *
 *   out     the newest out/inout/mutexinoutset entry (mutexinoutset is
 *           ordered like inout, which OpenMP permits: the tasks then run
 *           one after the other in creation order);
 *   in      the `in' entries created after it;
 *   set     the `inoutset' entries created after it.
 *
 * A new entry depends on: (out) everything listed -- the old out only if
 * both lists are empty, since every listed entry already follows it --
 * and then replaces all of it, which the later tasks reach transitively;
 * (in) the out entry and the inoutset list; (inoutset) the out entry and
 * the in list.  So readers do not wait for readers, and the cost of an
 * entry is the number of edges it needs.  A task lists its out-like
 * entries first, so a second clause on the same address (e.g. in after
 * out) is recognised as redundant instead of making the task wait for
 * itself.  When a task completes its entries leave the table, and every
 * successor whose count of unfinished predecessors drops to 0 is
 * scheduled (by the completing thread).  A successor's count starts at 1
 * while its edges are being added, so it cannot be released before its
 * registration is complete. */

struct hsomp_dep_rec {
  void *addr;
  struct hsomp_dep_rec *hnext;
  struct hsomp_dep_entry *out;
  struct hsomp_dep_entry *list[3]; /* indexed by kind: [HSOMP_DEP_IN], [HSOMP_DEP_SET] */
};

struct hsomp_dep_table {
  size_t mask;
  size_t nrecs;
  struct hsomp_dep_rec *free_recs;
  struct hsomp_dep_rec **bucket;
};

static size_t hash_addr(void *addr, size_t mask) {
  uint64_t x = (uint64_t)(uintptr_t)addr;
  x ^= x >> 29;
  x *= 0xbf58476d1ce4e5b9ull;
  x ^= x >> 32;
  return (size_t)x & mask;
}

static struct hsomp_dep_table *table_new(void) {
  struct hsomp_dep_table *tb = calloc(1, sizeof *tb);
  if (tb)
    tb->bucket = calloc(16, sizeof *tb->bucket);
  if (!tb || !tb->bucket)
    hsomp_fatal("out of memory allocating a dependence table");
  tb->mask = 15;
  return tb;
}

void hsomp_deps_table_free(struct hsomp_task *t) {
  struct hsomp_dep_table *tb = t->deps;
  t->deps = NULL;
  for (size_t i = 0; i <= tb->mask; i++)
    for (struct hsomp_dep_rec *r = tb->bucket[i], *next; r; r = next) {
      next = r->hnext;
      free(r);
    }
  for (struct hsomp_dep_rec *r = tb->free_recs, *next; r; r = next) {
    next = r->hnext;
    free(r);
  }
  free(tb->bucket);
  free(tb);
}

static void table_grow(struct hsomp_dep_table *tb) {
  size_t mask = tb->mask * 2 + 1;
  struct hsomp_dep_rec **b = calloc(mask + 1, sizeof *b);
  if (!b)
    return; /* a fuller table is only slower */
  for (size_t i = 0; i <= tb->mask; i++)
    for (struct hsomp_dep_rec *r = tb->bucket[i], *next; r; r = next) {
      next = r->hnext;
      size_t h = hash_addr(r->addr, mask);
      r->hnext = b[h];
      b[h] = r;
    }
  free(tb->bucket);
  tb->bucket = b;
  tb->mask = mask;
}

static struct hsomp_dep_rec *table_find(struct hsomp_dep_table *tb, void *addr) {
  for (struct hsomp_dep_rec *r = tb->bucket[hash_addr(addr, tb->mask)]; r; r = r->hnext)
    if (r->addr == addr)
      return r;
  return NULL;
}

static struct hsomp_dep_rec *table_insert(struct hsomp_dep_table *tb, void *addr) {
  struct hsomp_dep_rec *r = table_find(tb, addr);
  if (r)
    return r;
  if (tb->nrecs > 2 * (tb->mask + 1))
    table_grow(tb);
  r = tb->free_recs;
  if (r)
    tb->free_recs = r->hnext;
  else if (!(r = malloc(sizeof *r)))
    hsomp_fatal("out of memory in a dependence table");
  memset(r, 0, sizeof *r);
  r->addr = addr;
  size_t h = hash_addr(addr, tb->mask);
  r->hnext = tb->bucket[h];
  tb->bucket[h] = r;
  tb->nrecs++;
  return r;
}

static void table_remove(struct hsomp_dep_table *tb, struct hsomp_dep_rec *r) {
  struct hsomp_dep_rec **p = &tb->bucket[hash_addr(r->addr, tb->mask)];
  while (*p != r)
    p = &(*p)->hnext;
  *p = r->hnext;
  tb->nrecs--;
  r->hnext = tb->free_recs;
  tb->free_recs = r;
}

/* ------------------------------------------------------------------ */
/* Reading GOMP_task's depend array.                                    */

/* depend[0] != 0: depend[0] items, the first depend[1] of them out/inout,
 *   addresses from depend[2];
 * depend[0] == 0: depend[1] items: depend[2] out/inout, depend[3]
 *   mutexinoutset, depend[4] in, addresses from depend[5], then the rest
 *   are pointers to omp_depend_t objects ({address, kind}). */
size_t hsomp_deps_count(void **depend) {
  return (uintptr_t)(depend[0] ? depend[0] : depend[1]);
}

static void dep_item(void **depend, size_t i, void **addr, int *kind) {
  if (depend[0]) {
    *addr = depend[2 + i];
    *kind = i < (uintptr_t)depend[1] ? HSOMP_DEP_OUT : HSOMP_DEP_IN;
    return;
  }
  size_t nout = (uintptr_t)depend[2] + (uintptr_t)depend[3];
  size_t normal = nout + (uintptr_t)depend[4];
  if (i < normal) {
    *addr = depend[5 + i];
    *kind = i < nout ? HSOMP_DEP_OUT : HSOMP_DEP_IN;
    return;
  }
  void **obj = (void **)depend[5 + i];
  *addr = obj[0];
  switch ((uintptr_t)obj[1]) {
  case GOMP_DEPEND_IN:
    *kind = HSOMP_DEP_IN;
    break;
  case GOMP_DEPEND_OUT:
  case GOMP_DEPEND_INOUT:
  case GOMP_DEPEND_MUTEXINOUTSET:
    *kind = HSOMP_DEP_OUT;
    break;
  case GOMP_DEPEND_INOUTSET:
    *kind = HSOMP_DEP_SET;
    break;
  default:
    hsomp_fatal("unknown omp_depend_t dependence type %d (an uninitialised depobj?)",
                (int)(uintptr_t)obj[1]);
  }
}

/* ------------------------------------------------------------------ */
/* Edges.                                                               */

static void add_edge(struct hsomp_task *pred, struct hsomp_task *succ) {
  if (pred == succ || (pred->nsucc && pred->succ[pred->nsucc - 1] == succ))
    return;
  if (pred->nsucc == pred->succ_cap) {
    uint32_t cap = pred->succ_cap ? 2 * pred->succ_cap : 4;
    struct hsomp_task **s = realloc(pred->succ, cap * sizeof *s);
    if (!s)
      hsomp_fatal("out of memory recording a task dependence");
    pred->succ = s;
    pred->succ_cap = cap;
  }
  pred->succ[pred->nsucc++] = succ;
  atomic_fetch_add_explicit(&succ->npred, 1, memory_order_relaxed);
  HSOMP_OMPT(task_dependence(pred, succ));
}

/* The edges a new entry of `kind' on record r needs, into `succ'. */
static void edges_for(struct hsomp_dep_rec *r, int kind, struct hsomp_task *succ) {
  if (kind == HSOMP_DEP_OUT) {
    bool lists = r->list[HSOMP_DEP_IN] || r->list[HSOMP_DEP_SET];
    if (r->out && !lists)
      add_edge(r->out->task, succ);
    for (int k = HSOMP_DEP_IN; k <= HSOMP_DEP_SET; k++)
      for (struct hsomp_dep_entry *e = r->list[k]; e; e = e->next)
        add_edge(e->task, succ);
    return;
  }
  if (r->out)
    add_edge(r->out->task, succ);
  int other = kind == HSOMP_DEP_IN ? HSOMP_DEP_SET : HSOMP_DEP_IN;
  for (struct hsomp_dep_entry *e = r->list[other]; e; e = e->next)
    add_edge(e->task, succ);
}

static void entry_add(struct hsomp_dep_table *tb, struct hsomp_dep_entry *e) {
  struct hsomp_dep_rec *r = table_insert(tb, e->addr);
  struct hsomp_task *t = e->task;
  if (r->out && r->out->task == t)
    return; /* redundant: t already orders this address as out */
  if (e->kind != HSOMP_DEP_OUT && r->list[e->kind] && r->list[e->kind]->task == t)
    return;
  edges_for(r, e->kind, t);
  if (e->kind == HSOMP_DEP_OUT) {
    if (r->out)
      r->out->rec = NULL;
    for (int k = HSOMP_DEP_IN; k <= HSOMP_DEP_SET; k++) {
      for (struct hsomp_dep_entry *x = r->list[k]; x; x = x->next)
        x->rec = NULL;
      r->list[k] = NULL;
    }
    r->out = e;
  } else {
    e->prev = NULL;
    e->next = r->list[e->kind];
    if (e->next)
      e->next->prev = e;
    r->list[e->kind] = e;
  }
  e->rec = r;
}

static void entry_remove(struct hsomp_dep_table *tb, struct hsomp_dep_entry *e) {
  struct hsomp_dep_rec *r = e->rec;
  e->rec = NULL;
  if (r->out == e) {
    r->out = NULL;
  } else {
    if (e->prev)
      e->prev->next = e->next;
    else
      r->list[e->kind] = e->next;
    if (e->next)
      e->next->prev = e->prev;
  }
  if (!r->out && !r->list[HSOMP_DEP_IN] && !r->list[HSOMP_DEP_SET])
    table_remove(tb, r);
}

/* ------------------------------------------------------------------ */

bool hsomp_deps_register(struct hsomp_task *parent, struct hsomp_task *t, void **depend) {
  size_t n = t->ndeps, k = 0;
  atomic_store_explicit(&t->npred, 1, memory_order_relaxed);
  hsomp_mutex_lock(&parent->dep_lock);
  if (!parent->deps)
    parent->deps = table_new();
  for (int pass = 0; pass < 2; pass++)
    for (size_t i = 0; i < n; i++) {
      void *addr;
      int kind;
      dep_item(depend, i, &addr, &kind);
      if ((kind == HSOMP_DEP_OUT) != (pass == 0))
        continue;
      struct hsomp_dep_entry *e = &t->dep[k++];
      e->rec = NULL;
      e->prev = e->next = NULL;
      e->task = t;
      e->addr = addr;
      e->kind = kind;
      entry_add(parent->deps, e);
    }
  hsomp_mutex_unlock(&parent->dep_lock);
  return atomic_fetch_sub_explicit(&t->npred, 1, memory_order_acq_rel) != 1;
}

void hsomp_deps_release(struct hsomp_thread *self, struct hsomp_task *t) {
  struct hsomp_task *parent = t->parent;
  hsomp_mutex_lock(&parent->dep_lock);
  for (uint32_t i = 0; i < t->ndeps; i++)
    if (t->dep[i].rec)
      entry_remove(parent->deps, &t->dep[i]);
  struct hsomp_task **succ = t->succ;
  uint32_t nsucc = t->nsucc;
  t->succ = NULL;
  t->nsucc = t->succ_cap = 0;
  hsomp_mutex_unlock(&parent->dep_lock);
  for (uint32_t i = 0; i < nsucc; i++) {
    struct hsomp_task *s = succ[i];
    /* Read before the decrement: a waiter may be gone right after it. */
    bool waiter = s->flags & HSOMP_TASK_DEP_WAITER;
    struct hsomp_team *team = s->team;
    uint32_t npred = atomic_fetch_sub_explicit(&s->npred, 1, memory_order_acq_rel);
    HSOMP_ASSERT(npred >= 1);
    if (npred != 1)
      continue;
    if (waiter)
      hsomp_task_wake(team);
    else
      hsomp_task_schedule_readied(self, team, s);
  }
  free(succ);
}

/* An included task (or taskwait depend) waits as if it were a sibling
 * entered into the table, without entering it: nothing can be created
 * after it until it has run, since its parent is suspended meanwhile.  A
 * stack pseudo-task collects the edges. */
bool hsomp_deps_waiter(struct hsomp_task *w, struct hsomp_task *parent, struct hsomp_team *team,
                       void **depend) {
  w->flags = HSOMP_TASK_DEP_WAITER;
  w->team = team;
  atomic_init(&w->npred, 1);
  size_t n = hsomp_deps_count(depend);
  hsomp_mutex_lock(&parent->dep_lock);
  for (size_t i = 0; i < n; i++) {
    void *addr;
    int kind;
    dep_item(depend, i, &addr, &kind);
    struct hsomp_dep_rec *r = table_find(parent->deps, addr);
    if (r)
      edges_for(r, kind, w);
  }
  hsomp_mutex_unlock(&parent->dep_lock);
  return atomic_fetch_sub_explicit(&w->npred, 1, memory_order_acq_rel) != 1;
}
