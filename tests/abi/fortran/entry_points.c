/* The Fortran entry points of the host ABI (fortran.c and the
 * Fortran forms of omp_in_final, omp_fulfill_event, omp_display_env),
 * called the way gfortran calls them: integers by reference (INTEGER(4),
 * or INTEGER(8) in the _8_ forms, clamped into int range), handles as
 * c_intptr_t by reference, character arguments as a pointer plus a
 * hidden length at the end, blank-padded on output.  Each must agree
 * with its C routine: teams ICVs and league queries, places and
 * partitions, the affinity format (set/get/capture/display), pause,
 * allocators, omp_display_env, omp_in_final, omp_fulfill_event. */
// TEST-ENV: OMP_PLACES=threads OMP_PROC_BIND=spread
#include "hsomp_test.h"

#include <limits.h>
#include <omp.h>
#include <stdint.h>

void omp_set_num_teams_(const int32_t *);
void omp_set_num_teams_8_(const int64_t *);
int32_t omp_get_max_teams_(void);
void omp_set_teams_thread_limit_(const int32_t *);
void omp_set_teams_thread_limit_8_(const int64_t *);
int32_t omp_get_teams_thread_limit_(void);
int32_t omp_get_num_teams_(void);
int32_t omp_get_team_num_(void);
int32_t omp_get_num_places_(void);
int32_t omp_get_place_num_procs_(const int32_t *);
int32_t omp_get_place_num_procs_8_(const int64_t *);
void omp_get_place_proc_ids_(const int32_t *, int32_t *);
void omp_get_place_proc_ids_8_(const int64_t *, int64_t *);
int32_t omp_get_place_num_(void);
int32_t omp_get_partition_num_places_(void);
void omp_get_partition_place_nums_(int32_t *);
void omp_get_partition_place_nums_8_(int64_t *);
void omp_set_affinity_format_(const char *, size_t);
int32_t omp_get_affinity_format_(char *, size_t);
void omp_display_affinity_(const char *, size_t);
int32_t omp_capture_affinity_(char *, const char *, size_t, size_t);
int32_t omp_pause_resource_(const int32_t *, const int32_t *);
int32_t omp_pause_resource_all_(const int32_t *);
intptr_t omp_init_allocator_(const intptr_t *, const int32_t *, const omp_alloctrait_t *);
intptr_t omp_init_allocator_8_(const intptr_t *, const int64_t *, const omp_alloctrait_t *);
void omp_destroy_allocator_(const intptr_t *);
void omp_set_default_allocator_(const intptr_t *);
intptr_t omp_get_default_allocator_(void);
void omp_display_env_(const int32_t *);
void omp_display_env_8_(const int64_t *);
int32_t omp_in_final_(void);
void omp_fulfill_event_(intptr_t);

/* What `call` writes to stderr (a pipe holds it: the outputs are small). */
static void capture_stderr(void (*call)(void *), void *arg, char *out, size_t len) {
  int fd[2], saved = dup(2);
  HT_CHECK(pipe(fd) == 0 && saved >= 0, "pipe");
  fflush(stderr);
  dup2(fd[1], 2);
  call(arg);
  fflush(stderr);
  dup2(saved, 2);
  close(saved);
  close(fd[1]);
  ht_read_all(fd[0], out, len);
  close(fd[0]);
}

static void display_affinity_f(void *fmt) { omp_display_affinity_(fmt, strlen(fmt)); }
static void display_env_f(void *verbose) { omp_display_env_(verbose); }
static void display_env_f8(void *verbose) { omp_display_env_8_(verbose); }
static void display_env_c(void *verbose) { omp_display_env(*(int32_t *)verbose); }

static int league_bad;
__attribute__((noinline)) static void league_member(void) {
  if (omp_get_num_teams_() != omp_get_num_teams() || omp_get_team_num_() != omp_get_team_num() ||
      omp_get_num_teams_() != 3)
    __atomic_add_fetch(&league_bad, 1, __ATOMIC_RELAXED);
}

