/* thread.c -- the per-thread records (struct hsomp_thread): the calling
 * thread's (hsomp_tls), made on first use for a host thread and given
 * back when it exits, and the process's spare records -- idle workers
 * that no master has hired, teams of threads that exited.
 *
 * It also holds the library's constructor, which reads the environment,
 * and notices the runtime's first use.  Every other file reaches its
 * thread's record through hsomp_self(), so this file calls none of them
 * but env.c and error.c: what other layers keep per thread (free
 * detach-event slots) they give back through a hook in the record, and
 * what they do at the first use (the OMPT tool search) they register
 * (hsomp_on_first_use). */
#include "hsomp.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

__thread struct hsomp_thread *hsomp_tls;
void (*hsomp_host_thread_hook)(struct hsomp_thread *t, bool begins);

/* The library's constructor: the environment is read (env.c) before any
 * thread record exists.  It lives here, in the file every use of the
 * runtime reaches (hsomp_self), so that a static link (the Haskell
 * package's) pulls it in: a constructor in a file nothing references
 * would be left out of the program with its file. */
/* Note [The runtime's first use]
 * The OMPT tool search (ompt.c) runs once, at the runtime's first use --
 * the library constructor, or a thread's first record if another
 * library's constructor calls omp_* before ours -- after the environment
 * is read.  This file notices the first use, but the tool search lies
 * above it: a tool's initializer calls omp_* and so reaches this file.  So
 * ompt.c registers the search (hsomp_on_first_use) from a constructor of
 * its own, which is linked wherever a construct is (every construct
 * reads its hsomp_ompt_enabled), and whichever comes second, the first
 * use or the registration, runs it.  Both publish (seq_cst) before they
 * look at the other, so at least one sees both; the exchange on
 * first_use_claimed makes it run once.  Nothing is held while it runs:
 * the tool's initializer comes back into the runtime on the same thread,
 * finds the search claimed, and goes on. */
static void (*_Atomic first_use_hook)(void);
static _Atomic bool first_used;
static _Atomic bool first_use_claimed;

static void run_first_use_hook(void) {
  if (atomic_load_explicit(&first_use_claimed, memory_order_relaxed))
    return;
  void (*hook)(void) = atomic_load_explicit(&first_use_hook, memory_order_seq_cst);
  if (hook && atomic_load_explicit(&first_used, memory_order_seq_cst) &&
      !atomic_exchange_explicit(&first_use_claimed, true, memory_order_acq_rel))
    hook();
}

void hsomp_on_first_use(void (*hook)(void)) {
  atomic_store_explicit(&first_use_hook, hook, memory_order_seq_cst);
  run_first_use_hook();
}

/* The environment is read first: the hook may ask about the settings. */
static void first_use(void) {
  hsomp_env_ensure();
  if (!atomic_load_explicit(&first_used, memory_order_relaxed))
    atomic_store_explicit(&first_used, true, memory_order_seq_cst);
  run_first_use_hook();
}

__attribute__((constructor)) static void runtime_init(void) { first_use(); }

static pthread_mutex_t spare_lock = PTHREAD_MUTEX_INITIALIZER;
static struct hsomp_thread *idle_workers; /* parked, hired by no master */
static struct hsomp_team *free_teams;     /* teams of exited threads */
static pthread_key_t host_key;
static pthread_once_t host_key_once = PTHREAD_ONCE_INIT;

void *hsomp_xcalloc_aligned(size_t size) {
  void *p = NULL;
  if (posix_memalign(&p, HSOMP_CACHELINE, size) != 0)
    hsomp_fatal("out of memory allocating %zu bytes", size);
  memset(p, 0, size);
  return p;
}

struct hsomp_thread *hsomp_thread_new(void) {
  struct hsomp_thread *t = hsomp_xcalloc_aligned(sizeof *t);
  t->capability = -1;
  atomic_init(&t->cpu, -1);
  return t;
}

void hsomp_thread_release_caches(struct hsomp_thread *t) {
  if (t->release_events)
    t->release_events(t);
  if (t->release_task_records)
    t->release_task_records(t);
}

/* A host thread that exits gives its hired workers and its cached team
 * back to the process, so that programs creating many threads that each
 * use OpenMP do not create ever more workers. */
static void host_thread_exit(void *p) {
  struct hsomp_thread *t = p;
  if (HSOMP_UNLIKELY(hsomp_host_thread_hook))
    hsomp_host_thread_hook(t, false);
  pthread_mutex_lock(&spare_lock);
  for (unsigned i = 0; i < t->pool_len; i++) {
    t->pool[i]->next_idle = idle_workers;
    idle_workers = t->pool[i];
  }
  if (t->cached_team) {
    t->cached_team->next_free = free_teams;
    free_teams = t->cached_team;
  }
  pthread_mutex_unlock(&spare_lock);
  hsomp_thread_release_caches(t);
  free(t->pool);
  free(t);
  hsomp_tls = NULL;
}

static void make_host_key(void) { pthread_key_create(&host_key, host_thread_exit); }

struct hsomp_thread *hsomp_thread_init_host(void) {
  hsomp_env_ensure(); /* the initial ICVs below (Note [Reading the environment once, and surely]) */
  struct hsomp_thread *t = hsomp_thread_new();
  t->icv = hsomp_initial_icv;
  hsomp_tls = t;
  pthread_once(&host_key_once, make_host_key);
  pthread_setspecific(host_key, t);
  if (HSOMP_UNLIKELY(hsomp_host_thread_hook))
    hsomp_host_thread_hook(t, true);
  first_use(); /* Note [The runtime's first use] */
  return t;
}

unsigned hsomp_idle_workers_take(struct hsomp_thread **into, unsigned n) {
  unsigned got = 0;
  pthread_mutex_lock(&spare_lock);
  while (got < n && idle_workers) {
    into[got++] = idle_workers;
    idle_workers = idle_workers->next_idle;
  }
  pthread_mutex_unlock(&spare_lock);
  return got;
}

void hsomp_idle_workers_put(struct hsomp_thread *const *from, unsigned n) {
  pthread_mutex_lock(&spare_lock);
  for (unsigned i = 0; i < n; i++) {
    from[i]->next_idle = idle_workers;
    idle_workers = from[i];
  }
  pthread_mutex_unlock(&spare_lock);
}

struct hsomp_team *hsomp_free_team_take(void) {
  pthread_mutex_lock(&spare_lock);
  struct hsomp_team *team = free_teams;
  if (team)
    free_teams = team->next_free;
  pthread_mutex_unlock(&spare_lock);
  return team;
}

void hsomp_free_team_put(struct hsomp_team *team) {
  pthread_mutex_lock(&spare_lock);
  team->next_free = free_teams;
  free_teams = team;
  pthread_mutex_unlock(&spare_lock);
}

/* After fork() only the forking thread exists in the child: forget every
 * worker (they are not there) and let the child hire new ones. */
void hsomp_pool_forget_after_fork(void) {
  pthread_mutex_init(&spare_lock, NULL);
  idle_workers = NULL;
  struct hsomp_thread *self = hsomp_tls;
  if (self) {
    self->pool_len = 0;
    self->pool_in_use = 0;
  }
}
