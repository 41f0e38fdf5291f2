/* hs_server.c -- persistent Haskell threads that run the callbacks of
 * OpenMP threads (the fast path of hsomp_hs_call, hs_callback.c).
 *
 * Owns: the server of an OS thread (a Haskell thread bound to it, running
 * on a C stack of its own), switching to it and back, starting it, and
 * ending it at the end of a host thread's region, before a worker
 * thread ends, or when the RTS shuts down (hs_exit). */
#include "hs_server.h"
#include "hsomp_ext.h"

#include <Rts.h>

#include <pthread.h>
#include <stddef.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <unistd.h>

extern int omp_get_level(void);
extern int omp_pause_resource_all(int kind); /* kind: omp_pause_resource_t */
/* src/ghc/rts_glue.c (compiled into the same library) */
bool hsomp_rts_task_incall(void **incall);
bool hsomp_rts_hurry_capability(void);

/* Note [A Haskell server per OpenMP thread]
 * Entering Haskell from C the ordinary way (rts_lock, rts_evalLazyIO,
 * rts_unlock: what a "wrapper" FunPtr's stub does) creates a Haskell
 * thread for every entry, with a stack; schedules it on the Capability
 * until it ends; and leaves its remains to the next GC.  For callbacks
 * made from a loop that is most of the cost of an entry.
 *
 * A server is one Haskell thread per OS thread that runs entry after entry
 * (serverLoop in HsOmp.Callback).  It is bound to the OS thread (it is
 * started with rts_lock/rts_evalLazyIO from that thread), so it can only
 * run there, while that same thread is also running the OpenMP code that
 * makes the callbacks.  So the server gets a C stack of its own, and the
 * OS thread switches between the two stacks (hsomp_hs_switch_stack: the
 * callee-saved registers and the stack pointer), much like a coroutine:
 *
 *   OpenMP code, on the thread's stack        server, on its own stack
 *   hsomp_hs_call(fn, arg): job := fn, arg
 *     switch ---------------------------->   hsomp_hs_server_next returns 1
 *                                            (the safe call's return takes
 *                                            the Capability back)
 *                                            fn arg runs in Haskell
 *                                            hsomp_hs_server_next(ok): the
 *                                            safe call releases the
 *                                            Capability, then
 *     <---------------------------- switch
 *   returns ok
 *
 * Between entries the server waits in a *safe* foreign call, so it holds
 * no Capability while the OpenMP code runs: a GC never waits for it, and
 * the thread may block, take part in barriers or enter Haskell in other
 * ways.  An entry costs the safe call's return and re-suspension (the
 * Capability's lock, twice), two stack switches and the Haskell code;
 * no thread is created.
 *
 * While the server waits, its RTS in-call is the newest one of the
 * thread's Task (the RTS keeps a thread's in-calls as a stack and a safe
 * call returns to the newest).  So the server may only live where no
 * older in-call of the thread returns meanwhile:
 *  - on a worker thread of hsomp (bound to a Capability), started when the
 *    worker has no in-call of its own running: its server lives until the
 *    worker ends
 *    (hsomp_hs_server_thread_end, from omp_pause_resource's retirement,
 *    before the worker's Task is given back);
 *  - on a host thread (a Haskell thread's safe call that started a
 *    region, or a C thread) only inside its region, from its second entry
 *    on (one entry alone is cheaper the ordinary way), started only while
 *    the thread's newest in-call is the one it had when its outermost
 *    region began (hsomp_hs_server_region_begin) -- not from C code called
 *    by a parallelFor chunk or another callback, whose safe calls return
 *    before the region ends -- and ended when that region ends
 *    (hsomp_hs_server_region_end), before the safe call that started it
 *    returns to Haskell.
 * An entry made while the thread's server is already running a job (a
 * callback that started a region whose threads call back), or while a
 * newer in-call of the thread is in a safe call (C code called by a
 * parallelFor chunk, a "wrapper" callback or a foreign export, calling
 * back), enters the ordinary way, on top of it, as nested in-calls do:
 * the server resumes only when its in-call is the thread's newest, which
 * the entry checks by reading the Task's newest in-call
 * (hsomp_rts_task_incall, rts_glue.c; where hsomp cannot read it, no
 * server resumes and every entry is ordinary).
 *
 * A job catches its own exceptions (HsOmp.Callback's callbacks record
 * them for the thread that started the region); one that reaches the
 * server's loop ends the server, and so does an asynchronous one (the RTS
 * shutting down, or a killThread of its ThreadId, which a callback can
 * see with myThreadId), and the thread enters the ordinary way from then
 * on.  Such an exception is delivered when the server's wait returns, i.e.
 * before the job's code ran: a callback marks the moment its code starts
 * under its own handler (hsomp_hs_server_job_started), and a job the
 * server ended before that is run the ordinary way instead, so a callback
 * runs exactly once. */

