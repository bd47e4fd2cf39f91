"""The ``hotline`` command: index, serve, ask, eval."""

from __future__ import annotations

import argparse
import gc
import json
import logging
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from channels.settings import Settings

log = logging.getLogger("hotline")


# Servers log what they do; the other commands print their result and stay quiet otherwise.
SERVERS = ("serve", "telegram")


def _setup_logging(args: argparse.Namespace, settings: Settings | None = None) -> dict[str, object]:
    from channels.logs import resolve_format, setup_logging

    fmt = resolve_format(settings.logging.format, settings.environment) if settings else "text"
    level = settings.logging.level if settings is not None and args.command in SERVERS else "WARNING"
    return setup_logging(fmt, level, verbosity=args.verbose)


def _settings(args: argparse.Namespace) -> Settings:
    from channels.settings import load_settings

    settings = load_settings(args.config)
    args.log_config = _setup_logging(args, settings)  # the format and level the settings ask for
    return settings


def cmd_index(args: argparse.Namespace) -> int:
    from bot import texts
    from channels.progress import steps, wanted
    from channels.runtime import build_index, make_encoder

    texts.compile_all()  # the message catalogues' .mo files, like the index: built ahead of serving
    settings = _settings(args)
    started = time.perf_counter()
    show = wanted(args.quiet, args.verbose)
    encoder = make_encoder(settings)
    encoder.progress = show
    with steps(show):
        index, built = build_index(
            settings,
            Path(args.out).resolve(),
            catalogues=[Path(p).resolve() for p in args.catalogue] or None,
            units=Path(args.units).resolve() if args.units else None,
            centres=[Path(p).resolve() for p in args.centres] or None,
            force=args.force,
            encoder=encoder,
        )
    meta = index.meta
    report = meta.get("import_report", {})
    print(("built" if built else "up to date") + f": {args.out}")
    for line in report.get("summary", []):
        print(f"  {line}")
    print(
        f"  procedures={meta['procedures']} communes={meta['communes']} old_units={meta['old_units']} "
        f"centres={meta['centres']} hash={meta['content_hash'][:12]} in {time.perf_counter() - started:.1f} s"
    )
    from knowledge.descriptions import DEFAULT_DIR, describe_coverage

    print(f"  {describe_coverage(index.procedures, DEFAULT_DIR).line()}")
    if args.report:
        Path(args.report).write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    import os

    import uvicorn

    from channels.api import create_app

    settings = _settings(args)
    host = args.host or settings.server.host
    port = args.port or settings.server.port
    workers = args.workers or settings.server.workers
    index_dir = Path(args.index).resolve() if args.index else None
    log.info("serving on http://%s:%d with %d worker(s)", host, port, workers)
    if workers <= 1:
        # An explicit --index is served as it is; the configured one is rebuilt when stale.
        app = create_app(settings, index_dir=index_dir, rebuild=False if index_dir else None)
        # proxy_headers=False: X-Forwarded-For is believed only from server.trusted_proxies,
        # by the app itself (channels.limits.TrustedProxies), not from any local peer.
        uvicorn.run(
            app,
            host=host,
            port=port,
            log_level="info",
            log_config=args.log_config,
            access_log=False,
            proxy_headers=False,
        )
        return 0
    if index_dir is None:
        # Build (or check) once here, so that the workers only load it.
        from channels.runtime import build_index

        index_dir = settings.resolve(settings.index.path)
        if settings.index.rebuild_on_start or not (index_dir / "meta.json").is_file():
            build_index(settings, index_dir)
    # Once, before the workers start: the database schema and the demo dossiers.
    from channels.runtime import make_dossier_source
    from handoff.db import Database

    Database(settings.database_url).migrate()
    make_dossier_source(settings, seed=True)
    os.environ["HOTLINE_SERVE_INDEX"] = str(index_dir)
    # Workers are fresh processes that inherit this: with glibc's default of one malloc
    # arena per thread, a worker's compute and I/O threads left it ~90 MiB larger after
    # a minute of load (842 vs 750 MiB); two arenas keep it at its loaded size.
    os.environ.setdefault("MALLOC_ARENA_MAX", "2")
    if args.config:
        os.environ["HOTLINE_CONFIG"] = str(Path(args.config).resolve())
    from channels.metrics import multiprocess_folder

    with multiprocess_folder():
        _run_workers(uvicorn, host, port, workers, args.log_config)
    return 0


