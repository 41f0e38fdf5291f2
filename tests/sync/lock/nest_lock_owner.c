/* OpenMP 3.0 nest locks belong to tasks, not threads: a nest lock held by
 * the initial task is not held by the implicit task of a parallel region
 * run on the same thread (if(0), num_threads(1)), nor by an explicit task
 * the holder runs undeferred; a task nests its own acquisitions. */
// TEST-TIMEOUT: 30
#include <omp.h>
#include <stdio.h>

int main(void) {
  int bad = 0;
  omp_nest_lock_t lock;
  omp_init_nest_lock(&lock);
  if (omp_test_nest_lock(&lock) != 1 || omp_test_nest_lock(&lock) != 2) {
    fprintf(stderr, "initial task: counts not 1, 2\n");
    return 1;
  }
  int inner_if0 = -1, inner_one = -1;
#pragma omp parallel if (0)
  inner_if0 = omp_test_nest_lock(&lock);
#pragma omp parallel num_threads(1)
  inner_one = omp_test_nest_lock(&lock);
  if (inner_if0 != 0 || inner_one != 0) {
    fprintf(stderr, "implicit task of a region took the initial task's lock: %d %d\n", inner_if0,
            inner_one);
    bad = 1;
  }
  if (omp_test_nest_lock(&lock) != 3) {
    fprintf(stderr, "initial task lost its lock\n");
    bad = 1;
  }
  for (int i = 0; i < 3; i++)
    omp_unset_nest_lock(&lock);

  /* Each thread of a team holds the lock in turn; an undeferred explicit
   * task it runs meanwhile is another task and must not get it, while a
   * task with the lock free takes it, nests and releases it. */
  int sizes[] = {1, 2, 3, 8};
  for (int s = 0; s < 4; s++) {
    int wrong = 0, turns = 0;
#pragma omp parallel num_threads(sizes[s])
    {
      omp_set_nest_lock(&lock);
      int in_task = -1;
#pragma omp task if (0) shared(in_task)
      in_task = omp_test_nest_lock(&lock);
      if (in_task != 0 || omp_test_nest_lock(&lock) != 2) {
#pragma omp atomic
        wrong++;
      }
      turns++; /* under the lock */
      omp_unset_nest_lock(&lock);
      omp_unset_nest_lock(&lock);

#pragma omp task if (0)
      {
        omp_set_nest_lock(&lock);
        if (omp_test_nest_lock(&lock) != 2) {
#pragma omp atomic
          wrong++;
        }
        turns++;
        omp_unset_nest_lock(&lock);
        omp_unset_nest_lock(&lock);
      }
    }
    if (wrong || turns != 2 * sizes[s]) {
      fprintf(stderr, "%d threads: %d wrong results, %d turns (expected %d)\n", sizes[s], wrong,
              turns, 2 * sizes[s]);
      bad = 1;
    }
  }
  if (omp_test_nest_lock(&lock) != 1) {
    fprintf(stderr, "lock not free at the end\n");
    bad = 1;
  }
  omp_unset_nest_lock(&lock);
  omp_destroy_nest_lock(&lock);
  return bad;
}
