/* env_internal.h -- what the environment files (env.c, env_places.c,
 * env_display.c) and icv.c share: the small scanner every variable's
 * parser is built from, the one-line complaint about a malformed value,
 * and the entry points between the files.  Not part of hsomp.h because
 * nothing outside these files needs it. */
#ifndef HSOMP_ENV_INTERNAL_H
#define HSOMP_ENV_INTERNAL_H

#include "hsomp.h"

#include <ctype.h>
#include <limits.h>
#include <strings.h>

/* ------------------------------------------------------------------ */
/* Scanning a value.  All parsers follow libgomp: keywords are matched
 * case-insensitively, spaces are allowed around every token, and the
 * value must be consumed completely. */

static inline const char *hsomp_skip_spaces(const char *s) {
  while (isspace((unsigned char)*s))
    s++;
  return s;
}

/* If *s starts with `word` (any case), move past it and say so. */
static inline bool hsomp_take_word(const char **s, const char *word) {
  size_t n = 0;
  while (word[n])
    n++;
  if (strncasecmp(*s, word, n) != 0)
    return false;
  *s += n;
  return true;
}

/* An unsigned decimal number (an optional '+', then digits).  False when
 * there are no digits or the number does not fit an unsigned long; *s is
 * left after the digits either way. */
static inline bool hsomp_take_ulong(const char **s, unsigned long *out) {
  const char *p = *s;
  if (*p == '+')
    p++;
  if (!isdigit((unsigned char)*p))
    return false;
  unsigned long v = 0;
  bool overflow = false;
  for (; isdigit((unsigned char)*p); p++) {
    unsigned d = (unsigned)(*p - '0');
    if (v > (ULONG_MAX - d) / 10)
      overflow = true;
    else
      v = v * 10 + d;
  }
  *s = p;
  *out = v;
  return !overflow;
}

/* A signed decimal number that fits a long. */
static inline bool hsomp_take_long(const char **s, long *out) {
  const char *p = *s;
  bool negative = *p == '-';
  if (*p == '-' || *p == '+')
    p++;
  unsigned long magnitude;
  bool ok = hsomp_take_ulong(&p, &magnitude);
  *s = p;
  if (!ok || magnitude > (negative ? (unsigned long)LONG_MAX + 1 : (unsigned long)LONG_MAX))
    return false;
  *out = negative ? (long)(0 - magnitude) : (long)magnitude;
  return true;
}


/* ------------------------------------------------------------------ */
/* env_places.c */

/* Reads the CPUs the process may run on: fills ncpus, process_cpus and
 * cpuset_size of hsomp_settings. */
void hsomp_env_read_cpus(void) HSOMP_INTERNAL;
/* OMP_PLACES, then GOMP_CPU_AFFINITY, as libgomp: both are always checked
 * when set; `keep` false (OMP_PROC_BIND=false) discards the result.
 * Returns true if one of them gave a place list. */
bool hsomp_env_parse_places(bool keep) HSOMP_INTERNAL;
/* The place list binding uses when no variable gave one: one place per
 * hardware thread. */
void hsomp_env_default_places(void) HSOMP_INTERNAL;
/* Formats the place list as OMP_DISPLAY_ENV shows it ({0:2},{4},...) into
 * hsomp_settings.places_string. */
void hsomp_env_format_places(void) HSOMP_INTERNAL;

/* ------------------------------------------------------------------ */
/* rts_options.c */

/* Checks HSOMP_RTS_OPTS word by word (one warning per refused word) and
 * keeps the accepted ones for hsomp_rts_user_options (rts_glue.h). */
void hsomp_env_parse_rts_options(void) HSOMP_INTERNAL;

/* ------------------------------------------------------------------ */
/* env_display.c */

/* What OMP_DISPLAY_ENV shows that the settings do not keep: the values of
 * OMP_STACKSIZE as given (even when unusable) and of OMP_WAIT_POLICY. */
extern unsigned long hsomp_env_stacksize_shown HSOMP_INTERNAL;

/* Prints the initial ICVs and settings to stderr in libgomp 12's format. */
void hsomp_display_env(bool verbose) HSOMP_INTERNAL;

/* env_topology.c: CPU sets of hsomp_settings.cpuset_size bytes, lists
 * of places, the places of an abstract name. */
enum level { THREADS = 1, CORES, SOCKETS, LL_CACHES, NUMA_DOMAINS };
struct hsomp_place_list {
  cpu_set_t **v;
  unsigned long len, cap;
};
cpu_set_t *hsomp_cpus_new(void) HSOMP_INTERNAL;
/* CPU numbers a set can hold; a set of the one CPU. */
unsigned long hsomp_cpus_max(void) HSOMP_INTERNAL;
cpu_set_t *hsomp_cpus_single(unsigned long cpu) HSOMP_INTERNAL;
bool hsomp_cpus_has(const cpu_set_t *set, unsigned long cpu) HSOMP_INTERNAL;
unsigned long hsomp_cpus_count(const cpu_set_t *set) HSOMP_INTERNAL;
void hsomp_places_push(struct hsomp_place_list *l, cpu_set_t *place) HSOMP_INTERNAL;
void hsomp_places_free(struct hsomp_place_list *l) HSOMP_INTERNAL;
/* The list becomes hsomp_settings.places (and l is emptied). */
void hsomp_places_install(struct hsomp_place_list *l) HSOMP_INTERNAL;
/* `count' places (0: all) of `level' from the CPUs the process may use. */
void hsomp_places_from_topology(enum level level, unsigned long count,
                                struct hsomp_place_list *l) HSOMP_INTERNAL;

#endif
