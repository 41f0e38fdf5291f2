/* ompt_tool.h -- a first-party OMPT test tool, compiled into each test
 * program of tests/ompt (link with -rdynamic so that the runtime finds the
 * program's ompt_start_tool).  It registers every host callback, records
 * each event (thread, kind, endpoint, sub-kind, the tool data it was given,
 * codeptr_ra) in memory, and offers the checks the tests share:
 *   count(...)          events matching a pattern;
 *   check_pairing()     per thread, every begin has its end, properly nested
 *                       (implicit tasks, work, sync regions and their waits,
 *                       mutex acquire -> acquired -> released, nest locks),
 *                       and every end carries its begin's data;
 *   in_main(codeptr)    the call site lies in the program, not the runtime.
 * Tests print what they check and exit non-zero on the first mismatch.
 * These tests are hsomp-only: GCC's libgomp has no OMPT. */
#ifndef HSOMP_OMPT_TEST_TOOL_H
#define HSOMP_OMPT_TEST_TOOL_H
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* dladdr */
#endif
#include "../../src/ompt/omp-tools.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum ev {
  EV_THREAD_BEGIN = 1, EV_THREAD_END, EV_PARALLEL_BEGIN, EV_PARALLEL_END, EV_IMPLICIT_TASK,
  EV_TASK_CREATE, EV_TASK_SCHEDULE, EV_WORK, EV_DISPATCH, EV_SYNC, EV_SYNC_WAIT,
  EV_MUTEX_ACQUIRE, EV_MUTEX_ACQUIRED, EV_MUTEX_RELEASED, EV_NEST_LOCK, EV_LOCK_INIT,
  EV_LOCK_DESTROY, EV_CANCEL, EV_DEPENDENCES, EV_TASK_DEPENDENCE, EV_ERROR, EV_NKINDS
};
static const char *const ev_names[] = {"?", "thread_begin", "thread_end", "parallel_begin",
                                       "parallel_end", "implicit_task", "task_create",
                                       "task_schedule", "work", "dispatch", "sync_region",
                                       "sync_region_wait", "mutex_acquire", "mutex_acquired",
                                       "mutex_released", "nest_lock", "lock_init",
                                       "lock_destroy", "cancel", "dependences",
                                       "task_dependence", "error"};

struct event {
  int kind;          /* enum ev */
  int endpoint;      /* ompt_scope_*, 0 if none */
  int sub;           /* work type, sync kind, mutex kind, task flags, status... */
  uint64_t thread;   /* thread_data.value */
  uint64_t data;     /* the region/task/parallel data value it concerns */
  uint64_t data2;    /* a second one (parallel of a work event, next task...) */
  uint64_t arg;      /* count, team size, wait id, dispatch chunk size... */
  const void *codeptr;
};

#define MAX_EVENTS 200000
static struct event events[MAX_EVENTS];
static int nevents;
static pthread_mutex_t events_lock = PTHREAD_MUTEX_INITIALIZER;
static ompt_get_thread_data_t get_thread_data;
static ompt_get_unique_id_t get_unique_id;
static ompt_set_callback_t set_callback;
static ompt_function_lookup_t tool_lookup;
static int tool_initialized, tool_finalized;

static uint64_t cur_thread(void) {
  ompt_data_t *d = get_thread_data();
  return d ? d->value : 0;
}

static void record(int kind, int endpoint, int sub, uint64_t data, uint64_t data2, uint64_t arg,
                   const void *codeptr) {
  struct event e = {kind, endpoint, sub, cur_thread(), data, data2, arg, codeptr};
  pthread_mutex_lock(&events_lock);
  if (nevents < MAX_EVENTS)
    events[nevents++] = e;
  pthread_mutex_unlock(&events_lock);
}

static uint64_t val(ompt_data_t *d) { return d ? d->value : 0; }
static uint64_t fresh(ompt_data_t *d) {
  if (d)
    d->value = get_unique_id();
  return val(d);
}

