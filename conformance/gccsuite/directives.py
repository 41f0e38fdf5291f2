"""Reading a libgomp test: its DejaGnu `dg-*` directives, turned into a TestCase.

What each directive means follows GCC's testsuite libraries (dg.exp,
gcc-dg.exp, target-supports-dg.exp, libgomp.exp), for the part that matters
to run tests:

  dg-do ACTION [{ target SEL }]        only `run` tests are built and run; a
                                       false selector makes the test unsupported
  dg-options OPTS [{ target SEL }]     replaces the default flags (-O2 for C
                                       and C++; for Fortran they are added to
                                       the optimisation flags, like
                                       gfortran-dg-runtest's torture flags)
  dg-additional-options OPTS [SEL]     appended to the flags
  dg-additional-sources "FILES"        compiled and linked with the test
  dg-set-target-env-var VAR VALUE      in the environment of the run
  dg-shouldfail COMMENT [SEL]          the run must exit non-zero
  dg-output REGEX [SEL]                all dg-output texts, concatenated, must
                                       match the run's output (Tcl regexp)
  dg-xfail-run-if COMMENT SEL [INC [EXC]]  a failing run is expected
  dg-skip-if COMMENT SEL [INC [EXC]]   unsupported when SEL holds and the
                                       flags match INC but not EXC
  dg-require-effective-target KW [SEL] unsupported unless KW holds
  dg-require-alias, dg-add-options, dg-timeout, dg-timeout-factor

Compile-time checks (dg-warning, dg-error, dg-final scans, ...) are not about
the runtime and are ignored, as are tests whose action is not `run`.
DejaGnu reads one directive per line: the last `{ dg-NAME ... }` on the line,
with blanks after the `{` and before the `}`.
"""
import dataclasses
import fnmatch
import os
import re
import shlex

from . import tcl

_DIRECTIVE = re.compile(r"^.*(\{[ \t]+dg-[-a-z]+[ \t]+.*[ \t]+\})[^}]*$")

# gfortran-dg-runtest builds Fortran tests with each of several optimisation
# sets; we build once, with this one.
FORTRAN_TORTURE_FLAGS = ["-O2"]
DEFAULT_FLAGS = {"c": ["-O2"], "c++": ["-O2"], "fortran": []}

# dg-add-options FEATURE -> flags on x86_64 (target-supports.exp add_options_for_*)
_ADD_OPTIONS = {"__float128": [], "tls": [], "ieee": []}


@dataclasses.dataclass
class TestCase:
    id: str                 # "<lang>:<dir>/<file>", e.g. "c++:libgomp.c-c++-common/for-1.c"
    lang: str               # c, c++ or fortran
    directory: str          # libgomp.c, libgomp.c++, libgomp.c-c++-common, libgomp.fortran
    path: str
    action: str = "run"
    unsupported: str = ""   # why the test does not run here ("" = it runs)
    flags: list = dataclasses.field(default_factory=list)
    sources: list = dataclasses.field(default_factory=list)
    env: dict = dataclasses.field(default_factory=dict)
    shouldfail: bool = False
    xfail: bool = False
    output: str = ""        # concatenated dg-output regex, "" if none
    timeout: float = 0.0    # dg-timeout seconds, 0 = the runner's default
    timeout_factor: float = 1.0

    @property
    def runs(self):
        return self.action == "run" and not self.unsupported


def read_directives(path):
    """[(line number, [directive name, arg, ...])] in file order."""
    found = []
    with open(path, errors="replace") as f:
        for number, line in enumerate(f, 1):
            if "dg-" not in line:
                continue
            m = _DIRECTIVE.match(line.rstrip("\n"))
            if m:
                words = tcl.split_words(m.group(1)[1:-1])
                if words:
                    found.append((number, words))
    return found


