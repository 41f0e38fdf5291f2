/* rts_program.c -- find the GHC RTS of the program hsomp runs in.
 *
 * Owns the choice between the RTS libhsomp.so is linked with and one the
 * executable carries itself, and the lookup of symbols the executable
 * does not export (its ELF .symtab, read from /proc/self/exe).  rts_glue.c
 * calls the RTS through the table filled here (rts_program.h). */
#define HSOMP_RTS_PROGRAM_TABLE
#include "rts_program.h"
#include "hsomp.h"

#include <dlfcn.h>
#include <elf.h>
#include <fcntl.h>
#include <link.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* The RTS we are linked with (the package build: the program's own). */
extern void rts_setInCallCapability(int, int);
extern void *rts_lock(void);
extern void rts_unlock(void *);
extern void hs_thread_done(void);
extern void hs_init_ghc(void);
extern unsigned enabled_capabilities;
extern void **capabilities __attribute__((weak));
extern volatile unsigned long pending_sync __attribute__((weak));

struct hsomp_program_rts hsomp_program_rts = {
    .set_in_call_capability = rts_setInCallCapability,
    .lock = rts_lock,
    .unlock = rts_unlock,
    .thread_done = hs_thread_done,
    .enabled_capabilities = &enabled_capabilities,
    .capabilities = &capabilities,
    .pending_sync = &pending_sync,
};

/* Note [One RTS]
 * libhsomp.so is linked with GHC's shared threaded RTS, which a C program
 * needs.  A GHC executable links its RTS statically (GHC's default) and
 * exports none of it; started through hsomp-run, or with hsomp as its
 * libgomp.so.1, it got the shared RTS as a second copy, which hsomp
 * booted for its workers: two tickers, Capabilities that were not the
 * program's, callbacks entering a heap the program's threads never see.
 * So before the first use, if the RTS we are linked with is not inside
 * the executable, we look for hs_init_ghc among the executable's own
 * symbols -- its .symtab, exported or not (a PIE's are relative to its
 * load address, which dl_iterate_phdr gives for the first object).  If
 * the executable defines it, every RTS entry hsomp uses is taken from
 * there, and the shared copy stays mapped but is never started.  That
 * RTS must be threaded (a non-threaded one has no pending_sync) and laid
 * out as ours (MainCapability of the same size); otherwise, or if the
 * executable is stripped but carries GHC's RTS (its "ghc_ticker" thread
 * name), we say so once, with what to do instead, and use the shared copy.
 * Local symbols count (capabilities, pending_sync are static in a
 * program).  rts_setInCallCapability and hs_thread_done are often absent
 * (see no_preference below): the workers then run on the program's
 * Capabilities without a fixed one each.
 * A dynamically linked GHC program already shares the one libHSrts_thr
 * with us.  The package build is linked into the program: nothing to do. */

struct symbol_query {
  const char *name;
  uintptr_t value;
  size_t size;
  unsigned char type; /* STT_* */
};

static uintptr_t main_program_base(void);

/* The executable (the first object dl_iterate_phdr reports): its load
 * bias, whether `addr` lies in one of its segments, its TLS segment's
 * size and the calling thread's copy of it. */
struct first_object_info {
  uintptr_t addr;
  bool contains_addr;
  size_t tls_size;
  void *tls_data;
};

static int describe_first_object(struct dl_phdr_info *info, size_t size, void *data) {
  (void)size;
  struct first_object_info *fo = data;
  for (unsigned i = 0; i < info->dlpi_phnum; i++) {
    const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
    uintptr_t start = (uintptr_t)info->dlpi_addr + ph->p_vaddr;
    if (ph->p_type == PT_LOAD && fo->addr >= start && fo->addr - start < ph->p_memsz)
      fo->contains_addr = true;
    if (ph->p_type == PT_TLS)
      fo->tls_size = ph->p_memsz;
  }
  fo->tls_data = info->dlpi_tls_data;
  return 1;
}

static int first_object(struct dl_phdr_info *info, size_t size, void *data) {
  (void)size;
  *(uintptr_t *)data = (uintptr_t)info->dlpi_addr;
  return 1;
}

static uintptr_t main_program_base(void) {
  uintptr_t base = 0;
  dl_iterate_phdr(first_object, &base);
  return base;
}

