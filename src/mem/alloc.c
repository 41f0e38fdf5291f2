/* alloc.c -- OpenMP memory allocators (OpenMP 5.1, 2.13 and 3.13).
 *
 * Owns: omp_init_allocator / omp_destroy_allocator with their traits,
 * omp_alloc, omp_aligned_alloc, omp_calloc, omp_aligned_calloc,
 * omp_realloc, omp_free, GOMP_alloc / GOMP_free (what GCC emits for the
 * `allocate` clause and directive), and the def-allocator-var ICV
 * (omp_set/get_default_allocator; OMP_ALLOCATOR gives the process default,
 * see env.c), and the registry of live allocators that checks every user
 * allocator handle before it is used (Note [The allocator registry]).
 *
 * As in libgomp 12 every memory space is ordinary process memory: the
 * predefined allocators all allocate with malloc, and the allocators a
 * program builds differ in alignment, pool size (a cap on the bytes
 * outstanding) and fallback.  The high-bandwidth memory space and pinned
 * memory are not available (omp_init_allocator returns
 * omp_null_allocator for them, as libgomp 12 does without memkind). */
#include "handles.h"

#include <omp.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define LAST_PREDEFINED_ALLOCATOR ((uintptr_t)omp_thread_mem_alloc)
#define BLOCK_MAGIC 0x68736f6d70626c6bull      /* "hsompblk" */
/* How many allocator_fb hops one allocation may take before we assume the
 * fallback allocators form a cycle. */
#define MAX_FALLBACK_HOPS 64

/* An allocator a program built with omp_init_allocator.  It lives in a
 * slot of the registry; the program only ever holds its handle. */
struct allocator {
  omp_memspace_handle_t memspace;
  size_t alignment;              /* at least sizeof(void *) */
  uintptr_t pool_size;           /* UINTPTR_MAX: unlimited */
  _Atomic uintptr_t pool_used;   /* bytes of live blocks, headers included */
  uintptr_t fb_data;             /* the allocator_fb allocator */
  int fallback, sync_hint, access, partition;
};

/* Every block starts with this header, right before the pointer the
 * program gets; the block itself may start earlier (alignment padding). */
struct block_header {
  void *base;                    /* what malloc returned */
  size_t size;                   /* bytes malloc'ed (pool accounting) */
  uintptr_t allocator;           /* the handle of the allocator that made it */
  uint64_t magic;                /* BLOCK_MAGIC */
};

/* ------------------------------------------------------------------ */
/* The registry of live allocators.                                     */

/* Note [The allocator registry]
 * A user allocator handle is not a pointer: it names a slot of the
 * registry and the slot's generation,
 *     bit 63 set | generation (31 bits, never 0) << 32 | slot index,
 * and it is live while the slot holds exactly that handle.  So a handle
 * is checked before anything it names is read, and a bogus one -- a small
 * number, a pointer to the stack, the heap or a static buffer (user-space
 * pointers never have bit 63 set), a destroyed allocator's handle even
 * after its slot was reused (the generation moved on) -- is refused with
 * a warning, never dereferenced.
 *
 * The slots live in a handle table (Note [Handle tables], handles.h):
 * chunks that are never freed or moved, so a reader may look at any slot
 * at any time.  The read path (every allocation, free and fallback hop)
 * takes no lock: an acquire load of the chunk pointer, an acquire load of
 * the slot's handle, a compare.
 * omp_init_allocator and omp_destroy_allocator write under registry_lock
 * (they are rare): init fills the slot's fields, then publishes the handle
 * with a release store, so a thread that reads that handle from the slot
 * also sees the fields; destroy stores 0 into the handle, bumps the
 * generation and pushes the slot on the free list.  Writers never race
 * one another, so no bogus or repeated destroy can corrupt the registry
 * (a second destroy of a handle finds the slot no longer holding it).
 *
 * What is left is a program that destroys an allocator while another
 * thread is still using it, which OpenMP does not allow: that thread,
 * past its check, may read the fields of a slot being reused, but the
 * memory stays valid (slots are never freed), so even this cannot crash
 * the runtime.  And a handle destroyed 2^31 reuses of its slot ago would
 * look live again. */
#define HANDLE_TAG ((uintptr_t)1 << 63)
#define MAX_GENERATION 0x7fffffffu

_Static_assert(sizeof(uintptr_t) == 8, "allocator handles need 64-bit pointers");

struct allocator_slot {
  _Atomic uintptr_t handle; /* the live handle naming this slot; 0: free */
  struct allocator a;
  uint32_t generation;      /* of the slot's next handle (writers only) */
  uint32_t next_free;       /* free list: next slot index + 1 (writers only) */
};

