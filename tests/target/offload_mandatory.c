/* OMP_TARGET_OFFLOAD=mandatory on a machine without devices: a target
 * region on the default device (the host) still runs, one that names
 * another device ends the program (status 1) with libgomp's message. */
#include "hsomp_test.h"

#include <omp.h>
#include <sys/wait.h>

static int run_child(const char *mode, char *err, size_t errlen) {
  return ht_run_self(mode, "OMP_TARGET_OFFLOAD", "mandatory", err, errlen);
}

int main(int argc, char **argv) {
  if (argc > 1) {
    int x = 0;
    if (strcmp(argv[1], "host") == 0) {
#pragma omp target map(tofrom : x)
      x = 1;
      return x == 1 ? 0 : 3;
    }
#pragma omp target device(3) map(tofrom : x)
    x = 1;
    return 0; /* must not get here */
  }
  char err[4096];
  int st = run_child("host", err, sizeof err);
  HT_CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "mandatory, host device: status %#x, %s", st,
           err);
  st = run_child("device3", err, sizeof err);
  HT_CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 1, "mandatory, device(3): status %#x", st);
  /* libgomp's words: programs and test harnesses match them. */
  HT_CHECK(strcmp(err, "\nlibgomp: OMP_TARGET_OFFLOAD is set to MANDATORY, but device not "
                       "found\n") == 0,
           "message about OMP_TARGET_OFFLOAD: '%s'", err);
  return 0;
}
