"""``hotline privacy purge|export|erase``: the retention job on demand, and a data subject's
requests (export everything stored about them, or erase it)."""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
from pathlib import Path
from typing import Any, TextIO

from handoff.db import Database
from handoff.privacy.config import PrivacySettings
from handoff.privacy.retention import RetentionJob
from handoff.privacy.subject import Subject, SubjectNotFound, SubjectRequests


def add_privacy_parser(subparsers: Any) -> argparse.ArgumentParser:
    privacy: argparse.ArgumentParser = subparsers.add_parser(
        "privacy", help="personal data: the retention job, a subject's export or erasure"
    )
    actions = privacy.add_subparsers(dest="privacy_command", required=True, metavar="{purge,export,erase}")
    purge = actions.add_parser("purge", help="delete what is older than privacy.retention_days now")
    purge.add_argument("--dry-run", action="store_true", help="count what would be deleted, delete nothing")
    purge.add_argument("--json", action="store_true", help="print the report as JSON")
    for name, text in (
        ("export", "write everything stored about a conversation or a channel user as JSON (unmasked)"),
        ("erase", "delete everything stored about a conversation or a channel user"),
    ):
        action = actions.add_parser(name, help=text)
        which = action.add_mutually_exclusive_group(required=True)
        which.add_argument("--conversation", help="the conversation id")
        which.add_argument(
            "--user", help="a channel user, channel:id (e.g. telegram:123, zalo:456, voice:+8490...)"
        )
        action.add_argument("--by", help="who runs it, for the audit log (default: the system user)")
        if name == "export":
            action.add_argument("--out", help="the JSON file to write (default: standard output)")
        else:
            action.add_argument("--yes", action="store_true", help="really erase (it cannot be undone)")
    return privacy


def run_privacy(
    args: argparse.Namespace,
    database_url: str,
    privacy: PrivacySettings,
    timezone: str,
    *,
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
) -> int:
    """0 on success, 2 on a refused input, 1 when the subject is unknown."""
    out, err = stdout or sys.stdout, stderr or sys.stderr
    db = Database(database_url)
    try:
        db.migrate()
        if args.privacy_command == "purge":
            job = RetentionJob(
                db, retention_days=privacy.retention_days, timezone=timezone, batch_size=privacy.batch_size
            )
            report = job.run(dry_run=args.dry_run, who=f"cli:{_who(None)}")
            if args.json:
                print(json.dumps(report.counts(), ensure_ascii=False), file=out)
            elif report.skipped:
                print(f"not run: {report.skipped}", file=err)
            else:
                verb = "would delete" if report.dry_run else "deleted"
                print(
                    f"{verb} (older than {report.cutoff}): {report.conversations} conversations, "
                    f"{report.messages} messages, {report.cases} cases; kept {report.held_conversations} "
                    f"conversations held by an unresolved case",
                    file=out,
                )
            return 1 if report.skipped else 0
        try:
            subject = Subject(conversation=args.conversation, user=args.user)
        except ValueError as exc:
            print(f"error: {exc}", file=err)
            return 2
        requests = SubjectRequests(db, timezone=timezone)
        by = _who(args.by)
        try:
            if args.privacy_command == "export":
                data = requests.export(subject, by=by)
                text = json.dumps(data, ensure_ascii=False, indent=2)
                if args.out:
                    path = Path(args.out)
                    # Personal data: readable by its owner only.
                    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
                    with os.fdopen(fd, "w", encoding="utf-8") as handle:
                        handle.write(text + "\n")
                    print(f"wrote {len(data['conversations'])} conversations to {path}", file=err)
                else:
                    print(text, file=out)
                return 0
            if not args.yes:
                print("error: erasing cannot be undone: add --yes", file=err)
                return 2
            counts = requests.erase(subject, by=by)
            print(
                "erased " + ", ".join(f"{n} {what}" for what, n in counts.items()),
                file=out,
            )
            return 0
        except SubjectNotFound as exc:
            print(f"error: {exc}", file=err)
            return 1
    finally:
        db.dispose()


def _who(given: str | None) -> str:
    if given and given.strip():
        return given.strip()[:100]
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"
