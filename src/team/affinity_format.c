/* affinity_format.c -- the affinity format (OpenMP 5.1, 3.3.8-3.3.11).
 *
 * Owns: affinity-format-var (omp_set_affinity_format /
 * omp_get_affinity_format; OMP_AFFINITY_FORMAT gives its initial value,
 * see env.c), rendering a format for the calling thread
 * (omp_capture_affinity, omp_display_affinity) and OMP_DISPLAY_AFFINITY's
 * lines.  The output matches libgomp's byte for byte: field types
 * %t %T %L %n %N %a %H %P %i %A and their long names, `0.` zero-padding,
 * `.` right justification, a width, and %% for a percent sign.
 *
 * A malformed field (libgomp: a fatal error) gets one warning and is
 * copied to the output as written, so a bad format string never ends the
 * program. */
#include "hsomp.h"

#include <errno.h>
#include <limits.h>
#include <omp.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* affinity-format-var lives in hsomp_settings.affinity_format (env.c
 * sets it from OMP_AFFINITY_FORMAT, possibly to a string literal).  It is
 * replaced under format_lock; a replaced string is freed only if it came
 * from here.  The initial value is kept in initial_format once replaced:
 * it is never freed, but stays reachable (no leak report). */
static pthread_mutex_t format_lock = PTHREAD_MUTEX_INITIALIZER;
static char *format_owned;
static const char *initial_format __attribute__((used));

void omp_set_affinity_format(const char *format) {
  char *copy = strdup(format ? format : "");
  if (!copy) {
    hsomp_warn("omp_set_affinity_format: out of memory; format unchanged");
    return;
  }
  pthread_mutex_lock(&format_lock);
  char *old = format_owned;
  if (!old && !initial_format)
    initial_format = hsomp_settings.affinity_format;
  hsomp_settings.affinity_format = copy;
  format_owned = copy;
  pthread_mutex_unlock(&format_lock);
  free(old);
}

/* A private copy of affinity-format-var (to be freed), or NULL. */
static char *current_format(void) {
  pthread_mutex_lock(&format_lock);
  const char *f = hsomp_settings.affinity_format;
  char *copy = strdup(f ? f : "");
  pthread_mutex_unlock(&format_lock);
  return copy;
}

size_t omp_get_affinity_format(char *buffer, size_t size) {
  pthread_mutex_lock(&format_lock);
  const char *f = hsomp_settings.affinity_format ? hsomp_settings.affinity_format : "";
  size_t len = strlen(f);
  if (size && buffer) {
    size_t n = len < size ? len : size - 1;
    memcpy(buffer, f, n);
    buffer[n] = '\0';
  }
  pthread_mutex_unlock(&format_lock);
  return len;
}

/* ------------------------------------------------------------------ */
/* Rendering.                                                           */

/* The output: as much as fits in buf[0..size), while `len` counts all. */
struct out {
  char *buf;
  size_t size;
  size_t len;
};

static void put(struct out *o, const char *s, size_t n) {
  if (o->len < o->size) {
    size_t room = o->size - o->len;
    memcpy(o->buf + o->len, s, n < room ? n : room);
  }
  o->len += n;
}

static void put_repeat(struct out *o, char c, size_t n) {
  for (size_t i = 0; i < n; i++)
    put(o, &c, 1);
}

struct field {
  bool zero;     /* `0.`: pad numbers with zeros after the sign or 0x */
  bool right;    /* `.`: right-justify */
  size_t width;  /* 0: none */
};

/* A text padded to the field's width. */
static void put_text(struct out *o, const struct field *f, const char *s, size_t n) {
  size_t pad = f->width > n ? f->width - n : 0;
  if (f->right)
    put_repeat(o, ' ', pad);
  put(o, s, n);
  if (!f->right)
    put_repeat(o, ' ', pad);
}

/* A number ("-12", "0x7f00"): zeros go after the sign or the 0x. */
static void put_number(struct out *o, const struct field *f, const char *s) {
  size_t n = strlen(s);
  if (!f->zero || f->width <= n) {
    put_text(o, f, s, n);
    return;
  }
  size_t prefix = s[0] == '-' ? 1 : (s[0] == '0' && s[1] == 'x') ? 2 : 0;
  put(o, s, prefix);
  put_repeat(o, '0', f->width - n);
  put(o, s + prefix, n - prefix);
}

static void put_int(struct out *o, const struct field *f, long v) {
  char s[24];
  snprintf(s, sizeof s, "%ld", v);
  put_number(o, f, s);
}

