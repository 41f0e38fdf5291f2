/* ompt_eventlog.c -- OpenMP in the GHC eventlog.  When the program's RTS
 * writes an eventlog (a Haskell program linked with -eventlog, run with
 * +RTS -l) and no OMPT tool is attached, hsomp attaches this internal OMPT
 * client, which records one eventlog user message per OpenMP event --
 * parallel regions, each team thread's implicit task, worksharing
 * constructs, barrier and task waits, tasks -- in blocks of the
 * Capability the thread is bound to, so that ThreadScope draws them on
 * that Capability's timeline and ghc-events gives them its evCap
 * (haskell/test/EventlogSpec.hs).
 *
 * Note [OpenMP in the eventlog]
 * The RTS writes its eventlog as blocks: a block marker (time, size, end
 * time, Capability) followed by that Capability's events, each with its
 * time stamp; one block per flush of a Capability's buffer, handed to the
 * eventlog writer, which serializes the writers with its own lock.  A
 * Capability's buffer may be written only by the thread that holds the
 * Capability, and hsomp's workers hold none while they run C code (that
 * is what keeps GC from waiting for them), so they cannot post to it.
 * They do what the RTS does instead: each OpenMP thread keeps a buffer of
 * its own, stamps its events with the RTS's clock (nanoseconds since the
 * RTS started, the same stamp as the RTS's own events), and hands whole
 * blocks, marked with the Capability it is bound to, to the writer the
 * RTS uses (rts_glue.c) -- the writer's lock makes them land between the
 * RTS's blocks, never inside one.  The file needs no other change: the
 * header the RTS wrote declares every event type, and readers order a
 * Capability's events by their time stamps.
 * A thread bound to no Capability -- the Haskell thread that started the
 * region, in a safe foreign call -- is marked with the Capability its RTS
 * Task released for the call and will take back (Note [The Capability of
 * the thread that started a region], rts_program.c); one the RTS never saw
 * writes its blocks like the RTS's global buffer, with no Capability
 * (0xffff; ghc-events: evCap Nothing).
 * Like a Capability, a thread writes its block when its buffer is full (or
 * its Capability changes); the rest is written by the RTS's exit hook
 * (RtsConfig.onExitHook, chained: hs_exit calls it before it writes the
 * Capabilities' last blocks and closes the log) and at thread exit.  So
 * the only lock an event takes is its own buffer's `busy' flag, which the
 * exit hook takes too (a region may still run while the program exits);
 * after the hook, events are dropped.  A process that ends without
 * hs_exit (a C exit() from a foreign call) loses its last blocks, as the
 * RTS loses its Capabilities'.
 * Cost: while the eventlog is written, a clock read, a formatted copy and
 * an uncontended flag per event, one write(2) per 128 KiB; with the
 * eventlog off nothing is attached and the hooks cost what they cost
 * without a tool
 * (Note [OMPT costs nothing without a tool]). */
#include "ompt_internal.h"
#include "ompt_names.h"
#include "rts_glue.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

_Atomic bool hsomp_eventlog_checked; /* relaxed: several masters may check at once */
static _Atomic uint64_t next_region = 1;

/* The eventlog's binary format (GHC's rts/EventLogFormat.h; rts_glue.c
 * checks the numbers against the RTS's header): big-endian fields, an
 * event is its type (16 bits) and time (64) then its payload. */
#define MARKER_BYTES (2 + 8 + 4 + 8 + 2) /* type, time, block size, end time, Capability */
#define MSG_MAX 200
#define BUFFER_BYTES (128 * 1024)
#define NO_CAPABILITY 0xffff

struct event_buffer {
  atomic_flag busy;         /* held by its owner while it appends, and by the exit hook */
  struct event_buffer *next; /* in `buffers' */
  unsigned char *pos;       /* next free byte of data */
  int cap;                  /* the Capability of the open block */
  uint64_t first, last;     /* time stamps of its first and last event */
  unsigned char data[BUFFER_BYTES]; /* the block: its marker, then events */
};

static __thread struct event_buffer *mine;
static pthread_key_t buffer_key; /* its destructor writes a thread's last block */
/* Every thread's buffer, for the exit hook (Note [OpenMP in the eventlog]). */
static pthread_mutex_t buffers_lock = PTHREAD_MUTEX_INITIALIZER;
static struct event_buffer *buffers;
static _Atomic bool log_closing; /* the RTS is exiting: later events are dropped */

