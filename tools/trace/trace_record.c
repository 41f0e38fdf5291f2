/* trace_record.c -- the OMPT side of hsomp's timeline tool: registers the
 * callbacks, keeps a stack of open spans per thread and appends each
 * finished span to the thread's own buffer (no lock on the event path),
 * and writes the files when the runtime finalizes the tool (at exit).
 *
 * Environment: HSOMP_TRACE_FILE (set by hsomp-run --trace) names the JSON
 * file; the SVG goes next to it (FILE with .json replaced by .svg, else
 * FILE.svg).  HSOMP_TRACE_MAX_SPANS caps the spans kept per thread
 * (default 2,000,000; the rest are counted and reported). */

#include "trace.h"

#include "omp-tools.h"

#include <errno.h> /* program_invocation_short_name */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Note [Spans from scoped events]
 * OMPT reports begin/end pairs on the thread that did the work, properly
 * nested, so each thread keeps a stack of open spans.  Three kinds do not
 * nest: a loop chunk ends when the thread asks for the next one or leaves
 * the loop (the dispatch callback marks only the start); a lock is held
 * from `acquired' to `released', which need not nest with other locks, so
 * held locks are kept aside in a small table; a nest lock acquired again
 * by its owner reports `acquire' and then nest_lock begin, with no
 * `acquired', so that begin closes the wait.  An end that does not match
 * the top of the stack closes everything above its match. */

#define STACK_MAX 64
#define HELD_MAX 16
struct open_span {
  struct span s;
};
struct thread_state {
  struct trace_thread t;
  struct open_span stack[STACK_MAX];
  int depth;
  struct {
    uint64_t wait_id, begin;
    uint8_t sub;
    const void *codeptr;
  } held[HELD_MAX];
  int nheld;
};

static struct trace_thread *threads;
static pthread_mutex_t threads_lock = PTHREAD_MUTEX_INITIALIZER;
static int next_index;
static uint64_t t0;
static size_t max_spans = 2000000;
static ompt_get_thread_data_t get_thread_data;

static uint64_t now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec - t0;
}

static struct thread_state *me(void) {
  ompt_data_t *d = get_thread_data();
  return d ? d->ptr : NULL;
}

static void append(struct thread_state *st, const struct span *s) {
  struct trace_thread *t = &st->t;
  if (t->nspans == t->cap) {
    if (t->cap >= max_spans) {
      t->dropped++;
      return;
    }
    size_t cap = t->cap ? 2 * t->cap : 4096;
    if (cap > max_spans)
      cap = max_spans;
    struct span *p = realloc(t->spans, cap * sizeof *p);
    if (!p) {
      t->dropped++;
      return;
    }
    t->spans = p;
    t->cap = cap;
  }
  t->spans[t->nspans++] = *s;
}

static void push(int kind, int sub, const void *codeptr, uint64_t arg) {
  struct thread_state *st = me();
  if (!st)
    return;
  if (st->depth == STACK_MAX) {
    st->t.dropped++;
    return;
  }
  st->stack[st->depth].s =
      (struct span){now(), 0, (uint32_t)st->depth, (uint8_t)kind, (uint8_t)sub, codeptr, arg};
  st->depth++;
}

/* Closes the innermost open span of `kind' (and whatever is open above
 * it); nothing if there is none. */
static void pop(int kind) {
  struct thread_state *st = me();
  if (!st)
    return;
  int i = st->depth - 1;
  while (i >= 0 && st->stack[i].s.kind != kind)
    i--;
  if (i < 0)
    return;
  uint64_t t = now();
  while (st->depth > i) {
    struct span *s = &st->stack[--st->depth].s;
    s->end = t;
    append(st, s);
  }
}

static int top_is(int kind) {
  struct thread_state *st = me();
  return st && st->depth > 0 && st->stack[st->depth - 1].s.kind == kind;
}

