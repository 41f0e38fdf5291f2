/* trace.h -- hsomp's timeline tool (libhsomp-trace.so, `hsomp-run --trace
 * FILE'): an OMPT tool that records, per thread, the spans of what the
 * thread did (parallel regions, worksharing constructs and their chunks,
 * tasks, barrier and other waits, lock waits and holds) and writes them
 * at exit as a Chrome trace-event JSON file and an SVG picture.
 *
 * trace_record.c owns the OMPT side (callbacks, per-thread buffers);
 * trace_write.c turns the finished spans into the two files. */
#ifndef HSOMP_TRACE_H
#define HSOMP_TRACE_H

#include <stddef.h>
#include <stdint.h>

enum span_kind {
  SPAN_REGION,    /* an implicit task: the thread's part of a parallel region */
  SPAN_WORK,      /* loop, sections, single, taskloop, scope */
  SPAN_CHUNK,     /* a loop chunk or a section */
  SPAN_TASK,      /* an explicit task running */
  SPAN_BARRIER,   /* waiting at a barrier */
  SPAN_TASKWAIT,  /* waiting in taskwait / taskgroup */
  SPAN_LOCK_WAIT, /* waiting for a lock, critical, atomic or ordered */
  SPAN_LOCK_HELD, /* holding one */
  SPAN_NKINDS
};

struct span {
  uint64_t begin, end; /* ns since the tool started */
  uint32_t depth;      /* nesting on its thread, 0 outermost */
  uint8_t kind;        /* enum span_kind */
  uint8_t sub;         /* the OMPT work type, sync kind or mutex kind */
  const void *codeptr; /* the user's call site, if known */
  uint64_t arg;        /* iterations of a loop or chunk; team size; ... */
};

struct trace_thread {
  struct trace_thread *next;
  int index;           /* 0: the initial thread, then in order of creation */
  int type;            /* ompt_thread_t */
  struct span *spans;
  size_t nspans, cap;
  uint64_t dropped;    /* spans over the cap (HSOMP_TRACE_MAX_SPANS) */
};

/* trace_write.c */
void trace_write_json(const char *path, struct trace_thread *threads, uint64_t t_end);
void trace_write_svg(const char *path, struct trace_thread *threads, uint64_t t_end,
                     const char *title);
const char *trace_span_name(const struct span *s);

#endif
