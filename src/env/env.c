/* env.c -- ICVs and the environment: the initial ICVs and process settings
 * read from the OMP_* and GOMP_* variables once, in the library
 * constructor, with libgomp 12's syntax and defaults.  Places live in
 * env_places.c, OMP_DISPLAY_ENV in env_display.c, the messages in
 * error.c, the settings' storage in settings.c.
 *
 * Where libgomp half-applies a malformed value (OMP_DYNAMIC=truex becomes
 * true, OMP_SCHEDULE=guided,x becomes guided) or wraps a negative number
 * around (GOMP_SPINCOUNT=-5, OMP_SCHEDULE=dynamic,-1), hsomp ignores the
 * whole variable instead: one line on stderr, then the default.  Thread
 * counts above INT_MAX (which omp_get_max_threads cannot return) are
 * malformed too. */
#include "env_internal.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

/* ------------------------------------------------------------------ */
/* Scalar variables.  Each parser returns true only for a variable that
 * is set and well-formed; a malformed one has been reported. */

/* A whole value that is one of `words` (index returned in *out). */
static bool parse_keyword(const char *name, const char *const *words, int nwords, int *out) {
  const char *value = getenv(name);
  if (!value)
    return false;
  const char *s = hsomp_skip_spaces(value);
  for (int i = 0; i < nwords; i++) {
    const char *t = s;
    if (hsomp_take_word(&t, words[i]) && *hsomp_skip_spaces(t) == '\0') {
      *out = i;
      return true;
    }
  }
  hsomp_env_invalid(name, value, NULL);
  return false;
}

static bool parse_bool(const char *name, bool *out) {
  static const char *const words[] = {"false", "true"};
  int i;
  if (!parse_keyword(name, words, 2, &i))
    return false;
  *out = i == 1;
  return true;
}

/* A decimal number in [min, max]. */
static bool parse_number(const char *name, unsigned long min, unsigned long max,
                         unsigned long *out) {
  const char *value = getenv(name);
  if (!value)
    return false;
  const char *s = hsomp_skip_spaces(value);
  unsigned long v;
  if (!hsomp_take_ulong(&s, &v) || *hsomp_skip_spaces(s) != '\0' || v < min || v > max) {
    hsomp_env_invalid(name, value, NULL);
    return false;
  }
  *out = v;
  return true;
}

static bool parse_int(const char *name, int min, int *out) {
  unsigned long v;
  if (!parse_number(name, (unsigned long)min, INT_MAX, &v))
    return false;
  *out = (int)v;
  return true;
}

/* OMP_NUM_THREADS=a[,b...]: a is the initial nthreads-var; the whole list
 * is kept, indexed by nesting level (hsomp_team_begin). */
static void parse_num_threads(void) {
  const char *value = getenv("OMP_NUM_THREADS");
  if (!value)
    return;
  unsigned long *list = NULL;
  unsigned len = 0, cap = 0;
  const char *s = value;
  for (;;) {
    s = hsomp_skip_spaces(s);
    unsigned long v;
    if (!hsomp_take_ulong(&s, &v) || v == 0 || v > INT_MAX)
      goto invalid;
    if (len == cap) {
      cap = cap ? cap * 2 : 8;
      unsigned long *grown = realloc(list, cap * sizeof *list);
      if (!grown)
        goto invalid;
      list = grown;
    }
    list[len++] = v;
    s = hsomp_skip_spaces(s);
    if (*s == '\0')
      break;
    if (*s++ != ',')
      goto invalid;
  }
  hsomp_initial_icv.nthreads_var = list[0];
  if (len > 1) {
    hsomp_settings.nthreads_list = list;
    hsomp_settings.nthreads_list_len = len;
  } else {
    free(list);
  }
  return;
invalid:
  free(list);
  hsomp_env_invalid("OMP_NUM_THREADS", value, NULL);
}

/* OMP_SCHEDULE=[monotonic:|nonmonotonic:]kind[,chunk].  Static without a
 * modifier is monotonic, the others nonmonotonic (OpenMP 5.1, 2.11.4);
 * an omitted chunk is 0 for static, 1 for the others, and so is 0. */