int main(void) {
  /* Teams. */
  int32_t i4 = 5;
  int64_t i8 = 7;
  omp_set_num_teams_(&i4);
  HT_CHECK(omp_get_max_teams_() == 5 && omp_get_max_teams() == 5, "omp_set_num_teams_(5): %d",
           omp_get_max_teams());
  omp_set_num_teams_8_(&i8);
  HT_CHECK(omp_get_max_teams() == 7, "omp_set_num_teams_8_(7): %d", omp_get_max_teams());
  i8 = (int64_t)1 << 40;
  omp_set_num_teams_8_(&i8);
  HT_CHECK(omp_get_max_teams_() == INT_MAX, "omp_set_num_teams_8_(2^40): %d",
           omp_get_max_teams_());
  i4 = 3;
  omp_set_teams_thread_limit_(&i4);
  HT_CHECK(omp_get_teams_thread_limit_() == 3 && omp_get_teams_thread_limit() == 3,
           "omp_set_teams_thread_limit_(3): %d", omp_get_teams_thread_limit());
  i8 = 2;
  omp_set_teams_thread_limit_8_(&i8);
  HT_CHECK(omp_get_teams_thread_limit_() == 2, "omp_set_teams_thread_limit_8_(2): %d",
           omp_get_teams_thread_limit_());
  HT_CHECK(omp_get_num_teams_() == 1 && omp_get_team_num_() == 0, "league queries outside: %d %d",
           omp_get_num_teams_(), omp_get_team_num_());
#pragma omp teams num_teams(3)
  league_member();
  HT_CHECK(league_bad == 0, "league queries inside teams: %d wrong", league_bad);

  /* Places and partitions, outside and in a spread team. */
  int np = omp_get_num_places();
  HT_CHECK(np >= 1 && omp_get_num_places_() == np, "omp_get_num_places_ %d, C %d",
           omp_get_num_places_(), np);
  for (int p = 0; p < np; p++) {
    int32_t p4 = p;
    int64_t p8 = p;
    int n = omp_get_place_num_procs(p);
    HT_CHECK(omp_get_place_num_procs_(&p4) == n && omp_get_place_num_procs_8_(&p8) == n,
             "place %d: procs", p);
    int ids[64];
    int32_t ids4[64];
    int64_t ids8[64];
    if (n > 64)
      continue;
    omp_get_place_proc_ids(p, ids);
    omp_get_place_proc_ids_(&p4, ids4);
    omp_get_place_proc_ids_8_(&p8, ids8);
    for (int k = 0; k < n; k++)
      HT_CHECK(ids4[k] == ids[k] && ids8[k] == ids[k], "place %d id %d: %d %d %ld", p, k,
               ids[k], ids4[k], (long)ids8[k]);
  }
  int bad = 0;
#pragma omp parallel num_threads(2) reduction(+ : bad)
  {
    int n = omp_get_partition_num_places();
    bad += omp_get_place_num_() != omp_get_place_num();
    bad += omp_get_partition_num_places_() != n;
    if (n <= 64) {
      int nums[64];
      int32_t nums4[64];
      int64_t nums8[64];
      omp_get_partition_place_nums(nums);
      omp_get_partition_place_nums_(nums4);
      omp_get_partition_place_nums_8_(nums8);
      for (int k = 0; k < n; k++)
        bad += nums4[k] != nums[k] || nums8[k] != nums[k];
    }
  }
  HT_CHECK(bad == 0, "place queries in a team: %d disagreements", bad);

  /* The affinity format: no NUL, blank padding, truncation, the length. */
  omp_set_affinity_format_("x%n|%N  ", 6); /* the length excludes the blanks */
  char c[64], f[64];
  HT_CHECK(omp_get_affinity_format(c, sizeof c) == 6 && strcmp(c, "x%n|%N") == 0,
           "omp_set_affinity_format_: C sees '%s'", c);
  memset(f, '#', sizeof f);
  HT_CHECK(omp_get_affinity_format_(f, 10) == 6 && memcmp(f, "x%n|%N    #", 11) == 0,
           "omp_get_affinity_format_: '%.11s'", f);
  memset(f, '#', sizeof f);
  HT_CHECK(omp_get_affinity_format_(f, 3) == 6 && memcmp(f, "x%n#", 4) == 0,
           "omp_get_affinity_format_ truncated: '%.4s'", f);
  memset(f, '#', sizeof f);
  HT_CHECK(omp_capture_affinity_(f, "T%n/%N", 8, 6) == 4 && memcmp(f, "T0/1    #", 9) == 0,
           "omp_capture_affinity_: '%.9s'", f);
  memset(f, '#', sizeof f);
  HT_CHECK(omp_capture_affinity_(f, "T%n/%N", 2, 6) == 4 && memcmp(f, "T0#", 3) == 0,
           "omp_capture_affinity_ truncated: '%.3s'", f);
  memset(f, '#', sizeof f);
  HT_CHECK(omp_capture_affinity_(f, "", 8, 0) == 4 && memcmp(f, "x0|1    #", 9) == 0,
           "omp_capture_affinity_ with the format variable: '%.9s'", f);
  bad = 0;
#pragma omp parallel num_threads(3) reduction(+ : bad)
  {
    char b[32], w[32];
    memset(b, '#', sizeof b);
    int32_t n = omp_capture_affinity_(b, "%n of %N", 20, 8);
    snprintf(w, sizeof w, "%d of 3", omp_get_thread_num());
    bad += n != 6 || memcmp(b, w, 6) != 0 || b[6] != ' ' || b[19] != ' ' || b[20] != '#';
  }
  HT_CHECK(bad == 0, "omp_capture_affinity_ in a team: %d wrong", bad);
  char out[8192];
  capture_stderr(display_affinity_f, "D%L/%N", out, sizeof out);
  HT_CHECK(strcmp(out, "D0/1\n") == 0, "omp_display_affinity_: '%s'", out);
  capture_stderr(display_affinity_f, "", out, sizeof out);
  HT_CHECK(strcmp(out, "x0|1\n") == 0, "omp_display_affinity_ (format variable): '%s'", out);

  /* Pause. */
  int32_t soft = omp_pause_soft, host = omp_get_initial_device(), nodev = 5;
  HT_CHECK(omp_pause_resource_(&soft, &host) == 0, "omp_pause_resource_ of the host failed");
  HT_CHECK(omp_pause_resource_(&soft, &nodev) == -1, "omp_pause_resource_ of device 5");
  HT_CHECK(omp_pause_resource_all_(&soft) == 0, "omp_pause_resource_all_ failed");
  int ran = 0;
#pragma omp parallel num_threads(3) reduction(+ : ran)
  ran++;
  HT_CHECK(ran == 3, "a region after the pause ran %d threads", ran);

  /* Allocators. */
  omp_alloctrait_t traits[] = {{omp_atk_alignment, 256}, {omp_atk_fallback, omp_atv_null_fb}};
  intptr_t space = omp_default_mem_space;
  int32_t nt = 2;
  int64_t nt8 = 2;
  intptr_t a = omp_init_allocator_(&space, &nt, traits);
  intptr_t a8 = omp_init_allocator_8_(&space, &nt8, traits);
  HT_CHECK(a != 0 && a8 != 0 && a != a8, "omp_init_allocator_: %ld %ld", (long)a, (long)a8);
  void *p = omp_alloc(10, (omp_allocator_handle_t)a), *q = omp_alloc(10, (omp_allocator_handle_t)a8);
  HT_CHECK(p && q && (uintptr_t)p % 256 == 0 && (uintptr_t)q % 256 == 0,
           "blocks from the Fortran allocators: %p %p", p, q);
  omp_free(p, omp_null_allocator);
  omp_free(q, omp_null_allocator);
  HT_CHECK(omp_get_default_allocator_() == (intptr_t)omp_default_mem_alloc,
           "omp_get_default_allocator_ = %ld", (long)omp_get_default_allocator_());
  omp_set_default_allocator_(&a);
  HT_CHECK(omp_get_default_allocator_() == a && (intptr_t)omp_get_default_allocator() == a,
           "omp_set_default_allocator_ not seen");
  p = omp_alloc(10, omp_null_allocator);
  HT_CHECK(p && (uintptr_t)p % 256 == 0, "default allocator from Fortran not used: %p", p);
  omp_free(p, omp_null_allocator);
  intptr_t dflt = (intptr_t)omp_default_mem_alloc;
  omp_set_default_allocator_(&dflt);
  omp_destroy_allocator_(&a);
  omp_destroy_allocator_(&a8);

  /* omp_display_env_: the same text as the C routine. */
  char cout[8192];
  int32_t verbose = 0;
  int64_t verbose8 = 1;
  capture_stderr(display_env_f, &verbose, out, sizeof out);
  capture_stderr(display_env_c, &verbose, cout, sizeof cout);
  HT_CHECK(strstr(out, "OPENMP DISPLAY ENVIRONMENT BEGIN") && strcmp(out, cout) == 0,
           "omp_display_env_(0) differs from omp_display_env(0):\n%s\n---\n%s", out, cout);
  capture_stderr(display_env_f8, &verbose8, out, sizeof out);
  verbose = 1;
  capture_stderr(display_env_c, &verbose, cout, sizeof cout);
  HT_CHECK(strcmp(out, cout) == 0 && strlen(out) > 0, "omp_display_env_8_(1) differs");

  /* omp_in_final_, omp_fulfill_event_ (the event by value). */
  int in_final = -1, not_final = -1, fulfilled = 0;
#pragma omp parallel num_threads(2)
#pragma omp single
  {
    omp_event_handle_t ev;
#pragma omp task final(1) shared(in_final)
    in_final = omp_in_final_();
#pragma omp task shared(not_final)
    not_final = omp_in_final_();
#pragma omp task detach(ev) shared(fulfilled)
    fulfilled = 1;
#pragma omp task firstprivate(ev)
    omp_fulfill_event_((intptr_t)ev);
#pragma omp taskwait
  }
  HT_CHECK(in_final == 1 && not_final == 0, "omp_in_final_: %d in a final task, %d outside",
           in_final, not_final);
  HT_CHECK(fulfilled == 1, "the detached task did not complete");
  return 0;
}
