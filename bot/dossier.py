"""Dossier-status lookup: receipt codes in a message → the status of that dossier.

Vietnamese one-stop systems print a code on the receipt (“giấy tiếp nhận hồ sơ và hẹn trả
kết quả”): the receiving agency's identifier in the QCVN 102:2016 scheme (up to four
numeric segments and a letter + two digits, e.g. ``000.00.24.H17`` for an agency of Đà
Nẵng, ``G22.99`` for a ministry-level system), the reception date as ``YYMMDD`` and a
sequence number: ``000.00.24.H17-250703-0012``. ``find_dossier_codes`` recognises them in
free text, written the way citizens retype them (lower case, spaces around the dashes,
en dashes, full-width digits, a full stop after the code), and returns them in one
canonical spelling, which is also the key the sources are queried with.

A source is anything with ``lookup(code) -> DossierStatus | None`` (``DossierSource``); two
are bundled: ``SqliteDossierSource`` (a local table, seeded from CSV: demos, tests, or a
nightly export) and ``HttpDossierSource`` (a province's JSON API, mapped by configuration).
``None`` means the source answered and has no such dossier; a source that cannot answer
raises ``DossierSourceError``, so the assistant tells the citizen the service is down and
offers staff instead of saying "not found".

Statuses are normalised to ``STATUSES``. ``overdue`` is derived when the due date has passed
while the office still holds the dossier (received, processing): a dossier waiting for the
citizen (additions, payment) or finished is not the office's delay.
"""

from __future__ import annotations

import csv
import logging
import re
import sqlite3
import threading
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable
from urllib.parse import quote

if TYPE_CHECKING:
    import httpx

from knowledge.errors import ConfigError, ProviderUnavailable
from knowledge.text import fold

log = logging.getLogger(__name__)

STATUSES: tuple[str, ...] = (
    "received",
    "processing",
    "additional_required",
    "waiting_payment",
    "done",
    "returned",
    "rejected",
    "withdrawn",
    "overdue",
)
# Statuses after which staff should be offered: the citizen likely needs a person.
PROBLEM_STATUSES: frozenset[str] = frozenset({"overdue", "rejected", "additional_required", "returned"})
# The office holds the dossier: only then is a passed due date the office's delay.
_OFFICE_HOLDS: frozenset[str] = frozenset({"received", "processing"})

# Vietnam has had no daylight saving time since 1975; a fixed offset needs no tz database.
VIETNAM_TZ = timezone(timedelta(hours=7), "ICT")

DEFAULT_STATUS_MAP: dict[str, str] = {
    # received
    "Đã tiếp nhận": "received",
    "Tiếp nhận": "received",
    "Mới tiếp nhận": "received",
    "Chờ tiếp nhận": "received",
    "Đã nhận hồ sơ": "received",
    "Hồ sơ mới": "received",
    # processing
    "Đang xử lý": "processing",
    "Đang giải quyết": "processing",
    "Đang thụ lý": "processing",
    "Đang thẩm định": "processing",
    "Chờ phê duyệt": "processing",
    "Chờ ký duyệt": "processing",
    "Chuyển xử lý": "processing",
    "Đang chuyển xử lý": "processing",
    # additional_required
    "Yêu cầu bổ sung": "additional_required",
    "Yêu cầu bổ sung hồ sơ": "additional_required",
    "Bổ sung hồ sơ": "additional_required",
    "Chờ bổ sung": "additional_required",
    "Chờ bổ sung hồ sơ": "additional_required",
    "Cần bổ sung": "additional_required",
    # waiting_payment
    "Chờ thanh toán": "waiting_payment",
    "Chờ nộp phí": "waiting_payment",
    "Chờ nộp lệ phí": "waiting_payment",
    "Chờ nộp phí, lệ phí": "waiting_payment",
    "Chờ thực hiện nghĩa vụ tài chính": "waiting_payment",
    # done (the result exists: ready for pick-up or already handed over)
    "Đã trả kết quả": "done",
    "Hoàn thành": "done",
    "Đã hoàn thành": "done",
    "Đã giải quyết": "done",
    "Đã có kết quả": "done",
    "Có kết quả": "done",
    "Chờ trả kết quả": "done",
    "Chờ nhận kết quả": "done",
    # returned (handed back without a result)
    "Trả lại hồ sơ": "returned",
    "Đã trả lại hồ sơ": "returned",
    "Hoàn trả hồ sơ": "returned",
    "Trả lại": "returned",
    # rejected
    "Từ chối": "rejected",
    "Từ chối tiếp nhận": "rejected",
    "Từ chối giải quyết": "rejected",
    "Không đủ điều kiện giải quyết": "rejected",
    "Không giải quyết": "rejected",
    # withdrawn
    "Rút hồ sơ": "withdrawn",
    "Đã rút hồ sơ": "withdrawn",
    "Công dân rút hồ sơ": "withdrawn",
    "Dừng xử lý": "withdrawn",
    "Đã hủy": "withdrawn",
    # overdue (some systems say so themselves)
    "Quá hạn": "overdue",
    "Trễ hạn": "overdue",
    "Đang xử lý quá hạn": "overdue",
    "Xử lý quá hạn": "overdue",
}

