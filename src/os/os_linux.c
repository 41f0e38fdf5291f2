/* os_linux.c -- the Linux system calls behind os.h: futexes, the CPU a
 * thread runs on, the CPUs it may use, binding and moving it, yielding. */
#include "os.h"

#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <sys/syscall.h>
#include <unistd.h>

void hsomp_futex_wait(_Atomic uint32_t *word, uint32_t val) {
  syscall(SYS_futex, (uint32_t *)word, FUTEX_WAIT_PRIVATE, val, NULL, NULL, 0);
}

void hsomp_futex_wake(_Atomic uint32_t *word, int n) {
  syscall(SYS_futex, (uint32_t *)word, FUTEX_WAKE_PRIVATE, n, NULL, NULL, 0);
}

int hsomp_os_cpu(void) { return sched_getcpu(); }

void hsomp_os_yield(void) { sched_yield(); }

bool hsomp_os_allowed_cpus(size_t size, cpu_set_t *set) {
  return sched_getaffinity(0, size, set) == 0;
}

int hsomp_os_bind(size_t size, const cpu_set_t *set) {
  return pthread_setaffinity_np(pthread_self(), size, set);
}

/* Narrow the affinity mask to the target CPU and restore it at once: the
 * kernel migrates the thread and stays free to move it again. */
void hsomp_os_move_off_cpu(int here, unsigned skip) {
  cpu_set_t allowed, one;
  if (sched_getaffinity(0, sizeof allowed, &allowed) != 0 || CPU_COUNT(&allowed) < 2)
    return;
  skip %= (unsigned)(CPU_COUNT(&allowed) - CPU_ISSET(here, &allowed));
  int target = -1;
  for (int i = 1; i < CPU_SETSIZE && target < 0; i++) {
    int c = (here + i) % CPU_SETSIZE;
    if (CPU_ISSET(c, &allowed) && skip-- == 0)
      target = c;
  }
  if (target < 0)
    return;
  CPU_ZERO(&one);
  CPU_SET(target, &one);
  if (sched_setaffinity(0, sizeof one, &one) == 0)
    sched_setaffinity(0, sizeof allowed, &allowed);
}