/* Defined symbols of an ELF file's .symtab (else .dynsym): fills value
 * (as in the file) and size of each query found.  -1: no symbol table,
 * else the number found; *ghc_marker: the file contains "ghc_ticker". */
static int lookup_symbols(const char *path, struct symbol_query *q, int nq, bool *ghc_marker) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return -1;
  struct stat st;
  if (fstat(fd, &st) != 0 || st.st_size < (off_t)sizeof(Elf64_Ehdr)) {
    close(fd);
    return -1;
  }
  size_t len = (size_t)st.st_size;
  const unsigned char *f = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0);
  close(fd);
  if (f == MAP_FAILED)
    return -1;
  int found = -1;
  const Elf64_Ehdr *eh = (const void *)f;
  if (ghc_marker)
    *ghc_marker = memmem(f, len, "ghc_ticker", 10) != NULL;
  if (memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0 || eh->e_ident[EI_CLASS] != ELFCLASS64 ||
      eh->e_shoff == 0 || eh->e_shoff + (size_t)eh->e_shnum * sizeof(Elf64_Shdr) > len)
    goto out;
  const Elf64_Shdr *sh = (const void *)(f + eh->e_shoff);
  const Elf64_Shdr *symtab = NULL;
  for (int pass = 0; pass < 2 && !symtab; pass++)
    for (unsigned i = 0; i < eh->e_shnum; i++)
      if (sh[i].sh_type == (pass == 0 ? SHT_SYMTAB : SHT_DYNSYM)) {
        symtab = &sh[i];
        break;
      }
  if (!symtab || symtab->sh_link >= eh->e_shnum)
    goto out;
  const Elf64_Shdr *strtab = &sh[symtab->sh_link];
  if (symtab->sh_offset + symtab->sh_size > len || strtab->sh_offset + strtab->sh_size > len)
    goto out;
  const Elf64_Sym *syms = (const void *)(f + symtab->sh_offset);
  size_t nsyms = symtab->sh_size / sizeof(Elf64_Sym);
  const char *names = (const char *)(f + strtab->sh_offset);
  found = 0;
  for (size_t s = 0; s < nsyms; s++) {
    if (syms[s].st_shndx == SHN_UNDEF || syms[s].st_name >= strtab->sh_size)
      continue;
    const char *nm = names + syms[s].st_name;
    for (int k = 0; k < nq; k++)
      if (!q[k].value && strcmp(nm, q[k].name) == 0) {
        q[k].value = syms[s].st_value;
        q[k].size = syms[s].st_size;
        q[k].type = ELF64_ST_TYPE(syms[s].st_info);
        found++;
      }
  }
out:
  munmap((void *)f, len);
  return found;
}

enum { Q_INIT, Q_SET_CAP, Q_LOCK, Q_UNLOCK, Q_DONE, Q_ENABLED, Q_CAPS, Q_PENDING, Q_MAINCAP, NQ };
static const char *const query_names[NQ] = {
    "hs_init_ghc",  "rts_setInCallCapability", "rts_lock",     "rts_unlock",    "hs_thread_done",
    "enabled_capabilities", "capabilities",    "pending_sync", "MainCapability"};

static void say_second_rts(const char *why) {
  hsomp_warn("this GHC program has its own RTS, but %s: hsomp's workers run on a second GHC "
             "RTS, not on the program's Capabilities. Build the program with the hsomp Haskell "
             "package (haskell/README.md) instead of running it through hsomp-run/libgomp.so.1, "
             "or link it -threaded (and not stripped)",
             why);
}

/* Entries a program that never called them has lost to the linker's
 * garbage collection of sections (GHC links its RTS that way): a worker
 * then takes whichever Capability rts_lock gives it rather than its own,
 * and a retired worker (omp_pause_resource) leaves its RTS Task behind. */
static void no_preference(int cap, int affinity) {
  (void)cap;
  (void)affinity;
}
static void keep_task(void) {}

