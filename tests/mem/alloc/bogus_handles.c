/* Allocator handles that are not live allocators: small numbers, a
 * misaligned value, pointers to the stack, the heap and a static buffer
 * full of allocator-looking words, a forged handle with hsomp's tag bit,
 * a destroyed allocator's handle (also after its slot serves a new
 * allocator).  Every entry point that takes one -- omp_alloc,
 * omp_aligned_alloc, omp_calloc, omp_aligned_calloc, omp_realloc,
 * omp_destroy_allocator, omp_set_default_allocator, an allocator_fb
 * fallback given to omp_init_allocator -- warns with exactly one line and
 * gives a sane answer (NULL, omp_null_allocator, the default allocator
 * kept); then the runtime still works.  A fallback that is destroyed
 * later is refused at allocation time, and omp_free of a block whose
 * allocator was destroyed frees it silently (the asan build would see a
 * leak or a use after free).  The allocate clause with a destroyed
 * allocator warns, then fails as for memory it cannot get (status 1, in a
 * child).  libgomp dereferences such handles. */
// TEST-HSOMP-ONLY
#include "hsomp_test.h"

#include <fcntl.h>
#include <omp.h>
#include <stdint.h>

/* stderr goes to a temporary file between capture_begin and capture_end,
 * which returns the number of lines written meanwhile (the text in
 * `captured`). */
static int saved_stderr = -1, capture_fd = -1;
static char captured[4096];

static void capture_begin(void) {
  fflush(stderr);
  FILE *f = tmpfile();
  HT_CHECK(f != NULL, "tmpfile");
  capture_fd = dup(fileno(f));
  fclose(f);
  saved_stderr = dup(2);
  dup2(capture_fd, 2);
}

static int capture_end(void) {
  fflush(stderr);
  dup2(saved_stderr, 2);
  close(saved_stderr);
  lseek(capture_fd, 0, SEEK_SET);
  ht_read_all(capture_fd, captured, sizeof captured);
  close(capture_fd);
  int lines = 0;
  for (const char *p = captured; *p; p++)
    lines += *p == '\n';
  return lines;
}

/* `what` (one call with a bogus handle) must have written exactly one
 * hsomp warning line naming a dead allocator. */
#define EXPECT_ONE_WARNING(what)                                                        \
  do {                                                                                  \
    int lines_ = capture_end();                                                         \
    HT_CHECK(lines_ == 1 && strncmp(captured, "hsomp: ", 7) == 0 &&                     \
                 strstr(captured, "not a live allocator") != NULL,                      \
             "%s with %s: expected one warning line, got %d: '%s'", what, name, lines_, \
             captured);                                                                 \
  } while (0)

static uint64_t static_magic[64] __attribute__((aligned(64)));

