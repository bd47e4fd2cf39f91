"""Handoff cases: opening (the bot's ``CaseOpener``), the queue, staff actions, statistics.

Every change of a case is a conditional UPDATE on its ``version`` (and, for a claim, its
status), so two staff acting at once cannot both win: the loser gets ``CaseConflict`` (or
``False`` from ``claim``). Every staff action writes an ``AuditEntry`` and a ``CaseEvent``;
the console's live feed reads ``case_events``, so it works across server processes.
"""

from __future__ import annotations

import csv
import io
import logging
import math
import re
import secrets
import statistics
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import CursorResult, and_, func, or_, select, update
from sqlalchemy.orm import Session, aliased

from bot import i18n
from bot.ports import HandoffPacket, QueueInfo
from bot.reply import HandoffRef
from handoff.auth import aware
from handoff.config import HandoffSettings
from handoff.db import Database
from handoff.events import sequence
from handoff.hours import WorkingHours
from handoff.masking import mask_number, mask_text
from handoff.models import (
    AuditEntry,
    Case,
    CaseEvent,
    CaseNote,
    Conversation,
    DailyStat,
    Message,
    OutboxMessage,
    Staff,
    StaffSession,
)
from knowledge.errors import BadInput, Conflict, Forbidden, HotlineError, NotFound

log = logging.getLogger(__name__)

STATUSES = ("waiting", "assigned", "waiting_citizen", "resolved", "closed")
OPEN = ("waiting", "assigned", "waiting_citizen")
HELD = ("assigned", "waiting_citizen")  # a person holds the case: the bot stays quiet
FINISHED = ("resolved", "closed")
GAP_INTENTS = ("out_of_scope", "no_match")
SUPERVISORS = ("supervisor", "admin")
MAX_TEXT = 4000
_ID_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
_CALLBACK = re.compile(r"^\+?[\d\s().\-]{8,30}$")
_CSV_FORMULA = ("=", "+", "-", "@", "\t", "\r")
# Notices the citizen sees (stored as ``system`` messages with these intents).
NOTICE_CLAIMED = "handoff_claimed"
NOTICE_RESOLVED = "handoff_resolved"
NOTICE_ACK = "handoff_ack"
# A case reopened straight to its officer owes the citizen a claim notice (packet key, the staff id).
CLAIM_NOTICE_DUE = "claim_notice_due"
# A caller talks to a person on the line or is called back: a text message (SMS) per notice
# would tell them nothing new and cost money.
_SPOKEN_CHANNELS = ("voice", "phone")

ProcedureLookup = Callable[[str], Any]
Clock = Callable[[], datetime]


class CaseError(HotlineError):
    """A case action that cannot be done; ``status`` is the HTTP status the API answers."""

    status = 400


class CaseNotFound(CaseError, NotFound):
    status = 404


class CaseConflict(CaseError, Conflict):
    """The case is not in a state for this action, or changed meanwhile."""

    status = 409


class NotAllowed(CaseError, Forbidden):
    status = 403


class InvalidRequest(CaseError, BadInput):
    status = 422


@dataclass(slots=True)
class QueueFilter:
    status: str = "open"  # open | all | one of STATUSES
    language: str | None = None
    channel: str | None = None
    team: str | None = None
    callback: bool | None = None
    assigned_to: int | None = None  # "mine"
    limit: int = 200
    offset: int = 0


def iso(value: datetime | None) -> str | None:
    return aware(value).isoformat() if value is not None else None


def _seconds(later: datetime | None, earlier: datetime | None) -> float | None:
    if later is None or earlier is None:
        return None
    return max(0.0, (aware(later) - aware(earlier)).total_seconds())


