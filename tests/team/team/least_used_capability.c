/* hsomp_get_least_used_capability (include/hsomp_ext.h): the primary
 * thread of a team, bound to no Capability, is told the Capability the
 * fewest other members are bound to -- with 3 Capabilities and a team of
 * 3, the one neither worker holds; a worker (bound) and a thread outside
 * any team of more than one are told -1.  The hsomp package's callbacks
 * enter Haskell on that Capability. */
// TEST-HSOMP-ONLY
// TEST-ENV: OMP_NUM_THREADS=3
#include <dlfcn.h>
#include <omp.h>
#include <stdio.h>

int main(void) {
  int (*cap_of)(void) = (int (*)(void))dlsym(RTLD_DEFAULT, "hsomp_get_capability");
  int (*least)(void) = (int (*)(void))dlsym(RTLD_DEFAULT, "hsomp_get_least_used_capability");
  if (!cap_of || !least) {
    fprintf(stderr, "not running on hsomp (or hsomp_get_least_used_capability not exported)\n");
    return 1;
  }
  int bad = 0;
  if (least() != -1) {
    fprintf(stderr, "outside a team: %d, expected -1\n", least());
    bad = 1;
  }
  int caps[3] = {-2, -2, -2}, told[3] = {-2, -2, -2}, single_told = -2;
#pragma omp parallel
  {
    caps[omp_get_thread_num()] = cap_of();
#pragma omp barrier
    told[omp_get_thread_num()] = least();
  }
#pragma omp parallel num_threads(1)
  single_told = least();
  if (caps[1] < 0 || caps[2] < 0 || caps[1] == caps[2]) {
    fprintf(stderr, "workers' Capabilities %d %d: expected two distinct ones\n", caps[1], caps[2]);
    bad = 1;
  }
  int expected = 3 - caps[1] - caps[2]; /* the one of 0, 1, 2 no worker holds */
  if (told[0] != expected) {
    fprintf(stderr, "primary thread told %d, expected %d (workers on %d and %d)\n", told[0],
            expected, caps[1], caps[2]);
    bad = 1;
  }
  if (told[1] != -1 || told[2] != -1) {
    fprintf(stderr, "workers told %d and %d, expected -1 (they are bound)\n", told[1], told[2]);
    bad = 1;
  }
  if (single_told != -1) {
    fprintf(stderr, "a team of one: %d, expected -1\n", single_told);
    bad = 1;
  }
  return bad;
}
