/* The affinity format: omp_set/get_affinity_format (with truncation),
 * omp_capture_affinity's fields, widths, zero padding and justification
 * in teams of 1, 2, 3 and 8 threads and in nested regions, and
 * OMP_DISPLAY_AFFINITY printing a line per thread when its line changes,
 * and omp_display_affinity (both checked on a child's stderr). */
// TEST-ENV: OMP_AFFINITY_FORMAT=hello
#include "hsomp_test.h"

#include <omp.h>
#include <pthread.h>
#include <sys/wait.h>

static void capture(char *buf, size_t size, const char *fmt) {
  size_t n = omp_capture_affinity(buf, size, fmt);
  HT_CHECK(n < size, "capture of '%s' needs %zu bytes", fmt, n);
  HT_CHECK(omp_capture_affinity(NULL, 0, fmt) == n, "length of '%s' differs", fmt);
}

/* The region bodies must not be empty: gcc -O2 deletes an empty
 * parallel region, and then no runtime call is left to print anything. */
static int child(void) {
  int ran = 0;
  omp_set_dynamic(0);
  for (int r = 0; r < 2; r++) {
#pragma omp parallel num_threads(3)
#pragma omp atomic
    ran++;
  }
#pragma omp parallel num_threads(2)
#pragma omp atomic
  ran++;
  omp_display_affinity("D%L/%N");
  omp_display_affinity(NULL); /* the format variable */
  return ran == 8 ? 0 : 3;
}

int main(int argc, char **argv) {
  if (argc > 1)
    return child();
  char buf[512];
  /* OMP_AFFINITY_FORMAT=hello, and truncation rules. */
  HT_CHECK(omp_get_affinity_format(NULL, 0) == 5, "initial format length");
  HT_CHECK(omp_get_affinity_format(buf, 3) == 5 && strcmp(buf, "he") == 0, "truncated: '%s'",
           buf);
  omp_set_affinity_format("L%L n%n");
  HT_CHECK(omp_get_affinity_format(buf, sizeof buf) == 7 && strcmp(buf, "L%L n%n") == 0,
           "set/get: '%s'", buf);
  capture(buf, sizeof buf, NULL);
  HT_CHECK(strcmp(buf, "L0 n0") == 0, "format-var capture: '%s'", buf);
  capture(buf, sizeof buf, "");
  HT_CHECK(strcmp(buf, "L0 n0") == 0, "empty format capture: '%s'", buf);
  /* Truncated capture still returns the full length. */
  HT_CHECK(omp_capture_affinity(buf, 4, "abcdefgh") == 8 && strcmp(buf, "abc") == 0,
           "truncated capture: '%s'", buf);

  /* Widths, padding, justification, long names, %%. */
  capture(buf, sizeof buf, "[%5n][%.5n][%0.5n][%0.5a][%{thread_num}][%%][%3{num_threads}]");
  HT_CHECK(strcmp(buf, "[0    ][    0][00000][-0001][0][%][1  ]") == 0, "fields: '%s'", buf);
  char want[600], host[256];
  gethostname(host, sizeof host);
  capture(buf, sizeof buf, "%P|%H|%{host}|%{process_id}");
  snprintf(want, sizeof want, "%d|%s|%s|%d", (int)getpid(), host, host, (int)getpid());
  HT_CHECK(strcmp(buf, want) == 0, "pid/host: '%s', want '%s'", buf, want);
  capture(buf, sizeof buf, "%i");
  snprintf(want, sizeof want, "0x%lx", (unsigned long)pthread_self());
  HT_CHECK(strcmp(buf, want) == 0, "native thread id: '%s', want '%s'", buf, want);
  capture(buf, sizeof buf, "%0.20i");
  HT_CHECK(strlen(buf) == 20 && strncmp(buf, "0x", 2) == 0, "padded thread id '%s'", buf);
  /* %A of an unbound thread: the CPUs the process may use, as ranges. */
  cpu_set_t set;
  sched_getaffinity(0, sizeof set, &set);
  capture(buf, sizeof buf, "%A");
  char *end;
  long lo = strtol(buf, &end, 10);
  HT_CHECK(CPU_ISSET(lo, &set), "affinity '%s' starts with a CPU we do not have", buf);

  /* In teams of 1, 2, 3 and 8 threads, and nested. */
  int sizes[] = {1, 2, 3, 8};
  for (int k = 0; k < 4; k++) {
    int t = sizes[k], bad = 0;
#pragma omp parallel num_threads(t) reduction(+ : bad)
    {
      char b[128], w[128];
      omp_capture_affinity(b, sizeof b, "%L/%n/%N/%a/%t/%T");
      snprintf(w, sizeof w, "1/%d/%d/0/0/1", omp_get_thread_num(), t);
      if (strcmp(b, w) != 0)
        bad++;
    }
    HT_CHECK(bad == 0, "%d threads: %d wrong lines", t, bad);
  }
  omp_set_max_active_levels(2);
  int bad = 0;
#pragma omp parallel num_threads(2) reduction(+ : bad)
  {
    int outer = omp_get_thread_num();
#pragma omp parallel num_threads(3) reduction(+ : bad)
    {
      char b[128], w[128];
      omp_capture_affinity(b, sizeof b, "%L %n %N %a");
      snprintf(w, sizeof w, "2 %d 3 %d", omp_get_thread_num(), outer);
      if (strcmp(b, w) != 0)
        bad++;
    }
  }
  HT_CHECK(bad == 0, "nested: %d wrong lines", bad);

  /* OMP_DISPLAY_AFFINITY in a child: 3 lines for the first 3-thread
   * region, none for the identical second one, 2 for the 2-thread one;
   * then omp_display_affinity's two lines. */
  int fd[2];
  HT_CHECK(pipe(fd) == 0, "pipe");
  pid_t pid = fork();
  if (pid == 0) {
    dup2(fd[1], 2);
    close(fd[0]);
    setenv("OMP_DISPLAY_AFFINITY", "true", 1);
    setenv("OMP_AFFINITY_FORMAT", "T%n/%N L%L", 1);
    unsetenv("OMP_PROC_BIND");
    unsetenv("OMP_PLACES");
    execl("/proc/self/exe", argv[0], "child", (char *)NULL);
    _exit(127);
  }
  close(fd[1]);
  char out[4096];
  ht_read_all(fd[0], out, sizeof out);
  int st;
  waitpid(pid, &st, 0);
  HT_CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "display child status %#x", st);
  const char *lines[] = {"T0/3 L1\n", "T1/3 L1\n", "T2/3 L1\n", "T0/2 L1\n",
                         "T1/2 L1\n", "D0/1\n",    "T0/1 L0\n"};
  int total = 0;
  for (char *p = out; *p; p++)
    total += *p == '\n';
  HT_CHECK(total == 7, "the display child printed %d lines:\n%s", total, out);
  HT_CHECK(strstr(out, "D0/1\nT0/1 L0\n") != NULL, "omp_display_affinity's lines:\n%s", out);
  for (int i = 0; i < 7; i++)
    HT_CHECK(strstr(out, lines[i]) != NULL, "no line '%.7s' in:\n%s", lines[i], out);
  return 0;
}