def _run_workers(uvicorn, host: str, port: int, workers: int, log_config: dict[str, object]) -> None:  # type: ignore[no-untyped-def]
    uvicorn.run(
        "channels.api:app_from_env",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="info",
        log_config=log_config,  # applied again in each worker process
        # uvicorn kills a worker that misses its 5 s health ping: one importing torch on a
        # busy host does (seen at load 15: workers restarted in a loop, never serving).
        timeout_worker_healthcheck=60,
        access_log=False,
        proxy_headers=False,
    )


def _runtime(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    from channels.runtime import Runtime

    settings = _settings(args)
    index_dir = Path(args.index).resolve() if args.index else None
    # An explicit --index is used as it is; the configured one is rebuilt when stale.
    return Runtime.start(settings, index_dir=index_dir, rebuild=False if index_dir else None)


def _ask_runtime(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    """A built index is used as it is: checking that it is current means re-reading and
    hashing every source (most of the 20 s `ask` used to take); `hotline index` does that."""
    from channels.runtime import Runtime

    settings = _settings(args)
    index_dir = Path(args.index).resolve() if args.index else settings.resolve(settings.index.path)
    if args.index or (index_dir / "meta.json").is_file():
        return Runtime.start(settings, index_dir=index_dir, rebuild=False, one_shot=True)
    log.warning("no index at %s yet: building it first (once)", index_dir)
    return Runtime.start(settings)


def cmd_ask(args: argparse.Namespace) -> int:
    from bot.assistant import Turn

    runtime = _ask_runtime(args)
    # main() turned the collector off for the start (imports and the index: a million
    # objects, none of them garbage, walked again and again: a third of the CPU time);
    # what is loaded now stays, so the collector is back for the answer without it.
    gc.freeze()
    gc.enable()
    text = " ".join(args.text)
    reply = runtime.assistant.handle(Turn(text, None, args.lang, channel="cli"))
    if args.json:
        print(json.dumps(reply.to_dict(), ensure_ascii=False, indent=2))
    else:
        print(reply.answer)
        if reply.options:
            print()
            for option in reply.options:
                print(f"  {option}")
    return 0


def cmd_eval(args: argparse.Namespace) -> int:
    from bot.evaluation import evaluate, load_records, render_text, summarise

    runtime = _runtime(args)
    summaries = {}
    for file in args.file:
        records, problems = load_records(Path(file))
        for problem in problems:
            log.warning("%s: %s", file, problem)
        summary = summarise(evaluate(runtime.assistant, records))
        summary["skipped_lines"] = problems
        summaries[file] = summary
    if args.json:
        # One file: its summary, as before; several: one summary per file.
        out = summaries[args.file[0]] if len(args.file) == 1 else {"files": summaries}
        print(json.dumps(out, ensure_ascii=False, indent=2))
    else:
        for file, summary in summaries.items():
            if len(args.file) > 1:
                print(f"== {file}")
            print(render_text(summary))
    return 0


def cmd_fit_fusion(args: argparse.Namespace) -> int:
    """Fit the search fusion's weights and thresholds on the project's labelled sets."""
    from knowledge.fit import fit_fusion, generate, read_labelled
    from knowledge.fusion import FUSION_FILE

    runtime = _runtime(args)
    if args.generate:
        import yaml

        frames = yaml.safe_load(Path(args.frames).read_text(encoding="utf-8"))
        rows = generate(runtime.index.procedures, runtime.terminology, frames, args.generate)
        target = Path(args.generated_out)
        target.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
        print(f"generated {len(rows)} questions into {target}")
    items = read_labelled(Path(f) for f in args.files)
    model, report = fit_fusion(runtime.searcher, items)
    out = Path(args.out) if args.out else FUSION_FILE
    model.save(out)
    print(json.dumps({"saved": str(out), **report, "thresholds": model.thresholds}, ensure_ascii=False))
    return 0


def cmd_chat(args: argparse.Namespace) -> int:
    """An interactive conversation in the terminal, through the pipeline every channel takes."""
    import asyncio
    import uuid
    from concurrent.futures import ThreadPoolExecutor

    from channels.conversation import ConversationService
    from channels.hub import Hub, InboundEvent
    from channels.outbox import Outbox
    from handoff.db import Database
    from handoff.service import CaseService

    runtime = _runtime(args)
    settings = runtime.settings
    db = Database(settings.database_url)
    db.migrate()

    def lookup(code: str) -> dict[str, object] | None:
        proc = runtime.index.procedure(code)
        return proc.to_dict() if proc is not None else None

    cases = CaseService(db, settings.handoff.resolve_paths(settings.config_dir), procedure_lookup=lookup)
    runtime.assistant.cases = cases
    service = ConversationService(runtime.assistant, db, cases)
    compute = ThreadPoolExecutor(max_workers=1, thread_name_prefix="assistant")
    hub = Hub(service, Outbox(db), compute=compute)
    conversation = args.conversation or f"cli-{uuid.uuid4().hex[:12]}"
    interactive = sys.stdin.isatty()
    print(f"Conversation {conversation}. Ask in any language; /quit or Ctrl-D to leave.", flush=True)
    seen = 0
    with asyncio.Runner() as loop:
        while True:
            try:
                line = input("> " if interactive else "")
            except (EOFError, KeyboardInterrupt):
                print()
                break
            text = line.strip()
            if text in ("/quit", "/exit", "quit", "exit"):
                break
            if not text:
                continue
            event = InboundEvent("terminal", "", "", text, lang=args.lang, conversation=conversation)
            stored = loop.run(hub.answer_inline(event))
            assert stored is not None  # a turn without a channel message id is never a duplicate
            reply = stored.reply
            if reply.answer:
                print(reply.answer)
            for number, option in enumerate(reply.options, 1):
                if not option.lstrip().startswith(str(number)):
                    option = f"{number}. {option}"
                print(f"  {option}")
            if reply.handoff is not None:
                print(f"[case {reply.handoff.case_id}: {reply.handoff.status}]")
            for message in service.messages(conversation, after=max(seen, stored.inbound_id)):
                seen = max(seen, int(message["id"]))
                if message["sender"] == "agent":
                    print(f"[staff] {message['text']}")
                elif message["sender"] == "system":  # claimed, resolved, "passed to the officer"
                    print(f"[notice] {message['text']}")
            service.acknowledge(conversation, seen)  # shown: staff replies and notices count as delivered
            print(flush=True)
    hub.close()
    compute.shutdown(wait=True)
    db.dispose()
    return 0


def cmd_staff(args: argparse.Namespace) -> int:
    from handoff.cli import run_staff

    settings = _settings(args)
    return run_staff(args, settings.database_url)


def cmd_privacy(args: argparse.Namespace) -> int:
    from handoff.privacy.cli import run_privacy

    settings = _settings(args)
    return run_privacy(args, settings.database_url, settings.privacy, settings.handoff.timezone)


def cmd_db(args: argparse.Namespace) -> int:
    from handoff.backup import backup, default_name, restore
    from handoff.db import Database

    settings = _settings(args)
    url = settings.database_url
    if args.action == "backup":
        target = Path(args.out) if args.out else default_name(url, settings.resolve(Path("var/backups")))
        done = backup(url, target.resolve())
        schema = f", schema {done.schema}" if done.schema else ""
        print(f"backed up the {done.kind} database to {done.path} ({done.size:,} bytes{schema})")
        return 0
    if not args.yes:
        log.error(
            "restore replaces everything in the database with the backup: stop the servers, then give --yes"
        )
        return 2
    done = restore(url, Path(args.file).resolve())
    db = Database(url)
    db.migrate()  # a backup taken by an older version is brought up to this one's schema
    db.dispose()
    print(f"restored the {done.kind} database from {done.path}")
    return 0


def cmd_telegram(args: argparse.Namespace) -> int:
    from channels.telegram import run_telegram

    return run_telegram(args, _settings(args))


def command_of(argv: list[str]) -> str | None:
    """The sub-command named on a command line (the first word that is not a global option)."""
    words = iter(argv)
    for word in words:
        if word == "--config":
            next(words, None)
        elif not word.startswith("-"):
            return word
    return None


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The whole command line; with ``command`` (one of this module's own commands) the
    staff and privacy parsers are left out: their modules import the database layer
    (SQLAlchemy, argon2), which `hotline ask` never uses."""
    parser = argparse.ArgumentParser(prog="hotline", description="Citizen hotline assistant")
    parser.add_argument("--config", help="config file (default: config.yml, or $HOTLINE_CONFIG)")
    parser.add_argument(
        "-v", "--verbose", action="count", default=0, help="-v: progress and libraries' INFO; -vv: debug"
    )
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("index", help="import sources and build the search index")
    p.add_argument("--catalogue", action="append", default=[], help="catalogue file or folder (repeatable)")
    p.add_argument("--units", help="units file or folder (../shared/data/units layout)")
    p.add_argument(
        "--centres", action="append", default=[], help="centre list: JSON, CSV or YAML (repeatable)"
    )
    p.add_argument("--out", required=True, help="index folder")
    p.add_argument("--force", action="store_true", help="rebuild even when the inputs did not change")
    p.add_argument("--report", help="write the import report as JSON to this file")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress on a terminal")
    p.set_defaults(func=cmd_index)

    p = sub.add_parser("serve", help="serve the API, the web chat and the channels")
    p.add_argument("--index", help="index folder (default: index.path in config)")
    p.add_argument("--host")
    p.add_argument("--port", type=int)
    p.add_argument("--workers", type=int, help="worker processes (default: server.workers in config)")
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("ask", help="ask one question")
    p.add_argument("--index")
    p.add_argument("--json", action="store_true")
    p.add_argument("--lang", help="answer language (vi, en, fr, es, zh, ko, ja); detected when absent")
    p.add_argument("text", nargs="+")
    p.set_defaults(func=cmd_ask)

    p = sub.add_parser("eval", help="score the assistant on labelled JSONL files")
    p.add_argument("file", nargs="+")
    p.add_argument("--index")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_eval)

    p = sub.add_parser("fit-fusion", help="fit the search fusion on the project's labelled sets (eval/)")
    p.add_argument("files", nargs="+", help="eval-format JSONL files (never the judged sets)")
    p.add_argument("--index")
    p.add_argument("--out", help="where to write the weights (default: knowledge/data/fusion.json)")
    p.add_argument("--generate", type=int, default=0, help="first generate N name-based questions")
    p.add_argument("--frames", default="eval/generate.yml", help="question frames for --generate")
    p.add_argument("--generated-out", default="eval/generated.jsonl")
    p.set_defaults(func=cmd_fit_fusion)

    p = sub.add_parser("chat", help="talk to the assistant in the terminal (stored like any channel)")
    p.add_argument("--index")
    p.add_argument("--lang", help="answer language; detected per message when absent")
    p.add_argument("--conversation", help="continue this conversation id")
    p.set_defaults(func=cmd_chat)

    from channels.telegram_cli import add_telegram_parser

    add_telegram_parser(sub)
    sub.choices["telegram"].set_defaults(func=cmd_telegram)
    p = sub.add_parser("db", help="back up or restore the database (SQLite or PostgreSQL)")
    db_actions = p.add_subparsers(dest="action", required=True)
    b = db_actions.add_parser("backup", help="write a consistent copy of the database to a file")
    b.add_argument("--out", help="backup file (default: var/backups/hotline-<UTC time>.db or .dump)")
    b.add_argument("--config", default=argparse.SUPPRESS, help="config file")
    r = db_actions.add_parser(
        "restore", help="replace the database's content with a backup (servers stopped)"
    )
    r.add_argument("file", help="a file written by `hotline db backup`")
    r.add_argument("--yes", action="store_true", help="confirm: everything in the database is replaced")
    r.add_argument("--config", default=argparse.SUPPRESS, help="config file")
    p.set_defaults(func=cmd_db)

    if command not in sub.choices:
        from handoff.cli import add_staff_parser

        add_staff_parser(sub)
        sub.choices["staff"].set_defaults(func=cmd_staff)

        from handoff.privacy.cli import add_privacy_parser

        add_privacy_parser(sub)
        sub.choices["privacy"].set_defaults(func=cmd_privacy)

    for subparser in sub.choices.values():
        subparser.add_argument("--config", default=argparse.SUPPRESS, help="config file")
    return parser


# Commands that load everything, answer once and exit: started with the collector off.
ONE_SHOT = ("ask",)


def main(argv: list[str] | None = None) -> int:
    words = sys.argv[1:] if argv is None else argv
    command = command_of(words)
    if command in ONE_SHOT:
        gc.disable()
    args = build_parser(command).parse_args(words)
    args.log_config = _setup_logging(args)
    try:
        return int(args.func(args))
    except (FileNotFoundError, ValueError, RuntimeError) as exc:
        log.error("%s", exc)
        return 2


if __name__ == "__main__":
    sys.exit(main())
