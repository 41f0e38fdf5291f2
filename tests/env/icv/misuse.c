/* API misuse that the other tests leave out: arguments at and beyond the
 * edges of int and size_t, places and levels that do not exist, pause
 * kinds that are not pause kinds, sizes whose product overflows.  Each
 * call must return libgomp's answer (or fail cleanly) and leave the
 * runtime working: a parallel region runs at the end.  Where libgomp
 * crashes (destroying a predefined allocator, NULL buffers of non-zero
 * size, allocator handles that are not allocators) or has no defined
 * answer (NULL out-arguments), only hsomp is checked. */
#include "hsomp_test.h"

#include <limits.h>
#include <omp.h>
#include <stdint.h>

static void levels_and_nesting(void) {
  omp_set_max_active_levels(3);
  omp_set_max_active_levels(INT_MIN);
  HT_CHECK(omp_get_max_active_levels() == 3, "max_active_levels(INT_MIN) changed it to %d",
           omp_get_max_active_levels());
  omp_set_max_active_levels(INT_MAX);
  HT_CHECK(omp_get_max_active_levels() == omp_get_supported_active_levels(),
           "max_active_levels(INT_MAX) -> %d", omp_get_max_active_levels());
  omp_set_nested(-1);
  HT_CHECK(omp_get_nested() == 1, "set_nested(-1) is true");
  omp_set_nested(0);
  omp_set_num_threads(INT_MIN);
  HT_CHECK(omp_get_max_threads() == 1, "num_threads(INT_MIN) -> %d", omp_get_max_threads());
  omp_set_num_threads(2);

  static const int bad_levels[] = {-1, INT_MIN, 1, 2, INT_MAX};
  for (int i = 0; i < 5; i++) {
    int l = bad_levels[i];
    HT_CHECK(omp_get_ancestor_thread_num(l) == -1, "ancestor_thread_num(%d) outside a region", l);
    HT_CHECK(omp_get_team_size(l) == -1, "team_size(%d) outside a region", l);
  }
  int bad = 0;
#pragma omp parallel num_threads(2) reduction(+ : bad)
  {
    bad += omp_get_ancestor_thread_num(2) != -1 || omp_get_team_size(2) != -1;
    bad += omp_get_ancestor_thread_num(INT_MAX) != -1 || omp_get_team_size(INT_MIN) != -1;
    bad += omp_get_ancestor_thread_num(1) != omp_get_thread_num();
  }
  HT_CHECK(bad == 0, "ancestor queries past the nesting level: %d wrong", bad);
}

static void places(void) {
  int n = omp_get_num_places();
  static const int bad_places[] = {-1, INT_MIN, 0, 1, INT_MAX};
  for (int i = 0; i < 5; i++) {
    int p = bad_places[i] >= 0 && bad_places[i] < INT_MAX ? n + bad_places[i] : bad_places[i];
    int ids[4] = {-7, -7, -7, -7};
    omp_get_place_proc_ids(p, ids);
    HT_CHECK(ids[0] == -7 && ids[1] == -7, "place %d of %d: proc ids written", p, n);
    HT_CHECK(omp_get_place_num_procs(p) == 0, "place %d of %d has %d procs", p, n,
             omp_get_place_num_procs(p));
  }
  HT_CHECK(omp_get_place_num() == -1, "not bound, yet place %d", omp_get_place_num());
  HT_CHECK(omp_get_partition_num_places() == n, "partition of %d places, want %d",
           omp_get_partition_num_places(), n);
}

static void pause_kinds(void) {
  int host = omp_get_initial_device();
  /* libgomp does not look at the kind. */
  static const int kinds[] = {0, 3, -1, INT_MAX};
  for (int i = 0; i < 4; i++) {
    HT_CHECK(omp_pause_resource((omp_pause_resource_t)kinds[i], host) == 0,
             "pause kind %d of the host", kinds[i]);
    HT_CHECK(omp_pause_resource_all((omp_pause_resource_t)kinds[i]) == 0, "pause_all kind %d",
             kinds[i]);
  }
  HT_CHECK(omp_pause_resource(omp_pause_soft, -7) == -1, "pause of device -7");
  HT_CHECK(omp_pause_resource(omp_pause_hard, INT_MAX) == -1, "pause of device INT_MAX");
  HT_CHECK(omp_pause_resource(omp_pause_hard, INT_MIN) == -1, "pause of device INT_MIN");
}