/* Every entry point with one bogus handle. */
static void misuse(const char *name, omp_allocator_handle_t h) {
  capture_begin();
  void *p = omp_alloc(16, h);
  EXPECT_ONE_WARNING("omp_alloc");
  HT_CHECK(p == NULL, "omp_alloc with %s gave %p", name, p);

  capture_begin();
  p = omp_aligned_alloc(64, 16, h);
  EXPECT_ONE_WARNING("omp_aligned_alloc");
  HT_CHECK(p == NULL, "omp_aligned_alloc with %s gave %p", name, p);

  capture_begin();
  p = omp_calloc(2, 8, h);
  EXPECT_ONE_WARNING("omp_calloc");
  HT_CHECK(p == NULL, "omp_calloc with %s gave %p", name, p);

  capture_begin();
  p = omp_aligned_calloc(64, 2, 8, h);
  EXPECT_ONE_WARNING("omp_aligned_calloc");
  HT_CHECK(p == NULL, "omp_aligned_calloc with %s gave %p", name, p);

  capture_begin();
  p = omp_realloc(NULL, 16, h, h);
  EXPECT_ONE_WARNING("omp_realloc(NULL)");
  HT_CHECK(p == NULL, "omp_realloc(NULL) with %s gave %p", name, p);

  char *old = omp_alloc(32, omp_default_mem_alloc);
  HT_CHECK(old != NULL, "omp_alloc(32)");
  strcpy(old, "kept");
  capture_begin();
  p = omp_realloc(old, 64, h, omp_default_mem_alloc);
  EXPECT_ONE_WARNING("omp_realloc");
  HT_CHECK(p == NULL && strcmp(old, "kept") == 0, "omp_realloc with %s: %p, '%s'", name, p,
           old);
  /* The free allocator is only a hint: never read, no warning. */
  capture_begin();
  omp_free(old, h);
  HT_CHECK(capture_end() == 0, "omp_free with the hint %s warned: '%s'", name, captured);

  capture_begin();
  omp_destroy_allocator(h);
  EXPECT_ONE_WARNING("omp_destroy_allocator");

  omp_allocator_handle_t before = omp_get_default_allocator();
  capture_begin();
  omp_set_default_allocator(h);
  EXPECT_ONE_WARNING("omp_set_default_allocator");
  HT_CHECK(omp_get_default_allocator() == before, "omp_set_default_allocator(%s) took it", name);

  omp_alloctrait_t fb[] = {{omp_atk_fallback, omp_atv_allocator_fb}, {omp_atk_fb_data, (uintptr_t)h}};
  capture_begin();
  omp_allocator_handle_t a = omp_init_allocator(omp_default_mem_space, 2, fb);
  EXPECT_ONE_WARNING("an allocator_fb fallback");
  HT_CHECK(a == omp_null_allocator, "a fallback allocator %s accepted", name);

  /* Still working: the default allocator and a parallel region. */
  p = omp_alloc(100, omp_null_allocator);
  HT_CHECK(p != NULL, "omp_alloc after misuse with %s", name);
  omp_free(p, omp_null_allocator);
  int n = 0;
#pragma omp parallel num_threads(2) reduction(+ : n)
  n++;
  HT_CHECK(n == 2, "parallel region after misuse with %s: %d", name, n);
}

