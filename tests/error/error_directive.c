/* The error directive at execution time: severity(warning) prints
 * libgomp's line and goes on, severity(fatal) prints its line and ends
 * the program with a failure status -- checked on a child process's
 * stderr, also from a parallel region of 3 threads. */
// TEST-ENV: OMP_NUM_THREADS=3
#include "hsomp_test.h"

#include <omp.h>
#include <sys/wait.h>

static int run_child(const char *mode, char *out, size_t len) {
  return ht_run_self(mode, NULL, NULL, out, len);
}

static int count(const char *s, const char *what) {
  int n = 0;
  for (const char *p = s; (p = strstr(p, what)) != NULL; p += strlen(what))
    n++;
  return n;
}

int main(int argc, char **argv) {
  if (argc > 1 && strcmp(argv[1], "warn") == 0) {
    const char *msg = "my message" + 3;
#pragma omp error at(execution) severity(warning)
#pragma omp error at(execution) severity(warning) message(msg)
#pragma omp parallel num_threads(3)
    {
#pragma omp error at(execution) severity(warning) message("from a team")
    }
    return 7; /* it went on */
  }
  if (argc > 1 && strcmp(argv[1], "fatal") == 0) {
#pragma omp error at(execution) severity(fatal) message("stop here")
    return 0; /* must not get here */
  }
  char out[8192];
  int st = run_child("warn", out, sizeof out);
  HT_CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 7, "warnings stopped the program: %#x", st);
  HT_CHECK(count(out, "libgomp: error directive encountered\n") == 1, "plain warning: '%s'", out);
  HT_CHECK(count(out, "libgomp: error directive encountered: message\n") == 1,
           "warning with a message: '%s'", out);
  /* libgomp writes a message in pieces without locking stderr, so the
   * three threads' lines may interleave: count the pieces. */
  HT_CHECK(count(out, "error directive encountered: from a team") == 3 &&
               count(out, "libgomp: ") == 5,
           "three threads' warnings: '%s'", out);
  st = run_child("fatal", out, sizeof out);
  HT_CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 1, "fatal error: status %#x", st);
  HT_CHECK(strstr(out, "libgomp: fatal error: error directive encountered: stop here\n") != NULL,
           "fatal message: '%s'", out);
  return 0;
}
