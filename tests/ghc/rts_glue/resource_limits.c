/* Resource limits never turn into a fatal exit: a region under a thread
 * limit (RLIMIT_NPROC 2 and 3, as user nobody since root is exempt) or an
 * address-space limit (ulimit -v 1 GB and 4 GB with 16 threads) runs with
 * the threads the limit allows, like libgomp.  Before the fix hsomp exited
 * 1 under RLIMIT_NPROC 3 ("failed to create OS thread"), aborted under 2
 * ("internal error: Itimer: Failed to spawn thread ... report this as a
 * GHC bug"), and exited under ulimit -v 1 GB / 4 GB with 16 threads (the
 * RTS's heap reservation took the address space the thread stacks need).
 * A cgroup's pids.max (Note [A cgroup's thread limit] in rts_limits.c):
 * pids20 puts the child into a cgroup below one with pids.max 20, where a
 * team of 16 fits (with OMP_NUM_THREADS=16 hsomp's RTS took 16 of the 20
 * slots before: a team of 4); pids6 into one with pids.max 6, where the
 * team gets the 6 threads
 * that fit (hsomp exited "failed to create OS thread"; libgomp exits
 * "Thread creation failed", so that case runs on hsomp only).  The cgroup
 * cases need root and a writable pids controller (v1, or v2 at
 * /sys/fs/cgroup); without them they say so and pass.
 * LIMIT=nprocN / asMB / pidsN; TEAM is the team size asked for and
 * expected, GOT (when set) the one expected instead. */
// TEST-ENV: LIMIT=nproc2 TEAM=2
// TEST-ENV: LIMIT=nproc3 TEAM=2
// TEST-ENV: LIMIT=as1000 TEAM=16
// TEST-ENV: LIMIT=as4000 TEAM=16
// TEST-ENV: LIMIT=pids20 TEAM=16 OMP_NUM_THREADS=16
// TEST-ENV: LIMIT=pids6 TEAM=16 GOT=6 OMP_NUM_THREADS=16
// TEST-NO-SANITIZER
// TEST-SERIAL
#include "hsomp_test.h"

#include <errno.h>
#include <fcntl.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* The cgroup the pids cases make: a parent with the limit and, for
 * pids20, a child cgroup without one that the test process joins. */
static char cg_parent[512], cg_join[600];

static int write_file(const char *dir, const char *name, const char *text) {
  char path[700];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  int fd = open(path, O_WRONLY);
  if (fd < 0)
    return -1;
  ssize_t n = write(fd, text, strlen(text));
  close(fd);
  return n == (ssize_t)strlen(text) ? 0 : -1;
}

/* Makes the cgroups; 0 on success, -1 (with a note) where it cannot. */
static int make_cgroup(unsigned max, int nested) {
  struct stat st;
  const char *base = "/sys/fs/cgroup/pids"; /* v1's pids hierarchy */
  if (stat(base, &st) != 0) {
    base = "/sys/fs/cgroup"; /* v2: pids for the root's children */
    if (write_file(base, "cgroup.subtree_control", "+pids") != 0)
      return -1;
  }
  snprintf(cg_parent, sizeof cg_parent, "%s/hsomp-test-%d", base, (int)getpid());
  if (mkdir(cg_parent, 0755) != 0)
    return -1;
  char text[32];
  snprintf(text, sizeof text, "%u", max);
  snprintf(cg_join, sizeof cg_join, "%s%s", cg_parent, nested ? "/inner" : "");
  if (write_file(cg_parent, "pids.max", text) != 0 ||
      (nested && (write_file(cg_parent, "cgroup.subtree_control", "+pids") != 0 &&
                  errno != ENOENT)) ||
      (nested && mkdir(cg_join, 0755) != 0)) {
    rmdir(cg_parent);
    return -1;
  }
  return 0;
}

static void remove_cgroup(void) {
  for (int i = 0; i < 100; i++) { /* the exited child's threads leave */
    if ((strcmp(cg_join, cg_parent) == 0 || rmdir(cg_join) == 0 || errno == ENOENT) &&
        rmdir(cg_parent) == 0)
      return;
    usleep(10000);
  }
  fprintf(stderr, "note: could not remove %s\n", cg_parent);
}

static int child(const char *limit, int team, int want) {
  struct rlimit r;
  if (strncmp(limit, "pids", 4) == 0) {
    char pid[32];
    snprintf(pid, sizeof pid, "%d", (int)getpid());
    if (write_file(cg_join, "cgroup.procs", pid) != 0) {
      perror("joining the cgroup");
      return 2;
    }
  } else if (strncmp(limit, "nproc", 5) == 0) {
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
  if (sum != 50005000L || sum2 != 50005000L || got != want || !p) {
    fprintf(stderr, "FAIL under %s: team of %d (want %d), sums %ld %ld, malloc %p\n", limit, got,
            want, sum, sum2, p);
    return 1;
  }
  free(p);
  printf("ok under %s: team of %d\n", limit, got);
  return 0;
}

int main(void) {
  const char *limit = getenv("LIMIT");
  int team = atoi(getenv("TEAM") ? getenv("TEAM") : "2");
  int want = getenv("GOT") ? atoi(getenv("GOT")) : team;
  if (!limit)
    return 2;
  if (want < team && !ht_expect_hsomp()) {
    printf("%s: libgomp exits when it cannot create a thread; case run on hsomp only\n", limit);
    return 0;
  }
  int cgroup = strncmp(limit, "pids", 4) == 0;
  if (cgroup && (geteuid() != 0 || make_cgroup((unsigned)atoi(limit + 4), want == team) != 0)) {
    printf("not root, or no writable pids cgroup: %s case not run\n", limit);
    return 0;
  }
  if (strncmp(limit, "nproc", 5) == 0 && geteuid() != 0) {
    /* RLIMIT_NPROC counts every process of the user; only root can run
     * this as a fresh user (CI runs as root). */
    puts("not root: RLIMIT_NPROC case not run");
    return 0;
  }
  fflush(stdout);
  pid_t pid = fork();
  if (pid == 0) {
    int rc = child(limit, team, want);
    fflush(stdout);
    _exit(rc);
  }
  int status;
  waitpid(pid, &status, 0);
  if (cgroup)
    remove_cgroup();
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    fprintf(stderr, "FAIL: the child under %s %s %d\n", limit,
            WIFEXITED(status) ? "exited with" : "was killed by signal",
            WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
    return 1;
  }
  return 0;
}