struct hs_server {
  /* read by serverLoop (HsOmp.Callback): the job, at offsets 0 and 8 */
  HsStablePtr job_fn;
  void *job_arg;
  void *main_sp;   /* the thread's own stack pointer while the server runs */
  void *server_sp; /* the server's while the thread runs its own code */
  char *stack;
  size_t stack_size;
  bool running; /* the Haskell thread has started and not ended */
  bool busy;    /* running a job: a nested entry goes the ordinary way */
  bool stop;    /* hsomp_hs_server_next answers "end" */
  bool broken;  /* ended on its own: never again on this thread */
  bool host;    /* on a host thread: ends with the thread's region */
  bool job_ok;
  bool job_started; /* hsomp_hs_server_job_started was called for the job */
  void *incall;     /* the server's RTS in-call, while it waits */
};
_Static_assert(offsetof(struct hs_server, job_arg) == sizeof(void *), "serverLoop's peek");

static HsStablePtr server_loop;
static atomic_long servers_started;
static atomic_long worker_servers_running; /* started on workers, not yet ended */
static __thread struct hs_server *my_server;
static __thread bool no_server;          /* its stack could not be made */
static __thread unsigned host_entries;   /* a host thread's entries in its region */
static __thread bool region_base_known;  /* region_base holds the next: */
static __thread void *region_base;       /* the newest in-call when the thread's outermost region began */

void hsomp_hs_server_job_started(void) {
  struct hs_server *s = my_server;
  if (s)
    s->job_started = true;
}

void hsomp_hs_server_set_loop(HsStablePtr loop) {
  if (!server_loop)
    server_loop = loop;
}

long hsomp_hs_servers_started(void) { return atomic_load(&servers_started); }

#if defined(__x86_64__) && defined(__linux__)

/* hsomp_hs_switch_stack(&save, load): push the callee-saved registers,
 * store the stack pointer in *save, continue on the stack `load` that an
 * earlier switch saved (or server_sp_initial made).  The floating-point
 * control words (MXCSR, x87) are the thread's, shared by both stacks: the
 * callback sees the rounding mode of the C code that called it, as an
 * ordinary entry would. */
__asm__(".text\n"
        ".p2align 4\n"
        ".globl hsomp_hs_switch_stack\n"
        ".hidden hsomp_hs_switch_stack\n"
        ".type hsomp_hs_switch_stack, @function\n"
        "hsomp_hs_switch_stack:\n"
        "  pushq %rbp\n"
        "  pushq %rbx\n"
        "  pushq %r12\n"
        "  pushq %r13\n"
        "  pushq %r14\n"
        "  pushq %r15\n"
        "  movq %rsp, (%rdi)\n"
        "  movq %rsi, %rsp\n"
        "  popq %r15\n"
        "  popq %r14\n"
        "  popq %r13\n"
        "  popq %r12\n"
        "  popq %rbx\n"
        "  popq %rbp\n"
        "  ret\n"
        ".size hsomp_hs_switch_stack, .-hsomp_hs_switch_stack\n");
void hsomp_hs_switch_stack(void **save, void *load);

static void server_start(void) __attribute__((noreturn, used));

/* A fresh server stack whose first switch "returns" into server_start as
 * if called: 6 words for switch's pops and the return address, with
 * (stack pointer after ret) % 16 == 8, as at any function's entry. */
