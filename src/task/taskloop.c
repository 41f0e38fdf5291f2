/* taskloop.c -- the taskloop construct: GOMP_taskloop (long iteration
 * variables) and GOMP_taskloop_ull (unsigned long long).
 *
 * Owns splitting the iteration space into tasks (grainsize, num_tasks and
 * their strict modifier) and creating those tasks inside the construct's
 * implicit taskgroup (unless nogroup), with its task reductions. */
#include "task_internal.h"
#include "ompt_internal.h"

/* Note [Taskloop chunks]
 * The compiler's task body reads its first and last iteration from the
 * first two fields of its argument block (then, with a reduction clause
 * and no nogroup, a pointer to the reduction data).  With n iterations:
 *  - grainsize(g):  max(1, n / g) tasks of as equal a size as possible
 *    (each has between g and 2g-1 iterations);  grainsize(strict: g):
 *    tasks of exactly g iterations, the last one taking the remainder;
 *  - num_tasks(k):  min(k, n) tasks of as equal a size as possible (k = 0,
 *    i.e. no clause: the team's size);
 * and the first tasks get the extra iteration when the split is uneven.
 * The last task ends at the loop's own end value, so an end near the
 * limit of the type never overflows.  Chunks are handed out in order;
 * once the creating thread's queue is deep (the cut-off of task.c), it
 * runs further chunks itself as included tasks instead of queueing all of
 * them, so a taskloop with a million tiny tasks uses bounded memory and
 * still keeps the other threads busy. */

struct taskloop_split {
  unsigned long ntasks;
  unsigned long long base;   /* iterations of a task... */
  unsigned long long extra;  /* ...plus one for the first `extra' tasks */
  unsigned long long last;   /* strict grainsize: the last task's count (0: as base) */
};

static struct taskloop_split taskloop_split(unsigned long long n, unsigned flags,
                                            unsigned long num_tasks, unsigned nthreads) {
  struct taskloop_split s = {0, 0, 0, 0};
  if (flags & GOMP_TASK_FLAG_GRAINSIZE) {
    unsigned long long g = num_tasks ? num_tasks : 1;
    if (flags & GOMP_TASK_FLAG_STRICT) {
      s.ntasks = (unsigned long)(n / g) + (n % g != 0);
      s.base = g;
      s.last = n % g;
      return s;
    }
    unsigned long long k = n / g;
    s.ntasks = k > 1 ? (unsigned long)k : 1;
  } else {
    unsigned long long k = num_tasks ? num_tasks : nthreads;
    s.ntasks = (unsigned long)(k < n ? k : n);
  }
  s.base = n / s.ntasks;
  s.extra = n % s.ntasks;
  return s;
}

static unsigned long long chunk_count(const struct taskloop_split *s, unsigned long i) {
  if (s->last && i == s->ntasks - 1)
    return s->last;
  return s->base + (i < s->extra);
}

/* Runs chunk bodies: argument block `arg' gets the bounds written by
 * set_bounds.  The two entry points differ only in the type. */
#define DEFINE_TASKLOOP(NAME, TYPE)                                                                \
  static void NAME##_bounds(void *arg, TYPE lo, TYPE hi) {                                         \
    ((TYPE *)arg)[0] = lo;                                                                         \
    ((TYPE *)arg)[1] = hi;                                                                         \
  }                                                                                                \
  static void NAME##_reduction_unused(void *data) {                                                \
    struct {                                                                                       \
      TYPE lo, hi;                                                                                 \
      uintptr_t *ptr;                                                                              \
    } *head = data;                                                                                \
    head->ptr[2] = 0; /* tells the caller no reduction was registered */                          \
  }                                                                                                \
  static void NAME##_register_reduction(void *data) {                                              \
    struct {                                                                                       \
      TYPE lo, hi;                                                                                 \
      uintptr_t *ptr;                                                                              \
    } *head = data;                                                                                \
    GOMP_taskgroup_reduction_register(head->ptr);                                                  \
  }                                                                                                \
  static void NAME##_run(struct hsomp_thread *self, struct hsomp_team *team, void (*fn)(void *),   \
                         void *data, void (*cpyfn)(void *, void *), long arg_size, long arg_align, \
                         unsigned flags, unsigned long num_tasks, int priority, TYPE start,         \
                         TYPE end, TYPE step, unsigned long long n) {                              \
    struct taskloop_split s = taskloop_split(n, flags, num_tasks, team ? team->nthreads : 1);      \
    struct hsomp_task *cur = hsomp_task_current(self);                                             \
    bool included = !(flags & GOMP_TASK_FLAG_IF) || !team || (cur->flags & HSOMP_TASK_FINAL);      \
    unsigned task_flags = flags & (GOMP_TASK_FLAG_FINAL | GOMP_TASK_FLAG_UNTIED);                  \
    TYPE lo = start;                                                                               \
    for (unsigned long i = 0; i < s.ntasks; i++) {                                                 \
      TYPE hi = i == s.ntasks - 1                                                                  \
                    ? end                                                                          \
                    : (TYPE)((unsigned long long)lo + chunk_count(&s, i) * (unsigned long long)step); \
      cur = hsomp_task_current(self);                                                              \
      if (included || hsomp_task_over_cutoff(self, team, cur, 1)) {                                \
        struct hsomp_task rec;                                                                     \
        hsomp_included_begin(self, team, &rec, cur, task_flags, priority);                         \
        struct hsomp_icv saved = self->icv;                                                        \
        if (cpyfn) {                                                                               \
          char buf[arg_size + arg_align - 1];                                                      \
          char *arg = (char *)(((uintptr_t)buf + arg_align - 1) & ~(uintptr_t)(arg_align - 1));    \
          cpyfn(arg, data);                                                                        \
          NAME##_bounds(arg, lo, hi);                                                              \
          fn(arg);                                                                                 \
        } else {                                                                                   \
          NAME##_bounds(data, lo, hi);                                                             \
          fn(data);                                                                                \
        }                                                                                          \
        self->icv = saved;                                                                         \
        hsomp_included_end(self, team, &rec, cur);                                               \
      } else {                                                                                     \
        struct hsomp_task *parent = hsomp_task_materialise(self);                                  \
        hsomp_tasking_get(team);                                                                   \
        struct hsomp_task *t = hsomp_task_new(self, team, parent, fn, arg_size, arg_align, 0,      \
                                              task_flags, priority);                               \
        hsomp_task_fill(self, t, data, cpyfn, arg_size);                                           \
        NAME##_bounds(t->data, lo, hi);                                                            \
        hsomp_task_submit(self, team, t, NULL);                                                    \
      }                                                                                            \
      lo = hi;                                                                                     \
    }                                                                                              \
  }

