"""
Small git repositories written by the tests, commit by commit, with chosen authors and dates; and where the real
histories are (the git bundles of openedx/XBlock and openedx/edx-toggles).
"""
import os
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# The bundles of the team's shared data, copied like the other real files (tests/fixtures/git/README.md): CI runs the
# tests against them on a fresh machine, where nothing beside the checkout can be counted on.
REAL_GIT = ROOT / "tests" / "fixtures" / "git"


def git(path, *args, env=None, text=True):
    """Run git in ``path``; its standard output."""
    result = subprocess.run(["git", "-C", str(path), *args], capture_output=True, text=text, check=True,
                            env={**os.environ, **(env or {})})
    return result.stdout


def clone_bundle(name, destination):
    """Clone ``<name>.bundle`` of REAL_GIT into ``destination``; None when the bundle is not here."""
    bundle = REAL_GIT / f"{name}.bundle"
    if not bundle.exists():
        return None
    subprocess.run(["git", "clone", "-q", str(bundle), str(destination)], check=True)
    return destination


class GitRepo:
    """A repository built by a test: ``commit`` and ``merge`` return the new commit's sha."""

    def __init__(self, path):
        self.path = Path(path)
        self.path.mkdir(parents=True, exist_ok=True)
        git(self.path, "init", "-q", "-b", "main")
        self._tick = 0

    def _env(self, author, committer=None):
        self._tick += 1
        date = f"2026-01-01T10:{self._tick // 60:02d}:{self._tick % 60:02d}+01:00"
        name, email = author
        committer_name, committer_email = committer or ("GitHub", "noreply@github.com")
        return {"GIT_AUTHOR_NAME": name, "GIT_AUTHOR_EMAIL": email, "GIT_AUTHOR_DATE": date,
                "GIT_COMMITTER_NAME": committer_name, "GIT_COMMITTER_EMAIL": committer_email,
                "GIT_COMMITTER_DATE": date}

    def write(self, files):
        for name, content in files.items():
            target = self.path / name
            if content is None:
                git(self.path, "rm", "-q", name)
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(content)
            git(self.path, "add", name)

    def commit(self, message, files=None, *, author=("Ada Lovelace", "ada@example.org"), committer=None):
        self.write(files or {f"file-{self._tick}.txt": f"{self._tick}\n"})
        git(self.path, "commit", "-q", "--allow-empty", "-m", message, env=self._env(author, committer))
        return self.head()

    def branch(self, name, start="HEAD"):
        git(self.path, "checkout", "-q", "-b", name, start)

    def checkout(self, name):
        git(self.path, "checkout", "-q", name)

    def merge(self, branch, message, *, author=("Merger", "merger@example.org")):
        git(self.path, "merge", "-q", "--no-ff", "--no-edit", "-m", message, branch, env=self._env(author))
        return self.head()

    def head(self, ref="HEAD"):
        return git(self.path, "rev-parse", ref).strip()
