/* error.c -- every message the runtime prints about an error: its own
 * warnings (hsomp_warn, hsomp_env_invalid) and fatal errors (hsomp_fatal,
 * which aborts), the errors libgomp reports with gomp_fatal
 * (hsomp_gomp_exit, which exits with status 1), and the `error`
 * directive at execution time (OpenMP 5.1, 2.5.4): GOMP_warning and
 * GOMP_error.
 *
 * hsomp's own messages start with "hsomp: ", one line each.  The
 * libgomp-compatible ones use libgomp's exact wording and its "libgomp: " prefix, on
 * purpose: programs and test harnesses (GCC's own testsuite among them)
 * match this output, and hsomp stands in for libgomp.so.1.  A message
 * arrives either NUL-terminated (msglen == (size_t)-1) or as a counted
 * string that need not be terminated (a Fortran character variable). */
#include "hsomp.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void hsomp_warn(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  flockfile(stderr); /* one whole line, also when threads warn at once */
  fputs("hsomp: ", stderr);
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
  funlockfile(stderr);
  va_end(ap);
}

void hsomp_fatal(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fputs("hsomp: fatal: ", stderr);
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
  va_end(ap);
  abort();
}

void hsomp_env_invalid(const char *name, const char *value, const char *why) {
  char shown[160];
  size_t n = 0;
  for (const unsigned char *p = (const unsigned char *)value; *p; p++) {
    if (n + 8 >= sizeof shown) {
      memcpy(shown + n, "...", 4);
      n += 3;
      break;
    }
    if (*p < 0x20 || *p == 0x7f || *p == '\\')
      n += (size_t)snprintf(shown + n, sizeof shown - n, "\\x%02x", *p);
    else
      shown[n++] = (char)*p;
  }
  shown[n] = '\0';
  hsomp_warn("invalid value for environment variable %s: '%s' (%s%susing the default)", name,
             shown, why ? why : "", why ? "; " : "");
}

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

void hsomp_assert_failed(const char *cond, const char *file, int line) {
  fprintf(stderr, "hsomp: invariant broken at %s:%d: %s\n", file, line, cond);
  abort();
}

void (*hsomp_error_directive_hook)(int, const char *, size_t, const void *);

void GOMP_warning(const char *msg, size_t msglen) {
  if (HSOMP_UNLIKELY(hsomp_error_directive_hook != NULL))
    hsomp_error_directive_hook(ompt_warning, msg, msglen, __builtin_return_address(0));
  print_message("error directive encountered", msg, msglen);
}

void GOMP_error(const char *msg, size_t msglen) {
  if (HSOMP_UNLIKELY(hsomp_error_directive_hook != NULL))
    hsomp_error_directive_hook(ompt_fatal, msg, msglen, __builtin_return_address(0));
  print_message("fatal error: error directive encountered", msg, msglen);
  exit(EXIT_FAILURE);
}

void hsomp_gomp_exit(const char *fmt, ...) {
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
