/* OMP_DISPLAY_ENV prints the initial ICVs in libgomp 12's exact format:
 * same names, order, quoting and values (compared here byte for byte for
 * settings that do not depend on the machine); `verbose` adds the GOMP_*
 * lines; places are shown as {cpu,start:length,...}; omp_display_env()
 * shows the values the program started with; OMP_DISPLAY_ENV=false and an
 * invalid value print no block. */
#include "env_child.h"

#include <omp.h>

static const char *const golden =
    "\n"
    "OPENMP DISPLAY ENVIRONMENT BEGIN\n"
    "  _OPENMP = '201511'\n"
    "  OMP_DYNAMIC = 'TRUE'\n"
    "  OMP_NESTED = 'TRUE'\n"
    "  OMP_NUM_THREADS = '4,3,2'\n"
    "  OMP_SCHEDULE = 'MONOTONIC:GUIDED,7'\n"
    "  OMP_PROC_BIND = 'FALSE'\n"
    "  OMP_PLACES = ''\n"
    "  OMP_STACKSIZE = '3145728'\n"
    "  OMP_WAIT_POLICY = 'PASSIVE'\n"
    "  OMP_THREAD_LIMIT = '9'\n"
    "  OMP_MAX_ACTIVE_LEVELS = '255'\n"
    "  OMP_NUM_TEAMS = '3'\n"
    "  OMP_TEAMS_THREAD_LIMIT = '2'\n"
    "  OMP_CANCELLATION = 'TRUE'\n"
    "  OMP_DEFAULT_DEVICE = '2'\n"
    "  OMP_MAX_TASK_PRIORITY = '5'\n"
    "  OMP_DISPLAY_AFFINITY = 'TRUE'\n"
    "  OMP_AFFINITY_FORMAT = 'T%n of %N'\n"
    "  OMP_ALLOCATOR = 'omp_low_lat_mem_alloc'\n"
    "  OMP_TARGET_OFFLOAD = 'DISABLED'\n"
    "  GOMP_CPU_AFFINITY = ''\n"
    "  GOMP_STACKSIZE = '3145728'\n"
    "  GOMP_SPINCOUNT = '1234'\n"
    "OPENMP DISPLAY ENVIRONMENT END\n";

static const char *const golden_defaults_tail =
    "  OMP_STACKSIZE = '0'\n"
    "  OMP_WAIT_POLICY = 'PASSIVE'\n"
    "  OMP_THREAD_LIMIT = '4294967295'\n"
    "  OMP_MAX_ACTIVE_LEVELS = '1'\n"
    "  OMP_NUM_TEAMS = '0'\n"
    "  OMP_TEAMS_THREAD_LIMIT = '0'\n"
    "  OMP_CANCELLATION = 'FALSE'\n"
    "  OMP_DEFAULT_DEVICE = '0'\n"
    "  OMP_MAX_TASK_PRIORITY = '0'\n"
    "  OMP_DISPLAY_AFFINITY = 'FALSE'\n"
    "  OMP_AFFINITY_FORMAT = 'level %L thread %i affinity %A'\n"
    "  OMP_ALLOCATOR = 'omp_default_mem_alloc'\n"
    "  OMP_TARGET_OFFLOAD = 'DEFAULT'\n"
    "OPENMP DISPLAY ENVIRONMENT END\n";

static int failures;

static void expect(bool ok, const char *what, const struct ec_result *r) {
  if (!ok) {
    fprintf(stderr, "FAILED: %s\n--- child stderr ---\n%s--- end ---\n", what, r->err);
    failures++;
  }
}

/* The value of `  NAME = '...'` in a display block, or "" (static). */
static const char *shown(const char *text, const char *name) {
  static char value[4096];
  char key[64];
  snprintf(key, sizeof key, "\n  %s = '", name);
  const char *p = strstr(text, key);
  value[0] = '\0';
  if (p) {
    p += strlen(key);
    const char *end = strstr(p, "'\n");
    size_t n = end ? (size_t)(end - p) : 0;
    if (n >= sizeof value)
      n = sizeof value - 1;
    memcpy(value, p, n);
    value[n] = '\0';
  }
  return value;
}

