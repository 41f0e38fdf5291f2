"""The test sources: GCC 12's libgomp testsuite, fetched from Debian's gcc-12-source.

On first use the package is downloaded with `apt-get download gcc-12-source`
and only the libgomp/ and include/ directories of GCC's source tarball are
unpacked into the cache (never into the repository): libgomp.exp compiles
with -I<libgomp> and -I<gcc>/include (on_device_arch.h includes
gomp-constants.h from there).  The plain upstream tarball is used: the Debian
package builds its compiler from it without the branch-update patch (its
debian/rules.patch leaves git-updates commented out).

Tests are gathered as the libgomp testsuite's .exp files gather them
(DejaGnu's `find` descends into subdirectories):
  c        libgomp.c/**.c            + libgomp.c-c++-common/*.c
  c++      libgomp.c++/**.C          + libgomp.c-c++-common/*.c (built as C++)
  fortran  libgomp.fortran/**.{f,F,f90,F90,f95,F95,f03,F03,f08,F08}
"""
import fcntl
import glob
import os
import shutil
import subprocess
import sys
import tempfile

from .directives import parse_test

LANG_DIRS = {
    "c": [("libgomp.c", (".c",)), ("libgomp.c-c++-common", (".c",))],
    "c++": [("libgomp.c++", (".C",)), ("libgomp.c-c++-common", (".c",))],
    "fortran": [("libgomp.fortran", tuple("." + x + y for x in "fF" for y in ("", "90", "95", "03", "08")))],
}
PACKAGE = "gcc-12-source"


def _find_testsuite(root):
    hits = sorted(glob.glob(os.path.join(root, "gcc-*", "libgomp", "testsuite")))
    hits = [h for h in hits if os.path.exists(gcc_include_dir(h) + "/gomp-constants.h")]
    return hits[-1] if hits else None


def gcc_include_dir(testsuite):
    """GCC's top-level include/ for a libgomp/testsuite directory."""
    return os.path.join(os.path.dirname(os.path.dirname(testsuite)), "include")


def testsuite_dir(cache, source=None):
    """Path of libgomp/testsuite, fetching and unpacking the sources if needed."""
    if source:
        for cand in (os.path.join(source, "libgomp", "testsuite"), os.path.join(source, "testsuite"), source):
            if os.path.isdir(os.path.join(cand, "libgomp.c")):
                return cand
        sys.exit(f"gcc-testsuite: no libgomp testsuite under {source}")
    src_root = os.path.join(cache, "src")
    found = _find_testsuite(src_root)
    if found:
        return found
    os.makedirs(cache, exist_ok=True)
    with open(os.path.join(cache, ".fetch-lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)      # another runner may be fetching right now
        found = _find_testsuite(src_root)
        if found:
            return found
        _fetch(cache, src_root)
    found = _find_testsuite(src_root)
    if not found:
        sys.exit("gcc-testsuite: the downloaded sources hold no libgomp testsuite")
    return found


def _fetch(cache, src_root):
    print(f"gcc-testsuite: fetching {PACKAGE} (apt-get download, ~85 MB) into {cache}", file=sys.stderr, flush=True)
    with tempfile.TemporaryDirectory(dir=cache) as tmp:
        r = subprocess.run(["apt-get", "download", PACKAGE], cwd=tmp, capture_output=True, text=True)
        if r.returncode != 0 and os.geteuid() == 0:
            # A fresh machine may have no package lists yet (./run refreshes
            # them the same way before installing packages).
            print("gcc-testsuite: apt-get download failed; refreshing the package lists (apt-get update)",
                  file=sys.stderr, flush=True)
            subprocess.run(["apt-get", "update", "-q"], capture_output=True)
            r = subprocess.run(["apt-get", "download", PACKAGE], cwd=tmp, capture_output=True, text=True)
        debs = glob.glob(os.path.join(tmp, PACKAGE + "_*.deb"))
        if r.returncode != 0 or not debs:
            sys.exit(f"gcc-testsuite: `apt-get download {PACKAGE}` failed (is the Debian archive reachable? "
                     f"try `apt-get update`; or pass --source DIR):\n{r.stderr.strip()}")
        unpacked = os.path.join(tmp, "deb")
        subprocess.run(["dpkg-deb", "-x", debs[0], unpacked], check=True)
        tarballs = [t for t in glob.glob(os.path.join(unpacked, "usr/src/gcc-*/gcc-*.tar.*"))
                    if os.path.basename(t).startswith("gcc-1")]
        if not tarballs:
            sys.exit(f"gcc-testsuite: no GCC tarball inside {os.path.basename(debs[0])}")
        staging = os.path.join(tmp, "src")
        os.makedirs(staging)
        # Directory members: the two top-level directories, not every */include.
        subprocess.run(["tar", "-xf", tarballs[0], "-C", staging, "--wildcards", "--no-wildcards-match-slash",
                        "*/libgomp", "*/include"], check=True)
        os.makedirs(src_root, exist_ok=True)
        for entry in os.listdir(staging):
            dest = os.path.join(src_root, entry)
            if os.path.exists(dest):
                shutil.rmtree(dest)
            os.rename(os.path.join(staging, entry), dest)
        with open(os.path.join(src_root, "FROM"), "w") as f:
            f.write(os.path.basename(debs[0]) + " " + os.path.basename(tarballs[0]) + "\n")


def collect(host, testsuite, langs):
    """All tests of the chosen languages, parsed, in a stable order."""
    tests = []
    for lang in langs:
        for directory, exts in LANG_DIRS[lang]:
            top = os.path.join(testsuite, directory)
            for root, dirs, files in os.walk(top):
                dirs.sort()
                for name in sorted(files):
                    if name.endswith(exts):
                        path = os.path.join(root, name)
                        rel = os.path.relpath(path, testsuite)
                        tests.append(parse_test(host, f"{lang}:{rel}", lang, os.path.dirname(rel), path))
    return tests