/* 256 slots per chunk, at most 2^20 live allocators. */
HSOMP_HANDLES(allocator_slots, struct allocator_slot, 8, 4096, 0);
static pthread_mutex_t registry_lock = PTHREAD_MUTEX_INITIALIZER;
static uint32_t free_slots;      /* head of the free list: index + 1; 0: empty */

/* The slot a handle names, or NULL.  Lock-free; see the Note.  Inlined:
 * every allocation and free looks a handle up. */
static inline __attribute__((always_inline)) struct allocator_slot *slot_of(uintptr_t handle) {
  if (!(handle & HANDLE_TAG))
    return NULL;
  return hsomp_handles_slot(&allocator_slots, hsomp_handle_index(handle));
}

/* The allocator a user handle names if it is live (one omp_init_allocator
 * returned and nobody destroyed), else NULL. */
static inline __attribute__((always_inline)) struct allocator *live_allocator(uintptr_t handle) {
  struct allocator_slot *s = slot_of(handle);
  if (!s || atomic_load_explicit(&s->handle, memory_order_acquire) != handle)
    return NULL;
  return &s->a;
}

static bool is_predefined(uintptr_t handle) {
  return handle >= 1 && handle <= LAST_PREDEFINED_ALLOCATOR;
}

/* Registers a copy of `a`; its handle, or 0 when the registry is full. */
static uintptr_t register_allocator(const struct allocator *a) {
  pthread_mutex_lock(&registry_lock);
  uint32_t index;
  struct allocator_slot *s;
  if (free_slots) {
    index = free_slots - 1;
    s = slot_of(HANDLE_TAG | index);
    free_slots = s->next_free;
  } else {
    if (!hsomp_handles_grow(&allocator_slots, 1, &index)) {
      pthread_mutex_unlock(&registry_lock);
      return 0; /* full, or out of memory */
    }
    s = slot_of(HANDLE_TAG | index);
    s->generation = 1;
  }
  s->a = *a; /* no thread reads the fields before the handle is published */
  atomic_store_explicit(&s->a.pool_used, 0, memory_order_relaxed);
  uintptr_t handle = HANDLE_TAG | (uintptr_t)s->generation << 32 | index;
  atomic_store_explicit(&s->handle, handle, memory_order_release);
  pthread_mutex_unlock(&registry_lock);
  return handle;
}

/* Retires a user handle; false if it was not live. */
static bool unregister_allocator(uintptr_t handle) {
  pthread_mutex_lock(&registry_lock);
  struct allocator_slot *s = slot_of(handle);
  bool live = s && atomic_load_explicit(&s->handle, memory_order_relaxed) == handle;
  if (live) {
    atomic_store_explicit(&s->handle, 0, memory_order_release);
    s->generation = s->generation % MAX_GENERATION + 1;
    s->next_free = free_slots;
    free_slots = (uint32_t)handle + 1;
  }
  pthread_mutex_unlock(&registry_lock);
  return live;
}

/* A fork() while another thread registers must not leave the child with
 * the lock held or the free list half-updated (fork.c calls these). */
void hsomp_alloc_before_fork(void) { pthread_mutex_lock(&registry_lock); }
void hsomp_alloc_after_fork(void) { pthread_mutex_unlock(&registry_lock); }

/* ------------------------------------------------------------------ */
/* Building and destroying allocators.                                  */

/* One trait; false if the key or value is not one OpenMP 5.1 allows. */
static bool apply_trait(struct allocator *a, omp_alloctrait_t trait) {
  uintptr_t v = trait.value;
  bool is_default = v == (uintptr_t)omp_atv_default;
  switch (trait.key) {
  case omp_atk_sync_hint:
    if (is_default)
      v = omp_atv_contended;
    if (v != omp_atv_contended && v != omp_atv_uncontended && v != omp_atv_serialized &&
        v != omp_atv_private)
      return false;
    a->sync_hint = (int)v;
    return true;
  case omp_atk_alignment:
    if (is_default)
      v = 1;
    if (v == 0 || (v & (v - 1)) != 0)
      return false;
    a->alignment = v;
    return true;
  case omp_atk_access:
    if (is_default)
      v = omp_atv_all;
    if (v != omp_atv_all && v != omp_atv_cgroup && v != omp_atv_pteam && v != omp_atv_thread)
      return false;
    a->access = (int)v;
    return true;
  case omp_atk_pool_size:
    a->pool_size = is_default ? UINTPTR_MAX : v;
    return true;
  case omp_atk_fallback:
    if (is_default)
      v = omp_atv_default_mem_fb;
    if (v != omp_atv_default_mem_fb && v != omp_atv_null_fb && v != omp_atv_abort_fb &&
        v != omp_atv_allocator_fb)
      return false;
    a->fallback = (int)v;
    return true;
  case omp_atk_fb_data:
    a->fb_data = v;
    return true;
  case omp_atk_pinned:
    /* Pinned memory is not available: asking for it fails like an
     * invalid value (libgomp 12 returns omp_null_allocator too). */
    return is_default || v == omp_atv_false;
  case omp_atk_partition:
    if (is_default)
      v = omp_atv_environment;
    if (v != omp_atv_environment && v != omp_atv_nearest && v != omp_atv_blocked &&
        v != omp_atv_interleaved)
      return false;
    a->partition = (int)v;
    return true;
  }
  return false;
}

