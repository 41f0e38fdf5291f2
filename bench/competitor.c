/* competitor.c -- `hsomp-bench-competitor`: a controlled load for the
 * benchmarks that study how the runtimes' waits behave on a machine that
 * other processes use (README, "Sixth pass of issue 16 (a)").
 *
 *   hsomp-bench-competitor [--busy K] [--bursty K] [--yield K] [--pingpong K]
 *                          [--on-ms A] [--off-ms B] [--seconds S]
 *                          [--same-session]
 *
 * Starts K processes of each kind, at the caller's nice value, for S
 * seconds (default 60), or until it gets SIGTERM/SIGINT:
 *   busy    compute without pause (a CPU-bound job: a compiler, a test);
 *   bursty  compute A ms (default 5), then sleep B ms (default 5);
 *   yield   loop on sched_yield (a runtime that waits by yielding);
 *   pingpong  K pairs of processes that hand a byte back and forth through
 *           pipes: little CPU, a wake-up every few microseconds (the
 *           ~250 000 context switches a second seen in the fifth pass).
 * By default the competitor first moves into a session of its own
 * (setsid): with the kernel's autogroups on, the scheduler then shares
 * the CPUs between it and the benchmark as between two users' sessions,
 * which is how other engineers' jobs meet ours on this machine;
 * --same-session keeps it in the caller's group (thread against thread).
 * At the end every process prints one line,
 *   COMPETITOR <kind> <pid> seconds <wall> cpu <cpu seconds> work <units/s>
 * so a run also shows how much of the machine the benchmark left it. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t stop_now;

static void on_signal(int sig) {
  (void)sig;
  stop_now = 1;
}

static double clock_s(clockid_t c) {
  struct timespec ts;
  clock_gettime(c, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* About 1 us of integer work that the compiler cannot remove. */
static uint64_t compute_unit(uint64_t x) {
  for (int i = 0; i < 256; i++) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
  }
  return x;
}

enum kind { BUSY, BURSTY, YIELD, PINGPONG, NKINDS };
static const char *const kind_names[] = {"busy", "bursty", "yield", "pingpong"};

/* The pipes of the pingpong pair being started: each side reads one and
 * writes the other. */
static int pipe_in[2], pipe_out[2];

static void child(enum kind k, double end, double on_ms, double off_ms) {
  double t0 = clock_s(CLOCK_MONOTONIC), c0 = clock_s(CLOCK_PROCESS_CPUTIME_ID);
  uint64_t x = (uint64_t)getpid() * 0x9e3779b97f4a7c15ull | 1, units = 0;
  if (k == PINGPONG) { /* keep only our ends: the other side's exit is then our EOF */
    close(pipe_in[1]);
    close(pipe_out[0]);
  }
  while (!stop_now) {
    double now = clock_s(CLOCK_MONOTONIC);
    if (now >= end)
      break;
    if (k == YIELD) {
      for (int i = 0; i < 64; i++)
        sched_yield();
      units += 64;
      continue;
    }
    if (k == PINGPONG) { /* the parent puts the first byte in; a read that fails ends it */
      char c = 0;
      int i = 0;
      for (; i < 64; i++)
        if (read(pipe_in[0], &c, 1) != 1 || write(pipe_out[1], &c, 1) != 1)
          break;
      units += (uint64_t)i;
      if (i < 64)
        break;
      continue;
    }
    /* busy: compute until the end (checking the clock every ~0.1 ms);
     * bursty: compute on_ms, then sleep off_ms. */
    double burst_end = k == BUSY ? end : now + on_ms * 1e-3;
    while (!stop_now && clock_s(CLOCK_MONOTONIC) < burst_end) {
      for (int i = 0; i < 100; i++)
        x = compute_unit(x);
      units += 100;
    }
    if (k == BURSTY && !stop_now) {
      long ns = (long)(off_ms * 1e6);
      struct timespec ts = {ns / 1000000000, ns % 1000000000};
      nanosleep(&ts, NULL);
    }
  }
  double wall = clock_s(CLOCK_MONOTONIC) - t0, cpu = clock_s(CLOCK_PROCESS_CPUTIME_ID) - c0;
  printf("COMPETITOR %s %d seconds %.3f cpu %.3f work %.0f%s\n", kind_names[k], (int)getpid(), wall,
         cpu, wall > 0 ? (double)units / wall : 0.0, x == 42 ? " " : "");
  fflush(stdout);
  _exit(0);
}

