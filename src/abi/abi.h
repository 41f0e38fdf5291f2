/* abi.h -- a prototype for every symbol libhsomp.so exports (libgomp's
 * libgomp_g.h is the model): the GOMP_* entry points GCC's code calls,
 * the Fortran entry points (omp_*_, omp_*_8_), hsomp's own extensions
 * (include/hsomp_ext.h, installed), and the implementations that symbol
 * versions export under other names.  The C API (omp_*) is GCC's omp.h.
 * One section per defining file.  The build compiles src/ with
 * -Wmissing-prototypes, so an exported function without a prototype here
 * is a warning, and a prototype that does not match its definition an
 * error. */
#ifndef HSOMP_ABI_H
#define HSOMP_ABI_H

#include <omp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hsomp_ext.h" /* include/, on the include path */

/* GOMP_task / GOMP_taskloop flags (GCC's gomp-constants.h). */
#define GOMP_TASK_FLAG_UNTIED (1u << 0)
#define GOMP_TASK_FLAG_FINAL (1u << 1)
#define GOMP_TASK_FLAG_MERGEABLE (1u << 2)
#define GOMP_TASK_FLAG_DEPEND (1u << 3)
#define GOMP_TASK_FLAG_PRIORITY (1u << 4)
#define GOMP_TASK_FLAG_UP (1u << 8)
#define GOMP_TASK_FLAG_GRAINSIZE (1u << 9)
#define GOMP_TASK_FLAG_IF (1u << 10)
#define GOMP_TASK_FLAG_NOGROUP (1u << 11)
#define GOMP_TASK_FLAG_REDUCTION (1u << 12)
#define GOMP_TASK_FLAG_DETACH (1u << 13)
#define GOMP_TASK_FLAG_STRICT (1u << 14)

/* Kinds in an omp_depend_t (depobj); 5 is OpenMP 5.1's inoutset, which
 * GCC 12 cannot express yet but later compilers store. */
#define GOMP_DEPEND_IN 1
#define GOMP_DEPEND_OUT 2
#define GOMP_DEPEND_INOUT 3
#define GOMP_DEPEND_MUTEXINOUTSET 4
#define GOMP_DEPEND_INOUTSET 5

/* GOMP_cancel / GOMP_cancellation_point `which'. */
#define GOMP_CANCEL_PARALLEL 1
#define GOMP_CANCEL_LOOP 2
#define GOMP_CANCEL_SECTIONS 4
#define GOMP_CANCEL_TASKGROUP 8

/* alloc.c */
void *GOMP_alloc(size_t alignment, size_t size, uintptr_t allocator);
void GOMP_free(void *ptr, uintptr_t allocator);

/* barrier.c */
void GOMP_barrier(void);
bool GOMP_barrier_cancel(void);

/* cancel.c */
bool GOMP_cancel(int which, bool do_cancel);
bool GOMP_cancellation_point(int which);

/* critical.c */
void GOMP_atomic_end(void);
void GOMP_atomic_start(void);
void GOMP_critical_end(void);
void GOMP_critical_name_end(void **pptr);
void GOMP_critical_name_start(void **pptr);
void GOMP_critical_start(void);

/* doacross.c */
void GOMP_doacross_post(long *counts);
void GOMP_doacross_ull_post(unsigned long long *counts);
void GOMP_doacross_ull_wait(unsigned long long first, ...);
void GOMP_doacross_wait(long first, ...);

/* error.c */
void GOMP_error(const char *msg, size_t msglen);
void GOMP_warning(const char *msg, size_t msglen);

