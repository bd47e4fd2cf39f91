"""Regenerate bot/data/lookups.yml: modest lookup tables for the `procedure` and `place` entities.

Sources are in this repository only: the sample catalogue (short names and the aliases
citizens use), the sample units (the 34 provinces, their pre-reform provinces, a few
communes and old units), the sample centres and a hand-picked set of terminology concepts
(their vi/en/fr/es words). Run it after the sample data changes:

    .venv/bin/python rasa/make_lookups.py
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from knowledge.text import fold, normalize  # noqa: E402

OUT = ROOT / "bot" / "data" / "lookups.yml"
SAMPLE = ROOT / "data" / "sample"
TERMINOLOGY = ROOT / "knowledge" / "data" / "terminology"
# Concepts that name a procedure citizens ask about (not generic words such as "issue").
CONCEPTS = {
    "civil_birth_registration",
    "civil_birth_certificate",
    "civil_death_registration",
    "civil_marriage_registration",
    "civil_international_marriage",
    "civil_marital_status_certificate",
    "civil_parentage_recognition",
    "civil_guardianship",
    "civil_status_correction",
    "civil_status_extract",
    "res_permanent_residence_registration",
    "res_temporary_residence_registration",
    "res_temporary_absence",
    "res_identity_card",
    "imm_passport",
    "imm_passport_application",
    "imm_visa_extension",
    "imm_temporary_residence_card",
    "imm_work_permit",
    "driving_licence",
    "international_driving_permit",
    "foreign_licence_conversion",
    "vehicle_registration",
    "vehicle_ownership_transfer",
    "criminal_record_certificate",
    "certified_copy",
    "signature_authentication",
    "tax_code",
    "tax_registration",
    "socins_maternity",
    "socins_one_time_withdrawal",
    "socins_health_insurance_card",
    "land_certificate_issuance",
    "land_transfer",
    "constr_building_permit",
}
_PREFIX = re.compile(r"^(thủ tục|cấp|đăng ký|giải quyết)\s+", re.IGNORECASE)
_BRACKETS = re.compile(r"\s*\(.*?\)")


def _short_name(name: str) -> str | None:
    """The head of a catalogue name, cut at its first comma or bracket: short names are
    what citizens type; whole official titles never occur in a message."""
    head = _BRACKETS.sub("", name).split(",")[0].split(";")[0]
    head = re.sub(r"^Thủ tục\s+", "", head.strip())
    words = head.split()
    if len(words) > 8:
        return None
    return head[0].lower() + head[1:]


_TOO_GENERIC = {"dang ky", "cap lai", "giay phep"}


def _add(bucket: dict[str, str], term: str) -> None:
    term = normalize(term).strip(" .?")
    words = term.split()
    if len(fold(term)) < 3 or len(words) > 9 or fold(term) in _TOO_GENERIC:
        return
    if len(words) == 1 and not term.isupper() and len(term) < 7:
        return
    bucket.setdefault(fold(term), term)


def procedures() -> list[str]:
    bucket: dict[str, str] = {}
    for line in (SAMPLE / "catalogue.jsonl").read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        record = json.loads(line)
        short = _short_name(record["name"])
        if short:
            _add(bucket, short)
        for alias in record.get("aliases", []):
            _add(bucket, alias)
    for path in sorted(TERMINOLOGY.glob("*.yml")):
        for concept in yaml.safe_load(path.read_text(encoding="utf-8")) or []:
            if concept.get("id") not in CONCEPTS:
                continue
            for lang in ("vi", "en", "fr", "es"):
                terms = concept.get(lang) or []
                # The first words are the canonical ones; later synonyms get loose
                # ("à mon nom") and would match far too much.
                for term in ([terms] if isinstance(terms, str) else terms)[:2]:
                    _add(bucket, term)
    return sorted(bucket.values(), key=fold)


def places() -> list[str]:
    bucket: dict[str, str] = {}
    units = json.loads((SAMPLE / "units.json").read_text(encoding="utf-8"))
    for province in units["provinces"]:
        for name in [province["name"], province["full_name"], province.get("name_en", "")]:
            _add(bucket, name)
        for former in province.get("former", []):
            _add(bucket, former)
            _add(bucket, re.sub(r"^(Tỉnh|Thành phố)\s+", "", former))
    for commune in units["communes"]:
        _add(bucket, f"{commune['unit_type']} {commune['name']}")
        _add(bucket, commune["name"])
    for old in units["old_units"]:
        _add(bucket, old["full_name"])
        _add(bucket, old["district"])
    centres = yaml.safe_load((SAMPLE / "centres.yml").read_text(encoding="utf-8"))
    for centre in centres.get("centres", []):
        _add(bucket, centre["commune"])
    # Single folded syllables ("hue") collide with ordinary words; keep two or more.
    return sorted((t for t in bucket.values() if len(t.split()) >= 2 or len(fold(t)) >= 5), key=fold)


def main() -> int:
    header = (
        "# Generated by rasa/make_lookups.py from data/sample and knowledge terminology: do not edit.\n"
        "# Both engines use these tables: Rasa as features, builtin for entity matching\n"
        "# (accent-insensitive, whole words).\n"
    )
    body = {
        "version": "3.1",
        "nlu": [
            {"lookup": "procedure", "examples": "".join(f"- {t}\n" for t in procedures())},
            {"lookup": "place", "examples": "".join(f"- {t}\n" for t in places())},
        ],
    }

    class _Literal(str):
        pass

    def _literal(dumper: yaml.SafeDumper, value: _Literal) -> yaml.ScalarNode:
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")

    yaml.add_representer(_Literal, _literal, Dumper=yaml.SafeDumper)
    for item in body["nlu"]:  # type: ignore[union-attr]
        item["examples"] = _Literal(item["examples"])
    text = yaml.safe_dump(body, allow_unicode=True, sort_keys=False, width=200)
    OUT.write_text(header + text, encoding="utf-8")
    print(f"{OUT.relative_to(ROOT)}: {len(procedures())} procedures, {len(places())} places")
    return 0


if __name__ == "__main__":
    sys.exit(main())
