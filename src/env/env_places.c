/* env_places.c -- the place list of OMP_PLACES / GOMP_CPU_AFFINITY
 * (libgomp 12's syntax and semantics), parsed and validated into
 * hsomp_settings.places for the affinity code.  The CPUs the process may
 * use and the machine's topology (the abstract names) are
 * env_topology.c's.
 *
 *   OMP_PLACES   threads | cores | sockets | ll_caches | numa_domains,
 *                each with an optional (count); or an explicit list:
 *                  list  := item (',' item)*
 *                  item  := ['!'] place [':' len [':' stride]]
 *                  place := '{' res (',' res)* '}' | cpu
 *                  res   := ['!'] cpu [':' len [':' stride]]
 *                `!` excludes a CPU from a place (only after all its CPUs
 *                are added) or an earlier identical place from the list;
 *                an interval repeats the place (or CPU) len times, moved
 *                by stride each time.
 *   GOMP_CPU_AFFINITY  CPUs or ranges a-b[:stride] (numbers in C syntax),
 *                separated by spaces or commas; one place per CPU.
 *
 * An explicit list keeps only the CPUs the process may use, and places
 * left empty are dropped with one line of notice.  (libgomp keeps the
 * unusable places of GOMP_CPU_AFFINITY and then fails to create threads;
 * hsomp drops them as it does for OMP_PLACES.)  Where the topology cannot
 * be read hsomp assumes one socket, one cache and one NUMA domain, and one
 * thread per core, rather than failing as libgomp does. */
#include "env_internal.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_PLACES 65536UL

/* ------------------------------------------------------------------ */
/* The explicit list syntax.                                            */

struct parser {
  const char *s;
  char why[128]; /* the first problem found */
};

/* Records the first problem; a NULL fmt is a problem without a reason. */
static bool fail(struct parser *p, const char *fmt, ...) {
  if (!p->why[0] && fmt) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->why, sizeof p->why, fmt, ap);
    va_end(ap);
  }
  return false;
}

static void skip(struct parser *p) { p->s = hsomp_skip_spaces(p->s); }

/* [':' len [':' stride]] after a CPU or a place; len in [1, max_len). */
static bool parse_interval(struct parser *p, unsigned long max_len, unsigned long *len,
                           long *stride) {
  *len = 1;
  *stride = 1;
  skip(p);
  if (*p->s != ':')
    return true;
  p->s++;
  skip(p);
  if (!hsomp_take_ulong(&p->s, len) || *len == 0 || *len >= max_len)
    return max_len == ULONG_MAX ? fail(p, "a length must be a positive number")
                                : fail(p, "a length must be a number from 1 to %lu", max_len - 1);
  skip(p);
  if (*p->s == ':') {
    p->s++;
    skip(p);
    if (!hsomp_take_long(&p->s, stride))
      return fail(p, "a stride must be a number");
    skip(p);
  }
  return true;
}

/* cpu, cpu+stride, ... (len CPUs) into place. */
static bool add_cpus(struct parser *p, cpu_set_t *place, unsigned long cpu, unsigned long len,
                     long stride) {
  if (stride == 0)
    len = 1;
  for (;;) {
    if (cpu >= hsomp_cpus_max())
      return fail(p, "CPU %lu is out of range", cpu);
    CPU_SET_S(cpu, hsomp_settings.cpuset_size, place);
    if (--len == 0)
      return true;
    if (stride < 0 && cpu < (unsigned long)-(stride + 1) + 1)
      return fail(p, "CPU %lu moved by %ld is out of range", cpu, stride);
    cpu += (unsigned long)stride; /* wraps only when out of range anyway */
    if (stride > 0 && cpu < (unsigned long)stride)
      return fail(p, "a CPU number overflows");
  }
}

/* '{' res (',' res)* '}' or a bare CPU number. */
static bool parse_place(struct parser *p, cpu_set_t *place) {
  unsigned long cpu, len;
  long stride;
  skip(p);
  if (*p->s != '{') {
    if (!hsomp_take_ulong(&p->s, &cpu))
      return fail(p, "a place must be {CPUs} or a CPU number");
    return add_cpus(p, place, cpu, 1, 1);
  }
  const char *first = p->s + 1;
  /* Pass 0 adds the CPUs, pass 1 takes out the excluded ones. */
  for (int pass = 0; pass < 2; pass++) {
    p->s = first;
    for (;;) {
      skip(p);
      bool exclude = *p->s == '!';
      if (exclude) {
        p->s++;
        skip(p);
      }
      if (!hsomp_take_ulong(&p->s, &cpu))
        return fail(p, "expected a CPU number inside {}");
      skip(p);
      if (exclude && *p->s == ':')
        return fail(p, "an excluded CPU cannot have a length");
      if (!parse_interval(p, ULONG_MAX, &len, &stride))
        return false;
      if (pass == 0 && !exclude && !add_cpus(p, place, cpu, len, stride))
        return false;
      if (pass == 1 && exclude) {
        if (!hsomp_cpus_has(place, cpu))
          return fail(p, "CPU %lu is excluded from a place that does not have it", cpu);
        CPU_CLR_S(cpu, hsomp_settings.cpuset_size, place);
      }
      if (*p->s == '}')
        break;
      if (*p->s != ',')
        return fail(p, "expected ',' or '}' inside a place");
      p->s++;
    }
  }
  p->s++; /* the '}' */
  return true;
}