/* fortran.c */
int32_t omp_capture_affinity_(char *buffer, const char *format, size_t buffer_len, size_t format_len);
void omp_destroy_allocator_(const intptr_t *allocator);
void omp_display_affinity_(const char *format, size_t format_len);
void omp_display_env_(const int32_t *verbose);
void omp_display_env_8_(const int64_t *verbose);
void omp_fulfill_event_(uintptr_t handle);
int32_t omp_get_active_level_(void);
int32_t omp_get_affinity_format_(char *buffer, size_t buffer_len);
int32_t omp_get_ancestor_thread_num_(const int32_t *level);
int32_t omp_get_ancestor_thread_num_8_(const int64_t *level);
int32_t omp_get_cancellation_(void);
intptr_t omp_get_default_allocator_(void);
int32_t omp_get_default_device_(void);
int32_t omp_get_device_num_(void);
int32_t omp_get_dynamic_(void);
int32_t omp_get_initial_device_(void);
int32_t omp_get_level_(void);
int32_t omp_get_max_active_levels_(void);
int32_t omp_get_max_task_priority_(void);
int32_t omp_get_max_teams_(void);
int32_t omp_get_max_threads_(void);
int32_t omp_get_nested_(void);
int32_t omp_get_num_devices_(void);
int32_t omp_get_num_places_(void);
int32_t omp_get_num_procs_(void);
int32_t omp_get_num_teams_(void);
int32_t omp_get_num_threads_(void);
int32_t omp_get_partition_num_places_(void);
void omp_get_partition_place_nums_(int32_t *nums);
void omp_get_partition_place_nums_8_(int64_t *nums);
int32_t omp_get_place_num_(void);
int32_t omp_get_place_num_procs_(const int32_t *place);
int32_t omp_get_place_num_procs_8_(const int64_t *place);
void omp_get_place_proc_ids_(const int32_t *place, int32_t *ids);
void omp_get_place_proc_ids_8_(const int64_t *place, int64_t *ids);
int32_t omp_get_proc_bind_(void);
void omp_get_schedule_(int32_t *kind, int32_t *chunk);
void omp_get_schedule_8_(int32_t *kind, int64_t *chunk);
int32_t omp_get_supported_active_levels_(void);
int32_t omp_get_team_num_(void);
int32_t omp_get_team_size_(const int32_t *level);
int32_t omp_get_team_size_8_(const int64_t *level);
int32_t omp_get_teams_thread_limit_(void);
int32_t omp_get_thread_limit_(void);
int32_t omp_get_thread_num_(void);
double omp_get_wtick_(void);
double omp_get_wtime_(void);
int32_t omp_in_final_(void);
int32_t omp_in_parallel_(void);
intptr_t omp_init_allocator_(const intptr_t *memspace, const int32_t *ntraits, const omp_alloctrait_t *traits);
intptr_t omp_init_allocator_8_(const intptr_t *memspace, const int64_t *ntraits, const omp_alloctrait_t *traits);
int32_t omp_is_initial_device_(void);
int32_t omp_pause_resource_(const int32_t *kind, const int32_t *device_num);
int32_t omp_pause_resource_all_(const int32_t *kind);
void omp_set_affinity_format_(const char *format, size_t format_len);
void omp_set_default_allocator_(const intptr_t *allocator);
void omp_set_default_device_(const int32_t *device);
void omp_set_default_device_8_(const int64_t *device);
void omp_set_dynamic_(const int32_t *dynamic);
void omp_set_dynamic_8_(const int64_t *dynamic);
void omp_set_max_active_levels_(const int32_t *levels);
void omp_set_max_active_levels_8_(const int64_t *levels);
void omp_set_nested_(const int32_t *nested);
void omp_set_nested_8_(const int64_t *nested);
void omp_set_num_teams_(const int32_t *n);
void omp_set_num_teams_8_(const int64_t *n);
void omp_set_num_threads_(const int32_t *n);
void omp_set_num_threads_8_(const int64_t *n);
void omp_set_schedule_(const int32_t *kind, const int32_t *chunk);
void omp_set_schedule_8_(const int32_t *kind, const int64_t *chunk);
void omp_set_teams_thread_limit_(const int32_t *n);
void omp_set_teams_thread_limit_8_(const int64_t *n);

