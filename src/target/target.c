/* target.c -- target constructs executed on the host (the initial device).
 *
 * Owns: GOMP_target_ext and the GOMP 4.0 GOMP_target, the data constructs
 * (GOMP_target_data[_ext], GOMP_target_end_data, GOMP_target_update[_ext],
 * GOMP_target_enter_exit_data), the registration of offload images
 * (GOMP_offload_register and _unregister, both forms), OMP_TARGET_OFFLOAD=mandatory
 * checks, and the device memory routines omp_target_alloc/free/
 * is_present/memcpy/memcpy_rect/associate_ptr/disassociate_ptr.
 * (omp_get_num_devices and friends are ICV queries: icv.c.)
 *
 * hsomp has no offload devices: omp_get_num_devices() is 0 and the host
 * is device 0 (= omp_get_initial_device()).  Every target region runs on
 * the encountering thread, as libgomp's host fallback does, and mapping
 * is the identity, so the data constructs only keep their ordering
 * (depend clauses) and their diagnostics. */
#include "hsomp.h"

#include <errno.h>
#include <limits.h>
#include <omp.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* Values of GCC 12's gomp-constants.h that the compiler passes us. */
#define DEVICE_ICV (-1)            /* GOMP_DEVICE_ICV: use default-device-var */
#define DEVICE_HOST_FALLBACK (-2)  /* GOMP_DEVICE_HOST_FALLBACK: if(false) */
#define MAP_FIRSTPRIVATE 0x0c      /* GOMP_MAP_FIRSTPRIVATE */
#define TARGET_FLAG_NOWAIT 1u      /* GOMP_TARGET_FLAG_NOWAIT */
#define TARGET_ARG_DEVICE_MASK 0x7f
#define TARGET_ARG_SUBSEQUENT_PARAM 0x80
#define TARGET_ARG_ID_MASK 0xff00
#define TARGET_ARG_THREAD_LIMIT 0x200
#define TARGET_ARG_VALUE_SHIFT 16
#define OFFLOAD_VERSION 1u         /* GOMP_VERSION of libgomp 12 */
#define HOST_DEVICE 0              /* omp_get_initial_device(): no devices */
#define TARGET_OFFLOAD_MANDATORY 1 /* hsomp_settings.target_offload */


/* ------------------------------------------------------------------ */
/* Devices.                                                             */

/* libgomp's rule: with OMP_TARGET_OFFLOAD=mandatory a construct or routine
 * that names a device other than the host (by number, or through
 * default-device-var) is a fatal error; otherwise it falls back to the
 * host.  Returns true if `device` is the host itself. */
static bool check_device(int device) {
  if (device == DEVICE_ICV)
    device = hsomp_icv()->default_device_var;
  if (device == HOST_DEVICE)
    return true;
  if (hsomp_settings.target_offload == TARGET_OFFLOAD_MANDATORY && device != DEVICE_HOST_FALLBACK)
    hsomp_gomp_exit("OMP_TARGET_OFFLOAD is set to MANDATORY, but device not found");
  return false;
}

/* ------------------------------------------------------------------ */
/* Running a target region on the host.                                 */

/* Note [A target region is a new initial thread]
 * A target region runs in a fresh data environment: its initial task has
 * the device's initial ICVs (not the encountering task's: a program's
 * omp_set_num_threads does not reach into target regions, as in
 * libgomp), no enclosing team (omp_get_level() == 0 even when the target
 * construct sits inside a parallel region), and a league of one team
 * until a teams construct inside says otherwise.  The encountering
 * thread's state is saved and restored around the region.  A parallel
 * region inside it is a nested team of this thread, so it takes its
 * workers from the part of the thread's pool above the ones its outer
 * team uses (Note on nested regions in hsomp_team_begin). */
static void run_region(void (*fn)(void *), void **hostaddrs, unsigned thread_limit) {
  struct hsomp_thread *self = hsomp_self();
  struct hsomp_team_state outer_ts = self->ts;
  struct hsomp_icv outer_icv = self->icv;
  self->ts = (struct hsomp_team_state){0};
  self->icv = hsomp_initial_icv;
  if (thread_limit)
    self->icv.thread_limit_var = thread_limit;
  fn(hostaddrs);
  self->ts = outer_ts;
  self->icv = outer_icv;
}

