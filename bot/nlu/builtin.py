"""The ``builtin`` NLU engine: TF-IDF over the folded text and a linear classifier.

Features are character n-grams of each accent-folded word (so "đăng ký" and "dang ky",
typos and CJK all share features) plus word unigrams and bigrams; dossier codes become one
placeholder token first, so the classifier learns "a code is here", not its digits. A
linear SVM scores the intents and a softmax with a cross-validated temperature turns the
scores into probabilities and the ranking. scikit-learn is used only to train (a second
or two at index time); the saved model is plain arrays and a vocabulary, and ``parse``
computes the features and scores itself, without scikit-learn, pickle or TensorFlow.

Entities are rules, not learned: the dossier-code regex of the training data, option
numbers and ordinals, explicit language requests, and whole-word lookup-table matches for
procedures and places (accent-insensitive, but when the citizen typed marks they must
match: "phương án" is not "phường An").
"""

from __future__ import annotations

import json
import math
import re
import time
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from bot.nlu import Entity, Parse
from bot.nlu import data as nlu_data
from knowledge.lexicon import CJK, LANGS, LATIN, lexicon
from knowledge.text import fold, has_vietnamese_marks, normalize

FORMAT = "hotline-nlu-builtin"
VERSION = 1
_CODE_TOKEN = "zzcode"
# Full-width ASCII (typed on CJK keyboards) as ASCII, one character for one: offsets hold.
_FULLWIDTH = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)}
_DASHES = re.compile(r"[\u2010-\u2015\u2212]")
_WORD = re.compile(r"[^\W_]+")
_CJK_RUN = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af\uf900-\ufaff]+")
# Receipt codes of the provincial one-stop systems: agency (up to four numeric segments
# and a letter + two digits: "000.00.24.H17", "H29.22"), reception date YYMMDD (checked),
# sequence number; spaces and any dash between the parts, as citizens retype them. The
# training data's ``regex: dossier_code`` (the one Rasa uses) overrides this default;
# bot/dossier.py recognises the same shape for the status lookup.
DEFAULT_CODE_PATTERN = (
    r"(?<![\w.])(?:[0-9]{1,3}\.){0,4}[A-Za-z][0-9]{2}(?:\.[0-9]{1,4}){0,3}"
    r"[ \t]*[-\u2010-\u2015\u2212][ \t]*[0-9]{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])"
    r"[ \t]*[-\u2010-\u2015\u2212][ \t]*[0-9]{3,6}(?![0-9A-Za-z])(?!\.[0-9A-Za-z])"
)


# --------------------------------------------------------------------------- features
def features(text: str, code: re.Pattern[str]) -> list[str]:
    """The analyzer shared by training and parsing."""
    folded = fold(code.sub(f" {_CODE_TOKEN} ", text.translate(_FULLWIDTH)))
    words = _WORD.findall(folded)
    out = [f"w:{w}" for w in words]
    out += [f"b:{a} {b}" for a, b in zip(words, words[1:])]
    for w in words:
        if _CJK_RUN.fullmatch(w):
            # No spaces in CJK: character 1-3-grams of the run stand in for words.
            for n in (1, 2, 3):
                out += [w[i : i + n] for i in range(len(w) - n + 1)]
            continue
        padded = f" {w} "
        for n in (2, 3, 4, 5):
            out += [padded[i : i + n] for i in range(len(padded) - n + 1)]
    if not words:
        out.append("w:<empty>")
    return out


# --------------------------------------------------------------------------- entities
# Word lists in bot/data/lexicons (nlu_*.yml, language_names.yml), beside this package.
_BOT = Path(__file__).resolve().parent
_FILLERS = lexicon(_BOT, "nlu_fillers", required=LANGS, ids=("choice_filler",))
_FILLER = set(_FILLERS.tokens("choice_filler", LATIN))
_SHORT = 5  # words: "số 2", "cái thứ hai nhé", "the second one please"