def _flags_match(flags, patterns, empty_means):
    """check-flags: does any pattern (a glob over the blank-separated flags) match?"""
    if not patterns:
        return empty_means
    text = " toolname " + " ".join(flags) + " "
    for p in tcl.split_words(patterns) if isinstance(patterns, str) else patterns:
        if p == "*":
            return True
        if p and fnmatch.fnmatchcase(text, "* " + p + " *"):
            return True
    return False


def _target_ok(host, sel):
    """dg-process-target for `{ target SEL }` (or `{ xfail SEL }`): does SEL hold?"""
    words = tcl.split_words(sel)
    if words and words[0] in ("target", "xfail"):
        return host.words_hold(words[1:]) if len(words) > 1 else True
    return host.words_hold(words)


def parse_test(host, test_id, lang, directory, path):
    t = TestCase(id=test_id, lang=lang, directory=directory, path=path)
    options = None
    extra = []
    skip_checks = []      # (selector, include, exclude) of dg-skip-if, decided once flags are known
    xfail_checks = []
    for _, words in read_directives(path):
        name, args = words[0], words[1:]
        if name == "dg-do" and args:
            t.action = args[0]
            if len(args) > 1:
                sel = tcl.split_words(args[1])
                if sel and sel[0] == "xfail":
                    t.xfail = t.xfail or _target_ok(host, args[1])
                elif not _target_ok(host, args[1]):
                    t.unsupported = "dg-do %s { %s }" % (args[0], args[1].strip())
        elif name == "dg-options" and args:
            if len(args) < 2 or _target_ok(host, args[1]):
                options = shlex.split(args[0])
        elif name == "dg-additional-options" and args:
            if len(args) < 2 or _target_ok(host, args[1]):
                extra += shlex.split(args[0])
        elif name == "dg-additional-sources" and args:
            t.sources += args[0].split()
        elif name == "dg-set-target-env-var" and len(args) >= 2:
            t.env[args[0]] = args[1]
        elif name == "dg-shouldfail":
            if len(args) < 2 or host.operand_holds(args[1]):
                t.shouldfail = True
        elif name == "dg-output" and args:
            if len(args) < 2 or _target_ok(host, args[1]):
                t.output += args[0]
        elif name == "dg-skip-if" and len(args) >= 2:
            skip_checks.append(args[1:4])
        elif name == "dg-xfail-run-if" and len(args) >= 2:
            xfail_checks.append(args[1:4])
        elif name == "dg-require-effective-target" and args:
            if (len(args) < 2 or _target_ok(host, args[1])) and not host.operand_holds(args[0]):
                t.unsupported = t.unsupported or "requires " + args[0]
        elif name == "dg-add-options" and args:
            if args[0] in _ADD_OPTIONS:
                extra += _ADD_OPTIONS[args[0]]
            else:
                t.unsupported = t.unsupported or "dg-add-options " + args[0] + " unknown to the runner"
        elif name == "dg-timeout" and args:
            try:
                t.timeout = float(args[0])
            except ValueError:
                pass
        elif name == "dg-timeout-factor" and args:
            try:
                t.timeout_factor = float(args[0])
            except ValueError:
                pass
    base = FORTRAN_TORTURE_FLAGS + (options or []) if lang == "fortran" else \
        (options if options is not None else DEFAULT_FLAGS[lang])
    t.flags = base + extra
    for sel, *rest in skip_checks:
        inc = rest[0] if rest else "*"
        exc = rest[1] if len(rest) > 1 else ""
        if host.operand_holds(sel) and _flags_match(t.flags, inc, True) and not _flags_match(t.flags, exc, False):
            t.unsupported = t.unsupported or "dg-skip-if { %s }" % sel.strip()
    for sel, *rest in xfail_checks:
        inc = rest[0] if rest else "*"
        exc = rest[1] if len(rest) > 1 else ""
        if host.operand_holds(sel) and _flags_match(t.flags, inc, True) and not _flags_match(t.flags, exc, False):
            t.xfail = True
    t.sources = [os.path.normpath(os.path.join(os.path.dirname(path), s)) for s in t.sources]
    return t
