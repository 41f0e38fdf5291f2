/* env_topology.c -- the machine as the place list sees it: the CPUs the
 * process may use (hsomp_settings.process_cpus), CPU sets and growing
 * lists of places, and the places of OMP_PLACES' abstract names (threads,
 * cores, sockets, ll_caches, numa_domains) read from /sys.  Where the
 * topology cannot be read hsomp assumes one socket, one cache and one NUMA
 * domain, and one thread per core.  The syntax of OMP_PLACES and
 * GOMP_CPU_AFFINITY is env_places.c's. */
#include "env_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ------------------------------------------------------------------ */
/* CPU sets of hsomp_settings.cpuset_size bytes.                         */

cpu_set_t *hsomp_cpus_new(void) {
  /* Never freed once installed; the size is a few words. */
  cpu_set_t *set = calloc(1, hsomp_settings.cpuset_size);
  if (!set)
    hsomp_fatal("out of memory reading the place list");
  return set;
}

unsigned long hsomp_cpus_max(void) { return 8 * hsomp_settings.cpuset_size; }

bool hsomp_cpus_has(const cpu_set_t *set, unsigned long cpu) {
  return cpu < hsomp_cpus_max() && CPU_ISSET_S(cpu, hsomp_settings.cpuset_size, set);
}

unsigned long hsomp_cpus_count(const cpu_set_t *set) {
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
  hsomp_settings.process_cpus = hsomp_cpus_new();
  for (unsigned long i = 0; i < n; i++)
    CPU_SET_S(i, hsomp_settings.cpuset_size, hsomp_settings.process_cpus);
}

/* ------------------------------------------------------------------ */
/* A growing list of places.                                            */

void hsomp_places_push(struct hsomp_place_list *l, cpu_set_t *place) {
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

void hsomp_places_free(struct hsomp_place_list *l) {
  for (unsigned long i = 0; i < l->len; i++)
    free(l->v[i]);
  free(l->v);
  *l = (struct hsomp_place_list){0};
}

void hsomp_places_install(struct hsomp_place_list *l) {
  hsomp_settings.places = l->v;
  hsomp_settings.nplaces = l->len;
  *l = (struct hsomp_place_list){0};
}

/* ------------------------------------------------------------------ */
/* Places from the machine's topology (/sys).                           */

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
    for (unsigned long i = first; i <= last && i < hsomp_cpus_max(); i++)
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
  cpu_set_t *g = hsomp_cpus_new();
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

cpu_set_t *hsomp_cpus_single(unsigned long cpu) {
  cpu_set_t *g = hsomp_cpus_new();
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
                              struct hsomp_place_list *l) {
  char path[96];
  for (unsigned long c = 0; c < hsomp_cpus_max() && l->len < count; c++) {
    if (!hsomp_cpus_has(left, c))
      continue;
    snprintf(path, sizeof path, "/sys/devices/system/cpu/cpu%lu/topology/core_siblings_list", c);
    cpu_set_t *socket = group_of(c, path, left, false);
    take_out(left, socket);
    if (level == SOCKETS) {
      hsomp_places_push(l, socket);
      continue;
    }
    for (unsigned long t = 0; t < hsomp_cpus_max() && l->len < count; t++) {
      if (!hsomp_cpus_has(socket, t))
        continue;
      snprintf(path, sizeof path, "/sys/devices/system/cpu/cpu%lu/topology/thread_siblings_list",
               t);
      cpu_set_t *core = group_of(t, path, socket, true);
      take_out(socket, core);
      if (level == CORES) {
        hsomp_places_push(l, core);
        continue;
      }
      for (unsigned long u = 0; u < hsomp_cpus_max() && l->len < count; u++)
        if (hsomp_cpus_has(core, u))
          hsomp_places_push(l, hsomp_cpus_single(u));
      free(core);
    }
    free(socket);
  }
}

static void places_by_cache(unsigned long count, cpu_set_t *left, struct hsomp_place_list *l) {
  int index = -2; /* found from the first CPU, assumed the same for all */
  char path[96];
  for (unsigned long c = 0; c < hsomp_cpus_max() && l->len < count; c++) {
    if (!hsomp_cpus_has(left, c))
      continue;
    if (index == -2)
      index = last_level_cache(c);
    snprintf(path, sizeof path, "/sys/devices/system/cpu/cpu%lu/cache/index%d/shared_cpu_list", c,
             index);
    cpu_set_t *group = group_of(c, index >= 0 ? path : NULL, left, false);
    take_out(left, group);
    hsomp_places_push(l, group);
  }
}

static void places_by_node(unsigned long count, cpu_set_t *left, struct hsomp_place_list *l) {
  cpu_set_t *nodes = hsomp_cpus_new(); /* node numbers, in a CPU set for convenience */
  if (read_list("/sys/devices/system/node/online", nodes)) {
    char path[96];
    for (unsigned long n = 0; n < hsomp_cpus_max() && l->len < count; n++) {
      if (!hsomp_cpus_has(nodes, n))
        continue;
      snprintf(path, sizeof path, "/sys/devices/system/node/node%lu/cpulist", n);
      cpu_set_t *node = hsomp_cpus_new();
      if (read_list(path, node))
        CPU_AND_S(hsomp_settings.cpuset_size, node, node, left);
      if (hsomp_cpus_count(node) == 0) {
        free(node);
        continue;
      }
      take_out(left, node);
      hsomp_places_push(l, node);
    }
  }
  free(nodes);
  if (l->len == 0) { /* no NUMA information: one domain */
    cpu_set_t *all = hsomp_cpus_new();
    CPU_OR_S(hsomp_settings.cpuset_size, all, all, left);
    hsomp_places_push(l, all);
  }
}

void hsomp_places_from_topology(enum level level, unsigned long count, struct hsomp_place_list *l) {
  cpu_set_t *left = hsomp_cpus_new();
  CPU_OR_S(hsomp_settings.cpuset_size, left, left, hsomp_settings.process_cpus);
  if (level == LL_CACHES)
    places_by_cache(count, left, l);
  else if (level == NUMA_DOMAINS)
    places_by_node(count, left, l);
  else
    places_by_package(level, count, left, l);
  free(left);
}