static void parse_schedule(void) {
  static const struct {
    const char *name;
    int kind;
  } kinds[] = {{"static", HSOMP_SCHED_STATIC},
               {"dynamic", HSOMP_SCHED_DYNAMIC},
               {"guided", HSOMP_SCHED_GUIDED},
               {"auto", HSOMP_SCHED_AUTO}};
  const char *value = getenv("OMP_SCHEDULE");
  if (!value)
    return;
  const char *s = hsomp_skip_spaces(value);
  int monotonic = 0; /* 1 monotonic, -1 nonmonotonic, 0 unsaid */
  if (hsomp_take_word(&s, "monotonic"))
    monotonic = 1;
  else if (hsomp_take_word(&s, "nonmonotonic"))
    monotonic = -1;
  if (monotonic) {
    s = hsomp_skip_spaces(s);
    if (*s++ != ':') {
      hsomp_env_invalid("OMP_SCHEDULE", value, "a ':' must follow the modifier");
      return;
    }
    s = hsomp_skip_spaces(s);
  }
  int kind = 0;
  for (unsigned i = 0; i < sizeof kinds / sizeof kinds[0] && !kind; i++)
    if (hsomp_take_word(&s, kinds[i].name))
      kind = kinds[i].kind;
  if (!kind) {
    hsomp_env_invalid("OMP_SCHEDULE", value, "unknown schedule kind");
    return;
  }
  long chunk = kind != HSOMP_SCHED_STATIC;
  s = hsomp_skip_spaces(s);
  if (*s == ',') {
    s = hsomp_skip_spaces(s + 1);
    unsigned long v;
    if (!hsomp_take_ulong(&s, &v) || v > INT_MAX || *hsomp_skip_spaces(s) != '\0') {
      hsomp_env_invalid("OMP_SCHEDULE", value, "the chunk size must be a number up to INT_MAX");
      return;
    }
    chunk = v == 0 && kind != HSOMP_SCHED_STATIC ? 1 : (long)v;
  } else if (*s != '\0') {
    hsomp_env_invalid("OMP_SCHEDULE", value, NULL);
    return;
  }
  if (monotonic == 1 || (monotonic == 0 && kind == HSOMP_SCHED_STATIC))
    kind |= HSOMP_SCHED_MONOTONIC;
  hsomp_initial_icv.run_sched_var = kind;
  hsomp_initial_icv.run_sched_chunk = (int)chunk;
}

/* OMP_PROC_BIND=false|true|primary|master|close|spread, or a list of the
 * last four; the list is kept for the nested levels (hsomp_team_begin). */
static bool parse_proc_bind(void) {
  static const struct {
    const char *name;
    int bind;
  } kinds[] = {{"false", HSOMP_BIND_FALSE},   {"true", HSOMP_BIND_TRUE},
               {"master", HSOMP_BIND_PRIMARY}, {"primary", HSOMP_BIND_PRIMARY},
               {"close", HSOMP_BIND_CLOSE},    {"spread", HSOMP_BIND_SPREAD}};
  const char *value = getenv("OMP_PROC_BIND");
  if (!value)
    return false;
  int *list = NULL;
  unsigned len = 0, cap = 0;
  const char *s = value;
  for (;;) {
    s = hsomp_skip_spaces(s);
    int bind = -1;
    for (unsigned i = 0; i < sizeof kinds / sizeof kinds[0] && bind < 0; i++)
      if (hsomp_take_word(&s, kinds[i].name))
        bind = kinds[i].bind;
    if (bind < 0)
      goto invalid;
    if (len == cap) {
      cap = cap ? cap * 2 : 8;
      int *grown = realloc(list, cap * sizeof *list);
      if (!grown)
        goto invalid;
      list = grown;
    }
    list[len++] = bind;
    s = hsomp_skip_spaces(s);
    if (*s == '\0')
      break;
    if (*s++ != ',')
      goto invalid;
  }
  /* true and false are whole policies, not list entries. */
  if (len > 1) {
    for (unsigned i = 0; i < len; i++)
      if (list[i] == HSOMP_BIND_FALSE || list[i] == HSOMP_BIND_TRUE) {
        free(list);
        hsomp_env_invalid("OMP_PROC_BIND", value, "true and false cannot be part of a list");
        return false;
      }
  }
  hsomp_initial_icv.bind_var = list[0];
  if (len > 1) {
    hsomp_settings.bind_list = list;
    hsomp_settings.bind_list_len = len;
  } else {
    free(list);
  }
  return true;
invalid:
  free(list);
  hsomp_env_invalid("OMP_PROC_BIND", value, NULL);
  return false;
}