FIELDS: tuple[str, ...] = (
    "code",
    "status",
    "status_text",
    "procedure_code",
    "procedure_name",
    "office",
    "received_at",
    "due_date",
    "updated_at",
    "note",
)
_TEXT_FIELDS = ("status_text", "procedure_code", "procedure_name", "office", "note")

# --------------------------------------------------------------------------- codes

_DASH = r"[ \t]*[-\u2010-\u2015\u2212][ \t]*"
_CODE_RE = re.compile(
    r"(?<![\w.])"
    r"(?P<agency>(?:[0-9]{1,3}\.){0,4}[A-Z][0-9]{2}(?:\.[0-9]{1,4}){0,3})"
    + _DASH
    + r"(?P<date>[0-9]{6})"
    + _DASH
    + r"(?P<seq>[0-9]{3,6})"
    # A full stop may end the sentence; a decimal or a longer word means something else.
    r"(?![0-9A-Za-z])(?!\.[0-9A-Za-z])",
    re.IGNORECASE,
)


def _valid_day(yymmdd: str) -> bool:
    try:
        datetime.strptime(yymmdd, "%y%m%d")
    except ValueError:
        return False
    return True


def _iter_codes(text: str) -> Iterable[tuple[int, int, str]]:
    for m in _CODE_RE.finditer(text):
        if _valid_day(m["date"]):
            yield m.start(), m.end(), f"{m['agency'].upper()}-{m['date']}-{m['seq']}"


def find_dossier_codes(text: str) -> list[str]:
    """Receipt codes in ``text``, canonical (``000.00.24.H17-250703-0012``), first seen first."""
    if not text:
        return []
    flat = unicodedata.normalize("NFKC", text)
    seen: dict[str, None] = {}
    for _, _, code in _iter_codes(flat):
        seen.setdefault(code, None)
    return list(seen)


def dossier_code_spans(text: str) -> list[tuple[int, int]]:
    """Where codes stand in ``text`` as given (not NFKC'd): what ``safety.mask_pii`` spares."""
    return [(start, end) for start, end, _ in _iter_codes(text)]


def normalize_dossier_code(code: str) -> str:
    """The lookup key: the canonical code when ``code`` is one, else the text tidied up.

    Other systems print other shapes; those are looked up as typed, in upper case, without
    spaces around dashes and without a final full stop.
    """
    flat = unicodedata.normalize("NFKC", code or "").strip()
    found = find_dossier_codes(flat)
    if len(found) == 1:
        return found[0]
    flat = re.sub(_DASH, "-", flat)
    return re.sub(r"\s+", " ", flat).rstrip(".").upper()


# --------------------------------------------------------------------------- model


class DossierSourceError(ProviderUnavailable):
    """The source could not answer (network, 5xx, bad data): not the same as "not found"."""


