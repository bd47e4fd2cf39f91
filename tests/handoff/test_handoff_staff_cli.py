"""`hotline staff add|list|passwd`: the password comes from standard input."""

from __future__ import annotations

import argparse
import io
import os
import subprocess
import sys
from pathlib import Path

from handoff_helpers import FAST_HASHER

from handoff.auth import StaffService
from handoff.cli import add_staff_parser, run_staff
from handoff.config import HandoffSettings

ROOT = Path(__file__).resolve().parents[2]


def _parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="hotline")
    add_staff_parser(parser.add_subparsers(dest="command", required=True))
    return parser.parse_args(list(argv))


def _run(db, stdin: str, *argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = run_staff(_parse(*argv), db.url, stdin=io.StringIO(stdin), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def test_add_list_and_login(db):
    code, out, err = _run(
        db,
        "mật khẩu rất dài 2025\n",
        "staff", "add", "--username", "Admin", "--role", "admin", "--display-name", "Quản trị", "--team", "48",
        "--team", "tax",
    )  # fmt: skip
    assert code == 0, err
    assert "created admin 'admin'" in out
    code, out, _ = _run(db, "", "staff", "list")
    assert code == 0 and "admin\tadmin\t48,tax\tactive\tQuản trị" in out
    accounts = StaffService(db, HandoffSettings(), hasher=FAST_HASHER)
    staff = accounts.authenticate("admin", "mật khẩu rất dài 2025")
    assert staff is not None and staff.role == "admin" and staff.password_hash.startswith("$argon2id$")


def test_refusals_exit_2_with_a_clear_message(db):
    code, _, err = _run(db, "short\n", "staff", "add", "--username", "lan", "--role", "agent")
    assert code == 2 and "at least 10 characters" in err
    code, _, err = _run(db, "\n", "staff", "add", "--username", "lan", "--role", "agent")
    assert code == 2 and "at least 10 characters" in err
    assert _run(db, "long enough pw\n", "staff", "add", "--username", "lan", "--role", "agent")[0] == 0
    code, _, err = _run(db, "long enough pw\n", "staff", "add", "--username", "LAN", "--role", "agent")
    assert code == 2 and "already exists" in err
    code, _, err = _run(db, "long enough pw\n", "staff", "add", "--username", "a b", "--role", "agent")
    assert code == 2 and "username" in err


def test_passwd_changes_the_password_and_ends_sessions(db):
    assert _run(db, "first password\n", "staff", "add", "--username", "lan", "--role", "agent")[0] == 0
    accounts = StaffService(db, HandoffSettings(), hasher=FAST_HASHER)
    token, _ = accounts.start_session(accounts.authenticate("lan", "first password"))
    code, out, _ = _run(db, "second password\n", "staff", "passwd", "--username", "lan")
    assert code == 0 and "sessions ended" in out
    assert accounts.session(token) is None
    assert accounts.authenticate("lan", "first password") is None
    assert accounts.authenticate("lan", "second password") is not None


def test_real_process_reads_stdin_on_a_fresh_database(tmp_path):
    """As an administrator runs it: a new database file, the password piped in."""
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    script = (
        "import argparse, sys\n"
        "from handoff.cli import add_staff_parser, run_staff\n"
        "p = argparse.ArgumentParser(prog='hotline'); add_staff_parser(p.add_subparsers(dest='command'))\n"
        "sys.exit(run_staff(p.parse_args(sys.argv[2:]), sys.argv[1]))\n"
    )
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    argv = [sys.executable, "-c", script, url, "staff", "add", "--username", "root", "--role", "admin"]
    ok = subprocess.run(
        argv, input="a secret of some length\n", capture_output=True, text=True, env=env, timeout=60
    )
    assert ok.returncode == 0, ok.stderr
    assert "created admin 'root'" in ok.stdout
    refused = subprocess.run(
        [*argv[:-4], "--username", "other", "--role", "agent"],
        input="tiny\n",
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert refused.returncode == 2 and "at least 10 characters" in refused.stderr