static void on_thread_begin(ompt_thread_t type, ompt_data_t *thread) {
  fresh(thread);
  record(EV_THREAD_BEGIN, 0, type, val(thread), 0, 0, NULL);
}
static void on_thread_end(ompt_data_t *thread) {
  record(EV_THREAD_END, 0, 0, val(thread), 0, 0, NULL);
}
static void on_parallel_begin(ompt_data_t *task, const ompt_frame_t *frame, ompt_data_t *par,
                              unsigned requested, int flags, const void *codeptr) {
  fresh(par);
  record(EV_PARALLEL_BEGIN, 0, flags, val(par), val(task), requested, codeptr);
}
static void on_parallel_end(ompt_data_t *par, ompt_data_t *task, int flags, const void *codeptr) {
  record(EV_PARALLEL_END, 0, flags, val(par), val(task), 0, codeptr);
}
static void on_implicit_task(ompt_scope_endpoint_t ep, ompt_data_t *par, ompt_data_t *task,
                             unsigned n, unsigned index, int flags) {
  if (ep == ompt_scope_begin)
    fresh(task);
  record(EV_IMPLICIT_TASK, ep, flags, val(task), val(par), ((uint64_t)n << 32) | index, NULL);
}
static void on_task_create(ompt_data_t *parent, const ompt_frame_t *frame, ompt_data_t *task,
                           int flags, int has_deps, const void *codeptr) {
  fresh(task);
  record(EV_TASK_CREATE, 0, flags, val(task), val(parent), has_deps, codeptr);
}
static void on_task_schedule(ompt_data_t *prior, ompt_task_status_t status, ompt_data_t *next) {
  record(EV_TASK_SCHEDULE, 0, status, val(prior), val(next), 0, NULL);
}
static void on_work(ompt_work_t type, ompt_scope_endpoint_t ep, ompt_data_t *par,
                    ompt_data_t *task, uint64_t count, const void *codeptr) {
  record(EV_WORK, ep, type, val(task), val(par), count, codeptr);
}
static void on_dispatch(ompt_data_t *par, ompt_data_t *task, ompt_dispatch_t kind,
                        ompt_data_t instance) {
  uint64_t arg = kind == ompt_dispatch_ws_loop_chunk
                     ? ((ompt_dispatch_chunk_t *)instance.ptr)->iterations
                     : instance.value;
  record(EV_DISPATCH, 0, kind, val(task), val(par), arg, NULL);
}
static void on_sync(ompt_sync_region_t kind, ompt_scope_endpoint_t ep, ompt_data_t *par,
                    ompt_data_t *task, const void *codeptr) {
  record(EV_SYNC, ep, kind, val(task), val(par), 0, codeptr);
}
static void on_sync_wait(ompt_sync_region_t kind, ompt_scope_endpoint_t ep, ompt_data_t *par,
                         ompt_data_t *task, const void *codeptr) {
  record(EV_SYNC_WAIT, ep, kind, val(task), val(par), 0, codeptr);
}
static void on_mutex_acquire(ompt_mutex_t kind, unsigned hint, unsigned impl, ompt_wait_id_t id,
                             const void *codeptr) {
  record(EV_MUTEX_ACQUIRE, 0, kind, 0, hint, id, codeptr);
}
static void on_lock_init(ompt_mutex_t kind, unsigned hint, unsigned impl, ompt_wait_id_t id,
                         const void *codeptr) {
  record(EV_LOCK_INIT, 0, kind, 0, hint, id, codeptr);
}
static void on_mutex_acquired(ompt_mutex_t kind, ompt_wait_id_t id, const void *codeptr) {
  record(EV_MUTEX_ACQUIRED, 0, kind, 0, 0, id, codeptr);
}
static void on_mutex_released(ompt_mutex_t kind, ompt_wait_id_t id, const void *codeptr) {
  record(EV_MUTEX_RELEASED, 0, kind, 0, 0, id, codeptr);
}
static void on_lock_destroy(ompt_mutex_t kind, ompt_wait_id_t id, const void *codeptr) {
  record(EV_LOCK_DESTROY, 0, kind, 0, 0, id, codeptr);
}
static void on_nest_lock(ompt_scope_endpoint_t ep, ompt_wait_id_t id, const void *codeptr) {
  record(EV_NEST_LOCK, ep, 0, 0, 0, id, codeptr);
}
static void on_cancel(ompt_data_t *task, int flags, const void *codeptr) {
  record(EV_CANCEL, 0, flags, val(task), 0, 0, codeptr);
}
static void on_dependences(ompt_data_t *task, const ompt_dependence_t *deps, int n) {
  record(EV_DEPENDENCES, 0, n > 0 ? deps[0].dependence_type : 0, val(task), 0, (uint64_t)n, NULL);
}
static void on_error(ompt_severity_t severity, const char *message, size_t length,
                     const void *codeptr) {
  /* arg: the message's first bytes, to compare with what the program said */
  uint64_t head = 0;
  memcpy(&head, message ? message : "", length < 8 ? length : 8);
  record(EV_ERROR, 0, severity, 0, length, head, codeptr);
}
static void on_task_dependence(ompt_data_t *src, ompt_data_t *sink) {
  record(EV_TASK_DEPENDENCE, 0, 0, val(src), val(sink), 0, NULL);
}

