/* Nested parallelism with libgomp's semantics: levels, active levels,
 * ancestor thread numbers and team sizes at every level. */
#include <omp.h>
#include <stdio.h>

static int failures;
#define CHECK(c)                                                              \
  do {                                                                        \
    if (!(c)) {                                                               \
      _Pragma("omp critical(report)")                                         \
      {                                                                       \
        fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #c); \
        failures++;                                                           \
      }                                                                       \
    }                                                                         \
  } while (0)

int main(void) {
  int count[2][3][2] = {{{0}}};
  /* Default: nesting inactive (max-active-levels 1): inner regions have one thread. */
#pragma omp parallel num_threads(2)
  {
#pragma omp parallel num_threads(3)
    {
      CHECK(omp_get_num_threads() == 1);
      CHECK(omp_get_level() == 2);
      CHECK(omp_get_active_level() == 1);
    }
  }
  omp_set_max_active_levels(3);
#pragma omp parallel num_threads(2)
  {
    int a = omp_get_thread_num();
#pragma omp parallel num_threads(3)
    {
      int b = omp_get_thread_num();
      CHECK(omp_get_num_threads() == 3);
#pragma omp parallel num_threads(2)
      {
        int c = omp_get_thread_num();
        CHECK(omp_get_level() == 3);
        CHECK(omp_get_active_level() == 3);
        CHECK(omp_get_ancestor_thread_num(0) == 0);
        CHECK(omp_get_ancestor_thread_num(1) == a);
        CHECK(omp_get_ancestor_thread_num(2) == b);
        CHECK(omp_get_ancestor_thread_num(3) == c);
        CHECK(omp_get_ancestor_thread_num(4) == -1);
        CHECK(omp_get_team_size(0) == 1);
        CHECK(omp_get_team_size(1) == 2);
        CHECK(omp_get_team_size(2) == 3);
        CHECK(omp_get_team_size(3) == 2);
        CHECK(omp_get_team_size(4) == -1);
#pragma omp atomic
        count[a][b][c]++;
      }
      CHECK(omp_get_thread_num() == b);
      CHECK(omp_get_level() == 2);
    }
    CHECK(omp_get_thread_num() == a);
  }
  for (int a = 0; a < 2; a++)
    for (int b = 0; b < 3; b++)
      for (int c = 0; c < 2; c++)
        CHECK(count[a][b][c] == 1);
  /* max-active-levels reached: the fourth level is inactive. */
#pragma omp parallel num_threads(2)
#pragma omp parallel num_threads(2)
#pragma omp parallel num_threads(2)
#pragma omp parallel num_threads(2)
  {
    CHECK(omp_get_num_threads() == 1);
    CHECK(omp_get_level() == 4);
    CHECK(omp_get_active_level() == 3);
  }
  CHECK(omp_get_level() == 0);
  return failures != 0;
}
