/* health.c -- HEALTH: a simulation of a health system.  Villages form a
 * tree (every village has FANOUT children, LEVELS levels); each has a
 * hospital with a number of doctors and four lists of patients: waiting,
 * being assessed, treated inside, and leaving for the parent village's
 * hospital.  Every time step simulates each child village in a task of
 * its own (recursively), waits for them, takes in the patients the
 * children sent up, then advances its own lists and admits new patients
 * drawn from its own random number stream.  Patients are malloc'd and
 * freed by whichever thread simulates their village.  Everything a
 * village does depends only on its own state and its children's, in a
 * fixed order, so the totals must equal the serial simulation's. */
#include "taskapps.h"

enum { FANOUT = 4, ASSESS_STEPS = 3, TREAT_STEPS = 10 };

struct patient {
  struct patient *next;
  int timer, hops, waited;
};
struct list {
  struct patient *head, *tail;
  long len;
};
struct village {
  struct village *child[FANOUT];
  int nchild, level, doctors, free_doctors;
  uint64_t rng;
  struct list waiting, assess, inside, up;
  long treated, total_wait, total_hops, admitted;
};

static int levels, steps;
static struct village *root;
static long expect[4], got[4];

static void push(struct list *l, struct patient *p) {
  p->next = NULL;
  if (l->tail)
    l->tail->next = p;
  else
    l->head = p;
  l->tail = p;
  l->len++;
}

static struct patient *pop(struct list *l) {
  struct patient *p = l->head;
  if (p) {
    l->head = p->next;
    if (!l->head)
      l->tail = NULL;
    l->len--;
  }
  return p;
}

static void drain(struct list *l) {
  struct patient *p;
  while ((p = pop(l)))
    free(p);
}

static struct village *build(int level, uint64_t id) {
  struct village *v = taskapp_alloc(sizeof *v);
  memset(v, 0, sizeof *v);
  v->level = level;
  v->rng = taskapp_mix(id);
  v->doctors = 2 + (int)(id % 3) + (level == 0 ? 4 : 0);
  if (level + 1 < levels) {
    v->nchild = FANOUT;
    for (int k = 0; k < FANOUT; k++)
      v->child[k] = build(level + 1, id * FANOUT + (uint64_t)k + 1);
  }
  return v;
}

static void reset(struct village *v, uint64_t id) {
  drain(&v->waiting);
  drain(&v->assess);
  drain(&v->inside);
  drain(&v->up);
  v->rng = taskapp_mix(id);
  v->free_doctors = v->doctors;
  v->treated = v->total_wait = v->total_hops = v->admitted = 0;
  for (int k = 0; k < v->nchild; k++)
    reset(v->child[k], id * FANOUT + (uint64_t)k + 1);
}

static void destroy(struct village *v) {
  for (int k = 0; k < v->nchild; k++)
    destroy(v->child[k]);
  drain(&v->waiting);
  drain(&v->assess);
  drain(&v->inside);
  drain(&v->up);
  free(v);
}

/* One time step of v's own hospital. */
static void step_hospital(struct village *v) {
  struct patient *p;
  /* Treated patients go home. */
  for (long k = v->inside.len; k > 0; k--) {
    p = pop(&v->inside);
    if (--p->timer == 0) {
      v->treated++;
      v->total_wait += p->waited;
      v->total_hops += p->hops;
      v->free_doctors++;
      free(p);
    } else {
      push(&v->inside, p);
    }
  }
  /* Assessed patients are treated here or sent up (not from the root). */
  for (long k = v->assess.len; k > 0; k--) {
    p = pop(&v->assess);
    if (--p->timer > 0) {
      push(&v->assess, p);
    } else if (v->level > 0 && taskapp_rand(&v->rng) % 10 < 3) {
      v->free_doctors++;
      p->hops++;
      push(&v->up, p);
    } else {
      p->timer = TREAT_STEPS;
      push(&v->inside, p);
    }
  }
  /* Waiting patients see a free doctor, or wait one step more. */
  for (long k = v->waiting.len; k > 0; k--) {
    p = pop(&v->waiting);
    if (v->free_doctors > 0) {
      v->free_doctors--;
      p->timer = ASSESS_STEPS;
      push(&v->assess, p);
    } else {
      p->waited++;
      push(&v->waiting, p);
    }
  }
  /* New patients fall ill. */
  if (taskapp_rand(&v->rng) % 100 < 15) {
    p = taskapp_alloc(sizeof *p);
    p->timer = 0, p->hops = 0, p->waited = 0;
    v->admitted++;
    push(&v->waiting, p);
  }
}

static void take_from_children(struct village *v) {
  for (int k = 0; k < v->nchild; k++) {
    struct patient *p;
    while ((p = pop(&v->child[k]->up)))
      push(&v->waiting, p);
  }
}

static void simulate(struct village *v, int tasks) {
  if (tasks) {
    for (int k = 0; k < v->nchild; k++) {
#pragma omp task firstprivate(k)
      simulate(v->child[k], 1);
    }
#pragma omp taskwait
  } else {
    for (int k = 0; k < v->nchild; k++)
      simulate(v->child[k], 0);
  }
  take_from_children(v);
  step_hospital(v);
}

static void totals(const struct village *v, long t[4]) {
  t[0] += v->treated;
  t[1] += v->total_wait;
  t[2] += v->total_hops;
  t[3] += v->admitted * 1000003 + v->waiting.len * 101 + v->assess.len * 11 + v->inside.len;
  for (int k = 0; k < v->nchild; k++)
    totals(v->child[k], t);
}

static void setup(enum taskapp_size size) {
  levels = size == TASKAPP_TINY ? 3 : 5;
  steps = size == TASKAPP_TINY ? 50 : 800;
  root = build(0, 0);
  reset(root, 0);
  for (int s = 0; s < steps; s++)
    simulate(root, 0);
  memset(expect, 0, sizeof expect);
  totals(root, expect);
}

static void prepare(void) { reset(root, 0); }

static void run(void) {
#pragma omp parallel
#pragma omp single
  for (int s = 0; s < steps; s++)
    simulate(root, 1);
}

static int check(void) {
  memset(got, 0, sizeof got);
  totals(root, got);
  return expect[0] > 0 && memcmp(got, expect, sizeof got) == 0;
}

static void teardown(void) { destroy(root); }

const struct taskapp taskapp_health = {"HEALTH", "health-system simulation, a task per village",
                                       setup, prepare, run, check, teardown};
