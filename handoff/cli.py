"""``hotline staff add|list|passwd|unlock``: console accounts from the command line.

The password is read from standard input (prompted, without echo, on a terminal), never
from the command line where it would land in the shell history and the process list.
"""

from __future__ import annotations

import argparse
import getpass
import logging
import sys
from typing import Any, TextIO

from handoff.auth import (
    MIN_PASSWORD_LENGTH,
    ROLES,
    StaffError,
    StaffExists,
    StaffService,
    check_password,
    normalise_username,
)
from handoff.config import HandoffSettings
from handoff.db import Database

log = logging.getLogger(__name__)


def add_staff_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add the ``staff`` command (with ``add``, ``list``, ``passwd``, ``unlock``) to ``subparsers``."""
    staff: argparse.ArgumentParser = subparsers.add_parser(
        "staff", help="console staff accounts (add, list, passwd, unlock)"
    )
    actions = staff.add_subparsers(dest="staff_command", required=True, metavar="{add,list,passwd,unlock}")
    add = actions.add_parser("add", help="create a staff account; the password is read from standard input")
    add.add_argument("--username", required=True)
    add.add_argument("--role", required=True, choices=ROLES)
    add.add_argument("--display-name", default=None)
    add.add_argument(
        "--team", action="append", default=[], dest="teams", help="repeatable: province code or field"
    )
    add.add_argument(
        "--language", action="append", default=[], dest="languages", help="repeatable: vi, en, ..."
    )
    actions.add_parser("list", help="list staff accounts")
    passwd = actions.add_parser(
        "passwd", help="set a new password (from standard input); ends the account's sessions"
    )
    passwd.add_argument("--username", required=True)
    unlock = actions.add_parser(
        "unlock", help="end an account's login lock and forget its failed attempts (audited)"
    )
    unlock.add_argument("--username", required=True)
    return staff


def read_password(stdin: TextIO | None = None, *, prompt: str = "Password: ") -> str:
    stream = stdin or sys.stdin
    if stream.isatty():
        first = getpass.getpass(prompt)
        if getpass.getpass("Repeat: ") != first:
            raise StaffError("the two passwords differ")
        return first
    return stream.readline().rstrip("\r\n")


def run_staff(
    args: argparse.Namespace,
    database_url: str,
    *,
    stdin: TextIO | None = None,
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
) -> int:
    """Run ``hotline staff ...``; 0 on success, 2 on a refused input."""
    out, err = stdout or sys.stdout, stderr or sys.stderr
    db = Database(database_url)
    try:
        db.migrate()
        accounts = StaffService(db, HandoffSettings())
        if args.staff_command == "list":
            rows = accounts.list_staff(include_inactive=True)
            if not rows:
                print("no staff accounts yet: create one with `hotline staff add --role admin`", file=out)
            for st in rows:
                teams = ",".join(st.teams or []) or "-"
                state = "active" if st.active else "disabled"
                print(f"{st.id}\t{st.username}\t{st.role}\t{teams}\t{state}\t{st.display_name}", file=out)
            return 0
        if args.staff_command == "unlock":
            try:
                locked = accounts.unlock(args.username)
            except StaffError as exc:
                print(f"error: {exc}", file=err)
                return 2
            state = "unlocked" if locked else "was not locked; its failed attempts are forgotten"
            print(f"{normalise_username(args.username)!r} {state}", file=out)
            return 0
        try:
            password = read_password(stdin)
            check_password(password)
            if args.staff_command == "add":
                created = accounts.create_staff(
                    args.username,
                    password,
                    args.role,
                    display_name=args.display_name,
                    teams=args.teams,
                    languages=args.languages,
                )
                print(f"created {created.role} {created.username!r} (id {created.id})", file=out)
            else:
                accounts.set_password(args.username, password)
                print(f"password of {args.username!r} changed; its sessions ended", file=out)
            return 0
        except StaffExists as exc:
            print(f"error: {exc}", file=err)
            return 2
        except StaffError as exc:
            hint = f" (at least {MIN_PASSWORD_LENGTH} characters, read from standard input)"
            print(f"error: {exc}" + (hint if "password" in str(exc) else ""), file=err)
            return 2
    finally:
        db.dispose()