/* max-active-levels-var: OMP_MAX_ACTIVE_LEVELS (capped at the supported
 * levels); else the deprecated OMP_NESTED; else the supported levels when
 * OMP_NUM_THREADS or OMP_PROC_BIND is a list, 1 otherwise (libgomp 12). */
static void parse_max_active_levels(void) {
  unsigned long levels;
  bool nested;
  if (parse_number("OMP_MAX_ACTIVE_LEVELS", 0, LONG_MAX, &levels)) {
    hsomp_initial_icv.max_active_levels_var =
        levels > HSOMP_SUPPORTED_ACTIVE_LEVELS ? HSOMP_SUPPORTED_ACTIVE_LEVELS : (unsigned)levels;
  } else if (parse_bool("OMP_NESTED", &nested)) {
    hsomp_initial_icv.max_active_levels_var = nested ? HSOMP_SUPPORTED_ACTIVE_LEVELS : 1;
  } else if (hsomp_settings.nthreads_list_len > 1 || hsomp_settings.bind_list_len > 1) {
    hsomp_initial_icv.max_active_levels_var = HSOMP_SUPPORTED_ACTIVE_LEVELS;
  }
}

/* OMP_STACKSIZE (else GOMP_STACKSIZE): a size in B, K, M or G, K when no
 * unit is given. */
static bool parse_stacksize(const char *name, unsigned long *out) {
  const char *value = getenv(name);
  if (!value)
    return false;
  const char *s = hsomp_skip_spaces(value);
  unsigned long v;
  if (!hsomp_take_ulong(&s, &v))
    goto invalid;
  s = hsomp_skip_spaces(s);
  unsigned shift = 10;
  if (*s) {
    switch (tolower((unsigned char)*s)) {
    case 'b': shift = 0; break;
    case 'k': shift = 10; break;
    case 'm': shift = 20; break;
    case 'g': shift = 30; break;
    default: goto invalid;
    }
    if (*hsomp_skip_spaces(s + 1) != '\0')
      goto invalid;
  }
  if (v > (ULONG_MAX >> shift))
    goto invalid;
  *out = v << shift;
  return true;
invalid:
  hsomp_env_invalid(name, value, NULL);
  return false;
}

/* Whether a thread stack of `size` bytes can be mapped now, as glibc maps
 * it (private, writable, counted against overcommit): pthread_attr_
 * setstacksize accepts any size above the minimum, and a size the kernel
 * refuses (OMP_STACKSIZE=4096G) would otherwise fail only at the first
 * worker's creation. */
static bool stack_can_be_mapped(unsigned long size) {
  errno = 0;
  if (size > ULONG_MAX - (1UL << 20))
    return errno = EINVAL, false;
  void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
  if (p == MAP_FAILED)
    return false;
  munmap(p, size);
  return true;
}

static void init_stacksize(void) {
  unsigned long size;
  const char *name = "OMP_STACKSIZE";
  if (!parse_stacksize(name, &size)) {
    name = "GOMP_STACKSIZE";
    if (!parse_stacksize(name, &size))
      return;
  }
  hsomp_env_stacksize_shown = size;
  /* Check the size now, once, rather than at every worker's creation. */
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  int rc = pthread_attr_setstacksize(&attr, size);
  pthread_attr_destroy(&attr);
  if (rc == 0 && !stack_can_be_mapped(size))
    rc = errno ? errno : ENOMEM;
  if (rc == 0) {
    hsomp_settings.stacksize = size;
  } else if (rc == EINVAL && size < (unsigned long)PTHREAD_STACK_MIN) {
    hsomp_warn("%s: a stack of %lu bytes is less than the minimum of %luk; using the default",
               name, size, ((unsigned long)PTHREAD_STACK_MIN + 1023) / 1024);
  } else {
    hsomp_warn("%s: a stack of %lu bytes is not possible (%s); using the default", name, size,
               rc == EINVAL ? "larger than the system allows" : strerror(rc));
  }
}

/* GOMP_SPINCOUNT: a count with an optional k/M/G/T (powers of 1000)
 * suffix, or infinite/infinity; a suffix that overflows saturates. */