omp_allocator_handle_t omp_init_allocator(omp_memspace_handle_t memspace, int ntraits,
                                          const omp_alloctrait_t traits[]) {
  if ((uintptr_t)memspace > (uintptr_t)omp_low_lat_mem_space ||
      memspace == omp_high_bw_mem_space)
    return omp_null_allocator;
  if (ntraits > 0 && traits == NULL) {
    hsomp_warn("omp_init_allocator: %d traits but no trait array", ntraits);
    return omp_null_allocator;
  }
  struct allocator a = {
      .memspace = memspace,
      .alignment = 1,
      .pool_size = UINTPTR_MAX,
      .fallback = omp_atv_default_mem_fb,
      .sync_hint = omp_atv_contended,
      .access = omp_atv_all,
      .partition = omp_atv_environment,
  };
  for (int i = 0; i < ntraits; i++)
    if (!apply_trait(&a, traits[i]))
      return omp_null_allocator;
  if (a.alignment < sizeof(void *))
    a.alignment = sizeof(void *);
  /* A fallback allocator must exist when this one is built (it may still
   * be destroyed later: every fallback hop checks it again). */
  if (a.fallback == omp_atv_allocator_fb && a.fb_data != 0 && !is_predefined(a.fb_data) &&
      !live_allocator(a.fb_data)) {
    hsomp_warn("omp_init_allocator: fallback allocator %#lx is not a live allocator",
               (unsigned long)a.fb_data);
    return omp_null_allocator;
  }
  uintptr_t handle = register_allocator(&a);
  if (!handle)
    hsomp_warn("omp_init_allocator: out of memory or more than %u live allocators",
               allocator_slots.max_chunks << allocator_slots.chunk_bits);
  return (omp_allocator_handle_t)handle;
}

void omp_destroy_allocator(omp_allocator_handle_t handle) {
  uintptr_t h = (uintptr_t)handle;
  if (h <= LAST_PREDEFINED_ALLOCATOR)
    return; /* omp_null_allocator and the predefined ones: nothing to do */
  if (!unregister_allocator(h))
    hsomp_warn("omp_destroy_allocator: %#lx is not a live allocator (never returned by "
               "omp_init_allocator, or destroyed already)",
               (unsigned long)h);
}

/* ------------------------------------------------------------------ */
/* def-allocator-var.                                                   */

static uintptr_t default_allocator(void) {
  uintptr_t a = hsomp_icv()->def_allocator;
  if (a == 0)
    a = hsomp_settings.default_allocator;
  return a ? a : (uintptr_t)omp_default_mem_alloc;
}

void omp_set_default_allocator(omp_allocator_handle_t allocator) {
  uintptr_t h = (uintptr_t)allocator;
  if (h > LAST_PREDEFINED_ALLOCATOR && !live_allocator(h)) {
    hsomp_warn("omp_set_default_allocator: %#lx is not a live allocator; the default "
               "allocator stays as it was",
               (unsigned long)h);
    return;
  }
  hsomp_icv()->def_allocator = h;
}

omp_allocator_handle_t omp_get_default_allocator(void) {
  return (omp_allocator_handle_t)default_allocator();
}

/* ------------------------------------------------------------------ */
/* Allocation.                                                          */

/* Reserve `bytes` of the pool, of which `credit` (bytes of a live block
 * of this allocator that omp_realloc is about to free) are already
 * counted; see Note [Reallocating within a pool]. */
static bool pool_reserve(struct allocator *a, size_t bytes, size_t credit) {
  if (!a || a->pool_size == UINTPTR_MAX)
    return true;
  uintptr_t used = atomic_load_explicit(&a->pool_used, memory_order_relaxed);
  uintptr_t want;
  do {
    if (__builtin_add_overflow(used - credit, bytes, &want) || want > a->pool_size)
      return false;
  } while (!atomic_compare_exchange_weak_explicit(&a->pool_used, &used, want,
                                                  memory_order_relaxed, memory_order_relaxed));
  return true;
}

