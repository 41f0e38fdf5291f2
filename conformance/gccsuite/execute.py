"""Running a built test with one OpenMP runtime loaded as libgomp.so.1.

A runtime is a shared library; the runner makes a directory holding a
`libgomp.so.1` symlink to it and puts that directory first on
LD_LIBRARY_PATH, so the test program (linked against libgomp.so.1 by soname)
loads it instead of the system libgomp.  `check_loaded` asks the dynamic
linker which file it would really pick, so a run can never silently test the
wrong library.

A run passes when the program exits 0 (non-zero with dg-shouldfail; a death
by signal counts as non-zero, as in DejaGnu) within its time limit and its
combined stdout+stderr matches the dg-output pattern.  The environment is the
caller's minus every OMP_*, GOMP_*, KMP_* variable and LD_PRELOAD, plus
LC_ALL=C/LANG=C (as libgomp.exp sets), the runner's --env values (stress
runs) and the test's dg-set-target-env-var values.  Each run gets a fresh
scratch directory as its working directory.
"""
import hashlib
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time

_DROP_PREFIXES = ("OMP_", "GOMP_", "KMP_")


class Runtime:
    def __init__(self, name, library, cache):
        self.name = name
        self.library = os.path.realpath(library)
        tag = hashlib.sha256(self.library.encode()).hexdigest()[:12]
        self.libdir = os.path.join(cache, "runtimes", f"{name}-{tag}")
        os.makedirs(self.libdir, exist_ok=True)
        link = os.path.join(self.libdir, "libgomp.so.1")
        tmp = link + ".%d.tmp" % os.getpid()
        os.symlink(self.library, tmp)
        os.replace(tmp, link)


class Result:
    def __init__(self, status, reason="", seconds=0.0):
        self.status = status        # pass, fail, xfail (expected failure), xpass
        self.reason = reason        # for a failure: "exit 1: <last output line>" and the like
        self.seconds = seconds

    @property
    def ok(self):
        return self.status in ("pass", "xfail", "xpass")


def base_environment(runtime):
    env = {k: v for k, v in os.environ.items() if not k.startswith(_DROP_PREFIXES) and k != "LD_PRELOAD"}
    env["LD_LIBRARY_PATH"] = runtime.libdir + (":" + env["LD_LIBRARY_PATH"] if env.get("LD_LIBRARY_PATH") else "")
    env["LC_ALL"] = env["LANG"] = "C"
    return env


def check_loaded(runtime, exe):
    """"" if `exe` would load runtime.library as libgomp.so.1, else what is wrong."""
    env = base_environment(runtime)
    env["LD_TRACE_LOADED_OBJECTS"] = "1"
    r = subprocess.run([exe], env=env, capture_output=True, text=True, timeout=60)
    for line in r.stdout.splitlines():
        m = re.match(r"\s*libgomp\.so\.1 => (\S+)", line)
        if m:
            got = os.path.realpath(m.group(1))
            return "" if got == runtime.library else f"libgomp.so.1 resolves to {got}, not {runtime.library}"
    return "the program does not load libgomp.so.1 at all:\n" + r.stdout + r.stderr


def system_libgomp(exe):
    """The libgomp.so.1 the dynamic linker picks with no help (the system's)."""
    env = {k: v for k, v in os.environ.items() if k not in ("LD_LIBRARY_PATH", "LD_PRELOAD")}
    env["LD_TRACE_LOADED_OBJECTS"] = "1"
    r = subprocess.run([exe], env=env, capture_output=True, text=True, timeout=60)
    m = re.search(r"libgomp\.so\.1 => (\S+)", r.stdout)
    return os.path.realpath(m.group(1)) if m else None


def _last_line(text):
    lines = [l.strip() for l in text.splitlines() if l.strip()]
    return lines[-1][:200] if lines else "no output"


def _describe_exit(rc):
    if rc < 0:
        try:
            return "killed by " + signal.Signals(-rc).name
        except ValueError:
            return f"killed by signal {-rc}"
    return f"exit {rc}"


def run_one(test, exe, runtime, scratch_root, default_timeout, extra_env=None):
    env = base_environment(runtime)
    env.update(extra_env or {})
    env.update(test.env)
    limit = (test.timeout or default_timeout) * test.timeout_factor
    os.makedirs(scratch_root, exist_ok=True)
    cwd = tempfile.mkdtemp(prefix="run-", dir=scratch_root)
    start = time.monotonic()
    try:
        proc = subprocess.Popen([exe], cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, start_new_session=True)
        try:
            raw, _ = proc.communicate(timeout=limit)
            timed_out = False
        except subprocess.TimeoutExpired:
            # Note [Killing a hung test]: the program runs in its own session, so
            # killing its process group also takes any helper processes it forked,
            # which would otherwise keep the output pipe open and block us.
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            raw, _ = proc.communicate()
            timed_out = True
    finally:
        shutil.rmtree(cwd, ignore_errors=True)
    seconds = time.monotonic() - start
    out = raw.decode(errors="replace")
    if timed_out:
        ok, why = False, f"timeout after {limit:g}s: {_last_line(out)}"
    else:
        rc = proc.returncode
        ok = (rc != 0) if test.shouldfail else (rc == 0)
        why = _describe_exit(rc) + ("" if not test.shouldfail else " (dg-shouldfail wants non-zero)") \
            + ": " + _last_line(out)
        if ok and test.output:
            try:
                matched = re.search(test.output, out, re.S) is not None
            except re.error as e:
                matched, why = False, f"dg-output pattern not understood ({e})"
            if not matched:
                ok = False
                why = why if why.startswith("dg-output pattern") else "output does not match dg-output: " + _last_line(out)
    if test.xfail:
        return Result("xpass" if ok else "xfail", "" if ok else why, seconds)
    return Result("pass" if ok else "fail", "" if ok else why, seconds)
