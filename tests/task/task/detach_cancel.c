/* detach + cancellation: a detached task that `cancel taskgroup' or
 * `cancel parallel' discards before it starts is complete at once (the
 * taskgroup's and the region's end do not wait for its event, as in
 * libgomp), and its event may still be fulfilled afterwards, by another
 * thread, after the region: a no-op, not a write to freed memory (run it
 * in the asan build).  So is fulfilling the handle of a detached task that
 * cancellation kept from being created.  Misuse is one fatal line on
 * stderr: fulfilling an event twice (after its task completed, or while
 * its body still runs), a handle of 0, a made-up handle.
 * hsomp-only: libgomp frees a discarded task's record, so fulfilling its
 * event later is a use-after-free there, and its misuse checks are partial. */
// TEST-HSOMP-ONLY
// TEST-ENV: OMP_CANCELLATION=true
// TEST-TIMEOUT: 60
// TEST-LIBS: -pthread
#include "hsomp_test.h"
#include <omp.h>
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <sys/wait.h>

bool GOMP_cancel(int which, bool do_cancel);
#define GOMP_CANCEL_TASKGROUP 8

#define N 40

static omp_event_handle_t events[N];
static int ran[N];

/* Fulfils events[k] for every k with !ran[k] (the discarded tasks). */
static void *fulfil_discarded(void *arg) {
  (void)arg;
  for (int k = 0; k < N; k++)
    if (!__atomic_load_n(&ran[k], __ATOMIC_ACQUIRE))
      omp_fulfill_event(events[k]);
  return NULL;
}

static void fulfil_from_pthread(void) {
  pthread_t th;
  pthread_create(&th, NULL, fulfil_discarded, NULL);
  pthread_join(th, NULL);
}

static int count_ran(void) {
  int n = 0;
  for (int k = 0; k < N; k++)
    n += __atomic_load_n(&ran[k], __ATOMIC_ACQUIRE);
  return n;
}

/* A task of the taskgroup cancels it while the detached tasks wait in the
 * creator's deque: it is made last, and the creator, the only thread
 * that looks for tasks until the taskgroup is over (the others wait for
 * `go'), takes the newest task first.  A detached task that started
 * anyway would fulfil its own event (and fail the check). */
static void cancel_taskgroup(int team) {
  memset(ran, 0, sizeof ran);
  int go = 0, after = 0;
#pragma omp parallel num_threads(team) shared(go, after)
  {
#pragma omp single nowait
    {
#pragma omp taskgroup
      {
        for (int k = 0; k < N; k++) {
          omp_event_handle_t ev;
#pragma omp task detach(ev) firstprivate(k)
          {
            __atomic_store_n(&ran[k], 1, __ATOMIC_RELEASE);
            omp_fulfill_event(ev);
          }
          events[k] = ev;
        }
#pragma omp task
        {
#pragma omp cancel taskgroup
        }
      }
      /* The taskgroup's end did not wait for the discarded tasks' events. */
      after = 1;
      __atomic_store_n(&go, 1, __ATOMIC_RELEASE);
    }
    while (!__atomic_load_n(&go, __ATOMIC_ACQUIRE))
      sched_yield();
  }
  HT_CHECK(after, "team %d: the taskgroup never ended", team);
  HT_CHECK(count_ran() == 0, "team %d: %d detached tasks ran after cancel taskgroup", team,
           count_ran());
  fulfil_from_pthread();
}

/* cancel parallel with N detached tasks queued and nobody running them:
 * all are discarded and the region ends without their events. */
