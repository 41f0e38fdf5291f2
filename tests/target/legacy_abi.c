/* The pre-OpenMP-4.5 target entry points (what GCC 4.9-5 emitted, still
 * exported by libgomp 12) on a machine without offload devices:
 * GOMP_target runs the region on the host with the host addresses, in a
 * fresh data environment (level 0, its own thread limit through
 * GOMP_teams, a league of one team); GOMP_target_data /
 * GOMP_target_end_data / GOMP_target_update are no-ops on the host; and
 * offload images (GOMP_offload_register[_ver], _unregister[_ver]) are
 * accepted, unregistering an unknown image is ignored, and an image for a
 * newer plugin interface is a fatal error with libgomp's message. */
#include "hsomp_test.h"

#include <omp.h>
#include <stddef.h>
#include <sys/wait.h>

void GOMP_target(int device, void (*fn)(void *), const void *unused, size_t mapnum,
                 void **hostaddrs, size_t *sizes, unsigned char *kinds);
void GOMP_target_data(int device, const void *unused, size_t mapnum, void **hostaddrs,
                      size_t *sizes, unsigned char *kinds);
void GOMP_target_end_data(void);
void GOMP_target_update(int device, const void *unused, size_t mapnum, void **hostaddrs,
                        size_t *sizes, unsigned char *kinds);
void GOMP_teams(unsigned num_teams, unsigned thread_limit);
void GOMP_offload_register(const void *host_table, int target_type, const void *target_data);
void GOMP_offload_unregister(const void *host_table, int target_type, const void *target_data);
void GOMP_offload_register_ver(unsigned version, const void *host_table, int target_type,
                               const void *target_data);
void GOMP_offload_unregister_ver(unsigned version, const void *host_table, int target_type,
                                 const void *target_data);

#define GOMP_DEVICE_ICV -1
#define GOMP_MAP_TOFROM 3
#define N 1000

struct seen {
  int level, in_parallel, num_teams, thread_limit, team_size, on_host;
};

/* The outlined region: hostaddrs[0] is the array, hostaddrs[1] a struct
 * seen to fill in. */
static void region(void *arg) {
  void **hostaddrs = arg;
  int *a = hostaddrs[0];
  struct seen *s = hostaddrs[1];
  GOMP_teams(1, 3);
  s->level = omp_get_level();
  s->in_parallel = omp_in_parallel();
  s->num_teams = omp_get_num_teams();
  s->thread_limit = omp_get_thread_limit();
  s->on_host = omp_is_initial_device();
  int size = 0;
#pragma omp parallel num_threads(8) reduction(+ : size)
  {
    size++;
#pragma omp for
    for (int i = 0; i < N; i++)
      a[i] = 2 * a[i] + 1;
  }
  s->team_size = size;
}

/* A host table as an offload compiler lays it out: function and variable
 * address ranges (empty here). */
static void *host_table[4];

int main(void) {
  /* Offload images: a program built with an offload compiler registers
   * them from constructors; nothing here can load them. */
  GOMP_offload_register(host_table, 5, "image");
  GOMP_offload_register_ver(1u << 16, host_table, 7, "image");
  GOMP_offload_unregister_ver(1u << 16, host_table, 7, "image");
  GOMP_offload_unregister(host_table, 5, "image");
  GOMP_offload_unregister(host_table, 9, "never registered");

  static int a[N];
  for (int i = 0; i < N; i++)
    a[i] = i;
  struct seen s = {-1, -1, -1, -1, -1, -1};
  void *hostaddrs[2] = {a, &s};
  size_t sizes[2] = {sizeof a, sizeof s};
  unsigned char kinds[2] = {GOMP_MAP_TOFROM, GOMP_MAP_TOFROM};
  int outer_limit = omp_get_thread_limit();
  GOMP_target_data(GOMP_DEVICE_ICV, NULL, 2, hostaddrs, sizes, kinds);
  GOMP_target_update(GOMP_DEVICE_ICV, NULL, 2, hostaddrs, sizes, kinds);
  GOMP_target(GOMP_DEVICE_ICV, region, NULL, 2, hostaddrs, sizes, kinds);
  GOMP_target_end_data();
  for (int i = 0; i < N; i++)
    HT_CHECK(a[i] == 2 * i + 1, "a[%d] = %d after the target region", i, a[i]);
  HT_CHECK(s.on_host == 1, "the region did not run on the initial device");
  HT_CHECK(s.level == 0 && s.in_parallel == 0, "region at level %d, in_parallel %d", s.level,
           s.in_parallel);
  HT_CHECK(s.num_teams == 1, "omp_get_num_teams() = %d in the region", s.num_teams);
  HT_CHECK(s.thread_limit == 3, "GOMP_teams(1, 3) gave thread limit %d", s.thread_limit);
  HT_CHECK(s.team_size >= 1 && s.team_size <= 3, "a parallel region of %d threads under limit 3",
           s.team_size);
  HT_CHECK(omp_get_thread_limit() == outer_limit, "thread limit %d after the region, was %d",
           omp_get_thread_limit(), outer_limit);

  /* Inside a parallel region too: the region still starts at level 0. */
  int bad = 0;
#pragma omp parallel num_threads(2) reduction(+ : bad)
  {
    int b[N];
    for (int i = 0; i < N; i++)
      b[i] = i;
    struct seen t = {-1, -1, -1, -1, -1, -1};
    void *addrs[2] = {b, &t};
    GOMP_target(GOMP_DEVICE_ICV, region, NULL, 2, addrs, sizes, kinds);
    bad += t.level != 0 || t.in_parallel != 0 || b[N - 1] != 2 * (N - 1) + 1;
  }
  HT_CHECK(bad == 0, "%d target regions in a parallel region went wrong", bad);

  /* An image for a newer plugin interface: fatal, libgomp's message. */
  int fd[2];
  HT_CHECK(pipe(fd) == 0, "pipe");
  fflush(stderr);
  pid_t pid = fork();
  if (pid == 0) {
    dup2(fd[1], 2);
    GOMP_offload_register_ver(0x7fffu << 16, host_table, 5, "image");
    _exit(0);
  }
  close(fd[1]);
  char out[512];
  ht_read_all(fd[0], out, sizeof out);
  close(fd[0]);
  int st;
  waitpid(pid, &st, 0);
  HT_CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 1, "a too new image: status %#x", st);
  const char *want = "\nlibgomp: Library too old for offload (version ";
  HT_CHECK(strncmp(out, want, strlen(want)) == 0 &&
               strstr(out, " < 32767)\n") != NULL,
           "message: '%s'", out);
  return 0;
}