/* ------------------------------------------------------------------ */
/* Callbacks.                                                           */

static void on_thread_begin(ompt_thread_t type, ompt_data_t *data) {
  struct thread_state *st = calloc(1, sizeof *st);
  if (!st)
    return;
  st->t.type = type;
  pthread_mutex_lock(&threads_lock);
  st->t.index = next_index++;
  st->t.next = threads;
  threads = &st->t;
  pthread_mutex_unlock(&threads_lock);
  data->ptr = st;
}

static void on_implicit_task(ompt_scope_endpoint_t ep, ompt_data_t *par, ompt_data_t *task,
                             unsigned n, unsigned index, int flags) {
  if (flags & ompt_task_initial)
    return;
  if (ep == ompt_scope_begin)
    push(SPAN_REGION, 0, par ? par->ptr : NULL, n);
  else
    pop(SPAN_REGION);
}

static void on_parallel_begin(ompt_data_t *task, const ompt_frame_t *frame, ompt_data_t *par,
                              unsigned requested, int flags, const void *codeptr) {
  par->ptr = (void *)codeptr; /* the region's call site, for its members' spans */
}

static void on_work(ompt_work_t type, ompt_scope_endpoint_t ep, ompt_data_t *par, ompt_data_t *task,
                    uint64_t count, const void *codeptr) {
  if (ep == ompt_scope_begin) {
    push(SPAN_WORK, type, codeptr, count);
  } else {
    if (top_is(SPAN_CHUNK))
      pop(SPAN_CHUNK);
    pop(SPAN_WORK);
  }
}

static void on_dispatch(ompt_data_t *par, ompt_data_t *task, ompt_dispatch_t kind,
                        ompt_data_t instance) {
  if (top_is(SPAN_CHUNK))
    pop(SPAN_CHUNK);
  uint64_t arg = kind == ompt_dispatch_ws_loop_chunk
                     ? ((ompt_dispatch_chunk_t *)instance.ptr)->iterations
                     : instance.value;
  push(SPAN_CHUNK, kind, NULL, arg);
}

static void on_sync_wait(ompt_sync_region_t kind, ompt_scope_endpoint_t ep, ompt_data_t *par,
                         ompt_data_t *task, const void *codeptr) {
  int span = kind == ompt_sync_region_taskwait || kind == ompt_sync_region_taskgroup ? SPAN_TASKWAIT
                                                                                     : SPAN_BARRIER;
  if (ep == ompt_scope_begin) {
    if (top_is(SPAN_CHUNK)) /* a chunk never spans a barrier */
      pop(SPAN_CHUNK);
    push(span, kind, codeptr, 0);
  } else {
    pop(span);
  }
}

static void on_task_schedule(ompt_data_t *prior, ompt_task_status_t status, ompt_data_t *next) {
  if (status == ompt_task_switch)
    push(SPAN_TASK, 0, next->ptr, 0);
  else
    pop(SPAN_TASK);
}

static void on_task_create(ompt_data_t *parent, const ompt_frame_t *frame, ompt_data_t *task,
                           int flags, int has_deps, const void *codeptr) {
  task->ptr = (void *)codeptr;
}

static void on_mutex_acquire(ompt_mutex_t kind, unsigned hint, unsigned impl, ompt_wait_id_t id,
                             const void *codeptr) {
  if (kind != ompt_mutex_test_lock && kind != ompt_mutex_test_nest_lock)
    push(SPAN_LOCK_WAIT, kind, codeptr, id);
}

static void on_mutex_acquired(ompt_mutex_t kind, ompt_wait_id_t id, const void *codeptr) {
  if (top_is(SPAN_LOCK_WAIT))
    pop(SPAN_LOCK_WAIT);
  struct thread_state *st = me();
  if (st && st->nheld < HELD_MAX)
    st->held[st->nheld++] = (typeof(st->held[0])){id, now(), (uint8_t)kind, codeptr};
}

