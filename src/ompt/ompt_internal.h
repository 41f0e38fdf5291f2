/* ompt_internal.h -- the runtime's side of the OMPT tool interface.
 *
 * Every construct file reports to a tool through one macro line,
 *     HSOMP_OMPT(work(ompt_work_loop, ompt_scope_begin, HSOMP_OMPT_RA));
 * which calls hsomp_ompt_<event>(...) (ompt_events.c) only while a tool is
 * attached.  See Note [OMPT costs nothing without a tool]. */
#ifndef HSOMP_OMPT_INTERNAL_H
#define HSOMP_OMPT_INTERNAL_H

#include "hsomp.h"

/* Note [OMPT costs nothing without a tool]
 * hsomp_ompt_enabled is set once, at start-up, when a tool's initializer
 * returned non-zero (ompt.c), and cleared when the tool is finalized.
 * Every hook is `if (unlikely(hsomp_ompt_enabled)) call(...)`: one load of
 * a read-mostly byte and a branch predicted not taken, with the call and
 * the computation of its arguments (return addresses included) moved out
 * of line by the compiler.  Each emitter then checks whether the tool
 * registered that callback.  Per-thread, per-region and per-task data for
 * the tool (ompt_data_t) live in the runtime's own records (hsomp.h,
 * task_internal.h), so no hook allocates. */
extern bool hsomp_ompt_enabled HSOMP_INTERNAL;
#define HSOMP_OMPT(call)                                                                      \
  do {                                                                                        \
    if (HSOMP_UNLIKELY(hsomp_ompt_enabled))                                                   \
      hsomp_ompt_##call;                                                                      \
  } while (0)
/* For the shortest paths (a mutex, a barrier): the hook replaces the
 * construct's body, so that without a tool the function keeps its
 * tail call and needs no stack frame. */
#define HSOMP_OMPT_INSTEAD(call)                                                              \
  do {                                                                                        \
    if (HSOMP_UNLIKELY(hsomp_ompt_enabled)) {                                                 \
      hsomp_ompt_##call;                                                                      \
      return;                                                                                 \
    }                                                                                         \
  } while (0)
/* The user's call site: the return address of the GOMP_* / omp_* entry
 * point the hook is written in (or of the entry point an always-inline
 * helper is inlined into: HSOMP_OMPT_INLINE). */
#define HSOMP_OMPT_RA __builtin_return_address(0)
#define HSOMP_OMPT_INLINE __attribute__((always_inline)) inline
/* Entry points that start a team hand their call site to the team's
 * begin (hsomp_team_begin is reached through several helpers). */
#define HSOMP_OMPT_CODEPTR() HSOMP_OMPT(codeptr(HSOMP_OMPT_RA))

struct hsomp_work_share;

/* ompt_eventlog.c: OpenMP in the GHC eventlog, attached as an internal
 * OMPT client the first time a region needs the RTS (once per process). */
extern _Atomic bool hsomp_eventlog_checked HSOMP_INTERNAL;
void hsomp_eventlog_attach(void) HSOMP_INTERNAL;
#define HSOMP_EVENTLOG_ATTACH()                                                               \
  do {                                                                                        \
    if (HSOMP_UNLIKELY(                                                                      \
            !atomic_load_explicit(&hsomp_eventlog_checked, memory_order_relaxed)))            \
      hsomp_eventlog_attach();                                                                \
  } while (0)

/* ompt.c: start-up (at the runtime's first use: it registers itself,
 * Note [The runtime's first use] in thread.c), the entry points a tool
 * looks up, finalization. */
/* ompt_events.c: the callback a tool registered for `event', or NULL. */
extern void (*hsomp_ompt_callbacks[64])(void) HSOMP_INTERNAL;
#define HSOMP_OMPT_CB(type, event) ((type)hsomp_ompt_callbacks[event])

/* ompt_events.c: the emitters behind the hooks. */
void hsomp_ompt_codeptr(const void *ra) HSOMP_INTERNAL;
void hsomp_ompt_thread_begin(struct hsomp_thread *self, int thread_type) HSOMP_INTERNAL;
void hsomp_ompt_thread_end(struct hsomp_thread *self) HSOMP_INTERNAL;
void hsomp_ompt_initial_task(struct hsomp_thread *self, int endpoint) HSOMP_INTERNAL;
void hsomp_ompt_host_begin(struct hsomp_thread *self) HSOMP_INTERNAL;
void hsomp_ompt_host_end(struct hsomp_thread *self) HSOMP_INTERNAL;
void hsomp_ompt_parallel_begin(struct hsomp_thread *self, struct hsomp_team *team,
                               unsigned requested) HSOMP_INTERNAL;
void hsomp_ompt_parallel_end(struct hsomp_thread *self, struct hsomp_team *team) HSOMP_INTERNAL;
/* A host league (teams.c): the initial task of team `team' begins or ends
 * on self (Note [A league in OMPT], ompt_events.c). */
void hsomp_ompt_league_team(struct hsomp_thread *self, struct hsomp_team *league, unsigned team,
                            int endpoint) HSOMP_INTERNAL;
/* The implicit task of self->ts begins (and, in a combined parallel
 * worksharing construct, its first construct). */
void hsomp_ompt_implicit_task_begin(struct hsomp_thread *self) HSOMP_INTERNAL;
/* The implicit task ends after the region's closing barrier; a worker
 * reports this before it joins (it may not touch the team afterwards). */
