/* Memory allocators: the predefined allocators, alignment (requested and
 * as a trait), calloc zeroing, realloc keeping contents, pool sizes with
 * each fallback (null_fb, default_mem_fb, allocator_fb), invalid traits,
 * and def-allocator-var per task -- also from 1, 2, 3 and 8 threads
 * allocating at once from one pooled allocator. */
// TEST-ENV: OMP_NUM_THREADS=2
// TEST-ENV: OMP_NUM_THREADS=3 OMP_ALLOCATOR=omp_low_lat_mem_alloc
#include "hsomp_test.h"

#include <omp.h>
#include <stdint.h>

static int aligned(void *p, size_t a) { return ((uintptr_t)p & (a - 1)) == 0; }

int main(void) {
  /* Every predefined allocator gives usable, aligned memory. */
  for (uintptr_t a = 1; a <= 8; a++) {
    char *p = omp_alloc(100, (omp_allocator_handle_t)a);
    HT_CHECK(p && aligned(p, sizeof(void *)), "predefined allocator %lu", (unsigned long)a);
    memset(p, 1, 100);
    omp_free(p, (omp_allocator_handle_t)a);
    p = omp_aligned_alloc(256, 10, (omp_allocator_handle_t)a);
    HT_CHECK(p && aligned(p, 256), "aligned_alloc(256) with %lu: %p", (unsigned long)a, p);
    omp_free(p, omp_null_allocator);
  }
  HT_CHECK(omp_alloc(0, omp_default_mem_alloc) == NULL, "omp_alloc(0)");
  HT_CHECK(omp_calloc(0, 8, omp_default_mem_alloc) == NULL, "omp_calloc(0, 8)");
  omp_free(NULL, omp_default_mem_alloc);

  /* calloc zeroes, also with alignment. */
  unsigned char *z = omp_aligned_calloc(64, 1000, 3, omp_default_mem_alloc);
  HT_CHECK(z && aligned(z, 64), "aligned_calloc");
  for (int i = 0; i < 3000; i++)
    HT_CHECK(z[i] == 0, "calloc byte %d = %d", i, z[i]);
  /* realloc keeps the contents, to a bigger and a smaller block. */
  for (int i = 0; i < 3000; i++)
    z[i] = (unsigned char)i;
  z = omp_realloc(z, 100000, omp_default_mem_alloc, omp_default_mem_alloc);
  HT_CHECK(z != NULL, "realloc up");
  for (int i = 0; i < 3000; i++)
    HT_CHECK(z[i] == (unsigned char)i, "realloc up lost byte %d", i);
  z = omp_realloc(z, 10, omp_null_allocator, omp_null_allocator);
  HT_CHECK(z && z[9] == 9, "realloc down");
  HT_CHECK(omp_realloc(z, 0, omp_null_allocator, omp_null_allocator) == NULL, "realloc to 0");
  z = omp_realloc(NULL, 16, omp_default_mem_alloc, omp_null_allocator);
  HT_CHECK(z != NULL, "realloc(NULL)");
  omp_free(z, omp_default_mem_alloc);

  /* An alignment trait applies to every allocation. */
  omp_alloctrait_t align_trait[] = {{omp_atk_alignment, 512}};
  omp_allocator_handle_t al = omp_init_allocator(omp_default_mem_space, 1, align_trait);
  HT_CHECK(al != omp_null_allocator, "alignment trait refused");
  void *q = omp_alloc(3, al);
  HT_CHECK(q && aligned(q, 512), "alignment trait ignored: %p", q);
  q = omp_realloc(q, 5000, al, al);
  HT_CHECK(q && aligned(q, 512), "realloc lost the alignment: %p", q);
  omp_free(q, al);

  /* Invalid traits and memory spaces give omp_null_allocator. */
  omp_alloctrait_t bad1[] = {{omp_atk_alignment, 24}};
  omp_alloctrait_t bad2[] = {{omp_atk_fallback, omp_atv_thread}};
  omp_alloctrait_t bad3[] = {{(omp_alloctrait_key_t)99, 1}};
  omp_alloctrait_t pinned[] = {{omp_atk_pinned, omp_atv_true}};
  HT_CHECK(omp_init_allocator(omp_default_mem_space, 1, bad1) == omp_null_allocator, "align 24");
  HT_CHECK(omp_init_allocator(omp_default_mem_space, 1, bad2) == omp_null_allocator, "fallback");
  HT_CHECK(omp_init_allocator(omp_default_mem_space, 1, bad3) == omp_null_allocator, "key 99");
  HT_CHECK(omp_init_allocator(omp_default_mem_space, 1, pinned) == omp_null_allocator, "pinned");
  HT_CHECK(omp_init_allocator((omp_memspace_handle_t)77, 0, NULL) == omp_null_allocator,
           "memspace 77");
  HT_CHECK(omp_init_allocator(omp_high_bw_mem_space, 0, NULL) == omp_null_allocator, "high bw");
  omp_allocator_handle_t ll = omp_init_allocator(omp_low_lat_mem_space, 0, NULL);
  HT_CHECK(ll != omp_null_allocator, "low latency space refused");
  omp_destroy_allocator(ll);

  /* A pool: null_fb gives NULL when it is exhausted, memory comes back
   * with omp_free. */
  omp_alloctrait_t pool_null[] = {{omp_atk_pool_size, 4096}, {omp_atk_fallback, omp_atv_null_fb}};
  omp_allocator_handle_t pn = omp_init_allocator(omp_default_mem_space, 2, pool_null);
  HT_CHECK(pn != omp_null_allocator, "pool allocator refused");
  HT_CHECK(omp_alloc(5000, pn) == NULL, "5000 bytes from a 4096-byte pool");
  void *blocks[64];
  int got = 0;
  while (got < 64 && (blocks[got] = omp_alloc(1000, pn)) != NULL)
    got++;
  HT_CHECK(got >= 2 && got <= 4, "%d blocks of 1000 bytes from a 4096-byte pool", got);
  omp_free(blocks[0], pn);
  blocks[0] = omp_alloc(1000, pn);
  HT_CHECK(blocks[0] != NULL, "freed pool memory not reusable");
  for (int i = 0; i < got; i++)
    omp_free(blocks[i], pn);
  /* Reallocating within the pool counts only the growth (as libgomp's
   * in-place realloc does): 3000 bytes grow to 3100 in the 4096-byte pool,
   * keeping their contents; a second block cannot then grow to 3000. */
  unsigned char *grown = omp_alloc(3000, pn);
  HT_CHECK(grown != NULL, "3000 bytes from an empty 4096-byte pool");
  for (int i = 0; i < 3000; i++)
    grown[i] = (unsigned char)(i * 7);
  grown = omp_realloc(grown, 3100, pn, pn);
  HT_CHECK(grown != NULL, "growing 3000 to 3100 bytes within a 4096-byte pool failed");
  for (int i = 0; i < 3000; i++)
    HT_CHECK(grown[i] == (unsigned char)(i * 7), "realloc in the pool lost byte %d", i);
  void *small = omp_alloc(100, pn);
  HT_CHECK(small != NULL, "100 more bytes in the pool");
  HT_CHECK(omp_realloc(small, 3000, pn, pn) == NULL, "two 3000-byte blocks in a 4096-byte pool");
  grown = omp_realloc(grown, 3100, omp_null_allocator, omp_null_allocator);
  HT_CHECK(grown != NULL, "realloc to the same size with omp_null_allocator (the block's own)");
  omp_free(small, pn);
  omp_free(grown, pn);
  HT_CHECK((blocks[0] = omp_alloc(4000, pn)) != NULL, "the pool did not get its bytes back");
  omp_free(blocks[0], pn);

  /* default_mem_fb falls back to the default allocator; allocator_fb to
   * the named one (which here is itself a pool with null_fb). */
  omp_alloctrait_t pool_def[] = {{omp_atk_pool_size, 1024}};
  omp_allocator_handle_t pd = omp_init_allocator(omp_default_mem_space, 1, pool_def);
  void *big = omp_alloc(1 << 20, pd);
  HT_CHECK(big != NULL, "default_mem_fb did not fall back");
  memset(big, 3, 1 << 20);
  omp_free(big, pd);
  omp_alloctrait_t pool_fb[] = {{omp_atk_pool_size, 1024},
                                {omp_atk_fallback, omp_atv_allocator_fb},
                                {omp_atk_fb_data, (uintptr_t)pn}};
  omp_allocator_handle_t pf = omp_init_allocator(omp_default_mem_space, 3, pool_fb);
  void *mid = omp_alloc(2000, pf); /* too big for pf, fits pn */
  HT_CHECK(mid != NULL, "allocator_fb did not use its fallback");
  HT_CHECK(omp_alloc(3000, pf) == NULL, "allocator_fb fallback's pool ignored");
  omp_free(mid, omp_null_allocator);

  /* def-allocator-var: the initial value, per task, inherited by the
   * implicit tasks of a parallel region. */
  const char *env = getenv("OMP_ALLOCATOR");
  omp_allocator_handle_t initial = omp_get_default_allocator();
  HT_CHECK(initial == (env ? omp_low_lat_mem_alloc : omp_default_mem_alloc),
           "initial default allocator %lu", (unsigned long)initial);
  omp_set_default_allocator(al);
  HT_CHECK(omp_get_default_allocator() == al, "set_default_allocator");
  void *d = omp_alloc(8, omp_null_allocator);
  HT_CHECK(d && aligned(d, 512), "omp_null_allocator did not use the default allocator");
  omp_free(d, omp_null_allocator);
  int sizes[] = {1, 2, 3, 8};
  for (int k = 0; k < 4; k++) {
    int bad = 0;
#pragma omp parallel num_threads(sizes[k]) reduction(+ : bad)
    {
      if (omp_get_default_allocator() != al)
        bad++;
      omp_set_default_allocator(omp_thread_mem_alloc); /* this task only */
      /* Many threads take blocks from one pool at once: the pool never
       * hands out more than it has. */
      for (int i = 0; i < 200; i++) {
        void *b = omp_alloc(500, pn);
        if (b) {
          memset(b, omp_get_thread_num(), 500);
          omp_free(b, pn);
        }
      }
    }
    HT_CHECK(bad == 0, "%d threads: %d did not inherit the default allocator", sizes[k], bad);
    HT_CHECK(omp_get_default_allocator() == al, "a thread's setting leaked to the master");
  }
  void *all[8];
  int n = 0;
  while (n < 8 && (all[n] = omp_alloc(1000, pn)) != NULL)
    n++;
  HT_CHECK(n == got, "after the threads the pool gives %d blocks, before %d", n, got);
  for (int i = 0; i < n; i++)
    omp_free(all[i], pn);
  omp_set_default_allocator(omp_default_mem_alloc);
  omp_destroy_allocator(pf);
  omp_destroy_allocator(pd);
  omp_destroy_allocator(pn);
  omp_destroy_allocator(al);
  omp_destroy_allocator(omp_null_allocator);
  return 0;
}
