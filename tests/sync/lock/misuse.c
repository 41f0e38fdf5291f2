/* Lock misuse that libgomp leaves undefined: hsomp warns in one line and
 * leaves the lock intact (unsetting a lock that is not set, a nest lock
 * released by a task that does not own it, destroying a set lock). */
// TEST-HSOMP-ONLY
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static FILE *captured;
static int saved_stderr;

static void capture_begin(void) {
  fflush(stderr);
  captured = tmpfile();
  saved_stderr = dup(2);
  dup2(fileno(captured), 2);
}

/* Returns the number of lines written; fails if any lacks `needle`. */
static int capture_end(const char *needle, int *bad) {
  fflush(stderr);
  dup2(saved_stderr, 2);
  close(saved_stderr);
  rewind(captured);
  char line[512];
  int lines = 0;
  while (fgets(line, sizeof line, captured)) {
    lines++;
    if (!strstr(line, needle)) {
      fprintf(stderr, "unexpected message: %s", line);
      *bad = 1;
    }
  }
  fclose(captured);
  return lines;
}

static void expect_one(const char *what, const char *needle, int lines, int *bad) {
  if (lines != 1) {
    fprintf(stderr, "%s: %d warning lines, expected 1 (containing '%s')\n", what, lines, needle);
    *bad = 1;
  }
}

int main(void) {
  int bad = 0;
  omp_lock_t lock;
  omp_init_lock(&lock);

  capture_begin();
  omp_unset_lock(&lock);
  expect_one("unset a free lock", "omp_unset_lock", capture_end("omp_unset_lock", &bad), &bad);
  if (!omp_test_lock(&lock)) {
    fprintf(stderr, "lock unusable after a bad unset\n");
    return 1;
  }
  capture_begin();
  omp_destroy_lock(&lock);
  expect_one("destroy a set lock", "omp_destroy_lock", capture_end("omp_destroy_lock", &bad),
             &bad);

  omp_nest_lock_t nest;
  omp_init_nest_lock(&nest);
  capture_begin();
  omp_unset_nest_lock(&nest);
  expect_one("unset a free nest lock", "omp_unset_nest_lock",
             capture_end("omp_unset_nest_lock", &bad), &bad);

  int other_test = -1, lines = -1;
#pragma omp parallel num_threads(2)
  {
    if (omp_get_thread_num() == 0)
      omp_set_nest_lock(&nest);
#pragma omp barrier
    if (omp_get_thread_num() == 1) {
      capture_begin();
      omp_unset_nest_lock(&nest); /* not ours */
      lines = capture_end("omp_unset_nest_lock", &bad);
      other_test = omp_test_nest_lock(&nest);
    }
#pragma omp barrier
    if (omp_get_thread_num() == 0)
      omp_unset_nest_lock(&nest);
  }
  expect_one("unset another thread's nest lock", "omp_unset_nest_lock", lines, &bad);
  if (other_test != 0) {
    fprintf(stderr, "a non-owner's bad unset released the nest lock (test gave %d)\n",
            other_test);
    bad = 1;
  }
  if (omp_test_nest_lock(&nest) != 1) {
    fprintf(stderr, "nest lock not free at the end\n");
    bad = 1;
  }
  omp_unset_nest_lock(&nest);
  omp_destroy_nest_lock(&nest);
  return bad;
}
