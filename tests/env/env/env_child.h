/* env_child.h -- for tests of environment variables, which the runtime
 * reads once at start-up: run this same program again (/proc/self/exe)
 * with a chosen environment and capture what it prints.
 *
 *   ec_run(mode, vars, &r)   re-runs the program as `PROG --child mode`,
 *                            its environment without any OMP_* / GOMP_*
 *                            variable but with `vars` ("NAME=value", NULL
 *                            terminated); r.out / r.err hold stdout and
 *                            stderr, r.status the exit status
 *   ec_child_mode(argc, argv) the mode when running as the child, or NULL
 *   ec_lines(text, needle)   non-empty lines of text (containing needle
 *                            when it is not NULL)
 *   ec_has_line(text, line)  text has exactly this line
 *
 * The child inherits everything else (LD_LIBRARY_PATH from hsomp-run, so
 * it runs on the same runtime as the parent; sanitizer preloads). */
#ifndef ENV_CHILD_H
#define ENV_CHILD_H

#include "hsomp_test.h"

#include <sched.h>
#include <stdbool.h>
#include <sys/wait.h>

extern char **environ;

struct ec_result {
  int status; /* exit code, or 128 + signal */
  char out[16384];
  char err[32768];
};

static inline const char *ec_child_mode(int argc, char **argv) {
  return argc == 3 && strcmp(argv[1], "--child") == 0 ? argv[2] : NULL;
}

static inline void ec_slurp(FILE *f, char *buf, size_t size) {
  rewind(f);
  size_t n = fread(buf, 1, size - 1, f);
  buf[n] = '\0';
  fclose(f);
}

static inline void ec_run(const char *mode, const char *const *vars, struct ec_result *r) {
  /* Everything the child needs is prepared before fork: after it, in a
   * process that may have threads, only exec-safe calls. */
  size_t n = 0, nvars = 0;
  while (environ[n])
    n++;
  while (vars && vars[nvars])
    nvars++;
  char **envp = calloc(n + nvars + 1, sizeof *envp);
  size_t k = 0;
  for (size_t i = 0; i < n; i++)
    if (strncmp(environ[i], "OMP_", 4) != 0 && strncmp(environ[i], "GOMP_", 5) != 0)
      envp[k++] = environ[i];
  for (size_t i = 0; i < nvars; i++)
    envp[k++] = (char *)vars[i];
  envp[k] = NULL;
  char *argv[] = {"env-child", "--child", (char *)mode, NULL};
  FILE *out = tmpfile(), *err = tmpfile();
  HT_CHECK(out && err, "tmpfile failed");
  fflush(stdout);
  fflush(stderr);
  pid_t pid = fork();
  HT_CHECK(pid >= 0, "fork failed");
  if (pid == 0) {
    dup2(fileno(out), 1);
    dup2(fileno(err), 2);
    execve("/proc/self/exe", argv, envp);
    _exit(127);
  }
  int status;
  HT_CHECK(waitpid(pid, &status, 0) == pid, "waitpid failed");
  r->status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  ec_slurp(out, r->out, sizeof r->out);
  ec_slurp(err, r->err, sizeof r->err);
  free(envp);
}

static inline int ec_lines(const char *text, const char *needle) {
  int count = 0;
  while (*text) {
    const char *end = strchr(text, '\n');
    size_t len = end ? (size_t)(end - text) : strlen(text);
    bool blank = true;
    for (size_t i = 0; i < len; i++)
      if (text[i] != ' ' && text[i] != '\t' && text[i] != '\r')
        blank = false;
    if (!blank && (!needle || memmem(text, len, needle, strlen(needle))))
      count++;
    text += len + (end != NULL);
  }
  return count;
}

static inline bool ec_has_line(const char *text, const char *line) {
  size_t len = strlen(line);
  for (const char *p = text; (p = strstr(p, line)); p++)
    if ((p == text || p[-1] == '\n') && (p[len] == '\n' || p[len] == '\0'))
      return true;
  return false;
}

/* The CPUs this process may use, as the runtime counts them. */
static inline int ec_ncpus(void) {
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof set, &set) != 0)
    return (int)sysconf(_SC_NPROCESSORS_ONLN);
  return CPU_COUNT(&set);
}

#endif
