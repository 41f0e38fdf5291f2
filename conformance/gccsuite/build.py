"""Building the tests: each run test once, cached, a few compilers at a time.

A test is compiled the way libgomp.exp compiles it: gcc, or gcc in C++ mode
(`-x c++`, so libgomp.c-c++-common/*.c are C++ too), or gfortran, with
`-fopenmp`, `-I<GCC source>/include` (gomp-constants.h), `-I<libgomp source
dir>` (some tests include libgomp_g.h), the
no-colour/no-caret diagnostic flags, the test's flags, its additional
sources, and DejaGnu's `-lm` (plus `-lquadmath` for Fortran, as fortran.exp
adds it when it links).  The program links against libgomp.so.1 by soname,
so whichever library carries that name at run time is the one under test.

Each test builds in its own directory (Fortran module files land there).  A
build is reused while its key (compiler identity, command line, contents of
the sources) is unchanged; a failed build is remembered the same way, with
its compiler output in build.log.
"""
import concurrent.futures
import hashlib
import os
import subprocess

DRIVERS = {"c": "gcc", "c++": "g++", "fortran": "gfortran"}
DIAGNOSTIC_FLAGS = ["-fmessage-length=0", "-fno-diagnostics-show-caret", "-fdiagnostics-color=never"]
BUILD_TIMEOUT = 600


class Built:
    """Where a test's program is, or why there is none."""

    def __init__(self, exe=None, error=""):
        self.exe, self.error = exe, error


def _compiler_identity(driver, memo={}):
    if driver not in memo:
        r = subprocess.run([driver, "--version"], capture_output=True, text=True)
        memo[driver] = r.stdout.splitlines()[0] if r.returncode == 0 and r.stdout else driver + " (missing)"
    return memo[driver]


def _quadmath_flags(memo=[]):
    if not memo:
        r = subprocess.run(["gfortran", "-print-file-name=libquadmath.so"], capture_output=True, text=True)
        memo.append(["-lquadmath"] if os.path.isabs(r.stdout.strip()) else [])
    return memo[0]


def write_config_header(host, include_dir):
    """The config.h of a libgomp build directory, as far as tests use it.

    DejaGnu compiles libgomp's tests with -I<libgomp build dir>; one test
    (libgomp.c/affinity-1.c) includes the config.h that libgomp's configure
    wrote there.  We answer its one question the way configure would here.
    """
    os.makedirs(include_dir, exist_ok=True)
    lines = ["/* Written by conformance/run-gcc-testsuite: libgomp's configure results",
             "   that tests look at, for this host.  */"]
    if host.keyword("pthread_affinity_np"):
        lines.append("#define HAVE_PTHREAD_AFFINITY_NP 1")
    text = "\n".join(lines) + "\n"
    path = os.path.join(include_dir, "config.h")
    try:
        with open(path) as f:
            if f.read() == text:
                return include_dir
    except OSError:
        pass
    with open(path + ".%d.tmp" % os.getpid(), "w") as f:
        f.write(text)
    os.replace(path + ".%d.tmp" % os.getpid(), path)
    return include_dir


def command(test, libgomp_dir, include_dir, exe):
    driver = DRIVERS[test.lang]
    lang_mode = ["-x", "c++"] if test.lang == "c++" else []
    libs = ["-lm"] + (_quadmath_flags() if test.lang == "fortran" else [])
    gcc_include = os.path.join(os.path.dirname(libgomp_dir), "include")
    return ([driver] + lang_mode + [test.path] + test.sources
            + ["-fopenmp", "-I" + include_dir, "-I" + gcc_include, "-I" + libgomp_dir]
            + DIAGNOSTIC_FLAGS + test.flags + ["-o", exe] + libs)


def _key(test, argv):
    h = hashlib.sha256()
    h.update(_compiler_identity(DRIVERS[test.lang]).encode())
    h.update("\0".join(argv).encode())
    for src in [test.path] + test.sources:
        try:
            with open(src, "rb") as f:
                h.update(f.read())
        except OSError:
            h.update(b"missing " + src.encode())
    return h.hexdigest()


def build_one(test, build_root, libgomp_dir, include_dir):
    workdir = os.path.join(build_root, test.lang, test.id.split(":", 1)[1])
    exe = os.path.join(workdir, "test.exe")
    argv = command(test, libgomp_dir, include_dir, exe)
    key = _key(test, argv)
    stamp, log = os.path.join(workdir, "stamp"), os.path.join(workdir, "build.log")
    try:
        with open(stamp) as f:
            state, old_key = f.read().split()
        if old_key == key:
            if state == "ok" and os.path.exists(exe):
                return Built(exe)
            if state == "failed":
                return Built(error=_last_line(log))
    except (OSError, ValueError):
        pass
    os.makedirs(workdir, exist_ok=True)
    tmp_exe = exe + ".%d.tmp" % os.getpid()   # another runner may build the same test concurrently
    argv[argv.index(exe)] = tmp_exe
    try:
        r = subprocess.run(argv, cwd=workdir, capture_output=True, text=True, timeout=BUILD_TIMEOUT)
        ok, text = r.returncode == 0, r.stdout + r.stderr
    except subprocess.TimeoutExpired:
        ok, text = False, f"compiler timed out after {BUILD_TIMEOUT}s"
    with open(log, "w") as f:
        f.write(" ".join(argv) + "\n" + text)
    if ok:
        os.replace(tmp_exe, exe)
    elif os.path.exists(tmp_exe):
        os.remove(tmp_exe)
    with open(stamp + ".tmp", "w") as f:
        f.write(("ok " if ok else "failed ") + key + "\n")
    os.replace(stamp + ".tmp", stamp)
    return Built(exe) if ok else Built(error=_last_line(log))


def _last_line(path):
    try:
        with open(path, errors="replace") as f:
            lines = [l.strip() for l in f if l.strip()]
    except OSError:
        return "build failed"
    return "build failed: " + (lines[-1][:200] if len(lines) > 1 else "no compiler output")


def build_all(tests, build_root, libgomp_dir, include_dir, jobs, progress):
    """{test id: Built} for every test, `jobs` compilers at a time."""
    out = {}
    with concurrent.futures.ThreadPoolExecutor(max(1, jobs)) as pool:
        futures = {pool.submit(build_one, t, build_root, libgomp_dir, include_dir): t for t in tests}
        for fut in concurrent.futures.as_completed(futures):
            t = futures[fut]
            out[t.id] = fut.result()
            progress.step(ok=out[t.id].exe is not None, label=t.id,
                          note=None if out[t.id].exe else out[t.id].error)
    return out


def libgomp_probe(workdir):
    """A program that certainly loads libgomp.so.1, for asking the dynamic
    linker which file a runtime directory really provides (a test need not
    load it: one without OpenMP calls is linked without it)."""
    os.makedirs(workdir, exist_ok=True)
    src = os.path.join(workdir, "loads-libgomp.c")
    exe = os.path.join(workdir, "loads-libgomp")
    tmp = exe + ".%d.tmp" % os.getpid()
    with open(src + ".%d.tmp" % os.getpid(), "w") as f:
        f.write("#include <omp.h>\nint main (void) { return omp_get_max_threads () > 0 ? 0 : 1; }\n")
    os.replace(src + ".%d.tmp" % os.getpid(), src)
    r = subprocess.run([DRIVERS["c"], "-fopenmp", src, "-o", tmp], capture_output=True, text=True)
    if r.returncode != 0:
        return None
    os.replace(tmp, exe)
    return exe