/* loop.c */
bool GOMP_loop_doacross_dynamic_start(unsigned ncounts, long *counts, long chunk, long *istart, long *iend);
bool GOMP_loop_doacross_guided_start(unsigned ncounts, long *counts, long chunk, long *istart, long *iend);
bool GOMP_loop_doacross_runtime_start(unsigned ncounts, long *counts, long *istart, long *iend);
bool GOMP_loop_doacross_start(unsigned ncounts, long *counts, long sched, long chunk, long *istart, long *iend, uintptr_t *reductions, void **mem);
bool GOMP_loop_doacross_static_start(unsigned ncounts, long *counts, long chunk, long *istart, long *iend);
bool GOMP_loop_dynamic_next(long *istart, long *iend);
bool GOMP_loop_dynamic_start(long s, long e, long incr, long chunk, long *istart, long *iend);
void GOMP_loop_end(void);
bool GOMP_loop_end_cancel(void);
void GOMP_loop_end_nowait(void);
bool GOMP_loop_guided_next(long *istart, long *iend);
bool GOMP_loop_guided_start(long s, long e, long incr, long chunk, long *istart, long *iend);
bool GOMP_loop_maybe_nonmonotonic_runtime_next(long *istart, long *iend);
bool GOMP_loop_maybe_nonmonotonic_runtime_start(long s, long e, long incr, long *istart, long *iend);
bool GOMP_loop_nonmonotonic_dynamic_next(long *istart, long *iend);
bool GOMP_loop_nonmonotonic_dynamic_start(long s, long e, long incr, long chunk, long *istart, long *iend);
bool GOMP_loop_nonmonotonic_guided_next(long *istart, long *iend);
bool GOMP_loop_nonmonotonic_guided_start(long s, long e, long incr, long chunk, long *istart, long *iend);
bool GOMP_loop_nonmonotonic_runtime_next(long *istart, long *iend);
bool GOMP_loop_nonmonotonic_runtime_start(long s, long e, long incr, long *istart, long *iend);
bool GOMP_loop_ordered_dynamic_next(long *istart, long *iend);
bool GOMP_loop_ordered_dynamic_start(long s, long e, long incr, long chunk, long *istart, long *iend);
bool GOMP_loop_ordered_guided_next(long *istart, long *iend);
bool GOMP_loop_ordered_guided_start(long s, long e, long incr, long chunk, long *istart, long *iend);
bool GOMP_loop_ordered_runtime_next(long *istart, long *iend);
bool GOMP_loop_ordered_runtime_start(long s, long e, long incr, long *istart, long *iend);
bool GOMP_loop_ordered_start(long s, long e, long incr, long sched, long chunk, long *istart, long *iend, uintptr_t *reductions, void **mem);
bool GOMP_loop_ordered_static_next(long *istart, long *iend);
bool GOMP_loop_ordered_static_start(long s, long e, long incr, long chunk, long *istart, long *iend);
bool GOMP_loop_runtime_next(long *istart, long *iend);
bool GOMP_loop_runtime_start(long s, long e, long incr, long *istart, long *iend);
bool GOMP_loop_start(long s, long e, long incr, long sched, long chunk, long *istart, long *iend, uintptr_t *reductions, void **mem);
bool GOMP_loop_static_next(long *istart, long *iend);
bool GOMP_loop_static_start(long s, long e, long incr, long chunk, long *istart, long *iend);
void GOMP_parallel_loop_dynamic(void (*fn)(void *), void *data, unsigned num_threads, long s, long e, long incr, long chunk, unsigned flags);
void GOMP_parallel_loop_dynamic_start(void (*fn)(void *), void *data, unsigned num_threads, long s, long e, long incr, long chunk);
void GOMP_parallel_loop_guided(void (*fn)(void *), void *data, unsigned num_threads, long s, long e, long incr, long chunk, unsigned flags);
void GOMP_parallel_loop_guided_start(void (*fn)(void *), void *data, unsigned num_threads, long s, long e, long incr, long chunk);
void GOMP_parallel_loop_maybe_nonmonotonic_runtime(void (*fn)(void *), void *data, unsigned num_threads, long s, long e, long incr, unsigned flags);
void GOMP_parallel_loop_nonmonotonic_dynamic(void (*fn)(void *), void *data, unsigned num_threads, long s, long e, long incr, long chunk, unsigned flags);
void GOMP_parallel_loop_nonmonotonic_guided(void (*fn)(void *), void *data, unsigned num_threads, long s, long e, long incr, long chunk, unsigned flags);
void GOMP_parallel_loop_nonmonotonic_runtime(void (*fn)(void *), void *data, unsigned num_threads, long s, long e, long incr, unsigned flags);
void GOMP_parallel_loop_runtime(void (*fn)(void *), void *data, unsigned num_threads, long s, long e, long incr, unsigned flags);
void GOMP_parallel_loop_runtime_start(void (*fn)(void *), void *data, unsigned num_threads, long s, long e, long incr);
void GOMP_parallel_loop_static(void (*fn)(void *), void *data, unsigned num_threads, long s, long e, long incr, long chunk, unsigned flags);
void GOMP_parallel_loop_static_start(void (*fn)(void *), void *data, unsigned num_threads, long s, long e, long incr, long chunk);

