/* sim.c -- the coherence simulator behind `./run scale` (README "Scale").
 *
 * Owns everything that is not hsomp in the simulator build: the __tsan_*
 * hooks GCC's -fsanitize=thread instrumentation calls (this file stands in
 * for libtsan), a model of cache-line ownership that counts line transfers,
 * invalidations and RMWs per thread and call site, the longest chain of
 * dependent transfers, and a virtual-time scheduler that runs the program's
 * threads one at a time.  The system calls a waiting runtime makes (futex,
 * sched_yield, sched_getcpu, affinity, clocks; pthread mutexes and
 * pthread_create) reach this file through `ld --wrap` (see build.sh);
 * hsomp's own spin pause and TSC reads through hsomp_sim_pause and
 * hsomp_sim_ticks (hsomp.h, HSOMP_SCALE_SIM).  This file itself is not
 * instrumented.
 *
 * Note [Virtual time]
 * Every simulated thread is a real pthread, but only one runs at a time:
 * the one whose virtual clock is lowest (within QUANTUM_NS), handed the
 * baton through a semaphore.  Clocks advance by the modelled cost of each
 * access (HIT_NS, TRANSFER_*_NS), of each pause (PAUSE_NS) and system
 * call; a reader of a line another thread wrote cannot run before that
 * write's time plus a transfer.  Atomic operations, pauses and system
 * calls are the scheduling points: plain accesses between them are
 * data-race free in a correct runtime, so where the switch happens among
 * them cannot change what the program does.
 *
 * Note [Spinners sleep]
 * A thread that waits by re-reading memory would cost host time for every
 * round it spins.  So each atomic load keys a "segment": the atomic
 * operations the thread did since its previous load at the same call site
 * and address, summed into an order-independent signature of (pc, address,
 * value read, value written).  When SPIN_SLEEP_AFTER consecutive segments
 * have the same signature the thread is spinning: it sleeps until another
 * thread writes one of the lines of its segment, as if it had kept
 * spinning on a CPU of its own, and its clock jumps to that write's time.
 * A runtime whose every spin loop may spin forever (OMP_WAIT_POLICY=active
 * is legal) cannot tell the difference; one that must time out a spin to
 * make progress would deadlock here, and the simulator reports it.
 *
 * Note [Transfers and the critical chain]
 * A transfer is an access that needs a line another thread wrote last and
 * that the accessing thread does not hold (a read miss on a modified or
 * shared line, a write or RMW that must take a line others hold).  Every
 * line remembers the chain length c_L of its last write; every thread its
 * own c_t.  A read or plain-store transfer sets c_t = max(c_t, c_L + 1)
 * (loads and buffered stores overlap); a transfer by an atomic RMW sets
 * c_t = max(c_t, c_L) + 1 (a locked instruction completes before the next
 * starts, so a thread's RMWs chain).  A write sets c_L = c_t.  "critical"
 * is max c_t over the threads at the end of a window, divided by the
 * repetitions in it.  Lines never written in the window (read-only data)
 * cost no transfer. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "sim.h"

#include <errno.h>
#include <execinfo.h>
#include <inttypes.h>
#include <linux/futex.h>
#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <semaphore.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

/* ------------------------------------------------------------------ */
/* Costs of the model (ns).                                              */
#define HIT_NS 1.0
#define TRANSFER_LOCAL_NS 70.0   /* core to core, same socket */
#define TRANSFER_REMOTE_NS 140.0 /* across sockets */
#define RMW_NS 15.0              /* a locked instruction beyond its transfer */
#define PAUSE_NS 30.0
#define YIELD_NS 300.0
#define SYSCALL_NS 300.0
#define FUTEX_WAKE_NS 1500.0     /* a FUTEX_WAKE that wakes someone */
#define WAKE_LATENCY_NS 8000.0   /* a sleeper runs again this long after its wake */
#define THREAD_CREATE_NS 20000.0
#define QUANTUM_NS 50.0
#define SPIN_SLEEP_AFTER 48

#define MAXT 520
#define WORDS ((MAXT + 63) / 64)
#define WATCH_MAX 1024

enum { RUNNABLE, SPIN_SLEEP, FUTEX_SLEEP, DONE };

struct seg_entry {
  uintptr_t key;
  uint64_t acc, nops, sig, len, value;
  unsigned repeats;
};
#define SEG_SLOTS 64
#define OPLOG 4096

struct vthread {
  int id, state, socket;
  double clock;
  uint64_t chain;
  sem_t sem;
  void *(*fn)(void *);
  void *arg;
  uintptr_t futex_addr, sleep_pc;
  void *sleep_bt[12];
  int sleep_bt_n;
  double deadline;
  bool timed_out;
  uint64_t futex_seq;
  /* spin detection */
  uint64_t acc, nops;
  struct {
    uintptr_t line;
    uint64_t version;
  } oplog[OPLOG];
  struct seg_entry seg[SEG_SLOTS];
  uintptr_t watch[WATCH_MAX];
  unsigned nwatch;
};

