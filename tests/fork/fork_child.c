/* fork() safety: after parallel regions of 1, 2, 3 and 8 threads, a forked
 * child runs parallel regions of its own (with new workers: the parent's
 * do not exist in the child) and exits normally, a grandchild too, and
 * the parent's regions still work afterwards.  libgomp's child hangs in
 * its first parallel region, so this test is for hsomp only. */
// TEST-HSOMP-ONLY
// TEST-ENV: OMP_NUM_THREADS=2
// TEST-ENV: OMP_NUM_THREADS=3
// TEST-TIMEOUT: 60
#include "hsomp_test.h"

#include <omp.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>

/* Regions of 1, 2, 3 and 8 threads; 0 if all results were right. */
static int regions(void) {
  int sizes[] = {1, 2, 3, 8};
  for (int k = 0; k < 4; k++) {
    int seen[8] = {0}, team = 0;
    long sum = 0;
#pragma omp parallel num_threads(sizes[k]) reduction(+ : sum)
    {
#pragma omp atomic
      seen[omp_get_thread_num()]++;
#pragma omp single
      team = omp_get_num_threads();
#pragma omp for
      for (int i = 0; i < 1000; i++)
        sum += i;
    }
    if (team != sizes[k] || sum != 999L * 1000 / 2)
      return 1;
    for (int i = 0; i < sizes[k]; i++)
      if (seen[i] != 1)
        return 2;
  }
  return 0;
}

/* Waits for a child, killing it if it takes more than 20 s (a hang). */
static int wait_child(pid_t pid) {
  for (int i = 0; i < 2000; i++) {
    int st;
    if (waitpid(pid, &st, WNOHANG) == pid)
      return st;
    struct timespec ts = {0, 10 * 1000 * 1000};
    nanosleep(&ts, NULL);
  }
  kill(pid, SIGKILL);
  waitpid(pid, NULL, 0);
  return -1;
}

/* ThreadSanitizer (the tsan build preloads it) refuses by default to let
 * a child forked from a multi-threaded process start threads, which is
 * what this test is about: rerun with that check off. */
static void allow_threads_after_fork_under_tsan(char **argv) {
  const char *san = getenv("HSOMP_SANITIZE"), *opts = getenv("TSAN_OPTIONS");
  if (!san || !strstr(san, "thread") || (opts && strstr(opts, "die_after_fork")))
    return;
  char buf[1024];
  snprintf(buf, sizeof buf, "%s%sdie_after_fork=0", opts ? opts : "", opts ? ":" : "");
  setenv("TSAN_OPTIONS", buf, 1);
  execv("/proc/self/exe", argv);
  HT_CHECK(0, "cannot re-execute myself");
}

int main(int argc, char **argv) {
  (void)argc;
  allow_threads_after_fork_under_tsan(argv);
  HT_CHECK(regions() == 0, "parent before fork");
  for (int round = 0; round < 3; round++) {
    pid_t pid = fork();
    HT_CHECK(pid >= 0, "fork failed");
    if (pid == 0) {
      int rc = regions();
      if (rc == 0) {
        /* A grandchild, forked by a child that has used OpenMP. */
        pid_t g = fork();
        if (g == 0)
          _exit(regions() == 0 ? 0 : 3);
        int st = wait_child(g);
        rc = st >= 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : 4;
      }
      _exit(rc);
    }
    int st = wait_child(pid);
    HT_CHECK(st != -1, "round %d: the child hung", round);
    HT_CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "round %d: child status %#x", round, st);
    HT_CHECK(regions() == 0, "parent after fork round %d", round);
  }
  /* Forking from inside a region's single construct: the parent's team
   * goes on; the child (one thread) runs its own regions. */
  int child_status = 0;
#pragma omp parallel num_threads(3)
  {
#pragma omp single
    {
      pid_t pid = fork();
      if (pid == 0)
        _exit(0);
      child_status = wait_child(pid);
    }
  }
  HT_CHECK(child_status == 0, "fork inside a region: child status %#x", child_status);
  HT_CHECK(regions() == 0, "parent at the end");
  return 0;
}