/* The thread_limit clause's value among GOMP_target_ext's args (0: none). */
static unsigned thread_limit_arg(void **args) {
  if (!args)
    return 0;
  while (*args) {
    intptr_t id = (intptr_t)*args++;
    intptr_t value;
    if (id & TARGET_ARG_SUBSEQUENT_PARAM)
      value = (intptr_t)*args++;
    else
      value = id >> TARGET_ARG_VALUE_SHIFT;
    if ((id & TARGET_ARG_DEVICE_MASK) != 0 || (id & TARGET_ARG_ID_MASK) != TARGET_ARG_THREAD_LIMIT)
      continue;
    return value > 0 ? (value > INT_MAX ? INT_MAX : (unsigned)value) : 0;
  }
  return 0;
}

/* Firstprivate variables are copied when the construct is encountered;
 * the region sees the copies.  Where the copies go is described by a
 * layout computed once: the copy of variable i lives at offset[i] of a
 * block aligned to `align` (offset SIZE_MAX: not firstprivate). */
struct fp_layout {
  size_t size;
  size_t align;
};

static struct fp_layout firstprivate_layout(size_t mapnum, void **hostaddrs, size_t *sizes,
                                            unsigned short *kinds, size_t *offset) {
  struct fp_layout l = {0, 1};
  for (size_t i = 0; i < mapnum; i++) {
    offset[i] = SIZE_MAX;
    if ((kinds[i] & 0xff) != MAP_FIRSTPRIVATE || hostaddrs[i] == NULL)
      continue;
    size_t align = (size_t)1 << (kinds[i] >> 8);
    if (align > l.align)
      l.align = align;
    l.size = (l.size + align - 1) & ~(align - 1);
    offset[i] = l.size;
    l.size += sizes[i];
  }
  return l;
}

static void copy_firstprivates(char *block, size_t mapnum, void **hostaddrs, size_t *sizes,
                               const size_t *offset) {
  for (size_t i = 0; i < mapnum; i++)
    if (offset[i] != SIZE_MAX)
      memcpy(block + offset[i], hostaddrs[i], sizes[i]);
}

static void point_at_copies(char *block, size_t mapnum, void **hostaddrs, const size_t *offset) {
  for (size_t i = 0; i < mapnum; i++)
    if (offset[i] != SIZE_MAX)
      hostaddrs[i] = block + offset[i];
}

/* A deferred target task (`nowait`) carries everything in one block that
 * GOMP_task copies: this header, hostaddrs[mapnum], offset[mapnum], then
 * the firstprivate copies at `copies`.  The pointers to the copies are
 * made when the task runs, in the task's own copy of the block. */
struct target_task {
  void (*fn)(void *);
  size_t mapnum;
  unsigned thread_limit;
  size_t copies;                 /* offset of the firstprivate copies */
};

static void run_target_task(void *arg) {
  struct target_task *t = arg;
  void **hostaddrs = (void **)(t + 1);
  size_t *offset = (size_t *)(hostaddrs + t->mapnum);
  point_at_copies((char *)t + t->copies, t->mapnum, hostaddrs, offset);
  run_region(t->fn, hostaddrs, t->thread_limit);
}

