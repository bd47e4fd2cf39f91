"""A case's life: opened by the bot, claimed, answered, waiting for the citizen, resolved,
reopened; transfers; who may do what; the audit log and the event feed."""

from __future__ import annotations

import pytest
from handoff_helpers import PASSWORD, add_conversation, packet
from sqlalchemy import select

from handoff.models import AuditEntry, Case, CaseEvent, Message, OutboxMessage
from handoff.service import CaseConflict, CaseService, InvalidRequest, NotAllowed


def _audit(db, case_id=None):
    with db.session() as s:
        query = select(AuditEntry.action, AuditEntry.staff_id).order_by(AuditEntry.id)
        if case_id:
            query = query.where(AuditEntry.case_id == case_id)
        return [tuple(row) for row in s.execute(query)]


def _events(db, case_id):
    with db.session() as s:
        return list(
            s.scalars(select(CaseEvent.kind).where(CaseEvent.case_id == case_id).order_by(CaseEvent.id))
        )


def test_full_lifecycle(db, cases, people, clock):
    add_conversation(
        db, "tg-1001", ("citizen", "khai sinh cho con", None), ("bot", "Thủ tục ...", "procedure"), at=clock()
    )
    ref = cases.open_case(packet())
    assert ref.status == "waiting"
    assert cases.active_case("tg-1001") is None  # nobody holds it yet: the bot may still talk

    clock.advance(minutes=3)
    assert cases.claim(ref.case_id, people.agent) is True
    held = cases.active_case("tg-1001")
    assert held is not None and held.id == ref.case_id and held.status == "assigned"

    message_id, outbox_id = cases.reply(ref.case_id, people.agent, "Chào anh An, tôi là Lan.")
    with db.session() as s:
        message = s.get(Message, message_id)
        outbox = s.get(OutboxMessage, outbox_id)
        assert (message.sender, message.direction, message.staff_id) == ("agent", "out", people.agent.id)
        assert outbox.channel == "telegram" and outbox.recipient == "1001" and outbox.status == "pending"
        assert outbox.message_id == message_id and outbox.payload["text"] == "Chào anh An, tôi là Lan."

    waiting = cases.wait_for_citizen(ref.case_id, people.agent)
    assert waiting["status"] == "waiting_citizen"
    assert cases.active_case("tg-1001").status == "waiting_citizen"  # still held: bot quiet

    add_conversation(db, "tg-1001", ("citizen", "mã hồ sơ H48.25-0001", None), at=clock())
    with db.session() as s:
        citizen_msg = s.scalar(
            select(Message.id).where(Message.sender == "citizen").order_by(Message.id.desc())
        )
    back = cases.on_citizen_message("tg-1001", citizen_msg)
    assert back is not None and back.status == "assigned"

    cases.add_note(ref.case_id, people.agent, "Đã gọi UBND phường")
    clock.advance(minutes=10)
    done = cases.resolve(ref.case_id, people.agent, "answered")
    assert done["status"] == "resolved" and done["outcome"] == "answered"
    assert cases.active_case("tg-1001") is None

    detail = cases.get_case(ref.case_id)
    # The citizen is told who took the case, that their message reached the officer, and
    # that the case is resolved.
    transcript = [(m["sender"], m["intent"]) for m in detail["transcript"]]
    assert [sender for sender, _ in transcript] == [
        "citizen",
        "bot",
        "system",
        "agent",
        "citizen",
        "system",
        "system",
    ]
    assert [intent for sender, intent in transcript if sender == "system"] == [
        "handoff_claimed",
        "handoff_ack",
        "handoff_resolved",
    ]
    assert (
        detail["notes"][0]["text"] == "Đã gọi UBND phường"
        and detail["notes"][0]["staff"]["username"] == "lan"
    )
    assert detail["packet"]["place"]["name"] == "Phường Hải Châu"
    assert detail["packet"]["bot_told"] and detail["packet"]["intents"][0]["intent"] == "talk_to_human"
    assert detail["assigned_to"]["username"] == "lan"
    assert detail["waiting_seconds"] == 180

    assert _events(db, ref.case_id) == [
        "created",
        "assigned",
        "reply",
        "waiting_citizen",
        "message",
        "note",
        "resolved",
    ]
    agent = people.agent.id
    assert _audit(db, ref.case_id) == [
        ("claim", agent),
        ("reply", agent),
        ("wait", agent),
        ("note", agent),
        ("resolve", agent),
    ]