struct line {
  uintptr_t key; /* address >> 6, 0: empty */
  int owner;     /* holder in M/E state, -1: none */
  int last_writer;
  uint64_t sharers[WORDS];
  uint64_t chain;
  uint32_t epoch;
  uint32_t watchers;
  uint64_t version; /* writes so far */
  double write_time;
};

static struct vthread *threads[MAXT];
static int nthreads;
static __thread struct vthread *me;
static int model_ncpus = 2, model_sockets = 1;
static uint64_t futex_seq_next;

/* Window statistics. */
static struct {
  uint64_t transfers, remote, inval, rmw, rmw_transfers, futex_waits, futex_wakes, yields;
  double start_clock;
  int owner;
} win;
static uint32_t epoch = 1;
static uint64_t total_writes;
static bool pcs_wanted;
static bool event_tracing(void);
/* Events the runtime counts (HSOMP_SIM_EVENT, os.h), by name: the
 * simulator's own code, so they cost no model time. */
#define EVENT_SLOTS 64
static struct {
  const char *what;
  uint64_t n;
} events[EVENT_SLOTS];

/* ------------------------------------------------------------------ */
/* Line table: open addressing, grows at half load.                      */
static struct line *table;
static size_t table_cap, table_len;

static size_t hash_key(uintptr_t k) { return (size_t)((k * 0x9E3779B97F4A7C15ull) >> 17); }

static struct line *line_find(uintptr_t key) {
  size_t j = hash_key(key) & (table_cap - 1);
  while (table[j].key && table[j].key != key)
    j = (j + 1) & (table_cap - 1);
  return table[j].key ? &table[j] : NULL;
}

static struct line *line_get(uintptr_t key) {
  if (table_cap) {
    struct line *l = line_find(key);
    if (l)
      return l;
  }
  if (table_len * 2 >= table_cap) {
    size_t ocap = table_cap;
    struct line *old = table;
    table_cap = ocap ? ocap * 2 : (1u << 18);
    table = calloc(table_cap, sizeof *table);
    if (!table) {
      fprintf(stderr, "scale: out of memory for the line table\n");
      abort();
    }
    for (size_t i = 0; i < ocap; i++)
      if (old[i].key) {
        size_t j = hash_key(old[i].key) & (table_cap - 1);
        while (table[j].key)
          j = (j + 1) & (table_cap - 1);
        table[j] = old[i];
      }
    free(old);
  }
  size_t j = hash_key(key) & (table_cap - 1);
  while (table[j].key && table[j].key != key)
    j = (j + 1) & (table_cap - 1);
  if (!table[j].key) {
    table[j].key = key;
    table[j].owner = -1;
    table[j].last_writer = -1;
    table_len++;
  }
  return &table[j];
}

/* ------------------------------------------------------------------ */
/* Transfers by call site (HSOMP_SCALE_PCS=1).                           */
#define PC_SLOTS 4096
static struct {
  uintptr_t pc;
  uint64_t n;
} pcs[PC_SLOTS];

static void pc_count(uintptr_t pc) {
  if (!pcs_wanted)
    return;
  size_t j = hash_key(pc) & (PC_SLOTS - 1);
  for (size_t k = 0; k < PC_SLOTS; k++, j = (j + 1) & (PC_SLOTS - 1)) {
    if (pcs[j].pc == pc || pcs[j].pc == 0) {
      pcs[j].pc = pc;
      pcs[j].n++;
      return;
    }
  }
}

/* ------------------------------------------------------------------ */
/* Threads and the scheduler.                                            */
static struct vthread *new_vthread(void) {
  if (nthreads >= MAXT) {
    fprintf(stderr, "scale: more than %d threads\n", MAXT);
    abort();
  }
  struct vthread *t = calloc(1, sizeof *t);
  t->id = nthreads;
  sem_init(&t->sem, 0, 0);
  t->deadline = INFINITY;
  t->socket = model_sockets > 1 ? (int)((long)(t->id % model_ncpus) * model_sockets / model_ncpus) : 0;
  threads[nthreads++] = t;
  return t;
}

static void sim_setup(void) {
  const char *n = getenv("HSOMP_ASSUME_NCPUS");
  if (n && atoi(n) > 0)
    model_ncpus = atoi(n);
  model_sockets = model_ncpus >= 16 ? 2 : 1;
  pcs_wanted = getenv("HSOMP_SCALE_PCS") != NULL;
}

static inline struct vthread *self(void) {
  if (HSOMP_SIM_UNLIKELY(!me)) {
    if (nthreads == 0)
      sim_setup();
    me = new_vthread(); /* the main thread (the only one not made by us) */
  }
  return me;
}

static void dump(const char *why) {
  fprintf(stderr, "scale: %s\n", why);
  for (int i = 0; i < nthreads; i++) {
    struct vthread *t = threads[i];
    fprintf(stderr, "  thread %d state %d clock %.0f futex %#lx at %#lx watch %u:", t->id,
            t->state, t->clock, (unsigned long)t->futex_addr, (unsigned long)t->sleep_pc,
            t->nwatch);
    for (unsigned k = 0; k < t->nwatch && k < 8; k++)
      fprintf(stderr, " %#lx", (unsigned long)t->watch[k] << 6);
    fprintf(stderr, "\n");
    for (int k = 0; k < t->sleep_bt_n; k++)
      fprintf(stderr, "    bt %p\n", t->sleep_bt[k]);
  }
}

