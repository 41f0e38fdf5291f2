/* The runtime owns no file descriptor of the host's, reads and writes none,
 * and survives a daemon's close-all sweep: the first region opens no fd
 * (hsomp's RTS used to open 12: timerfd, epoll, eventfds, pipes), then the
 * program closes every fd above 2, makes a pipe (it gets fd 3 and 4 again),
 * runs regions with many threads while data sits in the pipe, and reads
 * back every byte it wrote.  Before the fix the RTS's I/O manager read the
 * program's pipe ("readControlMessage: invalid argument (Bad file
 * descriptor)") and data was lost.  The threads are counted too: a team
 * of 4 leaves at most 8 (hsomp's RTS had a ticker and I/O manager threads
 * besides, 13 in all). */
// TEST-ENV: OMP_NUM_THREADS=4
#include <dirent.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int entries(const char *dir) {
  DIR *d = opendir(dir);
  int n = 0;
  struct dirent *e;
  while ((e = readdir(d)))
    n += e->d_name[0] != '.';
  closedir(d);
  return n;
}

static int open_fds(void) { return entries("/proc/self/fd") - 1; /* the directory's own */ }

static long region(void) {
  long sum = 0;
#pragma omp parallel for reduction(+ : sum)
  for (int i = 1; i <= 100000; i++)
    sum += i;
#pragma omp parallel
  {
#pragma omp single
    for (int t = 0; t < 64; t++) {
#pragma omp task
      usleep(100);
    }
  }
  return sum;
}

int main(void) {
  int before = open_fds();
  if (region() != 5000050000L)
    return 1;
  int after = open_fds();
  if (after != before) {
    fprintf(stderr, "FAIL: the first region opened %d fds\n", after - before);
    return 1;
  }
  /* threads: the team's 4, and on hsomp at most one RTS thread per
   * Capability besides (no ticker, no I/O manager threads) */
  int threads = entries("/proc/self/task");
  const char *sanitizer = getenv("HSOMP_SANITIZE"); /* TSan has a thread of its own */
  if (threads > 8 + (sanitizer && *sanitizer)) {
    fprintf(stderr, "FAIL: %d threads after a region of 4\n", threads);
    return 1;
  }
  /* the daemon's sweep */
  for (int fd = 3; fd < 1024; fd++)
    close(fd);
  int p[2];
  if (pipe(p) != 0 || p[0] != 3) {
    fprintf(stderr, "FAIL: pipe after the sweep got fds %d %d\n", p[0], p[1]);
    return 1;
  }
  char msg[4096];
  for (size_t i = 0; i < sizeof msg; i++)
    msg[i] = (char)('a' + i % 26);
  if (write(p[1], msg, sizeof msg) != (ssize_t)sizeof msg)
    return 1;
  for (int r = 0; r < 20; r++)
    if (region() != 5000050000L)
      return 1;
  usleep(100000); /* time for any thread that would read fd 3 */
  for (int r = 0; r < 5; r++)
    if (region() != 5000050000L)
      return 1;
  char back[sizeof msg];
  size_t got = 0;
  close(p[1]);
  for (ssize_t n; got < sizeof back && (n = read(p[0], back + got, sizeof back - got)) > 0;)
    got += (size_t)n;
  if (got != sizeof msg || memcmp(back, msg, sizeof msg) != 0) {
    fprintf(stderr, "FAIL: read back %zu of %zu bytes%s\n", got, sizeof msg,
            got == sizeof msg ? " (different)" : "");
    return 1;
  }
  puts("ok");
  return 0;
}
