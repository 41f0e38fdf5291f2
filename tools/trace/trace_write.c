/* trace_write.c -- hsomp's timeline tool, output: the recorded spans as a
 * Chrome trace-event JSON file (chrome://tracing, https://ui.perfetto.dev)
 * with one track per thread (and one more per thread for the locks it
 * held, which need not nest with the rest), and as an SVG picture of the
 * same timeline: one row per thread, nested spans drawn inside each other,
 * spans too short to see merged with their neighbours of the same kind. */

#include "trace.h"

#include "omp-tools.h"
#include "ompt_names.h"

#include <dlfcn.h>
#include <errno.h> /* program_invocation_short_name */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *trace_span_name(const struct span *s) {
  switch (s->kind) {
  case SPAN_REGION:
    return "parallel region";
  case SPAN_WORK:
    return hsomp_ompt_work_name(s->sub);
  case SPAN_CHUNK:
    return s->sub == ompt_dispatch_section ? "section" : "chunk";
  case SPAN_TASK:
    return "task";
  case SPAN_BARRIER:
  case SPAN_TASKWAIT:
    return hsomp_ompt_sync_name(s->sub);
  case SPAN_LOCK_WAIT:
  case SPAN_LOCK_HELD: {
    static const char *const wait[] = {"lock wait",      "lock wait",      "lock wait",
                                       "nest lock wait", "nest lock wait", "critical wait",
                                       "atomic wait",    "ordered wait"};
    static const char *const held[] = {"lock",      "lock",     "lock",   "nest lock",
                                       "nest lock", "critical", "atomic", "ordered"};
    unsigned k = s->sub < 8 ? s->sub : 0;
    return s->kind == SPAN_LOCK_WAIT ? wait[k] : held[k];
  }
  }
  return "?";
}

static const char *const categories[SPAN_NKINDS] = {"region",  "work",     "chunk",     "task",
                                                    "barrier", "taskwait", "lock_wait", "lock"};
static const char *const colours[SPAN_NKINDS] = {"#d9d9d9", "#9ecae1", "#3182bd", "#74c476",
                                                 "#e6550d", "#fdae6b", "#756bb1", "#bcbddc"};
/* Consecutive chunks and tasks alternate with these, so that each shows. */
static const char *const alt_colours[SPAN_NKINDS] = {"#d9d9d9", "#9ecae1", "#08519c", "#31a354",
                                                     "#e6550d", "#fdae6b", "#756bb1", "#bcbddc"};

static const char *thread_label(const struct trace_thread *t, char *buf, size_t n) {
  if (t->type == ompt_thread_initial)
    snprintf(buf, n, "initial thread %d", t->index);
  else
    snprintf(buf, n, "worker %d", t->index);
  return buf;
}

static void where(const void *codeptr, char *buf, size_t n) {
  Dl_info info;
  if (!codeptr) {
    snprintf(buf, n, "");
  } else if (dladdr(codeptr, &info) && info.dli_fname) {
    const char *file = strrchr(info.dli_fname, '/');
    snprintf(buf, n, "%s+%#lx", file ? file + 1 : info.dli_fname,
             (unsigned long)((const char *)codeptr - (const char *)info.dli_fbase));
  } else {
    snprintf(buf, n, "%p", codeptr);
  }
}