static void cancel_parallel(int team) {
  memset(ran, 0, sizeof ran);
  int cancelled = 0;
#pragma omp parallel num_threads(team) shared(cancelled)
  {
    if (omp_get_thread_num() == 0) {
      for (int k = 0; k < N; k++) {
        omp_event_handle_t ev;
#pragma omp task detach(ev) firstprivate(k)
        {
          __atomic_store_n(&ran[k], 1, __ATOMIC_RELEASE);
          omp_fulfill_event(ev);
        }
        events[k] = ev;
      }
      __atomic_store_n(&cancelled, 1, __ATOMIC_RELEASE);
#pragma omp cancel parallel
    } else {
      while (!__atomic_load_n(&cancelled, __ATOMIC_ACQUIRE))
        sched_yield();
#pragma omp cancellation point parallel
    }
  }
  HT_CHECK(count_ran() == 0, "team %d: %d detached tasks ran after cancel parallel", team,
           count_ran());
  fulfil_from_pthread();
}

/* A detached task encountered in a cancelled taskgroup is not created;
 * the handle it leaves may still be fulfilled. */
static void created_after_cancel(void) {
  omp_event_handle_t ev = (omp_event_handle_t)0;
  int body = 0;
#pragma omp parallel num_threads(2) shared(ev, body)
#pragma omp single
#pragma omp taskgroup
  {
    GOMP_cancel(GOMP_CANCEL_TASKGROUP, true);
#pragma omp task detach(ev) shared(body)
    body = 1;
  }
  HT_CHECK(!body, "a task created in a cancelled taskgroup ran");
  omp_fulfill_event(ev);
}

/* ---- misuse, each in a child process ---- */

static void *fulfil_ptr(void *arg) {
  omp_fulfill_event(*(omp_event_handle_t *)arg);
  return NULL;
}

static int child(const char *mode) {
  if (strcmp(mode, "twice-after") == 0) {
    omp_event_handle_t kept;
#pragma omp parallel num_threads(2) shared(kept)
#pragma omp single
    {
      omp_event_handle_t ev = (omp_event_handle_t)0; /* GOMP_task sets it; GCC cannot tell */
#pragma omp task detach(ev)
      ;
      kept = ev;
      pthread_t th;
      pthread_create(&th, NULL, fulfil_ptr, &kept);
#pragma omp taskwait
      pthread_join(th, NULL);
    }
    omp_fulfill_event(kept); /* the task is complete: fatal */
  } else if (strcmp(mode, "twice-running") == 0) {
#pragma omp parallel num_threads(2)
#pragma omp single
    {
      omp_event_handle_t ev;
#pragma omp task detach(ev)
      {
        omp_fulfill_event(ev);
        omp_fulfill_event(ev); /* fatal: the body still runs */
      }
    }
  } else if (strcmp(mode, "twice-discarded") == 0) {
    memset(ran, 0, sizeof ran);
    cancel_parallel(2);
    omp_fulfill_event(events[0]); /* fulfilled by cancel_parallel already */
  } else if (strcmp(mode, "null") == 0) {
    omp_fulfill_event((omp_event_handle_t)0);
  } else if (strcmp(mode, "bogus") == 0) {
    omp_fulfill_event((omp_event_handle_t)0x1234567876543210ull);
  } else {
    return 2;
  }
  return 0; /* must not get here */
}

static int lines(const char *s) {
  int n = 0;
  for (; *s; s++)
    n += *s == '\n';
  return n;
}

static void expect_fatal(const char *mode) {
  char out[4096];
  int st = ht_run_self(mode, NULL, NULL, out, sizeof out);
  HT_CHECK(st != -1 && WIFSIGNALED(st) && WTERMSIG(st) == SIGABRT, "%s: status %#x, stderr '%s'",
           mode, st, out);
  HT_CHECK(strstr(out, "omp_fulfill_event: event ") &&
               strstr(out, "is invalid or has already been fulfilled") && lines(out) == 1,
           "%s: stderr '%s'", mode, out);
}

int main(int argc, char **argv) {
  if (argc > 1)
    return child(argv[1]);
  for (int team = 1; team <= 3; team++) {
    cancel_taskgroup(team);
    cancel_parallel(team);
  }
  created_after_cancel();
  expect_fatal("twice-after");
  expect_fatal("twice-running");
  expect_fatal("twice-discarded");
  expect_fatal("null");
  expect_fatal("bogus");
  return ht_failures ? 1 : 0;
}