int main(int argc, char **argv) {
  if (argc > 1) {
    /* Child: the allocate clause with a destroyed allocator. */
    omp_allocator_handle_t gone = omp_init_allocator(omp_default_mem_space, 0, NULL);
    omp_destroy_allocator(gone);
    int x = 1;
#pragma omp parallel num_threads(1) firstprivate(x) allocate(gone : x)
    x++;
    return 0;
  }
  char out[1024];
  int st = ht_run_self("clause", NULL, NULL, out, sizeof out);
  HT_CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 1, "allocate clause: status %#x", st);
  HT_CHECK(strncmp(out, "hsomp: allocate: ", 17) == 0 && strstr(out, "not a live allocator") &&
               strstr(out, "\nlibgomp: Out of memory allocating 4 bytes\n"),
           "allocate clause with a destroyed allocator: '%s'", out);

  /* Integers and a misaligned value. */
  misuse("9", (omp_allocator_handle_t)9);
  misuse("12345", (omp_allocator_handle_t)12345);
  misuse("0x10001", (omp_allocator_handle_t)0x10001);
  misuse("UINTPTR_MAX", (omp_allocator_handle_t)UINTPTR_MAX);

  /* Aligned pointers to memory that is not an allocator. */
  uint64_t on_stack[16] __attribute__((aligned(64)));
  for (int i = 0; i < 16; i++)
    on_stack[i] = 0x6873616c6c6f6321ull; /* the magic word hsomp once trusted */
  misuse("a stack pointer", (omp_allocator_handle_t)(uintptr_t)on_stack);
  uint64_t *on_heap = calloc(64, sizeof *on_heap);
  misuse("a heap pointer", (omp_allocator_handle_t)(uintptr_t)on_heap);
  free(on_heap);
  for (int i = 0; i < 64; i++)
    static_magic[i] = 0x6873616c6c6f6321ull;
  misuse("a static buffer of magic words", (omp_allocator_handle_t)(uintptr_t)static_magic);

  /* A real handle's twin: what an allocator's handle would be with another
   * generation or slot (bit 63 is hsomp's tag). */
  omp_allocator_handle_t live = omp_init_allocator(omp_default_mem_space, 0, NULL);
  HT_CHECK(live != omp_null_allocator, "omp_init_allocator");
  uintptr_t lv = (uintptr_t)live;
  misuse("another generation", (omp_allocator_handle_t)(lv ^ ((uintptr_t)1 << 40)));
  misuse("another slot", (omp_allocator_handle_t)(lv + 1));
  misuse("a far slot", (omp_allocator_handle_t)((lv & ~(uintptr_t)0xffffffff) | 0xfffffff0));
  void *ok = omp_alloc(8, live);
  HT_CHECK(ok != NULL, "the live allocator after its twins were used");
  omp_free(ok, live);

  /* A destroyed allocator, also once its slot serves another one. */
  omp_destroy_allocator(live);
  misuse("a destroyed allocator", live);
  omp_alloctrait_t align[] = {{omp_atk_alignment, 256}};
  omp_allocator_handle_t next = omp_init_allocator(omp_default_mem_space, 1, align);
  HT_CHECK(next != omp_null_allocator && next != live, "a new allocator: %#lx (old %#lx)",
           (unsigned long)next, (unsigned long)live);
  misuse("a destroyed allocator whose slot was reused", live);
  void *q = omp_alloc(8, next);
  HT_CHECK(q && ((uintptr_t)q & 255) == 0, "the slot's new allocator: %p", q);
  omp_free(q, next);

  /* A fallback destroyed after the allocator that names it was built. */
  omp_allocator_handle_t target = omp_init_allocator(omp_default_mem_space, 0, NULL);
  omp_alloctrait_t fb[] = {{omp_atk_pool_size, 256},
                           {omp_atk_fallback, omp_atv_allocator_fb},
                           {omp_atk_fb_data, (uintptr_t)target}};
  omp_allocator_handle_t pool = omp_init_allocator(omp_default_mem_space, 3, fb);
  HT_CHECK(pool != omp_null_allocator, "pool with an allocator_fb fallback");
  void *big = omp_alloc(1000, pool);
  HT_CHECK(big != NULL, "the fallback did not serve");
  omp_free(big, pool);
  omp_destroy_allocator(target);
  const char *name = "a destroyed fallback";
  capture_begin();
  big = omp_alloc(1000, pool);
  EXPECT_ONE_WARNING("omp_alloc");
  HT_CHECK(big == NULL, "a destroyed fallback served %p", big);
  HT_CHECK(strstr(captured, "fallback allocator") != NULL, "warning: '%s'", captured);

  /* A default allocator destroyed while it is the default: NULL with a
   * warning from omp_alloc(omp_null_allocator). */
  omp_allocator_handle_t dflt = omp_init_allocator(omp_default_mem_space, 0, NULL);
  omp_set_default_allocator(dflt);
  omp_destroy_allocator(dflt);
  name = "a destroyed default allocator";
  capture_begin();
  void *d = omp_alloc(16, omp_null_allocator);
  EXPECT_ONE_WARNING("omp_alloc(omp_null_allocator)");
  HT_CHECK(d == NULL, "a destroyed default allocator served %p", d);
  omp_set_default_allocator(omp_default_mem_alloc);

  /* Blocks outliving their allocator: freed without a word, and their
   * bytes do not count in the pool of the allocator that reuses the slot. */
  omp_alloctrait_t small[] = {{omp_atk_pool_size, 4096}, {omp_atk_fallback, omp_atv_null_fb}};
  omp_allocator_handle_t doomed = omp_init_allocator(omp_default_mem_space, 2, small);
  void *orphan = omp_alloc(3000, doomed);
  char *orphan2 = omp_alloc(100, doomed);
  HT_CHECK(orphan && orphan2, "blocks from a 4096-byte pool");
  omp_destroy_allocator(doomed);
  omp_allocator_handle_t heir = omp_init_allocator(omp_default_mem_space, 2, small);
  void *h1 = omp_alloc(3000, heir);
  HT_CHECK(h1 != NULL, "a new pool in the old one's slot is full");
  capture_begin();
  omp_free(orphan, doomed);
  orphan2 = omp_realloc(orphan2, 50, omp_default_mem_alloc, doomed);
  HT_CHECK(capture_end() == 0, "freeing blocks of a destroyed allocator warned: '%s'", captured);
  HT_CHECK(orphan2 != NULL, "realloc of a block of a destroyed allocator to the default one");
  omp_free(orphan2, omp_null_allocator);
  void *h2 = omp_alloc(900, heir);
  HT_CHECK(h2 != NULL, "the orphans' bytes were taken from the new pool");
  omp_free(h2, heir);
  omp_free(h1, heir);
  h1 = omp_alloc(4000, heir);
  HT_CHECK(h1 != NULL, "the new pool did not get all its bytes back");
  omp_free(h1, heir);
  omp_destroy_allocator(heir);
  omp_destroy_allocator(pool);
  omp_destroy_allocator(next);
  return 0;
}
