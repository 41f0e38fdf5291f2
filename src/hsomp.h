/* hsomp.h -- the runtime's internal interface.
 *
 * Owns the data structures every part of the runtime shares: the per-thread
 * state (struct hsomp_thread), the team of a parallel region (struct
 * hsomp_team), the per-task ICVs, the process-wide settings read from the
 * environment -- each type in a section naming the file that owns it --
 * and then, one section per file, what the files of the runtime define
 * for each other.  How threads wait is wait.h's, the system calls os.h's;
 * the tasking engine's own types are task_internal.h's, the loops'
 * iter.h's.  Nothing here touches the GHC RTS: that lives behind
 * rts_glue.h.  No two files of src/ call each other, directly or in a
 * circle (tests/arch/src_graph.sh checks it). */
#ifndef HSOMP_H
#define HSOMP_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sched.h> /* cpu_set_t, for the place list */

#include "omp-tools.h" /* ompt_data_t: a tool's data in the records below */
#include "abi.h"
#include "os.h"
#include "wait.h"

#define HSOMP_CACHELINE 64
#define HSOMP_ALIGNED __attribute__((aligned(HSOMP_CACHELINE)))
/* Note [Hot globals own their line]
 * A global word that constructs write in every region or critical
 * section (the barrier tags, the crowd count, the critical and atomic
 * locks) is declared with HSOMP_OWN_LINE: alone on a cache line.  The
 * linker places the other globals (the settings, the OMPT flag, that
 * every worker reads at every region) in the order of the object files,
 * and a written word that lands on the line of one of them costs every
 * reader a transfer per write, and which globals share a line would
 * change with the order of the files. */
#define HSOMP_OWN_LINE(type, name) struct { type value; } HSOMP_ALIGNED name
#define HSOMP_INTERNAL __attribute__((visibility("hidden")))
#define HSOMP_LIKELY(x) __builtin_expect(!!(x), 1)
#define HSOMP_UNLIKELY(x) __builtin_expect(!!(x), 0)

/* Note [Checked invariants]
 * HSOMP_ASSERT(cond) states an invariant a Note gives (a lock held, a
 * state transition, a counter in range), after GHC's ASSERT and
 * ASSERT_LOCK_HELD.  It is checked in the sanitizer builds (CMake defines
 * HSOMP_CHECK_INVARIANTS with HSOMP_SANITIZE), where a violation prints
 * the condition and its place and aborts; in the release build it costs
 * nothing, and `cond' is not evaluated (it must have no side effect).
 * HSOMP_ASSERT_MUTEX_HELD(m) checks that an internal mutex is locked (by
 * someone: the mutex does not record its owner). */
