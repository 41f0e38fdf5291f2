/* Resource limits never turn into a fatal exit: a region under a thread
 * limit (RLIMIT_NPROC 2 and 3, as user nobody since root is exempt) or an
 * address-space limit (ulimit -v 1 GB and 4 GB with 16 threads) runs with
 * the threads the limit allows, like libgomp.  Before the fix hsomp exited
 * 1 under RLIMIT_NPROC 3 ("failed to create OS thread"), aborted under 2
 * ("internal error: Itimer: Failed to spawn thread ... report this as a
 * GHC bug"), and exited under ulimit -v 1 GB / 4 GB with 16 threads (the
 * RTS's heap reservation took the address space the thread stacks need).
 * LIMIT=nprocN / asMB; TEAM is the team size asked for and expected. */
// TEST-ENV: LIMIT=nproc2 TEAM=2
// TEST-ENV: LIMIT=nproc3 TEAM=2
// TEST-ENV: LIMIT=as1000 TEAM=16
// TEST-ENV: LIMIT=as4000 TEAM=16
// TEST-NO-SANITIZER
// TEST-SERIAL
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

static int child(const char *limit, int team) {
  struct rlimit r;
  if (strncmp(limit, "nproc", 5) == 0) {
    r.rlim_cur = r.rlim_max = (rlim_t)atoi(limit + 5);
    if (setrlimit(RLIMIT_NPROC, &r) != 0 || setgid(65534) != 0 || setuid(65534) != 0) {
      perror("setrlimit/setuid");
      return 2;
    }
  } else {
    r.rlim_cur = r.rlim_max = (rlim_t)atoi(limit + 2) << 20;
    if (setrlimit(RLIMIT_AS, &r) != 0) {
      perror("setrlimit");
      return 2;
    }
  }
  int got = 0;
  long sum = 0;
#pragma omp parallel num_threads(team) reduction(+ : sum)
  {
#pragma omp single
    got = omp_get_num_threads();
#pragma omp for
    for (int i = 1; i <= 10000; i++)
      sum += i;
  }
  /* a second region reuses the threads */
  long sum2 = 0;
#pragma omp parallel for num_threads(team) reduction(+ : sum2)
  for (int i = 1; i <= 10000; i++)
    sum2 += i;
  /* the host can still create threads and map memory afterwards */
  void *p = malloc(16 << 20);
  if (sum != 50005000L || sum2 != 50005000L || got != team || !p) {
    fprintf(stderr, "FAIL under %s: team of %d (want %d), sums %ld %ld, malloc %p\n", limit, got,
            team, sum, sum2, p);
    return 1;
  }
  free(p);
  printf("ok under %s: team of %d\n", limit, got);
  return 0;
}

int main(void) {
  const char *limit = getenv("LIMIT");
  int team = atoi(getenv("TEAM") ? getenv("TEAM") : "2");
  if (!limit)
    return 2;
  if (strncmp(limit, "nproc", 5) == 0 && geteuid() != 0) {
    /* RLIMIT_NPROC counts every process of the user; only root can run
     * this as a fresh user (CI runs as root). */
    puts("not root: RLIMIT_NPROC case not run");
    return 0;
  }
  fflush(stdout);
  pid_t pid = fork();
  if (pid == 0)
    _exit(child(limit, team));
  int status;
  waitpid(pid, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    fprintf(stderr, "FAIL: the child under %s %s %d\n", limit,
            WIFEXITED(status) ? "exited with" : "was killed by signal",
            WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
    return 1;
  }
  return 0;
}
