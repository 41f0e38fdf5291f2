/* 10^6 tiny tasks without running out of memory: made by one thread in a
 * single (far faster than the others can run them), by every thread at
 * once, as one long chain of inout dependences, and as a taskloop with
 * 10^6 one-iteration tasks.  Every task must run exactly once, and the
 * peak resident size must stay far below what keeping every task alive
 * would take (the runtime runs tasks undeferred past a cut-off). */
// TEST-TIMEOUT: 120
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#define MILLION 1000000L

static long max_rss_mb(void) {
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_maxrss / 1024;
}

int main(void) {
  int fails = 0;
  static unsigned char ran[MILLION];
  long count = 0;

#pragma omp parallel
#pragma omp single
  for (long i = 0; i < MILLION; i++)
#pragma omp task firstprivate(i)
    ran[i]++;
  for (long i = 0; i < MILLION; i++)
    if (ran[i] != 1) {
      fprintf(stderr, "single: task %ld ran %d times\n", i, ran[i]);
      fails++;
      break;
    }

  memset(ran, 0, sizeof ran);
#pragma omp parallel
  {
    int n = omp_get_num_threads(), me = omp_get_thread_num();
    for (long i = me; i < MILLION; i += n)
#pragma omp task firstprivate(i)
      ran[i]++;
  }
  for (long i = 0; i < MILLION; i++)
    if (ran[i] != 1) {
      fprintf(stderr, "every thread: task %ld ran %d times\n", i, ran[i]);
      fails++;
      break;
    }

  /* A chain: each task depends on the previous one. */
  long chain = 0;
#pragma omp parallel
#pragma omp single
  for (long i = 0; i < MILLION / 4; i++)
#pragma omp task depend(inout: chain) firstprivate(i)
    {
      if (chain != i)
        count++;
      chain = i + 1;
    }
  if (chain != MILLION / 4 || count) {
    fprintf(stderr, "chain: ended at %ld, %ld out of order\n", chain, count);
    fails++;
  }

  memset(ran, 0, sizeof ran);
#pragma omp parallel
#pragma omp single
#pragma omp taskloop num_tasks(MILLION)
  for (long i = 0; i < MILLION; i++)
    ran[i]++;
  for (long i = 0; i < MILLION; i++)
    if (ran[i] != 1) {
      fprintf(stderr, "taskloop: iteration %ld ran %d times\n", i, ran[i]);
      fails++;
      break;
    }

  /* A task record is well over 100 bytes: 10^6 live ones would be
   * hundreds of MB.  Sanitizer runtimes (preloaded) keep freed memory in
   * quarantine, so the bound only holds without them. */
  long rss = max_rss_mb();
  const char *pre = getenv("LD_PRELOAD");
  int sanitized = pre && (strstr(pre, "asan") || strstr(pre, "tsan"));
  if (!sanitized && rss > 100) {
    fprintf(stderr, "peak resident size %ld MB\n", rss);
    fails++;
  }
  printf("peak resident size %ld MB\n", rss);
  return fails ? 1 : 0;
}