void hsomp_ompt_implicit_task_end(struct hsomp_thread *self) HSOMP_INTERNAL;
/* The region's closing barrier: begin before the join (or, for a worker,
 * before it runs the region's last tasks), end with the implicit task's
 * end, before the worker joins. */
void hsomp_ompt_join_begin(struct hsomp_thread *self) HSOMP_INTERNAL;
void hsomp_ompt_join_end(struct hsomp_thread *self) HSOMP_INTERNAL;
/* count: the construct's iterations or sections (from self->ts.ws), else 1. */
void hsomp_ompt_work(int wstype, int endpoint, const void *ra) HSOMP_INTERNAL;
/* single without copyprivate, scope: no end call (Note [Constructs
 * without an end call], ompt_events.c). */
void hsomp_ompt_work_open(int wstype, const void *ra) HSOMP_INTERNAL;
void hsomp_ompt_single(bool executor, const void *ra) HSOMP_INTERNAL;
void hsomp_ompt_single_copy_other(const void *ra) HSOMP_INTERNAL;
void hsomp_ompt_loop_chunk(const struct hsomp_work_share *ws, uint64_t lo,
                           uint64_t hi) HSOMP_INTERNAL;
void hsomp_ompt_section(unsigned section) HSOMP_INTERNAL;
/* A synchronization region and the wait in it: begin reports the region
 * then the wait, end the wait then the region.  A NULL ra means the call
 * site of the construct's last hook (self's saved codeptr). */
void hsomp_ompt_sync(int kind, int endpoint, const void *ra) HSOMP_INTERNAL;
/* A construct's mutex, reported: acquire, lock, acquired; unlock,
 * released (HSOMP_OMPT_INSTEAD). */
void hsomp_ompt_lock(int kind, hsomp_mutex *m, const void *ra) HSOMP_INTERNAL;
void hsomp_ompt_unlock(int kind, hsomp_mutex *m, const void *ra) HSOMP_INTERNAL;
void hsomp_ompt_mutex_acquire(int kind, unsigned hint, const void *wait_id,
                              const void *ra) HSOMP_INTERNAL;
void hsomp_ompt_mutex_acquired(int kind, const void *wait_id, const void *ra) HSOMP_INTERNAL;
void hsomp_ompt_mutex_failed(void) HSOMP_INTERNAL;
void hsomp_ompt_mutex_released(int kind, const void *wait_id, const void *ra) HSOMP_INTERNAL;
void hsomp_ompt_mutex_tested(int kind, int count, const void *wait_id,
                             const void *ra) HSOMP_INTERNAL;
void hsomp_ompt_nest_unlocked(int left, const void *wait_id, const void *ra) HSOMP_INTERNAL;
void hsomp_ompt_nest_lock(int endpoint, const void *wait_id, const void *ra) HSOMP_INTERNAL;
void hsomp_ompt_lock_init(int kind, unsigned hint, const void *wait_id,
                          const void *ra) HSOMP_INTERNAL;
void hsomp_ompt_lock_destroy(int kind, const void *wait_id, const void *ra) HSOMP_INTERNAL;
void hsomp_ompt_cancel(int which, int how, const void *ra) HSOMP_INTERNAL;

/* Explicit tasks (ompt_events.c, Note [OMPT event order]). */
struct hsomp_task;
void hsomp_ompt_task_create(struct hsomp_thread *self, struct hsomp_task *t,
                            void **depend) HSOMP_INTERNAL;
void hsomp_ompt_task_dependence(struct hsomp_task *pred, struct hsomp_task *succ) HSOMP_INTERNAL;
void hsomp_ompt_task_switch(struct hsomp_thread *self, struct hsomp_task *t) HSOMP_INTERNAL;
void hsomp_ompt_task_complete(struct hsomp_thread *self, struct hsomp_task *t) HSOMP_INTERNAL;
void hsomp_ompt_task_detached(struct hsomp_thread *self, struct hsomp_task *t) HSOMP_INTERNAL;
void hsomp_ompt_task_fulfilled(ompt_data_t *task, ompt_task_status_t status) HSOMP_INTERNAL;
void hsomp_ompt_task_discarded(struct hsomp_task *t) HSOMP_INTERNAL;
/* The error directive at execution time (error.c calls it through
 * hsomp_error_directive_hook): severity ompt_fatal or ompt_warning. */
void hsomp_ompt_error(int severity, const char *msg, size_t len, const void *ra) HSOMP_INTERNAL;void hsomp_ompt_included_begin(struct hsomp_thread *self, struct hsomp_task *rec,
                               struct hsomp_task *parent) HSOMP_INTERNAL;
void hsomp_ompt_included_end(struct hsomp_thread *self, struct hsomp_task *rec,
                             struct hsomp_task *parent) HSOMP_INTERNAL;
/* ordered depend(source) / depend(sink: ...) of a doacross loop: the
 * current task's dependences on the iteration vector v[0..n). */
void hsomp_ompt_doacross(int type, const uint64_t *v, unsigned n) HSOMP_INTERNAL;
/* taskgroup: begin at the start; end = the wait's begin, then
 * sync(ompt_sync_region_taskgroup, end) after the wait. */
void hsomp_ompt_taskgroup(int endpoint, const void *ra) HSOMP_INTERNAL;

/* The tool data of the task the calling thread runs now. */
ompt_data_t *hsomp_ompt_task_data(struct hsomp_thread *self) HSOMP_INTERNAL;
ompt_data_t *hsomp_ompt_explicit_task_info(struct hsomp_thread *self, int *level,
                                           int *flags) HSOMP_INTERNAL;

#endif