/* loop_ull.c */
bool GOMP_loop_ull_doacross_dynamic_start(unsigned ncounts, unsigned long long *counts, unsigned long long chunk, unsigned long long *istart, unsigned long long *iend);
bool GOMP_loop_ull_doacross_guided_start(unsigned ncounts, unsigned long long *counts, unsigned long long chunk, unsigned long long *istart, unsigned long long *iend);
bool GOMP_loop_ull_doacross_runtime_start(unsigned ncounts, unsigned long long *counts, unsigned long long *istart, unsigned long long *iend);
bool GOMP_loop_ull_doacross_start(unsigned ncounts, unsigned long long *counts, long sched, unsigned long long chunk, unsigned long long *istart, unsigned long long *iend, uintptr_t *reductions, void **mem);
bool GOMP_loop_ull_doacross_static_start(unsigned ncounts, unsigned long long *counts, unsigned long long chunk, unsigned long long *istart, unsigned long long *iend);
bool GOMP_loop_ull_dynamic_next(unsigned long long *istart, unsigned long long *iend);
bool GOMP_loop_ull_dynamic_start(bool up, unsigned long long s, unsigned long long e, unsigned long long incr, unsigned long long chunk, unsigned long long *istart, unsigned long long *iend);
bool GOMP_loop_ull_guided_next(unsigned long long *istart, unsigned long long *iend);
bool GOMP_loop_ull_guided_start(bool up, unsigned long long s, unsigned long long e, unsigned long long incr, unsigned long long chunk, unsigned long long *istart, unsigned long long *iend);
bool GOMP_loop_ull_maybe_nonmonotonic_runtime_next(unsigned long long *istart, unsigned long long *iend);
bool GOMP_loop_ull_maybe_nonmonotonic_runtime_start(bool up, unsigned long long s, unsigned long long e, unsigned long long incr, unsigned long long *istart, unsigned long long *iend);
bool GOMP_loop_ull_nonmonotonic_dynamic_next(unsigned long long *istart, unsigned long long *iend);
bool GOMP_loop_ull_nonmonotonic_dynamic_start(bool up, unsigned long long s, unsigned long long e, unsigned long long incr, unsigned long long chunk, unsigned long long *istart, unsigned long long *iend);
bool GOMP_loop_ull_nonmonotonic_guided_next(unsigned long long *istart, unsigned long long *iend);
bool GOMP_loop_ull_nonmonotonic_guided_start(bool up, unsigned long long s, unsigned long long e, unsigned long long incr, unsigned long long chunk, unsigned long long *istart, unsigned long long *iend);
bool GOMP_loop_ull_nonmonotonic_runtime_next(unsigned long long *istart, unsigned long long *iend);
bool GOMP_loop_ull_nonmonotonic_runtime_start(bool up, unsigned long long s, unsigned long long e, unsigned long long incr, unsigned long long *istart, unsigned long long *iend);
bool GOMP_loop_ull_ordered_dynamic_next(unsigned long long *istart, unsigned long long *iend);
bool GOMP_loop_ull_ordered_dynamic_start(bool up, unsigned long long s, unsigned long long e, unsigned long long incr, unsigned long long chunk, unsigned long long *istart, unsigned long long *iend);
bool GOMP_loop_ull_ordered_guided_next(unsigned long long *istart, unsigned long long *iend);
bool GOMP_loop_ull_ordered_guided_start(bool up, unsigned long long s, unsigned long long e, unsigned long long incr, unsigned long long chunk, unsigned long long *istart, unsigned long long *iend);
bool GOMP_loop_ull_ordered_runtime_next(unsigned long long *istart, unsigned long long *iend);
bool GOMP_loop_ull_ordered_runtime_start(bool up, unsigned long long s, unsigned long long e, unsigned long long incr, unsigned long long *istart, unsigned long long *iend);
bool GOMP_loop_ull_ordered_start(bool up, unsigned long long s, unsigned long long e, unsigned long long incr, long sched, unsigned long long chunk, unsigned long long *istart, unsigned long long *iend, uintptr_t *reductions, void **mem);
bool GOMP_loop_ull_ordered_static_next(unsigned long long *istart, unsigned long long *iend);
bool GOMP_loop_ull_ordered_static_start(bool up, unsigned long long s, unsigned long long e, unsigned long long incr, unsigned long long chunk, unsigned long long *istart, unsigned long long *iend);
bool GOMP_loop_ull_runtime_next(unsigned long long *istart, unsigned long long *iend);
bool GOMP_loop_ull_runtime_start(bool up, unsigned long long s, unsigned long long e, unsigned long long incr, unsigned long long *istart, unsigned long long *iend);
bool GOMP_loop_ull_start(bool up, unsigned long long s, unsigned long long e, unsigned long long incr, long sched, unsigned long long chunk, unsigned long long *istart, unsigned long long *iend, uintptr_t *reductions, void **mem);
bool GOMP_loop_ull_static_next(unsigned long long *istart, unsigned long long *iend);
bool GOMP_loop_ull_static_start(bool up, unsigned long long s, unsigned long long e, unsigned long long incr, unsigned long long chunk, unsigned long long *istart, unsigned long long *iend);

