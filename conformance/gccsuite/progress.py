"""Progress on stderr: one self-updating line on a terminal, periodic lines in a log.

Failures are printed as they happen either way, so a CI log shows them even
when the run is cut short.
"""
import sys
import threading
import time


class Progress:
    def __init__(self, phase, total, quiet_failures=False):
        self.phase, self.total = phase, total
        self.done = self.failed = 0
        self.quiet_failures = quiet_failures
        self.start = time.monotonic()
        self.tty = sys.stderr.isatty()
        self.next_report = 0
        self.lock = threading.Lock()
        self._show(force=True)

    def step(self, ok, label, note=None):
        with self.lock:
            self.done += 1
            if not ok:
                self.failed += 1
                if not self.quiet_failures:
                    self._clear()
                    print(f"  FAIL {label}: {note or ''}".rstrip(), file=sys.stderr, flush=True)
            self._show()

    def _line(self):
        elapsed = time.monotonic() - self.start
        return f"[{self.phase}] {self.done}/{self.total}, {self.failed} failed, {elapsed:.0f}s"

    def _clear(self):
        if self.tty:
            print("\r\033[K", end="", file=sys.stderr)

    def _show(self, force=False):
        if self.tty:
            print("\r\033[K" + self._line(), end="", file=sys.stderr, flush=True)
        elif force or self.done >= self.next_report or self.done == self.total:
            print(self._line(), file=sys.stderr, flush=True)
            self.next_report = self.done + max(1, self.total // 10)

    def finish(self):
        with self.lock:
            if self.tty:
                print("\r\033[K" + self._line(), file=sys.stderr, flush=True)
            return time.monotonic() - self.start
