"""Two agents press "claim" on the same case at the same moment: exactly one wins."""

from __future__ import annotations

import threading

from handoff_helpers import packet
from sqlalchemy import func, select

from handoff.models import AuditEntry, Case, CaseEvent


def _race(cases, staff_list, case_id):
    barrier = threading.Barrier(len(staff_list))
    results: dict[str, bool] = {}
    errors: list[BaseException] = []

    def run(staff):
        try:
            barrier.wait(timeout=10)
            results[staff.username] = cases.claim(case_id, staff)
        except BaseException as exc:  # a thread's failure must fail the test
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(st,)) for st in staff_list]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert not errors, errors
    return results


def test_two_concurrent_claims_one_winner(db, cases, people):
    for round_ in range(5):
        ref = cases.open_case(packet(f"tg-race-{round_}"))
        results = _race(cases, [people.agent, people.agent2], ref.case_id)
        assert sorted(results.values()) == [False, True], results
        winner = next(name for name, won in results.items() if won)
        with db.session() as s:
            case = s.get(Case, ref.case_id)
            assert case.status == "assigned" and case.version == 2
            assert case.assigned_to == (people.agent if winner == "lan" else people.agent2).id
            claims = s.scalar(
                select(func.count()).where(AuditEntry.case_id == ref.case_id, AuditEntry.action == "claim")
            )
            assigned = s.scalar(
                select(func.count()).where(CaseEvent.case_id == ref.case_id, CaseEvent.kind == "assigned")
            )
            assert claims == 1 and assigned == 1


def test_many_concurrent_claims_one_winner(db, cases, accounts, people):
    from handoff_helpers import PASSWORD

    crowd = [people.agent, people.agent2] + [
        accounts.create_staff(f"agent{i}", PASSWORD, "agent") for i in range(4)
    ]
    ref = cases.open_case(packet())
    results = _race(cases, crowd, ref.case_id)
    assert list(results.values()).count(True) == 1, results