int main(int argc, char **argv) {
  const char *mode = ec_child_mode(argc, argv);
  if (mode) {
    if (strcmp(mode, "api") == 0) {
      /* What the program changes later does not show. */
      omp_set_num_threads(5);
      omp_set_dynamic(1);
      omp_set_schedule(omp_sched_static, 3);
      fflush(stderr);
      fputs("--- call ---\n", stderr);
      omp_display_env(0);
    }
    return 0;
  }
  static struct ec_result r;
  int ncpus = ec_ncpus();

  /* Everything set, machine-independent: the whole block, exactly. */
  {
    const char *vars[] = {"OMP_DISPLAY_ENV=verbose",    "OMP_DYNAMIC=true",
                          "OMP_NUM_THREADS=4,3,2",       "OMP_SCHEDULE=monotonic:guided,7",
                          "OMP_PROC_BIND=false",         "OMP_STACKSIZE=3M",
                          "OMP_WAIT_POLICY=passive",     "OMP_THREAD_LIMIT=9",
                          "OMP_NUM_TEAMS=3",             "OMP_TEAMS_THREAD_LIMIT=2",
                          "OMP_CANCELLATION=true",       "OMP_DEFAULT_DEVICE=2",
                          "OMP_MAX_TASK_PRIORITY=5",     "OMP_DISPLAY_AFFINITY=TRUE",
                          "OMP_AFFINITY_FORMAT=T%n of %N", "OMP_ALLOCATOR=omp_low_lat_mem_alloc",
                          "OMP_TARGET_OFFLOAD=disabled", "GOMP_SPINCOUNT=1234",
                          NULL};
    ec_run("none", vars, &r);
    expect(r.status == 0 && strcmp(r.err, golden) == 0, "the verbose block, byte for byte", &r);
  }

  /* Defaults: the number of threads is the usable CPUs; not verbose. */
  {
    const char *vars[] = {"OMP_DISPLAY_ENV=TRUE", NULL};
    ec_run("none", vars, &r);
    char head[512];
    snprintf(head, sizeof head,
             "\nOPENMP DISPLAY ENVIRONMENT BEGIN\n  _OPENMP = '201511'\n  OMP_DYNAMIC = 'FALSE'\n"
             "  OMP_NESTED = 'FALSE'\n  OMP_NUM_THREADS = '%d'\n  OMP_SCHEDULE = 'DYNAMIC'\n"
             "  OMP_PROC_BIND = 'FALSE'\n  OMP_PLACES = ''\n",
             ncpus);
    size_t hl = strlen(head), tl = strlen(golden_defaults_tail), n = strlen(r.err);
    expect(n == hl + tl && strncmp(r.err, head, hl) == 0 &&
               strcmp(r.err + hl, golden_defaults_tail) == 0,
           "the default block, byte for byte", &r);
  }

  /* Schedules as libgomp prints them: only the non-default modifier. */
  {
    static const char *const cases[][2] = {
        {"OMP_SCHEDULE=static", "STATIC"},
        {"OMP_SCHEDULE=static,4", "STATIC,4"},
        {"OMP_SCHEDULE=nonmonotonic:static", "NONMONOTONIC:STATIC"},
        {"OMP_SCHEDULE=dynamic,1", "DYNAMIC"},
        {"OMP_SCHEDULE=monotonic:dynamic", "MONOTONIC:DYNAMIC"},
        {"OMP_SCHEDULE=guided,3", "GUIDED,3"},
        {"OMP_SCHEDULE=auto,3", "AUTO"},
        {"OMP_PROC_BIND=primary,close,spread", NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
      const char *vars[] = {"OMP_DISPLAY_ENV=true", cases[i][0], NULL};
      ec_run("none", vars, &r);
      if (cases[i][1])
        expect(strcmp(shown(r.err, "OMP_SCHEDULE"), cases[i][1]) == 0, cases[i][0], &r);
      else
        expect(strcmp(shown(r.err, "OMP_PROC_BIND"), "MASTER,CLOSE,SPREAD") == 0 &&
                   strcmp(shown(r.err, "OMP_MAX_ACTIVE_LEVELS"), "255") == 0,
               cases[i][0], &r);
    }
  }

  /* Places: an explicit place, its CPU, and the topology's threads. */
  {
    cpu_set_t set;
    HT_CHECK(sched_getaffinity(0, sizeof set, &set) == 0, "sched_getaffinity");
    int first = -1, second = -1;
    for (int c = 0; c < CPU_SETSIZE; c++)
      if (CPU_ISSET(c, &set)) {
        if (first < 0)
          first = c;
        else if (second < 0)
          second = c;
      }
    char var[64], want[64];
    snprintf(var, sizeof var, "OMP_PLACES={%d}", first);
    snprintf(want, sizeof want, "{%d}", first);
    const char *vars1[] = {"OMP_DISPLAY_ENV=true", var, NULL};
    ec_run("none", vars1, &r);
    expect(strcmp(shown(r.err, "OMP_PLACES"), want) == 0 &&
               strcmp(shown(r.err, "OMP_PROC_BIND"), "TRUE") == 0,
           "OMP_PLACES={first usable CPU}", &r);

    snprintf(var, sizeof var, "GOMP_CPU_AFFINITY=%d", first);
    const char *vars2[] = {"OMP_DISPLAY_ENV=true", var, NULL};
    ec_run("none", vars2, &r);
    expect(strcmp(shown(r.err, "OMP_PLACES"), want) == 0, "GOMP_CPU_AFFINITY", &r);

    if (second == first + 1) {
      snprintf(var, sizeof var, "OMP_PLACES={%d,%d}", first, second);
      snprintf(want, sizeof want, "{%d:2}", first);
      const char *vars3[] = {"OMP_DISPLAY_ENV=true", var, NULL};
      ec_run("none", vars3, &r);
      expect(strcmp(shown(r.err, "OMP_PLACES"), want) == 0, "a run of CPUs as start:length", &r);

      snprintf(var, sizeof var, "OMP_PLACES={%d}:2", first);
      snprintf(want, sizeof want, "{%d},{%d}", first, second);
      const char *vars4[] = {"OMP_DISPLAY_ENV=true", var, NULL};
      ec_run("none", vars4, &r);
      expect(strcmp(shown(r.err, "OMP_PLACES"), want) == 0, "a place interval", &r);
    }

    /* threads: one place per usable CPU, each exactly once. */
    const char *vars5[] = {"OMP_DISPLAY_ENV=true", "OMP_PLACES=threads", NULL};
    ec_run("none", vars5, &r);
    const char *p = shown(r.err, "OMP_PLACES");
    cpu_set_t seen;
    CPU_ZERO(&seen);
    int places = 0;
    bool well_formed = true;
    while (*p) {
      int cpu, used;
      if (sscanf(p, "{%d}%n", &cpu, &used) != 1 || cpu < 0 || cpu >= CPU_SETSIZE ||
          CPU_ISSET(cpu, &seen) || !CPU_ISSET(cpu, &set)) {
        well_formed = false;
        break;
      }
      CPU_SET(cpu, &seen);
      places++;
      p += used;
      if (*p == ',')
        p++;
    }
    expect(well_formed && places == ncpus, "OMP_PLACES=threads: one place per usable CPU", &r);
    expect(strcmp(shown(r.err, "OMP_PROC_BIND"), "TRUE") == 0, "places turn binding on", &r);

    /* Binding without places uses the threads places too; false drops
     * any place list. */
    const char *vars6[] = {"OMP_DISPLAY_ENV=true", "OMP_PROC_BIND=close", NULL};
    ec_run("none", vars6, &r);
    expect(ec_lines(shown(r.err, "OMP_PLACES"), "{") == 1 && strchr(r.err, '{'),
           "OMP_PROC_BIND=close implies places", &r);
    const char *vars7[] = {"OMP_DISPLAY_ENV=true", "OMP_PROC_BIND=false", "OMP_PLACES=threads",
                           NULL};
    ec_run("none", vars7, &r);
    expect(strcmp(shown(r.err, "OMP_PLACES"), "") == 0 &&
               strcmp(shown(r.err, "OMP_PROC_BIND"), "FALSE") == 0,
           "OMP_PROC_BIND=false keeps no places", &r);
  }

  /* omp_display_env shows the initial values, whatever was set since. */
  {
    const char *vars[] = {"OMP_NUM_THREADS=3", NULL};
    ec_run("api", vars, &r);
    const char *call = strstr(r.err, "--- call ---\n");
    expect(call && ec_lines(r.err, "OPENMP DISPLAY ENVIRONMENT BEGIN") == 1, "one block", &r);
    if (call) {
      expect(strcmp(shown(call, "OMP_NUM_THREADS"), "3") == 0 &&
                 strcmp(shown(call, "OMP_DYNAMIC"), "FALSE") == 0 &&
                 strcmp(shown(call, "OMP_SCHEDULE"), "DYNAMIC") == 0 &&
                 !strstr(call, "GOMP_SPINCOUNT"),
             "omp_display_env(0) shows the initial ICVs", &r);
    }
  }

  /* false prints nothing; a malformed value one complaint, no block. */
  {
    const char *vars1[] = {"OMP_DISPLAY_ENV=false", NULL};
    ec_run("none", vars1, &r);
    expect(ec_lines(r.err, NULL) == 0, "OMP_DISPLAY_ENV=false is silent", &r);
    const char *vars2[] = {"OMP_DISPLAY_ENV=yes", NULL};
    ec_run("none", vars2, &r);
    expect(ec_lines(r.err, NULL) == 1 && ec_lines(r.err, "OMP_DISPLAY_ENV") == 1,
           "OMP_DISPLAY_ENV=yes: one complaint", &r);
  }

  /* The spin count shown is the one the runtime uses (hsomp's own
   * defaults differ from libgomp's on purpose, see env.c). */
  {
    static const char *const cases[][3] = {
        /* variable, hsomp, libgomp */
        {"OMP_WAIT_POLICY=passive", "0", "0"},
        {"OMP_WAIT_POLICY=active", "30000000000", "30000000000"},
        {"GOMP_SPINCOUNT=infinite", "18446744073709551615", "18446744073709551615"},
        {"GOMP_SPINCOUNT=2M", "2000000", "2000000"},
        {"OMP_DYNAMIC=false", "100000", "300000"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
      const char *vars[] = {"OMP_DISPLAY_ENV=verbose", cases[i][0], NULL};
      ec_run("none", vars, &r);
      expect(strcmp(shown(r.err, "GOMP_SPINCOUNT"), cases[i][ht_expect_hsomp() ? 1 : 2]) == 0,
             cases[i][0], &r);
    }
  }
  return failures != 0;
}
