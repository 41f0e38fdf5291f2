"""The host as DejaGnu sees it: target triplet, effective-target keywords, selectors.

A selector (`{ target avx_runtime }`, `{ ! run_expensive_tests }`,
`{ { i?86-*-* x86_64-*-* } && lp64 }`) is evaluated the way GCC's
target-supports-dg.exp does it: a list of words is true when any word is
true; a word with two dashes is a triplet glob matched against the target
triplet, any other word is an effective-target keyword; `! X`, `X && Y` and
`X || Y` are the only operators (exactly two or three words), operands may be
braced sub-selectors.

Keywords that depend on this machine (CPU features, toolchain abilities) are
probed once per run by compiling, and where needed running, a small program,
as target-supports.exp does.  The rest are facts of an x86_64 GNU/Linux host
running OpenMP `target` regions on the host itself:

* offload_device, offload_device_nonshared_as: false.  No offload plugin or
  accelerator is used; target regions run on the initial device.  Tests
  requiring them are "unsupported" here, exactly as in a DejaGnu run of
  libgomp on such a host.
* offload_device_shared_as: true.  Host fallback shares the address space
  (the DejaGnu probe, a `target map(to: x) x++`, sees x change).
* offload_target_nvptx / _amdgcn: false.  Debian's gcc names these offload
  targets in `gcc -v`, but no offload compiler (mkoffload) is installed, so
  nothing is compiled for them.
* c, c++: false.  In the libgomp testsuite the DejaGnu tool is "libgomp", and
  target-supports.exp defines these keywords by the tool name ("gcc", "g++"),
  so `{ target c }` never holds there; we keep that behaviour.
* run_expensive_tests: true only with GCC_TEST_RUN_EXPENSIVE set (as in GCC).
"""
import fnmatch
import os
import subprocess
import sys
import tempfile

from . import tcl

_CONSTANT = {
    "offload_device": False,
    "offload_device_nonshared_as": False,
    "offload_device_shared_as": True,
    "offload_device_nvptx": False,
    "offload_device_intel_mic": False,
    "offload_device_any_intel_mic": False,
    "offload_target_nvptx": False,
    "offload_target_amdgcn": False,
    "openacc_host_selected": False,
    "c": False,
    "c++": False,
    "sync_int_long": True,      # x86_64: lock cmpxchg on int and long
    "sync_int_128": False,
    "__float128": True,         # x86_64 has __float128, no options needed
    "shared": True,
    "alias": True,
    "fd_truncate": True,        # GNU/Linux has ftruncate
    "nonpic": False,
    "pie_enabled": True,        # Debian's gcc defaults to -pie
    "aarch64_tiny": False,      # other architectures
}

# keyword -> (kind, extra flags, program); kind "object" must compile,
# "run" must compile, link and exit 0.
_PROBES = {
    "size32plus": ("object", [], "char dummy[16777217L];"),
    "large_long_double": ("object", [], "int dummy[sizeof(long double) > sizeof(double) ? 1 : -1];"),
    "lp64": ("object", [], "int dummy[sizeof(int) == 4 && sizeof(void *) == 8 && sizeof(long) == 8 ? 1 : -1];"),
    "ilp32": ("object", [], "int dummy[sizeof(int) == 4 && sizeof(void *) == 4 && sizeof(long) == 4 ? 1 : -1];"),
    "ia32": ("object", [], "#if !defined __i386__\n#error not ia32\n#endif\nint dummy;"),
    "tls": ("object", [], "__thread int i;"),
    "fpic": ("object", ["-fpic"], "int dummy;"),
    "lto": ("object", ["-flto"], "void foo (void) { }"),
    "sse2": ("object", ["-msse2"], "typedef long long v2di __attribute__((vector_size(16)));\n"
             "v2di f (v2di a, v2di b) { return __builtin_ia32_paddq128 (a, b); }"),
    "avx": ("object", ["-mavx"], "void f (void) { __asm__ volatile (\"vzeroall\"); }"),
    "avx512f": ("object", ["-mavx512f"],
                "typedef double v8df __attribute__((vector_size(64)));\n"
                "v8df f (v8df a, v8df b) { return a + b; }\n"
                "void g (void) { __asm__ volatile (\"vpaddd %zmm0, %zmm1, %zmm2\"); }"),
    "tls_runtime": ("run", [], "__thread int thr __attribute__((tls_model(\"global-dynamic\"))) = 0;\n"
                    "int main (void) { return thr; }"),
    "sse2_runtime": ("run", ["-msse2"], "int main (void) { return !__builtin_cpu_supports (\"sse2\"); }"),
    # __builtin_cpu_supports ("avx") also checks that the OS saves the AVX state.
    "avx_runtime": ("run", ["-mavx"], "int main (void) { return !__builtin_cpu_supports (\"avx\"); }"),
    "avx2_runtime": ("run", ["-mavx2"], "int main (void) { return !__builtin_cpu_supports (\"avx2\"); }"),
    # not a DejaGnu keyword: what libgomp's configure checks for HAVE_PTHREAD_AFFINITY_NP
    "pthread_affinity_np": ("run", ["-pthread"], "#define _GNU_SOURCE\n#include <pthread.h>\n"
                            "int main (void) { cpu_set_t s; return pthread_getaffinity_np (pthread_self (), "
                            "sizeof s, &s) != 0; }"),
}