static void on_mutex_released(ompt_mutex_t kind, ompt_wait_id_t id, const void *codeptr) {
  struct thread_state *st = me();
  if (!st)
    return;
  for (int i = st->nheld - 1; i >= 0; i--)
    if (st->held[i].wait_id == id) {
      struct span s = {
          st->held[i].begin,   now(), (uint32_t)st->depth, SPAN_LOCK_HELD, st->held[i].sub,
          st->held[i].codeptr, id};
      append(st, &s);
      st->held[i] = st->held[--st->nheld];
      return;
    }
}

static void on_nest_lock(ompt_scope_endpoint_t ep, ompt_wait_id_t id, const void *codeptr) {
  if (ep == ompt_scope_begin && top_is(SPAN_LOCK_WAIT))
    pop(SPAN_LOCK_WAIT);
}

/* ------------------------------------------------------------------ */
/* Start and finish.                                                    */

static char *json_path, *svg_path;

static int initialize(ompt_function_lookup_t lookup, int device, ompt_data_t *tool_data) {
  ompt_set_callback_t set = (ompt_set_callback_t)lookup("ompt_set_callback");
  get_thread_data = (ompt_get_thread_data_t)lookup("ompt_get_thread_data");
  if (!set || !get_thread_data)
    return 0;
  t0 = 0;
  t0 = now();
#define REG(event, fn) set(event, (ompt_callback_t)(fn))
  REG(ompt_callback_thread_begin, on_thread_begin);
  REG(ompt_callback_parallel_begin, on_parallel_begin);
  REG(ompt_callback_implicit_task, on_implicit_task);
  REG(ompt_callback_work, on_work);
  REG(ompt_callback_dispatch, on_dispatch);
  REG(ompt_callback_sync_region_wait, on_sync_wait);
  REG(ompt_callback_task_create, on_task_create);
  REG(ompt_callback_task_schedule, on_task_schedule);
  REG(ompt_callback_mutex_acquire, on_mutex_acquire);
  REG(ompt_callback_mutex_acquired, on_mutex_acquired);
  REG(ompt_callback_mutex_released, on_mutex_released);
  REG(ompt_callback_nest_lock, on_nest_lock);
#undef REG
  return 1;
}

static void finalize(ompt_data_t *tool_data) {
  uint64_t end = now();
  pthread_mutex_lock(&threads_lock);
  uint64_t dropped = 0;
  for (struct trace_thread *t = threads; t; t = t->next)
    dropped += t->dropped;
  char title[256];
  snprintf(title, sizeof title, "%s", program_invocation_short_name);
  trace_write_json(json_path, threads, end);
  trace_write_svg(svg_path, threads, end, title);
  pthread_mutex_unlock(&threads_lock);
  if (dropped)
    fprintf(stderr, "hsomp-trace: %llu spans over the limit were dropped (HSOMP_TRACE_MAX_SPANS)\n",
            (unsigned long long)dropped);
  fprintf(stderr, "hsomp-trace: wrote %s and %s\n", json_path, svg_path);
}

ompt_start_tool_result_t *ompt_start_tool(unsigned int omp_version, const char *runtime_version) {
  static ompt_start_tool_result_t result = {initialize, finalize, {0}};
  const char *file = getenv("HSOMP_TRACE_FILE");
  if (!file || !*file)
    file = "hsomp-trace.json";
  const char *max = getenv("HSOMP_TRACE_MAX_SPANS");
  if (max && atol(max) > 0)
    max_spans = (size_t)atol(max);
  json_path = strdup(file);
  size_t n = strlen(file);
  svg_path = malloc(n + 5);
  if (!json_path || !svg_path)
    return NULL;
  strcpy(svg_path, file);
  if (n > 5 && !strcmp(file + n - 5, ".json"))
    strcpy(svg_path + n - 5, ".svg");
  else
    strcat(svg_path, ".svg");
  return &result;
}