def test_bot_reuses_the_open_case(cases, clock):
    first = cases.open_case(packet())
    again = cases.open_case(packet(reason="complaint", last_message="vẫn chưa ai trả lời"))
    assert again.case_id == first.case_id
    detail = cases.get_case(first.case_id)
    assert detail["packet"]["last_message"] == "vẫn chưa ai trả lời"


def test_only_the_holder_or_a_supervisor_acts(cases, people):
    ref = cases.open_case(packet())
    with pytest.raises(NotAllowed):
        cases.reply(ref.case_id, people.agent, "hello")  # nobody claimed it
    with pytest.raises(CaseConflict):
        cases.reply(ref.case_id, people.supervisor, "hello")  # waiting: nobody to answer as
    assert cases.claim(ref.case_id, people.agent)
    assert cases.claim(ref.case_id, people.agent2) is False
    with pytest.raises(NotAllowed):
        cases.reply(ref.case_id, people.agent2, "xin chào")
    with pytest.raises(NotAllowed):
        cases.resolve(ref.case_id, people.agent2, "answered")
    cases.reply(ref.case_id, people.supervisor, "Giám sát viên hỗ trợ")  # supervisors may step in
    with pytest.raises(InvalidRequest):
        cases.resolve(ref.case_id, people.agent, "made_up_outcome")
    with pytest.raises(InvalidRequest):
        cases.reply(ref.case_id, people.agent, "   ")


def test_transfer_to_agent_and_to_team(db, cases, people):
    ref = cases.open_case(packet())
    cases.claim(ref.case_id, people.agent)
    moved = cases.transfer(ref.case_id, people.agent, to_staff_id=people.agent2.id)
    assert moved["status"] == "assigned" and moved["assigned_to"]["username"] == "minh"
    assert cases.active_case("tg-1001").assigned_to == people.agent2.id

    queued = cases.transfer(ref.case_id, people.agent2, team="tax")
    assert queued["status"] == "waiting" and queued["team"] == "tax" and queued["assigned_to"] is None
    assert cases.list_queue(team="tax")[0]["id"] == ref.case_id
    with pytest.raises(InvalidRequest):
        cases.transfer(ref.case_id, people.supervisor)
    actions = [a for a, _ in _audit(db, ref.case_id)]
    assert actions == ["claim", "transfer", "transfer"]


def test_transfer_checks_configured_teams(db, people, clock):
    from handoff.config import HandoffSettings

    service = CaseService(db, HandoffSettings(teams=["48", "tax"]), clock=clock)
    ref = service.open_case(packet(place={"code": "20194", "name": "Hải Châu", "province_code": "48"}))
    assert service.summary(ref.case_id)["team"] == "48"  # routed by the place's province
    with pytest.raises(InvalidRequest):
        service.transfer(ref.case_id, people.supervisor, team="land")


def test_close_is_final_and_staff_can_reopen(db, cases, people, clock):
    ref = cases.open_case(packet())
    with pytest.raises(NotAllowed):
        cases.close(ref.case_id, people.agent)
    closed = cases.close(ref.case_id, people.supervisor, note="spam")
    assert closed["status"] == "closed"
    with pytest.raises(CaseConflict):
        cases.claim(ref.case_id, people.agent) or cases.resolve(ref.case_id, people.supervisor, "answered")
    # A closed case is not reopened by the citizen writing again: a new case is opened.
    clock.advance(minutes=5)
    new = cases.open_case(packet())
    assert new.case_id != ref.case_id
    again = cases.reopen(ref.case_id, people.supervisor)
    assert again["status"] == "waiting" and again["reopened"] == 1
    assert ("reopen", people.supervisor.id) in _audit(db, ref.case_id)