# Ordinal and number words (folded) -> option number; -1 is "the last one".
_ORDINALS = {
    word: -1 if entry.id == "last" else int(entry.id)
    for entry in lexicon(_BOT, "nlu_ordinals", required=("en",), exclusive=True).entries
    for word in entry.words()
}
_NUMBER_WORDS = {
    word: int(entry.id)
    for entry in lexicon(_BOT, "nlu_numbers", required=("vi",), exclusive=True).entries
    for word in entry.words()
}
# A cue that always announces an option number ("phương án 3", "option 2", "choix 1").
_STRONG_CUE = r"(?:phuong an|lua chon|chon so|chon cai|chon muc|chon|muc|option|choice|number|no\.|choix|numero|opcion|#)"
# A cue that does only in a short message ("thứ ba" is also Tuesday, "số 2" a form's name).
_WEAK_CUE = r"(?:cai thu|cai so|thu|so|cai|y thu|y|cau|the|le|la|el)"
_NUM = r"(?P<num>\d{1,2}|" + "|".join(sorted(_NUMBER_WORDS, key=len, reverse=True)) + ")"
_ORD = "|".join(re.escape(k) for k in sorted(_ORDINALS, key=len, reverse=True))
_OPTION_STRONG = re.compile(rf"(?<!\w){_STRONG_CUE}\s*{_NUM}(?!\w)")
_OPTION_WEAK = re.compile(rf"(?<!\w){_WEAK_CUE}\s+{_NUM}(?!\w)")
_OPTION_ORDINAL = re.compile(rf"(?<!\w)(?P<ord>{_ORD})(?!\w)")
_OPTION_BARE = re.compile(r"^\W*(?P<num>\d{1,2})\W*$")
_CJK_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
_OPTION_CJK = re.compile(
    r"第\s*(?P<a>[1-9]|[一二三四五六七八九十])|选\s*(?P<b>[1-9]|[一二三四五六七八九])"
    r"|(?P<c>[1-9])\s*번|(?P<d>첫|두|세|네|다섯)\s*번째"
    r"|(?P<e>[1-9]|[一二三四五六七八九])\s*(?:番|つ目)"
    r"|(?P<last>最后一个|最後|마지막)"
)
_KO_ORD = {"첫": 1, "두": 2, "세": 3, "네": 4, "다섯": 5}

# Language requests: names (folded; CJK as written) -> ISO code.
_LANG_NAMES = {
    e.id: list(e.words())
    for e in lexicon(_BOT, "language_names", required=LANGS, exclusive=True, ids=LANGS).entries
}
_LANG_OF = {name: code for code, names in _LANG_NAMES.items() for name in names}
_LANG_LATIN = "|".join(sorted((n for n in _LANG_OF if n.isascii()), key=len, reverse=True))
_LANG_CJK = "|".join(sorted((n for n in _LANG_OF if not n.isascii()), key=len, reverse=True))
_LANG_COMMAND = re.compile(r"^\s*/(?:lang|language|ngonngu)\s+(?P<code>[a-z]{2})\b", re.IGNORECASE)
_LANG_WORD = re.compile(rf"(?<!\w)(?P<name>{_LANG_LATIN})(?!\w)")
_LANG_CJK_RE = re.compile(rf"(?P<name>{_LANG_CJK})")
_LANG_CUE_BEFORE = re.compile(
    r"(?:\bin|\bspeak|\btalk|\breply|\banswer|\bswitch to|\bbang|\bnoi|\bdung|\bchuyen sang"
    r"|\ben|\bparler|\bparlez|\brepondre|\bhablar|\bhablas|\bhable|\bresponder|\ben idioma)\s*$"
)
_LANG_CUE_AFTER = re.compile(
    r"^\s*(?:please|pls|svp|s il vous plait|por favor|duoc khong|dc khong|nhe|di|\?)"
)
_LANG_NEGATION = re.compile(r"(?:\b(?:khong|chua|not|dont|cannot|pas|no|ne)\b|n[’']t\b)[\w ]{0,24}$")
_LANG_CJK_CUE = re.compile(r"(?:用|说|讲|講)\s*$|^\s*(?:로|으로|で|回答|回复|说|服务)")


@dataclass(slots=True)
class _Token:
    start: int
    end: int
    folded: str
    marked: bool


def _tokens(text: str) -> list[_Token]:
    out = []
    for m in _WORD.finditer(text):
        word = m.group(0)
        out.append(_Token(m.start(), m.end(), fold(word), has_vietnamese_marks(word)))
    return out