/* ordered.c */
void GOMP_ordered_end(void);
void GOMP_ordered_start(void);

/* scope.c */
void GOMP_scope_start(uintptr_t *reductions);

/* sections.c */
void GOMP_parallel_sections(void (*fn)(void *), void *data, unsigned num_threads, unsigned count, unsigned flags);
void GOMP_parallel_sections_start(void (*fn)(void *), void *data, unsigned num_threads, unsigned count);
unsigned GOMP_sections2_start(unsigned count, uintptr_t *reductions, void **mem);
void GOMP_sections_end(void);
bool GOMP_sections_end_cancel(void);
void GOMP_sections_end_nowait(void);
unsigned GOMP_sections_next(void);
unsigned GOMP_sections_start(unsigned count);

/* single.c */
void GOMP_single_copy_end(void *data);
void *GOMP_single_copy_start(void);
bool GOMP_single_start(void);

/* target.c */
void GOMP_offload_register(const void *host_table, int target_type, const void *target_data);
void GOMP_offload_register_ver(unsigned version, const void *host_table, int target_type, const void *target_data);
void GOMP_offload_unregister(const void *host_table, int target_type, const void *target_data);
void GOMP_offload_unregister_ver(unsigned version, const void *host_table, int target_type, const void *target_data);
void GOMP_target(int device, void (*fn)(void *), const void *unused, size_t mapnum, void **hostaddrs, size_t *sizes, unsigned char *kinds);
void GOMP_target_data(int device, const void *unused, size_t mapnum, void **hostaddrs, size_t *sizes, unsigned char *kinds);
void GOMP_target_data_ext(int device, size_t mapnum, void **hostaddrs, size_t *sizes, unsigned short *kinds);
void GOMP_target_end_data(void);
void GOMP_target_enter_exit_data(int device, size_t mapnum, void **hostaddrs, size_t *sizes, unsigned short *kinds, unsigned flags, void **depend);
void GOMP_target_ext(int device, void (*fn)(void *), size_t mapnum, void **hostaddrs, size_t *sizes, unsigned short *kinds, unsigned flags, void **depend, void **args);
void GOMP_target_update(int device, const void *unused, size_t mapnum, void **hostaddrs, size_t *sizes, unsigned char *kinds);
void GOMP_target_update_ext(int device, size_t mapnum, void **hostaddrs, size_t *sizes, unsigned short *kinds, unsigned flags, void **depend);

/* task.c */
void GOMP_task(void (*fn)(void *), void *data, void (*cpyfn)(void *, void *), long arg_size, long arg_align, bool if_clause, unsigned flags, void **depend, int priority_arg, void *detach);
void GOMP_taskgroup_end(void);
void GOMP_taskgroup_start(void);
void GOMP_taskwait(void);
void GOMP_taskwait_depend(void **depend);
void GOMP_taskyield(void);

