/* omp_pause_resource / omp_pause_resource_all: between parallel regions
 * they release the runtime's threads (the process's thread count -- on
 * hsomp its count of hsomp-w* workers -- drops by the workers of an
 * 8-thread team), the next regions of 1, 2, 3 and 8
 * threads work again with the right results; inside a parallel region and
 * for a device that does not exist they fail with -1. */
#include "hsomp_test.h"

#include <omp.h>
#include <time.h>

static int threads_now(void) {
  char buf[256];
  if (!ht_read_line("/proc/self/status", buf, sizeof buf))
    return -1;
  FILE *f = fopen("/proc/self/status", "r");
  int n = -1;
  while (f && fgets(buf, sizeof buf, f))
    if (sscanf(buf, "Threads: %d", &n) == 1)
      break;
  if (f)
    fclose(f);
  return n;
}

/* The runtime's threads: on hsomp its workers (hsomp-w<N>), so that
 * threads of the GHC RTS do not count; on libgomp every thread. */
static int runtime_threads(void) {
  if (!ht_expect_hsomp())
    return threads_now();
  struct ht_task tasks[256];
  int n = ht_tasks_snapshot(tasks, 256), workers = 0;
  for (int i = 0; i < n; i++)
    workers += strncmp(tasks[i].name, "hsomp-w", 7) == 0;
  return workers;
}

/* Thread exits finish asynchronously: wait up to 5 s for the count. */
static int wait_threads_at_most(int n) {
  int now = runtime_threads();
  for (int i = 0; i < 500 && now > n; i++) {
    struct timespec ts = {0, 10 * 1000 * 1000};
    nanosleep(&ts, NULL);
    now = runtime_threads();
  }
  return now;
}

static void check_regions(const char *when) {
  int sizes[] = {1, 2, 3, 8};
  for (int k = 0; k < 4; k++) {
    int a[64], n = 0;
#pragma omp parallel for num_threads(sizes[k]) reduction(+ : n)
    for (int i = 0; i < 64; i++) {
      a[i] = 2 * i;
      n++;
    }
    for (int i = 0; i < 64; i++)
      HT_CHECK(a[i] == 2 * i, "%s, %d threads: a[%d]=%d", when, sizes[k], i, a[i]);
    HT_CHECK(n == 64, "%s: %d iterations", when, n);
  }
}

int main(void) {
  int host = omp_get_initial_device();
  int base = runtime_threads();
  check_regions("first");
  int busy = runtime_threads();
  HT_CHECK(busy >= base + 7, "an 8-thread team left %d threads, %d before", busy, base);
  HT_CHECK(omp_pause_resource(omp_pause_soft, host) == 0, "soft pause failed");
  int after = wait_threads_at_most(busy - 7);
  HT_CHECK(after <= busy - 7, "soft pause: %d threads, %d before", after, busy);
  check_regions("after a soft pause");
  HT_CHECK(omp_pause_resource_all(omp_pause_hard) == 0, "hard pause failed");
  after = wait_threads_at_most(busy - 7);
  HT_CHECK(after <= busy - 7, "hard pause: %d threads, %d before", after, busy);
  check_regions("after a hard pause");

  int inside = 0, inside_all = 0;
#pragma omp parallel num_threads(2)
#pragma omp master
  {
    inside = omp_pause_resource(omp_pause_soft, host);
    inside_all = omp_pause_resource_all(omp_pause_soft);
  }
  HT_CHECK(inside == -1 && inside_all == -1, "pause inside a region: %d, %d", inside, inside_all);
  HT_CHECK(omp_pause_resource(omp_pause_soft, -1) == -1, "pause of device -1");
  HT_CHECK(omp_pause_resource(omp_pause_soft, 5) == -1, "pause of device 5");
  check_regions("at the end");
  return 0;
}