/* A CPU set as libgomp prints it: "0-3,6,8-9". */
static void put_cpuset(struct out *o, const cpu_set_t *set, size_t setsize) {
  unsigned long max = 8 * setsize;
  bool first = true;
  for (unsigned long cpu = 0; cpu < max;) {
    if (!CPU_ISSET_S(cpu, setsize, set)) {
      cpu++;
      continue;
    }
    unsigned long last = cpu;
    while (last + 1 < max && CPU_ISSET_S(last + 1, setsize, set))
      last++;
    char s[48];
    if (last == cpu)
      snprintf(s, sizeof s, "%s%lu", first ? "" : ",", cpu);
    else
      snprintf(s, sizeof s, "%s%lu-%lu", first ? "" : ",", cpu, last);
    put(o, s, strlen(s));
    first = false;
    cpu = last + 1;
  }
}

/* %A: the thread's place, or the CPUs the process may use if unbound. */
static void put_affinity(struct out *o, const struct hsomp_thread *self) {
  const struct hsomp_settings *st = &hsomp_settings;
  if (self->place && self->place <= st->nplaces)
    put_cpuset(o, st->places[self->place - 1], st->cpuset_size);
  else if (st->process_cpus)
    put_cpuset(o, st->process_cpus, st->cpuset_size);
  else {
    char s[32];
    if (st->ncpus > 1)
      snprintf(s, sizeof s, "0-%u", st->ncpus - 1);
    else
      snprintf(s, sizeof s, "0");
    put(o, s, strlen(s));
  }
}

static void put_affinity_field(struct out *o, const struct field *f,
                               const struct hsomp_thread *self) {
  struct out measure = {NULL, 0, 0};
  put_affinity(&measure, self);
  size_t pad = f->width > measure.len ? f->width - measure.len : 0;
  if (f->right)
    put_repeat(o, ' ', pad);
  put_affinity(o, self);
  if (!f->right)
    put_repeat(o, ' ', pad);
}

static void put_hostname(struct out *o, const struct field *f) {
  char name[256];
  if (gethostname(name, sizeof name) != 0)
    strcpy(name, "node");
  name[sizeof name - 1] = '\0';
  put_text(o, f, name, strlen(name));
}

static const struct {
  const char *name;
  char type;
} long_names[] = {
    {"team_num", 't'},      {"num_teams", 'T'},   {"nesting_level", 'L'},
    {"thread_num", 'n'},    {"num_threads", 'N'}, {"ancestor_tnum", 'a'},
    {"host", 'H'},          {"process_id", 'P'},  {"native_thread_id", 'i'},
    {"thread_affinity", 'A'},
};

/* Note [One warning per bad format]
 * A format is rendered twice per line (measure, then write) and once per
 * thread and region, so warning at every malformed field would repeat
 * the same complaint many times.  The first warning of a render claims
 * the format: if it is the one warned about last, the render stays
 * quiet; otherwise it becomes that one and the render warns. */
static char *warned_format; /* under format_lock */

struct warnings {
  const char *format;
  int state; /* 0: not yet asked, 1: warn, -1: quiet */
};

