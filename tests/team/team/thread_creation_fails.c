// Thread creation failing (Note [Fewer threads than asked], pool.c): a team
// whose workers the system refuses to create gets the threads that exist,
// with one warning, instead of aborting.  The child process boots the
// runtime with a small region, then makes every new thread's stack 512 MB
// and caps its address space at 2.5 GB above what it uses, so only a few
// of the 15 workers a 16-thread region asks for can be created.
// (hsomp only: libgomp aborts with "Thread creation failed")
// TEST-HSOMP-ONLY
// (not under the sanitizers: they need far more address space than the cap leaves)
// TEST-NO-SANITIZER
#include "hsomp_test.h"

#include <omp.h>
#include <pthread.h>
#include <sys/resource.h>

static unsigned long vm_bytes(void) {
  unsigned long pages = 0;
  FILE *f = fopen("/proc/self/statm", "r");
  if (f) {
    if (fscanf(f, "%lu", &pages) != 1)
      pages = 0;
    fclose(f);
  }
  return pages * (unsigned long)sysconf(_SC_PAGESIZE);
}

static int child(void) {
  int warm = 0;
#pragma omp parallel num_threads(2)
#pragma omp atomic
  warm++;
  HT_CHECK(warm == 2, "warm-up region ran %d threads", warm);

  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, 512ul << 20);
  HT_CHECK(pthread_setattr_default_np(&attr) == 0, "pthread_setattr_default_np");
  pthread_attr_destroy(&attr);
  struct rlimit lim = {vm_bytes() + (2560ul << 20), RLIM_INFINITY};
  HT_CHECK(setrlimit(RLIMIT_AS, &lim) == 0, "setrlimit");

  for (int round = 0; round < 3; round++) {
    int team = 0, ran = 0;
    long sum = 0;
#pragma omp parallel num_threads(16) reduction(+ : sum)
    {
#pragma omp single
      team = omp_get_num_threads();
#pragma omp atomic
      ran++;
#pragma omp for
      for (long i = 0; i < 100000; i++)
        sum += i;
    }
    HT_CHECK(team >= 2 && team < 16, "round %d: team of %d (the cap should allow 2..15)", round,
             team);
    HT_CHECK(ran == team, "round %d: %d threads ran in a team of %d", round, ran, team);
    HT_CHECK(sum == 100000L * 99999 / 2, "round %d: sum %ld", round, sum);
    printf("round %d: a team of %d of the 16 asked for\n", round, team);
  }
  return 0;
}

int main(int argc, char **argv) {
  if (argc > 1 && strcmp(argv[1], "child") == 0)
    return child();
  char err[4096];
  int st = ht_run_self("child", NULL, NULL, err, sizeof err);
  fputs(err, stderr);
  HT_CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "child ended with status %#x", st);
  /* Exactly one warning line, about thread creation. */
  int lines = 0;
  for (const char *p = err; (p = strchr(p, '\n')); p++)
    lines++;
  HT_CHECK(lines == 1 && strstr(err, "cannot create another OpenMP thread"),
           "expected one warning line, got %d:\n%s", lines, err);
  return 0;
}
