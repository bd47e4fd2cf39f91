"""The normalised data model of the knowledge base.

Every importer produces these dataclasses; the index, the answer composer and the
project's own JSONL format (``to_dict``/``from_dict``) all speak only this model.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from dataclasses import field as _field  # Procedure has a data field named "field"
from typing import Any

LEVELS = ("ministry", "province", "commune", "other")
CHANNEL_KINDS = ("in_person", "online", "post")


@dataclass(slots=True)
class SubmissionChannel:
    """One way to submit a dossier, with its own time limit and fee."""

    kind: str  # one of CHANNEL_KINDS
    time_limit: str = ""  # as published, e.g. "5 Ngày làm việc"
    time_days: float | None = None  # parsed number of days when the text allows it
    working_days: bool = False
    fee: str = ""  # as published, e.g. "10 USD(/lần)", "Miễn phí"
    fee_vnd: int | None = None  # parsed amount in đồng; 0 means free
    description: str = ""


@dataclass(slots=True)
class Document:
    name: str
    form: str = ""  # template file or form name ("Mẫu số 01.docx")
    originals: int | None = None  # "1 bản chính"
    copies: int | None = None  # "1 bản sao"
    group: str = ""  # the case the document belongs to when the list is split by case


@dataclass(slots=True)
class LegalBasis:
    title: str
    number: str = ""  # "51/2019/QH14"


@dataclass(slots=True)
class Procedure:
    code: str
    name: str
    levels: list[str] = field(default_factory=list)
    field: str = ""  # lĩnh vực
    implementing_agency: str = ""
    competent_agency: str = ""
    applicants: list[str] = _field(default_factory=list)
    channels: list[SubmissionChannel] = _field(default_factory=list)
    documents: list[Document] = _field(default_factory=list)
    steps: list[str] = _field(default_factory=list)
    conditions: str = ""
    result: str = ""
    legal_bases: list[LegalBasis] = _field(default_factory=list)
    url: str = ""
    source: str = ""  # which importer / list the record came from
    imported_at: str = ""  # ISO date of the import
    aliases: list[str] = _field(default_factory=list)  # what citizens call it
    ministry: str = ""  # e.g. "bo-cong-an" (the list it was published in)
    receiving_address: str = ""
    descriptions: dict[str, str] = _field(default_factory=dict)  # citizens' words per language ("vi", "en")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Procedure:
        known = {f.name for f in fields(cls)}
        kw = {k: v for k, v in data.items() if k in known}
        kw["channels"] = [_build(SubmissionChannel, c) for c in data.get("channels") or []]
        kw["documents"] = [_build(Document, d) for d in data.get("documents") or []]
        kw["legal_bases"] = [_build(LegalBasis, b) for b in data.get("legal_bases") or []]
        for key in ("levels", "applicants", "steps", "aliases"):
            kw[key] = list(data.get(key) or [])
        return cls(**kw)

    def channel(self, kind: str) -> SubmissionChannel | None:
        for ch in self.channels:
            if ch.kind == kind:
                return ch
        return None

    @property
    def online(self) -> bool:
        return self.channel("online") is not None


def _build(cls: type, data: dict[str, Any]) -> Any:
    known = {f.name for f in fields(cls)}
    return cls(**{k: v for k, v in data.items() if k in known})


@dataclass(slots=True)
class Province:
    code: str
    name: str  # "Hà Nội"
    full_name: str  # "Thành phố Hà Nội"
    name_en: str = ""


@dataclass(slots=True)
class Commune:
    """A commune-level unit in force since 1 July 2025 (xã, phường, đặc khu)."""

    code: str
    name: str  # "Hải Châu"
    full_name: str  # "Phường Hải Châu"
    province_code: str
    unit_type: str = ""  # "Phường", "Xã", "Đặc khu"
    name_en: str = ""


@dataclass(slots=True)
class OldUnit:
    """A commune-level unit abolished or merged on 1 July 2025."""

    code: str
    full_name: str  # "Phường Thạch Thang"
    district: str = ""  # "Quận Hải Châu"
    province: str = ""  # "Thành phố Đà Nẵng"
    new_codes: list[str] = field(default_factory=list)
    merge_type: str = "full"  # "full" or "partial"


@dataclass(slots=True)
class Centre:
    """A public administrative service point (the office receiving dossiers)."""

    name: str
    address: str = ""
    phone: str = ""
    commune_code: str = ""
    commune_name: str = ""
    province: str = ""
    latitude: float | None = None
    longitude: float | None = None
    hours: str = ""
    source: str = ""
