"""Personal data: the retention job, a subject's export and erasure (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
import threading
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from handoff_helpers import Clock, add_conversation, packet
from sqlalchemy import func, select

from handoff.db import Database
from handoff.models import (
    AuditEntry,
    Case,
    CaseEvent,
    CaseNote,
    Conversation,
    DailyStat,
    JobLease,
    Message,
    OutboxMessage,
)
from handoff.privacy import RetentionJob, Subject, SubjectNotFound, SubjectRequests
from handoff.privacy.retention import Lease
from handoff.service import CaseService

PHONE = "0912 345 678"


def _count(db: Database, model: Any, *where: Any) -> int:
    with db.session() as s:
        return int(s.scalar(select(func.count()).select_from(model).where(*where)) or 0)


def _ids(db: Database) -> set[str]:
    with db.session() as s:
        return set(s.scalars(select(Conversation.id)))


def _stats(db: Database) -> dict[tuple[str, str, str, str, str], int]:
    with db.session() as s:
        return {
            (r.day.isoformat(), r.metric, r.channel, r.language, r.label): r.count
            for r in s.scalars(select(DailyStat))
        }


def _outbox(db: Database, conversation_id: str, at: datetime) -> None:
    with db.session() as s:
        s.add(
            OutboxMessage(
                conversation_id=conversation_id,
                channel="telegram",
                recipient=conversation_id.split(":")[-1],
                payload={"text": f"reply to {PHONE}"},
                status="sent",
                created_at=at,
                next_attempt_at=at,
            )
        )


def _resolved_case(cases: CaseService, clock: Clock, people: Any, conversation_id: str, at: datetime) -> str:
    clock.now = at
    ref = cases.open_case(packet(conversation_id, channel_user_id=conversation_id.split(":")[-1]))
    cases.claim(ref.case_id, people.agent)
    cases.add_note(ref.case_id, people.agent, f"called back on {PHONE}")
    cases.resolve(ref.case_id, people.agent, "answered")
    return ref.case_id


@pytest.fixture
def scene(db: Database, cases: CaseService, clock: Clock, people: Any) -> dict[str, Any]:
    """Conversations on either side of a 180-day period, with cases in each state."""
    now = clock.now
    old = now - timedelta(days=200)
    add_conversation(
        db,
        "telegram:old",
        ("citizen", f"khai sinh, số tôi {PHONE}", None),
        ("bot", "Thủ tục khai sinh cần…", "procedure_info"),
        ("citizen", "cho gặp người thật", None),
        ("bot", "Đã chuyển cán bộ", "talk_to_human"),
        at=old,
    )
    _outbox(db, "telegram:old", old)
    old_case = _resolved_case(cases, clock, people, "telegram:old", old + timedelta(minutes=5))
    # Past the period, but its case is still waiting for an officer.
    add_conversation(db, "telegram:held", ("citizen", f"gọi lại {PHONE}", None), at=old)
    clock.now = old + timedelta(minutes=1)
    held_case = cases.open_case(packet("telegram:held", channel_user_id="held")).case_id
    # Past the period, but its case was resolved last week.
    add_conversation(db, "telegram:late", ("citizen", "hộ chiếu", None), at=old)
    late_case = _resolved_case(cases, clock, people, "telegram:late", now - timedelta(days=7))
    add_conversation(db, "telegram:recent", ("citizen", "căn cước", None), at=now - timedelta(days=10))
    # A citizen who came back: their old messages go, the conversation and new ones stay.
    add_conversation(db, "telegram:back", ("citizen", f"số cũ {PHONE}", None), ("bot", "…", "fees"), at=old)
    add_conversation(db, "telegram:back", ("citizen", "lại là tôi", None), at=now - timedelta(days=1))
    with db.session() as s:
        s.get(Conversation, "telegram:back").updated_at = now - timedelta(days=1)
    clock.now = now
    return {"old": old, "old_case": old_case, "held_case": held_case, "late_case": late_case}


def test_retention_deletes_what_is_past_the_period_and_keeps_the_counts(
    db: Database, clock: Clock, scene: dict[str, Any]
) -> None:
    doomed = _count(db, Message, Message.conversation_id == "telegram:old") + 2  # and 2 of "back"
    report = RetentionJob(db, retention_days=180, clock=clock).run()

    assert _ids(db) == {"telegram:held", "telegram:late", "telegram:recent", "telegram:back"}
    old_case = scene["old_case"]
    assert _count(db, Case, Case.id == old_case) == 0
    assert _count(db, CaseNote, CaseNote.case_id == old_case) == 0
    assert _count(db, CaseEvent, CaseEvent.case_id == old_case) == 0
    assert _count(db, OutboxMessage, OutboxMessage.conversation_id == "telegram:old") == 0
    # An unresolved case holds its whole conversation, however old; so does a recent one.
    assert _count(db, Case, Case.id.in_([scene["held_case"], scene["late_case"]])) == 2
    assert _count(db, Message, Message.conversation_id == "telegram:held") == 1
    assert _count(db, Message, Message.conversation_id == "telegram:late", Message.text == "hộ chiếu") == 1
    with db.session() as s:
        back = list(s.scalars(select(Message.text).where(Message.conversation_id == "telegram:back")))
    assert back == ["lại là tôi"]
    assert report.conversations == 1 and report.cases == 1 and report.messages == doomed
    assert report.held_conversations == 2

    day = (scene["old"] + timedelta(hours=7)).date().isoformat()  # the local (UTC+7) day
    stats = _stats(db)
    assert stats[(day, "citizen_messages", "telegram", "vi", "")] == 3
    assert stats[(day, "replies", "telegram", "vi", "procedure_info")] == 1
    assert stats[(day, "replies", "telegram", "vi", "talk_to_human")] == 1
    assert stats[(day, "replies", "telegram", "vi", "fees")] == 1
    assert stats[(day, "conversations", "telegram", "", "")] == 2
    assert stats[(day, "cases", "telegram", "vi", "talk_to_human")] == 1
    assert stats[(day, "resolved", "telegram", "vi", "answered")] == 1

    with db.session() as s:
        entry = s.scalars(select(AuditEntry).where(AuditEntry.action == "retention_purge")).one()
    assert entry.detail["conversations"] == 1 and PHONE not in json.dumps(entry.detail)

    # A second run finds nothing more, and counts nothing twice.
    again = RetentionJob(db, retention_days=180, clock=clock).run()
    assert (again.conversations, again.messages, again.cases) == (0, 0, 0)
    assert _stats(db) == stats


def test_the_held_conversation_goes_once_its_case_is_resolved_and_the_period_passed(
    db: Database, clock: Clock, cases: CaseService, people: Any, scene: dict[str, Any]
) -> None:
    RetentionJob(db, retention_days=180, clock=clock).run()
    cases.claim(scene["held_case"], people.agent)
    cases.resolve(scene["held_case"], people.agent, "answered")
    RetentionJob(db, retention_days=180, clock=clock).run()
    assert "telegram:held" in _ids(db)  # resolved today: the period starts again
    clock.advance(days=182)
    RetentionJob(db, retention_days=180, clock=clock).run()
    assert "telegram:held" not in _ids(db)


def test_dry_run_counts_and_deletes_nothing(db: Database, clock: Clock, scene: dict[str, Any]) -> None:
    before = _count(db, Message)
    doomed = _count(db, Message, Message.conversation_id == "telegram:old") + 2
    report = RetentionJob(db, retention_days=180, clock=clock).run(dry_run=True)
    assert report.dry_run and report.conversations == 1 and report.messages == doomed and report.cases == 1
    assert _count(db, Message) == before and _stats(db) == {}


def test_small_batches_delete_everything_in_several_transactions(db: Database, clock: Clock) -> None:
    old = clock.now - timedelta(days=365)
    for i in range(7):
        add_conversation(db, f"zalo:{i}", ("citizen", "hỏi", None), ("bot", "đáp", "fees"), at=old)
    report = RetentionJob(db, retention_days=180, batch_size=2, clock=clock).run()
    assert report.conversations == 7 and report.batches >= 4
    assert _count(db, Message) == 0


def test_one_process_at_a_time_runs_the_job(db: Database, clock: Clock, scene: dict[str, Any]) -> None:
    other = Lease(db, "retention", "replica-b:42", ttl=300)
    assert other.acquire(clock.now)
    skipped = RetentionJob(db, retention_days=180, clock=clock, holder="replica-a:1").run()
    assert skipped.skipped and skipped.conversations == 0 and "telegram:old" in _ids(db)
    clock.advance(minutes=6)  # replica b died: its lease expired
    done = RetentionJob(db, retention_days=180, clock=clock, holder="replica-a:1").run()
    assert done.skipped is None and "telegram:old" not in _ids(db)
    with db.session() as s:
        lease = s.get(JobLease, "retention")
        assert lease is not None and lease.expires_at.replace(tzinfo=UTC) < clock.now  # released


def test_the_cutoff_is_local_midnight(db: Database) -> None:
    job = RetentionJob(db, retention_days=180, clock=lambda: datetime(2026, 3, 10, 20, 0, tzinfo=UTC))
    # 03:00 on 11 March in Hà Nội → midnight of 12 September 2025, Hà Nội time.
    assert job.cutoff() == datetime(2025, 9, 11, 17, 0, tzinfo=UTC)
    assert date(2025, 9, 12) - timedelta(days=180) < date(2025, 9, 12)


def test_export_is_everything_stored_unmasked_and_audited_without_content(
    db: Database, scene: dict[str, Any]
) -> None:
    requests = SubjectRequests(db)
    data = requests.export(Subject(conversation="telegram:old"), by="officer-nga")
    [conv] = data["conversations"]
    assert conv["id"] == "telegram:old" and "access_hash" not in conv
    assert [m["text"] for m in conv["messages"]][0] == f"khai sinh, số tôi {PHONE}"
    assert conv["cases"][0]["notes"][0]["text"] == f"called back on {PHONE}"
    assert conv["cases"][0]["packet"]["last_message"].endswith(PHONE)
    assert conv["cases"][0]["events"] and conv["outbox"][0]["payload"]["text"].endswith(PHONE)
    json.dumps(data)  # JSON-ready as it is

    by_user = requests.export(Subject(user="telegram:back"), by="officer-nga")
    assert [c["id"] for c in by_user["conversations"]] == ["telegram:back"]

    with db.session() as s:
        entries = list(s.scalars(select(AuditEntry).where(AuditEntry.action == "privacy_export")))
    assert len(entries) == 2
    detail = entries[0].detail
    assert (
        detail["by"] == "officer-nga" and detail["messages"] == len(conv["messages"]) and detail["notes"] == 1
    )
    assert "telegram:old" not in json.dumps(detail) and PHONE not in json.dumps(detail)


def test_erase_by_channel_user_removes_every_row_open_cases_included(
    db: Database, scene: dict[str, Any]
) -> None:
    with db.session() as s:  # the same Telegram user under an older id form
        s.add(
            Conversation(id="legacy-7", channel="telegram", channel_user_id="held", language="vi", state={})
        )
    counts = SubjectRequests(db).erase(Subject(user="telegram:held"), by="officer-nga")
    assert counts["conversations"] == 2 and counts["cases"] == 1
    assert not {"telegram:held", "legacy-7"} & _ids(db)
    assert _count(db, Case, Case.id == scene["held_case"]) == 0
    assert _count(db, CaseEvent, CaseEvent.case_id == scene["held_case"]) == 0
    assert "telegram:recent" in _ids(db)
    with db.session() as s:
        entry = s.scalars(select(AuditEntry).where(AuditEntry.action == "privacy_erase")).one()
    assert entry.detail["subject"] == "user" and len(entry.detail["subject_hash"]) == 16
    assert "held" not in json.dumps(entry.detail)
    with pytest.raises(SubjectNotFound):
        SubjectRequests(db).erase(Subject(user="telegram:held"), by="officer-nga")


def test_erase_removes_the_answers_kept_for_api_retries(db: Database, scene: dict[str, Any]) -> None:
    from handoff.models import IdempotentRequest

    now = datetime.now(UTC)
    with db.session() as s:
        for key, conv in (("a" * 64, "telegram:old"), ("b" * 64, "telegram:recent")):
            s.add(
                IdempotentRequest(
                    key_hash=key,
                    fingerprint="f" * 64,
                    conversation_id=conv,
                    response={"answer": f"số của bạn {PHONE}"},
                    locked_until=now,
                    expires_at=now + timedelta(hours=24),
                )
            )
    SubjectRequests(db).erase(Subject(conversation="telegram:old"), by="officer-nga")
    assert _count(db, IdempotentRequest, IdempotentRequest.conversation_id == "telegram:old") == 0
    assert _count(db, IdempotentRequest, IdempotentRequest.conversation_id == "telegram:recent") == 1


def test_a_subject_is_one_conversation_or_one_channel_user() -> None:
    with pytest.raises(ValueError):
        Subject()
    with pytest.raises(ValueError):
        Subject(conversation="a", user="telegram:1")
    with pytest.raises(ValueError, match="channel:id"):
        Subject(user="123")


def test_the_supervisors_statistics_still_count_what_was_purged(
    db: Database, clock: Clock, cases: CaseService, scene: dict[str, Any]
) -> None:
    before = cases.stats(days=365)
    RetentionJob(db, retention_days=180, clock=clock).run()
    after = cases.stats(days=365)
    assert before["cases_opened"] == after["cases_opened"] == 3
    # A conversation partly purged ("back") is counted on both sides of the cut.
    assert before["conversations"] <= after["conversations"] <= before["conversations"] + 1
    assert cases.stats(days=7)["cases_opened"] == 1  # the archived day is outside a week


def test_console_privacy_endpoints_are_for_administrators(
    db: Database, scene: dict[str, Any], people: Any, login: Any
) -> None:
    admin, supervisor = login("admin"), login("hoa")
    assert supervisor.get("/console/api/privacy/export?user=telegram:held").status_code == 403
    assert supervisor.post("/console/api/privacy/erase", {"user": "telegram:held"}).status_code == 403

    exported = admin.get("/console/api/privacy/export", params={"conversation": "telegram:old"})
    assert exported.status_code == 200 and exported.headers["cache-control"] == "no-store"
    assert exported.json()["conversations"][0]["messages"][0]["text"].endswith(PHONE)
    assert admin.get("/console/api/privacy/export").status_code == 422
    assert admin.get("/console/api/privacy/export", params={"user": "123"}).status_code == 422
    assert admin.get("/console/api/privacy/export", params={"conversation": "nobody"}).status_code == 404

    assert admin.post("/console/api/privacy/erase", {"user": "telegram:held"}, csrf=None).status_code == 403
    erased = admin.post("/console/api/privacy/erase", {"user": "telegram:held"})
    assert erased.status_code == 200 and erased.json()["erased"]["cases"] == 1
    assert "telegram:held" not in _ids(db)
    assert admin.post("/console/api/privacy/erase", {"user": "telegram:held"}).status_code == 404
    with db.session() as s:
        entries = list(s.scalars(select(AuditEntry).where(AuditEntry.action.like("privacy_%"))))
    assert [(e.action, e.staff_id) for e in entries] == [
        ("privacy_export", people.admin.id),
        ("privacy_erase", people.admin.id),
    ]


def test_a_conversation_in_use_is_skipped_not_waited_for(db: Database, clock: Clock) -> None:
    if db.is_sqlite:
        pytest.skip("row locks: PostgreSQL (SQLite has one write lock, taken per batch)")
    old = clock.now - timedelta(days=300)
    for conv in ("telegram:busy", "telegram:idle"):
        add_conversation(db, conv, ("citizen", "hỏi", None), at=old)
    # A live turn holds the conversation's row, as the pipeline does while it stores a message.
    with db.engine.connect() as live:
        transaction = live.begin()
        live.execute(select(Conversation.id).where(Conversation.id == "telegram:busy").with_for_update())
        reports: list[Any] = []
        job = threading.Thread(
            target=lambda: reports.append(RetentionJob(db, retention_days=180, clock=clock).run()),
            daemon=True,
        )
        job.start()
        job.join(timeout=30)
        finished = not job.is_alive()
        transaction.rollback()
        job.join(timeout=30)
    assert finished, "the job waited for a conversation a live turn holds"
    assert reports[0].conversations == 1 and _ids(db) == {"telegram:busy"}
    assert RetentionJob(db, retention_days=180, clock=clock).run().conversations == 1
    assert _ids(db) == set()


def test_the_first_scheduled_run_comes_soon_after_the_start_and_stops_with_the_server(
    db: Database, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    import asyncio

    from handoff.privacy import retention

    # A replica restarted more often than the period must still run the job.
    monkeypatch.setattr(retention, "FIRST_RUN_AFTER_SECONDS", 0.2)
    add_conversation(db, "zalo:1", ("citizen", "hỏi", None), at=clock.now - timedelta(days=400))
    job = RetentionJob(db, retention_days=180, clock=clock)

    async def serve() -> None:
        stop = asyncio.Event()
        task = asyncio.create_task(retention.run_periodically(job, 600, stop))
        for _ in range(100):
            await asyncio.sleep(0.1)
            if "zalo:1" not in _ids(db):
                break
        stop.set()
        await asyncio.wait_for(task, timeout=10)

    asyncio.run(serve())
    assert _ids(db) == set()
