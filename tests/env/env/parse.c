/* Environment variables become the initial ICVs with libgomp's syntax
 * (case-insensitive, spaces allowed, lists), and every malformed value
 * gives exactly one line on stderr naming the variable and leaves the
 * default in place: never a crash.  Each case re-runs this program with
 * the variables set and reads back the ICVs it prints. */
#include "env_child.h"

#include <limits.h>
#include <omp.h>

#define NCPUS (-100) /* stands for the number of usable CPUs */

struct icvs {
  int max, dyn, nested, mal, tl;
  unsigned kind;
  int chunk, bind, canc, dev, prio;
};
#define DEFAULTS .max = NCPUS, .dyn = 0, .nested = 0, .mal = 1, .tl = INT_MAX, .kind = 2, \
                 .chunk = 1, .bind = 0, .canc = 0, .dev = 0, .prio = 0
#define E(...) ((struct icvs){DEFAULTS, __VA_ARGS__})
#define D ((struct icvs){DEFAULTS})

struct test_case {
  const char *vars[3];
  struct icvs want;
  const char *complaint; /* the variable a warning must name; NULL: silent */
};

static void print_icvs(void) {
  omp_sched_t kind;
  int chunk;
  omp_get_schedule(&kind, &chunk);
  printf("max=%d dyn=%d nested=%d mal=%d tl=%d sched=%#x,%d bind=%d canc=%d dev=%d prio=%d\n",
         omp_get_max_threads(), omp_get_dynamic(), omp_get_nested(), omp_get_max_active_levels(),
         omp_get_thread_limit(), (unsigned)kind, chunk, (int)omp_get_proc_bind(),
         omp_get_cancellation(), omp_get_default_device(), omp_get_max_task_priority());
}