class _Lookup:
    """Whole-word phrase matching on folded tokens, longest match first."""

    def __init__(self, kind: str, phrases: list[str]) -> None:
        self.kind = kind
        # First folded word -> (phrase tokens, canonical phrase), longest first: only
        # positions whose word starts some phrase are looked at.
        self.by_first: dict[str, list[tuple[tuple[str, ...], str]]] = {}
        seen: set[tuple[str, ...]] = set()
        for phrase in phrases:
            key = tuple(_WORD.findall(fold(phrase)))
            if key and key not in seen:
                seen.add(key)
                self.by_first.setdefault(key[0], []).append((key, normalize(phrase)))
        for candidates in self.by_first.values():
            candidates.sort(key=lambda c: -len(c[0]))

    def find(self, text: str, tokens: list[_Token], taken: list[tuple[int, int]]) -> list[Entity]:
        out: list[Entity] = []
        folded = [t.folded for t in tokens]
        i = 0
        while i < len(tokens):
            step = 1
            for key, phrase in self.by_first.get(folded[i], ()):
                n = len(key)
                if tuple(folded[i : i + n]) != key:
                    continue
                start, end = tokens[i].start, tokens[i + n - 1].end
                if _overlaps(start, end, taken):
                    continue
                # Typed with marks: the marks must be right ("phương án" is no "phường An").
                if any(t.marked for t in tokens[i : i + n]) and has_vietnamese_marks(phrase):
                    if normalize(text[start:end]).lower() != phrase.lower():
                        continue
                out.append(Entity(self.kind, phrase, start, end))
                taken.append((start, end))
                step = n
                break
            i += step
        return out


def _overlaps(start: int, end: int, taken: list[tuple[int, int]]) -> bool:
    return any(start < b and a < end for a, b in taken)


def _folded_with_offsets(text: str) -> tuple[str, list[int]]:
    """Lower-cased, mark-free text and, for each of its characters, the index of the
    original character it came from (folding can drop combining marks)."""
    chars: list[str] = []
    index: list[int] = []
    for i, ch in enumerate(text):
        for c in unicodedata.normalize("NFD", ch):
            if unicodedata.combining(c):
                continue
            c = "d" if c in "đĐ" else c.lower()
            for cc in c:
                chars.append(cc)
                index.append(i)
    index.append(len(text))
    return "".join(chars), index


def extract_options(
    text: str, taken: list[tuple[int, int]], folded: tuple[str, list[int]] | None = None
) -> list[Entity]:
    """Option numbers: "2", "số 2", "phương án 3", "the second one", "第二个", "2번"...
    Values are the number as a string ("-1": the last one). Weak cues ("thứ ba" is also
    Tuesday, "số 2" ends a form's name) count only in a short message."""
    flat, idx = folded or _folded_with_offsets(text)
    words = _WORD.findall(flat)
    short = len(words) <= _SHORT
    found: list[Entity] = []

    def add(value: int, start: int, end: int) -> None:
        if not _overlaps(start, end, taken) and value != 0 and value <= 20:
            taken.append((start, end))
            found.append(Entity("option", str(value), start, end))

    bare = _OPTION_BARE.match(flat)
    if bare:
        add(int(bare.group("num")), idx[bare.start("num")], idx[bare.end("num")])
    for m in _OPTION_STRONG.finditer(flat):
        add(_number(m.group("num")), idx[m.start("num")], idx[m.end("num")])
    if short:
        for m in _OPTION_WEAK.finditer(flat):
            add(_number(m.group("num")), idx[m.start("num")], idx[m.end("num")])
        for m in _OPTION_ORDINAL.finditer(flat):
            add(_ORDINALS[m.group("ord")], idx[m.start("ord")], idx[m.end("ord")])
    for m in _OPTION_CJK.finditer(text):
        if m.group("last"):
            add(-1, m.start(), m.end())
            continue
        raw = m.group("d") or next(g for g in (m.group("a"), m.group("b"), m.group("c"), m.group("e")) if g)
        add(_KO_ORD.get(raw) or _CJK_DIGITS.get(raw) or int(raw), m.start(), m.end())
    return found


def _number(raw: str) -> int:
    return int(raw) if raw.isdigit() else _NUMBER_WORDS.get(raw, 0)


def extract_language(text: str, folded: tuple[str, list[int]] | None = None) -> list[Entity]:
    """An explicit request for a language ("English please", "/lang fr", "bằng tiếng Anh",
    "日本語で"), as its ISO code; a language merely mentioned ("I don't speak French")
    is not one."""
    command = _LANG_COMMAND.match(text)
    if command and command.group("code").lower() in _LANG_NAMES:
        return [Entity("language", command.group("code").lower(), command.start("code"), command.end("code"))]
    flat, idx = folded or _folded_with_offsets(text)
    short = len(_WORD.findall(flat)) <= 4
    for m in _LANG_WORD.finditer(flat):
        before, after = flat[: m.start()], flat[m.end() :]
        if _LANG_NEGATION.search(before):
            continue
        if short or _LANG_CUE_BEFORE.search(before) or _LANG_CUE_AFTER.match(after):
            return [Entity("language", _LANG_OF[m.group("name")], idx[m.start()], idx[m.end()])]
    for m in _LANG_CJK_RE.finditer(text):
        before, after = text[: m.start()], text[m.end() :]
        if len(text.strip()) <= 10 or _LANG_CJK_CUE.search(before) or _LANG_CJK_CUE.match(after):
            return [Entity("language", _LANG_OF[m.group("name")], m.start(), m.end())]
    return []