#ifdef HSOMP_CHECK_INVARIANTS
#define HSOMP_ASSERT(cond) \
  (HSOMP_LIKELY(cond) ? (void)0 : hsomp_assert_failed(#cond, __FILE__, __LINE__))
#else
#define HSOMP_ASSERT(cond) ((void)sizeof(!(cond)))
#endif
#define HSOMP_ASSERT_MUTEX_HELD(m) \
  HSOMP_ASSERT(atomic_load_explicit((m), memory_order_relaxed) != 0)
_Noreturn void hsomp_assert_failed(const char *cond, const char *file, int line)
    __attribute__((visibility("hidden")));

/* ------------------------------------------------------------------ */
/* Schedules (values as omp_sched_t in omp.h).                          */
enum hsomp_sched {
  HSOMP_SCHED_STATIC = 1,
  HSOMP_SCHED_DYNAMIC = 2,
  HSOMP_SCHED_GUIDED = 3,
  HSOMP_SCHED_AUTO = 4,
  HSOMP_SCHED_MONOTONIC = (int)0x80000000u,
};

enum hsomp_proc_bind {
  HSOMP_BIND_FALSE = 0,
  HSOMP_BIND_TRUE = 1,
  HSOMP_BIND_PRIMARY = 2, /* also "master" */
  HSOMP_BIND_CLOSE = 3,
  HSOMP_BIND_SPREAD = 4,
};

/* The ICVs that belong to a task's data environment (OpenMP 5.1, 2.4).
 * Every implicit task gets a copy of its parent's, so omp_set_* inside a
 * region affects only the calling thread, as the specification requires. */
struct hsomp_icv {
  unsigned long nthreads_var;     /* omp_get_max_threads */
  int run_sched_var;              /* enum hsomp_sched, maybe | MONOTONIC */
  int run_sched_chunk;
  unsigned thread_limit_var;
  bool dyn_var;
  int bind_var;                   /* enum hsomp_proc_bind */
  int default_device_var;
  unsigned max_active_levels_var;
  /* Host teams (teams.c): the league this task runs
   * in, inherited by nested implicit and explicit tasks like the ICVs, so
   * a parallel region inside a team sees its team's number; league_size 0
   * means no teams region (omp_get_num_teams() == 1).  omp_get_num_teams
   * and omp_get_team_num are defined in teams.c. */
  unsigned league_size;
  unsigned team_num;
  uintptr_t def_allocator;        /* def-allocator-var (alloc.c); 0: OMP_ALLOCATOR's */
  /* place-partition-var (affinity.c): places [off, off+len) of the place
   * list; len 0 means the whole list. */
  unsigned place_partition_off;
  unsigned place_partition_len;
};

/* Process-wide settings, read once from the environment (env.c). */
struct hsomp_settings {
  unsigned long *nthreads_list;   /* OMP_NUM_THREADS=a,b,c */
  unsigned nthreads_list_len;
  int *bind_list;                 /* OMP_PROC_BIND=spread,close */
  unsigned bind_list_len;
  bool cancellation;
  int max_task_priority;
  unsigned long stacksize;        /* bytes; 0 = system default */
  int wait_policy;                /* -1 unset, 0 passive, 1 active */
  unsigned long spin_count;       /* spins before sleeping */
  unsigned long throttled_spin_count; /* same, when oversubscribed */
  bool display_env;
  bool display_env_verbose;
  char *places_string;            /* the place list as OMP_DISPLAY_ENV shows it */
  unsigned ncpus;                 /* CPUs this process may run on */
  int nteams_var;                 /* OMP_NUM_TEAMS; 0: unset */
  int teams_thread_limit_var;     /* OMP_TEAMS_THREAD_LIMIT; 0: unset */
  bool display_affinity;          /* OMP_DISPLAY_AFFINITY */
  char *affinity_format;          /* OMP_AFFINITY_FORMAT, never NULL */
  uintptr_t default_allocator;    /* OMP_ALLOCATOR: an omp_allocator_handle_t, 1 = default */
  int target_offload;             /* OMP_TARGET_OFFLOAD: 0 default, 1 mandatory, 2 disabled */
  /* The place list (OMP_PLACES, else GOMP_CPU_AFFINITY, else "threads"
   * when OMP_PROC_BIND asks for binding): nplaces CPU sets, each
   * cpuset_size bytes (use the CPU_*_S macros), every one non-empty and
   * within process_cpus.  NULL and 0 when there is no place list. */
  cpu_set_t **places;
  unsigned long nplaces;
  size_t cpuset_size;
  cpu_set_t *process_cpus;        /* the CPUs the process could use at start-up */
};
/* omp_get_supported_active_levels (libgomp's value). */
#define HSOMP_SUPPORTED_ACTIVE_LEVELS 255

/* ------------------------------------------------------------------ */
/* Thread budget (crowd.c, Note [Crowded CPUs]): threads entering and   */
/* leaving parallel regions; whether the threads in regions plus the    */
/* Capabilities running Haskell exceed the CPUs; the CPUs left.         */
unsigned hsomp_crowd_enter(unsigned threads) HSOMP_INTERNAL; /* the count after */
unsigned hsomp_crowd_leave(unsigned threads) HSOMP_INTERNAL; /* the count before */
unsigned hsomp_crowd_demand(void) HSOMP_INTERNAL;
bool hsomp_crowded(void) HSOMP_INTERNAL;
bool hsomp_crowded_with(unsigned threads_in_regions) HSOMP_INTERNAL;
unsigned hsomp_crowd_free_cpus(void) HSOMP_INTERNAL;

/* ------------------------------------------------------------------ */
/* Barrier (barrier.c).  A tree barrier over per-thread words; see
 * Note [Tree barrier] in barrier.c.  Both fields are read-mostly. */
struct hsomp_barrier {
  uint32_t tag;                  /* unique per region (hsomp_barrier_init) */
  _Atomic bool cancelled;
};

/* ------------------------------------------------------------------ */
/* Work shares: work/work_share.h.                                      */
#include "work_share.h"

/* A thread's place in the queue of a critical section (critical.c, Note
 * [Queued critical sections]). */
struct hsomp_crit_node {
  /* Bit 0 flips when the lock is handed to the node's thread; bit 1: it
   * may sleep on the word. */
  _Atomic uint32_t go HSOMP_ALIGNED;
  struct hsomp_crit_node *outer;          /* heap nodes: the next deeper one */
  bool polled;                            /* the thread did not queue (critical.c) */
  /* Written by the successor (its node, tagged with the bit 0 it waits
   * to see flip): a line of its own, so that the waiter's reads of `go'
   * do not miss when its own successor links itself. */
  _Atomic uintptr_t next HSOMP_ALIGNED;
};
#define HSOMP_CRIT_NODES 4

/* ------------------------------------------------------------------ */
/* Teams and threads (team.c).                                          */
struct hsomp_team;

/* What a thread knows about the team it runs in (libgomp's team_state). */
struct hsomp_team_state {
  struct hsomp_team *team;
  unsigned team_id;
  unsigned level;
  unsigned active_level;
  unsigned long single_count;
  unsigned long ws_count;        /* worksharing constructs started */
  struct hsomp_work_share *ws;   /* the current one */
  unsigned long static_trip;     /* static chunks taken; ULONG_MAX: done
                                  * (guided: 1 + the last chunk computed) */
  uint64_t guided_lo;            /* guided: where that chunk starts (iter.c) */
  uint32_t bar_phase;            /* barriers met in this region (barrier.c) */
  uint32_t single_phase;         /* bar_phase + 1 at the last single that followed
                                  * a barrier (Note [Single right after a barrier]) */
  uint32_t bar_tag;              /* the region's barrier tag (barrier.c) */
  uint32_t bar_passed;           /* barriers of the region it has left complete (barrier.c) */
  /* ordered loops (ordered.c): the logical iterations [lo, hi) of the
   * chunk this thread holds, while ordered_held. */
  uint64_t ordered_lo, ordered_hi;
  bool ordered_held;
  /* tasking (task.c): the record of the task this thread runs now; NULL
   * while that is the implicit task and nothing has needed its record.
   * See Note [Task records] in task_internal.h. */
  struct hsomp_task *task;
  /* GOMP_parallel_reductions (task_reduction.c): the taskgroup that the
   * implicit tasks of a region started from this state belong to; they
   * read it through team->parent. */
  struct hsomp_taskgroup *child_taskgroup;
  ompt_data_t ompt_task;         /* OMPT: the tool's data of this implicit task */
  int ompt_open_work;            /* OMPT: a single/scope whose end is not reported yet */
};

struct hsomp_thread;

struct hsomp_team {
  unsigned nthreads;
  unsigned capacity;             /* members[] length */
  int master_cpu;                /* the master's CPU at the fork; -1: do not spread (Note [Keeping threads spread]) */
  uint32_t serial;               /* names the team record, from its creation (spin.c) */
  _Atomic bool woke_sleepers;    /* a forking thread woke sleeping workers (Note [Tree fork]) */
  bool placed;                   /* the master set the members' places and ICVs (affinity.c) */
  unsigned level, active_level;
  struct hsomp_team_state parent; /* the master's state outside the region */
  struct hsomp_icv parent_icv;
  struct hsomp_barrier barrier;
  _Atomic unsigned long single_count HSOMP_ALIGNED;
  /* Thread 0's barrier release (Note [Root release word], barrier.c). */
  _Atomic uint64_t root_release HSOMP_ALIGNED;
  _Atomic uint32_t joined HSOMP_ALIGNED; /* nthreads - 1 once all joined (Note [Tree join]) */
  unsigned long spins;           /* spin budget for waits in this team */
  unsigned threads_in_regions;   /* process-wide, when the team started (crowd.c) */
  bool first_ws_ready;           /* ws[0] was set up by a combined construct */
  struct hsomp_team *next_free;
  struct hsomp_work_share ws[HSOMP_WS_RING];
  struct hsomp_thread **members; /* members[i] runs implicit task i */
  /* Tasking and cancellation (task*.c, barrier.c, cancel.c). */
  struct hsomp_tasking *_Atomic tasking; /* deques, made on first use, kept for reuse */
  _Atomic bool tasks_used HSOMP_ALIGNED; /* a deferred task was made in this region */
  _Atomic bool master_settled;   /* the join: see Note [Region end with tasks] in join.c */
  _Atomic bool master_joining;   /* the join: Note [Workers stay for late tasks] in join.c */
  _Atomic bool tasks_unlikely;   /* the last region made none: the same Note */
  _Atomic uint32_t helpers;      /* the join: workers still running the region's tasks */
  _Atomic bool ws_cancelled;     /* cancel for/sections, until a barrier completes */
  /* The waits of a member that may run any of the team's tasks (barrier,
   * join) sleep on `event' (woken by queued tasks and barrier steps);
   * those confined to one task's descendants (taskwait, taskgroup end,
   * dependences, detach) on `task_done' (woken by completions): Note
   * [Two sleep words] in task.c. */
  struct hsomp_waitword event HSOMP_ALIGNED;
  struct hsomp_waitword task_done HSOMP_ALIGNED;
  /* Thread-limit accounting: see Note [Contention groups] in team.c. */
  _Atomic unsigned long *group_busy;     /* the group's count: its top-level team's group_busy_count */
  _Atomic unsigned long group_busy_count; /* threads busy in the group (top-level team only) */
  unsigned long group_reserved;          /* threads this nested team took from *group_busy */
  ompt_data_t ompt_parallel;      /* OMPT: the tool's data of the region */
  const void *ompt_codeptr;       /* OMPT: the call site that started it */
  unsigned ompt_league;           /* OMPT: a host league of this many teams (teams.c), else 0 */
};

/* Free task records a thread keeps for its next tasks (Note [Recycled
 * task records], task.c): `count' addresses in `slot' (allocated at the
 * first use). */
struct hsomp_task_cache {
  void **slot;
  unsigned count;
};

/* Free detach-event slots a thread keeps: two lists linked through the
 * slots, index + 1 of the first (Note [Per-thread free slots], task_event.c). */
struct hsomp_event_cache {
  uint32_t cur, cur_n;   /* taken from and freed to */
  uint32_t full, full_n; /* none or a full batch */
};

struct hsomp_thread {
  /* Written by the thread that starts a region on this thread: its parent
   * in the team's tree (Note [Tree fork], team.c). */
  struct hsomp_waitword start HSOMP_ALIGNED; /* value: bumped once per region to run */
  /* Where the parked worker sleeps: NULL or &start, or a dock (Note [Docks
   * for big teams], team.c).  Written by the worker, read by its forker. */
  struct hsomp_waitword *_Atomic parked_on;
  void (*fn)(void *);
  void *data;
  struct hsomp_team *start_team;
  unsigned start_id;
  uint32_t start_tag;            /* the region's barrier tag, in the `start' line */
  struct hsomp_icv start_icv;
  bool retiring;                 /* leave after this region (pause.c) */
  _Atomic uint32_t retire_refs;  /* owners left of a retiring worker (pause.c) */
  unsigned start_place;          /* the place to run on (affinity.c) */

  /* The tree barrier (Note [Tree barrier], barrier.c): written by this
   * thread only, read by its parent and children in the team it is a
   * worker of (as thread 0 it releases through the team's root_release). */
  _Atomic uint64_t bar_arrived HSOMP_ALIGNED;
  _Atomic uint64_t bar_release HSOMP_ALIGNED;

  /* Owned by the thread itself. */
  struct hsomp_team_state ts HSOMP_ALIGNED;
  struct hsomp_icv icv;          /* the current task's ICVs */
  struct hsomp_event_cache events; /* free detach-event slots (task_event.c) */
  /* Set by task_event.c: gives `events' back when the record goes away. */
  void (*release_events)(struct hsomp_thread *self);
  struct hsomp_task_cache task_records; /* free task records (task.c) */
  /* Set by task.c: gives `task_records' back when the record goes away. */
  void (*release_task_records)(struct hsomp_thread *self);
  /* Child units counted in advance in a task's count (Note [Counting
   * children in advance], task.c): the task, how many are left, the next
   * batch's size. */
  struct hsomp_task *kid_credit_task;
  uint32_t kid_credit, kid_credit_step;
  bool tasks_throttled;          /* its new tasks run included (Note [Throttled tasks], task_create.c) */
  /* how far its deque's throttle mark is raised (Note [Producers whose
   * tasks are worth sharing], task_create.c); 16 bits, in the hole after
   * `tasks_throttled': the fields below keep their offsets */
  uint16_t throttle_raised;
  unsigned index;                /* 0 for host threads, 1.. for workers */
  int capability;                /* -1 if not bound */
  _Atomic int cpu;               /* its CPU when it last started a region or forked */
  unsigned long idle_spins;      /* spin budget while parked */
  uint64_t moved_at;             /* TSC when spin.c last moved it off a CPU */
  uint64_t yields_off_until;     /* TSC until which its spins do not yield (spin.c) */
  bool is_worker;                /* a pool worker (not a host thread) */
  /* The pool of workers this thread has hired as a master. */
  struct hsomp_thread **pool;
  unsigned pool_len, pool_cap;
  unsigned pool_in_use;          /* hired workers busy in its teams */
  struct hsomp_team *cached_team;
  struct hsomp_thread *next_idle;
  /* The place the thread is bound to, 1 + its index (0: not
   * bound), and the affinity line it displayed last (affinity*.c). */
  unsigned place;
  char *shown_affinity;
  /* The threads hsomp_resolve_nthreads reserved in the contention group
   * for the team this thread starts next (team.c; given back by join.c). */
  unsigned long group_reserving;
  /* OMPT (ompt_internal.h): the tool's data of the thread and of its
   * initial parallel region, the call site of the last construct that
   * reported, its state and the mutex it waits for (ompt_get_state). */
  ompt_data_t ompt_thread, ompt_initial_parallel;
  const void *ompt_codeptr;
  int ompt_state;
  const void *ompt_wait_id;
  unsigned ompt_league; /* the region it starts next runs a league of this many teams */
  /* Queue nodes of the critical sections the thread holds or waits for,
   * innermost last; deeper nesting takes nodes from the heap (critical.c). */
  unsigned crit_depth;
  struct hsomp_crit_node *crit_heap;
  struct hsomp_crit_node crit_nodes[HSOMP_CRIT_NODES];
};

/* ================================================================== */
/* What each file defines, one section per file (libgomp's libgomp.h   */
/* does the same).  Types above; how threads wait is wait.h's.          */

/* ---- settings.c, env.c: the environment -------------------------- */
extern struct hsomp_settings hsomp_settings HSOMP_INTERNAL;
extern struct hsomp_icv hsomp_initial_icv HSOMP_INTERNAL;
/* Read the environment once (the library constructor). */
void hsomp_env_init(void) HSOMP_INTERNAL;
/* hsomp_env_init, once: from the constructor and from a thread's first
 * use of the runtime (Note [Reading the environment once, and surely]). */
void hsomp_env_ensure(void) HSOMP_INTERNAL;

/* ---- error.c: messages ------------------------------------------- */
/* One line "hsomp: ..." on stderr; the program goes on. */
void hsomp_warn(const char *fmt, ...) HSOMP_INTERNAL __attribute__((format(printf, 1, 2)));
/* The error directive at execution time, reported to a tool: set by the
 * tool interface (ompt.c) while a tool is attached, so that error.c, which
 * every file calls, calls none of the tool interface's files. */
extern void (*hsomp_error_directive_hook)(int severity, const char *msg, size_t len,
                                          const void *ra) HSOMP_INTERNAL;
/* One line "hsomp: fatal: ..." on stderr, then abort(): misuse the
 * runtime cannot go on from, or memory exhausted. */
_Noreturn void hsomp_fatal(const char *fmt, ...) HSOMP_INTERNAL __attribute__((format(printf, 1, 2)));
/* Says, on exactly one line of stderr, that environment variable `name`
 * has a malformed `value` and is ignored; `why` (may be NULL) adds a
 * reason.  Control characters in the value are escaped, and very long
 * values shortened, so the complaint stays one readable line. */
void hsomp_env_invalid(const char *name, const char *value, const char *why) HSOMP_INTERNAL;
/* An error libgomp reports with gomp_fatal, in its words and format
 * ("\nlibgomp: ...\n"), then exit(1): for messages programs and test
 * harnesses match. */
_Noreturn void hsomp_gomp_exit(const char *fmt, ...) HSOMP_INTERNAL
    __attribute__((format(printf, 1, 2)));

/* ---- thread.c: thread records ------------------------------------ */
/* In libhsomp.so (HSOMP_TLS_INITIAL_EXEC, set by CMake) the thread pointer
 * is initial-exec: every entry point reads it, and the general model costs
 * a call to __tls_get_addr each time.  libgomp's own thread pointer is
 * initial-exec too, so whatever can load libgomp.so.1 can load us.  Other
 * builds (the Haskell package's objects, which GHCi may load) keep the
 * default model. */
#ifdef HSOMP_TLS_INITIAL_EXEC
#define HSOMP_TLS_MODEL __attribute__((tls_model("initial-exec")))
#else
#define HSOMP_TLS_MODEL
#endif
extern __thread struct hsomp_thread *hsomp_tls HSOMP_INTERNAL HSOMP_TLS_MODEL;
struct hsomp_thread *hsomp_thread_init_host(void) HSOMP_INTERNAL;
/* Told when a host thread's record is made (begins) and when the thread
 * exits; set by the tool interface while a tool is attached (ompt.c), so
 * that this file calls no other. */
extern void (*hsomp_host_thread_hook)(struct hsomp_thread *t, bool begins) HSOMP_INTERNAL;
/* Run `hook` once, at the runtime's first use (Note [The runtime's first
 * use], thread.c): the OMPT tool search registers itself this way. */
void hsomp_on_first_use(void (*hook)(void)) HSOMP_INTERNAL;
/* A zeroed record (no Capability, CPU unknown). */
struct hsomp_thread *hsomp_thread_new(void) HSOMP_INTERNAL;
/* Gives back what other layers keep in the record (detach-event slots). */
void hsomp_thread_release_caches(struct hsomp_thread *t) HSOMP_INTERNAL;
/* The process's spare records: up to n idle workers into `into' (how
 * many returned), a free team or NULL, a team to keep. */
unsigned hsomp_idle_workers_take(struct hsomp_thread **into, unsigned n) HSOMP_INTERNAL;
/* Puts n parked workers, hired by no master now, on the idle list. */
void hsomp_idle_workers_put(struct hsomp_thread *const *from, unsigned n) HSOMP_INTERNAL;
struct hsomp_team *hsomp_free_team_take(void) HSOMP_INTERNAL;
void hsomp_free_team_put(struct hsomp_team *team) HSOMP_INTERNAL;
void hsomp_pool_forget_after_fork(void) HSOMP_INTERNAL;
/* Zeroed, cache-line aligned memory, or a fatal error. */
void *hsomp_xcalloc_aligned(size_t size) HSOMP_INTERNAL;

static inline struct hsomp_thread *hsomp_self(void) {
  struct hsomp_thread *t = hsomp_tls;
  if (HSOMP_UNLIKELY(t == NULL))
    t = hsomp_thread_init_host();
  return t;
}
static inline struct hsomp_icv *hsomp_icv(void) { return &hsomp_self()->icv; }

/* ---- pool.c: hiring workers -------------------------------------- */
/* Make sure `self` has nthreads - 1 workers for a team beyond the ones
 * its running teams use, hiring idle ones or starting threads that run
 * worker_main (team.c's worker loop), which park first on `first_park'
 * (a dock, or NULL: their own start word; Note [Docks for big teams] in
 * team.c); the team size it can have (fewer when the system makes no
 * more threads: Note [Fewer threads than asked] in pool.c). */
unsigned hsomp_pool_hire(struct hsomp_thread *self, unsigned nthreads,
                         void *(*worker_main)(void *),
                         struct hsomp_waitword *first_park) HSOMP_INTERNAL;
/* Give the workers `self` hired and does not use now back to the idle
 * workers of the process. */
void hsomp_pool_release_unused(struct hsomp_thread *self) HSOMP_INTERNAL;

/* ---- join.c: the join and the region's end ----------------------- */
/* A worker's part of the join of `team` (Note [Region end with tasks]);
 * it does not touch the team afterwards. */
void hsomp_join_worker(struct hsomp_thread *self, struct hsomp_team *team) HSOMP_INTERNAL;
/* The master ends its region (the other half of hsomp_team_begin). */
void hsomp_team_end(void) HSOMP_INTERNAL;

/* ---- team.c: workers, teams, the fork ---------------------------- */
/* How many threads a parallel region asking for `requested` gets. */
unsigned hsomp_resolve_nthreads(struct hsomp_thread *self, unsigned requested) HSOMP_INTERNAL;
/* Start a team, run fn as thread 0, join.  flags as in GOMP_parallel. */
void hsomp_parallel(void (*fn)(void *), void *data, unsigned nthreads, unsigned flags) HSOMP_INTERNAL;
/* Fills a team's first work share for a combined parallel worksharing
 * construct, before any thread runs. */
typedef void (*hsomp_ws_init_fn)(struct hsomp_work_share *ws, unsigned nthreads, const void *arg);
void hsomp_team_begin(void (*fn)(void *), void *data, unsigned nthreads, unsigned flags,
                      hsomp_ws_init_fn ws_init, const void *ws_arg) HSOMP_INTERNAL;
/* Wake the members of `team' asleep on its event word, after changing
 * what they wait for (Note [Waiting for tasks] in task.c). */
static inline void hsomp_team_wake(struct hsomp_team *team) {
  atomic_thread_fence(memory_order_seq_cst);
  hsomp_wake_bump(&team->event);
}
/* A thread entering a team whose first work share is ready-made starts
 * inside it (hsomp_team_begin). */
static inline void hsomp_team_state_enter_first_ws(struct hsomp_team_state *ts) {
  if (ts->team->first_ws_ready) {
    ts->ws = &ts->team->ws[0];
    ts->ws_count = 1;
  }
}
/* Retire the idle workers of self's pool (omp_pause_resource): Note
 * [Retiring workers] in team.c. */
void hsomp_pool_retire_idle(struct hsomp_thread *self) HSOMP_INTERNAL;

/* ---- barrier.c --------------------------------------------------- */
/* Returns true if the barrier was cancelled (only when cancellable). */
void hsomp_barrier_init(struct hsomp_barrier *b) HSOMP_INTERNAL;
bool hsomp_barrier_wait(struct hsomp_barrier *b, unsigned nthreads, bool cancellable) HSOMP_INTERNAL;
void hsomp_barrier_cancel(struct hsomp_barrier *b) HSOMP_INTERNAL;
/* The branching factor of the barrier, fork and join trees (Note [Tree
 * barrier]): 4, or one level for a team larger than the CPUs. */
static inline unsigned hsomp_barrier_arity(unsigned nthreads) {
  return nthreads > hsomp_settings.ncpus ? (nthreads > 1 ? nthreads - 1 : 1) : 4;
}
/* The join's gather (Note [Tree join], join.c): wait, running the team's
 * tasks and spinning `spins' rounds before it sleeps, until the caller's
 * children in the barrier tree have joined, then (unless it is thread 0)
 * tell its parent that its subtree has. */
void hsomp_barrier_gather(struct hsomp_thread *self, struct hsomp_team *team,
                          unsigned long spins) HSOMP_INTERNAL;
/* Its two halves: the wait for the children (running tasks once the
 * region made some; true if it had to wait, the only case in which it
 * may have run one), and the store that tells the parent (none for
 * thread 0), after which the team is not the caller's to read
 * (Note [Workers that ran tasks on their way out], join.c). */
bool hsomp_barrier_gather_children(struct hsomp_thread *self, struct hsomp_team *team,
                                   unsigned long spins) HSOMP_INTERNAL;
void hsomp_barrier_gather_arrive(struct hsomp_thread *self, struct hsomp_team *team) HSOMP_INTERNAL;

/* ---- spin.c ------------------------------------------------------ */
/* A thread notes the CPU it runs on (-1: none), for near_peer (Note [Who
 * ran on a CPU last], spin.c). */
void hsomp_note_cpu(struct hsomp_thread *self, int cpu) HSOMP_INTERNAL;

/* ---- work.c: work-share records ---------------------------------- */
/* Returns true if the caller must initialise ws. */
bool hsomp_work_share_begin(struct hsomp_thread *self) HSOMP_INTERNAL;
void hsomp_work_share_init_done(struct hsomp_thread *self) HSOMP_INTERNAL;
void hsomp_work_share_end(struct hsomp_thread *self, bool nowait) HSOMP_INTERNAL;
bool hsomp_work_share_end_cancel(struct hsomp_thread *self) HSOMP_INTERNAL;
/* Zeroed, 64-byte aligned scratch memory owned by the work share (only
 * the initialising thread may call it; Note [Work-share scratch memory]). */
void *hsomp_ws_scratch(struct hsomp_work_share *ws, size_t size) HSOMP_INTERNAL;

/* ---- affinity.c, affinity_format.c ------------------------------- */
/* The master of a new team
 * calls hsomp_placement_begin with the implicit tasks' ICV template, then
 * hsomp_placement_assign for members 1..n-1 in order after copying the
 * template into their start_icv; each thread then calls
 * hsomp_affinity_enter when it starts the region if its start_place
 * differs from its place or OMP_DISPLAY_AFFINITY is on. */
struct hsomp_placement {
  bool active;
  int bind;
  unsigned nthreads, off, len, p, s, rest, k;
};
void hsomp_placement_begin(struct hsomp_placement *pl, struct hsomp_thread *master,
                           unsigned nthreads, unsigned bind_flag,
                           struct hsomp_icv *icv) HSOMP_INTERNAL;
void hsomp_placement_assign_slow(struct hsomp_placement *pl, unsigned i,
                                 struct hsomp_thread *w) HSOMP_INTERNAL;
/* The member of a team of n that thread `me` tries to steal a task from
 * at the `attempt`-th try of a round, from the random number r (Note
 * [Stealing near first], affinity.c). */
unsigned hsomp_steal_victim(unsigned me, unsigned n, uint32_t r, unsigned attempt) HSOMP_INTERNAL;
static inline void hsomp_placement_assign(struct hsomp_placement *pl, unsigned i,
                                          struct hsomp_thread *w) {
  if (HSOMP_UNLIKELY(pl->active))
    hsomp_placement_assign_slow(pl, i, w);
  else
    w->start_place = w->place;
}
void hsomp_affinity_enter(struct hsomp_thread *self) HSOMP_INTERNAL;
/* The 64-bit integer forms for Fortran's omp_get_place_proc_ids_8_ and
 * omp_get_partition_place_nums_8_. */
void hsomp_get_place_proc_ids_8(int place_num, int64_t *ids) HSOMP_INTERNAL;
void hsomp_get_partition_place_nums_8(int64_t *place_nums) HSOMP_INTERNAL;
/* OMP_DISPLAY_AFFINITY: print the thread's affinity line if it changed. */
void hsomp_affinity_display_changes(struct hsomp_thread *self) HSOMP_INTERNAL;

/* ---- task.c: the tasking hook, task identity --------------------- */
/* The tasking hook (task.c): how the team's barrier and join reach the
 * tasking engine, libgomp's gomp_barrier_handle_tasks.  Runs the team's
 * tasks while waiting until done(arg) holds, spinning `spins' rounds
 * between tasks before sleeping on team->event.  With `settle', it
 * returns as soon as the calling thread's implicit task has no live
 * descendants (Note [Task-aware barrier] in barrier.c), or done(arg). */
void hsomp_task_help_until(struct hsomp_thread *self, struct hsomp_team *team, bool settle,
                           bool (*done)(void *), void *arg, unsigned long spins) HSOMP_INTERNAL;
/* The join found that the region made tasks: every task is done and
 * every helper gone; reset the team's tasking state for the next region. */
void hsomp_task_region_end(struct hsomp_team *team) HSOMP_INTERNAL;
/* Who owns a nest lock (lock.c): OpenMP 3.0+ nest locks belong to tasks.
 * The identity of the current task, stable while it runs: its record's
 * `owner' (task.c), or for an implicit task without a record its slot in
 * the team (the thread outside any team). */
void *hsomp_task_owner_slow(struct hsomp_thread *self) HSOMP_INTERNAL;
static inline void *hsomp_current_task_owner(void) {
  struct hsomp_thread *self = hsomp_self();
  if (self->ts.task)
    return hsomp_task_owner_slow(self);
  if (self->ts.team)
    return &self->ts.team->members[self->ts.team_id];
  return self;
}

/* ---- task_reduction.c -------------------------------------------- */
/* Task reductions on worksharing constructs (GOMP_loop_start and the other
 * OpenMP 5 loop starts, GOMP_sections2_start, GOMP_scope_start with a
 * non-NULL `reductions`).  Every thread of the team calls it once per construct,
 * after joining the work share: the thread that initialises the record passes
 * first == NULL before it publishes the record (libgomp: taskgroup start +
 * GOMP_taskgroup_reduction_register + taskgroup->workshare = true); the
 * others pass the first thread's array (libgomp: taskgroup start +
 * gomp_workshare_task_reduction_register).  The construct's end is
 * GOMP_workshare_task_reduction_unregister, emitted by the compiler. */
void hsomp_workshare_task_reduction_register(uintptr_t *reductions,
                                             uintptr_t *first) HSOMP_INTERNAL;

/* ---- target.c ---------------------------------------------------- */
/* The child side of fork() (target.c). */
void hsomp_target_after_fork(void) HSOMP_INTERNAL;

/* ---- fork.c ------------------------------------------------------ */
/* Registers the runtime's pthread_atfork handlers, once (Note
 * [Registering the fork handler]); called by the constructor and before a
 * worker is created (pool.c).  The steps the handlers call live beside
 * the state they fix: */
void hsomp_fork_handlers_register(void) HSOMP_INTERNAL;
void hsomp_alloc_before_fork(void) HSOMP_INTERNAL; /* alloc.c */
void hsomp_alloc_after_fork(void) HSOMP_INTERNAL;  /* alloc.c, parent and child */
void hsomp_event_after_fork(void) HSOMP_INTERNAL;  /* task_event.c, child */

#endif