static void defer_target(void (*fn)(void *), size_t mapnum, void **hostaddrs, size_t *sizes,
                         unsigned short *kinds, void **depend, unsigned thread_limit) {
  size_t head = sizeof(struct target_task) + mapnum * (sizeof(void *) + sizeof(size_t));
  size_t *offset = malloc(mapnum * sizeof *offset + 1);
  if (!offset)
    hsomp_fatal("out of memory starting a target task");
  struct fp_layout fp = firstprivate_layout(mapnum, hostaddrs, sizes, kinds, offset);
  size_t align = fp.align > _Alignof(struct target_task) ? fp.align : _Alignof(struct target_task);
  size_t copies = (head + fp.align - 1) & ~(fp.align - 1);
  size_t total = copies + fp.size;
  char *block = aligned_alloc(align, (total + align - 1) & ~(align - 1));
  if (!block)
    hsomp_fatal("out of memory starting a target task (%zu bytes)", total);
  struct target_task *t = (struct target_task *)block;
  *t = (struct target_task){fn, mapnum, thread_limit, copies};
  memcpy(t + 1, hostaddrs, mapnum * sizeof(void *));
  memcpy((char *)(t + 1) + mapnum * sizeof(void *), offset, mapnum * sizeof(size_t));
  copy_firstprivates(block + copies, mapnum, hostaddrs, sizes, offset);
  free(offset);
  GOMP_task(run_target_task, block, NULL, (long)total, (long)align, true,
            depend ? GOMP_TASK_FLAG_DEPEND : 0, depend, 0, NULL);
  free(block);
}

/* Wait for the sibling tasks a non-deferred construct's depend clause
 * names (the construct then runs as an included task). */
static void wait_for_dependences(void **depend) {
  if (depend)
    GOMP_taskwait_depend(depend);
}

void GOMP_target_ext(int device, void (*fn)(void *), size_t mapnum, void **hostaddrs,
                     size_t *sizes, unsigned short *kinds, unsigned flags, void **depend,
                     void **args) {
  check_device(device);
  unsigned thread_limit = thread_limit_arg(args);
  if (flags & TARGET_FLAG_NOWAIT) {
    defer_target(fn, mapnum, hostaddrs, sizes, kinds, depend, thread_limit);
    return;
  }
  wait_for_dependences(depend);
  /* The region gets its own copy of hostaddrs: the firstprivate entries
   * point at copies made here, on this frame. */
  size_t small_offsets[16];
  void *small_addrs[16];
  size_t *offset = mapnum <= 16 ? small_offsets : malloc(mapnum * sizeof *offset);
  void **addrs = mapnum <= 16 ? small_addrs : malloc(mapnum * sizeof *addrs);
  if (!offset || !addrs)
    hsomp_fatal("out of memory starting a target region with %zu map entries", mapnum);
  if (mapnum)
    memcpy(addrs, hostaddrs, mapnum * sizeof *addrs);
  struct fp_layout fp = firstprivate_layout(mapnum, hostaddrs, sizes, kinds, offset);
  char *block = NULL;
  if (fp.size) {
    block = aligned_alloc(fp.align, (fp.size + fp.align - 1) & ~(fp.align - 1));
    if (!block)
      hsomp_fatal("out of memory copying %zu bytes of firstprivate data", fp.size);
    copy_firstprivates(block, mapnum, hostaddrs, sizes, offset);
    point_at_copies(block, mapnum, addrs, offset);
  }
  run_region(fn, addrs, thread_limit);
  free(block);
  if (offset != small_offsets)
    free(offset);
  if (addrs != small_addrs)
    free(addrs);
}

/* The GOMP 4.0 form: no firstprivate, no flags, no clauses. */
void GOMP_target(int device, void (*fn)(void *), const void *unused, size_t mapnum,
                 void **hostaddrs, size_t *sizes, unsigned char *kinds) {
  (void)unused, (void)mapnum, (void)sizes, (void)kinds;
  check_device(device);
  run_region(fn, hostaddrs, 0);
}

/* ------------------------------------------------------------------ */
/* Data constructs: the host's memory is the device's memory.           */

void GOMP_target_data_ext(int device, size_t mapnum, void **hostaddrs, size_t *sizes,
                          unsigned short *kinds) {
  (void)mapnum, (void)hostaddrs, (void)sizes, (void)kinds;
  check_device(device);
}

void GOMP_target_data(int device, const void *unused, size_t mapnum, void **hostaddrs,
                      size_t *sizes, unsigned char *kinds) {
  (void)unused, (void)mapnum, (void)hostaddrs, (void)sizes, (void)kinds;
  check_device(device);
}

void GOMP_target_end_data(void) {}

static void no_transfer(void *arg) { (void)arg; }

/* update and enter/exit data move nothing on the host, but with depend
 * clauses they still take part in the task graph: deferred (nowait), as
 * an empty task that orders its predecessors before its successors;
 * otherwise by waiting for the predecessors. */
