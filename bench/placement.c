/* placement.c -- `hsomp-bench-placement`: how far apart the host has placed
 * two of this machine's CPUs right now, as the round trip of one cache line
 * between two threads pinned to them (README "Task workloads", sixth pass
 * (c) and seventh pass (a)).
 *
 *   hsomp-bench-placement [--cpus A,B] [--batches N] [--batch K]
 *
 * The two threads (on CPUs A and B; by default the first two CPUs this
 * process may run on, CPU 0 and CPU 1 on the VM) hand one flag
 * back and forth: A writes an odd value and spins until B has answered
 * with the next even one.  One round trip is two transfers of the line.
 * After a warm-up, A times N batches (default 256) of K round trips
 * (default 16): about 4000 round trips, 0.3 ms when near, 1.5 ms when far.
 * Output, one line:
 *   PLACEMENT round_trip_ns <median> p10 <p10> p90 <p90> cpus A B round_trips <N*K>
 * (the median, 10th and 90th percentile over the batches of the time per
 * round trip).  The median of batches ignores a batch in which either
 * thread was preempted, as long as that is under half of them.
 *
 * On this project's VM the two vCPUs' round trip is 50-90 ns (near) or
 * 300-350 ns (far), and the host changes that over minutes; a benchmark
 * process that ran far is slower on every runtime.  bench/run-bench.py
 * runs this before and after every timed process and compares runtimes
 * within one placement.
 *
 * Exit status: 0 with the line; 2 for bad arguments or when a thread
 * cannot be pinned (fewer CPUs, or a CPU outside the allowed set); an
 * alarm ends the process after 10 s whatever happens, so it never hangs. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define WARMUP 512

/* The flag has a cache line of its own: nothing else moves with it. */
static struct {
  _Alignas(64) unsigned long flag;
  char pad[64 - sizeof(unsigned long)];
} line;

static long total_round_trips;
static int cpu_b;
static int pin_error;          /* B's, read after the join */
static int b_gave_up;          /* set once by B when it cannot be pinned */

static double now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int pin_to(int cpu) {
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  return pthread_setaffinity_np(pthread_self(), sizeof set, &set);
}

/* B: wait for each odd value, answer with the next even one. */
static void *answer(void *arg) {
  (void)arg;
  pin_error = pin_to(cpu_b);
  if (pin_error) {
    /* A may be spinning for an answer already: tell it there is none. */
    __atomic_store_n(&b_gave_up, 1, __ATOMIC_RELEASE);
    return NULL;
  }
  for (long i = 0; i < total_round_trips; i++) {
    unsigned long want = 2 * (unsigned long)i + 1;
    while (__atomic_load_n(&line.flag, __ATOMIC_ACQUIRE) != want)
      ;
    __atomic_store_n(&line.flag, want + 1, __ATOMIC_RELEASE);
  }
  return NULL;
}

/* A: one round trip, number i; 0 when B answered, -1 when B gave up. */
static int round_trip(long i) {
  unsigned long sent = 2 * (unsigned long)i + 1;
  __atomic_store_n(&line.flag, sent, __ATOMIC_RELEASE);
  while (__atomic_load_n(&line.flag, __ATOMIC_ACQUIRE) != sent + 1)
    if (__atomic_load_n(&b_gave_up, __ATOMIC_RELAXED))
      return -1;
  return 0;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static int usage(void) {
  fprintf(stderr, "usage: hsomp-bench-placement [--cpus A,B] [--batches N] [--batch K]\n");
  return 2;
}

int main(int argc, char **argv) {
  int cpu_a = -1;
  long batches = 256, batch = 16;
  cpu_b = -1;
  for (int i = 1; i < argc; i++) {
    char *end;
    if (strcmp(argv[i], "--cpus") == 0 && i + 1 < argc) {
      if (sscanf(argv[++i], "%d,%d", &cpu_a, &cpu_b) != 2 || cpu_a < 0 || cpu_b < 0 ||
          cpu_a == cpu_b || cpu_a >= CPU_SETSIZE || cpu_b >= CPU_SETSIZE)
        return usage();
    } else if (strcmp(argv[i], "--batches") == 0 && i + 1 < argc) {
      batches = strtol(argv[++i], &end, 10);
      if (*end || batches < 1 || batches > 100000)
        return usage();
    } else if (strcmp(argv[i], "--batch") == 0 && i + 1 < argc) {
      batch = strtol(argv[++i], &end, 10);
      if (*end || batch < 1 || batch > 10000)
        return usage();
    } else {
      return usage();
    }
  }
  if (cpu_a < 0) { /* the first two CPUs of the allowed set */
    cpu_set_t allowed;
    if (sched_getaffinity(0, sizeof allowed, &allowed) != 0) {
      fprintf(stderr, "hsomp-bench-placement: sched_getaffinity: %s\n", strerror(errno));
      return 2;
    }
    for (int c = 0; c < CPU_SETSIZE && cpu_b < 0; c++)
      if (CPU_ISSET(c, &allowed)) {
        if (cpu_a < 0)
          cpu_a = c;
        else
          cpu_b = c;
      }
    if (cpu_b < 0) {
      fprintf(stderr, "hsomp-bench-placement: fewer than two CPUs to run on\n");
      return 2;
    }
  }
  alarm(10);
  if (pin_to(cpu_a) != 0) {
    fprintf(stderr, "hsomp-bench-placement: cannot run on CPU %d\n", cpu_a);
    return 2;
  }
  total_round_trips = WARMUP + batches * batch;
  pthread_t t;
  if (pthread_create(&t, NULL, answer, NULL) != 0) {
    fprintf(stderr, "hsomp-bench-placement: pthread_create: %s\n", strerror(errno));
    return 2;
  }
  double *per = malloc(sizeof(double) * (size_t)batches);
  if (!per)
    return 2;
  long i = 0;
  int failed = 0;
  for (; i < WARMUP && !failed; i++)
    failed = round_trip(i) != 0;
  for (long b = 0; b < batches && !failed; b++) {
    double t0 = now_ns();
    for (long k = 0; k < batch && !failed; k++, i++)
      failed = round_trip(i) != 0;
    per[b] = (now_ns() - t0) / (double)batch;
  }
  pthread_join(t, NULL);
  if (failed || pin_error) {
    fprintf(stderr, "hsomp-bench-placement: cannot run on CPU %d\n", cpu_b);
    return 2;
  }
  qsort(per, (size_t)batches, sizeof(double), cmp_double);
  printf("PLACEMENT round_trip_ns %.1f p10 %.1f p90 %.1f cpus %d %d round_trips %ld\n",
         per[batches / 2], per[batches / 10], per[batches - 1 - batches / 10], cpu_a, cpu_b,
         batches * batch);
  free(per);
  return 0;
}
