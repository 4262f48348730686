"""
Public Python API of the deployments applet: recording what a CD pipeline deployed (contract sections 7 and 8).

``record_deployment`` validates a report completely, writes it all or nothing, attributes each change to the
effective Core Committer (merger first, then author) at ``merged_at``, detects reverts, keeps track of where each
change is deployed, and emits ``CC_CHANGE_DEPLOYED`` / ``CC_CHANGE_REVERTED`` through the event log after the
transaction commits. The report ``id`` is the idempotency key. Its cost in SQL queries does not grow with the
number of changes.
"""
from __future__ import annotations

import hashlib
import hmac
import random
import re
import time
from collections import defaultdict

import attr
from django.db import IntegrityError, OperationalError, transaction
from django.db.models import Q

from openedx_cc.events import (
    CC_CHANGE_DEPLOYED,
    CC_CHANGE_REVERTED,
    CCChangeData,
    CCDeploymentData,
    CCRevertData,
)
from openedx_cc.lib.bulk import update_in_groups
from openedx_cc.lib.conf import get_secret
from openedx_cc.lib.errors import InvalidValue, Problem, ValidationFailed
from openedx_cc.lib.toggles import is_enabled
from openedx_cc.plugins.deployments.models import (
    Change,
    DeployedChange,
    Deployment,
    DeploymentKind,
    DeploymentSpan,
    EnvironmentLock,
    Presence,
)
from openedx_cc.plugins.deployments.report import MAX_REPORT_BYTES, Report, parse_report
from openedx_cc.plugins.deployments.reverts import Reference, detect_revert, sha_matches
from openedx_cc.plugins.deployments.toggles import recording_enabled
from openedx_cc.plugins.eventlog import api as eventlog_api
from openedx_cc.plugins.ownership import api as ownership_api

__all__ = [
    "Change",
    "Deployment",
    "DeploymentKind",
    "DeploymentSpan",
    "SIGNATURE_HEADER",
    "recording_allowed",
    "MAX_REPORT_BYTES",
    "Problem",
    "Presence",
    "RecordResult",
    "RecordingBusy",
    "SignatureError",
    "deployments_visible_to",
    "parse_report",
    "record_deployment",
    "recording_enabled",
    "verify_signature",
]

SIGNATURE_HEADER = "X-CC-Signature-256"
_HEX_DIGEST = re.compile(r"[0-9a-f]{64}")
# A presence loads the deployment that brought it without that deployment's stored answer: the answer grows with the
# deployment's changes, and decoding it once per presence made rollbacks quadratic (issue 9, item 2).
_DEPLOYMENT_ANSWER = ("deployed_by__result",)
_MAX_REVERT_DEPTH = 5
# What is kept of a pull request's body: what an operator reads in the admin. Revert detection reads the whole body
# (up to GitHub's 65,536 characters) before this cut; keeping all of it would store 64 KB per change for nothing
# (docs/decisions/0012).
STORED_BODY_CHARS = 4_096
# Reports to different environments run side by side; when two of them insert the same new change (or revert link)
# at the same time, the later one fails on the unique key (or, on MySQL, may be chosen as a deadlock victim; on
# SQLite, finds the database locked) and is recorded again from the start, after a short random pause, until it
# wins or this deadline passes (then the answer is 503, retry later: a race is never a 500).
RETRY_DEADLINE_SECONDS = 30.0
# MySQL/MariaDB ER_LOCK_DEADLOCK and ER_LOCK_WAIT_TIMEOUT (waiting for another report's environment lock);
# PostgreSQL deadlock_detected
_DEADLOCK_CODES = {1213, 1205, "40P01"}
_SQLITE_BUSY = ("database is locked", "database table is locked")


class SignatureError(Exception):
    """The report is unsigned or wrongly signed, or no secret is configured (``configured`` is False then)."""

    def __init__(self, message, *, configured=True):
        super().__init__(message)
        self.configured = configured