static void *server_sp_initial(struct hs_server *s) {
  uintptr_t top = ((uintptr_t)s->stack + s->stack_size) & ~(uintptr_t)15;
  void **sp = (void **)(top - 64);
  memset(sp, 0, 64);
  sp[6] = (void *)server_start;
  return sp;
}

/* The server's stack is as big as the thread's own (a callback may start
 * a region, whose C code runs there), at least 256 KiB; mapped lazily,
 * with a guard page. */
static struct hs_server *server_new(bool host) {
  size_t size = 0;
  pthread_attr_t attr;
  if (pthread_getattr_np(pthread_self(), &attr) == 0) {
    (void)pthread_attr_getstacksize(&attr, &size);
    pthread_attr_destroy(&attr);
  }
  size_t page = (size_t)sysconf(_SC_PAGESIZE);
  if (size < 256 * 1024)
    size = 256 * 1024;
  if (size > 64u * 1024 * 1024)
    size = 64u * 1024 * 1024;
  size = (size + page - 1) / page * page;
  struct hs_server *s = calloc(1, sizeof *s);
  if (!s)
    return NULL;
  void *m = mmap(NULL, size + page, PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_STACK, -1, 0);
  if (m == MAP_FAILED) {
    free(s);
    return NULL;
  }
  (void)mprotect(m, page, PROT_NONE);
  s->stack = (char *)m + page;
  s->stack_size = size;
  s->host = host;
  return s;
}

static void server_free(struct hs_server *s) {
  size_t page = (size_t)sysconf(_SC_PAGESIZE);
  munmap(s->stack - page, s->stack_size + page);
  free(s);
}

/* A thread that ends with a server that is not running (a host thread's,
 * outside its regions) gives its stack back; a worker's ends before
 * (hsomp_hs_server_thread_end). */
static pthread_key_t server_key;
static pthread_once_t server_key_once = PTHREAD_ONCE_INIT;

static void server_key_destroy(void *p) {
  struct hs_server *s = p;
  if (s && !s->running) {
    if (my_server == s)
      my_server = NULL;
    server_free(s);
  }
}

static void server_key_create(void) { (void)pthread_key_create(&server_key, server_key_destroy); }

/* The bottom of the server's stack: the Haskell thread's whole life. */
static void server_start(void) {
  struct hs_server *s = my_server;
  if (s->host)
    hsomp_hs_prefer_team_capability();
  Capability *cap = rts_lock();
  HaskellObj loop = (HaskellObj)deRefStablePtr(server_loop);
  hsomp_hs_eval_locked(&cap, rts_apply(cap, loop, rts_mkPtr(cap, s)));
  rts_unlock(cap);
  if (!s->host)
    atomic_fetch_sub_explicit(&worker_servers_running, 1, memory_order_relaxed);
  if (!s->stop) { /* ended on its own: the job did not complete */
    s->job_ok = false;
    s->broken = true;
  }
  s->running = false;
  hsomp_hs_switch_stack(&s->server_sp, s->main_sp);
  abort(); /* nobody switches to an ended server */
}

int hsomp_hs_server_next(void *server, int last_ok) {
  struct hs_server *s = server;
  s->job_ok = last_ok != 0;
  if (!hsomp_rts_task_incall(&s->incall))
    s->incall = NULL;
  hsomp_hs_switch_stack(&s->server_sp, s->main_sp);
  return !s->stop;
}

/* HSOMP_CALLBACK_SERVERS=0 (or false/off/no) turns the servers off: every
 * entry goes the ordinary way (for comparison; read once). */
static bool servers_enabled(void) {
  static atomic_int enabled = -1;
  int e = atomic_load_explicit(&enabled, memory_order_relaxed);
  if (e < 0) {
    const char *v = getenv("HSOMP_CALLBACK_SERVERS");
    e = !(v && (!strcmp(v, "0") || !strcasecmp(v, "false") || !strcasecmp(v, "off") ||
                !strcasecmp(v, "no")));
    atomic_store_explicit(&enabled, e, memory_order_relaxed);
  }
  return e;
}

