/* Drop-in proof, part 1: under hsomp-run the process contains no GCC
 * libgomp.  The object the program's libgomp.so.1 resolved to is hsomp's
 * file (it exports hsomp_get_capability@HSOMP_0.1, which libgomp does not,
 * see symbol_versions.sh), it is the only libgomp.so.1 in the link map, and
 * no mapping in /proc/self/maps is GCC's libgomp file. */
// TEST-HSOMP-ONLY
// TEST-ENV: OMP_NUM_THREADS=2
#include "hsomp_test.h"

#include <link.h>
#include <omp.h>
#include <sys/stat.h>

/* Where Debian (and others) keep GCC's libgomp. */
static const char *const system_libgomp[] = {
    "/usr/lib/x86_64-linux-gnu/libgomp.so.1", "/lib/x86_64-linux-gnu/libgomp.so.1",
    "/usr/lib64/libgomp.so.1", "/usr/lib/libgomp.so.1"};
enum { NSYSTEM = sizeof system_libgomp / sizeof system_libgomp[0] };
static struct stat system_stat[NSYSTEM];
static int system_found[NSYSTEM];

static int is_system_libgomp(const struct stat *st) {
  for (int i = 0; i < NSYSTEM; i++)
    if (system_found[i] && system_stat[i].st_dev == st->st_dev &&
        system_stat[i].st_ino == st->st_ino)
      return 1;
  return 0;
}

static int gomp_objects;
static char gomp_object_name[4096];

static int each_object(struct dl_phdr_info *info, size_t size, void *data) {
  const char *name = info->dlpi_name;
  const char *base = strrchr(name, '/');
  base = base ? base + 1 : name;
  if (strcmp(base, "libgomp.so.1") == 0) {
    gomp_objects++;
    snprintf(gomp_object_name, sizeof gomp_object_name, "%s", name);
  }
  return 0;
}

int main(void) {
  int any_system = 0;
  for (int i = 0; i < NSYSTEM; i++) {
    system_found[i] = stat(system_libgomp[i], &system_stat[i]) == 0;
    any_system |= system_found[i];
  }
  HT_CHECK(any_system, "GCC's libgomp.so.1 not found in the usual places");

  /* Use the runtime first: workers and the GHC RTS start. */
  int ran = 0;
#pragma omp parallel num_threads(2)
  {
#pragma omp atomic
    ran++;
  }
  HT_CHECK(ran == 2, "a team of 2 ran %d implicit tasks", ran);

  /* 1. The object GOMP_parallel comes from is hsomp. */
  void *gomp_parallel = dlsym(RTLD_DEFAULT, "GOMP_parallel");
  HT_CHECK(gomp_parallel != NULL, "GOMP_parallel not found");
  Dl_info info;
  HT_CHECK(dladdr(gomp_parallel, &info) && info.dli_fname, "dladdr(GOMP_parallel) failed");
  void *runtime = dlopen(info.dli_fname, RTLD_LAZY | RTLD_NOLOAD);
  HT_CHECK(runtime != NULL, "cannot reopen %s: %s", info.dli_fname, dlerror());
  HT_CHECK(dlvsym(runtime, "hsomp_get_capability", "HSOMP_0.1") != NULL,
           "%s does not export hsomp_get_capability@HSOMP_0.1: not hsomp", info.dli_fname);
  HT_CHECK(dlvsym(runtime, "GOMP_parallel", "GOMP_4.0") == gomp_parallel,
           "GOMP_parallel@GOMP_4.0 of %s is not the one the program uses", info.dli_fname);
  void *thread_num = dlvsym(RTLD_DEFAULT, "omp_get_thread_num", "OMP_1.0");
  Dl_info info2;
  HT_CHECK(thread_num && dladdr(thread_num, &info2) && info2.dli_fbase == info.dli_fbase,
           "omp_get_thread_num@OMP_1.0 does not come from the same object as GOMP_parallel");
  struct stat runtime_stat;
  HT_CHECK(stat(info.dli_fname, &runtime_stat) == 0, "cannot stat %s", info.dli_fname);
  HT_CHECK(!is_system_libgomp(&runtime_stat), "the OpenMP entry points come from GCC's libgomp");

  /* 2. Exactly one libgomp.so.1 in the link map: hsomp's. */
  dl_iterate_phdr(each_object, NULL);
  HT_CHECK(gomp_objects == 1, "%d objects named libgomp.so.1 are loaded", gomp_objects);
  struct stat gomp_stat;
  HT_CHECK(stat(gomp_object_name, &gomp_stat) == 0, "cannot stat %s", gomp_object_name);
  HT_CHECK(gomp_stat.st_dev == runtime_stat.st_dev && gomp_stat.st_ino == runtime_stat.st_ino,
           "the loaded libgomp.so.1 (%s) is not the runtime file (%s)", gomp_object_name,
           info.dli_fname);

  /* 3. No mapping of the process is GCC's libgomp; hsomp's file is mapped. */
  FILE *maps = fopen("/proc/self/maps", "r");
  HT_CHECK(maps != NULL, "cannot read /proc/self/maps");
  char line[4608];
  int runtime_mapped = 0;
  while (fgets(line, sizeof line, maps)) {
    char *path = strchr(line, '/');
    if (!path)
      continue;
    path[strcspn(path, "\n")] = 0;
    struct stat st;
    if (stat(path, &st) != 0)
      continue;
    HT_CHECK(!is_system_libgomp(&st), "GCC's libgomp is mapped: %s", path);
    if (st.st_dev == runtime_stat.st_dev && st.st_ino == runtime_stat.st_ino)
      runtime_mapped = 1;
  }
  fclose(maps);
  HT_CHECK(runtime_mapped, "hsomp's file %s is not in /proc/self/maps", info.dli_fname);
  return 0;
}