static bool parse_spincount(unsigned long *out) {
  const char *value = getenv("GOMP_SPINCOUNT");
  if (!value)
    return false;
  const char *s = hsomp_skip_spaces(value);
  if (hsomp_take_word(&s, "infinite") || hsomp_take_word(&s, "infinity")) {
    if (*hsomp_skip_spaces(s) != '\0')
      goto invalid;
    *out = ULONG_MAX;
    return true;
  }
  unsigned long v;
  if (!hsomp_take_ulong(&s, &v))
    goto invalid;
  s = hsomp_skip_spaces(s);
  unsigned long mult = 1;
  if (*s) {
    switch (tolower((unsigned char)*s)) {
    case 'k': mult = 1000UL; break;
    case 'm': mult = 1000UL * 1000; break;
    case 'g': mult = 1000UL * 1000 * 1000; break;
    case 't': mult = 1000UL * 1000 * 1000 * 1000; break;
    default: goto invalid;
    }
    if (*hsomp_skip_spaces(s + 1) != '\0')
      goto invalid;
  }
  *out = v > ULONG_MAX / mult ? ULONG_MAX : v * mult;
  return true;
invalid:
  hsomp_env_invalid("GOMP_SPINCOUNT", value, NULL);
  return false;
}

/* Note [Spin policy]
 * How long a waiting thread spins before it sleeps (spin.c, Note [Spin budget]):
 *   OMP_WAIT_POLICY unset    100000 spins (milliseconds): a third of
 *                            libgomp's 300000.  Long enough that a team
 *                            whose master runs a millisecond of serial
 *                            code between regions finds its workers
 *                            awake (a shorter budget makes every region
 *                            pay a futex wake and a cold join; README,
 *                            "What the numbers taught the runtime");
 *                            an idle program still stops burning CPU
 *                            quickly because parked workers shrink their
 *                            own budget (Note [Adaptive idle spinning] in
 *                            wait.c);
 *   OMP_WAIT_POLICY=active   30e9 spins (libgomp's "five minutes");
 *   OMP_WAIT_POLICY=passive  0: sleep at once.
 * An explicit GOMP_SPINCOUNT replaces the count.  When a team has more
 * threads than CPUs the throttled count applies: 100 (1000 when active,
 * 0 when passive), never more than the count itself. */
static void init_spin_policy(void) {
  static const char *const words[] = {"passive", "active"};
  int policy = -1;
  parse_keyword("OMP_WAIT_POLICY", words, 2, &policy);
  hsomp_settings.wait_policy = policy;
  unsigned long spins = policy > 0 ? 30000000000UL : policy == 0 ? 0 : 100000;
  unsigned long throttled = policy > 0 ? 1000 : policy == 0 ? 0 : 100;
  parse_spincount(&spins);
  hsomp_settings.spin_count = spins;
  hsomp_settings.throttled_spin_count = throttled < spins ? throttled : spins;
}

/* OMP_ALLOCATOR: one of the predefined allocators, by name. */
static void parse_allocator(void) {
  static const char *const names[] = {
      "omp_default_mem_alloc", "omp_large_cap_mem_alloc", "omp_const_mem_alloc",
      "omp_high_bw_mem_alloc", "omp_low_lat_mem_alloc",   "omp_cgroup_mem_alloc",
      "omp_pteam_mem_alloc",   "omp_thread_mem_alloc"};
  int i;
  if (parse_keyword("OMP_ALLOCATOR", names, 8, &i))
    hsomp_settings.default_allocator = (uintptr_t)i + 1; /* omp_default_mem_alloc is 1 */
}

static void parse_affinity_format(void) {
  const char *value = getenv("OMP_AFFINITY_FORMAT");
  char *copy = value ? strdup(value) : NULL;
  if (copy)
    hsomp_settings.affinity_format = copy;
}

static void parse_display_env(void) {
  static const char *const words[] = {"false", "true", "verbose"};
  int i;
  if (parse_keyword("OMP_DISPLAY_ENV", words, 3, &i)) {
    hsomp_settings.display_env = i > 0;
    hsomp_settings.display_env_verbose = i == 2;
  }
}

/* ------------------------------------------------------------------ */