/* Note [Finding the calling thread's Task]
 * Which Capability a Haskell thread in a safe foreign call will need
 * back is its Task's `cap` (Note [Handing the Capability back],
 * rts_glue.c); the Task of an OS thread is the RTS's thread-local
 * `my_task`, which no API returns without creating one for a thread
 * that has none (and rts_unsafeGetMyCapability crashes there).  It is
 * a global TLS symbol of the static RTS, local in the shared one, so we
 * take its offset from the executable's .symtab, only when the RTS in
 * use is inside the executable (the package build, or a GHC program run
 * through hsomp-run): the executable's TLS block is static, at a fixed
 * distance from every thread's thread pointer, which the calling
 * thread's copy (dl_iterate_phdr's dlpi_tls_data) gives once.  A
 * dynamically linked GHC program, or an unknown architecture, gets no
 * slot: the hand-back is then not done.  rts_glue.c checks the slot
 * against the RTS (a worker's Task, which rts_lock just made the owner
 * of a known Capability) before using it. */
static inline char *thread_pointer(void) {
  char *tp;
#if defined(__x86_64__)
  __asm__("mov %%fs:0, %0" : "=r"(tp));
#elif defined(__aarch64__)
  __asm__("mrs %0, tpidr_el0" : "=r"(tp));
#else
  tp = NULL;
#endif
  return tp;
}

bool hsomp_program_rts_task_slot(long *offset) {
  char *tp = thread_pointer();
  if (!tp)
    return false;
  struct first_object_info fo = {.addr = (uintptr_t)hsomp_program_rts.lock};
  dl_iterate_phdr(describe_first_object, &fo);
  if (!fo.contains_addr || !fo.tls_data || fo.tls_size < sizeof(void *))
    return false;
  struct symbol_query q = {.name = "my_task"};
  if (lookup_symbols("/proc/self/exe", &q, 1, NULL) != 1 || q.type != STT_TLS ||
      q.size != sizeof(void *) || q.value > fo.tls_size - sizeof(void *))
    return false;
  *offset = (long)((char *)fo.tls_data + q.value - tp);
  return true;
}

void *hsomp_program_rts_my_task(long offset) {
  return *(void *volatile *)(thread_pointer() + offset);
}

void hsomp_program_rts_choose(void) {
  Dl_info ours;
  uintptr_t base = main_program_base();
  if (!dladdr((void *)hs_init_ghc, &ours) || (uintptr_t)ours.dli_fbase == base ||
      !ours.dli_fname)
    return; /* linked into the program (the package), or unknown */
  struct symbol_query q[NQ];
  for (int k = 0; k < NQ; k++)
    q[k] = (struct symbol_query){.name = query_names[k]};
  bool ghc_marker = false;
  int found = lookup_symbols("/proc/self/exe", q, NQ, &ghc_marker);
  if (found < 0 || !q[Q_INIT].value) {
    if (ghc_marker) /* GHC's RTS is in there, its symbols are not */
      say_second_rts("its symbol table is stripped");
    return; /* a C program, or a dynamically linked GHC program */
  }
  if (!q[Q_PENDING].value) {
    say_second_rts("it is not the threaded RTS");
    return;
  }
  for (int k = 0; k < NQ; k++)
    if (!q[k].value && k != Q_SET_CAP && k != Q_DONE) {
      say_second_rts("some of its RTS entry points are missing");
      return;
    }
  struct symbol_query mine = {.name = "MainCapability"};
  if (lookup_symbols(ours.dli_fname, &mine, 1, NULL) == 1 && mine.size != q[Q_MAINCAP].size) {
    say_second_rts("it comes from another GHC version");
    return;
  }
  hsomp_program_rts = (struct hsomp_program_rts){
      .set_in_call_capability = q[Q_SET_CAP].value
                                    ? (void (*)(int, int))(base + q[Q_SET_CAP].value)
                                    : no_preference,
      .lock = (void *(*)(void))(base + q[Q_LOCK].value),
      .unlock = (void (*)(void *))(base + q[Q_UNLOCK].value),
      .thread_done = q[Q_DONE].value ? (void (*)(void))(base + q[Q_DONE].value) : keep_task,
      .enabled_capabilities = (unsigned *)(base + q[Q_ENABLED].value),
      .capabilities = (void ***)(base + q[Q_CAPS].value),
      .pending_sync = (volatile unsigned long *)(base + q[Q_PENDING].value),
  };
}