static int set_results[64];
static int tool_initialize(ompt_function_lookup_t lookup, int device, ompt_data_t *tool_data) {
  tool_lookup = lookup;
  set_callback = (ompt_set_callback_t)lookup("ompt_set_callback");
  get_thread_data = (ompt_get_thread_data_t)lookup("ompt_get_thread_data");
  get_unique_id = (ompt_get_unique_id_t)lookup("ompt_get_unique_id");
  if (!set_callback || !get_thread_data || !get_unique_id) {
    fprintf(stderr, "tool: the lookup function lacks a mandatory entry point\n");
    exit(2);
  }
#define REG(event, fn) set_results[event] = set_callback(event, (ompt_callback_t)(fn))
  REG(ompt_callback_thread_begin, on_thread_begin);
  REG(ompt_callback_thread_end, on_thread_end);
  REG(ompt_callback_parallel_begin, on_parallel_begin);
  REG(ompt_callback_parallel_end, on_parallel_end);
  REG(ompt_callback_implicit_task, on_implicit_task);
  REG(ompt_callback_task_create, on_task_create);
  REG(ompt_callback_task_schedule, on_task_schedule);
  REG(ompt_callback_work, on_work);
  REG(ompt_callback_dispatch, on_dispatch);
  REG(ompt_callback_sync_region, on_sync);
  REG(ompt_callback_sync_region_wait, on_sync_wait);
  REG(ompt_callback_mutex_acquire, on_mutex_acquire);
  REG(ompt_callback_mutex_acquired, on_mutex_acquired);
  REG(ompt_callback_mutex_released, on_mutex_released);
  REG(ompt_callback_nest_lock, on_nest_lock);
  REG(ompt_callback_lock_init, on_lock_init);
  REG(ompt_callback_lock_destroy, on_lock_destroy);
  REG(ompt_callback_cancel, on_cancel);
  REG(ompt_callback_dependences, on_dependences);
  REG(ompt_callback_task_dependence, on_task_dependence);
  REG(ompt_callback_error, on_error);
#undef REG
  tool_initialized = 1;
  return 1;
}

static void tool_finalize(ompt_data_t *tool_data) { tool_finalized = 1; }

ompt_start_tool_result_t *ompt_start_tool(unsigned int omp_version, const char *runtime_version) {
  static ompt_start_tool_result_t result = {tool_initialize, tool_finalize, {0}};
  return &result;
}

/* ------------------------------------------------------------------ */
/* Checks.                                                              */

static int failures;
#define EXPECT(cond, ...)                                                                     \
  do {                                                                                        \
    if (!(cond)) {                                                                            \
      fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__);                                    \
      fprintf(stderr, __VA_ARGS__);                                                           \
      fprintf(stderr, "\n");                                                                  \
      failures++;                                                                             \
    }                                                                                         \
  } while (0)

#define ANY (-1)
/* Events of `kind' with this endpoint and sub-kind (ANY: any) from
 * event index `from' on. */
static int count_from(int from, int kind, int endpoint, int sub) {
  int n = 0;
  pthread_mutex_lock(&events_lock);
  for (int i = from; i < nevents; i++)
    if (events[i].kind == kind && (endpoint == ANY || events[i].endpoint == endpoint) &&
        (sub == ANY || events[i].sub == sub))
      n++;
  pthread_mutex_unlock(&events_lock);
  return n;
}
static int mark(void) {
  pthread_mutex_lock(&events_lock);
  int n = nevents;
  pthread_mutex_unlock(&events_lock);
  return n;
}
/* Sum of `arg' over matching events (dispatch: iterations). */
__attribute__((unused)) static uint64_t sum_arg_from(int from, int kind, int sub) {
  uint64_t s = 0;
  pthread_mutex_lock(&events_lock);
  for (int i = from; i < nevents; i++)
    if (events[i].kind == kind && (sub == ANY || events[i].sub == sub))
      s += events[i].arg;
  pthread_mutex_unlock(&events_lock);
  return s;
}

/* The call site lies in the program (main or the functions GCC outlines
 * from it), not in the runtime. */
int main(void);
__attribute__((unused)) static int in_main(const void *codeptr) {
  Dl_info info, prog;
  return codeptr && dladdr(codeptr, &info) && dladdr((void *)main, &prog) &&
         info.dli_fbase == prog.dli_fbase;
}