/* task_reduction.c */
unsigned GOMP_parallel_reductions(void (*fn)(void *), void *data, unsigned num_threads, unsigned flags);
void GOMP_task_reduction_remap(size_t cnt, size_t cntorig, void **ptrs);
void GOMP_workshare_task_reduction_unregister(bool cancelled);

/* taskloop.c */
void GOMP_taskloop(void (*fn)(void *), void *data, void (*cpyfn)(void *, void *), long arg_size, long arg_align, unsigned flags, unsigned long num_tasks, int priority, long start, long end, long step);
void GOMP_taskloop_ull(void (*fn)(void *), void *data, void (*cpyfn)(void *, void *), long arg_size, long arg_align, unsigned flags, unsigned long num_tasks, int priority, unsigned long long start, unsigned long long end, unsigned long long step);

/* team.c */
void GOMP_parallel(void (*fn)(void *), void *data, unsigned num_threads, unsigned flags);
void GOMP_parallel_end(void);
void GOMP_parallel_start(void (*fn)(void *), void *data, unsigned num_threads);

/* teams.c */
void GOMP_teams(unsigned num_teams, unsigned thread_limit);
bool GOMP_teams4(unsigned num_teams_low, unsigned num_teams_high, unsigned thread_limit, bool first);
void GOMP_teams_reg(void (*fn)(void *), void *data, unsigned num_teams, unsigned thread_limit, unsigned flags);

/* Implementations that lock.c and fortran.c export under the names and
 * versions of Note [Lock symbol versions] (lock.c). */
struct nest_lock_25; /* OpenMP 2.5's nest lock, lock.c */
void hsomp_destroy_lock_30(omp_lock_t *lock);
void hsomp_destroy_nest_lock_25(struct nest_lock_25 *lock);
void hsomp_destroy_nest_lock_30(omp_nest_lock_t *lock);
void hsomp_init_lock_30(omp_lock_t *lock);
void hsomp_init_nest_lock_25(struct nest_lock_25 *lock);
void hsomp_init_nest_lock_30(omp_nest_lock_t *lock);
void hsomp_set_lock_30(omp_lock_t *lock);
void hsomp_set_nest_lock_25(struct nest_lock_25 *lock);
void hsomp_set_nest_lock_30(omp_nest_lock_t *lock);
int hsomp_test_lock_30(omp_lock_t *lock);
int hsomp_test_nest_lock_25(struct nest_lock_25 *lock);
int hsomp_test_nest_lock_30(omp_nest_lock_t *lock);
void hsomp_unset_lock_30(omp_lock_t *lock);
void hsomp_unset_nest_lock_25(struct nest_lock_25 *lock);
void hsomp_unset_nest_lock_30(omp_nest_lock_t *lock);
void hsomp_fortran_destroy_lock(omp_lock_t *lock);
void hsomp_fortran_destroy_nest_lock(omp_nest_lock_t **lock);
void hsomp_fortran_destroy_nest_lock_25(struct nest_lock_25 *lock);
void hsomp_fortran_init_lock(omp_lock_t *lock);
void hsomp_fortran_init_nest_lock(omp_nest_lock_t **lock);
void hsomp_fortran_init_nest_lock_25(struct nest_lock_25 *lock);
void hsomp_fortran_set_lock(omp_lock_t *lock);
void hsomp_fortran_set_nest_lock(omp_nest_lock_t **lock);
void hsomp_fortran_set_nest_lock_25(struct nest_lock_25 *lock);
int32_t hsomp_fortran_test_lock(omp_lock_t *lock);
int32_t hsomp_fortran_test_nest_lock(omp_nest_lock_t **lock);
int32_t hsomp_fortran_test_nest_lock_25(struct nest_lock_25 *lock);
void hsomp_fortran_unset_lock(omp_lock_t *lock);
void hsomp_fortran_unset_nest_lock(omp_nest_lock_t **lock);
void hsomp_fortran_unset_nest_lock_25(struct nest_lock_25 *lock);

#endif
