/* sections.c -- the sections construct (libgomp sections.c):
 * GOMP_sections_start/next, GOMP_sections2_start (task reductions and the
 * compiler's `mem` buffer), the combined GOMP_parallel_sections forms and
 * the GOMP_sections_end family.  Sections 1..count are handed out like the
 * iterations of a dynamic loop with chunk 1; 0 means "no more". */
#include "iter.h"
#include "ompt_internal.h"

static struct hsomp_loop_args sections_args(unsigned count) {
  return (struct hsomp_loop_args){.begin = 1, .end = (uint64_t)count + 1, .incr = 1,
                                  .ull = true, .up = true, .sched = HSOMP_SCHED_DYNAMIC,
                                  .chunk = 1};
}

static unsigned next_section(struct hsomp_work_share *ws) {
  uint64_t lo, hi;
  unsigned section = hsomp_iter_dynamic_next(ws, &lo, &hi) ? (unsigned)lo + 1 : 0;
  HSOMP_OMPT(section(section));
  return section;
}

unsigned GOMP_sections_start(unsigned count) {
  struct hsomp_thread *self = hsomp_self();
  struct hsomp_loop_args a = sections_args(count);
  hsomp_loop_begin(self, &a);
  HSOMP_OMPT(work(ompt_work_sections, ompt_scope_begin, HSOMP_OMPT_RA));
  return next_section(self->ts.ws);
}

unsigned GOMP_sections2_start(unsigned count, uintptr_t *reductions, void **mem) {
  struct hsomp_thread *self = hsomp_self();
  struct hsomp_loop_args a = sections_args(count);
  a.reductions = reductions;
  a.mem = mem;
  hsomp_loop_begin(self, &a);
  HSOMP_OMPT(work(ompt_work_sections, ompt_scope_begin, HSOMP_OMPT_RA));
  return next_section(self->ts.ws);
}

unsigned GOMP_sections_next(void) { return next_section(hsomp_self()->ts.ws); }

static void parallel_sections_ws_init(struct hsomp_work_share *ws, unsigned nthreads,
                                      const void *arg) {
  hsomp_iter_init(ws, nthreads, arg);
  ws->ompt_work = ompt_work_sections;
}

static HSOMP_OMPT_INLINE void parallel_sections_begin(void (*fn)(void *), void *data,
                                                      unsigned num_threads, unsigned count,
                                                      unsigned flags) {
  HSOMP_OMPT_CODEPTR();
  struct hsomp_thread *self = hsomp_self();
  struct hsomp_loop_args a = sections_args(count);
  hsomp_team_begin(fn, data, hsomp_resolve_nthreads(self, num_threads), flags,
                   parallel_sections_ws_init, &a);
}

void GOMP_parallel_sections(void (*fn)(void *), void *data, unsigned num_threads, unsigned count,
                            unsigned flags) {
  parallel_sections_begin(fn, data, num_threads, count, flags);
  fn(data);
  hsomp_team_end();
}

/* GOMP 1.0: the caller runs fn and then calls GOMP_parallel_end. */
void GOMP_parallel_sections_start(void (*fn)(void *), void *data, unsigned num_threads,
                                  unsigned count) {
  parallel_sections_begin(fn, data, num_threads, count, 0);
}

void GOMP_sections_end(void) {
  HSOMP_OMPT(work(ompt_work_sections, ompt_scope_end, HSOMP_OMPT_RA));
  hsomp_loop_end(hsomp_self(), false);
}
void GOMP_sections_end_nowait(void) {
  HSOMP_OMPT(work(ompt_work_sections, ompt_scope_end, HSOMP_OMPT_RA));
  hsomp_loop_end(hsomp_self(), true);
}
bool GOMP_sections_end_cancel(void) {
  HSOMP_OMPT(work(ompt_work_sections, ompt_scope_end, HSOMP_OMPT_RA));
  return hsomp_loop_end_cancel(hsomp_self());
}
