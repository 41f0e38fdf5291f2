"""The checked-in list of known failures: reading it, judging a run, rewriting it.

One test per line: its id, blanks, a one-line reason.  `#` starts a comment.
A reason starting with `[flaky]` marks a test that may pass or fail; such a
test is not reported when it passes.  Every other listed test must fail
under hsomp: a listed test that passes is an error ("remove it from the
list"), and so is a failing test that is not listed.
"""
import os

FLAKY = "[flaky]"


class KnownFailures:
    def __init__(self, path):
        self.path = path
        self.header = []
        self.entries = {}      # id -> reason
        if os.path.exists(path):
            self._read()

    def _read(self):
        in_header = True
        with open(self.path) as f:
            for line in f:
                stripped = line.strip()
                if not stripped or stripped.startswith("#"):
                    if in_header:
                        self.header.append(line.rstrip("\n"))
                    continue
                in_header = False
                test_id, _, reason = stripped.partition(" ")
                self.entries[test_id] = reason.strip() or "no reason given"

    def flaky(self, test_id):
        return self.entries.get(test_id, "").startswith(FLAKY)

    def write(self, entries):
        """Replace the entries (id -> reason), keeping the header comment."""
        self.entries = dict(entries)
        width = max([len(k) for k in self.entries] + [0]) + 2
        tmp = self.path + ".tmp"
        with open(tmp, "w") as f:
            for line in self.header:
                f.write(line + "\n")
            if self.header and self.header[-1].strip():
                f.write("\n")
            for test_id in sorted(self.entries):
                f.write(test_id.ljust(width) + self.entries[test_id] + "\n")
        os.replace(tmp, self.path)