/* `from` moved by stride into a new set. */
static bool shifted_copy(struct parser *p, const cpu_set_t *from, long stride, cpu_set_t **out) {
  cpu_set_t *to = hsomp_cpus_new();
  for (unsigned long i = 0; i < hsomp_cpus_max(); i++) {
    if (!hsomp_cpus_has(from, i))
      continue;
    bool below = stride < 0 && i < (unsigned long)-(stride + 1) + 1;
    unsigned long j = i + (unsigned long)stride;
    if (below || (stride > 0 && j < i) || j >= hsomp_cpus_max()) {
      free(to);
      return fail(p, "CPU %lu moved by %ld is out of range", i, stride);
    }
    CPU_SET_S(j, hsomp_settings.cpuset_size, to);
  }
  *out = to;
  return true;
}

static bool parse_explicit_list(struct parser *p, struct hsomp_place_list *l) {
  for (;;) {
    skip(p);
    bool exclude = *p->s == '!';
    if (exclude)
      p->s++;
    cpu_set_t *place = hsomp_cpus_new();
    if (!parse_place(p, place)) {
      free(place);
      return false;
    }
    skip(p);
    if (exclude && *p->s == ':') {
      free(place);
      return fail(p, "an excluded place cannot have a length");
    }
    unsigned long len;
    long stride;
    if (!parse_interval(p, MAX_PLACES, &len, &stride)) {
      free(place);
      return false;
    }
    if (exclude) {
      unsigned long i = 0;
      while (i < l->len && !CPU_EQUAL_S(hsomp_settings.cpuset_size, l->v[i], place))
        i++;
      free(place);
      if (i == l->len)
        return fail(p, "an excluded place is not in the list");
      free(l->v[i]);
      memmove(&l->v[i], &l->v[i + 1], (l->len - i - 1) * sizeof l->v[0]);
      l->len--;
    } else {
      hsomp_places_push(l, place);
      for (unsigned long k = 1; k < len; k++) {
        cpu_set_t *next = NULL;
        if (!shifted_copy(p, l->v[l->len - 1], stride, &next))
          return false;
        hsomp_places_push(l, next);
      }
      if (l->len > MAX_PLACES)
        return fail(p, "more than %lu places", MAX_PLACES);
    }
    if (*p->s == '\0')
      break;
    if (*p->s++ != ',')
      return fail(p, "expected ',' between places");
  }
  if (l->len == 0)
    return fail(p, "every place was excluded");
  return true;
}

/* Keeps only the CPUs the process may use; drops places left empty. */
static bool keep_usable_cpus(struct hsomp_place_list *l, const char *name, const char *value) {
  unsigned long kept = 0;
  for (unsigned long i = 0; i < l->len; i++) {
    CPU_AND_S(hsomp_settings.cpuset_size, l->v[i], l->v[i], hsomp_settings.process_cpus);
    if (hsomp_cpus_count(l->v[i]) > 0)
      l->v[kept++] = l->v[i];
    else
      free(l->v[i]);
  }
  unsigned long given = l->len;
  l->len = kept;
  if (kept == 0) {
    hsomp_env_invalid(name, value, "no place has a CPU this process may use");
    return false;
  }
  if (kept < given)
    hsomp_warn("%s: %lu of the %lu places have no CPU this process may use; they are left out",
               name, given - kept, given);
  return true;
}

/* threads | cores | ... [ '(' count ')' ]: the level, 0 if the value
 * does not start with one of the names, -1 if it is malformed. */
static int parse_abstract(struct parser *p, unsigned long *count) {
  static const struct {
    const char *name;
    enum level level;
  } names[] = {{"threads", THREADS},
               {"cores", CORES},
               {"sockets", SOCKETS},
               {"ll_caches", LL_CACHES},
               {"numa_domains", NUMA_DOMAINS}};
  int level = 0;
  for (unsigned i = 0; i < sizeof names / sizeof names[0] && !level; i++)
    if (hsomp_take_word(&p->s, names[i].name))
      level = names[i].level;
  if (!level)
    return 0;
  *count = ULONG_MAX;
  skip(p);
  if (*p->s == '\0')
    return level;
  if (*p->s != '(') {
    fail(p, NULL);
    return -1;
  }
  p->s++;
  skip(p);
  if (!hsomp_take_ulong(&p->s, count) || *count == 0) {
    fail(p, "the number of places must be at least 1");
    return -1;
  }
  skip(p);
  if (*p->s != ')') {
    fail(p, "expected ')'");
    return -1;
  }
  p->s++;
  skip(p);
  if (*p->s != '\0') {
    fail(p, NULL);
    return -1;
  }
  return level;
}

