/* env_places.c -- the CPUs the process may use, and the place list of
 * OMP_PLACES / GOMP_CPU_AFFINITY (libgomp 12's syntax and semantics),
 * parsed and validated into hsomp_settings.places for the affinity code.
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
 * hsomp drops them as it does for OMP_PLACES.)  The abstract names are
 * read from /sys; where the topology cannot be read hsomp assumes one
 * socket, one cache and one NUMA domain, and one thread per core, rather
 * than failing as libgomp does. */
#include "env_internal.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_PLACES 65536UL

/* ------------------------------------------------------------------ */
/* CPU sets of hsomp_settings.cpuset_size bytes.                         */

static cpu_set_t *cpus_new(void) {
  /* Never freed once installed; the size is a few words. */
  cpu_set_t *set = calloc(1, hsomp_settings.cpuset_size);
  if (!set)
    hsomp_fatal("out of memory reading the place list");
  return set;
}

static unsigned long cpus_max(void) { return 8 * hsomp_settings.cpuset_size; }

static bool cpus_has(const cpu_set_t *set, unsigned long cpu) {
  return cpu < cpus_max() && CPU_ISSET_S(cpu, hsomp_settings.cpuset_size, set);
}

static unsigned long cpus_count(const cpu_set_t *set) {
  return (unsigned long)CPU_COUNT_S(hsomp_settings.cpuset_size, set);
}

void hsomp_env_read_cpus(void) {
  long conf = sysconf(_SC_NPROCESSORS_CONF);
  size_t size = CPU_ALLOC_SIZE(conf > 0 ? conf : 1);
  /* The kernel refuses a buffer smaller than its own CPU mask: grow. */
  for (;;) {
    cpu_set_t *set = calloc(1, size);
    if (!set)
      break;
    if (hsomp_os_allowed_cpus(size, set)) {
      unsigned long highest = 0, count = (unsigned long)CPU_COUNT_S(size, set);
      for (unsigned long i = 0; i < 8 * size; i++)
        if (CPU_ISSET_S(i, size, set))
          highest = i;
      if (count > 0) {
        hsomp_settings.ncpus = count > UINT_MAX ? UINT_MAX : (unsigned)count;
        hsomp_settings.process_cpus = set;
        /* Like libgomp: CPU numbers beyond the last usable one (rounded
         * up to a word) are out of range in place lists. */
        hsomp_settings.cpuset_size = CPU_ALLOC_SIZE(highest + 1);
        return;
      }
    }
    free(set);
    if (errno != EINVAL || size >= (1u << 20))
      break;
    size *= 2;
  }
  /* No affinity mask: assume the online CPUs 0..n-1. */
  long online = sysconf(_SC_NPROCESSORS_ONLN);
  unsigned long n = online > 0 ? (unsigned long)online : 1;
  hsomp_settings.ncpus = (unsigned)n;
  hsomp_settings.cpuset_size = CPU_ALLOC_SIZE(n);
  hsomp_settings.process_cpus = cpus_new();
  for (unsigned long i = 0; i < n; i++)
    CPU_SET_S(i, hsomp_settings.cpuset_size, hsomp_settings.process_cpus);
}

/* ------------------------------------------------------------------ */
/* A growing list of places.                                            */

struct place_list {
  cpu_set_t **v;
  unsigned long len, cap;
};

static void list_push(struct place_list *l, cpu_set_t *place) {
  if (l->len == l->cap) {
    unsigned long cap = l->cap ? l->cap * 2 : 16;
    cpu_set_t **grown = realloc(l->v, cap * sizeof *grown);
    if (!grown)
      hsomp_fatal("out of memory reading the place list");
    l->v = grown;
    l->cap = cap;
  }
  l->v[l->len++] = place;
}

static void list_free(struct place_list *l) {
  for (unsigned long i = 0; i < l->len; i++)
    free(l->v[i]);
  free(l->v);
  *l = (struct place_list){0};
}

static void list_install(struct place_list *l) {
  hsomp_settings.places = l->v;
  hsomp_settings.nplaces = l->len;
  *l = (struct place_list){0};
}

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
    if (cpu >= cpus_max())
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
        if (!cpus_has(place, cpu))
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
  cpu_set_t *to = cpus_new();
  for (unsigned long i = 0; i < cpus_max(); i++) {
    if (!cpus_has(from, i))
      continue;
    bool below = stride < 0 && i < (unsigned long)-(stride + 1) + 1;
    unsigned long j = i + (unsigned long)stride;
    if (below || (stride > 0 && j < i) || j >= cpus_max()) {
      free(to);
      return fail(p, "CPU %lu moved by %ld is out of range", i, stride);
    }
    CPU_SET_S(j, hsomp_settings.cpuset_size, to);
  }
  *out = to;
  return true;
}