/* Whether the waiting server's in-call is the thread's newest, so that
 * its safe call may return (Note [A Haskell server per OpenMP thread]). */
static bool server_on_top(const struct hs_server *s) {
  void *now;
  return s->incall && hsomp_rts_task_incall(&now) && now == s->incall;
}

/* Whether this thread may start a server now (Note [A Haskell server per
 * OpenMP thread]): a worker when it has no in-call of its own running, a
 * host thread in a region from its second entry on, when its newest
 * in-call is the one that started the region. */
static bool server_allowed(bool *host) {
  void *incall;
  if (!servers_enabled() || !hsomp_rts_task_incall(&incall))
    return false;
  *host = hsomp_get_capability() < 0;
  if (!*host)
    return incall == NULL;
  return region_base_known && incall == region_base && omp_get_level() > 0 &&
         ++host_entries >= 2;
}

/* Note [Callbacks beside a busy Haskell thread]
 * A team thread enters Haskell on its own Capability (a worker on the one
 * it is bound to, a team's primary on the one its team uses least: Note
 * [Which Capability a team's primary thread enters on]), so that a team's
 * Haskell bodies run in parallel.  Another Haskell thread may be computing
 * on that Capability.  In GHC 9.0 (rts/Schedule.c, rts/Capability.c):
 *
 *  - An ordinary entry (rts_lock, then a new thread run to its end) waits
 *    for the Capability as a "returning" Task until the busy thread
 *    returns to the scheduler: at its next GC, or at the context-switch
 *    tick (-C, 20 ms), which sets the Capability's context_switch flag
 *    and its HpLim to NULL so that the thread stops at its next heap
 *    check.  Then the entry's new thread is *appended* to the run queue,
 *    behind the busy thread, which the scheduler put there first: the
 *    busy thread runs again until the next tick.  Two ticks per entry
 *    beside a thread that does not allocate (40 ms measured), and it is
 *    no use to poke the busy thread before the entry: its poke is spent
 *    before the entry's thread is queued.
 *  - A Task returning from a safe foreign call also waits as a returning
 *    Task, but the scheduler hands the Capability to returning Tasks
 *    before it runs anything from its run queue (releaseCapability_), and
 *    the returning thread goes on at once: no queue.
 *
 * A callback server's wait is such a safe call.  So every entry that can
 * go to the thread's server does (HsOmp.Callback's callbacks, and since
 * this change the chunks of parallelFor and the bodies of parallelRegion,
 * hs_parfor.c), and just before the thread switches to its server, whose
 * safe call then returns, hsomp_rts_hurry_capability (rts_glue.c) does to
 * the Capability what the tick does, if another Task holds it.  The busy
 * thread stops at its next heap check (with -fno-omit-yields, a loop that
 * does not allocate has one per iteration), goes to the back of the run
 * queue, and its Task hands the Capability to the returning server: the
 * entry waits microseconds instead of a tick or two, and stays on its own
 * Capability.
 *
 * The poke comes just before the server's Task queues itself (that
 * happens inside the RTS's resumeThread, where we cannot act): if the
 * busy thread reaches its scheduler before, it finds no returning Task
 * and runs on, and the entry waits for the next tick as before (measured
 * in 2 of 40 regions of one body per thread under a load of 40 on 2 CPUs,
 * none of 400 loop chunks).  A loop that neither allocates nor was
 * compiled with -fno-omit-yields has no heap check at all: nothing stops
 * it, not the tick and not a GC, and the entry waits for it to end. */