# --------------------------------------------------------------------------- engine
class BuiltinNLU:
    """TF-IDF features, a linear SVM with a fitted softmax, rule entities; see the module
    docstring. ``train`` builds it from ``bot/data``, ``load`` from a saved folder."""

    name = "builtin"

    def __init__(
        self,
        classes: list[str],
        vocabulary: dict[str, int],
        idf: npt.NDArray[np.float32],
        coef: npt.NDArray[np.float32],
        intercept: npt.NDArray[np.float32],
        lookups: dict[str, list[str]],
        code_pattern: str = DEFAULT_CODE_PATTERN,
        meta: dict[str, Any] | None = None,
    ) -> None:
        self.classes = classes
        self.vocabulary = vocabulary
        self.idf = idf
        self.coef_t = np.ascontiguousarray(coef.T)  # (features, classes): one row per feature
        self.intercept = intercept
        self.lookups = lookups
        self.code_pattern = code_pattern
        self.code = re.compile(code_pattern)
        self.meta = meta or {}
        self._lookups = [_Lookup(kind, phrases) for kind, phrases in sorted(lookups.items())]
        self._option = classes.index("choose_option") if "choose_option" in classes else -1

    # ---- training
    @classmethod
    def train(cls, data_dir: Path | None = None, c: float = 2.0) -> BuiltinNLU:
        """Fit on the training split of ``data_dir`` (default ``bot/data``); never the holdout.

        A linear SVM separates the intents best on this data (and fits in a fraction of a
        second); its scores become probabilities through a softmax whose temperature is
        fitted on 3-fold cross-validated scores of the training split, so a confidence of
        0.9 means roughly "right nine times in ten" on unseen text.
        """
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.svm import LinearSVC

        t0 = time.perf_counter()
        data = nlu_data.load(data_dir)
        train = data.train
        pattern = (data.regexes.get("dossier_code") or [DEFAULT_CODE_PATTERN])[0]
        code = re.compile(pattern)
        vectorizer = TfidfVectorizer(analyzer=lambda t: features(t, code), sublinear_tf=True)
        x = vectorizer.fit_transform([e.text for e in train])
        y = np.asarray([e.intent for e in train])
        model = LinearSVC(C=c, class_weight="balanced").fit(x, y)
        temperature = _fit_temperature(x, y, c)
        meta = {
            "trained_on": len(train),
            "held_out": len(data.holdout),
            "fingerprint": nlu_data.fingerprint(data_dir),
            "train_s": round(time.perf_counter() - t0, 3),
            "c": c,
            "temperature": temperature,
        }
        return cls(
            [str(k) for k in model.classes_],
            {str(k): int(v) for k, v in vectorizer.vocabulary_.items()},
            vectorizer.idf_.astype(np.float32),
            (model.coef_ * temperature).astype(np.float32),
            (model.intercept_ * temperature).astype(np.float32),
            data.lookups,
            pattern,
            meta,
        )

    # ---- persistence (JSON + npz: no pickle, nothing executable in the model folder)
    def save(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        terms = [""] * len(self.vocabulary)
        for term, col in self.vocabulary.items():
            terms[col] = term
        doc = {
            "format": FORMAT,
            "version": VERSION,
            "classes": self.classes,
            "terms": terms,
            "lookups": self.lookups,
            "code_pattern": self.code_pattern,
            "meta": self.meta,
        }
        (directory / "nlu.json").write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
        np.savez(directory / "nlu.npz", idf=self.idf, coef=self.coef_t.T, intercept=self.intercept)

    @classmethod
    def load(cls, directory: Path) -> BuiltinNLU:
        doc = json.loads((directory / "nlu.json").read_text(encoding="utf-8"))
        if doc.get("format") != FORMAT or doc.get("version") != VERSION:
            raise ValueError(f"{directory}: not a {FORMAT} v{VERSION} model")
        arrays = np.load(directory / "nlu.npz", allow_pickle=False)
        return cls(
            list(doc["classes"]),
            {term: col for col, term in enumerate(doc["terms"])},
            arrays["idf"],
            arrays["coef"],
            arrays["intercept"],
            {k: list(v) for k, v in doc["lookups"].items()},
            str(doc["code_pattern"]),
            dict(doc.get("meta") or {}),
        )

    # ---- inference
    def probabilities(self, text: str) -> npt.NDArray[np.float64]:
        vocabulary = self.vocabulary
        counts: dict[int, int] = {}
        for term in features(text, self.code):
            col = vocabulary.get(term)
            if col is not None:
                counts[col] = counts.get(col, 0) + 1
        scores = self.intercept.astype(np.float64)
        if counts:
            cols = np.fromiter(counts.keys(), dtype=np.intp, count=len(counts))
            tf = np.fromiter(counts.values(), dtype=np.float64, count=len(counts))
            w = (1.0 + np.log(tf)) * self.idf[cols]
            w /= np.linalg.norm(w)
            scores = scores + w @ self.coef_t[cols]
        scores -= scores.max()
        exp = np.exp(scores)
        result: npt.NDArray[np.float64] = exp / exp.sum()
        return result

    def entities(self, text: str) -> list[Entity]:
        taken: list[tuple[int, int]] = []
        out: list[Entity] = []
        for m in self.code.finditer(text.translate(_FULLWIDTH)):
            value = _DASHES.sub("-", re.sub(r"\s+", "", m.group(0))).upper()
            out.append(Entity("dossier_code", value, m.start(), m.end()))
            taken.append((m.start(), m.end()))
        folded = _folded_with_offsets(text)
        out += extract_language(text, folded)
        tokens = _tokens(text)
        for lookup in self._lookups:
            out += lookup.find(text, tokens, taken)
        out += extract_options(text, taken, folded)
        out.sort(key=lambda e: (e.start, e.end))
        return out

    def parse(self, text: str) -> Parse:
        text = text or ""
        probs = self.probabilities(text)
        entities = self.entities(text)
        if self._option >= 0 and any(e.entity == "option" for e in entities) and _is_choice(text, entities):
            # "2", "số 2", "第二个": a reply to numbered options whatever the classifier
            # makes of an unseen digit.
            probs = probs * 0.1
            probs[self._option] += 0.9
        order = np.argsort(-probs)[:10]
        ranking = [(self.classes[i], round(float(probs[i]), 4)) for i in order]
        intent, confidence = ranking[0]
        return Parse(intent, confidence, ranking, entities, engine=self.name)


def _fit_temperature(x: Any, y: npt.NDArray[Any], c: float, folds: int = 3) -> float:
    """The softmax temperature that best explains cross-validated SVM scores (grid search
    on the negative log-likelihood; the training split only)."""
    from sklearn.model_selection import StratifiedKFold
    from sklearn.svm import LinearSVC

    classes = np.unique(y)
    scores = np.zeros((len(y), len(classes)))
    for fit, held in StratifiedKFold(folds, shuffle=True, random_state=0).split(x, y):
        model = LinearSVC(C=c, class_weight="balanced").fit(x[fit], y[fit])
        cols = np.searchsorted(classes, model.classes_)
        scores[np.ix_(held, cols)] = model.decision_function(x[held])
    truth = np.searchsorted(classes, y)
    best, best_nll = 1.0, math.inf
    for t in np.arange(0.5, 20.01, 0.25):
        z = scores * t
        z -= z.max(axis=1, keepdims=True)
        nll = float(np.mean(np.log(np.exp(z).sum(axis=1)) - z[np.arange(len(y)), truth]))
        if nll < best_nll:
            best, best_nll = float(t), nll
    return best


# What surrounds a choice in CJK replies: "我选第二个", "2번으로 할게요", "1番でお願いします".
_CJK_FILLER = sorted(_FILLERS.words("choice_filler", CJK), key=len, reverse=True)


def _is_choice(text: str, entities: list[Entity]) -> bool:
    """The message is only a choice: nothing but the option and filler words."""
    rest = text
    for e in sorted(entities, key=lambda e: -e.start):
        if e.entity == "option":
            rest = rest[: e.start] + " " + rest[e.end :]
    folded = fold(rest)
    words = [w for w in _WORD.findall(folded) if w not in _FILLER]
    if _CJK_RUN.search(rest):
        for filler in _CJK_FILLER:
            rest = rest.replace(filler, "")
        return not _CJK_RUN.search(rest) and not words
    cues = {
        "so", "thu", "cai", "muc", "y", "phuong", "an", "lua", "chon", "option", "choice",
        "number", "no", "choix", "numero", "opcion", "la", "le", "el", "the", "one", "cau",
    }  # fmt: skip
    return all(w in cues for w in words)
