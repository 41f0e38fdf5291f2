/* hsomp_test.h -- small helpers for test programs (tests/support is on every
 * test's include path).  Include it first: it needs _GNU_SOURCE.
 *   HT_CHECK(cond, fmt, ...)   fail the test with a message unless cond
 *   ht_hsomp_capability_fn()   hsomp_get_capability, NULL under libgomp
 *   ht_thread_name()           the calling thread's name (/proc)
 *   ht_tasks_snapshot()        every thread of the process: tid, name and
 *                              CPU time, for checking who did the work
 *   ht_run_self(mode, ...)     rerun this program as a child with argv[1]
 *                              = mode, capturing its stderr (death tests)
 *   ht_read_all(fd, out, len)  read a pipe to its end
 *   HT_FAIL(fmt, ...)          report a failure and count it in ht_failures,
 *                              for checks made inside parallel regions and
 *                              tasks (main returns ht_failures != 0) */
#ifndef HSOMP_TEST_H
#define HSOMP_TEST_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dirent.h>
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define HT_CHECK(cond, ...)                                               \
  do {                                                                    \
    if (!(cond)) {                                                        \
      fprintf(stderr, "%s:%d: check failed: %s: ", __FILE__, __LINE__, #cond); \
      fprintf(stderr, __VA_ARGS__);                                       \
      fputc('\n', stderr);                                                \
      exit(1);                                                            \
    }                                                                     \
  } while (0)

/* Failures counted by HT_FAIL (any thread); the test's exit status. */
__attribute__((unused)) static int ht_failures;
#define HT_FAIL(...)                                                      \
  do {                                                                    \
    fprintf(stderr, __VA_ARGS__);                                         \
    fputc('\n', stderr);                                                  \
    __atomic_add_fetch(&ht_failures, 1, __ATOMIC_SEQ_CST);                \
  } while (0)

static inline int (*ht_hsomp_capability_fn(void))(void) {
  return (int (*)(void))dlsym(RTLD_DEFAULT, "hsomp_get_capability");
}

/* The test runs on hsomp: hsomp-run sets this for the hsomp variant. */
static inline int ht_expect_hsomp(void) {
  const char *r = getenv("HSOMP_TEST_RUNTIME");
  return r && strcmp(r, "hsomp") == 0;
}

static inline int ht_read_line(const char *path, char *buf, size_t len) {
  FILE *f = fopen(path, "r");
  if (!f)
    return 0;
  int ok = fgets(buf, (int)len, f) != NULL;
  fclose(f);
  if (ok)
    buf[strcspn(buf, "\n")] = 0;
  return ok;
}

static inline void ht_thread_name(char *buf, size_t len) {
  if (!ht_read_line("/proc/thread-self/comm", buf, len))
    snprintf(buf, len, "?");
}

struct ht_task {
  int tid;
  char name[16];
  double cpu; /* seconds on a CPU */
};

/* Fills out[0..max) and returns the count.  CPU time comes from
 * schedstat (nanoseconds), or from utime+stime in stat where the kernel
 * has no schedstat. */
static inline int ht_tasks_snapshot(struct ht_task *out, int max) {
  DIR *d = opendir("/proc/self/task");
  if (!d)
    return 0;
  int n = 0;
  struct dirent *e;
  while ((e = readdir(d)) && n < max) {
    if (e->d_name[0] == '.')
      continue;
    char path[300], line[512];
    struct ht_task *t = &out[n];
    t->tid = atoi(e->d_name);
    snprintf(path, sizeof path, "/proc/self/task/%s/comm", e->d_name);
    if (!ht_read_line(path, t->name, sizeof t->name))
      continue; /* the thread exited */
    snprintf(path, sizeof path, "/proc/self/task/%s/schedstat", e->d_name);
    unsigned long long ns;
    if (ht_read_line(path, line, sizeof line) && sscanf(line, "%llu", &ns) == 1) {
      t->cpu = 1e-9 * (double)ns;
    } else {
      snprintf(path, sizeof path, "/proc/self/task/%s/stat", e->d_name);
      if (!ht_read_line(path, line, sizeof line))
        continue;
      /* Fields after the parenthesised name: state is field 3, utime 14. */
      char *p = strrchr(line, ')');
      unsigned long ut = 0, st = 0;
      if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut, &st) != 2)
        continue;
      t->cpu = (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
    }
    n++;
  }
  closedir(d);
  return n;
}

static inline const struct ht_task *ht_task_find(const struct ht_task *ts, int n, int tid) {
  for (int i = 0; i < n; i++)
    if (ts[i].tid == tid)
      return &ts[i];
  return NULL;
}

/* Read fd to end of file into out (NUL-terminated, at most len - 1 bytes;
 * the rest is discarded so the writer never blocks). */
static inline size_t ht_read_all(int fd, char *out, size_t len) {
  size_t n = 0;
  ssize_t r;
  char sink[256];
  while ((r = read(fd, n + 1 < len ? out + n : sink,
                   n + 1 < len ? len - 1 - n : sizeof sink)) > 0)
    if (n + 1 < len)
      n += (size_t)r;
  out[n] = 0;
  return n;
}

/* Run this program again as a child, `/proc/self/exe mode`, with
 * `env_name=env_value` added to its environment when env_name is non-NULL,
 * and capture its stderr into out.  Returns the child's wait status (-1 if
 * it could not be started).  The death tests use it for fatal paths. */
static inline int ht_run_self(const char *mode, const char *env_name, const char *env_value,
                              char *out, size_t len) {
  int fd[2];
  if (pipe(fd) != 0)
    return -1;
  pid_t pid = fork();
  if (pid < 0)
    return -1;
  if (pid == 0) {
    dup2(fd[1], 2);
    close(fd[0]);
    if (env_name)
      setenv(env_name, env_value, 1);
    execl("/proc/self/exe", "ht-child", mode, (char *)NULL);
    _exit(127);
  }
  close(fd[1]);
  ht_read_all(fd[0], out, len);
  close(fd[0]);
  int st;
  if (waitpid(pid, &st, 0) != pid)
    return -1;
  return st;
}

#endif
