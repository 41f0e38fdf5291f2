/* fortran_hostabi.c -- the Fortran entry points (omp_*_ and omp_*_8_, as
 * gfortran's omp_lib calls them) of teams, places and affinity, the
 * affinity format, pause and allocators.  The rest of the Fortran API is
 * in fortran.c.
 *
 * gfortran passes every argument by reference, integers as int32_t (or
 * int64_t in the _8_ forms, clamped into int here) and character
 * arguments as a pointer plus a hidden size_t length at the end of the
 * argument list; Fortran strings are not NUL-terminated and are padded
 * with blanks on output. */
#include "hsomp.h"

#include <limits.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#define TO_INT(x) ((x) < INT_MIN ? INT_MIN : (x) > INT_MAX ? INT_MAX : (int)(x))

void hsomp_get_place_proc_ids_8(int place_num, int64_t *ids) HSOMP_INTERNAL;
void hsomp_get_partition_place_nums_8(int64_t *place_nums) HSOMP_INTERNAL;

/* Teams. */
void omp_set_num_teams_(const int32_t *n) { omp_set_num_teams(*n); }
void omp_set_num_teams_8_(const int64_t *n) { omp_set_num_teams(TO_INT(*n)); }
int32_t omp_get_max_teams_(void) { return omp_get_max_teams(); }
int32_t omp_get_num_teams_(void) { return omp_get_num_teams(); }
int32_t omp_get_team_num_(void) { return omp_get_team_num(); }
void omp_set_teams_thread_limit_(const int32_t *n) { omp_set_teams_thread_limit(*n); }
void omp_set_teams_thread_limit_8_(const int64_t *n) { omp_set_teams_thread_limit(TO_INT(*n)); }
int32_t omp_get_teams_thread_limit_(void) { return omp_get_teams_thread_limit(); }

/* Places. */
int32_t omp_get_num_places_(void) { return omp_get_num_places(); }
int32_t omp_get_place_num_procs_(const int32_t *place) { return omp_get_place_num_procs(*place); }
int32_t omp_get_place_num_procs_8_(const int64_t *place) {
  return omp_get_place_num_procs(TO_INT(*place));
}
void omp_get_place_proc_ids_(const int32_t *place, int32_t *ids) {
  omp_get_place_proc_ids(*place, (int *)ids);
}
void omp_get_place_proc_ids_8_(const int64_t *place, int64_t *ids) {
  hsomp_get_place_proc_ids_8(TO_INT(*place), ids);
}
int32_t omp_get_place_num_(void) { return omp_get_place_num(); }
int32_t omp_get_partition_num_places_(void) { return omp_get_partition_num_places(); }
void omp_get_partition_place_nums_(int32_t *nums) { omp_get_partition_place_nums((int *)nums); }
void omp_get_partition_place_nums_8_(int64_t *nums) { hsomp_get_partition_place_nums_8(nums); }

/* The affinity format.  A Fortran string becomes a C string (NULL: no
 * memory, already reported). */
static char *c_string(const char *s, size_t len) {
  char *c = malloc(len + 1);
  if (!c) {
    hsomp_warn("out of memory converting a Fortran string of %zu characters", len);
    return NULL;
  }
  memcpy(c, s, len);
  c[len] = '\0';
  return c;
}

/* Copies a C string into a blank-padded Fortran buffer. */
static void to_fortran(char *buffer, size_t buffer_len, const char *s, size_t len) {
  if (len >= buffer_len) {
    memcpy(buffer, s, buffer_len);
  } else {
    memcpy(buffer, s, len);
    memset(buffer + len, ' ', buffer_len - len);
  }
}

void omp_set_affinity_format_(const char *format, size_t format_len) {
  char *c = c_string(format, format_len);
  if (c)
    omp_set_affinity_format(c);
  free(c);
}

int32_t omp_get_affinity_format_(char *buffer, size_t buffer_len) {
  size_t len = omp_get_affinity_format(NULL, 0);
  char *c = malloc(len + 1);
  if (!c) {
    hsomp_warn("omp_get_affinity_format: out of memory");
    return 0;
  }
  omp_get_affinity_format(c, len + 1);
  to_fortran(buffer, buffer_len, c, len);
  free(c);
  return (int32_t)len;
}

/* An empty (or all-blank: Fortran's "") format means affinity-format-var,
 * as for a NULL or "" format in C. */
void omp_display_affinity_(const char *format, size_t format_len) {
  char *c = c_string(format, format_len);
  if (c)
    omp_display_affinity(c);
  free(c);
}

int32_t omp_capture_affinity_(char *buffer, const char *format, size_t buffer_len,
                              size_t format_len) {
  char *c = c_string(format, format_len);
  if (!c)
    return 0;
  size_t len = omp_capture_affinity(NULL, 0, c);
  char *out = malloc(len + 1);
  if (out) {
    omp_capture_affinity(out, len + 1, c);
    to_fortran(buffer, buffer_len, out, len);
  }
  free(out);
  free(c);
  return (int32_t)len;
}

/* Pause. */
int32_t omp_pause_resource_(const int32_t *kind, const int32_t *device_num) {
  return omp_pause_resource((omp_pause_resource_t)*kind, *device_num);
}
int32_t omp_pause_resource_all_(const int32_t *kind) {
  return omp_pause_resource_all((omp_pause_resource_t)*kind);
}

/* Allocators (the trait type has the C layout: c_int key, c_intptr_t
 * value). */
intptr_t omp_init_allocator_(const intptr_t *memspace, const int32_t *ntraits,
                             const omp_alloctrait_t *traits) {
  return (intptr_t)omp_init_allocator((omp_memspace_handle_t)*memspace, *ntraits, traits);
}
intptr_t omp_init_allocator_8_(const intptr_t *memspace, const int64_t *ntraits,
                               const omp_alloctrait_t *traits) {
  return (intptr_t)omp_init_allocator((omp_memspace_handle_t)*memspace, TO_INT(*ntraits), traits);
}
void omp_destroy_allocator_(const intptr_t *allocator) {
  omp_destroy_allocator((omp_allocator_handle_t)*allocator);
}
void omp_set_default_allocator_(const intptr_t *allocator) {
  omp_set_default_allocator((omp_allocator_handle_t)*allocator);
}
intptr_t omp_get_default_allocator_(void) { return (intptr_t)omp_get_default_allocator(); }
