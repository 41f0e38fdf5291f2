/* The allocate clause (GOMP_alloc / GOMP_free behind it): private copies
 * come from the named allocator with the alignment it promises, in teams
 * of 1, 2, 3 and 8 threads; an allocator whose pool is too small ends
 * the program (null_fb acts as abort_fb for the clause), and so does
 * omp_alloc from an abort_fb allocator -- status 1 and libgomp's message,
 * checked in child processes. */
#include "hsomp_test.h"

#include <omp.h>
#include <stdint.h>
#include <sys/wait.h>

/* Runs this program with `mode` in a child; its stderr goes to `out`. */
static int run_child(const char *mode, char *out, size_t len) {
  return ht_run_self(mode, NULL, NULL, out, len);
}

/* The children's allocators, global: they end the program with exit(1),
 * and LeakSanitizer (asan build) must still see them reachable. */
static omp_allocator_handle_t child_allocator;

int main(int argc, char **argv) {
  if (argc > 1 && strcmp(argv[1], "abort_fb") == 0) {
    omp_alloctrait_t tiny[] = {{omp_atk_pool_size, 64}, {omp_atk_fallback, omp_atv_abort_fb}};
    child_allocator = omp_init_allocator(omp_default_mem_space, 2, tiny);
    omp_calloc(10, 100, child_allocator);
    return 0;
  }
  if (argc > 1) {
    /* Child: a pool far too small for the private copy (one thread: one
     * message). */
    omp_alloctrait_t tiny[] = {{omp_atk_pool_size, 64}, {omp_atk_fallback, omp_atv_null_fb}};
    omp_allocator_handle_t t = child_allocator =
        omp_init_allocator(omp_default_mem_space, 2, tiny);
    double big[1000];
    big[0] = 1;
#pragma omp parallel num_threads(1) firstprivate(big) allocate(t : big)
    big[1] = big[0];
    return 0;
  }
  omp_alloctrait_t traits[] = {{omp_atk_alignment, 128}};
  omp_allocator_handle_t a128 = omp_init_allocator(omp_default_mem_space, 1, traits);
  HT_CHECK(a128 != omp_null_allocator, "allocator refused");
  int sizes[] = {1, 2, 3, 8};
  for (int k = 0; k < 4; k++) {
    int x = 42, misaligned = 0, wrong = 0;
    double arr[33];
    for (int i = 0; i < 33; i++)
      arr[i] = i;
#pragma omp parallel num_threads(sizes[k]) firstprivate(x, arr) allocate(a128 : x, arr) \
    reduction(+ : misaligned, wrong)
    {
      if (((uintptr_t)&x & 127) || ((uintptr_t)arr & 127))
        misaligned++;
      if (x != 42 || arr[32] != 32)
        wrong++;
      x = omp_get_thread_num();
      arr[0] = x;
    }
    HT_CHECK(misaligned == 0 && wrong == 0, "%d threads: %d misaligned, %d wrong", sizes[k],
             misaligned, wrong);
    HT_CHECK(x == 42 && arr[0] == 0, "the originals changed");
  }
  omp_destroy_allocator(a128);

  char out[512];
  int st = run_child("child", out, sizeof out);
  HT_CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 1,
           "an allocate clause that cannot be served: status %#x", st);
  HT_CHECK(strcmp(out, "\nlibgomp: Out of memory allocating 8000 bytes\n") == 0,
           "allocate clause failure message: '%s'", out);
  st = run_child("abort_fb", out, sizeof out);
  HT_CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 1, "abort_fb: status %#x", st);
  HT_CHECK(strcmp(out, "\nlibgomp: Out of memory allocating 1000 bytes\n") == 0,
           "abort_fb message: '%s'", out);
  return 0;
}
