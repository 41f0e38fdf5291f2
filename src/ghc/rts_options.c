/* rts_options.c -- the RTS options hsomp boots a C host's GHC runtime with.
 *
 * Owns HSOMP_RTS_OPTS: the one way to give that runtime options on
 * purpose.  It is read in the library constructor (env.c) and checked word
 * by word like every OMP_* value: a word that is not one of the garbage
 * collector options below, or whose argument the RTS could refuse, gets
 * one line on stderr and is dropped, never passed on (the RTS answers a bad
 * option with its usage text and exit(1)).  GHCRTS and the program's own
 * arguments are the Haskell programs' business and never read for a C
 * host (Note [RTS options of a C host] in rts_glue.c).  A Haskell host's
 * RTS is running before hsomp is asked for anything: there the variable has
 * no effect, as the README says. */
#include "env_internal.h"
#include "rts_glue.h"

#include <stdlib.h>
#include <string.h>

/* The accepted words, joined by spaces (each at most 64 characters; the
 * whole at most what the buffer holds). */
static char accepted[512];

enum arg_kind {
  ARG_SIZE,          /* -A64m: a size the RTS range checks cannot refuse */
  ARG_SIZE_OR_NONE,  /* -H or -H1g */
  ARG_FACTOR,        /* -F1.5 */
  ARG_COUNT,         /* -G2, -qn2: a small positive number */
  ARG_COUNT_OR_NONE, /* -qg or -qg1 */
  ARG_NONE,          /* -c */
};

static const struct {
  const char *flag;
  enum arg_kind arg;
} gc_flags[] = {
    /* longest first where one flag starts another (-AL before -A) */
    {"-AL", ARG_SIZE}, {"-A", ARG_SIZE},         {"-n", ARG_SIZE},
    {"-H", ARG_SIZE_OR_NONE}, {"-M", ARG_SIZE},  {"-O", ARG_SIZE},
    {"-F", ARG_FACTOR},  {"-G", ARG_COUNT},      {"-c", ARG_NONE},
    {"-qg", ARG_COUNT_OR_NONE}, {"-qn", ARG_COUNT}, {"-qb", ARG_COUNT_OR_NONE},
};

/* Digits with an optional fraction; the value, or -1 if malformed. */
static double decimal(const char *s, const char **end) {
  if (!isdigit((unsigned char)*s))
    return -1;
  double v = 0;
  for (; isdigit((unsigned char)*s); s++)
    v = v * 10 + (*s - '0');
  if (*s == '.') {
    s++;
    if (!isdigit((unsigned char)*s))
      return -1;
    for (double f = 0.1; isdigit((unsigned char)*s); s++, f /= 10)
      v += (*s - '0') * f;
  }
  *end = s;
  return v;
}

/* A size as the RTS reads it (a number, then k, m or g), between one
 * block (4 KiB, the smallest any size option takes) and 1 TiB. */
static bool is_size(const char *s) {
  const char *end;
  double v = decimal(s, &end);
  if (v < 0)
    return false;
  switch (*end) {
  case 'k': case 'K': v *= 1024.0; end++; break;
  case 'm': case 'M': v *= 1024.0 * 1024; end++; break;
  case 'g': case 'G': v *= 1024.0 * 1024 * 1024; end++; break;
  }
  return *end == '\0' && v >= 4096 && v <= 1024.0 * 1024 * 1024 * 1024;
}

static bool is_count(const char *s, unsigned long lo, unsigned long hi) {
  unsigned long v;
  if (*s == '+' || !hsomp_take_ulong(&s, &v))
    return false;
  return *s == '\0' && v >= lo && v <= hi;
}

/* Why `word` is refused, or NULL if the RTS can take it. */
static const char *refusal(const char *word) {
  if (word[0] == '-' && (word[1] == 'N' || word[1] == 'V' || word[1] == 'I'))
    return "hsomp sets -N, -V and -I itself";
  for (size_t i = 0; i < sizeof gc_flags / sizeof gc_flags[0]; i++) {
    size_t n = strlen(gc_flags[i].flag);
    if (strncmp(word, gc_flags[i].flag, n) != 0)
      continue;
    const char *a = word + n;
    bool ok;
    switch (gc_flags[i].arg) {
    case ARG_SIZE: ok = is_size(a); break;
    case ARG_SIZE_OR_NONE: ok = *a == '\0' || is_size(a); break;
    case ARG_FACTOR: {
      const char *end;
      double v = decimal(a, &end);
      ok = v > 0 && v <= 1000 && *end == '\0';
      break;
    }
    case ARG_COUNT: ok = is_count(a, 1, 1024); break;
    case ARG_COUNT_OR_NONE: ok = *a == '\0' || is_count(a, 0, 16); break;
    default: ok = *a == '\0'; break;
    }
    return ok ? NULL : "malformed or out of range";
  }
  return "not one of the garbage collector options hsomp passes on: "
         "-A -AL -n -H -M -O -F -G -c -qg -qn -qb";
}

void hsomp_env_parse_rts_options(void) {
  const char *value = getenv("HSOMP_RTS_OPTS");
  accepted[0] = '\0';
  if (!value)
    return;
  size_t used = 0;
  for (const char *s = hsomp_skip_spaces(value); *s; s = hsomp_skip_spaces(s)) {
    const char *start = s;
    while (*s && !isspace((unsigned char)*s))
      s++;
    char word[65];
    size_t len = (size_t)(s - start);
    const char *why;
    if (len >= sizeof word) {
      memcpy(word, start, sizeof word - 1);
      word[sizeof word - 1] = '\0';
      why = "too long";
    } else {
      memcpy(word, start, len);
      word[len] = '\0';
      why = refusal(word);
      if (!why && used + len + 2 > sizeof accepted)
        why = "too many options";
    }
    if (why) {
      for (char *c = word; *c; c++)
        if ((unsigned char)*c < 0x20 || (unsigned char)*c >= 0x7f)
          *c = '?';
      hsomp_warn("HSOMP_RTS_OPTS: ignoring '%s' (%s)", word, why);
      continue;
    }
    if (used)
      accepted[used++] = ' ';
    memcpy(accepted + used, word, len + 1);
    used += len;
  }
}

const char *hsomp_rts_user_options(void) { return accepted; }