int hsomp_hs_server_call(HsStablePtr fn, void *arg) {
  struct hs_server *s = my_server;
  if (__builtin_expect(!s || !s->running, 0)) {
    bool host;
    if (!server_loop || no_server || (s && s->broken) || !server_allowed(&host))
      return -1;
    if (!s) {
      s = server_new(host);
      if (!s) {
        no_server = true;
        return -1;
      }
      my_server = s;
      pthread_once(&server_key_once, server_key_create);
      (void)pthread_setspecific(server_key, s);
    }
    s->host = host;
    s->stop = false;
    s->server_sp = server_sp_initial(s);
    s->running = true;
    atomic_fetch_add_explicit(&servers_started, 1, memory_order_relaxed);
    if (!host)
      atomic_fetch_add_explicit(&worker_servers_running, 1, memory_order_relaxed);
  } else if (s->busy || !server_on_top(s)) {
    return -1;
  }
  s->job_fn = fn;
  s->job_arg = arg;
  s->job_ok = false;
  s->job_started = false;
  s->busy = true;
  if (s->incall) /* Note [Callbacks beside a busy Haskell thread] */
    (void)hsomp_rts_hurry_capability();
  hsomp_hs_switch_stack(&s->main_sp, s->server_sp);
  s->busy = false;
  if (!s->job_ok && !s->running && !s->job_started)
    return -1; /* ended before the job began */
  return s->job_ok;
}

/* End the thread's server, if it waits for a job. */
static void server_end(struct hs_server *s) {
  if (!s || !s->running || s->busy || !server_on_top(s))
    return;
  s->stop = true;
  s->busy = true;
  hsomp_hs_switch_stack(&s->main_sp, s->server_sp);
  s->busy = false;
}

void hsomp_hs_server_region_begin(void) {
  host_entries = 0;
  region_base_known = hsomp_rts_task_incall(&region_base);
}

void hsomp_hs_server_region_end(void) {
  host_entries = 0;
  region_base_known = false;
  struct hs_server *s = my_server;
  if (s && s->host)
    server_end(s);
}

void hsomp_hs_server_thread_end(void) {
  struct hs_server *s = my_server;
  if (!s)
    return;
  server_end(s);
  if (!s->running) {
    my_server = NULL;
    (void)pthread_setspecific(server_key, NULL);
    server_free(s);
  }
}

/* Note [Callback servers at hs_exit]
 * A C program that hosts Haskell ends it with hs_exit(), which waits for
 * every Haskell thread in a safe foreign call to return (GHC's
 * exitScheduler, for a library about to be unloaded) -- and an idle
 * worker's server waits in one until its worker switches to it, which an
 * idle worker never does: hs_exit would wait forever.  So hsomp's RTS exit
 * hook (rts_glue.c; hs_exit calls it first thing, while the scheduler
 * still runs) calls this: when some worker has a server, the exiting
 * thread retires the idle workers of its pool (omp_pause_resource_all),
 * and each ends its server before its Task is given back, as any retired
 * worker does.  That thread's pool holds the workers of every region it
 * started: in a C host, those of the foreign exports it called (a
 * foreign export runs bound to the calling thread, and so do the regions
 * of its safe calls).  Workers busy in a team another thread still runs
 * are not waited for (the pause takes idle ones only), nor are those of
 * other threads' pools (such a thread retires them itself with
 * omp_pause_resource_all before hs_exit); a program whose threads still
 * run callbacks when it calls hs_exit waits for them anyway, as hs_exit
 * waits for any foreign call.  A Haskell program's own exit does not
 * wait for foreign calls; there this costs the retirement of the main
 * thread's idle workers, and nothing when no worker has a server. */
void hsomp_hs_servers_at_exit(void) {
  if (atomic_load_explicit(&worker_servers_running, memory_order_relaxed) > 0)
    (void)omp_pause_resource_all(1 /* omp_pause_soft */);
}

#else /* no stack switching here: every entry goes the ordinary way */

int hsomp_hs_server_next(void *server, int last_ok) {
  (void)server;
  (void)last_ok;
  return 0;
}
void hsomp_hs_server_job_started(void) {}
int hsomp_hs_server_call(HsStablePtr fn, void *arg) {
  (void)fn;
  (void)arg;
  (void)my_server;
  (void)no_server;
  (void)host_entries;
  return -1;
}
void hsomp_hs_server_region_begin(void) { (void)region_base; (void)region_base_known; }
void hsomp_hs_server_region_end(void) {}
void hsomp_hs_server_thread_end(void) {}
void hsomp_hs_servers_at_exit(void) {}

#endif
