/* The allocate clause (GOMP_alloc / GOMP_free behind it): private copies
 * come from the named allocator with the alignment it promises, in teams
 * of 1, 2, 3 and 8 threads, and an allocator whose pool is too small
 * ends the program (null_fb acts as abort_fb for the clause) in a child
 * process. */
#include "hsomp_test.h"

#include <omp.h>
#include <stdint.h>
#include <fcntl.h>
#include <sys/wait.h>

int main(int argc, char **argv) {
  omp_alloctrait_t traits[] = {{omp_atk_alignment, 128}};
  omp_allocator_handle_t a128 = omp_init_allocator(omp_default_mem_space, 1, traits);
  HT_CHECK(a128 != omp_null_allocator, "allocator refused");
  if (argc > 1) {
    /* Child: a pool far too small for the private copy. */
    omp_alloctrait_t tiny[] = {{omp_atk_pool_size, 64}, {omp_atk_fallback, omp_atv_null_fb}};
    omp_allocator_handle_t t = omp_init_allocator(omp_default_mem_space, 2, tiny);
    double big[1000];
    big[0] = 1;
#pragma omp parallel num_threads(2) firstprivate(big) allocate(t : big)
    big[1] = big[0];
    return 0;
  }
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

  pid_t pid = fork();
  if (pid == 0) {
    int devnull = open("/dev/null", O_WRONLY);
    dup2(devnull, 2);
    execl("/proc/self/exe", argv[0], "child", (char *)NULL);
    _exit(127);
  }
  int st;
  waitpid(pid, &st, 0);
  HT_CHECK(!(WIFEXITED(st) && (WEXITSTATUS(st) == 0 || WEXITSTATUS(st) == 127)),
           "an allocate clause that cannot be served did not end the program (status %#x)", st);
  return 0;
}