@dataclass(frozen=True, slots=True)
class DossierStatus:
    code: str
    status: str  # one of STATUSES
    status_text: str = ""  # the source's own wording, Vietnamese, as published
    procedure_code: str | None = None
    procedure_name: str | None = None
    office: str | None = None
    received_at: date | None = None
    due_date: date | None = None
    updated_at: datetime | None = None
    note: str | None = None

    def __post_init__(self) -> None:
        if self.status not in STATUSES:
            raise ValueError(f"unknown dossier status {self.status!r}; expected one of {STATUSES}")

    @property
    def needs_attention(self) -> bool:
        """Overdue, rejected, returned or waiting for additions: offer staff."""
        return self.status in PROBLEM_STATUSES

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready (ISO dates): the ``dossier`` of a handoff packet."""
        out = asdict(self)
        for key in ("received_at", "due_date", "updated_at"):
            value = out[key]
            out[key] = value.isoformat() if value is not None else None
        return out


@runtime_checkable
class DossierSource(Protocol):
    def lookup(self, code: str) -> DossierStatus | None:
        """The dossier's status; ``None`` when the source has no such dossier.

        Raises ``DossierSourceError`` when the source cannot answer.
        """
        ...


Clock = Callable[[], date]


def vietnam_today() -> date:
    return datetime.now(VIETNAM_TZ).date()


# --------------------------------------------------------------------------- parsing


def _status_key(value: str) -> str:
    return fold(value).replace("_", " ").strip(" .:;")


def build_status_map(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """``DEFAULT_STATUS_MAP`` overridden by ``extra``, keyed for lookup (folded, case-free).

    Our own names (``processing``) always map to themselves, so a source may use them.
    """
    merged: dict[str, str] = {_status_key(s): s for s in STATUSES}
    for source_text, ours in [*DEFAULT_STATUS_MAP.items(), *(extra or {}).items()]:
        if ours not in STATUSES:
            raise ValueError(f"status_map: {source_text!r} maps to {ours!r}, not one of {STATUSES}")
        merged[_status_key(str(source_text))] = ours
    return merged


_DEFAULT_STATUSES = build_status_map()


def status_for(text: str, status_map: Mapping[str, str] | None = None) -> str | None:
    """Our status for a wording ("Đang xử lý", "dang xu ly" → processing); None if unknown.

    ``status_map`` comes from ``build_status_map``; the defaults when omitted.
    """
    text = text.strip()
    return (status_map or _DEFAULT_STATUSES).get(_status_key(text)) if text else None


def normalize_status(value: object, status_map: Mapping[str, str]) -> str:
    """Our status for the source's wording (``status_map`` from ``build_status_map``)."""
    text = str(value).strip() if value is not None else ""
    ours = status_for(text, status_map)
    if ours is None:
        raise DossierSourceError(
            f"unknown dossier status {text!r}: add it to the status map (dossiers.status_map)"
        )
    return ours


_DMY_RE = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})(?:[ T,]+(\d{1,2}):(\d{2})(?::(\d{2}))?)?$")
_EPOCH_MS = 10**11  # a number above this is milliseconds since 1970 (Java back-ends)


def parse_datetime(value: object) -> datetime | None:
    """dd/mm/yyyy[ HH:MM[:SS]], yyyy-mm-dd, ISO 8601, or epoch (s or ms) → datetime.

    Aware values are converted to Vietnam time; naive ones are taken as Vietnam time.
    Empty → None; anything else → ``DossierSourceError`` (a wrong date is bad data).
    """
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    elif isinstance(value, int | float) and not isinstance(value, bool):
        seconds = value / 1000 if value > _EPOCH_MS else value
        return datetime.fromtimestamp(seconds, VIETNAM_TZ).replace(tzinfo=None)
    elif isinstance(value, str):
        text = value.strip()
        if not text:
            return None
        m = _DMY_RE.match(text)
        try:
            if m:
                day, month, year, hour, minute, second = m.groups()
                parsed = datetime(
                    int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0)
                )
            else:
                parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError as exc:
            raise DossierSourceError(f"unreadable date {value!r}") from exc
    else:
        raise DossierSourceError(f"unreadable date {value!r}")
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(VIETNAM_TZ).replace(tzinfo=None)
    return parsed


def parse_date(value: object) -> date | None:
    parsed = parse_datetime(value)
    return parsed.date() if parsed is not None else None


def _text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, dict | list):
        raise DossierSourceError(f"expected a text value, got {type(value).__name__}")
    text = re.sub(r"\s+", " ", unicodedata.normalize("NFC", str(value))).strip()
    return text or None


def derive_status(status: str, due_date: date | None, today: date) -> str:
    """``overdue`` when the office still holds the dossier after its due date."""
    if status in _OFFICE_HOLDS and due_date is not None and due_date < today:
        return "overdue"
    return status


