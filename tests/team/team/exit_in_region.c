/* Process exit never hangs or crashes: exit() from inside a parallel region
 * (a worker, or the master while workers still run), and exit while workers
 * sleep.  The test re-executes itself for each case and checks the status. */
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static int child(int mode) {
#pragma omp parallel num_threads(4)
  {
    if (mode == 1 && omp_get_thread_num() == 2)
      exit(7);
    if (mode == 2 && omp_get_thread_num() == 0)
      exit(8);
    if (mode == 2)
      usleep(2000);
  }
  if (mode == 3) {
    usleep(50000); /* workers are asleep by now */
    exit(9);
  }
  return 0;
}

int main(int argc, char **argv) {
  if (argc == 3 && strcmp(argv[1], "child") == 0)
    return child(atoi(argv[2]));
  int expect[] = {0, 7, 8, 9};
  for (int mode = 0; mode <= 3; mode++) {
    pid_t pid = fork();
    if (pid == 0) {
      char m[8];
      snprintf(m, sizeof m, "%d", mode);
      execl("/proc/self/exe", argv[0], "child", m, (char *)NULL);
      _exit(127);
    }
    int status;
    waitpid(pid, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != expect[mode]) {
      fprintf(stderr, "mode %d: status %#x, expected exit %d\n", mode, status, expect[mode]);
      return 1;
    }
  }
  return 0;
}