def verify_signature(raw: bytes, header: str | None) -> None:
    """
    Check ``X-CC-Signature-256: sha256=<hex HMAC-SHA256 of the raw body>`` against ``OPENEDX_CC_WEBHOOK_SECRET``
    in constant time. Raises ``SignatureError``.
    """
    secret = get_secret("OPENEDX_CC_WEBHOOK_SECRET")
    if secret is None:
        raise SignatureError("OPENEDX_CC_WEBHOOK_SECRET is not set (or is blank): this service accepts no deployment "
                             "report", configured=False)
    if not header:
        raise SignatureError(f"the {SIGNATURE_HEADER} header is missing")
    scheme, _, signature = header.partition("=")
    if scheme.strip().lower() != "sha256" or not signature:
        raise SignatureError(f"the {SIGNATURE_HEADER} header must be 'sha256=<hex digest>'")
    signature = signature.strip().lower()
    if not _HEX_DIGEST.fullmatch(signature):  # compare_digest refuses non-ASCII text: say what is wrong instead
        raise SignatureError(f"the {SIGNATURE_HEADER} digest must be 64 hexadecimal digits")
    expected = hmac.new(secret.encode("utf-8"), raw, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, signature):
        raise SignatureError(f"the {SIGNATURE_HEADER} signature does not match the body")


@attr.s(frozen=True)
class RecordResult:
    """
    The answer to a report: ``status`` 201 (recorded now), 200 (the same report was recorded before; ``body`` is
    the stored answer) or 409 (a different report was recorded under that id), and the JSON ``body``.
    """

    status = attr.ib(type=int)
    body = attr.ib(type=dict)


class _AlreadyRecorded(Exception):
    """Another transaction recorded this report id first."""


class RecordingBusy(Exception):
    """Other reports kept winning the races for the same rows until the deadline: nothing was recorded; retry."""


def record_deployment(raw) -> RecordResult:
    """
    Record a deployment report given as raw bytes or a decoded JSON document (the signature, if any, is checked by
    the caller). Raises ``ValidationFailed`` with every problem; nothing is written then.
    """
    report = parse_report(raw)
    previous = _previous_answer(report)
    if previous is not None:
        return previous
    # Inside a caller's transaction a failed attempt cannot be retried: the caller's snapshot would not see what
    # the other report wrote.
    retry = not transaction.get_connection().in_atomic_block
    deadline = time.monotonic() + RETRY_DEADLINE_SECONDS
    attempt = 0
    while True:
        attempt += 1
        try:
            with transaction.atomic():
                _lock_environment(report.data.environment)
                body = _Ingest(report).run()
        except _AlreadyRecorded:
            return _previous_answer(report)
        except (IntegrityError, OperationalError) as exc:
            if not _is_conflict(exc):
                raise
            if not retry or time.monotonic() >= deadline:
                raise RecordingBusy(f"other reports kept recording the same rows for {RETRY_DEADLINE_SECONDS:.0f} s "
                                    f"({attempt} attempts); nothing was recorded: send the report again") from exc
            time.sleep(min(0.5, 0.01 * 2 ** min(attempt, 6)) * random.uniform(0.5, 1.5))  # noqa: S311  jitter only
            continue
        return RecordResult(status=201, body=body)


def _stored_body(body: str) -> str:
    if len(body) <= STORED_BODY_CHARS:
        return body
    return body[:STORED_BODY_CHARS] + f"\n[... {len(body) - STORED_BODY_CHARS} more characters not stored]"


def _is_conflict(exc: Exception) -> bool:
    """Whether ``exc`` is another transaction's doing, so that recording the report again can succeed."""
    if isinstance(exc, IntegrityError):
        return True
    if any(message in str(exc) for message in _SQLITE_BUSY):
        return True
    cause = exc.__cause__
    code = getattr(cause, "pgcode", None) or (cause.args[0] if getattr(cause, "args", None) else None)
    return code in _DEADLOCK_CODES


def _lock_environment(name: str) -> None:
    """Wait for the reports to ``name`` being recorded, then keep others waiting until this transaction ends."""
    EnvironmentLock.objects.select_for_update().get_or_create(name=name)


def _previous_answer(report: Report) -> RecordResult | None:
    stored = Deployment.objects.filter(report_id=report.data.id).values_list("body_sha256", "result").first()
    if stored is None:
        return None
    body_sha256, result = stored
    if body_sha256 == report.body_sha256:
        return RecordResult(status=200, body=result)
    return RecordResult(status=409, body={"errors": [{
        "field": "id",
        "message": f"a different report was already recorded under the id {report.data.id!r}",
    }]})