static void dump_and_abort(const char *why) {
  dump(why);
  abort();
}

/* Hand the baton to `next` and wait until we get it back (unless done). */
static void switch_to(struct vthread *next) {
  struct vthread *s = me;
  if (next == s)
    return;
  sem_post(&next->sem);
  if (s->state == DONE)
    return;
  while (sem_wait(&s->sem) != 0)
    ;
}

static struct vthread *lowest_runnable(void) {
  struct vthread *best = NULL;
  for (int i = 0; i < nthreads; i++) {
    struct vthread *t = threads[i];
    if (t->state == RUNNABLE && (!best || t->clock < best->clock))
      best = t;
  }
  return best;
}

static void unwatch(struct vthread *t);

/* Nobody can run: the earliest futex timeout fires, or it is a deadlock. */
static struct vthread *expire_timeout(void) {
  struct vthread *best = NULL;
  for (int i = 0; i < nthreads; i++) {
    struct vthread *t = threads[i];
    if (t->state == FUTEX_SLEEP && t->deadline < INFINITY && (!best || t->deadline < best->deadline))
      best = t;
  }
  if (!best) {
    /* Note [Spinners sleep] is a guess: a thread taken for a spinner may
     * have been about to move on.  Wake the earliest sleeping spinner and
     * let it spin again; only if that goes on without any write is it a
     * deadlock. */
    static uint64_t forced, writes_at_force;
    struct vthread *spinner = NULL;
    for (int i = 0; i < nthreads; i++) {
      struct vthread *t = threads[i];
      if (t->state == SPIN_SLEEP && (!spinner || t->clock < spinner->clock))
        spinner = t;
    }
    if (spinner && (writes_at_force != total_writes || ++forced < 100000)) {
      if (writes_at_force != total_writes)
        forced = 0;
      writes_at_force = total_writes;
      static int shown;
      if (getenv("HSOMP_SCALE_DEBUG") && shown == 0)
        dump("all asleep");
      if (getenv("HSOMP_SCALE_DEBUG") && shown++ < 5) {
        fprintf(stderr, "forced wake of %d slept at", spinner->id);
        for (int k = 0; k < spinner->sleep_bt_n; k++)
          fprintf(stderr, " %p", spinner->sleep_bt[k]);
        fprintf(stderr, "\n");
      }
      unwatch(spinner);
      spinner->state = RUNNABLE;
      for (int k = 0; k < SEG_SLOTS; k++)
        spinner->seg[k].repeats = 0;
      return spinner;
    }
    dump_and_abort("deadlock: every thread sleeps (see README \"Scale\")");
  }
  best->state = RUNNABLE;
  best->timed_out = true;
  if (best->clock < best->deadline)
    best->clock = best->deadline;
  return best;
}

/* A scheduling point of the running thread. */
static void reschedule(void) {
  struct vthread *s = me;
  struct vthread *best = lowest_runnable();
  if (!best)
    best = expire_timeout();
  if (s->state == RUNNABLE && s->clock <= best->clock + QUANTUM_NS)
    return;
  switch_to(best);
}

static void make_runnable(struct vthread *t, double at) {
  if (t->state == SPIN_SLEEP)
    unwatch(t);
  t->state = RUNNABLE;
  if (t->clock < at)
    t->clock = at;
}

/* ------------------------------------------------------------------ */
/* The coherence model.                                                  */
enum kind { READ, WRITE, RMW };

static bool has(const struct line *l, int i) { return l->sharers[i / 64] >> (i % 64) & 1; }

static void wake_watchers(struct line *l, struct vthread *writer) {
  for (int i = 0; i < nthreads && l->watchers; i++) {
    struct vthread *t = threads[i];
    if (t == writer || t->state != SPIN_SLEEP)
      continue;
    for (unsigned k = 0; k < t->nwatch; k++)
      if (t->watch[k] == l->key) {
        if (event_tracing())
          fprintf(stderr, "event spin-wake thread %d by %d at %.0f ns (slept at %.0f) line %#lx\n", t->id,
                  writer->id, writer->clock - win.start_clock, t->clock - win.start_clock,
                  (unsigned long)(l->key << 6));
        make_runnable(t, writer->clock);
        break;
      }
  }
}