/* Give back what pool_reserve(a, bytes, credit) took (modular arithmetic:
 * credit may exceed bytes). */
static void pool_release(struct allocator *a, size_t bytes, size_t credit) {
  if (a && a->pool_size != UINTPTR_MAX)
    atomic_fetch_add_explicit(&a->pool_used, credit - bytes, memory_order_relaxed);
}

/* One attempt with one allocator (`handle`, and `a` the live allocator it
 * names, NULL for a predefined one): a block of `size` bytes aligned to
 * `alignment` (a power of two), or NULL. */
static void *allocate_once(uintptr_t handle, struct allocator *a, size_t alignment, size_t size,
                           bool zero, size_t credit) {
  if (a && a->alignment > alignment)
    alignment = a->alignment;
  if (alignment < sizeof(void *))
    alignment = sizeof(void *);
  size_t bytes;
  /* No malloc serves more than PTRDIFF_MAX bytes; do not ask (a sanitizer's
   * malloc would abort rather than return NULL). */
  if (__builtin_add_overflow(size, sizeof(struct block_header) + alignment - 1, &bytes) ||
      bytes > PTRDIFF_MAX)
    return NULL;
  if (!pool_reserve(a, bytes, credit))
    return NULL;
  void *base = zero ? calloc(1, bytes) : malloc(bytes);
  if (!base) {
    pool_release(a, bytes, credit);
    return NULL;
  }
  uintptr_t user = ((uintptr_t)base + sizeof(struct block_header) + alignment - 1) &
                   ~(uintptr_t)(alignment - 1);
  struct block_header *h = (struct block_header *)user - 1;
  h->base = base;
  h->size = bytes;
  h->allocator = handle;
  h->magic = BLOCK_MAGIC;
  return (void *)user;
}

/* Note [Allocator fallbacks]
 * When an allocator cannot serve a request (its pool is exhausted, or
 * malloc fails) its fallback trait decides: default_mem_fb retries with
 * omp_default_mem_alloc (keeping the requested alignment), null_fb gives
 * NULL, abort_fb ends the program, allocator_fb retries with the fb_data
 * allocator -- which may itself fall back, so a chain is followed, and a
 * cycle of allocator_fb allocators is cut after MAX_FALLBACK_HOPS.  The
 * predefined allocators fall back to nothing: NULL. */
static void *allocate_credited(size_t alignment, size_t nmemb, size_t size, uintptr_t handle,
                               bool zero, const char *who, uintptr_t credit_handle,
                               size_t credit) {
  if (size == 0 || nmemb == 0)
    return NULL;
  if (alignment == 0 || (alignment & (alignment - 1)) != 0) {
    hsomp_warn("%s: alignment %zu is not a power of two", who, alignment);
    return NULL;
  }
  size_t total;
  bool too_big = __builtin_mul_overflow(nmemb, size, &total);
  if (handle == 0)
    handle = default_allocator();
  for (int hops = 0; hops < MAX_FALLBACK_HOPS; hops++) {
    struct allocator *a = NULL;
    if (!is_predefined(handle) && !(a = live_allocator(handle))) {
      hsomp_warn("%s: %s%#lx is not a live allocator (never returned by omp_init_allocator, "
                 "or destroyed)",
                 who, hops ? "fallback allocator " : "", (unsigned long)handle);
      return NULL;
    }
    void *p = too_big ? NULL
                      : allocate_once(handle, a, alignment, total, zero,
                                      handle == credit_handle ? credit : 0);
    if (p || !a)
      return p;
    switch (a->fallback) {
    case omp_atv_null_fb:
      return NULL;
    case omp_atv_abort_fb:
      /* libgomp's words and exit status (the product wraps as there). */
      hsomp_gomp_exit("Out of memory allocating %lu bytes", (unsigned long)(nmemb * size));
    case omp_atv_allocator_fb:
      handle = a->fb_data;
      if (handle == 0)
        return NULL;
      break;
    default: /* omp_atv_default_mem_fb */
      handle = (uintptr_t)omp_default_mem_alloc;
      break;
    }
  }
  hsomp_warn("%s: the allocator_fb fallbacks form a cycle", who);
  return NULL;
}

static void *allocate(size_t alignment, size_t nmemb, size_t size, uintptr_t handle, bool zero,
                      const char *who) {
  return allocate_credited(alignment, nmemb, size, handle, zero, who, 0, 0);
}