static void format_warn(struct warnings *w, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void format_warn(struct warnings *w, const char *fmt, ...) {
  if (w->state == 0) {
    pthread_mutex_lock(&format_lock);
    if (warned_format && strcmp(warned_format, w->format) == 0) {
      w->state = -1;
    } else {
      free(warned_format);
      warned_format = strdup(w->format);
      w->state = 1;
    }
    pthread_mutex_unlock(&format_lock);
  }
  if (w->state < 0)
    return;
  char msg[256];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  hsomp_warn("affinity format: %s", msg);
}

/* Field widths above this are ignored, with a warning: honouring them
 * would print gigabytes per line (libgomp ignores ULONG_MAX, and fails
 * with an overflow or out of memory above about SIZE_MAX / 2). */
#define MAX_FIELD_WIDTH ((size_t)INT_MAX)

/* Parses the field after a '%' at *p; returns its type (0: malformed,
 * with a warning) and moves *p past it. */
static char parse_field(const char **p, struct field *f, struct warnings *w) {
  const char *s = *p;
  *f = (struct field){0};
  if (*s == '0') {
    f->zero = true;
    s++;
    if (*s != '.') {
      format_warn(w, "a leading 0 must be followed by '.'");
      return 0;
    }
  }
  if (*s == '.') {
    f->right = true;
    s++;
  }
  if (*s >= '1' && *s <= '9') {
    char *end;
    errno = 0;
    f->width = strtoul(s, &end, 10);
    if (errno == ERANGE || f->width > MAX_FIELD_WIDTH) {
      format_warn(w, "field width %.*s is too large; ignored", (int)(end - s), s);
      f->width = 0;
    }
    s = end;
  } else if (f->zero || f->right) {
    format_warn(w, "'0.' or '.' needs a field width");
    return 0;
  }
  char type = *s;
  if (type == '{') {
    const char *close = strchr(s, '}');
    type = 0;
    for (size_t i = 0; close && i < sizeof long_names / sizeof long_names[0]; i++)
      if (strlen(long_names[i].name) == (size_t)(close - s - 1) &&
          strncmp(s + 1, long_names[i].name, (size_t)(close - s - 1)) == 0)
        type = long_names[i].type;
    if (!type) {
      format_warn(w, "unknown field name '%.*s'",
                 close ? (int)(close - s - 1) : (int)strlen(s + 1), s + 1);
      return 0;
    }
    s = close;
  }
  if (!strchr("tTLnNaHPiA", type) || type == 0) {
    format_warn(w, "unknown field type '%c'", type ? type : '?');
    return 0;
  }
  *p = s + 1;
  return type;
}

static void render_field(struct out *o, char type, const struct field *f,
                         const struct hsomp_thread *self) {
  const struct hsomp_team_state *ts = &self->ts;
  switch (type) {
  case 't':
    put_int(o, f, self->icv.team_num);
    break;
  case 'T':
    put_int(o, f, self->icv.league_size ? self->icv.league_size : 1);
    break;
  case 'L':
    put_int(o, f, ts->level);
    break;
  case 'n':
    put_int(o, f, ts->team_id);
    break;
  case 'N':
    put_int(o, f, ts->team ? ts->team->nthreads : 1);
    break;
  case 'a':
    put_int(o, f, ts->team ? (long)ts->team->parent.team_id : -1);
    break;
  case 'H':
    put_hostname(o, f);
    break;
  case 'P':
    put_int(o, f, (long)getpid());
    break;
  case 'i': {
    char s[24];
    snprintf(s, sizeof s, "0x%lx", (unsigned long)pthread_self());
    put_number(o, f, s);
    break;
  }
  case 'A':
    put_affinity_field(o, f, self);
    break;
  }
}

static size_t render(char *buf, size_t size, const char *format, const struct hsomp_thread *self) {
  struct out o = {buf, size, 0};
  struct warnings w = {format, 0};
  for (const char *p = format; *p;) {
    const char *pct = strchr(p, '%');
    if (!pct) {
      put(&o, p, strlen(p));
      break;
    }
    put(&o, p, (size_t)(pct - p));
    p = pct + 1;
    if (*p == '%') {
      put(&o, "%", 1);
      p++;
      continue;
    }
    struct field f;
    const char *after = p;
    char type = parse_field(&after, &f, &w);
    if (!type) {
      /* Copy the malformed field as written, up to the next '%'. */
      const char *next = strchr(p, '%');
      size_t n = next ? (size_t)(next - pct) : strlen(pct);
      put(&o, pct, n);
      p = pct + n;
      continue;
    }
    render_field(&o, type, &f, self);
    p = after;
  }
  return o.len;
}

size_t omp_capture_affinity(char *buffer, size_t size, const char *format) {
  struct hsomp_thread *self = hsomp_self();
  char *own = NULL;
  if (!format || !*format)
    format = own = current_format();
  if (!format) {
    hsomp_warn("omp_capture_affinity: out of memory");
    return 0;
  }
  if (!buffer)
    size = 0;
  size_t len = render(buffer, size, format, self);
  if (size)
    buffer[len < size ? len : size - 1] = '\0';
  free(own);
  return len;
}

/* The line for the calling thread, newly allocated (NULL: no memory). */
static char *capture_line(const char *format) {
  size_t len = omp_capture_affinity(NULL, 0, format);
  char *line = malloc(len + 2);
  if (!line)
    return NULL;
  omp_capture_affinity(line, len + 1, format);
  return line;
}

/* One write per line, so that lines from several threads do not mix. */
static void print_line(char *line) {
  size_t n = strlen(line);
  line[n] = '\n';
  fwrite(line, 1, n + 1, stderr);
  line[n] = '\0';
}

void omp_display_affinity(const char *format) {
  char *line = capture_line(format);
  if (line)
    print_line(line);
  free(line);
}

/* Note [Displaying affinity]
 * With OMP_DISPLAY_AFFINITY=true each thread prints its line (in the
 * affinity-format-var format) when it starts a parallel region and the
 * line differs from the one it printed last: the first region, and then
 * whenever its team, nesting level, place, ... changed, as OpenMP asks.
 * Each thread prints its own line, so %i is always the printing thread. */
void hsomp_affinity_display_changes(struct hsomp_thread *self) {
  char *line = capture_line(NULL);
  if (!line)
    return;
  if (self->shown_affinity && strcmp(self->shown_affinity, line) == 0) {
    free(line);
    return;
  }
  print_line(line);
  free(self->shown_affinity);
  self->shown_affinity = line;
}