/* Per thread, from event `from' on: scoped events nest and close with
 * the data they opened with; mutexes go acquire -> acquired -> released
 * (or a failed test: acquire only); nothing is left open at the end,
 * except what was open before `from'.  Returns the number of problems. */
static int check_pairing(int from) {
  int problems = 0;
  pthread_mutex_lock(&events_lock);
  uint64_t threads[256];
  int nthreads = 0;
  for (int i = from; i < nevents; i++) {
    int seen = 0;
    for (int t = 0; t < nthreads; t++)
      seen |= threads[t] == events[i].thread;
    if (!seen && nthreads < 256)
      threads[nthreads++] = events[i].thread;
  }
  for (int t = 0; t < nthreads; t++) {
    struct {
      int kind, sub;
      uint64_t data;
    } stack[64];
    int depth = 0;
    for (int i = from; i < nevents; i++) {
      struct event *e = &events[i];
      if (e->thread != threads[t])
        continue;
      int scoped = e->kind == EV_IMPLICIT_TASK || e->kind == EV_WORK || e->kind == EV_SYNC ||
                   e->kind == EV_SYNC_WAIT;
      if (scoped && e->endpoint == ompt_scope_begin) {
        if (depth < 64)
          stack[depth++] = (typeof(stack[0])){e->kind, e->sub, e->data};
      } else if (scoped && e->endpoint == ompt_scope_end) {
        if (depth == 0) {
          /* Closing something opened before `from' (the initial task). */
          continue;
        }
        typeof(stack[0]) top = stack[--depth];
        if (top.kind != e->kind || top.sub != e->sub || top.data != e->data) {
          if (problems++ < 5)
            fprintf(stderr,
                    "thread %llu: event %d: %s end (sub %d, data %llu) closes %s (sub %d, data "
                    "%llu)\n",
                    (unsigned long long)threads[t], i, ev_names[e->kind], e->sub,
                    (unsigned long long)e->data, ev_names[top.kind], top.sub,
                    (unsigned long long)top.data);
        }
      }
    }
    /* What is left open must be the thread's initial task. */
    for (int d = 0; d < depth; d++)
      if (!(stack[d].kind == EV_IMPLICIT_TASK && (stack[d].sub & ompt_task_initial))) {
        if (problems++ < 5)
          fprintf(stderr, "thread %llu: %s (sub %d) never ends\n",
                  (unsigned long long)threads[t], ev_names[stack[d].kind], stack[d].sub);
      }
  }
  pthread_mutex_unlock(&events_lock);
  return problems;
}

/* Mutex protocol per thread and wait id: acquire, then acquired (or,
 * for a test that failed, nothing), then released. */
static int check_mutexes(int from) {
  int problems = 0, held = 0, pending = 0;
  pthread_mutex_lock(&events_lock);
  for (int i = from; i < nevents; i++) {
    struct event *e = &events[i];
    if (e->kind == EV_MUTEX_ACQUIRE)
      pending++;
    else if (e->kind == EV_MUTEX_ACQUIRED)
      held++, pending--;
    else if (e->kind == EV_MUTEX_RELEASED)
      held--;
    else if (e->kind == EV_NEST_LOCK && e->endpoint == ompt_scope_begin)
      pending--;
    if (held < 0 || pending < 0) {
      if (problems++ < 5)
        fprintf(stderr, "event %d: %s without its acquire\n", i, ev_names[e->kind]);
      held = held < 0 ? 0 : held;
      pending = pending < 0 ? 0 : pending;
    }
  }
  pthread_mutex_unlock(&events_lock);
  if (held != 0) {
    fprintf(stderr, "%d mutexes acquired and never released\n", held);
    problems++;
  }
  return problems;
}

static void dump_events(int from) {
  for (int i = from; i < nevents; i++)
    fprintf(stderr, "%5d t%-3llu %-16s ep %d sub %d data %llu/%llu arg %llu\n", i,
            (unsigned long long)events[i].thread, ev_names[events[i].kind], events[i].endpoint,
            events[i].sub, (unsigned long long)events[i].data,
            (unsigned long long)events[i].data2, (unsigned long long)events[i].arg);
}

static int finish(const char *name, int from) {
  failures += check_pairing(from);
  failures += check_mutexes(from);
  if (failures) {
    if (getenv("OMPT_TEST_DUMP"))
      dump_events(0);
    fprintf(stderr, "%s: %d failures\n", name, failures);
    return 1;
  }
  printf("%s: ok (%d events)\n", name, nevents);
  return 0;
}

#endif
