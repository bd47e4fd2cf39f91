"""Records crawled from the National Public Service Portal (dichvucong.gov.vn).

One JSON object per procedure with Vietnamese field names; the table cells were
flattened by the crawl and are re-parsed by :mod:`knowledge.catalogue.cells`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from typing import Any

from knowledge.catalogue import cells
from knowledge.catalogue.sources import (
    PORTAL,
    RecordQuarantined,
    Warn,
    raw_text,
    required_text,
    text,
)
from knowledge.models import Procedure

# The page's own code, as the portal prints it in the page text.
_PAGE_CODE_RE = re.compile(r"Mã thủ tục\s*([0-9]+\.[0-9]+)")


def portal_procedure(data: Mapping[str, Any], warn: Warn, imported_at: str) -> Procedure:
    """Build a procedure; raises ``RecordRejected`` or ``RecordQuarantined``.

    A record whose page text names another code carries another procedure's page (the
    crawl followed a redirect): its fields would be wrong, so it is quarantined.
    """
    code = required_text(data, "ma_thu_tuc", "procedure code")
    name = required_text(data, "ten_thu_tuc", "procedure name")
    _check_page_code(code, raw_text(data, "raw_text", warn), warn)
    folder = clean_folder(raw_text(data, "_source_folder", warn, "ministry"))
    levels, unknown = cells.parse_levels(raw_text(data, "cap_thuc_hien", warn, "levels"))
    if unknown:
        warn("levels", "unknown level name")
    rows = cells.parse_channel_rows(raw_text(data, "cach_thuc_thuc_hien", warn, "channels"))
    if any(row.ambiguous_time for row in rows):
        warn("channels", "time limit glued to the fee (split guessed)")
    return Procedure(
        code=code,
        name=name,
        levels=levels,
        field=text(data, "linh_vuc", warn, "field"),
        implementing_agency=text(data, "co_quan_thuc_hien", warn, "implementing_agency"),
        competent_agency=text(data, "co_quan_co_tham_quyen", warn, "competent_agency"),
        applicants=cells.parse_applicants(raw_text(data, "doi_tuong_thuc_hien", warn, "applicants")),
        channels=[row.channel for row in rows],
        documents=cells.parse_documents(raw_text(data, "thanh_phan_ho_so", warn, "documents")),
        steps=cells.parse_steps(raw_text(data, "trinh_tu_thuc_hien", warn, "steps")),
        conditions=text(data, "yeu_cau_dieu_kien", warn, "conditions"),
        result="; ".join(cells.parse_result(raw_text(data, "ket_qua_xu_ly", warn, "result"))),
        legal_bases=cells.parse_legal_bases(raw_text(data, "can_cu_phap_ly", warn, "legal_bases")),
        url=text(data, "detail_url", warn, "url"),
        source=f"{PORTAL}:{folder}" if folder else PORTAL,
        imported_at=imported_at,
        ministry=folder,
        receiving_address=text(data, "dia_chi_tiep_nhan", warn, "receiving_address"),
    )


def clean_folder(value: str) -> str:
    return value.strip().strip("/")


def _check_page_code(code: str, page: str, warn: Warn) -> None:
    if not page:
        warn("raw_text", "missing, page identity not checked")
        return
    m = _PAGE_CODE_RE.search(unicodedata.normalize("NFC", page))
    if m is None:
        warn("raw_text", "no procedure code in the page text")
    elif m.group(1) != code:
        raise RecordQuarantined(code, f"page text is procedure {m.group(1)}, not {code}")
