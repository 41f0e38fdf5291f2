/* install_probe.c -- the program tests/drop_in/install_tree.sh builds
 * against an installed hsomp (pkg-config, find_package) and against GCC's
 * libgomp.  Prints "runtime=<hsomp|libgomp> threads=<n>" after checking
 * that every thread of a team of 3 ran once. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <omp.h>
#include <stdio.h>

int main(void) {
  int ran[3] = {0, 0, 0}, team = 0;
#pragma omp parallel num_threads(3)
  {
#pragma omp atomic
    ran[omp_get_thread_num()]++;
#pragma omp master
    team = omp_get_num_threads();
  }
  if (team != 3 || ran[0] != 1 || ran[1] != 1 || ran[2] != 1) {
    fprintf(stderr, "team of %d: %d %d %d\n", team, ran[0], ran[1], ran[2]);
    return 1;
  }
  int on_hsomp = dlsym(RTLD_DEFAULT, "hsomp_get_capability") != NULL;
  printf("runtime=%s threads=%d\n", on_hsomp ? "hsomp" : "libgomp", team);
  return 0;
}