static void touch_line(struct vthread *t, uintptr_t key, enum kind kind, uintptr_t pc) {
  struct line *l = line_get(key);
  int i = t->id;
  if (l->epoch != epoch) {
    l->epoch = epoch;
    l->chain = 0;
  }
  bool holds = l->owner == i || has(l, i);
  bool foreign_data = l->last_writer >= 0 && l->last_writer != i;
  if (kind == READ) {
    if (holds || !foreign_data) {
      t->clock += HIT_NS;
      if (!holds)
        l->sharers[i / 64] |= 1ull << (i % 64);
      return;
    }
    /* a miss on data another thread wrote */
    int from = l->owner >= 0 ? l->owner : l->last_writer;
    bool remote = threads[from]->socket != t->socket;
    if (l->owner >= 0) {
      l->sharers[l->owner / 64] |= 1ull << (l->owner % 64);
      l->owner = -1;
    }
    l->sharers[i / 64] |= 1ull << (i % 64);
    if (event_tracing() && l->write_time - t->clock > 2000)
      fprintf(stderr, "event jump thread %d from %.0f by %.0f ns reading line %#lx written by %d pc %#lx\n",
              t->id, t->clock - win.start_clock, l->write_time - t->clock, (unsigned long)(key << 6),
              l->last_writer, (unsigned long)pc);
    if (t->clock < l->write_time)
      t->clock = l->write_time;
    t->clock += remote ? TRANSFER_REMOTE_NS : TRANSFER_LOCAL_NS;
    if (t->chain < l->chain + 1)
      t->chain = l->chain + 1;
    win.transfers++;
    win.remote += remote;
    pc_count(pc);
    return;
  }
  /* WRITE or RMW: take the line exclusively. */
  unsigned others = 0;
  bool remote = false;
  for (int w = 0; w < WORDS; w++) {
    uint64_t m = l->sharers[w];
    if (w == i / 64)
      m &= ~(1ull << (i % 64));
    while (m) {
      int j = w * 64 + __builtin_ctzll(m);
      m &= m - 1;
      others++;
      remote |= threads[j]->socket != t->socket;
    }
  }
  if (l->owner >= 0 && l->owner != i) {
    others++;
    remote |= threads[l->owner]->socket != t->socket;
  }
  bool transfer = others > 0 || (foreign_data && !holds);
  if (transfer) {
    if (event_tracing() && l->write_time - t->clock > 2000)
      fprintf(stderr, "event jump thread %d from %.0f by %.0f ns writing line %#lx written by %d pc %#lx\n",
              t->id, t->clock - win.start_clock, l->write_time - t->clock, (unsigned long)(key << 6),
              l->last_writer, (unsigned long)pc);
    if (t->clock < l->write_time)
      t->clock = l->write_time;
    t->clock += remote ? TRANSFER_REMOTE_NS : TRANSFER_LOCAL_NS;
    if (kind == RMW) {
      uint64_t c = (t->chain > l->chain ? t->chain : l->chain) + 1;
      t->chain = c;
      win.rmw_transfers++;
    } else if (t->chain < l->chain + 1) {
      t->chain = l->chain + 1;
    }
    win.transfers++;
    win.remote += remote;
    win.inval += others;
    pc_count(pc);
  } else {
    t->clock += HIT_NS;
  }
  if (kind == RMW) {
    t->clock += RMW_NS;
    win.rmw++;
  }
  memset(l->sharers, 0, sizeof l->sharers);
  l->owner = i;
  l->last_writer = i;
  l->version++;
  total_writes++;
  l->chain = t->chain;
  l->write_time = t->clock;
  if (l->watchers)
    wake_watchers(l, t);
}

static void access_range(uintptr_t addr, size_t size, enum kind kind, uintptr_t pc) {
  struct vthread *t = self();
  if (size == 0)
    return;
  uintptr_t first = addr >> 6, last = (addr + size - 1) >> 6;
  for (uintptr_t k = first; k <= last; k++)
    touch_line(t, k ? k : 1, kind, pc);
}

/* ------------------------------------------------------------------ */
/* Spin detection (Note [Spinners sleep]).                               */
static uint64_t mix(uint64_t x) {
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdull;
  x ^= x >> 33;
  x *= 0xc4ceb9fe1a85ec53ull;
  x ^= x >> 33;
  return x;
}

static int tracing = -1;
static void op_note(struct vthread *t, uintptr_t pc, uintptr_t addr, uint64_t rv, uint64_t wv) {
  if (tracing < 0)
    tracing = getenv("HSOMP_SCALE_TRACE") != NULL;
  if (tracing)
    fprintf(stderr, "T%d %.0f pc %#lx addr %#lx r %lu w %lu\n", t->id, t->clock, (unsigned long)pc,
            (unsigned long)addr, (unsigned long)rv, (unsigned long)wv);
  t->acc += mix(pc * 31 + addr) ^ mix(rv * 7 + wv + 1);
  t->oplog[t->nops % OPLOG].line = addr >> 6;
  t->oplog[t->nops % OPLOG].version = line_get(addr >> 6)->version;
  t->nops++;
}

static void unwatch(struct vthread *t) {
  for (unsigned k = 0; k < t->nwatch; k++)
    line_get(t->watch[k])->watchers--;
  t->nwatch = 0;
}

/* Called at an atomic load (or failed CAS) at pc/addr, after it: true if
 * the thread slept (the caller then reads again). */
