/* uts.c -- UTS_GEO and UTS_BIN: unbalanced tree search.  Count the nodes
 * of an implicit tree in which a node's number of children comes from a
 * hash of its own state, and each child's state is a hash of its parent's
 * and its index.  UTS_GEO: geometric numbers of children (mean B0_GEO)
 * down to a fixed depth (the root has 2*B0_GEO): bushy and irregular.  UTS_BIN: the root has
 * b0_bin children, every other node M_BIN children with probability
 * Q_BIN, else none (a near-critical binomial process: a few very deep,
 * narrow subtrees).  A task per child, a taskwait per node to sum the
 * children's counts; checked against the serial count. */
#include "taskapps.h"

#include <math.h>

enum { B0_GEO = 4, M_BIN = 8, LOCAL = 16 };
static const double Q_BIN = 0.1245;

static int geometric, max_depth, b0_bin;
static uint64_t root_state;
static long expect, result;

static double uniform(uint64_t s) { return (double)(taskapp_mix(s) >> 11) * 0x1.0p-53; }

static int children(uint64_t s, int depth) {
  if (geometric) {
    if (depth >= max_depth)
      return 0;
    if (depth == 0)
      return 2 * B0_GEO; /* the tree does not die out at its root */
    double p = 1.0 / (1.0 + B0_GEO);
    return (int)floor(log(1.0 - uniform(s)) / log(1.0 - p));
  }
  if (depth == 0)
    return b0_bin;
  return uniform(s) < Q_BIN ? M_BIN : 0;
}

static uint64_t child_state(uint64_t s, int i) {
  return taskapp_mix(s ^ (0xd1b54a32d192ed03ull * (uint64_t)(i + 1)));
}

static long count_serial(uint64_t s, int depth) {
  int m = children(s, depth);
  long total = 1;
  for (int i = 0; i < m; i++)
    total += count_serial(child_state(s, i), depth + 1);
  return total;
}

static long count(uint64_t s, int depth) {
  int m = children(s, depth);
  if (m == 0)
    return 1;
  long local[LOCAL], *sub = m <= LOCAL ? local : taskapp_alloc((size_t)m * sizeof *sub);
  for (int i = 0; i < m; i++) {
#pragma omp task firstprivate(i) shared(sub)
    sub[i] = count(child_state(s, i), depth + 1);
  }
#pragma omp taskwait
  long total = 1;
  for (int i = 0; i < m; i++)
    total += sub[i];
  if (sub != local)
    free(sub);
  return total;
}

static void setup_geo(enum taskapp_size size) {
  geometric = 1;
  max_depth = size == TASKAPP_TINY ? 6 : 9;
  root_state = taskapp_mix(19);
  expect = count_serial(root_state, 0);
}

static void setup_bin(enum taskapp_size size) {
  geometric = 0;
  b0_bin = size == TASKAPP_TINY ? 100 : 10000;
  root_state = taskapp_mix(size == TASKAPP_TINY ? 5 : 41);
  expect = count_serial(root_state, 0);
}

static void run(void) {
  result = -1;
#pragma omp parallel
#pragma omp single
  result = count(root_state, 0);
}

static int check(void) { return expect > 1 && result == expect; }

static void teardown(void) {}

const struct taskapp taskapp_uts_geo = {"UTS_GEO", "unbalanced tree search, geometric tree",
                                        setup_geo, NULL, run, check, teardown};
const struct taskapp taskapp_uts_bin = {"UTS_BIN", "unbalanced tree search, binomial tree",
                                        setup_bin, NULL, run, check, teardown};