def make_status(
    code: str,
    raw: Mapping[str, object],
    status_map: Mapping[str, str],
    today: date,
) -> DossierStatus:
    """A ``DossierStatus`` from loosely typed values (a row, a JSON record).

    ``raw`` has our field names; ``raw["status"]`` is the source's wording. Bad values raise
    ``DossierSourceError``.
    """
    raw_status = raw.get("status")
    status = normalize_status(raw_status, status_map)
    due = parse_date(raw.get("due_date"))
    texts = {name: _text(raw.get(name)) for name in _TEXT_FIELDS}
    their_code = _text(raw.get("code"))
    return DossierStatus(
        code=normalize_dossier_code(their_code) if their_code else code,
        status=derive_status(status, due, today),
        status_text=texts["status_text"] or _text(raw_status) or "",
        procedure_code=texts["procedure_code"],
        procedure_name=texts["procedure_name"],
        office=texts["office"],
        received_at=parse_date(raw.get("received_at")),
        due_date=due,
        updated_at=parse_datetime(raw.get("updated_at")),
        note=texts["note"],
    )


# --------------------------------------------------------------------------- SQLite

_SCHEMA = """
CREATE TABLE IF NOT EXISTS dossiers (
    code TEXT PRIMARY KEY,
    status TEXT NOT NULL,
    status_text TEXT NOT NULL DEFAULT '',
    procedure_code TEXT,
    procedure_name TEXT,
    office TEXT,
    received_at TEXT,
    due_date TEXT,
    updated_at TEXT,
    note TEXT
)
"""
_COLUMNS = ", ".join(FIELDS)
_UPSERT = (
    f"INSERT INTO dossiers ({_COLUMNS}) VALUES ({', '.join('?' for _ in FIELDS)}) "
    "ON CONFLICT(code) DO UPDATE SET "
    + ", ".join(f"{name} = excluded.{name}" for name in FIELDS if name != "code")
)


class SqliteDossierSource:
    """Dossiers in an SQLite table (``dossiers``), created when absent.

    Rows keep our normalised status and the source's wording; dates are ISO text. Seed or
    refresh it with ``load_csv`` (an upsert: loading the same file twice changes nothing).
    One connection behind a lock: the server's threads share it safely.
    """

    def __init__(
        self,
        path: str | Path,
        *,
        status_map: Mapping[str, str] | None = None,
        today: Clock | None = None,
    ) -> None:
        self.path = str(path)
        self._status_map = build_status_map(status_map)
        self._today = today or vietnam_today
        self._lock = threading.Lock()
        self._conn: sqlite3.Connection | None = None

    def warm_up(self) -> None:
        """Open the database and create the table (fails fast on a bad path)."""
        self._connection()

    def _connection(self) -> sqlite3.Connection:
        if self._conn is None:
            if self.path != ":memory:":
                Path(self.path).parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(self.path, check_same_thread=False)
            conn.row_factory = sqlite3.Row
            conn.execute(_SCHEMA)
            conn.commit()
            self._conn = conn
        return self._conn

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    def __enter__(self) -> SqliteDossierSource:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def lookup(self, code: str) -> DossierStatus | None:
        key = normalize_dossier_code(code)
        if not key:
            return None
        try:
            with self._lock:
                row = (
                    self._connection()
                    .execute(f"SELECT {_COLUMNS} FROM dossiers WHERE code = ?", (key,))
                    .fetchone()
                )
        except sqlite3.Error as exc:
            raise DossierSourceError(f"dossier database {self.path}: {exc}") from exc
        if row is None:
            return None
        return make_status(key, dict(row), self._status_map, self._today())

    def upsert(self, records: Iterable[Mapping[str, object]]) -> int:
        """Insert or update records (our field names); returns how many were written."""
        rows = [self._row(record, f"record {n}") for n, record in enumerate(records, 1)]
        with self._lock:
            conn = self._connection()
            with conn:
                conn.executemany(_UPSERT, rows)
        return len(rows)

    def load_csv(self, csv_path: str | Path) -> int:
        """Upsert the records of a CSV file (header = our field names; ``#`` lines are comments).

        Dates may be dd/mm/yyyy or ISO; ``status`` may be ours or the source's wording. A bad
        row raises ``ValueError`` naming its line, and nothing of the file is written.
        """
        csv_path = Path(csv_path)
        with csv_path.open(encoding="utf-8-sig", newline="") as fh:
            lines = [(n, line) for n, line in enumerate(fh, 1) if not line.lstrip().startswith("#")]
        reader = csv.DictReader(line for _, line in lines)
        missing = {"code", "status"} - set(reader.fieldnames or ())
        if missing:
            raise ValueError(f"{csv_path}: missing column(s) {sorted(missing)}")
        rows = []
        for record in reader:
            line_no = lines[reader.line_num - 1][0] if reader.line_num - 1 < len(lines) else reader.line_num
            rows.append(self._row(record, f"{csv_path}:{line_no}"))
        with self._lock:
            conn = self._connection()
            with conn:
                conn.executemany(_UPSERT, rows)
        log.info("loaded %d dossiers from %s into %s", len(rows), csv_path, self.path)
        return len(rows)

    def _row(self, record: Mapping[str, object], where: str) -> tuple[str | None, ...]:
        code = normalize_dossier_code(str(record.get("code") or ""))
        if not code:
            raise ValueError(f"{where}: empty code")
        try:
            # Validated with the overdue rule off: the table keeps what the source said.
            status = make_status(code, record, self._status_map, date.min)
        except DossierSourceError as exc:
            raise ValueError(f"{where}: {exc}") from exc
        values = asdict(status)
        values["code"] = code
        return tuple(
            value.isoformat() if isinstance(value, date) else (value if value is None else str(value))
            for value in (values[name] for name in FIELDS)
        )


