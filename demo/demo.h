/* demo.h -- what every demonstration kernel shares: timing, which OpenMP
 * runtime is loaded, which GHC Capability each OpenMP thread is bound to,
 * and the two machine-readable lines the driver (demo/run-demo.sh) reads:
 *   RESULT <text>   must be identical under libgomp and under hsomp
 *   TIME <seconds>  best of the repetitions
 * Everything else a kernel prints is for people.
 *
 * The programs are ordinary gcc -fopenmp programs linked against libgomp;
 * they look hsomp's extension up with dlsym, so the same binary runs on
 * both runtimes (under libgomp the symbol is absent). */
#ifndef HSOMP_DEMO_H
#define HSOMP_DEMO_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* dladdr, RTLD_DEFAULT; include demo.h first */
#endif

#include <dirent.h>
#include <dlfcn.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define DEMO_MAX_THREADS 64

static inline double demo_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* hsomp_get_capability, or NULL under another runtime. */
static inline int (*demo_capability_fn(void))(void) {
  return (int (*)(void))dlsym(RTLD_DEFAULT, "hsomp_get_capability");
}

/* The file the OpenMP entry points come from, and the runtime's name. */
static inline void demo_print_runtime(const char *kernel) {
  Dl_info info = {0};
  void *entry = dlsym(RTLD_DEFAULT, "GOMP_parallel");
  const char *file = entry && dladdr(entry, &info) && info.dli_fname ? info.dli_fname : "?";
  char real[4096];
  if (!realpath(file, real))
    snprintf(real, sizeof real, "%s", file);
  printf("%s: %d OpenMP threads, runtime %s (%s)\n", kernel, omp_get_max_threads(),
         demo_capability_fn() ? "hsomp" : "libgomp", real);
}

/* The calling thread's name (hsomp names its workers hsomp-w<N>). */
static inline void demo_thread_name(char *buf, size_t len) {
  snprintf(buf, len, "?");
  FILE *f = fopen("/proc/thread-self/comm", "r");
  if (!f)
    return;
  if (fgets(buf, (int)len, f))
    buf[strcspn(buf, "\n")] = 0;
  fclose(f);
}

/* Who a team member is: "thread 1 = hsomp-w1 on Capability 1". */
struct demo_member {
  int capability; /* -1: bound to none (the host thread), -2: not hsomp */
  char name[16];
};

/* Fill m[0..n) from inside a parallel region (each thread its own). */
static inline void demo_member_record(struct demo_member *m) {
  int (*cap_fn)(void) = demo_capability_fn();
  int id = omp_get_thread_num();
  if (id >= DEMO_MAX_THREADS)
    return;
  m[id].capability = cap_fn ? cap_fn() : -2;
  demo_thread_name(m[id].name, sizeof m[id].name);
}

static inline void demo_member_print(int id, const struct demo_member *m, const char *what) {
  if (m->capability == -2)
    printf("  thread %d (%s): %s\n", id, m->name, what);
  else if (m->capability == -1)
    printf("  thread %d (%s, host thread, no Capability): %s\n", id, m->name, what);
  else
    printf("  thread %d (%s, GHC Capability %d): %s\n", id, m->name, m->capability, what);
}

/* CPU time (seconds) of every thread of the process, by name, from
 * /proc/self/task/<tid>/schedstat (nanoseconds on a CPU). */
struct demo_task_cpu {
  int tid;
  char name[16];
  double cpu;
};
static inline int demo_task_cpu_snapshot(struct demo_task_cpu *out, int max) {
  DIR *d = opendir("/proc/self/task");
  int n = 0;
  if (!d)
    return 0;
  struct dirent *e;
  while ((e = readdir(d)) && n < max) {
    if (e->d_name[0] == '.')
      continue;
    char path[300];
    unsigned long long ns = 0;
    snprintf(path, sizeof path, "/proc/self/task/%s/schedstat", e->d_name);
    FILE *f = fopen(path, "r");
    if (!f)
      continue;
    int ok = fscanf(f, "%llu", &ns) == 1;
    fclose(f);
    if (!ok)
      continue;
    out[n].tid = atoi(e->d_name);
    out[n].cpu = 1e-9 * (double)ns;
    snprintf(out[n].name, sizeof out[n].name, "?");
    snprintf(path, sizeof path, "/proc/self/task/%s/comm", e->d_name);
    if ((f = fopen(path, "r"))) {
      if (fgets(out[n].name, sizeof out[n].name, f))
        out[n].name[strcspn(out[n].name, "\n")] = 0;
      fclose(f);
    }
    n++;
  }
  closedir(d);
  return n;
}

static inline void demo_print_time(double best) { printf("TIME %.6f\n", best); }

#endif
