/* Random task graphs with dependences, checked against sequential
 * execution: thousands of seeds, each a list of tasks over a few shared
 * variables with depend(in / out / inout / mutexinoutset), depobj objects
 * of every kind (GCC 12 has no inoutset: see depend_inoutset.c), iterator
 * depend lists, several clauses on one address, undeferred if(0) tasks
 * with dependences, taskwait depend, and tasks whose own children have
 * dependences.  Writers are non-commutative (v = 31 v + k), so any
 * ordering error changes the final values; readers record what they saw;
 * mutexinoutset tasks add with an unprotected read-delay-write, so a lost
 * mutual exclusion loses an update.  The graphs are made by one thread
 * (single), by every thread at once (each its own variables), or inside an
 * explicit task; teams of 1 to 4 threads, and up to 24 with
 * HSOMP_ASSUME_NCPUS=128, where teams of more than 8 hand batches of tasks
 * with dependences to waiting threads as descriptions (Note [Tasks with
 * dependences described in the hand-off] in task_deps.c). */
// TEST-TIMEOUT: 120
// TEST-ENV: DAG_SEEDS=3000 DAG_MAXTEAM=4
// TEST-ENV: DAG_SEEDS=400 DAG_MAXTEAM=8
// TEST-ENV: DAG_SEEDS=480 DAG_MAXTEAM=24 HSOMP_ASSUME_NCPUS=128
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NV 6
#define NT 40
#define MAXTEAM 24

enum shape {
  S_OUT, S_INOUT, S_IN, S_MUTEX, S_IN_INOUT, S_DEPOBJ, S_ITER, S_IF0, S_TASKWAIT_DEP,
  S_MUTEX2, S_SAME_ADDR, S_NESTED,
#ifdef WITH_INOUTSET
  S_INOUTSET, S_INOUTSET2, S_INOUTSET3,
#endif
  NSHAPES
};
enum { K_IN, K_OUT, K_INOUT, K_MUTEX, NKINDS };

struct job {
  int shape, a, b, c, kind;
};

struct graph {
  struct job job[NT];
  long v[NV];
  long rec[NT];
};

static unsigned rnd(unsigned *s) {
  *s = *s * 1103515245u + 12345u;
  return (*s >> 16) & 0x7fff;
}

static void make_graph(struct graph *g, unsigned seed) {
  unsigned s = seed * 2654435761u + 1;
  for (int i = 0; i < NV; i++)
    g->v[i] = i + 1;
  for (int i = 0; i < NT; i++) {
    struct job *j = &g->job[i];
    j->shape = (int)(rnd(&s) % NSHAPES);
    j->a = (int)(rnd(&s) % NV);
    j->b = (int)((j->a + 1 + rnd(&s) % (NV - 1)) % NV);
    j->c = (int)((j->b + 1 + rnd(&s) % (NV - 1)) % NV);
    if (j->c == j->a)
      j->c = (j->c + 1) % NV == j->b ? (j->c + 2) % NV : (j->c + 1) % NV;
    j->kind = (int)(rnd(&s) % NKINDS);
    g->rec[i] = -1;
  }
}

static void spin(int n) {
  for (volatile int k = 0; k < n; k++)
    ;
}

static void op_write(long *x, long k) { *x = *x * 31 + k; }
/* Not atomic: only mutual exclusion keeps every update. */
static void op_mutex(long *x, long k) {
  long old = *(volatile long *)x;
  spin(50);
  *(volatile long *)x = old + k * 1000003;
}

/* The task bodies, also what the sequential reference runs. */
static void body(struct graph *g, int i) {
  struct job *j = &g->job[i];
  long *v = g->v;
  switch (j->shape) {
  case S_OUT:
  case S_INOUT:
  case S_IF0:
  case S_SAME_ADDR:
    op_write(&v[j->a], i + 1);
    break;
  case S_IN:
  case S_TASKWAIT_DEP:
    g->rec[i] = v[j->a];
    break;
  case S_MUTEX:
    op_mutex(&v[j->a], i + 1);
    break;
  case S_IN_INOUT:
    v[j->b] = v[j->b] * 31 + v[j->a] + i;
    break;
  case S_DEPOBJ:
    if (j->kind == K_IN)
      g->rec[i] = v[j->a];
    else if (j->kind == K_MUTEX)
      op_mutex(&v[j->a], i + 1);
    else
      op_write(&v[j->a], i + 1);
    break;
  case S_ITER:
    g->rec[i] = v[j->a] + 7 * v[j->b] + 49 * v[j->c];
    break;
  case S_MUTEX2:
    op_mutex(&v[j->a], i + 1);
    op_mutex(&v[j->b], i + 2);
    break;
#ifdef WITH_INOUTSET
  case S_INOUTSET:
  case S_INOUTSET2:
  case S_INOUTSET3:
    /* Members of one inoutset run concurrently: commutative atomic adds. */
#pragma omp atomic
    v[j->a] += (i + 1) * 7;
    break;
#endif
  case S_NESTED: {
    /* Children with their own chain of dependences (the task's table). */
    long local[3] = {1, 2, 3};
    for (int k = 0; k < 6; k++) {
#pragma omp task depend(inout: local[k % 3]) depend(in: local[(k + 1) % 3]) shared(local)
      local[k % 3] = local[k % 3] * 5 + local[(k + 1) % 3];
    }
#pragma omp taskwait
    op_write(&v[j->a], local[0] + local[1] + local[2]);
    break;
  }
  }
}

static void run_sequential(struct graph *g) {
  for (int i = 0; i < NT; i++)
    body(g, i);
}

