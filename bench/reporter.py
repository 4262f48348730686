"""
The reporter benchmark: ``openedx-cc-report --dry-run`` over the whole history of openedx/XBlock (the root commit to
HEAD: 1,686 commits, 894 on the first-parent line, 651 pull requests) against the plain
``git log --first-parent --name-only`` it needs, on the same clone, interleaved. Target: at most twice the time.

The reporter is run in process (``cli.run`` with the arguments of the command line, its output written to memory):
what is measured is its own work, git's processes included, not the start of a Python interpreter. The same run as
a process of its own (``python -m openedx_cc.reporter``, what the console script does) is shown beside it. The
plain git log is timed writing to /dev/null and, as a program needing its output would, read into memory.

Needs no database and no Django: ``bench/run.py`` runs it once, in its own process; ``python bench/reporter.py``
runs it alone. The XBlock bundle is tests/fixtures/git/XBlock.bundle.
"""
import io
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from openedx_cc.reporter.cli import run  # noqa: E402  (after the path is set, for python bench/reporter.py)

BUNDLES = ROOT / "tests" / "fixtures" / "git"
TARGET = 2.0


def _median_ms(samples):
    return statistics.median(samples) * 1e3


def bench(rounds=21):
    """Print the figures; return the ratio of the in-process reporter to the plain git log (None: no bundle)."""
    bundle = BUNDLES / "XBlock.bundle"
    if not bundle.exists():
        print(f"  reporter: skipped, no {bundle} (set OPENEDX_CC_REAL_GIT)")
        return None
    with tempfile.TemporaryDirectory() as directory:
        clone = Path(directory) / "XBlock"
        subprocess.run(["git", "clone", "-q", str(bundle), str(clone)], check=True)
        root = subprocess.run(["git", "-C", str(clone), "rev-list", "--max-parents=0", "HEAD"], check=True,
                              capture_output=True, text=True).stdout.split()[-1]
        argv = ["--environment", "production", "--repo", f"{clone}=openedx/XBlock", "--from", root, "--dry-run"]
        plain = ["git", "-C", str(clone), "log", "--first-parent", "--name-only"]

        def reporter():
            out, err = io.StringIO(), io.StringIO()
            if run(argv, environ={}, out=out, err=err) != 0:
                raise RuntimeError(err.getvalue())
            return out.getvalue()

        def reporter_process():
            subprocess.run([sys.executable, "-m", "openedx_cc.reporter", *argv], check=True, capture_output=True,
                           env={**os.environ, "PYTHONPATH": str(ROOT)})

        def git_log_devnull():
            subprocess.run(plain, check=True, stdout=subprocess.DEVNULL)

        def git_log_read():
            subprocess.run(plain, check=True, capture_output=True)

        report = json.loads(reporter())
        commits = int(subprocess.run(["git", "-C", str(clone), "rev-list", "--count", "HEAD"], check=True,
                                     capture_output=True, text=True).stdout)
        timings = {f: [] for f in (reporter, reporter_process, git_log_devnull, git_log_read)}
        for _ in range(rounds):
            for function, samples in timings.items():
                if function is reporter_process and len(samples) >= 5:
                    continue  # a process start costs the same every time: five are enough
                start = time.perf_counter()
                function()
                samples.append(time.perf_counter() - start)
        ours, process, devnull, read = (_median_ms(s) for s in timings.values())
    ratio = ours / devnull
    print(f"  reporter over XBlock's whole history ({commits:,} commits, {len(report['changes'])} pull requests, "
          f"{len(report['direct_pushes'])} direct pushes), median of {rounds}:")
    print(f"  reporter: openedx-cc-report --dry-run in process {ours:.1f} ms (as a process of its own "
          f"{process:.1f} ms); git log --first-parent --name-only {devnull:.1f} ms to /dev/null, {read:.1f} ms read "
          f"into memory")
    print(f"  reporter: ratio {ratio:.2f} to the plain git log ({ours / read:.2f} to it read into memory) "
          f"(target <= {TARGET:g})")
    return ratio


if __name__ == "__main__":
    bench()