def _deployment_data(deployment: Deployment) -> CCDeploymentData:
    return CCDeploymentData(
        deployment_id=deployment.report_id,
        environment=deployment.environment,
        service=deployment.service,
        release=deployment.release,
        deployed_at=deployment.deployed_at,
    )


def _change_data(change: Change) -> CCChangeData:
    return CCChangeData(
        repository=change.repository,
        pr_number=change.pr_number,
        title=change.title,
        url=change.url,
        merge_sha=change.merge_sha,
        author=change.author,
        merged_by=change.merged_by,
        core_committer=change.core_committer,
        merged_at=change.merged_at,
    )


def _title_key(title: str) -> str:
    return " ".join((title or "").split())[:255]


class _Ingest:  # pylint: disable=too-many-instance-attributes
    """
    One report being recorded, inside one transaction.
    """

    def __init__(self, report: Report):
        self.report = report
        self.data = report.data
        self.deployment: Deployment | None = None
        self.changes: list[Change] = []  # the report's changes, in report order
        self.presences: dict[int, Presence] = {}
        self.reverts: dict[int, list[int]] = defaultdict(list)  # change id -> ids of the changes it reverts
        self.by_id: dict[int, Change] = {}
        self.events: list[eventlog_api.PendingEvent] = []
        self.removed: list[dict] = []
        self.kept_out: list[dict] = []  # listed changes whose revert is deployed in the environment
        self.initial: dict[int, tuple] = {}  # change id -> (present before this report, deployment that brought it)
        self.order: list[int] = []  # the changes this report touched, in the order it touched them
        self.reverted_by: dict[int, list[int]] = defaultdict(list)  # change id -> ids of the changes reverting it
        self.open_spans: dict[int, DeploymentSpan] = {}  # change id -> its open stay in this environment
        self.new_spans: list[DeploymentSpan] = []
        self.closed_spans: list[DeploymentSpan] = []

    # -- steps -----------------------------------------------------------------------------------------------------

    def run(self) -> dict:
        self._create_deployment()
        rolled = self._rolled_back_deployments()
        new = self._load_changes()
        self._attribute()
        self._insert(new)
        DeployedChange.objects.bulk_create(
            [DeployedChange(deployment=self.deployment, change=change) for change in self.changes]
        )
        rolled_presences = self._rolled_back_presences(rolled)
        self._resolve_reverts()
        self._load_presences()
        for presence in rolled_presences:
            self._remove(self.by_id[presence.change_id], kind="rollback")
        for change in sorted(self.changes, key=lambda c: (c.merged_at, c.pr_number)):
            self._bring(change)
        self._settle()
        self._save_presences()
        logged = eventlog_api.emit_events(self.events)
        body = self._answer(logged)
        self.deployment.result = body
        self.deployment.save(update_fields=["result"])
        return body

    def _create_deployment(self):
        data = self.data
        self.deployment = Deployment(
            report_id=data.id, environment=data.environment, service=data.service, release=data.release,
            kind=data.kind, deployed_at=data.deployed_at, body_sha256=self.report.body_sha256,
        )
        try:
            with transaction.atomic():
                self.deployment.save()
        except IntegrityError as exc:
            raise _AlreadyRecorded() from exc

    def _rolled_back_deployments(self) -> list[Deployment]:
        if not self.data.rolls_back:
            return []
        found = {d.report_id: d for d in Deployment.objects.filter(report_id__in=self.data.rolls_back).defer("result")}
        problems = []
        for index, report_id in enumerate(self.data.rolls_back):
            deployment = found.get(report_id)
            if deployment is None:
                problems.append(Problem(field=f"rolls_back[{index}]",
                                        message=f"no deployment {report_id!r} is recorded"))
            elif deployment.environment != self.data.environment:
                problems.append(Problem(field=f"rolls_back[{index}]",
                                        message=f"deployment {report_id!r} was to {deployment.environment}, "
                                                f"not {self.data.environment}"))
            elif deployment.deployed_at > self.data.deployed_at:
                problems.append(Problem(field="deployed_at",
                                        message=f"the rollback is dated {self.data.deployed_at.isoformat()}, before "
                                                f"deployment {report_id!r} that it rolls back "
                                                f"({deployment.deployed_at.isoformat()})"))
        if problems:
            raise ValidationFailed(problems)
        rolled = [found[report_id] for report_id in self.data.rolls_back]
        self.deployment.rolls_back.set(rolled)
        return rolled

    def _load_changes(self):
        try:
            names = ownership_api.resolve_repository_names(c.repository for c in self.data.changes)
        except InvalidValue as exc:  # pragma: no cover - names were validated by the parser
            raise ValidationFailed([Problem(field="changes", message=str(exc))]) from exc
        keyed = []
        problems = []
        seen: dict[str, int] = {}
        for index, item in enumerate(self.data.changes):
            repository = names[item.repository]
            key = f"{repository.lower()}#{item.pr_number}"
            if key in seen:
                problems.append(Problem(field=f"changes[{index}].pr_number",
                                        message=f"{repository}#{item.pr_number} is listed twice "
                                                f"(also changes[{seen[key]}], under another name)"))
            seen.setdefault(key, index)
            keyed.append((index, item, repository, key))
        existing = {c.change_key: c for c in Change.objects.filter(change_key__in=[k for *_x, k in keyed])}
        new = []
        for index, item, repository, key in keyed:
            change = existing.get(key)
            if change is not None:
                if change.merge_sha != item.merge_sha:
                    problems.append(Problem(field=f"changes[{index}].merge_sha",
                                            message=f"{repository}#{item.pr_number} was reported before with merge "
                                                    f"sha {change.merge_sha}"))
                self.changes.append(change)
                continue
            detection = detect_revert(item.title, item.body, own_pr_number=item.pr_number)
            change = Change(
                repository=repository, repository_key=repository.lower(), pr_number=item.pr_number, change_key=key,
                title=item.title, body=_stored_body(item.body), url=item.url, merge_sha=item.merge_sha,
                author=item.author,
                merged_by=item.merged_by, merged_at=item.merged_at, paths=list(item.paths),
                title_key=_title_key(item.title),
                revert_rule=detection.rule if detection else "",
                revert_references=[r.as_dict() for r in detection.references] if detection else [],
            )
            new.append(change)
            self.changes.append(change)
        if problems:
            raise ValidationFailed(problems)
        return new

    def _insert(self, new: list[Change]):
        """Insert the changes seen for the first time (already attributed: one insert, no update)."""
        created = Change.objects.bulk_create(new)
        if new and any(c.pk is None for c in created):  # backends that return no ids from a bulk insert
            ids = dict(Change.objects.filter(change_key__in=[c.change_key for c in new]).values_list("change_key",
                                                                                                      "id"))
            for change in new:
                change.pk = ids[change.change_key]
        self.by_id.update({c.id: c for c in self.changes})

    def _attribute(self):
        questions, index = [], []
        for change in self.changes:
            for login in dict.fromkeys([change.merged_by, change.author]):
                questions.append(ownership_api.ScopeQuestion(github_username=login, repository=change.repository,
                                                              paths=tuple(change.paths), at=change.merged_at))
                index.append((change, login))
        answers = defaultdict(dict)
        for (change, login), answer in zip(index, ownership_api.check_ownership_many(questions), strict=True):
            answers[id(change)][login.lower()] = answer
        updated = []
        for change in self.changes:
            by_login = answers[id(change)]
            merger, author = by_login[change.merged_by.lower()], by_login[change.author.lower()]
            scope = change.repository + (" at " + ", ".join(change.paths) if change.paths else " (no paths listed)")
            if merger.allowed:
                credited = change.merged_by
                reason = (f"merged by {change.merged_by}, an effective Core Committer of {scope} at "
                          f"{change.merged_at:%Y-%m-%d %H:%M} UTC: {merger.reasons[0]}")
            elif author.allowed:
                credited = change.author
                reason = (f"merged by {change.merged_by}, who was not an effective Core Committer of {scope} "
                          f"({merger.reasons[0]}); authored by {change.author}, who was: {author.reasons[0]}")
            else:
                credited = ""
                who = f"merged_by {change.merged_by}: {merger.reasons[0]}"
                if change.author.lower() != change.merged_by.lower():
                    who += f"; author {change.author}: {author.reasons[0]}"
                reason = f"not a Core Committer change of {scope} at {change.merged_at:%Y-%m-%d %H:%M} UTC ({who})"
            values = {"is_cc_change": bool(credited), "core_committer": credited, "attribution": reason}
            if any(getattr(change, k) != v for k, v in values.items()):
                for key, value in values.items():
                    setattr(change, key, value)
                if change.pk is not None:  # recorded before: attributed again, as the registry may have changed
                    updated.append(change)
        if updated:
            Change.objects.bulk_update(updated, ["is_cc_change", "core_committer", "attribution"])

    def _resolve_reverts(self):
        """
        Link each reverting change of the report to the changes it names (a sha or a pull request wins over a
        title), then load what those originals revert in turn, down to a fixed depth.
        """
        detected = [c for c in self.changes if c.revert_references]
        if detected:
            self._link_originals(detected)
        frontier = set(self.by_id)
        known = set()
        for _depth in range(_MAX_REVERT_DEPTH):
            todo = frontier - known
            if not todo:
                break
            known |= todo
            frontier = set()
            for reverting_id, original in self._reverted_by(todo):
                if original.id not in self.reverts[reverting_id]:
                    self.reverts[reverting_id].append(original.id)
                self.by_id.setdefault(original.id, original)
                frontier.add(original.id)
        # and the other way: which recorded changes revert these (a change stays out where its revert is deployed)
        through = Change.reverts.through
        for row in through.objects.filter(to_change_id__in=list(self.by_id)).select_related("from_change"):
            if row.from_change_id not in self.reverted_by[row.to_change_id]:
                self.reverted_by[row.to_change_id].append(row.from_change_id)
            self.by_id.setdefault(row.from_change_id, row.from_change)

    def _reverted_by(self, ids):
        through = Change.reverts.through
        rows = through.objects.filter(from_change_id__in=ids).select_related("to_change")
        return [(row.from_change_id, row.to_change) for row in rows]

    def _link_originals(self, detected):
        shas, prs, titles = set(), set(), set()
        for change in detected:
            for ref in map(Reference.from_dict, change.revert_references):
                if ref.kind == "sha":
                    shas.add(ref.value)
                elif ref.kind == "pr":
                    prs.add(self._pr_key(change, ref))
                else:
                    titles.add(_title_key(ref.value))
        query = Q(pk__in=[])
        if shas:
            # full shas match exactly; abbreviated ones (7+ hex digits) by prefix, narrowed in Python below
            query |= Q(merge_sha__in=[s for s in shas if len(s) >= 40])
            for sha in (s for s in shas if len(s) < 40):
                query |= Q(merge_sha__startswith=sha)
        if prs:
            query |= Q(change_key__in=sorted(prs))
        if titles:
            query |= Q(title_key__in=sorted(titles), repository_key__in=sorted({c.repository_key for c in detected}))
        candidates = list(Change.objects.filter(query))
        links = []
        for change in detected:
            for original in self._originals(change, candidates):
                links.append(Change.reverts.through(from_change_id=change.id, to_change_id=original.id))
                self.reverts[change.id].append(original.id)
                self.reverted_by[original.id].append(change.id)
                self.by_id.setdefault(original.id, original)
        Change.reverts.through.objects.bulk_create(links, ignore_conflicts=True)

    @staticmethod
    def _pr_key(change, ref: Reference) -> str:
        repository = ref.repository or change.repository
        try:
            repository = ownership_api.resolve_repository_names([repository])[repository]
        except InvalidValue:
            pass
        return f"{repository.lower()}#{ref.value}"

    def _originals(self, change: Change, candidates: list[Change]) -> list[Change]:
        refs = [Reference.from_dict(r) for r in change.revert_references]
        found: dict[int, Change] = {}
        for ref in refs:
            if ref.kind == "sha":
                matches = [c for c in candidates if sha_matches(ref.value, c.merge_sha) and c.id != change.id]
                same_repo = [c for c in matches if c.repository_key == change.repository_key]
                for original in (same_repo or matches)[:1]:
                    found[original.id] = original
            elif ref.kind == "pr":
                key = self._pr_key(change, ref) if ref.repository else f"{change.repository_key}#{ref.value}"
                for original in (c for c in candidates if c.change_key == key and c.id != change.id):
                    found[original.id] = original
        if found or any(r.kind in {"sha", "pr"} for r in refs):
            return list(found.values())
        for ref in refs:  # a title, only when nothing stronger is named
            title = _title_key(ref.value)
            matches = [c for c in candidates if c.title_key == title and c.repository_key == change.repository_key
                       and c.id != change.id and c.merged_at <= change.merged_at]
            if matches:
                original = max(matches, key=lambda c: c.merged_at)
                found[original.id] = original
        return list(found.values())

    def _rolled_back_presences(self, rolled) -> list[Presence]:
        """The changes the rolled-back deployments brought to this environment and that are still there."""
        if not rolled:
            return []
        presences = list(
            Presence.objects.filter(environment=self.data.environment, deployed_by__in=rolled, present=True)
            .select_related("deployed_by", "change").defer(*_DEPLOYMENT_ANSWER)
            .order_by("change__merged_at", "change_id")
        )
        for presence in presences:
            self.presences[presence.change_id] = presence
            self.by_id.setdefault(presence.change_id, presence.change)
        return presences

    def _load_presences(self):
        """Where the report's changes, and the changes they revert (transitively), are in this environment."""
        wanted = [change_id for change_id in self.by_id if change_id not in self.presences]
        for presence in Presence.objects.filter(environment=self.data.environment,
                                                change_id__in=wanted).select_related("deployed_by")\
                .defer(*_DEPLOYMENT_ANSWER):
            self.presences[presence.change_id] = presence
        for span in DeploymentSpan.objects.filter(environment=self.data.environment, change_id__in=list(self.by_id),
                                                  removed_at__isnull=True):
            self.open_spans[span.change_id] = span

    # -- the state machine of presence -------------------------------------------------------------------------------
    #
    # The report moves presences through ``_bring`` and ``_remove`` in merge order; what it *announces* is the net
    # effect per change (``_settle``): a change that arrives and leaves within one report (a change and its revert
    # deployed together) was never really there, and a change whose revert is deployed in the environment stays out.

    def _touch(self, change: Change):
        """Remember, once, where the change was before this report."""
        if change.id not in self.initial:
            presence = self.presences.get(change.id)
            self.initial[change.id] = (bool(presence and presence.present),
                                       presence.deployed_by if presence is not None else None)
            self.order.append(change.id)

    def _revert_in_place(self, change: Change) -> Change | None:
        """A change that reverts ``change`` and is deployed in this environment now, if any."""
        for reverting_id in self.reverted_by.get(change.id, ()):
            presence = self.presences.get(reverting_id)
            if presence is not None and presence.present:
                return self.by_id[reverting_id]
        return None

    def _bring(self, change: Change, *, depth: int = 0):
        """``change`` reaches the environment (deployed, or re-applied because its revert was undone)."""
        presence = self.presences.get(change.id)
        if presence is not None and presence.present:
            return
        revert = self._revert_in_place(change)
        if revert is not None:  # its revert is deployed here: the change stays out
            self.kept_out.append({"repository": change.repository, "pr_number": change.pr_number,
                                  "reverted_by": f"{revert.repository}#{revert.pr_number}"})
            return
        self._touch(change)
        if presence is None:
            presence = Presence(change=change, environment=self.data.environment, deployed_by=self.deployment)
            self.presences[change.id] = presence
        presence.present = True
        presence.deployed_by = self.deployment
        presence.removed_by = None
        presence.removed_kind = ""
        presence.removed_by_change = None
        if depth < _MAX_REVERT_DEPTH:
            for original_id in self.reverts.get(change.id, ()):
                self._remove(self.by_id[original_id], kind="revert", by_change=change, depth=depth + 1)

    def _remove(self, change: Change, *, kind: str, by_change: Change | None = None, depth: int = 0):
        """``change`` leaves the environment, reverted by ``by_change`` or rolled back."""
        presence = self.presences.get(change.id)
        if presence is None or not presence.present:
            return
        self._touch(change)
        presence.present = False
        presence.removed_by = self.deployment
        presence.removed_kind = kind
        presence.removed_by_change = by_change
        if depth < _MAX_REVERT_DEPTH:  # undoing a revert re-applies what it had removed here
            for original_id in self.reverts.get(change.id, ()):
                original_presence = self.presences.get(original_id)
                if (original_presence is not None and not original_presence.present
                        and original_presence.removed_by_change_id == change.id):
                    self._bring(self.by_id[original_id], depth=depth + 1)

    def _settle(self):
        """The net effect of the report on each change it touched: spans, events and the answer's removals."""
        deployment = self.deployment
        for change_id in self.order:
            change, presence = self.by_id[change_id], self.presences[change_id]
            was_present, brought_by = self.initial[change_id]
            if not was_present and presence.present:
                self.new_spans.append(DeploymentSpan(
                    change=change, environment=self.data.environment, deployed_by=deployment,
                    deployed_at=deployment.deployed_at, release=deployment.release,
                    repository_key=change.repository_key, is_cc_change=change.is_cc_change,
                    core_committer=change.core_committer,
                ))
                if change.is_cc_change:
                    self.events.append(eventlog_api.PendingEvent(
                        signal=CC_CHANGE_DEPLOYED,
                        data={"change": _change_data(change), "deployment": _deployment_data(deployment)},
                        time=deployment.deployed_at,
                    ))
            elif was_present and not presence.present:
                by_change = presence.removed_by_change
                span = self.open_spans.get(change_id)
                if span is not None:
                    span.removed_by, span.removed_at, span.removed_kind = deployment, deployment.deployed_at, \
                        presence.removed_kind
                    span.seconds_to_removal = max(0, int((span.removed_at - span.deployed_at).total_seconds()))
                    self.closed_spans.append(span)
                self.removed.append({"repository": change.repository, "pr_number": change.pr_number,
                                     "kind": presence.removed_kind,
                                     "by": f"{by_change.repository}#{by_change.pr_number}" if by_change else
                                     deployment.report_id})
                if change.is_cc_change:
                    self.events.append(eventlog_api.PendingEvent(
                        signal=CC_CHANGE_REVERTED,
                        data={
                            "change": _change_data(change),
                            "deployment": _deployment_data(brought_by),
                            "revert": CCRevertData(
                                kind=presence.removed_kind,
                                by_deployment_id=deployment.report_id,
                                revert_pr_number=by_change.pr_number if by_change else None,
                                revert_merge_sha=by_change.merge_sha if by_change else None,
                                reverted_at=deployment.deployed_at,
                            ),
                        },
                        time=deployment.deployed_at,
                    ))
            elif was_present and presence.present:
                presence.deployed_by = brought_by  # left and came back within the report: nothing changed

    def _save_presences(self):
        touched = set(self.order)
        new = [p for cid, p in self.presences.items() if cid in touched and p.pk is None]
        old = [p for cid, p in self.presences.items() if cid in touched and p.pk is not None]
        Presence.objects.bulk_create(new)
        update_in_groups(Presence, old, ["present", "deployed_by", "removed_by", "removed_kind", "removed_by_change"])
        DeploymentSpan.objects.bulk_create(self.new_spans)
        update_in_groups(DeploymentSpan, self.closed_spans,
                         ["removed_by", "removed_at", "removed_kind", "seconds_to_removal"])

    def _answer(self, logged) -> dict:
        data = self.data
        return {
            "id": data.id,
            "environment": data.environment,
            "service": data.service,
            "release": data.release,
            "kind": data.kind,
            "deployed_at": data.deployed_at.isoformat().replace("+00:00", "Z"),
            "rolls_back": list(data.rolls_back),
            "changes": [
                {
                    "repository": change.repository,
                    "pr_number": change.pr_number,
                    "merge_sha": change.merge_sha,
                    "cc_change": change.is_cc_change,
                    "core_committer": change.core_committer or None,
                    "attribution": change.attribution,
                    "revert": change.revert_rule or None,
                    "reverts": [f"{self.by_id[i].repository}#{self.by_id[i].pr_number}"
                                for i in self.reverts.get(change.id, ())],
                }
                for change in self.changes
            ],
            "removed": self.removed,
            "kept_out": self.kept_out,
            "events": [
                {
                    "event_type": event.event_type,
                    "event_id": str(event.event_id),
                    "repository": event.data["change"]["repository"],
                    "pr_number": event.data["change"]["pr_number"],
                }
                for event in logged
            ],
        }


def deployments_visible_to(user):
    """
    The deployments ``user`` may see: all of them for staff; for a Core Committer linked to ``user``, those that
    carried one of their own changes; None for anybody else.
    """
    if user is not None and user.is_authenticated and user.is_staff:
        return Deployment.objects.all()
    login = ownership_api.committer_login_for_user(user)
    if login is None:
        return None
    return Deployment.objects.filter(changes__core_committer__iexact=login).distinct()


def recording_allowed() -> bool:
    """Whether the set and deployment recording are both switched on."""
    return is_enabled() and recording_enabled()