static void run_tasks(struct graph *g) {
  omp_depend_t obj;
  for (int i = 0; i < NT; i++) {
    struct job *j = &g->job[i];
    int a = j->a, b = j->b;
    switch (j->shape) {
    case S_OUT:
#pragma omp task depend(out: g->v[a])
      body(g, i);
      break;
    case S_INOUT:
#pragma omp task depend(inout: g->v[a])
      body(g, i);
      break;
    case S_IN:
#pragma omp task depend(in: g->v[a])
      body(g, i);
      break;
    case S_MUTEX:
#pragma omp task depend(mutexinoutset: g->v[a])
      body(g, i);
      break;
    case S_IN_INOUT:
#pragma omp task depend(in: g->v[a]) depend(inout: g->v[b])
      body(g, i);
      break;
    case S_DEPOBJ:
      switch (j->kind) {
      case K_IN:
        {
#pragma omp depobj(obj) depend(in: g->v[a])
        }
        break;
      case K_OUT:
        {
#pragma omp depobj(obj) depend(out: g->v[a])
        }
        break;
      case K_INOUT:
        {
#pragma omp depobj(obj) depend(inout: g->v[a])
        }
        break;
      default:
        {
#pragma omp depobj(obj) depend(mutexinoutset: g->v[a])
        }
        break;
      }
#pragma omp task depend(depobj: obj)
      body(g, i);
      {
#pragma omp depobj(obj) destroy
      }
      break;
    case S_ITER: {
      int idx[3] = {j->a, j->b, j->c};
#pragma omp task depend(iterator(k = 0:3), in: g->v[idx[k]])
      body(g, i);
      break;
    }
    case S_IF0:
#pragma omp task depend(inout: g->v[a]) if (0)
      body(g, i);
      break;
    case S_TASKWAIT_DEP: {
#pragma omp taskwait depend(in: g->v[a])
      body(g, i);
      break;
    }
    case S_MUTEX2:
#pragma omp task depend(mutexinoutset: g->v[a]) depend(mutexinoutset: g->v[b])
      body(g, i);
      break;
    case S_SAME_ADDR:
#pragma omp task depend(in: g->v[a]) depend(out: g->v[a]) depend(inout: g->v[a])
      body(g, i);
      break;
    case S_NESTED:
#pragma omp task depend(inout: g->v[a])
      body(g, i);
      break;
#ifdef WITH_INOUTSET
    case S_INOUTSET:
    case S_INOUTSET2:
    case S_INOUTSET3: {
      /* GCC 12 cannot write depend(inoutset: x); a later compiler stores
       * kind 5 in the depobj, which is what this builds by hand. */
      struct {
        void *addr;
        unsigned long kind;
      } *raw = (void *)&obj;
      raw->addr = &g->v[a];
      raw->kind = 5;
#pragma omp task depend(depobj: obj)
      body(g, i);
      break;
    }
#endif
    }
  }
#pragma omp taskwait
}

static int compare(const struct graph *got, const struct graph *want, unsigned seed, int mode,
                   int team, int tid) {
  if (memcmp(got->v, want->v, sizeof got->v) == 0 && memcmp(got->rec, want->rec, sizeof got->rec) == 0)
    return 0;
  fprintf(stderr, "seed %u mode %d team %d thread %d: results differ from sequential execution\n",
          seed, mode, team, tid);
  for (int i = 0; i < NV; i++)
    if (got->v[i] != want->v[i])
      fprintf(stderr, "  v[%d] = %ld, expected %ld\n", i, got->v[i], want->v[i]);
  for (int i = 0; i < NT; i++)
    if (got->rec[i] != want->rec[i])
      fprintf(stderr, "  task %d (shape %d): read %ld, expected %ld\n", i, got->job[i].shape,
              got->rec[i], want->rec[i]);
  return 1;
}

int main(void) {
  static struct graph want[MAXTEAM], got[MAXTEAM];
  int fails = 0;
  /* Seeds and the largest team (teams of 1..maxteam threads in turn; 8
   * oversubscribes the test machines' CPUs, 24 even more). */
  const char *e1 = getenv("DAG_SEEDS"), *e2 = getenv("DAG_MAXTEAM");
  unsigned seeds = e1 ? (unsigned)atoi(e1) : 3000;
  int maxteam = e2 ? atoi(e2) : 4;
  if (maxteam < 1 || maxteam > MAXTEAM)
    maxteam = MAXTEAM;
  for (unsigned seed = 0; seed < seeds && fails < 5; seed++) {
    int team = 1 + (int)(seed % (unsigned)maxteam);
    int mode = (int)(seed / (unsigned)maxteam % 3);
    for (int t = 0; t < maxteam; t++) {
      make_graph(&want[t], seed * MAXTEAM + (unsigned)t);
      got[t] = want[t];
      run_sequential(&want[t]);
    }
    int nth = 1;
#pragma omp parallel num_threads(team)
    {
      int me = omp_get_thread_num();
      if (mode == 0) {
#pragma omp single
        {
          nth = 1;
          run_tasks(&got[0]);
        }
      } else if (mode == 1) {
#pragma omp single
        nth = omp_get_num_threads();
        run_tasks(&got[me]); /* every thread its own graph, at once */
      } else {
#pragma omp single
        {
          nth = 1;
#pragma omp task
          run_tasks(&got[0]);
        }
      }
    }
    for (int t = 0; t < nth; t++)
      fails += compare(&got[t], &want[t], seed, mode, team, t);
  }
  return fails ? 1 : 0;
}