static bool spin_check(struct vthread *t, uintptr_t pc, uintptr_t addr, uint64_t value) {
  uintptr_t key = pc ^ (addr * 0x9E37);
  struct seg_entry *e = &t->seg[(mix(key)) % SEG_SLOTS];
  uint64_t sig = t->acc - e->acc, len = t->nops - e->nops;
  /* The same segment, and this load reads what the previous one did. */
  bool same = e->key == key && len == e->len && sig == e->sig && value == e->value && len < OPLOG;
  if (e->key != key) {
    memset(e, 0, sizeof *e);
    e->key = key;
  }
  e->repeats = same ? e->repeats + 1 : 0;
  e->sig = sig;
  e->len = len;
  e->value = value;
  op_note(t, pc, addr, value, 0);
  e->acc = t->acc;
  e->nops = t->nops;
  if (e->repeats < SPIN_SLEEP_AFTER)
    return false;
  /* Sleep until a line of the segment (and this load's) changes; not at
   * all if one has changed since the segment read it. */
  uint64_t from = t->nops - len - 1;
  for (uint64_t k = from; k < t->nops; k++)
    if (line_get(t->oplog[k % OPLOG].line)->version != t->oplog[k % OPLOG].version) {
      e->repeats = 0;
      return false;
    }
  t->nwatch = 0;
  for (uint64_t k = from; k < t->nops && t->nwatch < WATCH_MAX; k++) {
    uintptr_t line = t->oplog[k % OPLOG].line;
    bool dup = false;
    for (unsigned m = 0; m < t->nwatch && !dup; m++)
      dup = t->watch[m] == line;
    if (!dup) {
      t->watch[t->nwatch++] = line;
      line_get(line)->watchers++;
    }
  }
  e->repeats = SPIN_SLEEP_AFTER - 2;
  t->sleep_pc = pc;
  t->sleep_bt_n = getenv("HSOMP_SCALE_DEBUG") ? backtrace(t->sleep_bt, 12) : 0;
  t->state = SPIN_SLEEP;
  if (event_tracing())
    fprintf(stderr, "event spin-sleep thread %d at %.0f ns pc %#lx watching %u lines\n", t->id,
            t->clock - win.start_clock, (unsigned long)pc, t->nwatch);
  reschedule();
  return true;
}

/* ------------------------------------------------------------------ */
/* The hooks GCC's ThreadSanitizer instrumentation calls.                */
#define PC ((uintptr_t)__builtin_return_address(0))

void __tsan_init(void) {}
void __tsan_func_entry(void *pc) {}
void __tsan_func_exit(void) {}
void __tsan_vptr_update(void **p, void *v) { access_range((uintptr_t)p, sizeof *p, WRITE, PC); }
void __tsan_vptr_read(void **p) { access_range((uintptr_t)p, sizeof *p, READ, PC); }
void __tsan_read_range(void *p, unsigned long n) { access_range((uintptr_t)p, n, READ, PC); }
void __tsan_write_range(void *p, unsigned long n) { access_range((uintptr_t)p, n, WRITE, PC); }

#define PLAIN(n)                                                                               \
  void __tsan_read##n(void *p) { access_range((uintptr_t)p, n, READ, PC); }                   \
  void __tsan_write##n(void *p) { access_range((uintptr_t)p, n, WRITE, PC); }                 \
  void __tsan_unaligned_read##n(void *p) { access_range((uintptr_t)p, n, READ, PC); }         \
  void __tsan_unaligned_write##n(void *p) { access_range((uintptr_t)p, n, WRITE, PC); }       \
  void __tsan_volatile_read##n(void *p) { access_range((uintptr_t)p, n, READ, PC); }          \
  void __tsan_volatile_write##n(void *p) { access_range((uintptr_t)p, n, WRITE, PC); }        \
  void __tsan_unaligned_volatile_read##n(void *p) { access_range((uintptr_t)p, n, READ, PC); } \
  void __tsan_unaligned_volatile_write##n(void *p) { access_range((uintptr_t)p, n, WRITE, PC); }
PLAIN(1)
PLAIN(2)
PLAIN(4)
PLAIN(8)
PLAIN(16)

void __tsan_atomic_thread_fence(int mo) {
  struct vthread *t = self();
  t->clock += RMW_NS;
  reschedule();
}
void __tsan_atomic_signal_fence(int mo) {}

/* Every atomic: the access, the operation itself (plainly: only one
 * thread runs), then a scheduling point. */