# --------------------------------------------------------------------------- HTTP

DEFAULT_FIELD_MAP: dict[str, str] = {name: name for name in FIELDS if name != "code"}
_MISSING = object()


def _resolve(document: object, path: str) -> object:
    """``data.items.0.trangThai`` in a JSON document; ``_MISSING`` when a step is absent."""
    node = document
    for step in path.split("."):
        if isinstance(node, Mapping):
            node = node.get(step, _MISSING)
        elif isinstance(node, list) and step.lstrip("-").isdigit():
            index = int(step)
            node = node[index] if -len(node) <= index < len(node) else _MISSING
        else:
            return _MISSING
        if node is _MISSING:
            return _MISSING
    return node


class HttpDossierSource:
    """A province's dossier API: one GET per lookup, JSON mapped by configuration.

    ``url_template`` contains ``{code}`` (URL-quoted into it), or is a base URL that gets
    ``?code=``. ``field_map`` maps our fields (``FIELDS``) to dotted paths in the response
    (``data.trangThai``, ``result.0.ngayHenTra``); unmapped fields keep their own names.
    ``status_map`` adds to ``DEFAULT_STATUS_MAP``. Secrets (an API key) go in ``headers``,
    given by the caller from the settings (see ``build_dossier_source``).

    Not found: a 404, an empty body, or a body where the parent of the status path is null
    or absent (``{"data": null}``). A 5xx, another 4xx, a timeout, invalid JSON, or a record
    without a status or with an unknown one raise ``DossierSourceError``.
    """

    def __init__(
        self,
        url_template: str,
        field_map: Mapping[str, str] | None = None,
        status_map: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        timeout: float = 3.0,
        transport: httpx.BaseTransport | None = None,
        *,
        today: Clock | None = None,
    ) -> None:
        if not url_template.startswith(("http://", "https://")):
            raise ValueError(f"dossier source URL must be http(s): {url_template!r}")
        unknown = set(field_map or ()) - set(FIELDS)
        if unknown:
            raise ValueError(f"field_map: unknown field(s) {sorted(unknown)}; expected among {FIELDS}")
        self.url_template = url_template
        self.field_map: dict[str, str] = {**DEFAULT_FIELD_MAP, **(field_map or {})}
        self._status_map = build_status_map(status_map)
        self._today = today or vietnam_today
        import httpx  # here: only this source needs it, and `hotline ask` starts faster without

        self._client = httpx.Client(
            headers={"Accept": "application/json", **(headers or {})},
            timeout=httpx.Timeout(timeout),
            transport=transport,
            follow_redirects=True,
        )

    def warm_up(self) -> None:
        """Nothing heavy to load; present for the component shape."""

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> HttpDossierSource:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _request(self, code: str) -> httpx.Response:
        if "{code}" in self.url_template:
            return self._client.get(self.url_template.format(code=quote(code, safe="")))
        import httpx

        # Merged, not replaced: the base URL may carry its own parameters (?tinh=48).
        return self._client.get(httpx.URL(self.url_template).copy_merge_params({"code": code}))

    def lookup(self, code: str) -> DossierStatus | None:
        key = normalize_dossier_code(code)
        if not key:
            return None
        import httpx

        try:
            response = self._request(key)
        except httpx.HTTPError as exc:
            raise DossierSourceError(f"dossier API unreachable: {type(exc).__name__}: {exc}") from exc
        if response.status_code == 404:
            return None
        if response.status_code != 200:
            raise DossierSourceError(f"dossier API answered HTTP {response.status_code}")
        try:
            document = response.json()
        except ValueError as exc:
            raise DossierSourceError("dossier API answered invalid JSON") from exc
        if document in (None, {}, []):
            return None
        status_path = self.field_map["status"]
        parent, _, _ = status_path.rpartition(".")
        if parent and _resolve(document, parent) in (_MISSING, None, {}, []):
            return None
        raw: dict[str, object] = {}
        for name, path in self.field_map.items():
            value = _resolve(document, path)
            if value is not _MISSING:
                raw[name] = value
        if raw.get("status") in (None, ""):
            raise DossierSourceError(f"dossier API record has no status at {status_path!r}")
        return make_status(key, raw, self._status_map, self._today())