void *omp_aligned_alloc(size_t alignment, size_t size, omp_allocator_handle_t allocator) {
  return allocate(alignment, 1, size, (uintptr_t)allocator, false, "omp_aligned_alloc");
}

void *omp_alloc(size_t size, omp_allocator_handle_t allocator) {
  return allocate(1, 1, size, (uintptr_t)allocator, false, "omp_alloc");
}

void *omp_aligned_calloc(size_t alignment, size_t nmemb, size_t size,
                         omp_allocator_handle_t allocator) {
  return allocate(alignment, nmemb, size, (uintptr_t)allocator, true, "omp_aligned_calloc");
}

void *omp_calloc(size_t nmemb, size_t size, omp_allocator_handle_t allocator) {
  return allocate(1, nmemb, size, (uintptr_t)allocator, true, "omp_calloc");
}

/* The header of a block omp_alloc made, or NULL (with a warning) if `ptr`
 * does not look like one. */
static struct block_header *block_of(void *ptr, const char *who) {
  struct block_header *h = (struct block_header *)ptr - 1;
  if (h->magic != BLOCK_MAGIC) {
    hsomp_warn("%s: %p was not allocated by an OpenMP allocator (or was freed already)", who, ptr);
    return NULL;
  }
  return h;
}

/* Free a block; `counted` says whether its bytes still count in its
 * allocator's pool (not when a reallocation took them over).
 *
 * Note [Freeing a block of a dead allocator]
 * A block records its allocator's handle.  When that allocator was
 * destroyed before the block was freed (OpenMP leaves this unspecified;
 * libgomp writes into the freed allocator), the block is still ours --
 * the header's magic says so -- and its memory came from malloc, so it is
 * freed without a word; only the pool accounting is skipped, since the
 * pool is gone (and its slot may already serve a new allocator, which
 * the handle's generation tells apart).  The allocator argument of
 * omp_free is a hint and is never read. */
static void release_block(struct block_header *h, bool counted) {
  struct allocator *a = live_allocator(h->allocator);
  void *base = h->base;
  size_t size = h->size;
  h->magic = 0;
  if (counted)
    pool_release(a, size, 0);
  free(base);
}

/* The allocator argument is only a hint: every block knows its allocator. */
void omp_free(void *ptr, omp_allocator_handle_t allocator) {
  (void)allocator;
  if (!ptr)
    return;
  struct block_header *h = block_of(ptr, "omp_free");
  if (h)
    release_block(h, true);
}

void *omp_realloc(void *ptr, size_t size, omp_allocator_handle_t allocator,
                  omp_allocator_handle_t free_allocator) {
  (void)free_allocator; /* the block knows which allocator made it */
  if (!ptr)
    return allocate(1, 1, size, (uintptr_t)allocator, false, "omp_realloc");
  struct block_header *h = block_of(ptr, "omp_realloc");
  if (!h)
    return NULL;
  if (size == 0) {
    release_block(h, true);
    return NULL;
  }
  /* Note [Reallocating within a pool]
   * The new block comes from `allocator`, or from the old block's
   * allocator when that is omp_null_allocator; it only keeps the alignment
   * its allocator guarantees.  When it comes from the old block's own
   * allocator, the old block's bytes count towards the new one: like
   * libgomp's in-place realloc, growing 3071 bytes to 3072 in a 4096-byte
   * pool succeeds (only the difference is reserved), although the two
   * blocks briefly coexist here.  On failure the old block stays
   * untouched. */
  uintptr_t handle = allocator ? (uintptr_t)allocator : h->allocator;
  void *fresh =
      allocate_credited(1, 1, size, handle, false, "omp_realloc", h->allocator, h->size);
  if (!fresh)
    return NULL;
  size_t old_size = h->size - (size_t)((char *)ptr - (char *)h->base);
  memcpy(fresh, ptr, old_size < size ? old_size : size);
  bool taken_over = ((struct block_header *)fresh - 1)->allocator == h->allocator;
  release_block(h, !taken_over);
  return fresh;
}

/* The `allocate` clause and directive.  OpenMP says allocations arising
 * from them treat a null_fb fallback like abort_fb: failure is fatal. */
void *GOMP_alloc(size_t alignment, size_t size, uintptr_t allocator) {
  void *p = allocate(alignment, 1, size, allocator, false, "allocate");
  if (!p && size)
    hsomp_gomp_exit("Out of memory allocating %lu bytes", (unsigned long)size);
  return p;
}

void GOMP_free(void *ptr, uintptr_t allocator) { omp_free(ptr, (omp_allocator_handle_t)allocator); }