#define ATOMICS(n, T)                                                                           \
  T __tsan_atomic##n##_load(const volatile T *a, int mo) {                                    \
    uintptr_t pc = PC;                                                                         \
    struct vthread *t = self();                                                                \
    access_range((uintptr_t)a, sizeof(T), READ, pc);                                           \
    T v = *a;                                                                                  \
    if (spin_check(t, pc, (uintptr_t)a, (uint64_t)v)) {                                        \
      access_range((uintptr_t)a, sizeof(T), READ, pc);                                         \
      v = *a;                                                                                  \
    }                                                                                          \
    reschedule();                                                                              \
    return v;                                                                                  \
  }                                                                                            \
  void __tsan_atomic##n##_store(volatile T *a, T v, int mo) {                                  \
    uintptr_t pc = PC;                                                                         \
    struct vthread *t = self();                                                                \
    access_range((uintptr_t)a, sizeof(T), mo == 5 ? RMW : WRITE, pc);                          \
    op_note(t, pc, (uintptr_t)a, (uint64_t)*a, (uint64_t)v);                                   \
    *a = v;                                                                                    \
    reschedule();                                                                              \
  }                                                                                            \
  static T rmw##n(volatile T *a, T v, int op, uintptr_t pc) {                                  \
    struct vthread *t = self();                                                                \
    access_range((uintptr_t)a, sizeof(T), RMW, pc);                                            \
    T old = *a, nv;                                                                            \
    switch (op) {                                                                              \
    case 0: nv = v; break;                                                                     \
    case 1: nv = old + v; break;                                                               \
    case 2: nv = old - v; break;                                                               \
    case 3: nv = old & v; break;                                                               \
    case 4: nv = old | v; break;                                                               \
    case 5: nv = old ^ v; break;                                                               \
    default: nv = ~(old & v); break;                                                           \
    }                                                                                          \
    *a = nv;                                                                                   \
    op_note(t, pc, (uintptr_t)a, (uint64_t)old, (uint64_t)nv);                                 \
    reschedule();                                                                              \
    return old;                                                                                \
  }                                                                                            \
  T __tsan_atomic##n##_exchange(volatile T *a, T v, int mo) { return rmw##n(a, v, 0, PC); }   \
  T __tsan_atomic##n##_fetch_add(volatile T *a, T v, int mo) { return rmw##n(a, v, 1, PC); }  \
  T __tsan_atomic##n##_fetch_sub(volatile T *a, T v, int mo) { return rmw##n(a, v, 2, PC); }  \
  T __tsan_atomic##n##_fetch_and(volatile T *a, T v, int mo) { return rmw##n(a, v, 3, PC); }  \
  T __tsan_atomic##n##_fetch_or(volatile T *a, T v, int mo) { return rmw##n(a, v, 4, PC); }   \
  T __tsan_atomic##n##_fetch_xor(volatile T *a, T v, int mo) { return rmw##n(a, v, 5, PC); }  \
  T __tsan_atomic##n##_fetch_nand(volatile T *a, T v, int mo) { return rmw##n(a, v, 6, PC); } \
  static int cas##n(volatile T *a, T *e, T v, uintptr_t pc) {                                  \
    struct vthread *t = self();                                                                \
    /* A failing CAS still takes the line exclusively (x86). */                                \
    access_range((uintptr_t)a, sizeof(T), RMW, pc);                                            \
    T old = *a;                                                                                \
    int ok = old == *e;                                                                        \
    if (ok) {                                                                                  \
      *a = v;                                                                                  \
      op_note(t, pc, (uintptr_t)a, (uint64_t)old, (uint64_t)v);                                \
    } else {                                                                                   \
      *e = old;                                                                                \
      op_note(t, pc, (uintptr_t)a, (uint64_t)old, (uint64_t)old);                              \
    }                                                                                          \
    reschedule();                                                                              \
    return ok;                                                                                 \
  }                                                                                            \
  int __tsan_atomic##n##_compare_exchange_strong(volatile T *a, T *e, T v, int mo, int fmo) {  \
    return cas##n(a, e, v, PC);                                                                \
  }                                                                                            \
  int __tsan_atomic##n##_compare_exchange_weak(volatile T *a, T *e, T v, int mo, int fmo) {    \
    return cas##n(a, e, v, PC);                                                                \
  }                                                                                            \
  T __tsan_atomic##n##_compare_exchange_val(volatile T *a, T e, T v, int mo, int fmo) {        \
    cas##n(a, &e, v, PC);                                                                      \
    return e;                                                                                  \
  }
ATOMICS(8, uint8_t)
ATOMICS(16, uint16_t)
ATOMICS(32, uint32_t)
ATOMICS(64, uint64_t)
ATOMICS(128, unsigned __int128)

/* ------------------------------------------------------------------ */
/* hsomp's own hooks (hsomp.h under HSOMP_SCALE_SIM).                    */
void hsomp_sim_pause(void) {
  struct vthread *t = self();
  t->clock += PAUSE_NS;
  reschedule();
}

uint64_t hsomp_sim_ticks(void) { return (uint64_t)(self()->clock * 3.0); }

/* hsomp_prefetch_for_write (PREFETCHW): the line is taken exclusively, as
 * by a store, without changing its data. */
void hsomp_sim_prefetch_write(const void *p) { access_range((uintptr_t)p, 1, WRITE, PC); }

/* ------------------------------------------------------------------ */
/* Wrapped system interfaces (ld --wrap, build.sh).                      */
long __real_syscall(long n, ...);
int __real_pthread_create(pthread_t *, const pthread_attr_t *, void *(*)(void *), void *);
int __real_pthread_mutex_lock(pthread_mutex_t *);
int __real_pthread_mutex_trylock(pthread_mutex_t *);
int __real_pthread_mutex_unlock(pthread_mutex_t *);