# --------------------------------------------------------------------------- factory

SOURCE_KINDS: tuple[str, ...] = ("sqlite", "http", "none")
API_KEY_ENV = "DOSSIER_API_KEY"


class NoDossierSource:
    """Dossier lookup switched off: every lookup raises, so the assistant offers staff."""

    def lookup(self, code: str) -> DossierStatus | None:
        raise DossierSourceError("no dossier source is configured (dossiers.source: none)")


def build_dossier_source(
    kind: str,
    *,
    api_key: str | None = None,
    **options: Any,
) -> DossierSource:
    """A source from configuration (the ``dossiers`` section).

    - ``sqlite``: ``path`` (required), ``seed`` (a CSV path or a list of them, loaded at
      start), ``status_map``, ``today``.
    - ``http``: ``url`` (required), ``field_map``, ``status_map``, ``timeout``, ``headers``,
      ``api_key_header`` (the header that carries ``api_key``, e.g. ``X-API-Key``: the
      settings' ``DOSSIER_API_KEY``; a header without a key is an error), ``transport``,
      ``today``.
    - ``none``: no lookup (every lookup raises ``DossierSourceError``).

    Unknown options are errors: a misspelt key must not be silently ignored.
    """

    def take(allowed: set[str]) -> None:
        unknown = set(options) - allowed
        if unknown:
            raise ValueError(f"dossier source {kind!r}: unknown option(s) {sorted(unknown)}")

    if kind == "none":
        take(set())
        return NoDossierSource()
    if kind == "sqlite":
        take({"path", "seed", "status_map", "today"})
        if not options.get("path"):
            raise ValueError("dossier source 'sqlite' needs a path (dossiers.path)")
        source = SqliteDossierSource(
            options["path"], status_map=options.get("status_map"), today=options.get("today")
        )
        source.warm_up()
        seeds = options.get("seed") or []
        for seed in [seeds] if isinstance(seeds, str | Path) else seeds:
            source.load_csv(seed)
        return source
    if kind == "http":
        take(
            {
                "url",
                "field_map",
                "status_map",
                "timeout",
                "headers",
                "api_key_header",
                "transport",
                "today",
            }
        )
        if not options.get("url"):
            raise ValueError("dossier source 'http' needs a URL (dossiers.url)")
        headers = dict(options.get("headers") or {})
        header = options.get("api_key_header")
        if header:
            if not api_key:
                raise ConfigError(
                    f"dossier source 'http' sends {header}, but {API_KEY_ENV} is not set in the environment"
                )
            headers[header] = api_key
        return HttpDossierSource(
            options["url"],
            field_map=options.get("field_map"),
            status_map=options.get("status_map"),
            headers=headers,
            timeout=float(options.get("timeout") or 3.0),
            transport=options.get("transport"),
            today=options.get("today"),
        )
    raise ValueError(f"unknown dossier source {kind!r}; expected one of {SOURCE_KINDS}")
