/* The host's locale is exactly as it was after the runtime starts: hsomp's
 * RTS start-up (the first team of more than one thread) calls
 * setlocale(LC_CTYPE, "") for Haskell programs, which turned a C program's
 * "C" locale into the environment's (LANG=C.UTF-8: MB_CUR_MAX 1 -> 6) and
 * reset a locale the program had chosen.  Variants: the program keeps the
 * "C" locale under LANG=C.UTF-8; the program chooses C.UTF-8 for LC_CTYPE
 * under LANG=C (HOST_LOCALE); the first region starts on another thread
 * than main, which has a uselocale() locale of its own (BOOT_THREAD). */
// TEST-ENV: LANG=C.UTF-8 LC_ALL= LC_CTYPE=
// TEST-ENV: LANG=C LC_ALL= LC_CTYPE= HOST_LOCALE=C.UTF-8
// TEST-ENV: LANG=C.UTF-8 LC_ALL= LC_CTYPE= BOOT_THREAD=1
#include <locale.h>
#include <omp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int team;

static void region(void) {
#pragma omp parallel num_threads(4)
  {
#pragma omp atomic
    team++;
  }
}

static void *boot_thread(void *arg) {
  (void)arg;
  locale_t own = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
  if (own)
    uselocale(own);
  size_t before = MB_CUR_MAX;
  region();
  if (MB_CUR_MAX != before) {
    fprintf(stderr, "FAIL: the booting thread's own locale changed (MB_CUR_MAX %zu -> %zu)\n",
            before, (size_t)MB_CUR_MAX);
    exit(1);
  }
  uselocale(LC_GLOBAL_LOCALE);
  if (own)
    freelocale(own);
  return NULL;
}

int main(void) {
  const char *host = getenv("HOST_LOCALE");
  if (host && !setlocale(LC_CTYPE, host)) {
    puts("C.UTF-8 is not available: nothing to check");
    return 0;
  }
  char before[1024];
  snprintf(before, sizeof before, "%s", setlocale(LC_ALL, NULL));
  size_t mb_before = MB_CUR_MAX;
  if (getenv("BOOT_THREAD")) {
    pthread_t t;
    pthread_create(&t, NULL, boot_thread, NULL);
    pthread_join(t, NULL);
  } else {
    region();
  }
  region();
  const char *after = setlocale(LC_ALL, NULL);
  if (team != 8 || strcmp(before, after) != 0 || MB_CUR_MAX != mb_before) {
    fprintf(stderr, "FAIL: locale '%s' -> '%s', MB_CUR_MAX %zu -> %zu, team total %d\n", before,
            after, mb_before, (size_t)MB_CUR_MAX, team);
    return 1;
  }
  printf("ok: locale '%s', MB_CUR_MAX %zu\n", after, (size_t)MB_CUR_MAX);
  return 0;
}
