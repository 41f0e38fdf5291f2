/* Task records are recycled by the thread that frees them (hsomp: Note
 * [Recycled task records]): tasks with arguments of many sizes (a few
 * bytes to a few kilobytes, in the recycled block or past it) and
 * alignments (up to 128 bytes), made on one thread and run and freed on
 * others, must each see exactly their own arguments at the alignment
 * asked for; with dependences (entries in the same block) and after
 * teams come and go (records cached by threads that leave). */
// TEST-TIMEOUT: 90
#include <omp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct small {
  unsigned char bytes[8];
};
struct medium {
  long words[30];
};
struct large {
  long words[600];
};
struct aligned {
  _Alignas(128) long words[4];
};

static int bad;

static void fail(const char *what, long k) {
#pragma omp critical
  {
    if (bad < 10)
      fprintf(stderr, "%s: task %ld saw wrong arguments\n", what, k);
    bad++;
  }
}

static void round_of_tasks(long base) {
#pragma omp single
  for (long k = base; k < base + 2000; k++) {
    struct small s;
    struct medium m;
    struct large l;
    struct aligned a;
    for (int i = 0; i < 8; i++)
      s.bytes[i] = (unsigned char)(k + i);
    for (int i = 0; i < 30; i++)
      m.words[i] = k * 31 + i;
    for (int i = 0; i < 600; i++)
      l.words[i] = k * 601 + i;
    for (int i = 0; i < 4; i++)
      a.words[i] = k * 5 + i;
    switch (k % 4) {
    case 0:
#pragma omp task firstprivate(s, k)
      for (int i = 0; i < 8; i++)
        if (s.bytes[i] != (unsigned char)(k + i))
          fail("small", k);
      break;
    case 1:
#pragma omp task firstprivate(m, k)
      for (int i = 0; i < 30; i++)
        if (m.words[i] != k * 31 + i)
          fail("medium", k);
      break;
    case 2:
#pragma omp task firstprivate(l, k)
      for (int i = 0; i < 600; i++)
        if (l.words[i] != k * 601 + i)
          fail("large", k);
      break;
    default:
#pragma omp task firstprivate(a, k)
      {
        if ((uintptr_t)&a % 128 != 0)
          fail("aligned (alignment)", k);
        for (int i = 0; i < 4; i++)
          if (a.words[i] != k * 5 + i)
            fail("aligned", k);
      }
      break;
    }
  }
}

int main(void) {
  for (int team = 1; team <= 4; team++) {
#pragma omp parallel num_threads(team)
    round_of_tasks(team * 100000L);
  }

  /* Dependences: a few chains with several clauses each. */
  static long cell[16];
  long expect[16] = {0};
#pragma omp parallel num_threads(3)
#pragma omp single
  for (long k = 0; k < 4000; k++) {
    long *x = &cell[k % 16], *y = &cell[(k * 7 + 3) % 16], *z = &cell[(k * 5 + 1) % 16];
    if (x == y || y == z || x == z)
      continue;
#pragma omp task depend(inout : x[0]) depend(in : y[0]) depend(in : z[0]) firstprivate(k)
    *x = *x * 3 + k;
  }
  for (long k = 0; k < 4000; k++) {
    long *x = &expect[k % 16], *y = &expect[(k * 7 + 3) % 16], *z = &expect[(k * 5 + 1) % 16];
    if (x == y || y == z || x == z)
      continue;
    *x = *x * 3 + k;
  }
  if (memcmp(cell, expect, sizeof cell) != 0) {
    fprintf(stderr, "dependences: results differ from the sequential order\n");
    bad++;
  }
  return bad != 0;
}
