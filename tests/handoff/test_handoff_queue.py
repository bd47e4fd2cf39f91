"""The queue: order, position and estimated wait, callbacks outside working hours, filters."""

from __future__ import annotations

import pytest
from handoff_helpers import packet
from sqlalchemy import select

from handoff.models import Case
from handoff.service import InvalidRequest


def test_position_and_estimated_wait(cases, accounts, people, clock):
    refs = []
    for i in range(4):
        refs.append(cases.open_case(packet(f"tg-{i}")))
        clock.advance(seconds=30)
    # Nobody at a console yet: the estimate counts one person (5 minutes a case).
    info = cases.queue_info(refs[2].case_id)
    assert (info.position, info.estimated_wait_minutes, info.open_now, info.next_open) == (3, 15, True, None)

    for who in (people.agent, people.agent2, people.supervisor):
        accounts.start_session(accounts.get(who.id))
    assert cases.queue_info(refs[2].case_id).estimated_wait_minutes == 5  # 3 × 5 / 3
    assert cases.queue_info(refs[0].case_id).position == 1

    complaint = cases.open_case(packet("tg-angry", reason="complaint"))  # priority 2: served first
    assert cases.queue_info(complaint.case_id).position == 1
    assert cases.queue_info(refs[0].case_id).position == 2

    cases.claim(refs[0].case_id, people.agent)
    held = cases.queue_info(refs[0].case_id)
    assert (held.position, held.estimated_wait_minutes) == (0, 0)
    assert cases.queue_info(refs[3].case_id).position == 4
    assert [c["id"] for c in cases.list_queue(status="waiting")] == [
        complaint.case_id,
        refs[1].case_id,
        refs[2].case_id,
        refs[3].case_id,
    ]
    assert cases.queue_info("no-such-case") is None

    # Agents who left their console an hour ago no longer count.
    clock.advance(minutes=61)
    assert cases.queue_info(refs[3].case_id).estimated_wait_minutes == 20


def test_outside_hours_the_case_is_a_callback(db, cases, clock):
    clock.set_local("2026-02-17 10:00")  # Tết
    ref = cases.open_case(packet())
    info = cases.queue_info(ref.case_id)
    assert info.open_now is False and info.estimated_wait_minutes is None
    assert info.next_open == "2026-02-23T07:30+07:00"
    with db.session() as s:
        assert s.get(Case, ref.case_id).callback is True

    clock.set_local("2026-02-23 08:00")
    during = cases.open_case(packet("tg-2"))
    with db.session() as s:
        assert s.get(Case, during.case_id).callback is False


def test_callback_number_is_kept_and_masked_everywhere(db, cases, people, clock):
    clock.set_local("2026-03-14 20:00")  # Saturday evening
    ref = cases.open_case(packet(last_message="gọi lại cho tôi"))
    cases.set_callback(ref.case_id, "0912 345 678")
    with db.session() as s:
        assert s.get(Case, ref.case_id).callback_number == "0912345678"  # kept in full for the call

    listed = cases.list_queue(callback=True)
    assert [c["id"] for c in listed] == [ref.case_id]
    assert listed[0]["callback_number"] == "*******678"
    assert cases.summary(ref.case_id)["callback_number"] == "*******678"
    detail = cases.get_case(ref.case_id)
    assert detail["packet"]["callback_number"] == "*******678"
    assert detail["callback_number_full"] == "0912345678"

    exported = cases.export_cases_csv(people.supervisor)
    assert "*******678" in exported and "0912345678" not in exported and "345 678" not in exported
    with pytest.raises(InvalidRequest):
        cases.set_callback(ref.case_id, "call me")


def test_summary_text_is_masked(cases):
    ref = cases.open_case(packet(procedures=[], last_message="CCCD của tôi 001099012345, số 0988777666"))
    assert cases.summary(ref.case_id)["summary"] == "CCCD của tôi *********345, số *******666"


def test_list_filters(db, cases, people):
    a = cases.open_case(packet("tg-a", language="en"))
    b = cases.open_case(packet("zl-b", channel="zalo"))
    c = cases.open_case(packet("tg-c"))
    cases.claim(c.case_id, people.agent)
    assert {x["id"] for x in cases.list_queue()} == {a.case_id, b.case_id, c.case_id}
    assert [x["id"] for x in cases.list_queue(language="en")] == [a.case_id]
    assert [x["id"] for x in cases.list_queue(channel="zalo")] == [b.case_id]
    assert [x["id"] for x in cases.list_queue(assigned_to=people.agent.id)] == [c.case_id]
    assert [x["id"] for x in cases.list_queue(status="assigned")] == [c.case_id]
    cases.resolve(c.case_id, people.agent, "answered")
    assert [x["id"] for x in cases.list_queue(status="resolved")] == [c.case_id]
    assert len(cases.list_queue(status="all")) == 3
    with pytest.raises(InvalidRequest):
        cases.list_queue(status="lost")
    with db.session() as s:
        assert s.scalar(select(Case.priority).where(Case.id == a.case_id)) == 0