static void futex_sleep(struct vthread *t, uintptr_t addr, double timeout_ns) {
  t->state = FUTEX_SLEEP;
  t->sleep_pc = (uintptr_t)__builtin_return_address(0);
  t->futex_addr = addr;
  t->futex_seq = ++futex_seq_next;
  t->timed_out = false;
  t->deadline = timeout_ns >= 0 ? t->clock + timeout_ns : INFINITY;
  reschedule();
  t->futex_addr = 0;
  t->deadline = INFINITY;
}

static int futex_wake_n(struct vthread *t, uintptr_t addr, long n) {
  int woken = 0;
  while (woken < n) {
    struct vthread *first = NULL;
    for (int i = 0; i < nthreads; i++) {
      struct vthread *u = threads[i];
      if (u->state == FUTEX_SLEEP && u->futex_addr == addr &&
          (!first || u->futex_seq < first->futex_seq))
        first = u;
    }
    if (!first)
      break;
    make_runnable(first, t->clock + WAKE_LATENCY_NS);
    woken++;
  }
  return woken;
}

long __wrap_syscall(long n, long a1, long a2, long a3, long a4, long a5, long a6) {
  if (n != SYS_futex)
    return __real_syscall(n, a1, a2, a3, a4, a5, a6);
  struct vthread *t = self();
  uintptr_t pc = PC;
  uint32_t *word = (uint32_t *)a1;
  int op = (int)(a2 & FUTEX_CMD_MASK);
  t->clock += SYSCALL_NS;
  if (op == FUTEX_WAIT || op == FUTEX_WAIT_BITSET) {
    access_range((uintptr_t)word, 4, READ, pc);
    if (*word != (uint32_t)a3) {
      errno = EAGAIN;
      return -1;
    }
    double timeout = -1;
    const struct timespec *ts = (const struct timespec *)a4;
    if (ts) {
      timeout = (double)ts->tv_sec * 1e9 + (double)ts->tv_nsec;
      if (op == FUTEX_WAIT_BITSET) /* absolute, on our clock */
        timeout -= t->clock;
      if (timeout < 0)
        timeout = 0;
    }
    win.futex_waits++;
    if (event_tracing()) {
      void *bt[10];
      int k = backtrace(bt, 10);
      fprintf(stderr, "event futex-wait %p thread %d at %.0f ns:", (void *)word, t->id,
              t->clock - win.start_clock);
      for (int i = 2; i < k; i++)
        fprintf(stderr, " %p", bt[i]);
      fprintf(stderr, "\n");
    }
    static int shown;
    if (getenv("HSOMP_SCALE_DEBUG") && shown++ < 3) {
      void *bt[12];
      int k = backtrace(bt, 12);
      fprintf(stderr, "futex wait by %d:", t->id);
      for (int i = 0; i < k; i++)
        fprintf(stderr, " %p", bt[i]);
      fprintf(stderr, "\n");
    }
    futex_sleep(t, (uintptr_t)word, timeout);
    if (t->timed_out) {
      errno = ETIMEDOUT;
      return -1;
    }
    return 0;
  }
  if (op == FUTEX_WAKE || op == FUTEX_WAKE_BITSET) {
    int w = futex_wake_n(t, (uintptr_t)word, a3);
    if (w && event_tracing())
      fprintf(stderr, "event futex-wake %p (%d) thread %d at %.0f ns pc %#lx\n", (void *)word, w,
              t->id, t->clock - win.start_clock, (unsigned long)pc);
    if (w) {
      t->clock += FUTEX_WAKE_NS;
      win.futex_wakes++;
    }
    reschedule();
    return w;
  }
  fprintf(stderr, "scale: futex operation %d is not modelled\n", op);
  abort();
}

int __wrap_sched_yield(void) {
  struct vthread *t = self();
  t->clock += YIELD_NS;
  win.yields++;
  reschedule();
  return 0;
}

int __wrap_sched_getcpu(void) { return self()->id % model_ncpus; }

int __wrap_sched_getaffinity(pid_t pid, size_t size, cpu_set_t *set) {
  memset(set, 0, size);
  for (int c = 0; c < model_ncpus && (size_t)c < 8 * size; c++)
    CPU_SET_S(c, size, set);
  return 0;
}

int __wrap_sched_setaffinity(pid_t pid, size_t size, const cpu_set_t *set) {
  self()->clock += SYSCALL_NS;
  return 0;
}

int __wrap_clock_gettime(clockid_t c, struct timespec *ts) {
  double ns = self()->clock;
  ts->tv_sec = (time_t)(ns / 1e9);
  ts->tv_nsec = (long)fmod(ns, 1e9);
  return 0;
}

/* Mutexes: a holder that is switched out must not block the host. */
int __wrap_pthread_mutex_lock(pthread_mutex_t *m) {
  struct vthread *t = self();
  uintptr_t pc = PC;
  access_range((uintptr_t)m, 4, RMW, pc);
  while (__real_pthread_mutex_trylock(m) == EBUSY)
    futex_sleep(t, (uintptr_t)m, -1);
  return 0;
}

int __wrap_pthread_mutex_trylock(pthread_mutex_t *m) {
  access_range((uintptr_t)m, 4, RMW, PC);
  return __real_pthread_mutex_trylock(m);
}