int main(int argc, char **argv) {
  if (ec_child_mode(argc, argv)) {
    print_icvs();
    return 0;
  }
  const struct test_case cases[] = {
      /* Well-formed values. */
      {{NULL}, D, NULL},
      {{"OMP_NUM_THREADS=5"}, E(.max = 5), NULL},
      {{"OMP_NUM_THREADS= 5 "}, E(.max = 5), NULL},
      {{"OMP_NUM_THREADS=4,3,2"}, E(.max = 4, .mal = 255, .nested = 1), NULL},
      {{"OMP_NUM_THREADS=2 , 3"}, E(.max = 2, .mal = 255, .nested = 1), NULL},
      {{"OMP_NUM_THREADS=3,2", "OMP_NESTED=false"}, E(.max = 3), NULL},
      {{"OMP_NESTED=true"}, E(.mal = 255, .nested = 1), NULL},
      {{"OMP_NESTED=TRUE", "OMP_MAX_ACTIVE_LEVELS=2"}, E(.mal = 2, .nested = 1), NULL},
      {{"OMP_NESTED=false", "OMP_MAX_ACTIVE_LEVELS=3"}, E(.mal = 3, .nested = 1), NULL},
      {{"OMP_MAX_ACTIVE_LEVELS=0"}, E(.mal = 0), NULL},
      {{"OMP_MAX_ACTIVE_LEVELS=1000"}, E(.mal = 255, .nested = 1), NULL},
      {{"OMP_MAX_ACTIVE_LEVELS=99999999999999"}, E(.mal = 255, .nested = 1), NULL},
      {{"OMP_PROC_BIND=spread,close"}, E(.bind = 4, .mal = 255, .nested = 1), NULL},
      {{"OMP_PROC_BIND=spread,close", "OMP_NESTED=false"}, E(.bind = 4), NULL},
      {{"OMP_PROC_BIND=master"}, E(.bind = 2), NULL},
      {{"OMP_PROC_BIND=primary"}, E(.bind = 2), NULL},
      {{"OMP_PROC_BIND= Close "}, E(.bind = 3), NULL},
      {{"OMP_PROC_BIND=true"}, E(.bind = 1), NULL},
      {{"OMP_PROC_BIND=false"}, D, NULL},
      {{"OMP_SCHEDULE=static"}, E(.kind = 0x80000001u, .chunk = 0), NULL},
      {{"OMP_SCHEDULE=static,5"}, E(.kind = 0x80000001u, .chunk = 5), NULL},
      {{"OMP_SCHEDULE=monotonic:dynamic,5"}, E(.kind = 0x80000002u, .chunk = 5), NULL},
      {{"OMP_SCHEDULE=nonmonotonic:static"}, E(.kind = 1, .chunk = 0), NULL},
      {{"OMP_SCHEDULE=  GUIDED , 4 "}, E(.kind = 3, .chunk = 4), NULL},
      {{"OMP_SCHEDULE=auto,3"}, E(.kind = 4, .chunk = 3), NULL},
      {{"OMP_SCHEDULE=dynamic,0"}, E(.kind = 2, .chunk = 1), NULL},
      {{"OMP_SCHEDULE=MONOTONIC : guided"}, E(.kind = 0x80000003u, .chunk = 1), NULL},
      {{"OMP_SCHEDULE=nonmonotonic:dynamic,2147483647"}, E(.kind = 2, .chunk = INT_MAX), NULL},
      {{"OMP_DYNAMIC=true"}, E(.dyn = 1), NULL},
      {{"OMP_DYNAMIC= FALSE "}, D, NULL},
      {{"OMP_THREAD_LIMIT=5"}, E(.tl = 5), NULL},
      {{"OMP_THREAD_LIMIT=3000000000"}, D, NULL},
      {{"OMP_CANCELLATION=true"}, E(.canc = 1), NULL},
      {{"OMP_DEFAULT_DEVICE=3"}, E(.dev = 3), NULL},
      {{"OMP_MAX_TASK_PRIORITY=7"}, E(.prio = 7), NULL},
      {{"OMP_WAIT_POLICY=Passive"}, D, NULL},
      {{"GOMP_SPINCOUNT=10k"}, D, NULL},
      {{"OMP_STACKSIZE= 3 M "}, D, NULL},

      /* Malformed values: one complaint, then the default. */
      {{"OMP_NUM_THREADS=x"}, D, "OMP_NUM_THREADS"},
      {{"OMP_NUM_THREADS=-3"}, D, "OMP_NUM_THREADS"},
      {{"OMP_NUM_THREADS=0"}, D, "OMP_NUM_THREADS"},
      {{"OMP_NUM_THREADS="}, D, "OMP_NUM_THREADS"},
      {{"OMP_NUM_THREADS= "}, D, "OMP_NUM_THREADS"},
      {{"OMP_NUM_THREADS=3x"}, D, "OMP_NUM_THREADS"},
      {{"OMP_NUM_THREADS=3,"}, D, "OMP_NUM_THREADS"},
      {{"OMP_NUM_THREADS=,3"}, D, "OMP_NUM_THREADS"},
      {{"OMP_NUM_THREADS=3,,2"}, D, "OMP_NUM_THREADS"},
      {{"OMP_NUM_THREADS=3,0"}, D, "OMP_NUM_THREADS"},
      {{"OMP_NUM_THREADS=99999999999999999999999"}, D, "OMP_NUM_THREADS"},
      {{"OMP_SCHEDULE=dynamicx"}, D, "OMP_SCHEDULE"},
      {{"OMP_SCHEDULE="}, D, "OMP_SCHEDULE"},
      {{"OMP_SCHEDULE=monotonic dynamic"}, D, "OMP_SCHEDULE"},
      {{"OMP_SCHEDULE=chunky"}, D, "OMP_SCHEDULE"},
      {{"OMP_SCHEDULE=g\nx"}, D, "OMP_SCHEDULE"},
      {{"OMP_DYNAMIC=yes"}, D, "OMP_DYNAMIC"},
      {{"OMP_DYNAMIC=1"}, D, "OMP_DYNAMIC"},
      {{"OMP_DYNAMIC="}, D, "OMP_DYNAMIC"},
      {{"OMP_NESTED=maybe"}, D, "OMP_NESTED"},
      {{"OMP_MAX_ACTIVE_LEVELS=-1"}, D, "OMP_MAX_ACTIVE_LEVELS"},
      {{"OMP_MAX_ACTIVE_LEVELS=x"}, D, "OMP_MAX_ACTIVE_LEVELS"},
      {{"OMP_THREAD_LIMIT=0"}, D, "OMP_THREAD_LIMIT"},
      {{"OMP_THREAD_LIMIT=-2"}, D, "OMP_THREAD_LIMIT"},
      {{"OMP_THREAD_LIMIT=99999999999999999999999"}, D, "OMP_THREAD_LIMIT"},
      {{"OMP_PROC_BIND=true,close"}, D, "OMP_PROC_BIND"},
      {{"OMP_PROC_BIND=close,false"}, D, "OMP_PROC_BIND"},
      {{"OMP_PROC_BIND=spreadx"}, D, "OMP_PROC_BIND"},
      {{"OMP_PROC_BIND="}, D, "OMP_PROC_BIND"},
      {{"OMP_DEFAULT_DEVICE=-1"}, D, "OMP_DEFAULT_DEVICE"},
      {{"OMP_MAX_TASK_PRIORITY=3000000000"}, D, "OMP_MAX_TASK_PRIORITY"},
      {{"OMP_CANCELLATION=2"}, D, "OMP_CANCELLATION"},
      {{"OMP_WAIT_POLICY=x"}, D, "OMP_WAIT_POLICY"},
      {{"GOMP_SPINCOUNT=5q"}, D, "GOMP_SPINCOUNT"},
      {{"GOMP_SPINCOUNT=infinitex"}, D, "GOMP_SPINCOUNT"},
      {{"OMP_STACKSIZE=1T"}, D, "OMP_STACKSIZE"},
      {{"OMP_STACKSIZE=-1"}, D, "OMP_STACKSIZE"},
      {{"OMP_STACKSIZE=1kb"}, D, "OMP_STACKSIZE"},
      {{"OMP_STACKSIZE=99999999999999999g"}, D, "OMP_STACKSIZE"},
      {{"OMP_PLACES=junk"}, D, "OMP_PLACES"},
      {{"OMP_PLACES={}"}, D, "OMP_PLACES"},
      {{"OMP_PLACES=threads(2"}, D, "OMP_PLACES"},
      {{"GOMP_CPU_AFFINITY=x"}, D, "GOMP_CPU_AFFINITY"},
      {{"GOMP_CPU_AFFINITY=0,"}, D, "GOMP_CPU_AFFINITY"},
      {{"OMP_ALLOCATOR=bogus"}, D, "OMP_ALLOCATOR"},
      {{"OMP_TARGET_OFFLOAD=x"}, D, "OMP_TARGET_OFFLOAD"},
      {{"OMP_DISPLAY_ENV=maybe"}, D, "OMP_DISPLAY_ENV"},
      {{"OMP_NUM_TEAMS=0"}, D, "OMP_NUM_TEAMS"},
      {{"OMP_TEAMS_THREAD_LIMIT=-1"}, D, "OMP_TEAMS_THREAD_LIMIT"},
  };
  int ncpus = ec_ncpus();
  int failures = 0;
  static struct ec_result r;
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    const struct test_case *c = &cases[i];
    struct icvs w = c->want;
    if (w.max == NCPUS)
      w.max = ncpus;
    char want[256];
    snprintf(want, sizeof want,
             "max=%d dyn=%d nested=%d mal=%d tl=%d sched=%#x,%d bind=%d canc=%d dev=%d prio=%d\n",
             w.max, w.dyn, w.nested, w.mal, w.tl, w.kind, w.chunk, w.bind, w.canc, w.dev, w.prio);
    ec_run("icvs", c->vars, &r);
    const char *label = c->vars[0] ? c->vars[0] : "(no variables)";
    bool ok = true;
    if (r.status != 0) {
      fprintf(stderr, "[%s%s%s] child exited with %d\n", label, c->vars[1] ? " " : "",
              c->vars[1] ? c->vars[1] : "", r.status);
      ok = false;
    } else if (strcmp(r.out, want) != 0) {
      fprintf(stderr, "[%s%s%s]\n   got %s  want %s", label, c->vars[1] ? " " : "",
              c->vars[1] ? c->vars[1] : "", r.out, want);
      ok = false;
    }
    int lines = ec_lines(r.err, NULL);
    if (c->complaint ? lines != 1 || ec_lines(r.err, c->complaint) != 1 : lines != 0) {
      fprintf(stderr, "[%s] expected %s on stderr, got %d line(s):\n%s\n", label,
              c->complaint ? "one line naming the variable" : "nothing", lines, r.err);
      ok = false;
    }
    failures += !ok;
  }
  if (failures)
    fprintf(stderr, "%d of %zu cases failed\n", failures, sizeof cases / sizeof cases[0]);
  return failures != 0;
}