def _median(values: Iterable[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return round(statistics.median(present), 1) if present else None


def _csv_cell(value: Any) -> Any:
    """Spreadsheets run cells starting with = + - @ as formulas: quote them as text."""
    if isinstance(value, str) and value.startswith(_CSV_FORMULA):
        return "'" + value
    return value


def normalise_callback(number: str) -> str:
    value = (number or "").strip()
    digits = re.sub(r"\D", "", value)
    if not _CALLBACK.match(value) or not 8 <= len(digits) <= 15:
        raise InvalidRequest("a callback number has 8 to 15 digits")
    return ("+" if value.startswith("+") else "") + digits


class CaseService:
    """Cases with their dossier packet. Implements ``bot.ports.CaseOpener``."""

    def __init__(
        self,
        db: Database,
        settings: HandoffSettings,
        *,
        procedure_lookup: ProcedureLookup | None = None,
        clock: Clock | None = None,
    ) -> None:
        self.db = db
        self.settings = settings
        self.hours = WorkingHours(settings)
        self.procedure_lookup = procedure_lookup
        self._clock = clock or (lambda: datetime.now(UTC))

    def now(self) -> datetime:
        return aware(self._clock())

    # == the bot's door (bot.ports.CaseOpener) ==============================================

    def open_case(self, packet: HandoffPacket) -> HandoffRef:
        """Create the case for this conversation, or give back the one still open, or reopen
        the one resolved within ``reopen_window_minutes``."""
        case = self._open(packet, staff=None, ip=None)
        return HandoffRef(case.id, case.status)

    def queue_info(self, case_id: str) -> QueueInfo | None:
        now = self.now()
        open_now = self.hours.is_open(now)
        nxt = None if open_now else self.hours.next_open(now)
        next_open = nxt.isoformat(timespec="minutes") if nxt else None
        with self.db.session() as s:
            case = s.get(Case, case_id)
            if case is None:
                return None
            if case.status in HELD:
                return QueueInfo(0, 0, open_now, next_open)
            if case.status in FINISHED:
                return QueueInfo(0, None, open_now, next_open)
            position = self._position(s, case)
            agents = self._active_agents(s, now)
        if not open_now:
            # Nobody answers before the next opening: the citizen is called back.
            return QueueInfo(position, None, False, next_open)
        minutes = math.ceil(position * self.settings.average_handle_minutes / max(1, agents))
        return QueueInfo(position, max(1, minutes), True, None)

    def set_callback(self, case_id: str, number: str) -> None:
        clean = normalise_callback(number)
        now = self.now()
        with self.db.session() as s:
            case = self._load(s, case_id)
            self._update(s, case, {"callback": True, "callback_number": clean}, now)
            self._event(s, case_id, "callback", {}, now)
        log.info("case %s: callback number kept", case_id)

    # == the conversation layer ============================================================

    def active_case(self, conversation_id: str) -> Case | None:
        """The case a person holds for this conversation (assigned or waiting for the
        citizen): while there is one the bot stays quiet."""
        with self.db.session() as s:
            case = self._latest(s, conversation_id)
            return case if case is not None and case.status in HELD else None

    def after_reply(self, conversation_id: str) -> None:
        """The bot's reply that (re)opened this conversation's case is recorded: a case that went
        straight back to its officer now tells the citizen who helps, after that reply."""
        now = self.now()
        with self.db.session() as s:
            case = self._latest(s, conversation_id)
            if case is None or not (case.packet or {}).get(CLAIM_NOTICE_DUE):
                return
            packet = dict(case.packet or {})
            due = packet.pop(CLAIM_NOTICE_DUE)
            try:
                self._update(s, case, {"packet": packet}, now)
            except CaseConflict:
                # Claimed, transferred or resolved meanwhile: that change told the citizen.
                log.info("case %s changed before its claim notice; not sent", case.id)
                return
            officer = s.get(Staff, due) if case.status in HELD and case.assigned_to == due else None
            if officer is not None:
                self._notify_claimed(s, case, officer, now)

    def open_case_of(self, conversation_id: str) -> Case | None:
        """The conversation's open case (waiting, assigned or waiting for the citizen)."""
        with self.db.session() as s:
            case = self._latest(s, conversation_id)
            return case if case is not None and case.status in OPEN else None

    def on_citizen_message(self, conversation_id: str, message_id: int | None) -> Case | None:
        """The citizen wrote while a case is open: the console hears of it, and a case
        waiting for the citizen goes back to its agent."""
        now = self.now()
        with self.db.session() as s:
            case = self._latest(s, conversation_id)
            if case is None or case.status not in OPEN:
                return None
            held = case.status in HELD
            if case.status == "waiting_citizen":
                try:
                    self._update(s, case, {"status": "assigned"}, now)
                except CaseConflict:
                    log.info("case %s changed while the citizen wrote; status left as is", case.id)
            self._event(s, case.id, "message", {"message_id": message_id}, now)
            if held and self._due_acknowledgement(s, case, now):
                self._notify(s, case, NOTICE_ACK, "notice_ack", now)
            return s.get(Case, case.id, populate_existing=True)

    # == console: reading =================================================================

    def list_queue(self, filters: QueueFilter | None = None, **kwargs: Any) -> list[dict[str, Any]]:
        f = filters or QueueFilter(**kwargs)
        with self.db.session() as s:
            query = select(Case)
            if f.status == "open":
                query = query.where(Case.status.in_(OPEN))
            elif f.status != "all":
                if f.status not in STATUSES:
                    raise InvalidRequest(f"unknown status {f.status!r}")
                query = query.where(Case.status == f.status)
            if f.language:
                query = query.where(Case.language == f.language)
            if f.channel:
                query = query.where(Case.channel == f.channel)
            if f.team:
                query = query.where(Case.team == f.team)
            if f.callback is not None:
                query = query.where(Case.callback.is_(f.callback))
            if f.assigned_to is not None:
                query = query.where(Case.assigned_to == f.assigned_to)
            if f.status in FINISHED or f.status == "all":
                query = query.order_by(Case.updated_at.desc(), Case.id)
            else:
                query = query.order_by(
                    Case.priority.desc(), func.coalesce(Case.queued_at, Case.created_at), Case.id
                )
            cases = list(s.scalars(query.limit(max(1, min(f.limit, 1000))).offset(max(0, f.offset))))
            return self._summaries(s, cases, self.now())

    def summary(self, case_id: str) -> dict[str, Any]:
        with self.db.session() as s:
            return self._summaries(s, [self._load(s, case_id)], self.now())[0]

    def get_case(self, case_id: str) -> dict[str, Any]:
        """The case as the console shows it: summary, packet, transcript, notes, catalogue
        records of the candidate procedures, and its history."""
        now = self.now()
        with self.db.session() as s:
            case = self._load(s, case_id)
            out = self._summaries(s, [case], now)[0]
            packet = dict(case.packet or {})
            packet["callback_number"] = mask_number(case.callback_number)
            # Names are typed by the citizen ("Lan 0912345678"): the full number is shown
            # only where the agent calls back (``callback_number_full``).
            if packet.get("display_name"):
                packet["display_name"] = mask_text(str(packet["display_name"]))
            # The case view is read over an officer's shoulder and ends up in screenshots: the
            # citizen's words, and the bot's, show their numbers masked like every list does.
            if packet.get("last_message"):
                packet["last_message"] = mask_text(str(packet["last_message"]))
            if isinstance(packet.get("bot_told"), list):
                packet["bot_told"] = [mask_text(str(said)) for said in packet["bot_told"]]
            messages = list(
                s.scalars(
                    select(Message)
                    .where(Message.conversation_id == case.conversation_id)
                    .order_by(Message.id.desc())
                    .limit(500)
                )
            )
            messages.reverse()
            notes = s.execute(
                select(CaseNote, Staff)
                .outerjoin(Staff, Staff.id == CaseNote.staff_id)
                .where(CaseNote.case_id == case_id)
                .order_by(CaseNote.id)
            ).all()
            events = list(
                s.scalars(
                    select(CaseEvent).where(CaseEvent.case_id == case_id).order_by(CaseEvent.id).limit(500)
                )
            )
        out.update(
            conversation_id=case.conversation_id,
            channel_user_id=case.channel_user_id,
            callback_number_full=case.callback_number,
            outcome=case.outcome,
            packet=packet,
            transcript=[
                {
                    "id": m.id,
                    "sender": m.sender,
                    "direction": m.direction,
                    "text": mask_text(m.text) if m.text else m.text,
                    "created_at": iso(m.created_at),
                    "intent": m.intent,
                    "language": m.language,
                    "staff_id": m.staff_id,
                }
                for m in messages
            ],
            notes=[
                {
                    "id": note.id,
                    "staff": {"id": staff.id, "username": staff.username} if staff else None,
                    "text": note.text,
                    "created_at": iso(note.created_at),
                }
                for note, staff in notes
            ],
            procedures=self._procedures(packet),
            events=[
                {"id": e.id, "kind": e.kind, "data": e.data or {}, "created_at": iso(e.created_at)}
                for e in events
            ],
        )
        return out

    def _procedures(self, packet: dict[str, Any]) -> list[dict[str, Any]]:
        out = []
        for candidate in packet.get("procedures") or []:
            code = candidate.get("code") if isinstance(candidate, dict) else None
            if not code:
                continue
            record: Any = None
            if self.procedure_lookup is not None:
                try:
                    record = self.procedure_lookup(code)
                except Exception:  # the case view must open even if the catalogue lookup fails
                    log.exception("procedure lookup failed for %s", code)
            if record is not None and hasattr(record, "to_dict"):
                record = record.to_dict()
            if isinstance(record, dict):
                out.append({**record, "score": candidate.get("score")})
            else:
                out.append(dict(candidate))
        return out

    # == console: actions =================================================================

    def create_case(
        self,
        staff: Staff,
        *,
        language: str,
        reason: str,
        conversation_id: str | None = None,
        channel: str | None = None,
        text: str | None = None,
        callback_number: str | None = None,
        display_name: str | None = None,
        ip: str | None = None,
    ) -> dict[str, Any]:
        """A case staff open themselves (a phone call, a visit): a new conversation unless
        one is named."""
        now = self.now()
        if text and len(text) > MAX_TEXT:
            raise InvalidRequest(f"the text is longer than {MAX_TEXT} characters")
        number = normalise_callback(callback_number) if callback_number else None
        with self.db.session() as s:
            if conversation_id:
                conv = s.get(Conversation, conversation_id)
                if conv is None:
                    raise CaseNotFound(f"no conversation {conversation_id!r}")
                channel = conv.channel
                channel_user_id = conv.channel_user_id
                display_name = display_name or conv.display_name
            else:
                conversation_id = f"console-{uuid.uuid4().hex[:20]}"
                channel = channel or "phone"
                channel_user_id = None
                s.add(
                    Conversation(
                        id=conversation_id,
                        channel=channel,
                        channel_user_id=None,
                        display_name=display_name,
                        language=language,
                        state={},
                        created_at=now,
                        updated_at=now,
                    )
                )
            if text:
                s.flush()
                s.add(
                    Message(
                        conversation_id=conversation_id,
                        channel=channel,
                        direction="in",
                        sender="system",
                        staff_id=staff.id,
                        text=text,
                        language=language,
                        created_at=now,
                    )
                )
        packet = HandoffPacket(
            conversation_id=conversation_id,
            channel=channel or "phone",
            language=language,
            reason=reason,
            channel_user_id=channel_user_id,
            display_name=display_name,
            last_message=text or "",
            callback_number=number,
        )
        case = self._open(packet, staff=staff, ip=ip)
        return self.summary(case.id)

    def claim(self, case_id: str, staff: Staff, *, ip: str | None = None) -> bool:
        """Take a waiting case. Exactly one of several concurrent claims wins."""
        now = self.now()
        with self.db.session() as s:
            case = self._load(s, case_id)
            if case.status != "waiting":
                return False
            result: CursorResult[Any] = s.execute(  # type: ignore[assignment]
                update(Case)
                .where(Case.id == case_id, Case.status == "waiting", Case.version == case.version)
                .values(
                    status="assigned",
                    assigned_to=staff.id,
                    assigned_at=now,
                    version=case.version + 1,
                    updated_at=now,
                )
                .execution_options(synchronize_session=False)
            )
            if result.rowcount != 1:
                return False
            self._event(s, case_id, "assigned", {"staff_id": staff.id, "username": staff.username}, now)
            self._audit(s, staff, "claim", case_id, {}, ip, now)
            self._notify_claimed(s, case, staff, now)
        log.info("case %s claimed by %s", case_id, staff.username)
        return True

    def reply(self, case_id: str, staff: Staff, text: str, *, ip: str | None = None) -> tuple[int, int]:
        """Send a message to the citizen: stored in the transcript and queued in the outbox
        of the conversation's channel. Returns (message id, outbox id)."""
        body = (text or "").strip()
        if not body:
            raise InvalidRequest("the reply is empty")
        if len(body) > MAX_TEXT:
            raise InvalidRequest(f"the reply is longer than {MAX_TEXT} characters")
        now = self.now()
        with self.db.session() as s:
            case = self._load(s, case_id)
            self._require(case, staff, HELD, "reply")
            values: dict[str, Any] = {}
            if case.first_response_at is None:
                values["first_response_at"] = now
            self._update(s, case, values, now)
            message = Message(
                conversation_id=case.conversation_id,
                channel=case.channel,
                direction="out",
                sender="agent",
                staff_id=staff.id,
                text=body,
                language=case.language,
                created_at=now,
            )
            s.add(message)
            s.flush()
            outbox = OutboxMessage(
                conversation_id=case.conversation_id,
                channel=case.channel,
                recipient=case.channel_user_id,
                message_id=message.id,
                payload={"text": body, "sender": "agent", "case_id": case_id, "language": case.language},
                status="pending",
                attempts=0,
                next_attempt_at=now,
                created_at=now,
            )
            s.add(outbox)
            s.flush()
            self._event(s, case_id, "reply", {"message_id": message.id, "staff_id": staff.id}, now)
            self._audit(s, staff, "reply", case_id, {"message_id": message.id, "chars": len(body)}, ip, now)
            return message.id, outbox.id

    def add_note(self, case_id: str, staff: Staff, text: str, *, ip: str | None = None) -> dict[str, Any]:
        body = (text or "").strip()
        if not body:
            raise InvalidRequest("the note is empty")
        if len(body) > MAX_TEXT:
            raise InvalidRequest(f"the note is longer than {MAX_TEXT} characters")
        now = self.now()
        with self.db.session() as s:
            self._load(s, case_id)
            note = CaseNote(case_id=case_id, staff_id=staff.id, text=body, created_at=now)
            s.add(note)
            s.flush()
            self._event(s, case_id, "note", {"note_id": note.id, "staff_id": staff.id}, now)
            self._audit(s, staff, "note", case_id, {"note_id": note.id}, ip, now)
            return {
                "id": note.id,
                "staff": {"id": staff.id, "username": staff.username},
                "text": body,
                "created_at": iso(now),
            }

    def transfer(
        self,
        case_id: str,
        staff: Staff,
        *,
        to_staff_id: int | None = None,
        team: str | None = None,
        ip: str | None = None,
    ) -> dict[str, Any]:
        """Hand the case to another staff member (assigned to them) or to a team (back in the
        queue, keeping its place)."""
        team = (team or "").strip() or None
        if to_staff_id is None and team is None:
            raise InvalidRequest("name a staff member or a team to transfer to")
        if team and self.settings.teams and team not in self.settings.teams:
            raise InvalidRequest(f"unknown team {team!r}; teams: {', '.join(self.settings.teams)}")
        now = self.now()
        with self.db.session() as s:
            case = self._load(s, case_id)
            self._require(case, staff, OPEN, "transfer")
            values: dict[str, Any] = {}
            detail: dict[str, Any] = {"from_staff_id": case.assigned_to}
            target: Staff | None = None
            if team:
                values["team"] = team
                detail["team"] = team
            if to_staff_id is not None:
                target = s.get(Staff, to_staff_id)
                if target is None or not target.active:
                    raise InvalidRequest(f"no active staff member with id {to_staff_id}")
                values.update(status="assigned", assigned_to=target.id, assigned_at=now)
                detail.update(to_staff_id=target.id, to_username=target.username)
            else:
                values.update(status="waiting", assigned_to=None, assigned_at=None)
            self._update(s, case, values, now)
            if target is not None and target.id != case.assigned_to:
                self._notify_claimed(s, case, target, now)  # the citizen learns who helps now
            self._event(s, case_id, "transferred", detail, now)
            self._audit(s, staff, "transfer", case_id, detail, ip, now)
        return self.summary(case_id)

    def wait_for_citizen(self, case_id: str, staff: Staff, *, ip: str | None = None) -> dict[str, Any]:
        now = self.now()
        with self.db.session() as s:
            case = self._load(s, case_id)
            self._require(case, staff, ("assigned",), "wait for the citizen on")
            self._update(s, case, {"status": "waiting_citizen"}, now)
            self._event(s, case_id, "waiting_citizen", {"staff_id": staff.id}, now)
            self._audit(s, staff, "wait", case_id, {}, ip, now)
        return self.summary(case_id)

    def resolve(self, case_id: str, staff: Staff, outcome: str, *, ip: str | None = None) -> dict[str, Any]:
        if outcome not in self.settings.outcomes:
            raise InvalidRequest(
                f"unknown outcome {outcome!r}; use one of {', '.join(self.settings.outcomes)}"
            )
        now = self.now()
        with self.db.session() as s:
            case = self._load(s, case_id)
            self._require(case, staff, OPEN, "resolve")
            self._update(s, case, {"status": "resolved", "outcome": outcome, "resolved_at": now}, now)
            self._event(s, case_id, "resolved", {"outcome": outcome, "staff_id": staff.id}, now)
            self._notify_resolved(s, case, now)
            self._audit(s, staff, "resolve", case_id, {"outcome": outcome}, ip, now)
        return self.summary(case_id)

    def close(
        self, case_id: str, staff: Staff, *, note: str | None = None, ip: str | None = None
    ) -> dict[str, Any]:
        """End a case without an outcome (spam, abuse, duplicate): it is never reopened."""
        now = self.now()
        with self.db.session() as s:
            case = self._load(s, case_id)
            self._require(case, staff, OPEN, "close")
            self._update(s, case, {"status": "closed", "closed_at": now}, now)
            detail = {"note": note} if note else {}
            self._event(s, case_id, "closed", {"staff_id": staff.id, **detail}, now)
            self._audit(s, staff, "close", case_id, detail, ip, now)
        return self.summary(case_id)

    def reopen(self, case_id: str, staff: Staff, *, ip: str | None = None) -> dict[str, Any]:
        """Put a resolved or closed case back in the queue."""
        now = self.now()
        with self.db.session() as s:
            case = self._load(s, case_id)
            if case.status not in FINISHED:
                raise CaseConflict(f"case {case_id} is {case.status}, not resolved or closed")
            if staff.role not in SUPERVISORS and case.assigned_to != staff.id:
                raise NotAllowed("only the agent who handled the case or a supervisor can reopen it")
            self._update(
                s,
                case,
                {
                    "status": "waiting",
                    "assigned_to": None,
                    "assigned_at": None,
                    "queued_at": now,
                    "resolved_at": None,
                    "closed_at": None,
                    "outcome": None,
                    "reopened": case.reopened + 1,
                },
                now,
            )
            self._event(s, case_id, "reopened", {"staff_id": staff.id}, now)
            self._audit(s, staff, "reopen", case_id, {}, ip, now)
        return self.summary(case_id)

    # == live feed ========================================================================

    def last_event_id(self) -> int:
        """The feed's cursor now (``handoff.events``: commit order, never a skipped event)."""
        sequence(self.db)
        with self.db.session() as s:
            return int(s.scalar(select(func.max(CaseEvent.seq))) or 0)

    def events_since(self, last_id: int, limit: int = 100) -> list[dict[str, Any]]:
        """Events after the cursor ``last_id`` (a ``seq``), oldest first, each with the
        case's current summary."""
        sequence(self.db)
        now = self.now()
        with self.db.session() as s:
            events = list(
                s.scalars(
                    select(CaseEvent)
                    .where(CaseEvent.seq > last_id)
                    .order_by(CaseEvent.seq)
                    .limit(max(1, limit))
                )
            )
            ids = sorted({e.case_id for e in events})
            cases = list(s.scalars(select(Case).where(Case.id.in_(ids)))) if ids else []
            summaries = {c["id"]: c for c in self._summaries(s, cases, now)}
        return [
            {
                "id": e.seq,
                "kind": e.kind,
                "case_id": e.case_id,
                "case": summaries.get(e.case_id),
                "data": e.data or {},
                "created_at": iso(e.created_at),
            }
            for e in events
        ]

    # == supervision ======================================================================

    def stats(self, days: int = 7) -> dict[str, Any]:
        now = self.now()
        since = now - timedelta(days=max(1, days))
        with self.db.session() as s:
            waiting = s.execute(
                select(func.count(), func.min(func.coalesce(Case.queued_at, Case.created_at))).where(
                    Case.status == "waiting"
                )
            ).one()
            queue_length, oldest = int(waiting[0] or 0), waiting[1]
            callbacks = int(
                s.scalar(
                    select(func.count())
                    .select_from(Case)
                    .where(Case.status == "waiting", Case.callback.is_(True))
                )
                or 0
            )
            cases_opened = int(
                s.scalar(select(func.count()).select_from(Case).where(Case.created_at >= since)) or 0
            )
            conversations = int(
                s.scalar(
                    select(func.count(func.distinct(Message.conversation_id))).where(
                        Message.created_at >= since
                    )
                )
                or 0
            )
            # What the retention job deleted in the period survives as daily counts.
            archived = dict(
                s.execute(
                    select(DailyStat.metric, func.sum(DailyStat.count))
                    .where(
                        DailyStat.day >= self.hours.local(since).date(),
                        DailyStat.metric.in_(("cases", "conversations")),
                    )
                    .group_by(DailyStat.metric)
                ).all()
            )
            cases_opened += int(archived.get("cases") or 0)
            conversations += int(archived.get("conversations") or 0)
            assigned = s.execute(
                select(Case.assigned_at, func.coalesce(Case.queued_at, Case.created_at)).where(
                    Case.assigned_at >= since
                )
            ).all()
            handled = s.execute(
                select(Case.assigned_to, Case.assigned_at, Case.resolved_at).where(
                    Case.resolved_at >= since, Case.assigned_at.is_not(None)
                )
            ).all()
            actions = s.execute(
                select(AuditEntry.staff_id, AuditEntry.action, func.count())
                .where(
                    AuditEntry.created_at >= since,
                    AuditEntry.action.in_(("claim", "resolve", "reply")),
                    AuditEntry.staff_id.is_not(None),
                )
                .group_by(AuditEntry.staff_id, AuditEntry.action)
            ).all()
            staff_ids: set[int] = {int(row[0]) for row in [*actions, *handled] if row[0] is not None}
            names = (
                {st.id: st.username for st in s.scalars(select(Staff).where(Staff.id.in_(staff_ids)))}
                if staff_ids
                else {}
            )
        per: dict[int, dict[str, Any]] = {
            sid: {
                "staff_id": sid,
                "username": names.get(sid, f"#{sid}"),
                "claimed": 0,
                "resolved": 0,
                "replies": 0,
            }
            for sid in staff_ids
        }
        for sid, action, count in actions:
            key = {"claim": "claimed", "resolve": "resolved", "reply": "replies"}[action]
            if sid is not None:
                per[sid][key] = int(count)
        for sid in per:
            per[sid]["median_handling_seconds"] = _median(
                _seconds(resolved, start) for who, start, resolved in handled if who == sid
            )
        return {
            "period_days": max(1, days),
            "queue_length": queue_length,
            "oldest_wait_seconds": round(_seconds(now, oldest) or 0.0, 1) if oldest is not None else 0,
            "callbacks_waiting": callbacks,
            "cases_opened": cases_opened,
            "conversations": conversations,
            "handoff_rate": round(cases_opened / conversations, 4) if conversations else 0.0,
            "median_wait_seconds": _median(_seconds(at, queued) for at, queued in assigned),
            "median_handling_seconds": _median(_seconds(resolved, start) for _w, start, resolved in handled),
            "per_agent": sorted(per.values(), key=lambda a: (-a["resolved"], -a["claimed"], a["username"])),
            "gaps": self.gaps(days=days),
        }

    def gaps(self, days: int = 30, limit: int = 50) -> list[dict[str, Any]]:
        """Catalogue gaps: what citizens asked when the bot had no answer (its reply's intent
        was out_of_scope or no_match), grouped by the question, most frequent first."""
        since = self.now() - timedelta(days=max(1, days))
        bot = aliased(Message)
        citizen = aliased(Message)
        asked = (
            select(func.max(citizen.id))
            .where(
                citizen.conversation_id == bot.conversation_id,
                citizen.id < bot.id,
                citizen.sender == "citizen",
            )
            .correlate(bot)
            .scalar_subquery()
        )
        with self.db.session() as s:
            rows = s.execute(
                select(asked.label("asked"), bot.language, bot.created_at)
                .where(bot.sender == "bot", bot.intent.in_(GAP_INTENTS), bot.created_at >= since)
                .order_by(bot.id.desc())
                .limit(5000)
            ).all()
            question_ids = {row.asked for row in rows if row.asked is not None}
            questions = (
                {m.id: m for m in s.scalars(select(Message).where(Message.id.in_(question_ids)))}
                if question_ids
                else {}
            )
        groups: dict[tuple[str, str], dict[str, Any]] = {}
        seen: set[int] = set()
        for row in rows:
            question = questions.get(row.asked)
            if question is None or question.id in seen or not question.text.strip():
                continue
            seen.add(question.id)
            language = question.language or row.language or ""
            key = (" ".join(question.text.casefold().split()).strip(" ?!.。？！"), language)
            group = groups.get(key)
            at = aware(question.created_at)
            if group is None:
                groups[key] = {
                    "text": mask_text(question.text.strip()),
                    "language": language,
                    "count": 1,
                    "last_at": at,
                }
            else:
                group["count"] += 1
                if at > group["last_at"]:
                    group["last_at"] = at
                    group["text"] = mask_text(question.text.strip())
        ranked = sorted(groups.values(), key=lambda g: (-g["count"], -g["last_at"].timestamp()))
        return [{**g, "last_at": iso(g["last_at"])} for g in ranked[: max(1, limit)]]

    def audit_entries(self, limit: int = 200, *, case_id: str | None = None) -> list[dict[str, Any]]:
        with self.db.session() as s:
            query = (
                select(AuditEntry, Staff)
                .outerjoin(Staff, Staff.id == AuditEntry.staff_id)
                .order_by(AuditEntry.id.desc())
                .limit(max(1, min(limit, 5000)))
            )
            if case_id:
                query = query.where(AuditEntry.case_id == case_id)
            rows = s.execute(query).all()
        return [
            {
                "id": entry.id,
                "created_at": iso(entry.created_at),
                "staff": {"id": staff.id, "username": staff.username} if staff else None,
                "action": entry.action,
                "case_id": entry.case_id,
                "detail": entry.detail or {},
                "ip": entry.ip,
            }
            for entry, staff in rows
        ]

    def record(
        self,
        staff: Staff | None,
        action: str,
        *,
        case_id: str | None = None,
        detail: dict[str, Any] | None = None,
        ip: str | None = None,
    ) -> None:
        """An audit entry for an action outside a case change (an export, a page action)."""
        with self.db.session() as s:
            self._audit(s, staff, action, case_id, detail or {}, ip, self.now())

    def export_cases_csv(self, staff: Staff, *, days: int = 30, ip: str | None = None) -> str:
        since = self.now() - timedelta(days=max(1, days))
        now = self.now()
        with self.db.session() as s:
            cases = list(s.scalars(select(Case).where(Case.created_at >= since).order_by(Case.created_at)))
            summaries = self._summaries(s, cases, now)
            self._audit(
                s, staff, "export", None, {"what": "cases", "days": days, "rows": len(cases)}, ip, now
            )
        out = io.StringIO()
        writer = csv.writer(out)
        columns = [
            "id", "created_at", "status", "channel", "language", "team", "reason", "priority", "callback",
            "callback_number", "display_name", "assigned_to", "assigned_at", "first_response_at",
            "resolved_at", "closed_at", "outcome", "reopened", "wait_seconds", "handling_seconds",
            "procedures", "summary",
        ]  # fmt: skip
        writer.writerow(columns)
        for case, summary in zip(cases, summaries):
            packet = case.packet or {}
            writer.writerow(
                _csv_cell(v)
                for v in [
                    case.id,
                    iso(case.created_at),
                    case.status,
                    case.channel,
                    case.language,
                    case.team or "",
                    case.reason,
                    case.priority,
                    int(bool(case.callback)),
                    mask_number(case.callback_number) or "",
                    mask_text(case.display_name),
                    (summary["assigned_to"] or {}).get("username", ""),
                    iso(case.assigned_at) or "",
                    iso(case.first_response_at) or "",
                    iso(case.resolved_at) or "",
                    iso(case.closed_at) or "",
                    case.outcome or "",
                    case.reopened,
                    _round(_seconds(case.assigned_at, case.queued_at or case.created_at)),
                    _round(_seconds(case.resolved_at, case.assigned_at)),
                    " ".join(
                        p.get("code", "") for p in packet.get("procedures") or [] if isinstance(p, dict)
                    ),
                    summary["summary"],
                ]
            )
        return out.getvalue()

    def export_gaps_csv(self, staff: Staff, *, days: int = 30, ip: str | None = None) -> str:
        gaps = self.gaps(days=days, limit=10_000)
        self.record(staff, "export", detail={"what": "gaps", "days": days, "rows": len(gaps)}, ip=ip)
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(["text", "language", "count", "last_at"])
        for gap in gaps:
            writer.writerow([_csv_cell(gap["text"]), gap["language"], gap["count"], gap["last_at"]])
        return out.getvalue()

    # == internals ========================================================================

    def _open(self, packet: HandoffPacket, *, staff: Staff | None, ip: str | None) -> Case:
        now = self.now()
        open_now = self.hours.is_open(now)
        data = packet.to_dict()
        number = data.pop("callback_number", None)
        number = normalise_callback(number) if number else None
        data["opened_at"] = iso(now)
        with self.db.session() as s:
            # A write first: the conversation's row lock (PostgreSQL), or SQLite's write lock
            # taken before anything is read, orders two replicas opening its case (SQLite
            # lets two readers both find no case, then both insert one).
            s.execute(
                update(Conversation)
                .where(Conversation.id == packet.conversation_id)
                .values(updated_at=Conversation.updated_at)
            )
            conv = s.get(Conversation, packet.conversation_id, with_for_update={"key_share": True})
            if conv is None:
                s.add(
                    Conversation(
                        id=packet.conversation_id,
                        channel=packet.channel,
                        channel_user_id=packet.channel_user_id,
                        display_name=packet.display_name,
                        language=packet.language,
                        state={},
                        created_at=now,
                        updated_at=now,
                    )
                )
                s.flush()
            last = self._latest(s, packet.conversation_id)
            if last is not None and last.status in OPEN:
                # The citizen asked again while the case is open: one case, fresher packet.
                merged = {
                    **(last.packet or {}),
                    **{k: v for k, v in data.items() if v not in (None, "", [], {})},
                }
                merged["opened_at"] = (last.packet or {}).get("opened_at", iso(last.created_at))
                values: dict[str, Any] = {"packet": merged}
                if number:
                    values.update(callback_number=number, callback=True)
                try:
                    self._update(s, last, values, now)
                    self._event(s, last.id, "updated", {"reason": packet.reason}, now)
                except CaseConflict:
                    log.info("case %s changed while being refreshed; kept as is", last.id)
                return last
            window = timedelta(minutes=self.settings.reopen_window_minutes)
            if (
                last is not None
                and last.status == "resolved"
                and last.resolved_at is not None
                and aware(last.resolved_at) >= now - window
            ):
                holder = last.assigned_to if self._is_active(s, last.assigned_to, now) else None
                values = {
                    "status": "assigned" if holder else "waiting",
                    "assigned_to": holder,
                    "assigned_at": now if holder else None,
                    "queued_at": now,
                    "resolved_at": None,
                    "outcome": None,
                    "reopened": last.reopened + 1,
                    "reason": packet.reason[:48],
                    "language": packet.language,
                    "priority": self._priority(packet.reason),
                    "packet": {**data, "first_opened_at": (last.packet or {}).get("opened_at")},
                    "callback": bool(number) or (not open_now and holder is None),
                }
                if number:
                    values["callback_number"] = number
                if holder is not None:
                    # The citizen learns who helps once the bot's reply to this message is
                    # recorded (``after_reply``): told now, the notice would precede it.
                    values["packet"][CLAIM_NOTICE_DUE] = holder
                self._update(s, last, values, now)
                self._event(s, last.id, "reopened", {"by": "citizen", "to_staff_id": holder}, now)
                self._audit(s, staff, "reopen", last.id, {"by": "citizen", "to_staff_id": holder}, ip, now)
                log.info("case %s reopened (%s)", last.id, "assigned" if holder else "waiting")
                return s.get(Case, last.id, populate_existing=True)  # type: ignore[return-value]
            case = Case(
                id=self._new_id(s, now),
                conversation_id=packet.conversation_id,
                channel=packet.channel,
                channel_user_id=packet.channel_user_id,
                display_name=packet.display_name,
                language=packet.language,
                status="waiting",
                reason=packet.reason[:48],
                priority=self._priority(packet.reason),
                team=self._route_team(packet),
                packet=data,
                callback=bool(number) or not open_now,
                callback_number=number,
                version=1,
                created_at=now,
                updated_at=now,
                queued_at=now,
                reopened=0,
            )
            s.add(case)
            s.flush()
            self._event(s, case.id, "created", {"reason": case.reason, "callback": case.callback}, now)
            if staff is not None:
                self._audit(s, staff, "case_created", case.id, {"reason": case.reason}, ip, now)
        log.info("case %s opened for conversation %s (%s)", case.id, packet.conversation_id, packet.reason)
        return case

    # -- notices the citizen sees ------------------------------------------------------------

    def _notify(
        self, s: Session, case: Case, intent: str, key: str, now: datetime, **values: Any
    ) -> int | None:
        """Tell the citizen, in the conversation's language: the notice is a message of the
        conversation (so every transcript has it, masked when read like any other) queued in
        the outbox of its channel, the path staff replies take: pushed to Telegram or Zalo,
        read by the web chat. Returns the message id (None on the phone, where nothing is sent)."""
        if case.channel in _SPOKEN_CHANNELS:
            return None
        conv = s.get(Conversation, case.conversation_id)
        lang = _notice_language(conv.language if conv is not None else None, case.language)
        text = i18n.MESSAGES[lang][key].format(**values)
        message = Message(
            conversation_id=case.conversation_id,
            channel=case.channel,
            direction="out",
            sender="system",
            text=text,
            language=lang,
            intent=intent,
            created_at=now,
        )
        s.add(message)
        s.flush()
        s.add(
            OutboxMessage(
                conversation_id=case.conversation_id,
                channel=case.channel,
                recipient=case.channel_user_id,
                message_id=message.id,
                payload={"text": text, "sender": "system", "case_id": case.id, "language": lang},
                status="pending",
                attempts=0,
                next_attempt_at=now,
                created_at=now,
            )
        )
        return message.id

    def _notify_claimed(self, s: Session, case: Case, staff: Staff, now: datetime) -> None:
        conv = s.get(Conversation, case.conversation_id)
        lang = _notice_language(conv.language if conv is not None else None, case.language)
        role = i18n.MESSAGES[lang].get(f"role_{staff.role}") or i18n.MESSAGES[lang]["role_agent"]
        name = " ".join((staff.display_name or "").split())
        if name.casefold() == (staff.username or "").casefold():
            name = ""  # an account without a display name shows its login: never told to citizens
        if name and self.settings.notice_officer_name:
            self._notify(s, case, NOTICE_CLAIMED, "notice_claimed_named", now, name=name, role=role)
        else:
            self._notify(s, case, NOTICE_CLAIMED, "notice_claimed", now, role=role)

    def _notify_resolved(self, s: Session, case: Case, now: datetime) -> None:
        minutes = self.settings.reopen_window_minutes
        if minutes > 0:
            hours = max(1, math.ceil(minutes / 60))
            self._notify(
                s, case, NOTICE_RESOLVED, "notice_resolved_reopen", now, case_id=case.id, hours=hours
            )
        else:
            self._notify(s, case, NOTICE_RESOLVED, "notice_resolved", now, case_id=case.id)

    def _due_acknowledgement(self, s: Session, case: Case, now: datetime) -> bool:
        """Acknowledge a message to the officer unless another was acknowledged within
        ``acknowledge_every_minutes``: a citizen writing five lines gets one, not five. (The
        claim notice does not count: it says who helps, not that this message reached them.)"""
        if case.channel in _SPOKEN_CHANNELS:
            return False
        window = self.settings.acknowledge_every_minutes
        if window <= 0:
            return True
        # The conversation's row lock (PostgreSQL) keeps two messages at once from both
        # acknowledging.
        s.get(Conversation, case.conversation_id, with_for_update={"key_share": True})
        last = s.scalar(
            select(Message.created_at)
            .where(
                Message.conversation_id == case.conversation_id,
                Message.sender == "system",
                Message.intent == NOTICE_ACK,
            )
            .order_by(Message.id.desc())
            .limit(1)
        )
        return last is None or aware(last) <= now - timedelta(minutes=window)

    def _new_id(self, s: Session, now: datetime) -> str:
        day = self.hours.local(now).strftime("%y%m%d")
        for _ in range(10):
            candidate = day + "-" + "".join(secrets.choice(_ID_ALPHABET) for _ in range(5))
            if s.get(Case, candidate) is None:
                return candidate
        raise RuntimeError("could not draw a free case id")  # 31^5 per day: not expected

    def _priority(self, reason: str) -> int:
        return int(self.settings.priorities.get(reason, 0))

    def _route_team(self, packet: HandoffPacket) -> str | None:
        """The first configured team named by the place's province or a procedure's field."""
        if not self.settings.teams:
            return None
        candidates: list[str] = []
        for key in ("province_code", "province", "code"):
            value = (packet.place or {}).get(key)
            if value:
                candidates.append(str(value))
        for proc in packet.procedures:
            if proc.get("field"):
                candidates.append(str(proc["field"]))
        for value in candidates:
            if value in self.settings.teams:
                return value
        return None

    def _latest(self, s: Session, conversation_id: str) -> Case | None:
        return s.scalar(
            select(Case)
            .where(Case.conversation_id == conversation_id)
            .order_by(Case.created_at.desc(), Case.id.desc())
            .limit(1)
        )

    def _load(self, s: Session, case_id: str) -> Case:
        case = s.get(Case, case_id, populate_existing=True)
        if case is None:
            raise CaseNotFound(f"no case {case_id!r}")
        return case

    def _require(self, case: Case, staff: Staff, statuses: Sequence[str], action: str) -> None:
        if staff.role not in SUPERVISORS and case.assigned_to != staff.id:
            raise NotAllowed(f"case {case.id} is not assigned to you; claim it first")
        if case.status not in statuses:
            raise CaseConflict(f"cannot {action} case {case.id}: it is {case.status}")

    def _update(self, s: Session, case: Case, values: dict[str, Any], now: datetime) -> None:
        """Apply ``values`` only if nobody changed the case since it was read."""
        result: CursorResult[Any] = s.execute(  # type: ignore[assignment]
            update(Case)
            .where(Case.id == case.id, Case.version == case.version, Case.status == case.status)
            .values(**values, version=case.version + 1, updated_at=now)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:
            raise CaseConflict(f"case {case.id} changed meanwhile; reload it")

    def _event(self, s: Session, case_id: str, kind: str, data: dict[str, Any], now: datetime) -> None:
        s.add(CaseEvent(case_id=case_id, kind=kind, data=data, created_at=now))

    def _audit(
        self,
        s: Session,
        staff: Staff | None,
        action: str,
        case_id: str | None,
        detail: dict[str, Any],
        ip: str | None,
        now: datetime,
    ) -> None:
        s.add(
            AuditEntry(
                staff_id=staff.id if staff is not None else None,
                action=action,
                case_id=case_id,
                detail=detail,
                ip=ip,
                created_at=now,
            )
        )

    def _active_since(self, now: datetime) -> datetime:
        return now - timedelta(minutes=self.settings.active_agent_minutes)

    def _is_active(self, s: Session, staff_id: int | None, now: datetime) -> bool:
        """Active: an enabled account with a live console session seen recently."""
        if staff_id is None:
            return False
        found = s.scalar(
            select(StaffSession.token_hash)
            .join(Staff, Staff.id == StaffSession.staff_id)
            .where(
                StaffSession.staff_id == staff_id,
                Staff.active.is_(True),
                StaffSession.expires_at > now,
                StaffSession.last_seen_at >= self._active_since(now),
            )
            .limit(1)
        )
        return found is not None

    def _active_agents(self, s: Session, now: datetime) -> int:
        return int(
            s.scalar(
                select(func.count(func.distinct(StaffSession.staff_id)))
                .join(Staff, Staff.id == StaffSession.staff_id)
                .where(
                    Staff.active.is_(True),
                    StaffSession.expires_at > now,
                    StaffSession.last_seen_at >= self._active_since(now),
                )
            )
            or 0
        )

    def _position(self, s: Session, case: Case) -> int:
        queued = case.queued_at or case.created_at
        ahead = s.scalar(
            select(func.count())
            .select_from(Case)
            .where(
                Case.status == "waiting",
                Case.id != case.id,
                or_(
                    Case.priority > case.priority,
                    and_(
                        Case.priority == case.priority,
                        or_(
                            func.coalesce(Case.queued_at, Case.created_at) < queued,
                            and_(func.coalesce(Case.queued_at, Case.created_at) == queued, Case.id < case.id),
                        ),
                    ),
                ),
            )
        )
        return int(ahead or 0) + 1

    def _summaries(self, s: Session, cases: Sequence[Case], now: datetime) -> list[dict[str, Any]]:
        staff_ids = {c.assigned_to for c in cases if c.assigned_to is not None}
        staff = (
            {st.id: st for st in s.scalars(select(Staff).where(Staff.id.in_(staff_ids)))} if staff_ids else {}
        )
        out = []
        for case in cases:
            queued = case.queued_at or case.created_at
            until = (
                now
                if case.status == "waiting"
                else (case.assigned_at or case.resolved_at or case.closed_at or now)
            )
            holder = staff.get(case.assigned_to) if case.assigned_to is not None else None
            out.append(
                {
                    "id": case.id,
                    "status": case.status,
                    "channel": case.channel,
                    "language": case.language,
                    "team": case.team,
                    "priority": case.priority,
                    "callback": bool(case.callback),
                    "callback_number": mask_number(case.callback_number),
                    "reason": case.reason,
                    "display_name": mask_text(case.display_name) or None,
                    "created_at": iso(case.created_at),
                    "waiting_seconds": int(_seconds(until, queued) or 0),
                    "assigned_to": {
                        "id": holder.id,
                        "username": holder.username,
                        "display_name": holder.display_name,
                    }
                    if holder
                    else None,
                    "summary": _short(case.packet or {}),
                    # additions to the contract's Summary
                    "conversation_id": case.conversation_id,
                    "queued_at": iso(queued),
                    "updated_at": iso(case.updated_at),
                    "outcome": case.outcome,
                    "reopened": case.reopened,
                    "version": case.version,
                }
            )
        return out


def _notice_language(conversation: str | None, case: str | None) -> str:
    for lang in (conversation, case):
        if lang is not None and lang in i18n.MESSAGES:
            return lang
    return i18n.DEFAULT_LANGUAGE


def _short(packet: dict[str, Any], limit: int = 140) -> str:
    procedures = packet.get("procedures") or []
    text = ""
    if procedures and isinstance(procedures[0], dict):
        text = str(procedures[0].get("name") or "")
    if not text:
        text = str(packet.get("last_message") or "")
    text = mask_text(" ".join(text.split()))
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _round(value: float | None) -> str:
    return "" if value is None else str(int(round(value)))
