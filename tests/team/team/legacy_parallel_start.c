/* The pre-GCC-4.9 fork/join entry points GOMP_parallel_start/end, as old
 * binaries call them: the caller runs the body itself between the two. */
#include <omp.h>
#include <stdio.h>

void GOMP_parallel_start(void (*fn)(void *), void *data, unsigned num_threads);
void GOMP_parallel_end(void);

static int hits[8];

static void body(void *data) {
  int *n = data;
  if (omp_get_num_threads() == *n)
    __atomic_fetch_add(&hits[omp_get_thread_num()], 1, __ATOMIC_SEQ_CST);
}

int main(void) {
  for (int n = 1; n <= 8; n++) {
    for (int i = 0; i < 8; i++)
      hits[i] = 0;
    GOMP_parallel_start(body, &n, n);
    body(&n);
    GOMP_parallel_end();
    for (int i = 0; i < 8; i++)
      if (hits[i] != (i < n)) {
        fprintf(stderr, "team of %d: thread %d ran %d times\n", n, i, hits[i]);
        return 1;
      }
    if (omp_in_parallel())
      return 1;
  }
  return 0;
}