def test_reopen_within_window_goes_back_to_the_same_active_agent(db, cases, accounts, people, clock):
    ref = cases.open_case(packet())
    token, _ = accounts.start_session(accounts.get(people.agent.id))  # Lan is at her console
    cases.claim(ref.case_id, people.agent)
    cases.resolve(ref.case_id, people.agent, "answered")
    clock.advance(minutes=59)
    assert accounts.session(token) is not None  # her console is still open (seen just now)
    again = cases.open_case(packet(last_message="tôi còn một câu hỏi"))
    assert again.case_id == ref.case_id and again.status == "assigned"
    case = cases.active_case("tg-1001")
    assert case.assigned_to == people.agent.id and case.reopened == 1 and case.outcome is None
    assert "reopened" in _events(db, ref.case_id)
    # Who helps is told after the bot's reply to the message that reopened the case, once.
    assert _claim_notices(db) == 1  # the first claim's
    cases.after_reply("tg-1001")
    cases.after_reply("tg-1001")
    assert _claim_notices(db) == 2


def _claim_notices(db) -> int:  # type: ignore[no-untyped-def]
    with db.session() as s:
        return len(list(s.scalars(select(Message.id).where(Message.intent == "handoff_claimed"))))


def test_reopen_within_window_queues_when_the_agent_is_gone(cases, people, clock):
    ref = cases.open_case(packet())
    cases.claim(ref.case_id, people.agent)  # no console session: not active
    cases.resolve(ref.case_id, people.agent, "answered")
    clock.advance(minutes=30)
    again = cases.open_case(packet())
    assert (again.case_id, again.status) == (ref.case_id, "waiting")
    summary = cases.summary(ref.case_id)
    assert summary["assigned_to"] is None and summary["reopened"] == 1 and summary["waiting_seconds"] == 0


def test_new_case_after_the_window(db, cases, people, clock):
    ref = cases.open_case(packet())
    cases.claim(ref.case_id, people.agent)
    cases.resolve(ref.case_id, people.agent, "answered")
    clock.advance(minutes=61)
    again = cases.open_case(packet())
    assert again.case_id != ref.case_id and again.status == "waiting"
    with db.session() as s:
        assert s.get(Case, ref.case_id).status == "resolved"
        assert s.get(Case, ref.case_id).reopened == 0


def test_stale_write_is_refused(db, cases, people):
    """A change based on an old version of the case loses (optimistic concurrency)."""
    ref = cases.open_case(packet())
    cases.claim(ref.case_id, people.agent)
    with db.session() as s:
        stale = s.get(Case, ref.case_id)
    cases.wait_for_citizen(ref.case_id, people.agent)  # bumps the version
    with db.session() as s, pytest.raises(CaseConflict):
        cases._update(s, stale, {"status": "resolved"}, cases.now())


def test_staff_created_case_and_procedure_lookup(db, settings, clock, people):
    records = {
        "1.001234": {"code": "1.001234", "name": "Đăng ký khai sinh", "documents": ["Tờ khai"], "fees": "0"}
    }
    service = CaseService(db, settings, clock=clock, procedure_lookup=records.get)
    created = service.create_case(
        people.agent,
        language="en",
        reason="phone",
        text="Caller asks about birth registration",
        channel="phone",
    )
    assert created["status"] == "waiting" and created["channel"] == "phone" and created["language"] == "en"
    assert ("case_created", people.agent.id) in _audit(db, created["id"])
    ref = service.open_case(packet("zalo-7"))
    detail = service.get_case(ref.case_id)
    assert detail["procedures"][0]["documents"] == ["Tờ khai"] and detail["procedures"][0]["score"] == 0.71
    assert service.get_case(created["id"])["transcript"][0]["text"].startswith("Caller asks")


def test_staff_actions_are_audited_with_login_and_logout(db, accounts, people):
    staff = accounts.authenticate("lan", PASSWORD, "10.0.0.5")
    token, _ = accounts.start_session(staff, "pytest", ip="10.0.0.5")
    accounts.end_session(token, ip="10.0.0.5")
    assert accounts.session(token) is None
    actions = [a for a, _ in _audit(db)]
    assert actions.count("staff_created") == 4
    assert actions[-2:] == ["login", "logout"]
