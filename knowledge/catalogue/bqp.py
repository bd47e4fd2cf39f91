"""The Ministry of Defence catalogue (``bqp-2025/*.json``): one structured file per procedure.

Layout: ``metadata`` (code, name, level, field), ``content`` (free-text sections) and
``tables`` (``hinh_thuc_nop``, ``thanh_phan_ho_so``, ``can_cu_phap_ly``) whose cells are
already separated, though some columns hold something else than their name says (the
document table's ``so_luong`` holds template file names, ``ghi_chu`` the quantities).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from knowledge.catalogue import cells
from knowledge.catalogue.sources import (
    BQP,
    RecordRejected,
    Warn,
    mapping,
    raw_text,
    required_text,
    rows,
    text,
)
from knowledge.models import Document, LegalBasis, Procedure, SubmissionChannel

MINISTRY = "bo-quoc-phong"
_ORIGINALS_RE = re.compile(r"Bản chính\s*:\s*(\d+)", re.IGNORECASE)
_COPIES_RE = re.compile(r"Bản sao\s*:\s*(\d+)", re.IGNORECASE)
_FILE_RE = re.compile(r"\.(?:docx?|pdf|xlsx?|rar|zip|odt|rtf)\s*$", re.IGNORECASE)


def bqp_procedure(data: Mapping[str, Any], warn: Warn, imported_at: str) -> Procedure:
    """Build a procedure; raises ``RecordRejected`` when code or name is missing."""
    meta = mapping(data, "metadata", warn)
    content = mapping(data, "content", warn)
    tables = mapping(data, "tables", warn)
    code = _code(data, meta)
    name = required_text(meta, "tên_thủ_tục", "procedure name")
    levels, unknown = cells.parse_levels(raw_text(meta, "cấp_thực_hiện", warn, "levels"))
    if unknown:
        warn("levels", "unknown level name")
    return Procedure(
        code=code,
        name=name,
        levels=levels,
        field=text(meta, "lĩnh_vực", warn, "field"),
        implementing_agency=text(content, "cơ_quan_thực_hiện", warn, "implementing_agency"),
        competent_agency=text(content, "cơ_quan_có_thẩm_quyền", warn, "competent_agency"),
        applicants=cells.parse_applicants(raw_text(content, "đối_tượng_thực_hiện", warn, "applicants")),
        channels=_channels(rows(tables, "hinh_thuc_nop", warn), warn),
        documents=_documents(rows(tables, "thanh_phan_ho_so", warn), warn),
        steps=cells.parse_steps(raw_text(content, "trình_tự_thực_hiện", warn, "steps")),
        conditions=text(content, "yêu_cầu_điều_kiện_thực_hiện", warn, "conditions"),
        result=text(content, "kết_quả_thực_hiện", warn, "result"),
        legal_bases=_legal_bases(rows(tables, "can_cu_phap_ly", warn), warn),
        url="",  # the files carry no link, and an answer must not invent one
        source=BQP,
        imported_at=imported_at,
        ministry=MINISTRY,
        receiving_address=text(content, "địa_chỉ_tiếp_nhận_hs", warn, "receiving_address"),
    )


def _code(data: Mapping[str, Any], meta: Mapping[str, Any]) -> str:
    try:
        return required_text(meta, "mã_thủ_tục", "procedure code")
    except RecordRejected:
        return required_text(data, "thu_tuc_id", "procedure code")


def _channels(table: list[Mapping[str, Any]], warn: Warn) -> list[SubmissionChannel]:
    channels: list[SubmissionChannel] = []
    for row in table:
        kind = cells.channel_kind(raw_text(row, "hinh_thuc", warn, "channels"))
        if kind is None:
            warn("channels", "unknown channel name, row ignored")
            continue
        time_limit = raw_text(row, "thoi_han_giai_quyet", warn, "channels")
        fee = raw_text(row, "phi_le_phi", warn, "channels")
        days, working = cells.parse_duration(time_limit)
        channels.append(
            SubmissionChannel(
                kind=kind,
                time_limit=cells.clean(time_limit),
                time_days=days,
                working_days=working,
                fee=cells.clean(fee),
                fee_vnd=cells.parse_fee_vnd(fee),
                description=text(row, "mo_ta", warn, "channels"),
            )
        )
    return channels


def _documents(table: list[Mapping[str, Any]], warn: Warn) -> list[Document]:
    """Rows with no quantity that name a case (``Trường hợp 1: ...``) group the rows after."""
    documents: list[Document] = []
    group = ""
    for row in table:
        name = raw_text(row, "ten_giay_to", warn, "documents")
        cells_text = [raw_text(row, key, warn, "documents") for key in ("so_luong", "ghi_chu")]
        originals, copies = _quantities(" ".join(cells_text))
        forms = [line.strip() for c in cells_text for line in c.splitlines() if _FILE_RE.search(line)]
        if not originals and not copies and cells.is_case_heading(name):
            group = cells.clean(cells.heading_text(name))
            if not forms:
                continue  # a heading only; with templates it is also a row of its case
        clean_name = cells.clean(name)
        if not clean_name:
            continue
        documents.append(
            Document(
                name=clean_name,
                form="; ".join(cells.clean(f) for f in forms),
                originals=originals,
                copies=copies,
                group=group,
            )
        )
    return documents


def _quantities(text_: str) -> tuple[int | None, int | None]:
    originals = _ORIGINALS_RE.search(text_)
    copies = _COPIES_RE.search(text_)
    return (
        int(originals.group(1)) if originals else None,
        int(copies.group(1)) if copies else None,
    )


def _legal_bases(table: list[Mapping[str, Any]], warn: Warn) -> list[LegalBasis]:
    """``so_ky_hieu`` is usually the number, but may be ``12`` (with the full number in
    the title), ``Thông tư số 104/2024/TT-BQP`` or even a title in capitals."""
    bases: list[LegalBasis] = []
    for row in table:
        label = raw_text(row, "so_ky_hieu", warn, "legal_bases")
        title = cells.clean(raw_text(row, "trich_yeu", warn, "legal_bases"))
        number = _legal_number(label, title)
        title = title or cells.clean(label)
        if title or number:
            bases.append(LegalBasis(title=title or number, number=number))
    return bases


def _legal_number(label: str, title: str) -> str:
    number = cells.parse_legal_number(label)
    if number:
        return number
    in_title = cells.parse_legal_number(title)
    stub = label.strip()
    if in_title and (not stub or not stub.isdigit() or in_title.startswith(stub + "/")):
        return in_title
    return ""