/* OMP_PLACES into l; false (reported) if malformed.  *explicit_list:
 * the places were written out, not read from the topology. */
static bool parse_omp_places(const char *value, struct hsomp_place_list *l, bool *explicit_list) {
  struct parser p = {.s = hsomp_skip_spaces(value)};
  unsigned long count;
  int level = parse_abstract(&p, &count);
  *explicit_list = level == 0;
  if (level > 0) {
    hsomp_places_from_topology((enum level)level, count, l);
    return true;
  }
  if (level == 0) {
    p.s = hsomp_skip_spaces(value);
    if (*p.s && parse_explicit_list(&p, l))
      return true;
  }
  hsomp_places_free(l);
  hsomp_env_invalid("OMP_PLACES", value, p.why[0] ? p.why : NULL);
  return false;
}

/* A number in C syntax (decimal, 0x hex, 0 octal), as strtoul base 0. */
static bool take_c_number(const char **s, unsigned long *out) {
  const char *p = *s;
  if (!isdigit((unsigned char)*p))
    return false;
  errno = 0;
  char *end;
  *out = strtoul(p, &end, 0);
  *s = end;
  return errno == 0;
}

/* GOMP_CPU_AFFINITY into l; false (reported) if malformed. */
static bool parse_cpu_affinity(const char *value, struct hsomp_place_list *l) {
  const char *s = value;
  for (;;) {
    s = hsomp_skip_spaces(s);
    unsigned long first, last, stride = 1;
    if (!take_c_number(&s, &first) || first >= MAX_PLACES)
      goto invalid;
    last = first;
    if (*s == '-') {
      s++;
      if (!take_c_number(&s, &last) || last >= MAX_PLACES || last < first)
        goto invalid;
      if (*s == ':') {
        s++;
        if (!take_c_number(&s, &stride) || stride == 0 || stride >= MAX_PLACES)
          goto invalid;
      }
    }
    for (unsigned long cpu = first; cpu <= last; cpu += stride)
      if (cpu < hsomp_cpus_max())
        hsomp_places_push(l, hsomp_cpus_single(cpu));
    s = hsomp_skip_spaces(s);
    if (*s == ',')
      s++;
    else if (*s == '\0')
      return true;
  }
invalid:
  hsomp_places_free(l);
  hsomp_env_invalid("GOMP_CPU_AFFINITY", value, NULL);
  return false;
}

bool hsomp_env_parse_places(bool keep) {
  bool got = false;
  const char *value = getenv("OMP_PLACES");
  if (value) {
    struct hsomp_place_list l = {0};
    bool explicit_list;
    if (parse_omp_places(value, &l, &explicit_list) && keep &&
        (!explicit_list || keep_usable_cpus(&l, "OMP_PLACES", value))) {
      hsomp_places_install(&l);
      got = true;
    }
    hsomp_places_free(&l);
  }
  value = getenv("GOMP_CPU_AFFINITY");
  if (value) {
    struct hsomp_place_list l = {0};
    if (parse_cpu_affinity(value, &l) && keep && !got && l.len > 0 &&
        keep_usable_cpus(&l, "GOMP_CPU_AFFINITY", value)) {
      hsomp_places_install(&l);
      got = true;
    }
    hsomp_places_free(&l);
  }
  return got;
}

void hsomp_env_default_places(void) {
  struct hsomp_place_list l = {0};
  hsomp_places_from_topology(THREADS, ULONG_MAX, &l);
  hsomp_places_install(&l);
}

void hsomp_env_format_places(void) {
  char *text = NULL;
  size_t size = 0;
  FILE *f = open_memstream(&text, &size);
  if (!f)
    return;
  for (unsigned long i = 0; i < hsomp_settings.nplaces; i++) {
    const cpu_set_t *place = hsomp_settings.places[i];
    fputs(i ? ",{" : "{", f);
    bool first = true;
    /* Runs of consecutive CPUs as start:length. */
    for (unsigned long c = 0; c < hsomp_cpus_max(); c++) {
      if (!hsomp_cpus_has(place, c))
        continue;
      unsigned long run = 1;
      while (hsomp_cpus_has(place, c + run))
        run++;
      fprintf(f, first ? "%lu" : ",%lu", c);
      if (run > 1)
        fprintf(f, ":%lu", run);
      first = false;
      c += run - 1;
    }
    fputc('}', f);
  }
  if (fclose(f) == 0)
    hsomp_settings.places_string = text;
}
