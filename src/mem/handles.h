/* handles.h -- the handle table that allocators (alloc.c) and detach
 * events (task_event.c) share: slots named by a 32-bit index, in chunks
 * that are made on demand and never freed or moved, and handles that
 * carry the slot's index and its generation.
 *
 * Note [Handle tables]
 * A handle the program holds is never a pointer: it is
 *     tag bits | generation << 32 | index
 * (the tag and the generation's width are the user's), and it is live
 * while its slot holds that generation.  Any handle -- stale, made up,
 * already used -- can therefore be checked before anything it names is
 * read: the index is bounded by the slots ever made (`made'), the slot's
 * memory stays valid for the life of the process, and a reused slot has
 * moved on to another generation.  Lookups take no lock: an acquire load
 * of the chunk pointer (published with release after the chunk was
 * zeroed).  Making slots (hsomp_handles_grow) and the user's free lists
 * are under the user's lock; the first slot made has index 0.  Chunks
 * may carry a trailer of `chunk_extra' bytes after their slots, for the
 * user's own bookkeeping (task_event.c's batch stack). */
#ifndef HSOMP_HANDLES_H
#define HSOMP_HANDLES_H

#include "hsomp.h"

struct hsomp_handles {
  size_t slot_size;
  unsigned chunk_bits;          /* 2^chunk_bits slots per chunk */
  unsigned max_chunks;
  size_t chunk_extra;           /* bytes after a chunk's slots */
  void *_Atomic *chunks;        /* max_chunks entries, zero-initialised */
  _Atomic uint32_t *made;       /* slots made so far */
};

/* A table in static storage: `name' of `type' slots. */
#define HSOMP_HANDLES(name, type, bits, nchunks, extra)                          \
  static void *_Atomic name##_chunks[nchunks];                                 \
  static _Atomic uint32_t name##_made;                                         \
  static const struct hsomp_handles name = {sizeof(type), bits, nchunks, extra, \
                                            name##_chunks, &name##_made}

static inline uint32_t hsomp_handle_index(uintptr_t handle) { return (uint32_t)handle; }
static inline uint32_t hsomp_handle_generation(uintptr_t handle, uint32_t mask) {
  return (uint32_t)(handle >> 32) & mask;
}

/* The chunk holding slot `index', or NULL if it was never made. */
static inline char *hsomp_handles_chunk(const struct hsomp_handles *h, uint32_t index) {
  if ((index >> h->chunk_bits) >= h->max_chunks)
    return NULL;
  return atomic_load_explicit(&h->chunks[index >> h->chunk_bits], memory_order_acquire);
}

/* Slot `index', or NULL if it was never made. */
static inline void *hsomp_handles_slot(const struct hsomp_handles *h, uint32_t index) {
  char *chunk = hsomp_handles_chunk(h, index);
  return chunk ? chunk + (size_t)(index & ((1u << h->chunk_bits) - 1)) * h->slot_size : NULL;
}

/* The trailer of the chunk holding slot `index' (which exists). */
static inline void *hsomp_handles_extra(const struct hsomp_handles *h, uint32_t index) {
  return hsomp_handles_chunk(h, index) + ((size_t)1 << h->chunk_bits) * h->slot_size;
}

/* Whether `index' names a slot that was made (acquire: its chunk too). */
static inline bool hsomp_handles_made(const struct hsomp_handles *h, uint32_t index) {
  return index < atomic_load_explicit(h->made, memory_order_acquire);
}

/* Under the user's lock: make up to `n' more slots (zeroed), in chunks
 * as needed; returns how many were made (fewer at the table's size or
 * when memory runs out, 0 if none), the first having index *first. */
uint32_t hsomp_handles_grow(const struct hsomp_handles *h, uint32_t n, uint32_t *first)
    HSOMP_INTERNAL;

#endif