/* The sizes are meant to be impossible. */
#pragma GCC diagnostic ignored "-Walloc-size-larger-than="
static void allocation_sizes(void) {
  omp_allocator_handle_t a = omp_default_mem_alloc;
  HT_CHECK(omp_alloc(SIZE_MAX, a) == NULL, "omp_alloc(SIZE_MAX)");
  HT_CHECK(omp_alloc(SIZE_MAX - 64, a) == NULL, "omp_alloc(SIZE_MAX - 64)");
  HT_CHECK(omp_calloc(SIZE_MAX / 2, 4, a) == NULL, "omp_calloc whose size overflows");
  HT_CHECK(omp_calloc(4, SIZE_MAX / 2, a) == NULL, "omp_calloc whose size overflows");
  HT_CHECK(omp_aligned_alloc((SIZE_MAX >> 1) + 1, 16, a) == NULL, "alignment 2^63");
  HT_CHECK(omp_aligned_calloc(64, SIZE_MAX / 8, 16, a) == NULL, "aligned_calloc overflow");
  HT_CHECK(omp_realloc(NULL, SIZE_MAX, a, a) == NULL, "omp_realloc(NULL, SIZE_MAX)");
  char *p = omp_alloc(16, a);
  HT_CHECK(p != NULL, "omp_alloc(16)");
  p[15] = 'x';
  HT_CHECK(omp_realloc(p, SIZE_MAX, a, a) == NULL, "omp_realloc(p, SIZE_MAX)");
  HT_CHECK(p[15] == 'x', "a failed realloc lost the old block");
  omp_free(p, a);
  omp_free(NULL, a);
  omp_free(NULL, omp_null_allocator);
  /* A pool smaller than the request: the default fallback returns NULL. */
  omp_alloctrait_t pool[] = {{omp_atk_pool_size, 64}, {omp_atk_fallback, omp_atv_null_fb}};
  omp_allocator_handle_t small = omp_init_allocator(omp_default_mem_space, 2, pool);
  HT_CHECK(small != omp_null_allocator, "pool allocator");
  HT_CHECK(omp_alloc(SIZE_MAX / 2, small) == NULL, "huge request from a 64-byte pool");
  HT_CHECK(omp_calloc(SIZE_MAX / 2, 3, small) == NULL, "overflowing calloc from a pool");
  omp_destroy_allocator(small);
}

/* libgomp crashes or reads through these; hsomp must not. */
static void hsomp_only(void) {
  omp_destroy_allocator(omp_null_allocator);
  omp_destroy_allocator(omp_default_mem_alloc);
  omp_destroy_allocator(omp_thread_mem_alloc);
  void *p = omp_alloc(32, omp_default_mem_alloc);
  HT_CHECK(p != NULL, "the default allocator after destroying predefined ones");
  omp_free(p, omp_default_mem_alloc);
  /* Handles that were never allocators: refused with a warning. */
  HT_CHECK(omp_alloc(16, (omp_allocator_handle_t)12345) == NULL, "allocator handle 12345");
  HT_CHECK(omp_calloc(2, 8, (omp_allocator_handle_t)100) == NULL, "allocator handle 100");
  omp_destroy_allocator((omp_allocator_handle_t)12345);
  omp_get_schedule(NULL, NULL);
  HT_CHECK(omp_capture_affinity(NULL, 100, "abc") == 3, "capture with a NULL buffer");
  HT_CHECK(omp_get_affinity_format(NULL, 100) > 0, "get_affinity_format with a NULL buffer");
  omp_set_affinity_format(NULL);
  HT_CHECK(omp_get_affinity_format(NULL, 0) == 0, "NULL format is empty");
}

int main(void) {
  levels_and_nesting();
  places();
  pause_kinds();
  allocation_sizes();
  if (ht_expect_hsomp())
    hsomp_only();
  int sum = 0;
#pragma omp parallel num_threads(3) reduction(+ : sum)
  sum += omp_get_thread_num() + 1;
  HT_CHECK(sum == 6, "the runtime still works: %d", sum);
  return 0;
}
