"""The one NLU training set (Rasa 3 YAML under ``bot/data``), its holdout, and its export.

Examples are written the Rasa way, ``[đăng ký khai sinh](procedure)`` or
``[thứ hai]{"entity": "option", "value": "2"}``; ``load`` strips the annotations to plain
text plus entity spans. About one example in five is held out for evaluation, chosen by a
stable hash of the accent-folded text: the choice never depends on the other examples, so
a sentence never moves from the holdout into training when data is added, and a sentence
typed with and without diacritics lands on the same side. Neither engine trains on it.

``export_rasa`` writes what ``rasa train nlu`` needs (training split, lookups, regexes,
domain and config) to a build folder; ``python -m bot.nlu.data export --out DIR`` is the
command the Makefile runs.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from bot.nlu import INTENTS, Entity
from knowledge.text import fold

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
HOLDOUT_ONE_IN = 5  # about 20% of each intent
# Files copied next to the exported training split: the Rasa project around it.
PROJECT_FILES = ("domain.yml", "config.yml", "rules.yml")

_ANNOTATION = re.compile(r"\[(?P<text>[^\]]+)\](?:\((?P<type>[^)]+)\)|(?P<json>\{[^}]*\}))")


@dataclass(frozen=True, slots=True)
class Example:
    text: str  # plain text, annotations stripped
    intent: str
    entities: tuple[Entity, ...] = ()
    raw: str = ""  # the annotated line, as written in the YAML

    @property
    def holdout(self) -> bool:
        return is_holdout(self.text)


@dataclass(slots=True)
class TrainingData:
    examples: list[Example]
    lookups: dict[str, list[str]] = field(default_factory=dict)
    regexes: dict[str, list[str]] = field(default_factory=dict)
    synonyms: dict[str, list[str]] = field(default_factory=dict)

    @property
    def train(self) -> list[Example]:
        return [e for e in self.examples if not e.holdout]

    @property
    def holdout(self) -> list[Example]:
        return [e for e in self.examples if e.holdout]

    def split(self) -> tuple[list[Example], list[Example]]:
        return self.train, self.holdout

    def intents(self) -> list[str]:
        return sorted({e.intent for e in self.examples})


def is_holdout(text: str) -> bool:
    digest = hashlib.sha1(fold(text).strip().encode("utf-8")).hexdigest()
    return int(digest[:8], 16) % HOLDOUT_ONE_IN == 0


def parse_example(line: str) -> tuple[str, list[Entity]]:
    """Plain text and entity spans of one annotated example line."""
    text: list[str] = []
    entities: list[Entity] = []
    pos = 0
    length = 0
    for m in _ANNOTATION.finditer(line):
        before = line[pos : m.start()]
        text.append(before)
        length += len(before)
        surface = m.group("text")
        if m.group("json"):
            spec: dict[str, Any] = json.loads(m.group("json"))
            kind = str(spec["entity"])
            value = str(spec.get("value", surface))
        else:
            kind, value = m.group("type").strip(), surface
        entities.append(Entity(kind, value, length, length + len(surface)))
        text.append(surface)
        length += len(surface)
        pos = m.end()
    text.append(line[pos:])
    return "".join(text), entities


def _lines(block: Any) -> list[str]:
    if isinstance(block, list):
        return [str(x) for x in block]
    out = []
    for line in str(block or "").splitlines():
        line = line.strip()
        if line.startswith("- "):
            out.append(line[2:].strip())
        elif line == "-":
            continue
    return out


def load(data_dir: Path | None = None) -> TrainingData:
    """Every ``nlu:`` file of ``data_dir`` (default: ``bot/data``)."""
    directory = data_dir or DATA_DIR
    data = TrainingData([])
    seen: dict[str, str] = {}
    for path in sorted(directory.glob("*.yml")):
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        if not isinstance(doc, dict) or "nlu" not in doc:
            continue
        for item in doc["nlu"] or []:
            if "intent" in item:
                intent = str(item["intent"])
                for raw in _lines(item.get("examples")):
                    text, entities = parse_example(raw)
                    key = fold(text).strip()
                    # The same words with and without marks may both be listed (Rasa
                    # cannot fold), but never under two intents.
                    if seen.setdefault(key, intent) != intent:
                        raise ValueError(f"{path.name}: {text!r} is both {seen[key]} and {intent}")
                    data.examples.append(Example(text, intent, tuple(entities), raw))
            elif "lookup" in item:
                data.lookups.setdefault(str(item["lookup"]), []).extend(_lines(item.get("examples")))
            elif "regex" in item:
                data.regexes.setdefault(str(item["regex"]), []).extend(_lines(item.get("examples")))
            elif "synonym" in item:
                data.synonyms.setdefault(str(item["synonym"]), []).extend(_lines(item.get("examples")))
    unknown = {e.intent for e in data.examples} - set(INTENTS)
    if unknown:
        raise ValueError(f"intents not in bot.nlu.INTENTS: {sorted(unknown)}")
    return data


def _block(lines: list[str]) -> str:
    return "".join(f"    - {line}\n" for line in lines)


def rasa_nlu_yaml(data: TrainingData, examples: list[Example] | None = None) -> str:
    """A Rasa 3 NLU file of ``examples`` (default: the training split) with the lookups,
    regexes and synonyms. Written by hand: yaml.dump would fold long lines and quote."""
    chosen = data.train if examples is None else examples
    out = ['version: "3.1"\n', "nlu:\n"]
    by_intent: dict[str, list[str]] = {}
    for ex in chosen:
        by_intent.setdefault(ex.intent, []).append(ex.raw or ex.text)
    for intent in INTENTS:
        if intent in by_intent:
            out.append(f"- intent: {intent}\n  examples: |\n{_block(by_intent[intent])}")
    for kind, title in (("lookup", data.lookups), ("regex", data.regexes), ("synonym", data.synonyms)):
        for name, lines in title.items():
            out.append(f"- {kind}: {json.dumps(name, ensure_ascii=False)}\n  examples: |\n{_block(lines)}")
    return "".join(out)


def fingerprint(data_dir: Path | None = None) -> str:
    """Hash of every file the Rasa model is trained from (and of this exporter)."""
    directory = data_dir or DATA_DIR
    h = hashlib.sha256()
    for path in sorted(directory.glob("*.yml")) + [Path(__file__)]:
        h.update(path.name.encode())
        h.update(path.read_bytes())
    return h.hexdigest()


def export_rasa(out: Path, data_dir: Path | None = None) -> Path:
    """Write ``out/data/nlu.yml`` (training split only), ``domain.yml``, ``config.yml``,
    ``rules.yml`` and ``fingerprint``. Files are rewritten only when their content
    changes, so Make's timestamps retrain only when the data did."""
    directory = data_dir or DATA_DIR
    data = load(directory)
    (out / "data").mkdir(parents=True, exist_ok=True)
    _write_if_changed(out / "data" / "nlu.yml", rasa_nlu_yaml(data))
    for name in PROJECT_FILES:
        source = directory / name
        target = out / "data" / name if name == "rules.yml" else out / name
        if source.is_file():
            _write_if_changed(target, source.read_text(encoding="utf-8"))
    _write_if_changed(out / "fingerprint", fingerprint(directory) + "\n")
    return out


def _write_if_changed(path: Path, text: str) -> None:
    if path.is_file() and path.read_text(encoding="utf-8") == text:
        return
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    shutil.move(str(tmp), path)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bot.nlu.data", description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    exp = sub.add_parser("export", help="write the Rasa project (training split) to a folder")
    exp.add_argument("--out", required=True, type=Path)
    exp.add_argument("--data", type=Path, default=None)
    sub.add_parser("stats", help="examples per intent, train/holdout")
    args = ap.parse_args(argv)
    if args.cmd == "export":
        out = export_rasa(args.out, args.data)
        sys.stdout.write(f"exported the training split to {out}\n")
        return 0
    data = load()
    for intent in INTENTS:
        n = sum(1 for e in data.examples if e.intent == intent)
        h = sum(1 for e in data.holdout if e.intent == intent)
        sys.stdout.write(f"{intent:18s} {n:4d} examples, {h:3d} held out\n")
    sys.stdout.write(f"{'total':18s} {len(data.examples):4d} examples, {len(data.holdout):3d} held out\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