static void usage(void) {
  fprintf(stderr, "usage: hsomp-bench-competitor [--busy K] [--bursty K] [--yield K] [--on-ms A] "
                  "[--off-ms B] [--seconds S] [--same-session]\n");
  exit(2);
}

int main(int argc, char **argv) {
  int count[NKINDS] = {0, 0, 0, 0};
  double seconds = 60, on_ms = 5, off_ms = 5;
  int own_session = 1;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    const char *v = i + 1 < argc ? argv[i + 1] : NULL;
    if (strcmp(a, "--same-session") == 0) {
      own_session = 0;
      continue;
    }
    if (!v)
      usage();
    if (strcmp(a, "--busy") == 0)
      count[BUSY] = atoi(v);
    else if (strcmp(a, "--bursty") == 0)
      count[BURSTY] = atoi(v);
    else if (strcmp(a, "--yield") == 0)
      count[YIELD] = atoi(v);
    else if (strcmp(a, "--pingpong") == 0)
      count[PINGPONG] = atoi(v);
    else if (strcmp(a, "--on-ms") == 0)
      on_ms = atof(v);
    else if (strcmp(a, "--off-ms") == 0)
      off_ms = atof(v);
    else if (strcmp(a, "--seconds") == 0)
      seconds = atof(v);
    else
      usage();
    i++;
  }
  if (count[BUSY] < 0 || count[BURSTY] < 0 || count[YIELD] < 0 || count[PINGPONG] < 0 ||
      seconds <= 0 || on_ms <= 0 ||
      off_ms < 0)
    usage();
  /* No SA_RESTART: a signal must interrupt waitpid below. */
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_signal;
  sigaction(SIGTERM, &sa, NULL);
  sigaction(SIGINT, &sa, NULL);
  signal(SIGPIPE, SIG_IGN); /* a pingpong side whose partner ended gets EPIPE, and reports */
  if (own_session && setsid() < 0 && errno != EPERM)
    perror("hsomp-bench-competitor: setsid");
  /* setsid fails (EPERM) in a process group leader: fork once more. */
  if (own_session && getsid(0) != getpid()) {
    pid_t p = fork();
    if (p < 0) {
      perror("hsomp-bench-competitor: fork");
      return 1;
    }
    if (p > 0) { /* the caller's process: wait for the session, pass signals on */
      int st, passed_on = 0;
      for (;;) {
        if (stop_now && !passed_on) {
          kill(p, SIGTERM);
          passed_on = 1;
        }
        if (waitpid(p, &st, 0) >= 0)
          break;
        if (errno != EINTR)
          return 1;
      }
      return WIFEXITED(st) ? WEXITSTATUS(st) : 1;
    }
    setsid();
  }
  double end = clock_s(CLOCK_MONOTONIC) + seconds;
  int started = 0;
  pid_t pids[256];
  for (int k = 0; k < NKINDS; k++)
    for (int j = 0; j < count[k] && started < 254; j++) {
      int a[2], b[2];
      if (k == PINGPONG && (pipe(a) < 0 || pipe(b) < 0)) {
        perror("hsomp-bench-competitor: pipe");
        break;
      }
      for (int side = 0; side < (k == PINGPONG ? 2 : 1); side++) {
        if (k == PINGPONG) { /* side 0 reads a, writes b; side 1 the other way */
          memcpy(pipe_in, side ? b : a, sizeof pipe_in);
          memcpy(pipe_out, side ? a : b, sizeof pipe_out);
        }
        pid_t p = fork();
        if (p < 0) {
          perror("hsomp-bench-competitor: fork");
          break;
        }
        if (p == 0)
          child((enum kind)k, end, on_ms, off_ms);
        pids[started++] = p;
      }
      if (k == PINGPONG) { /* the pair is started: put the first byte in */
        char c = 1;
        if (write(a[1], &c, 1) != 1)
          perror("hsomp-bench-competitor: write");
        close(a[0]), close(a[1]), close(b[0]), close(b[1]);
      }
    }
  int left = started, passed_on = 0;
  while (left > 0) {
    if (stop_now && !passed_on) { /* also a signal that came before waitpid */
      for (int j = 0; j < started; j++)
        kill(pids[j], SIGTERM);
      passed_on = 1;
    }
    int st;
    pid_t p = waitpid(-1, &st, 0);
    if (p > 0)
      left--;
    else if (errno != EINTR)
      break;
  }
  return 0;
}