static void data_motion(int device, unsigned flags, void **depend) {
  check_device(device);
  if (!depend)
    return;
  if (flags & TARGET_FLAG_NOWAIT)
    GOMP_task(no_transfer, NULL, NULL, 0, 1, true, GOMP_TASK_FLAG_DEPEND, depend, 0, NULL);
  else
    wait_for_dependences(depend);
}

void GOMP_target_update_ext(int device, size_t mapnum, void **hostaddrs, size_t *sizes,
                            unsigned short *kinds, unsigned flags, void **depend) {
  (void)mapnum, (void)hostaddrs, (void)sizes, (void)kinds;
  data_motion(device, flags, depend);
}

void GOMP_target_update(int device, const void *unused, size_t mapnum, void **hostaddrs,
                        size_t *sizes, unsigned char *kinds) {
  (void)unused, (void)mapnum, (void)hostaddrs, (void)sizes, (void)kinds;
  check_device(device);
}

void GOMP_target_enter_exit_data(int device, size_t mapnum, void **hostaddrs, size_t *sizes,
                                 unsigned short *kinds, unsigned flags, void **depend) {
  (void)mapnum, (void)hostaddrs, (void)sizes, (void)kinds;
  data_motion(device, flags, depend);
}

/* ------------------------------------------------------------------ */
/* Offload images.                                                      */

/* A program built with an offload compiler registers one image per
 * device kind from its constructors, and unregisters it from its
 * destructors (unregistering an unknown image is ignored, as in libgomp).
 * hsomp has no device that could load them; it checks the version (an
 * image for a newer plugin interface is an error, as in libgomp) and
 * keeps the list, which says what a device would have to load. */
struct offload_image {
  const void *host_table;
  int target_type;
  const void *target_data;
};
static pthread_mutex_t images_lock = PTHREAD_MUTEX_INITIALIZER;
static struct offload_image *images;
static size_t nimages, images_cap;

void GOMP_offload_register_ver(unsigned version, const void *host_table, int target_type,
                               const void *target_data) {
  if ((version >> 16) > OFFLOAD_VERSION)
    hsomp_gomp_exit("Library too old for offload (version %u < %u)", OFFLOAD_VERSION,
                     version >> 16);
  pthread_mutex_lock(&images_lock);
  if (nimages == images_cap) {
    size_t cap = images_cap ? 2 * images_cap : 4;
    struct offload_image *p = realloc(images, cap * sizeof *p);
    if (!p)
      hsomp_fatal("out of memory registering an offload image");
    images = p;
    images_cap = cap;
  }
  images[nimages++] = (struct offload_image){host_table, target_type, target_data};
  pthread_mutex_unlock(&images_lock);
}

void GOMP_offload_register(const void *host_table, int target_type, const void *target_data) {
  GOMP_offload_register_ver(0, host_table, target_type, target_data);
}

void GOMP_offload_unregister_ver(unsigned version, const void *host_table, int target_type,
                                 const void *target_data) {
  (void)version, (void)target_data;
  pthread_mutex_lock(&images_lock);
  size_t i = 0;
  while (i < nimages && !(images[i].host_table == host_table && images[i].target_type == target_type))
    i++;
  if (i < nimages)
    images[i] = images[--nimages];
  pthread_mutex_unlock(&images_lock);
}

void GOMP_offload_unregister(const void *host_table, int target_type, const void *target_data) {
  GOMP_offload_unregister_ver(0, host_table, target_type, target_data);
}

/* After fork() in the child (fork.c). */
void hsomp_target_after_fork(void) { pthread_mutex_init(&images_lock, NULL); }

/* ------------------------------------------------------------------ */
/* Device memory routines.  Device numbers other than the host's name no
 * device: allocation gives NULL, copies EINVAL, presence 0. */

void *omp_target_alloc(size_t size, int device_num) {
  if (device_num == HOST_DEVICE)
    return malloc(size);
  if (device_num >= 0)
    check_device(device_num);
  return NULL;
}