void trace_write_json(const char *path, struct trace_thread *threads, uint64_t t_end) {
  FILE *f = fopen(path, "w");
  if (!f) {
    perror(path);
    return;
  }
  fprintf(f, "{\"displayTimeUnit\":\"ns\",\"traceEvents\":[\n");
  fprintf(f,
          "{\"name\":\"process_name\",\"ph\":\"M\",\"pid\":1,\"args\":{\"name\":\"%s on hsomp\"}}",
          program_invocation_short_name);
  char label[64], at[256];
  for (struct trace_thread *t = threads; t; t = t->next) {
    fprintf(f,
            ",\n{\"name\":\"thread_name\",\"ph\":\"M\",\"pid\":1,\"tid\":%d,\"args\":"
            "{\"name\":\"%s\"}}",
            t->index, thread_label(t, label, sizeof label));
    fprintf(f,
            ",\n{\"name\":\"thread_sort_index\",\"ph\":\"M\",\"pid\":1,\"tid\":%d,\"args\":"
            "{\"sort_index\":%d}}",
            t->index, 2 * t->index);
    fprintf(f,
            ",\n{\"name\":\"thread_name\",\"ph\":\"M\",\"pid\":1,\"tid\":%d,\"args\":"
            "{\"name\":\"%s: locks held\"}}",
            100000 + t->index, label);
    fprintf(f,
            ",\n{\"name\":\"thread_sort_index\",\"ph\":\"M\",\"pid\":1,\"tid\":%d,\"args\":"
            "{\"sort_index\":%d}}",
            100000 + t->index, 2 * t->index + 1);
    for (size_t i = 0; i < t->nspans; i++) {
      const struct span *s = &t->spans[i];
      where(s->codeptr, at, sizeof at);
      fprintf(f,
              ",\n{\"name\":\"%s\",\"cat\":\"%s\",\"ph\":\"X\",\"pid\":1,\"tid\":%d,"
              "\"ts\":%.3f,\"dur\":%.3f,\"args\":{",
              trace_span_name(s), categories[s->kind],
              s->kind == SPAN_LOCK_HELD ? 100000 + t->index : t->index, s->begin / 1e3,
              (s->end - s->begin) / 1e3);
      const char *sep = "";
      if (at[0]) {
        fprintf(f, "\"at\":\"%s\"", at);
        sep = ",";
      }
      if (s->kind == SPAN_REGION)
        fprintf(f, "%s\"threads\":%llu", sep, (unsigned long long)s->arg);
      else if ((s->kind == SPAN_WORK && s->sub != ompt_work_single_executor &&
                s->sub != ompt_work_single_other) ||
               (s->kind == SPAN_CHUNK && s->sub != ompt_dispatch_section))
        fprintf(f, "%s\"iterations\":%llu", sep, (unsigned long long)s->arg);
      else if (s->kind == SPAN_CHUNK)
        fprintf(f, "%s\"section\":%llu", sep, (unsigned long long)s->arg);
      fprintf(f, "}}");
    }
  }
  fprintf(f, "\n]}\n");
  fclose(f);
}

/* ------------------------------------------------------------------ */
/* SVG.                                                                 */

#define SVG_W 1400
#define LEFT 150
#define RIGHT 20
#define TOP 50
#define ROW 34
#define ROW_GAP 6

static int by_depth_then_begin(const void *a, const void *b) {
  const struct span *x = *(struct span *const *)a, *y = *(struct span *const *)b;
  if (x->depth != y->depth)
    return x->depth < y->depth ? -1 : 1;
  return x->begin < y->begin ? -1 : x->begin > y->begin;
}

struct pending {
  int kind;
  double x0, x1;
  size_t merged;
  bool alt;
};

static void flush(FILE *f, struct pending *p, double y, double h, const char *name) {
  if (p->kind < 0)
    return;
  double w = p->x1 - p->x0;
  if (w < 0.4)
    w = 0.4;
  fprintf(f,
          "<rect x=\"%.2f\" y=\"%.1f\" width=\"%.2f\" height=\"%.1f\" fill=\"%s\">"
          "<title>%s%s</title></rect>\n",
          p->x0, y, w, h, p->alt ? alt_colours[p->kind] : colours[p->kind], name,
          p->merged > 1 ? " (merged)" : "");
  p->kind = -1;
}

static void time_label(double ns, char *buf, size_t n) {
  if (ns >= 1e9)
    snprintf(buf, n, "%.2f s", ns / 1e9);
  else if (ns >= 1e6)
    snprintf(buf, n, "%.2f ms", ns / 1e6);
  else
    snprintf(buf, n, "%.1f us", ns / 1e3);
}