int __wrap_pthread_mutex_unlock(pthread_mutex_t *m) {
  struct vthread *t = self();
  access_range((uintptr_t)m, 4, RMW, PC);
  int rc = __real_pthread_mutex_unlock(m);
  futex_wake_n(t, (uintptr_t)m, 1);
  return rc;
}

static void *trampoline(void *arg) {
  struct vthread *t = arg;
  me = t;
  while (sem_wait(&t->sem) != 0)
    ;
  void *r = t->fn(t->arg);
  t->state = DONE;
  struct vthread *next = lowest_runnable();
  if (!next)
    next = expire_timeout();
  switch_to(next);
  return r;
}

int __wrap_pthread_create(pthread_t *tid, const pthread_attr_t *attr, void *(*fn)(void *),
                          void *arg) {
  struct vthread *s = self();
  struct vthread *t = new_vthread();
  t->fn = fn;
  t->arg = arg;
  t->clock = s->clock + THREAD_CREATE_NS;
  s->clock += THREAD_CREATE_NS / 4;
  int rc = __real_pthread_create(tid, attr, trampoline, t);
  if (rc != 0) {
    t->state = DONE;
    return rc;
  }
  reschedule();
  return 0;
}

/* ------------------------------------------------------------------ */
/* The measurement API (sim.h).                                          */
void sim_delay(double ns) {
  self()->clock += ns;
  reschedule();
}

int sim_ncpus(void) {
  self();
  return model_ncpus;
}

/* HSOMP_SCALE_EVENTS=2: every event on stderr, with its thread and its
 * time since the window began (before the window: since the start), and
 * so the model's own: futex waits (with a backtrace) and wakes, spinners'
 * sleeps and wakes (Note [Spinners sleep]), and "jumps", transfers that
 * moved a thread's clock on by more than 2 us because the line was
 * written that much later in model time (the thread waited for that
 * write: how a slow chain, a convoy on a lock, drags its readers along). */
static bool event_tracing(void) {
  static int trace = -1;
  if (trace < 0)
    trace = getenv("HSOMP_SCALE_EVENTS") && atoi(getenv("HSOMP_SCALE_EVENTS")) > 1;
  return trace;
}

void hsomp_sim_event(const char *what) {
  if (event_tracing())
    fprintf(stderr, "event %s thread %d at %.0f ns\n", what, self()->id, self()->clock - win.start_clock);
  for (int i = 0; i < EVENT_SLOTS; i++)
    if (events[i].what == what || !events[i].what) {
      events[i].what = what;
      events[i].n++;
      return;
    }
}

void sim_window_begin(void) {
  struct vthread *t = self();
  memset(&win, 0, sizeof win);
  memset(pcs, 0, sizeof pcs);
  for (int i = 0; i < EVENT_SLOTS; i++)
    events[i].n = 0;
  epoch++;
  for (int i = 0; i < nthreads; i++)
    threads[i]->chain = 0;
  win.start_clock = t->clock;
  win.owner = t->id;
  if (event_tracing())
    fprintf(stderr, "event window-begin thread %d at %.0f ns\n", t->id, t->clock);
}

static int by_count(const void *a, const void *b) {
  const uint64_t x = ((const uint64_t *)a)[1], y = ((const uint64_t *)b)[1];
  return x < y ? 1 : x > y ? -1 : 0;
}

void sim_window_end(const char *name, int n, int reps, struct sim_result *out) {
  struct vthread *t = self();
  uint64_t chain = 0;
  for (int i = 0; i < nthreads; i++)
    if (threads[i]->chain > chain)
      chain = threads[i]->chain;
  struct sim_result r = {
      .transfers = (double)win.transfers / reps,
      .critical = (double)chain / reps,
      .inval = (double)win.inval / reps,
      .rmw = (double)win.rmw / reps,
      .remote = (double)win.remote / reps,
      .futex = (double)(win.futex_waits + win.futex_wakes) / reps,
      .us = (t->clock - win.start_clock) / reps / 1000.0,
  };
  if (out)
    *out = r;
  if (name) {
    if (pcs_wanted) {
      static uint64_t sorted[PC_SLOTS][2];
      int k = 0;
      for (int i = 0; i < PC_SLOTS; i++)
        if (pcs[i].pc) {
          sorted[k][0] = pcs[i].pc;
          sorted[k][1] = pcs[i].n;
          k++;
        }
      qsort(sorted, (size_t)k, sizeof sorted[0], by_count);
      int shown = atoi(getenv("HSOMP_SCALE_PCS"));
      for (int i = 0; i < k && i < (shown > 1 ? shown : 12); i++)
        printf("scale-pc: %s %d %#" PRIx64 " %.1f\n", name, n, sorted[i][0],
               (double)sorted[i][1] / reps);
    }
    if (getenv("HSOMP_SCALE_EVENTS"))
      for (int i = 0; i < EVENT_SLOTS && events[i].what; i++)
        if (events[i].n)
          printf("scale-event: %s %d %s %.2f\n", name, n, events[i].what, (double)events[i].n / reps);
    fflush(stdout);
  }
}