void hsomp_env_init(void) {
  hsomp_env_read_cpus();
  /* HSOMP_ASSUME_NCPUS=N: take the paths of a machine with N CPUs (spin
   * budgets, the default team size), for the coherence simulator and for
   * tests of large teams (README "Scale"). */
  unsigned long assumed;
  if (parse_number("HSOMP_ASSUME_NCPUS", 1, 0xFFFF, &assumed))
    hsomp_settings.ncpus = (unsigned)assumed;
  hsomp_settings.wait_policy = -1;
  hsomp_settings.spin_count = 100000;
  hsomp_settings.throttled_spin_count = 100;
  hsomp_settings.default_allocator = 1;
  hsomp_settings.affinity_format = "level %L thread %i affinity %A";
  hsomp_initial_icv = (struct hsomp_icv){
      .nthreads_var = hsomp_settings.ncpus,
      .run_sched_var = HSOMP_SCHED_DYNAMIC,
      .run_sched_chunk = 1,
      .thread_limit_var = UINT_MAX,
      .dyn_var = false,
      .bind_var = HSOMP_BIND_FALSE,
      .default_device_var = 0,
      .max_active_levels_var = 1,
  };
  struct hsomp_icv *icv = &hsomp_initial_icv;

  /* In libgomp's order, so that warnings come out in the same order. */
  parse_schedule();
  parse_bool("OMP_DYNAMIC", &icv->dyn_var);
  parse_bool("OMP_CANCELLATION", &hsomp_settings.cancellation);
  parse_bool("OMP_DISPLAY_AFFINITY", &hsomp_settings.display_affinity);
  parse_int("OMP_DEFAULT_DEVICE", 0, &icv->default_device_var);
  static const char *const offload[] = {"default", "mandatory", "disabled"};
  parse_keyword("OMP_TARGET_OFFLOAD", offload, 3, &hsomp_settings.target_offload);
  parse_int("OMP_MAX_TASK_PRIORITY", 0, &hsomp_settings.max_task_priority);
  parse_allocator();
  unsigned long limit;
  if (parse_number("OMP_THREAD_LIMIT", 1, LONG_MAX, &limit))
    icv->thread_limit_var = limit > INT_MAX ? UINT_MAX : (unsigned)limit;
  parse_num_threads();
  parse_int("OMP_NUM_TEAMS", 1, &hsomp_settings.nteams_var);
  parse_int("OMP_TEAMS_THREAD_LIMIT", 1, &hsomp_settings.teams_thread_limit_var);
  bool bind_given = parse_proc_bind();
  parse_max_active_levels();

  /* Places: a place list from OMP_PLACES or GOMP_CPU_AFFINITY turns
   * binding on unless OMP_PROC_BIND says otherwise; binding without a
   * place list binds to hardware threads. */
  bool keep_places = !(bind_given && icv->bind_var == HSOMP_BIND_FALSE);
  if (hsomp_env_parse_places(keep_places) && icv->bind_var == HSOMP_BIND_FALSE)
    icv->bind_var = HSOMP_BIND_TRUE;
  if (icv->bind_var != HSOMP_BIND_FALSE && !hsomp_settings.places)
    hsomp_env_default_places();
  hsomp_env_format_places();

  parse_affinity_format();
  init_spin_policy();
  init_stacksize();
  parse_display_env();
  hsomp_env_parse_rts_options();
  if (hsomp_settings.display_env)
    hsomp_display_env(hsomp_settings.display_env_verbose);
}

/* Note [Reading the environment once, and surely]
 * The library constructor (runtime_init, thread.c) reads the environment
 * at load, as libgomp's does (OMP_DISPLAY_ENV prints before main).  A
 * constructor alone is not a guarantee: in a static archive (the Haskell
 * package links the runtime that way) an object file nothing refers to is
 * not linked, constructor included -- once the settings' storage moved to
 * settings.c nothing referred to this file, and a Haskell program ran with
 * every ICV zero (omp_get_max_threads() 0).  So the constructor sits in
 * thread.c, which every use of the runtime links, and a thread's first use
 * of the runtime (hsomp_thread_init_host) calls hsomp_env_ensure too, which
 * reads the environment if no constructor did yet (another library's
 * constructor may call omp_* before ours runs).  pthread_once makes it
 * happen exactly once.  The OMPT tool is looked for after that (Note
 * [The runtime's first use], thread.c). */
static pthread_once_t env_read = PTHREAD_ONCE_INIT;

void hsomp_env_ensure(void) { pthread_once(&env_read, hsomp_env_init); }
