/* floorplan.c -- FLOORPLAN: branch and bound.  Place ncells rectangular
 * cells, each in one of its alternative shapes, every cell touching the
 * one before along a side (flush with one of that side's ends), none
 * overlapping, so that the bounding box is smallest.  A partial placement
 * is dropped when its bounding box, or the area it covers plus the least
 * area the remaining cells need, reaches the best complete one found.
 * Every branch of the first CUTOFF cells is a task with its own copy of
 * the placement (a manual depth cut-off); deeper levels recurse serially.
 * The best area is shared: read without a lock, lowered in a critical
 * section.  The optimum does not depend on the order of the search, so
 * it must equal the serial search's (see run() for the starting bound). */
#include "taskapps.h"

enum { MAXC = 24, MAXALT = 3, CUTOFF = 4 };

struct shape {
  int w, h;
};
struct cell {
  int nalt;
  struct shape alt[MAXALT];
};
struct rect {
  int x, y, w, h;
};
struct placement {
  struct rect r[MAXC];
  int minx, miny, maxx, maxy, covered;
};

static int ncells;
static struct cell cells[MAXC];
static int rest_min[MAXC + 1]; /* least area cells i.. need */
static int best, expect;
static long nodes_serial;

static int overlaps(const struct placement *p, int i, struct rect q) {
  for (int k = 0; k < i; k++) {
    const struct rect *r = &p->r[k];
    if (q.x < r->x + r->w && r->x < q.x + q.w && q.y < r->y + r->h && r->y < q.y + q.h)
      return 1;
  }
  return 0;
}

static int read_best(void) {
  int b;
#pragma omp atomic read
  b = best;
  return b;
}

static void offer(int area) {
  if (area >= read_best())
    return;
#pragma omp critical(floorplan_best)
  if (area < best) {
#pragma omp atomic write
    best = area;
  }
}

/* The eight places next to r for a w x h cell. */
static void candidates(const struct rect *r, int w, int h, struct rect out[8]) {
  int xs[8] = {r->x + r->w, r->x + r->w, r->x - w, r->x - w,
               r->x,        r->x + r->w - w, r->x, r->x + r->w - w};
  int ys[8] = {r->y, r->y + r->h - h, r->y, r->y + r->h - h,
               r->y + r->h, r->y + r->h,     r->y - h, r->y - h};
  for (int k = 0; k < 8; k++)
    out[k] = (struct rect){xs[k], ys[k], w, h};
}

/* Try every way of placing cell i after cells 0..i-1 of p; p is left as
 * it was. */
static void search(struct placement *p, int i, int tasks) {
  if (i == ncells) {
    offer((p->maxx - p->minx) * (p->maxy - p->miny));
    return;
  }
  int spawned = 0;
  for (int a = 0; a < cells[i].nalt; a++) {
    int w = cells[i].alt[a].w, h = cells[i].alt[a].h;
    struct rect cand[8];
    int ncand = 8;
    if (i == 0) {
      cand[0] = (struct rect){0, 0, w, h};
      ncand = 1;
    } else {
      candidates(&p->r[i - 1], w, h, cand);
    }
    for (int k = 0; k < ncand; k++) {
      struct rect q = cand[k];
      if (overlaps(p, i, q))
        continue;
      int minx = i ? (q.x < p->minx ? q.x : p->minx) : q.x;
      int miny = i ? (q.y < p->miny ? q.y : p->miny) : q.y;
      int maxx = i ? (q.x + w > p->maxx ? q.x + w : p->maxx) : q.x + w;
      int maxy = i ? (q.y + h > p->maxy ? q.y + h : p->maxy) : q.y + h;
      int box = (maxx - minx) * (maxy - miny), need = p->covered + w * h + rest_min[i + 1];
      if ((box > need ? box : need) >= read_best())
        continue;
      if (tasks && i < CUTOFF) {
        struct placement child = *p;
        child.r[i] = q;
        child.minx = minx, child.miny = miny, child.maxx = maxx, child.maxy = maxy;
        child.covered += w * h;
        spawned = 1;
#pragma omp task firstprivate(child, i)
        search(&child, i + 1, 1);
      } else {
        struct placement saved = *p;
        p->r[i] = q;
        p->minx = minx, p->miny = miny, p->maxx = maxx, p->maxy = maxy;
        p->covered += w * h;
        if (!tasks)
          nodes_serial++;
        search(p, i + 1, tasks);
        *p = saved;
      }
    }
  }
  if (spawned) {
#pragma omp taskwait
  }
}

static void setup(enum taskapp_size size) {
  ncells = size == TASKAPP_TINY ? 7 : 12;
  uint64_t s = 2024;
  for (int i = 0; i < ncells; i++) {
    cells[i].nalt = 2 + (int)(taskapp_rand(&s) % 2);
    for (int a = 0; a < cells[i].nalt; a++) {
      cells[i].alt[a].w = 1 + (int)(taskapp_rand(&s) % 5);
      cells[i].alt[a].h = 1 + (int)(taskapp_rand(&s) % 5);
    }
  }
  rest_min[ncells] = 0;
  for (int i = ncells - 1; i >= 0; i--) {
    int m = 1 << 30;
    for (int a = 0; a < cells[i].nalt; a++)
      if (cells[i].alt[a].w * cells[i].alt[a].h < m)
        m = cells[i].alt[a].w * cells[i].alt[a].h;
    rest_min[i] = rest_min[i + 1] + m;
  }
  struct placement p;
  memset(&p, 0, sizeof p);
  best = 1 << 30;
  nodes_serial = 0;
  search(&p, 0, 0);
  expect = best;
}

/* The parallel search starts from the bound the serial search ended
 * with, plus one: it must still find an optimal placement, but how much
 * it explores hardly depends on the order the tasks run in (a search from
 * no bound at all does as much work as the order of finding good
 * placements allows, and that measures luck, not the runtime). */
static void run(void) {
  best = expect + 1;
#pragma omp parallel
#pragma omp single
  {
    struct placement p;
    memset(&p, 0, sizeof p);
    search(&p, 0, 1);
  }
}

static int check(void) { return expect < (1 << 30) && expect >= rest_min[0] && best == expect; }

static void teardown(void) {}

const struct taskapp taskapp_floorplan = {"FLOORPLAN",
                                          "branch-and-bound floorplanning, tasks to a depth cut-off",
                                          setup, NULL, run, check, teardown};
