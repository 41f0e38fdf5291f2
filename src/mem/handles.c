/* handles.c -- making the slots of a handle table (handles.h, Note
 * [Handle tables]): chunks allocated on demand, zeroed, published once
 * and never freed. */
#include "handles.h"

#include <stdlib.h>

uint32_t hsomp_handles_grow(const struct hsomp_handles *h, uint32_t n, uint32_t *first) {
  uint32_t made = atomic_load_explicit(h->made, memory_order_relaxed), count = made;
  uint64_t limit = (uint64_t)h->max_chunks << h->chunk_bits;
  for (; count - made < n && count < limit; count++) {
    if ((count & ((1u << h->chunk_bits) - 1)) == 0 &&
        !atomic_load_explicit(&h->chunks[count >> h->chunk_bits], memory_order_relaxed)) {
      void *chunk = calloc(1, ((size_t)1 << h->chunk_bits) * h->slot_size + h->chunk_extra);
      if (!chunk)
        break;
      atomic_store_explicit(&h->chunks[count >> h->chunk_bits], chunk, memory_order_release);
    }
  }
  /* Chunks first, then the count: readers check the count. */
  atomic_store_explicit(h->made, count, memory_order_release);
  *first = made;
  return count - made;
}
