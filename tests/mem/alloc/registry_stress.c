/* Threads building, using and destroying allocators at once: every thread
 * makes allocators with its own alignment, a small pool and (every third)
 * an allocator_fb fallback to one shared pooled allocator, fills them,
 * checks its blocks kept their contents and alignment, makes one its
 * default allocator for a while, frees everything and destroys them -- so
 * registry slots are reused all the time under the others' lookups.  The
 * shared pool must end with all its bytes back.  On hsomp a second phase
 * has threads use handles just destroyed (their own and other threads'),
 * racing with the reuse of those slots: each use gives NULL and one
 * warning line, and blocks freed after their allocator was destroyed are
 * freed without one. */
// TEST-ENV: OMP_NUM_THREADS=4
// TEST-ENV: OMP_NUM_THREADS=8
// TEST-TIMEOUT: 120
#include "hsomp_test.h"

#include <omp.h>
#include <stdatomic.h>
#include <stdint.h>

#define ROUNDS 1500
#define MAX_BLOCKS 12
#define BLOCK 1000

static omp_allocator_handle_t shared_pool;

static int shared_pool_capacity(void) {
  void *b[64];
  int n = 0;
  while (n < 64 && (b[n] = omp_alloc(BLOCK, shared_pool)) != NULL)
    n++;
  for (int i = 0; i < n; i++)
    omp_free(b[i], shared_pool);
  return n;
}

static void one_round(int tid, int round) {
  size_t alignment = (size_t)16 << ((tid + round) % 6);
  omp_alloctrait_t traits[] = {{omp_atk_alignment, alignment},
                               {omp_atk_pool_size, 8192},
                               {omp_atk_fallback, omp_atv_null_fb},
                               {omp_atk_fb_data, (uintptr_t)shared_pool}};
  if (round % 3 == 0)
    traits[2].value = omp_atv_allocator_fb;
  omp_allocator_handle_t a = omp_init_allocator(omp_default_mem_space, 4, traits);
  if (a == omp_null_allocator) {
    HT_FAIL("thread %d round %d: omp_init_allocator failed", tid, round);
    return;
  }
  /* Blocks the fallback serves have the shared pool's alignment. */
  size_t promised = round % 3 == 0 ? 16 : alignment;
  unsigned char *blocks[MAX_BLOCKS];
  int n = 0;
  while (n < MAX_BLOCKS && (blocks[n] = omp_alloc(BLOCK, a)) != NULL) {
    if ((uintptr_t)blocks[n] % promised != 0)
      HT_FAIL("thread %d: block %p not aligned to %zu", tid, (void *)blocks[n], promised);
    memset(blocks[n], (tid * 31 + round + n) & 0xff, BLOCK);
    n++;
  }
  if (n < 4) /* 8192 bytes: at least 5 blocks of 1000 aligned to 512 */
    HT_FAIL("thread %d round %d: only %d blocks of %d from an 8192-byte pool", tid, round, n,
            BLOCK);
  if (round % 5 == 0) {
    omp_set_default_allocator(a);
    void *d = omp_alloc(8, omp_null_allocator);
    if (d && (uintptr_t)d % promised != 0)
      HT_FAIL("thread %d: the default allocator's alignment lost", tid);
    omp_free(d, omp_null_allocator);
    omp_set_default_allocator(omp_default_mem_alloc);
  }
  for (int i = 0; i < n; i++) {
    for (int k = 0; k < BLOCK; k += 97)
      if (blocks[i][k] != ((tid * 31 + round + i) & 0xff)) {
        HT_FAIL("thread %d round %d: block %d byte %d overwritten", tid, round, i, k);
        break;
      }
    omp_free(blocks[i], a);
  }
  omp_destroy_allocator(a);
}

/* hsomp only: handles of destroyed allocators, used while other threads
 * reuse their slots. */
#define STALE_RING 64
static _Atomic uintptr_t stale[STALE_RING];

static int stale_uses(int tid) {
  int uses = 0;
  for (int round = 0; round < ROUNDS; round++) {
    omp_allocator_handle_t a = omp_init_allocator(omp_default_mem_space, 0, NULL);
    void *orphan = omp_alloc(64, a);
    omp_destroy_allocator(a);
    omp_free(orphan, a); /* its allocator is gone: freed without a word */
    atomic_store(&stale[(tid * 7 + round) % STALE_RING], (uintptr_t)a);
    uintptr_t other = atomic_load(&stale[(tid * 13 + round * 5) % STALE_RING]);
    omp_allocator_handle_t victims[2] = {a, (omp_allocator_handle_t)other};
    for (int v = 0; v < 2; v++) {
      if (victims[v] == omp_null_allocator)
        continue;
      void *p = omp_alloc(16, victims[v]);
      uses++;
      if (p) {
        HT_FAIL("thread %d: a destroyed allocator %#lx served %p", tid,
                (unsigned long)victims[v], p);
        omp_free(p, omp_null_allocator);
      }
    }
  }
  return uses;
}

int main(void) {
  omp_alloctrait_t pool[] = {{omp_atk_pool_size, 64 * 1024},
                             {omp_atk_fallback, omp_atv_null_fb},
                             {omp_atk_alignment, 16}};
  shared_pool = omp_init_allocator(omp_default_mem_space, 3, pool);
  HT_CHECK(shared_pool != omp_null_allocator, "the shared pool");
  int capacity = shared_pool_capacity();
  HT_CHECK(capacity >= 50, "the shared pool holds %d blocks", capacity);

#pragma omp parallel
  {
    int tid = omp_get_thread_num();
    for (int round = 0; round < ROUNDS; round++)
      one_round(tid, round);
  }
  HT_CHECK(ht_failures == 0, "%d failures", ht_failures);
  HT_CHECK(shared_pool_capacity() == capacity, "the shared pool lost bytes: %d blocks, was %d",
           shared_pool_capacity(), capacity);

  if (ht_expect_hsomp()) {
    fflush(stderr);
    FILE *log = tmpfile();
    HT_CHECK(log != NULL, "tmpfile");
    int saved = dup(2);
    dup2(fileno(log), 2);
    int uses = 0;
#pragma omp parallel reduction(+ : uses)
    uses += stale_uses(omp_get_thread_num());
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    rewind(log);
    char line[512];
    int lines = 0, other = 0;
    while (fgets(line, sizeof line, log)) {
      lines++;
      if (!strstr(line, "is not a live allocator"))
        other++;
    }
    fclose(log);
    HT_CHECK(ht_failures == 0, "%d failures with destroyed handles", ht_failures);
    HT_CHECK(lines == uses && other == 0,
             "%d uses of destroyed handles gave %d warning lines, %d of them others", uses, lines,
             other);
  }
  omp_destroy_allocator(shared_pool);
  return 0;
}
