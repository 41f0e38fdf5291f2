/* Each section of a sections construct runs exactly once, with 1, 2, 3
 * and 8 threads: plain, nowait, many in a row, combined `parallel
 * sections`, the GOMP 1.0 GOMP_parallel_sections_start form, with
 * lastprivate, lastprivate(conditional) (GOMP_sections2_start) and
 * reduction. */
#include "hsomp_test.h"

#include <omp.h>
#include <stdbool.h>

/* GCC warns about its own private copy in lastprivate(conditional). */
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

static int ran[8];
static int who[8];

#define SECTION(k)                                   \
  {                                                  \
    __atomic_fetch_add(&ran[k], 1, __ATOMIC_RELAXED); \
    who[k] = omp_get_thread_num();                   \
  }

static void check(const char *what, int nthr, int count) {
  for (int k = 0; k < 8; k++) {
    HT_CHECK(ran[k] == (k < count), "%s, %d threads: section %d ran %d times", what, nthr, k,
             ran[k]);
    if (k < count)
      HT_CHECK(who[k] >= 0 && who[k] < nthr, "section %d ran on thread %d", k, who[k]);
  }
  memset(ran, 0, sizeof ran);
}

extern void GOMP_parallel_sections_start(void (*)(void *), void *, unsigned, unsigned);
extern void GOMP_parallel_end(void);
extern unsigned GOMP_sections_next(void);
extern void GOMP_sections_end(void);

/* What GCC emits inside a combined parallel sections region. */
static void sections_body(void *arg) {
  (void)arg;
  for (unsigned s = GOMP_sections_next(); s != 0; s = GOMP_sections_next()) {
    HT_CHECK(s >= 1 && s <= 5, "section number %u", s);
    SECTION(s - 1);
  }
  GOMP_sections_end();
}

int main(void) {
  static const int threads[] = {1, 2, 3, 8};
  for (int t = 0; t < 4; t++) {
    int nthr = threads[t];
#pragma omp parallel num_threads(nthr)
    {
#pragma omp sections
      {
#pragma omp section
        SECTION(0)
#pragma omp section
        SECTION(1)
#pragma omp section
        SECTION(2)
      }
    }
    check("sections", nthr, 3);

#pragma omp parallel num_threads(nthr)
    {
#pragma omp sections nowait
      {
        SECTION(0)
      }
    }
    check("one section, nowait", nthr, 1);

    /* Twelve sections constructs in a row, nowait, each with 8 sections
     * (more constructs than the work-share ring has records). */
    static int many[12][8];
    memset(many, 0, sizeof many);
#pragma omp parallel num_threads(nthr)
    for (int r = 0; r < 12; r++) {
#pragma omp sections nowait
      {
#pragma omp section
        many[r][0]++;
#pragma omp section
        many[r][1]++;
#pragma omp section
        many[r][2]++;
#pragma omp section
        many[r][3]++;
#pragma omp section
        many[r][4]++;
#pragma omp section
        many[r][5]++;
#pragma omp section
        many[r][6]++;
#pragma omp section
        many[r][7]++;
      }
    }
    for (int r = 0; r < 12; r++)
      for (int k = 0; k < 8; k++)
        HT_CHECK(many[r][k] == 1, "construct %d section %d ran %d times (%d threads)", r, k,
                 many[r][k], nthr);

#pragma omp parallel sections num_threads(nthr)
    {
#pragma omp section
      SECTION(0)
#pragma omp section
      SECTION(1)
#pragma omp section
      SECTION(2)
#pragma omp section
      SECTION(3)
    }
    check("parallel sections", nthr, 4);

    GOMP_parallel_sections_start(sections_body, NULL, nthr, 5);
    sections_body(NULL);
    GOMP_parallel_end();
    check("GOMP_parallel_sections_start", nthr, 5);

    int last = -1, sum = 0, cond = -1;
#pragma omp parallel num_threads(nthr)
    {
#pragma omp sections lastprivate(last) reduction(+ : sum)
      {
#pragma omp section
        {
          last = 1;
          sum += 1;
        }
#pragma omp section
        {
          last = 2;
          sum += 10;
        }
#pragma omp section
        {
          last = 3;
          sum += 100;
        }
      }
#pragma omp sections lastprivate(conditional : cond)
      {
#pragma omp section
        cond = 7;
#pragma omp section
        if (nthr < 0)
          cond = 8;
#pragma omp section
        {
        }
      }
    }
    HT_CHECK(last == 3, "lastprivate gave %d, not 3 (%d threads)", last, nthr);
    HT_CHECK(sum == 111, "reduction gave %d, not 111 (%d threads)", sum, nthr);
    HT_CHECK(cond == 7, "lastprivate(conditional) gave %d, not 7 (%d threads)", cond, nthr);
  }
  /* Orphaned: outside any parallel region. */
#pragma omp sections
  {
    SECTION(0)
#pragma omp section
    SECTION(1)
  }
  check("orphaned sections", 1, 2);
  return 0;
}