static void hold(struct event_buffer *b) {
  while (atomic_flag_test_and_set_explicit(&b->busy, memory_order_acquire))
    hsomp_cpu_relax();
}
static void release(struct event_buffer *b) {
  atomic_flag_clear_explicit(&b->busy, memory_order_release);
}

static void put16(unsigned char *p, uint16_t v) {
  p[0] = (unsigned char)(v >> 8);
  p[1] = (unsigned char)v;
}
static void put32(unsigned char *p, uint32_t v) {
  put16(p, (uint16_t)(v >> 16));
  put16(p + 2, (uint16_t)v);
}
static void put64(unsigned char *p, uint64_t v) {
  put32(p, (uint32_t)(v >> 32));
  put32(p + 4, (uint32_t)v);
}

/* Fill in the block's marker and hand the block to the writer. */
static void write_block(struct event_buffer *b) {
  size_t n = (size_t)(b->pos - b->data);
  if (n > MARKER_BYTES) {
    put16(b->data, HSOMP_EVENT_BLOCK_MARKER);
    put64(b->data + 2, b->first);
    put32(b->data + 10, (uint32_t)n);
    put64(b->data + 14, b->last);
    put16(b->data + 22, b->cap < 0 ? NO_CAPABILITY : (uint16_t)b->cap);
    hsomp_rts_eventlog_write(b->data, n);
  }
  b->pos = b->data + MARKER_BYTES;
}

/* At thread exit: the thread's last block, unless the exit hook wrote it. */
static void last_block(void *buffer) {
  struct event_buffer *b = buffer;
  pthread_mutex_lock(&buffers_lock);
  for (struct event_buffer **p = &buffers; *p; p = &(*p)->next)
    if (*p == b) {
      *p = b->next;
      break;
    }
  pthread_mutex_unlock(&buffers_lock);
  hold(b);
  if (!atomic_load_explicit(&log_closing, memory_order_relaxed))
    write_block(b);
  release(b);
  free(b);
}

/* In a forked child only the forking thread runs: another may have held
 * the registry's lock or its buffer's flag, and the events recorded are
 * the parent's (the child's RTS starts a log of its own). */
static void after_fork_child(void) {
  pthread_mutex_init(&buffers_lock, NULL);
  for (struct event_buffer *b = buffers; b; b = b->next) {
    atomic_flag_clear_explicit(&b->busy, memory_order_relaxed);
    b->pos = b->data + MARKER_BYTES;
  }
}

/* The RTS's exit (hs_exit, before it writes its Capabilities' last blocks
 * and closes the log): every thread's last block. */
static void at_rts_exit(void) {
  atomic_store_explicit(&log_closing, true, memory_order_relaxed);
  pthread_mutex_lock(&buffers_lock);
  for (struct event_buffer *b = buffers; b; b = b->next) {
    hold(b);
    write_block(b);
    release(b);
  }
  pthread_mutex_unlock(&buffers_lock);
}

static struct event_buffer *buffer(void) {
  if (HSOMP_LIKELY(mine != NULL))
    return mine;
  struct event_buffer *b = malloc(sizeof *b);
  if (!b)
    return NULL; /* no memory: this thread's events are left out */
  atomic_flag_clear(&b->busy);
  b->pos = b->data + MARKER_BYTES;
  b->cap = -1;
  pthread_setspecific(buffer_key, b);
  pthread_mutex_lock(&buffers_lock);
  b->next = buffers;
  buffers = b;
  pthread_mutex_unlock(&buffers_lock);
  return mine = b;
}

/* A worker's Capability; for the thread that started the region, the one
 * its Haskell thread released for the foreign call. */
static int cap(void) {
  return hsomp_tls && hsomp_tls->capability >= 0 ? hsomp_tls->capability
                                                 : hsomp_rts_caller_capability();
}
static unsigned thread_num(void) { return hsomp_tls ? hsomp_tls->ts.team_id : 0; }
static bool in_region(void) { return hsomp_tls && hsomp_tls->ts.team; }
/* Implicit tasks carry their region's number in their tool data. */
static unsigned long long region_of_thread(void) {
  return in_region() ? (unsigned long long)hsomp_tls->ts.ompt_task.value : 0;
}