static bool parse_explicit_list(struct parser *p, struct place_list *l) {
  for (;;) {
    skip(p);
    bool exclude = *p->s == '!';
    if (exclude)
      p->s++;
    cpu_set_t *place = cpus_new();
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
      list_push(l, place);
      for (unsigned long k = 1; k < len; k++) {
        cpu_set_t *next = NULL;
        if (!shifted_copy(p, l->v[l->len - 1], stride, &next))
          return false;
        list_push(l, next);
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
static bool keep_usable_cpus(struct place_list *l, const char *name, const char *value) {
  unsigned long kept = 0;
  for (unsigned long i = 0; i < l->len; i++) {
    CPU_AND_S(hsomp_settings.cpuset_size, l->v[i], l->v[i], hsomp_settings.process_cpus);
    if (cpus_count(l->v[i]) > 0)
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

/* ------------------------------------------------------------------ */
/* Places from the machine's topology (/sys).                           */

enum level { THREADS = 1, CORES, SOCKETS, LL_CACHES, NUMA_DOMAINS };

/* A kernel CPU (or node) list such as "0-3,8,10-11" into set. */
static bool read_list(const char *path, cpu_set_t *set) {
  FILE *f = fopen(path, "r");
  if (!f)
    return false;
  char line[4096];
  bool ok = fgets(line, sizeof line, f) != NULL;
  fclose(f);
  if (!ok)
    return false;
  const char *s = line;
  while (*s && *s != '\n') {
    unsigned long first, last;
    if (!hsomp_take_ulong(&s, &first))
      return false;
    last = first;
    if (*s == '-') {
      s++;
      if (!hsomp_take_ulong(&s, &last) || last < first)
        return false;
    }
    for (unsigned long i = first; i <= last && i < cpus_max(); i++)
      CPU_SET_S(i, hsomp_settings.cpuset_size, set);
    if (*s == ',')
      s++;
  }
  return true;
}

/* The CPUs sharing `what` with cpu, among `among`: always includes cpu.
 * When /sys cannot tell, all of `among` (alone_if_unknown false) or just
 * cpu itself. */
static cpu_set_t *group_of(unsigned long cpu, const char *path, const cpu_set_t *among,
                           bool alone_if_unknown) {
  cpu_set_t *g = cpus_new();
  if (path && read_list(path, g)) {
    CPU_AND_S(hsomp_settings.cpuset_size, g, g, among);
  } else if (!alone_if_unknown) {
    CPU_OR_S(hsomp_settings.cpuset_size, g, g, among);
  }
  CPU_SET_S(cpu, hsomp_settings.cpuset_size, g);
  return g;
}

static void take_out(cpu_set_t *left, const cpu_set_t *group) {
  CPU_XOR_S(hsomp_settings.cpuset_size, left, left, group); /* group is within left */
}

static cpu_set_t *single(unsigned long cpu) {
  cpu_set_t *g = cpus_new();
  CPU_SET_S(cpu, hsomp_settings.cpuset_size, g);
  return g;
}

/* The cache index of the last-level cache of cpu (the highest level;
 * among equals, the highest index), or -1. */
static int last_level_cache(unsigned long cpu) {
  int best = -1;
  unsigned long best_level = 0;
  for (int idx = 0; idx < 128; idx++) {
    char path[96];
    snprintf(path, sizeof path, "/sys/devices/system/cpu/cpu%lu/cache/index%d/level", cpu, idx);
    FILE *f = fopen(path, "r");
    if (!f)
      break;
    char line[32];
    if (fgets(line, sizeof line, f)) {
      const char *s = line;
      unsigned long level;
      if (hsomp_take_ulong(&s, &level) && level >= best_level) {
        best = idx;
        best_level = level;
      }
    }
    fclose(f);
  }
  return best;
}

/* Sockets, cores and threads: sockets in the order of their first CPU,
 * cores likewise inside their socket, threads in order inside their
 * core (libgomp's order). */
static void places_by_package(enum level level, unsigned long count, cpu_set_t *left,
                              struct place_list *l) {
  char path[96];
  for (unsigned long c = 0; c < cpus_max() && l->len < count; c++) {
    if (!cpus_has(left, c))
      continue;
    snprintf(path, sizeof path, "/sys/devices/system/cpu/cpu%lu/topology/core_siblings_list", c);
    cpu_set_t *socket = group_of(c, path, left, false);
    take_out(left, socket);
    if (level == SOCKETS) {
      list_push(l, socket);
      continue;
    }
    for (unsigned long t = 0; t < cpus_max() && l->len < count; t++) {
      if (!cpus_has(socket, t))
        continue;
      snprintf(path, sizeof path, "/sys/devices/system/cpu/cpu%lu/topology/thread_siblings_list",
               t);
      cpu_set_t *core = group_of(t, path, socket, true);
      take_out(socket, core);
      if (level == CORES) {
        list_push(l, core);
        continue;
      }
      for (unsigned long u = 0; u < cpus_max() && l->len < count; u++)
        if (cpus_has(core, u))
          list_push(l, single(u));
      free(core);
    }
    free(socket);
  }
}

static void places_by_cache(unsigned long count, cpu_set_t *left, struct place_list *l) {
  int index = -2; /* found from the first CPU, assumed the same for all */
  char path[96];
  for (unsigned long c = 0; c < cpus_max() && l->len < count; c++) {
    if (!cpus_has(left, c))
      continue;
    if (index == -2)
      index = last_level_cache(c);
    snprintf(path, sizeof path, "/sys/devices/system/cpu/cpu%lu/cache/index%d/shared_cpu_list", c,
             index);
    cpu_set_t *group = group_of(c, index >= 0 ? path : NULL, left, false);
    take_out(left, group);
    list_push(l, group);
  }
}

static void places_by_node(unsigned long count, cpu_set_t *left, struct place_list *l) {
  cpu_set_t *nodes = cpus_new(); /* node numbers, in a CPU set for convenience */
  if (read_list("/sys/devices/system/node/online", nodes)) {
    char path[96];
    for (unsigned long n = 0; n < cpus_max() && l->len < count; n++) {
      if (!cpus_has(nodes, n))
        continue;
      snprintf(path, sizeof path, "/sys/devices/system/node/node%lu/cpulist", n);
      cpu_set_t *node = cpus_new();
      if (read_list(path, node))
        CPU_AND_S(hsomp_settings.cpuset_size, node, node, left);
      if (cpus_count(node) == 0) {
        free(node);
        continue;
      }
      take_out(left, node);
      list_push(l, node);
    }
  }
  free(nodes);
  if (l->len == 0) { /* no NUMA information: one domain */
    cpu_set_t *all = cpus_new();
    CPU_OR_S(hsomp_settings.cpuset_size, all, all, left);
    list_push(l, all);
  }
}

static void places_from_topology(enum level level, unsigned long count, struct place_list *l) {
  cpu_set_t *left = cpus_new();
  CPU_OR_S(hsomp_settings.cpuset_size, left, left, hsomp_settings.process_cpus);
  if (level == LL_CACHES)
    places_by_cache(count, left, l);
  else if (level == NUMA_DOMAINS)
    places_by_node(count, left, l);
  else
    places_by_package(level, count, left, l);
  free(left);
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
static bool parse_omp_places(const char *value, struct place_list *l, bool *explicit_list) {
  struct parser p = {.s = hsomp_skip_spaces(value)};
  unsigned long count;
  int level = parse_abstract(&p, &count);
  *explicit_list = level == 0;
  if (level > 0) {
    places_from_topology((enum level)level, count, l);
    return true;
  }
  if (level == 0) {
    p.s = hsomp_skip_spaces(value);
    if (*p.s && parse_explicit_list(&p, l))
      return true;
  }
  list_free(l);
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
static bool parse_cpu_affinity(const char *value, struct place_list *l) {
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
      if (cpu < cpus_max())
        list_push(l, single(cpu));
    s = hsomp_skip_spaces(s);
    if (*s == ',')
      s++;
    else if (*s == '\0')
      return true;
  }
invalid:
  list_free(l);
  hsomp_env_invalid("GOMP_CPU_AFFINITY", value, NULL);
  return false;
}

bool hsomp_env_parse_places(bool keep) {
  bool got = false;
  const char *value = getenv("OMP_PLACES");
  if (value) {
    struct place_list l = {0};
    bool explicit_list;
    if (parse_omp_places(value, &l, &explicit_list) && keep &&
        (!explicit_list || keep_usable_cpus(&l, "OMP_PLACES", value))) {
      list_install(&l);
      got = true;
    }
    list_free(&l);
  }
  value = getenv("GOMP_CPU_AFFINITY");
  if (value) {
    struct place_list l = {0};
    if (parse_cpu_affinity(value, &l) && keep && !got && l.len > 0 &&
        keep_usable_cpus(&l, "GOMP_CPU_AFFINITY", value)) {
      list_install(&l);
      got = true;
    }
    list_free(&l);
  }
  return got;
}

void hsomp_env_default_places(void) {
  struct place_list l = {0};
  places_from_topology(THREADS, ULONG_MAX, &l);
  list_install(&l);
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
    for (unsigned long c = 0; c < cpus_max(); c++) {
      if (!cpus_has(place, c))
        continue;
      unsigned long run = 1;
      while (cpus_has(place, c + run))
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