void trace_write_svg(const char *path, struct trace_thread *threads, uint64_t t_end,
                     const char *title) {
  int nthreads = 0;
  uint64_t tmin = UINT64_MAX, tmax = 0;
  for (struct trace_thread *t = threads; t; t = t->next, nthreads++)
    for (size_t i = 0; i < t->nspans; i++) {
      if (t->spans[i].begin < tmin)
        tmin = t->spans[i].begin;
      if (t->spans[i].end > tmax)
        tmax = t->spans[i].end;
    }
  if (tmin >= tmax) {
    tmin = 0;
    tmax = t_end ? t_end : 1;
  }
  FILE *f = fopen(path, "w");
  if (!f) {
    perror(path);
    return;
  }
  int height = TOP + nthreads * (ROW + ROW_GAP) + 70;
  double scale = (double)(SVG_W - LEFT - RIGHT) / (double)(tmax - tmin);
  fprintf(f,
          "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
          "font-family=\"sans-serif\" font-size=\"12\">\n",
          SVG_W, height);
  fprintf(f, "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n");
  char buf[64];
  time_label((double)(tmax - tmin), buf, sizeof buf);
  fprintf(f, "<text x=\"10\" y=\"18\" font-size=\"14\">%s on hsomp: %d threads, %s</text>\n", title,
          nthreads, buf);
  for (int k = 0; k <= 10; k++) {
    double x = LEFT + k * (SVG_W - LEFT - RIGHT) / 10.0;
    time_label((tmax - tmin) * k / 10.0, buf, sizeof buf);
    fprintf(f, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#eee\"/>\n", x, TOP - 8,
            x, TOP + nthreads * (ROW + ROW_GAP));
    fprintf(f, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\" fill=\"#555\">%s</text>\n", x,
            TOP - 12, buf);
  }
  /* Rows in thread order. */
  struct trace_thread **order = calloc((size_t)nthreads, sizeof *order);
  for (struct trace_thread *t = threads; t && order; t = t->next)
    if (t->index >= 0 && t->index < nthreads)
      order[t->index] = t;
  for (int r = 0; order && r < nthreads; r++) {
    struct trace_thread *t = order[r];
    if (!t)
      continue;
    double y0 = TOP + r * (ROW + ROW_GAP);
    fprintf(f, "<text x=\"10\" y=\"%.1f\">%s</text>\n", y0 + ROW / 2.0 + 4,
            thread_label(t, buf, sizeof buf));
    struct span **s = malloc(t->nspans * sizeof *s);
    if (!s)
      continue;
    for (size_t i = 0; i < t->nspans; i++)
      s[i] = &t->spans[i];
    qsort(s, t->nspans, sizeof *s, by_depth_then_begin);
    struct pending p = {-1, 0, 0, 0, false};
    int p_last_kind = -1;
    bool alt = false;
    uint32_t depth = 0;
    const char *name = "";
    double y = y0, h = ROW;
    for (size_t i = 0; i < t->nspans; i++) {
      const struct span *sp = s[i];
      if (sp->depth != depth) {
        flush(f, &p, y, h, name);
        depth = sp->depth;
      }
      double x0 = LEFT + (sp->begin - tmin) * scale, x1 = LEFT + (sp->end - tmin) * scale;
      if (sp->kind == SPAN_LOCK_HELD) { /* a thin bar at the bottom of the row */
        fprintf(f, "<rect x=\"%.2f\" y=\"%.1f\" width=\"%.2f\" height=\"4\" fill=\"%s\"/>\n", x0,
                y0 + ROW - 4, x1 - x0 < 0.4 ? 0.4 : x1 - x0, colours[SPAN_LOCK_HELD]);
        continue;
      }
      /* Spans under a pixel that touch the previous one of their kind cannot
       * be told apart: one rectangle. */
      if (p.kind == sp->kind && x0 <= p.x1 + 0.5 && (x1 - x0 < 1.0 || p.x1 - p.x0 < 1.0)) {
        if (x1 > p.x1)
          p.x1 = x1;
        p.merged++;
        continue;
      }
      flush(f, &p, y, h, name);
      double inset = depth * 4.0 > ROW / 2.0 - 3 ? ROW / 2.0 - 3 : depth * 4.0;
      y = y0 + inset;
      h = ROW - 2 * inset;
      name = trace_span_name(sp);
      alt = sp->kind == p_last_kind ? !alt : false;
      p_last_kind = sp->kind;
      p = (struct pending){sp->kind, x0, x1, 1, alt};
    }
    flush(f, &p, y, h, name);
    free(s);
  }
  free(order);
  /* Legend. */
  double ly = TOP + nthreads * (ROW + ROW_GAP) + 20;
  static const char *const legend[SPAN_NKINDS] = {
      "parallel region", "worksharing construct",     "loop chunk / section", "task",
      "barrier wait",    "taskwait / taskgroup wait", "lock / critical wait", "lock held"};
  for (int k = 0; k < SPAN_NKINDS; k++) {
    double lx = 10 + (k % 4) * 300;
    double yy = ly + (k / 4) * 20;
    fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"14\" height=\"12\" fill=\"%s\"/>", lx, yy - 10,
            colours[k]);
    fprintf(f, "<text x=\"%.1f\" y=\"%.1f\">%s</text>\n", lx + 20, yy, legend[k]);
  }
  fprintf(f, "</svg>\n");
  fclose(f);
}
