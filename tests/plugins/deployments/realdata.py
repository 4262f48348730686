"""
The 69 real revert commits of tests/fixtures/real/openedx-repos__revert-commits.tsv and the bodies file beside it,
as (repository, sha, own PR number, title, body) rows.
"""
import re

from tests.conftest import REAL

_SUFFIX = re.compile(r"\s*\(#(\d+)\)\s*$")


def _bodies():
    text = (REAL / "openedx-repos__revert-commit-bodies.txt").read_text()
    bodies = {}
    for block in text.split("=== ")[1:]:
        lines = block.splitlines()
        sha = lines[1].split()[1]
        blank = lines.index("", 2)  # headers end at the first blank line; then subject, blank, body
        bodies[sha] = "\n".join(lines[blank + 3:]).strip()
    return bodies


def rows():
    """Each revert commit: repository, sha, own_pr (the squash suffix, or None), subject, body (or None)."""
    bodies = _bodies()
    out = []
    for line in (REAL / "openedx-repos__revert-commits.tsv").read_text().splitlines():
        if line.startswith("#") or not line.strip():
            continue
        repository, sha, _date, _author, subject = line.split("\t")
        suffix = _SUFFIX.search(subject)  # a squash merge's "(#N)" ends the subject, after any closing quote
        own = int(suffix.group(1)) if suffix else None
        out.append((repository, sha, own, subject, bodies.get(sha)))
    return out