DEFINE_TASKLOOP(taskloop_l, long)
DEFINE_TASKLOOP(taskloop_ull, unsigned long long)

/* The part both entry points share once the iteration count is known. */
#define TASKLOOP_BODY(NAME)                                                                        \
  struct hsomp_thread *self = hsomp_self();                                                        \
  struct hsomp_team *team = self->ts.team;                                                         \
  bool group = !(flags & GOMP_TASK_FLAG_NOGROUP);                                                  \
  bool reduction = group && (flags & GOMP_TASK_FLAG_REDUCTION);                                    \
  if (n == 0 || (team && atomic_load_explicit(&team->barrier.cancelled, memory_order_acquire))) { \
    if (reduction)                                                                                 \
      NAME##_reduction_unused(data);                                                               \
    return;                                                                                        \
  }                                                                                                \
  if (!group && HSOMP_UNLIKELY(hsomp_settings.cancellation) &&                                     \
      hsomp_task_creation_cancelled(self))                                                         \
    return;                                                                                        \
  HSOMP_OMPT(work(ompt_work_taskloop, ompt_scope_begin, HSOMP_OMPT_RA));                          \
  if (group) {                                                                                     \
    hsomp_taskgroup_begin(self);                                                                   \
    if (reduction)                                                                                 \
      NAME##_register_reduction(data);                                                             \
  }                                                                                                \
  if (arg_align < 1)                                                                               \
    arg_align = 1;                                                                                 \
  if (!(HSOMP_UNLIKELY(hsomp_settings.cancellation) && cpyfn == NULL &&                            \
        hsomp_task_creation_cancelled(self)))                                                      \
    NAME##_run(self, team, fn, data, cpyfn, arg_size, arg_align, flags, num_tasks,                 \
               hsomp_task_clamp_priority(priority), start, end, step, n);                          \
  if (group)                                                                                       \
    hsomp_taskgroup_end(self);                                                                     \
  HSOMP_OMPT(work(ompt_work_taskloop, ompt_scope_end, HSOMP_OMPT_RA));

void GOMP_taskloop(void (*fn)(void *), void *data, void (*cpyfn)(void *, void *), long arg_size,
                   long arg_align, unsigned flags, unsigned long num_tasks, int priority, long start,
                   long end, long step) {
  /* Iterations, in unsigned arithmetic: the distance between two longs
   * always fits in an unsigned long. */
  unsigned long long n = 0;
  if (step > 0 && start < end) {
    unsigned long long dist = (unsigned long)end - (unsigned long)start, s = (unsigned long)step;
    n = dist / s + (dist % s != 0);
  } else if (step < 0 && start > end) {
    unsigned long long dist = (unsigned long)start - (unsigned long)end;
    unsigned long long s = 0ull - (unsigned long long)(unsigned long)step;
    n = dist / s + (dist % s != 0);
  }
  TASKLOOP_BODY(taskloop_l)
}

void GOMP_taskloop_ull(void (*fn)(void *), void *data, void (*cpyfn)(void *, void *), long arg_size,
                       long arg_align, unsigned flags, unsigned long num_tasks, int priority,
                       unsigned long long start, unsigned long long end, unsigned long long step) {
  unsigned long long n = 0;
  if (flags & GOMP_TASK_FLAG_UP) {
    if (start < end && step)
      n = (end - start) / step + ((end - start) % step != 0);
  } else if (start > end && step) {
    unsigned long long s = 0ull - step;
    n = (start - end) / s + ((start - end) % s != 0);
  }
  TASKLOOP_BODY(taskloop_ull)
}