/* Record one user message (EVENT_USER_MSG) in the thread's block. */
static void post(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void post(const char *fmt, ...) {
  struct event_buffer *b = buffer();
  if (!b)
    return;
  char text[MSG_MAX];
  va_list ap;
  va_start(ap, fmt);
  int len = vsnprintf(text, sizeof text, fmt, ap);
  va_end(ap);
  if (len < 0)
    return;
  if (len >= (int)sizeof text)
    len = sizeof text - 1;
  int c = cap();
  size_t need = 2 + 8 + 2 + (size_t)len;
  hold(b);
  if (atomic_load_explicit(&log_closing, memory_order_relaxed)) {
    release(b);
    return;
  }
  if (c != b->cap || b->pos + need > b->data + BUFFER_BYTES) {
    write_block(b);
    b->cap = c;
  }
  uint64_t now = hsomp_rts_eventlog_time();
  if (b->pos == b->data + MARKER_BYTES)
    b->first = now;
  b->last = now;
  put16(b->pos, HSOMP_EVENT_USER_MSG);
  put64(b->pos + 2, now);
  put16(b->pos + 10, (uint16_t)len);
  memcpy(b->pos + 12, text, (size_t)len);
  b->pos += need;
  release(b);
}

#define SAY(fmt, ...)                                                                              \
  post("hsomp thread=%u region=%llu " fmt, thread_num(), region_of_thread(), __VA_ARGS__)

static const char *endpoint(ompt_scope_endpoint_t ep) { return ep == ompt_scope_begin ? "begin" : "end"; }

static void on_parallel_begin(ompt_data_t *task, const ompt_frame_t *frame, ompt_data_t *par,
                              unsigned requested, int flags, const void *codeptr) {
  par->value = atomic_fetch_add_explicit(&next_region, 1, memory_order_relaxed);
  post("hsomp region=%llu parallel begin threads=%u", (unsigned long long)par->value, requested);
}

static void on_parallel_end(ompt_data_t *par, ompt_data_t *task, int flags, const void *codeptr) {
  post("hsomp region=%llu parallel end", (unsigned long long)par->value);
}

static void on_implicit_task(ompt_scope_endpoint_t ep, ompt_data_t *par, ompt_data_t *task,
                             unsigned n, unsigned index, int flags) {
  if (flags & ompt_task_initial)
    return;
  if (ep == ompt_scope_begin)
    task->value = par->value;
  SAY("implicit-task %s", endpoint(ep));
}

static void on_work(ompt_work_t w, ompt_scope_endpoint_t ep, ompt_data_t *par, ompt_data_t *task,
                    uint64_t count, const void *codeptr) {
  SAY("%s %s count=%llu", hsomp_ompt_work_name(w), endpoint(ep), (unsigned long long)count);
}

static void on_sync_wait(ompt_sync_region_t kind, ompt_scope_endpoint_t ep, ompt_data_t *par,
                         ompt_data_t *task, const void *codeptr) {
  SAY("wait %s %s", hsomp_ompt_sync_name(kind), endpoint(ep));
}

static void on_task_schedule(ompt_data_t *prior, ompt_task_status_t status, ompt_data_t *next) {
  SAY("task %s", status == ompt_task_switch ? "begin" : "end");
}

/* Called once, when a region first needs the RTS (pool.c). */
void hsomp_eventlog_attach(void) {
  /* (two masters' first regions at once: one attaches) */
  if (atomic_exchange_explicit(&hsomp_eventlog_checked, true, memory_order_relaxed))
    return;
  if (hsomp_ompt_enabled || !hsomp_rts_eventlog_running())
    return; /* a tool has the OMPT interface, or there is no eventlog */
  if (pthread_key_create(&buffer_key, last_block) != 0)
    return;
  hsomp_rts_eventlog_at_exit(at_rts_exit);
  pthread_atfork(NULL, NULL, after_fork_child);
#define REG(event, fn) hsomp_ompt_callbacks[event] = (void (*)(void))(fn)
  REG(ompt_callback_parallel_begin, on_parallel_begin);
  REG(ompt_callback_parallel_end, on_parallel_end);
  REG(ompt_callback_implicit_task, on_implicit_task);
  REG(ompt_callback_work, on_work);
  REG(ompt_callback_sync_region_wait, on_sync_wait);
  REG(ompt_callback_task_schedule, on_task_schedule);
#undef REG
  hsomp_rts_eventlog_message("hsomp eventlog attached: OpenMP events follow on the Capabilities");
  __atomic_store_n(&hsomp_ompt_enabled, true, __ATOMIC_RELEASE);
}
