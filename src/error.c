/* error.c -- the `error` directive at execution time (OpenMP 5.1, 2.5.4):
 * GOMP_warning and GOMP_error.
 *
 * The messages use libgomp's exact wording and its "libgomp: " prefix, on
 * purpose: programs and test harnesses (GCC's own testsuite among them)
 * match this output, and hsomp stands in for libgomp.so.1.  A message
 * arrives either NUL-terminated (msglen == (size_t)-1) or as a counted
 * string that need not be terminated (a Fortran character variable).
 * hsomp_gomp_fatal is the same for the errors libgomp reports with
 * gomp_fatal (target.c). */
#include "hsomp.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

static void print_message(const char *what, const char *msg, size_t msglen) {
  /* One fwrite per piece; stderr is unbuffered, and flockfile keeps the
   * line together when several threads report at once. */
  flockfile(stderr);
  fputs("\nlibgomp: ", stderr);
  fputs(what, stderr);
  if (msg) {
    fputs(": ", stderr);
    if (msglen == (size_t)-1)
      fputs(msg, stderr);
    else
      fwrite(msg, 1, msglen, stderr);
  }
  fputc('\n', stderr);
  funlockfile(stderr);
}

void GOMP_warning(const char *msg, size_t msglen) {
  print_message("error directive encountered", msg, msglen);
}

void GOMP_error(const char *msg, size_t msglen) {
  print_message("fatal error: error directive encountered", msg, msglen);
  exit(EXIT_FAILURE);
}

void hsomp_gomp_fatal(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  flockfile(stderr);
  fputs("\nlibgomp: ", stderr);
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
  funlockfile(stderr);
  va_end(ap);
  exit(EXIT_FAILURE);
}