# keyword -> keywords that must all hold
_DERIVED = {
    "vect_simd_clones": ("x86", "avx512f"),
}


def target_triplet():
    """config.guess style triplet (x86_64-pc-linux-gnu) from `gcc -dumpmachine`."""
    machine = subprocess.run(["gcc", "-dumpmachine"], capture_output=True, text=True).stdout.strip()
    parts = machine.split("-")
    if len(parts) == 3:
        vendor = "pc" if parts[0] in ("x86_64", "i386", "i486", "i586", "i686") else "unknown"
        parts.insert(1, vendor)
    return "-".join(parts)


class Host:
    """Answers effective-target questions, probing each keyword at most once."""

    def __init__(self, workdir):
        self.triplet = target_triplet()
        self.workdir = workdir
        self.cache = {}
        self.unknown = set()

    def keyword(self, name):
        if name not in self.cache:
            self.cache[name] = self._evaluate(name)
        return self.cache[name]

    def _evaluate(self, name):
        if name == "x86":
            return fnmatch.fnmatchcase(self.triplet, "x86_64-*-*") or fnmatch.fnmatchcase(self.triplet, "i?86-*-*")
        if name == "run_expensive_tests":
            return bool(os.environ.get("GCC_TEST_RUN_EXPENSIVE"))
        if name in _CONSTANT:
            return _CONSTANT[name]
        if name in _DERIVED:
            return all(self.keyword(k) for k in _DERIVED[name])
        if name in _PROBES:
            return self._probe(*_PROBES[name])
        if name not in self.unknown:
            self.unknown.add(name)
            print(f"gcc-testsuite: unknown effective target '{name}', taken as false", file=sys.stderr)
        return False

    def _probe(self, kind, flags, program):
        os.makedirs(self.workdir, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=self.workdir) as tmp:
            src = os.path.join(tmp, "probe.c")
            with open(src, "w") as f:
                f.write(program + "\n")
            out = os.path.join(tmp, "probe.o" if kind == "object" else "probe")
            cmd = ["gcc"] + flags + (["-c"] if kind == "object" else []) + [src, "-o", out]
            if subprocess.run(cmd, capture_output=True).returncode != 0:
                return False
            if kind == "run":
                return subprocess.run([out], capture_output=True).returncode == 0
            return True

    # -- selectors --------------------------------------------------------

    def selector(self, text):
        """Truth of a selector given as Tcl text (without the leading 'target')."""
        return self.words_hold(tcl.split_words(text))

    def words_hold(self, words):
        if len(words) == 2 and words[0] == "!":
            return not self.operand_holds(words[1])
        if len(words) == 3 and words[1] in ("&&", "||"):
            left, right = self.operand_holds(words[0]), self.operand_holds(words[2])
            return (left and right) if words[1] == "&&" else (left or right)
        return any(self.operand_holds(w) for w in words)

    def operand_holds(self, word):
        inner = tcl.split_words(word)
        if len(inner) != 1 or inner[0] != word:
            return self.words_hold(inner)
        if word.count("-") >= 2:
            return fnmatch.fnmatchcase(self.triplet, word)
        return self.keyword(word)