void omp_target_free(void *device_ptr, int device_num) {
  if (device_ptr == NULL)
    return;
  if (device_num == HOST_DEVICE) {
    free(device_ptr);
    return;
  }
  if (device_num >= 0)
    check_device(device_num);
}

int omp_target_is_present(const void *ptr, int device_num) {
  if (ptr == NULL || device_num == HOST_DEVICE)
    return 1;
  if (device_num >= 0)
    check_device(device_num);
  return 0;
}

/* True if both devices are the host (the only copies hsomp can do). */
static bool host_to_host(int dst_device, int src_device) {
  bool ok = true;
  if (dst_device != HOST_DEVICE) {
    if (dst_device >= 0)
      check_device(dst_device);
    ok = false;
  }
  if (src_device != HOST_DEVICE) {
    if (src_device >= 0)
      check_device(src_device);
    ok = false;
  }
  return ok;
}

int omp_target_memcpy(void *dst, const void *src, size_t length, size_t dst_offset,
                      size_t src_offset, int dst_device_num, int src_device_num) {
  if (!host_to_host(dst_device_num, src_device_num))
    return EINVAL;
  if (length)
    memmove((char *)dst + dst_offset, (const char *)src + src_offset, length);
  return 0;
}

/* One dimension after another: the sub-volume at dst/src, `dims` deep. */
static int copy_rect(char *dst, const char *src, size_t element_size, int dims,
                     const size_t *volume, const size_t *dst_offsets, const size_t *src_offsets,
                     const size_t *dst_dimensions, const size_t *src_dimensions) {
  size_t dst_stride = element_size, src_stride = element_size;
  for (int d = 1; d < dims; d++)
    if (__builtin_mul_overflow(dst_stride, dst_dimensions[d], &dst_stride) ||
        __builtin_mul_overflow(src_stride, src_dimensions[d], &src_stride))
      return EINVAL;
  size_t dst_off, src_off;
  if (__builtin_mul_overflow(dst_stride, dst_offsets[0], &dst_off) ||
      __builtin_mul_overflow(src_stride, src_offsets[0], &src_off))
    return EINVAL;
  if (dims == 1) {
    size_t length;
    if (__builtin_mul_overflow(element_size, volume[0], &length))
      return EINVAL;
    if (length)
      memmove(dst + dst_off, src + src_off, length);
    return 0;
  }
  for (size_t i = 0; i < volume[0]; i++) {
    int rc = copy_rect(dst + dst_off + i * dst_stride, src + src_off + i * src_stride,
                       element_size, dims - 1, volume + 1, dst_offsets + 1, src_offsets + 1,
                       dst_dimensions + 1, src_dimensions + 1);
    if (rc)
      return rc;
  }
  return 0;
}

int omp_target_memcpy_rect(void *dst, const void *src, size_t element_size, int num_dims,
                           const size_t *volume, const size_t *dst_offsets,
                           const size_t *src_offsets, const size_t *dst_dimensions,
                           const size_t *src_dimensions, int dst_device_num,
                           int src_device_num) {
  if (dst == NULL && src == NULL)
    return INT_MAX; /* the number of dimensions supported */
  if (!host_to_host(dst_device_num, src_device_num))
    return EINVAL;
  if (dst == NULL || src == NULL || num_dims < 1 || !volume || !dst_offsets || !src_offsets ||
      !dst_dimensions || !src_dimensions)
    return EINVAL;
  return copy_rect(dst, src, element_size, num_dims, volume, dst_offsets, src_offsets,
                   dst_dimensions, src_dimensions);
}

/* Associating host memory with device memory needs a device. */
int omp_target_associate_ptr(const void *host_ptr, const void *device_ptr, size_t size,
                             size_t device_offset, int device_num) {
  (void)host_ptr, (void)device_ptr, (void)size, (void)device_offset;
  if (device_num >= 0 && device_num != HOST_DEVICE)
    check_device(device_num);
  return EINVAL;
}

int omp_target_disassociate_ptr(const void *ptr, int device_num) {
  (void)ptr;
  if (device_num >= 0 && device_num != HOST_DEVICE)
    check_device(device_num);
  return EINVAL;
}
