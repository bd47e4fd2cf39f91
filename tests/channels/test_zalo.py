"""Zalo Official Account: signed webhooks through the real app, replies through the outbox
to a loopback Zalo (real HTTP), token refresh that spends each refresh token once."""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from channels.outbox import SendError
from channels.zalo import (
    NAME,
    TokenStore,
    ZaloOAAdapter,
    ZaloOAClient,
    ZaloOAConfig,
    event_signature,
    verify_event_signature,
)
from tests.fakes.zalo_api import (
    APP_ID,
    APP_SECRET_KEY,
    OA_SECRET_KEY,
    FakeZaloAPI,
    oa_follow_event,
    oa_image_event,
    oa_location_event,
    oa_text_event,
)

ROOT = Path(__file__).resolve().parents[2]
OTHER_CHANNELS = (
    "TELEGRAM_BOT_TOKEN",
    "TELEGRAM_WEBHOOK_SECRET",
    "ZALO_BOT_TOKEN",
    "ZALO_BOT_WEBHOOK_SECRET",
)


# -- helpers ---------------------------------------------------------------------------------------
def sign(body: bytes, timestamp: str, secret: str = OA_SECRET_KEY, app_id: str = APP_ID) -> str:
    """Computed here, independently of channels.zalo."""
    return hashlib.sha256(app_id.encode() + body + timestamp.encode() + secret.encode()).hexdigest()


def post_event(
    client, event: dict, *, prefix: str = "mac=", signature: str | None = None, secret=OA_SECRET_KEY
):  # type: ignore[no-untyped-def]
    body = json.dumps(event, ensure_ascii=False).encode()
    headers = {"Content-Type": "application/json"}
    sig = signature if signature is not None else prefix + sign(body, str(event["timestamp"]), secret)
    if sig:
        headers["X-ZEvent-Signature"] = sig
    return client.post("/webhooks/zalo", content=body, headers=headers)


def to_user(user_id: str):  # type: ignore[no-untyped-def]
    return lambda c: (c.params.get("recipient") or {}).get("user_id") == user_id


@pytest.fixture
def zalo() -> Iterator[FakeZaloAPI]:
    with FakeZaloAPI() as api:
        yield api


def oa_env(zalo: FakeZaloAPI, tmp_path: Path) -> dict[str, str]:
    access, refresh = zalo.issue_pair()
    return {
        "ZALO_APP_ID": APP_ID,
        "ZALO_OA_SECRET_KEY": OA_SECRET_KEY,
        "ZALO_APP_SECRET_KEY": APP_SECRET_KEY,
        "ZALO_OA_ACCESS_TOKEN": access,
        "ZALO_OA_REFRESH_TOKEN": refresh,
        "HOTLINE_CHANNELS__ZALO_OA_API_BASE": zalo.base_url,
        "HOTLINE_CHANNELS__ZALO_OAUTH_BASE": zalo.base_url,
        "HOTLINE_CHANNELS__ZALO_TOKEN_FILE": str(tmp_path / "zalo-oa-tokens.json"),
    }


def make_client(env: dict[str, str], monkeypatch, sample_config, sample_runtime):  # type: ignore[no-untyped-def]
    from fastapi.testclient import TestClient

    from channels.api import create_app
    from channels.settings import load_settings

    for name in (
        *OTHER_CHANNELS,
        "ZALO_APP_ID",
        "ZALO_OA_SECRET_KEY",
        "ZALO_OA_ACCESS_TOKEN",
        "ZALO_OA_REFRESH_TOKEN",
    ):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    settings = load_settings(sample_config)
    return TestClient(create_app(settings, runtime=sample_runtime))


@pytest.fixture
def oa(zalo, tmp_path, monkeypatch, sample_config, sample_runtime):  # type: ignore[no-untyped-def]
    env = oa_env(zalo, tmp_path)
    with make_client(env, monkeypatch, sample_config, sample_runtime) as client:
        client.env = env  # type: ignore[attr-defined]
        yield client


def client_config(zalo: FakeZaloAPI, token_file: Path, access: str, refresh: str) -> ZaloOAConfig:
    return ZaloOAConfig(
        app_id=APP_ID,
        oa_secret_key=OA_SECRET_KEY,
        app_secret_key=APP_SECRET_KEY,
        token_file=token_file,
        api_base=zalo.base_url,
        oauth_base=zalo.base_url,
        access_token=access,
        refresh_token=refresh,
    )


# -- signatures ------------------------------------------------------------------------------------
def test_signature_matches_an_independent_vector():
    body = b'{"event_name":"user_send_text","timestamp":"1700000000000"}'
    # printf '%s' '1234567890<body>1700000000000oa-secret' | sha256sum
    known = "ca57d61741b63aedbda1e84aabb3d35e867bdd468b37815e8f84090545397b78"
    assert event_signature("1234567890", body, "1700000000000", "oa-secret") == known
    kwargs = {
        "app_id": "1234567890",
        "body": body,
        "timestamp": "1700000000000",
        "oa_secret_key": "oa-secret",
    }
    assert verify_event_signature(known, **kwargs)
    assert verify_event_signature("mac=" + known, **kwargs)
    assert verify_event_signature(" MAC=" + known.upper(), **kwargs)
    assert not verify_event_signature(known[:-1] + "0", **kwargs)
    assert not verify_event_signature("", **kwargs)
    assert not verify_event_signature(None, **kwargs)
    assert not verify_event_signature(known, **(kwargs | {"timestamp": "1700000000001"}))
    assert not verify_event_signature(known, **(kwargs | {"body": body + b" "}))


# -- the webhook through the real app ---------------------------------------------------------------
def test_disabled_without_secrets_answers_404(monkeypatch, sample_config, sample_runtime):
    with make_client({}, monkeypatch, sample_config, sample_runtime) as client:
        assert client.app.state.adapters.get(NAME) is None
        r = post_event(client, oa_text_event("u-disabled", "xin chào"))
        assert r.status_code == 404


def test_disabled_without_any_token(zalo, tmp_path, monkeypatch, sample_config, sample_runtime):
    env = oa_env(zalo, tmp_path)
    del env["ZALO_OA_ACCESS_TOKEN"], env["ZALO_OA_REFRESH_TOKEN"]
    with make_client(env, monkeypatch, sample_config, sample_runtime) as client:
        assert post_event(client, oa_text_event("u-notoken", "xin chào")).status_code == 404


def test_signed_text_gets_a_grounded_answer(oa, zalo):
    r = post_event(oa, oa_text_event("u-text", "Làm lại căn cước bị mất cần giấy tờ gì?"))
    assert r.status_code == 200 and r.json() == {"ok": True, "duplicate": False}
    call = zalo.wait_for("message/cs", to_user("u-text"))
    assert "1.014064" in call.text and "https://dichvucong.gov.vn/" in call.text
    assert len(call.text) <= 2000
    assert call.headers.get("access_token") == oa.env["ZALO_OA_ACCESS_TOKEN"]
    # The aspect menu: written in the text (a typed digit works) and as quick replies that
    # send the digit; "0" (a person) is always one of them.
    assert call.params["message"]["text"] == call.text and "0 gặp tổng đài viên" in call.text
    buttons = call.params["message"]["attachment"]["payload"]["buttons"]
    assert call.params["message"]["attachment"]["type"] == "template"
    assert 2 <= len(buttons) <= 5 and all(b["type"] == "oa.query.show" for b in buttons)
    assert [b["payload"] for b in buttons][-1] == "0" and buttons[0] == {
        "title": "1 lệ phí",
        "type": "oa.query.show",
        "payload": "1",
    }


def test_signature_with_and_without_mac_prefix(oa, zalo):
    assert post_event(oa, oa_text_event("u-mac", "đăng ký khai sinh"), prefix="mac=").status_code == 200
    assert post_event(oa, oa_text_event("u-plain", "đăng ký khai sinh"), prefix="").status_code == 200
    zalo.wait_for("message/cs", to_user("u-mac"))
    zalo.wait_for("message/cs", to_user("u-plain"))


def test_bad_or_missing_signature_is_refused_and_logged(oa, zalo, caplog):
    event = oa_text_event("u-forged", "đăng ký kết hôn")
    with caplog.at_level(logging.WARNING, logger="channels.zalo"):
        assert post_event(oa, event, secret="not-the-secret").status_code == 403
        assert post_event(oa, event, signature="").status_code == 403
        assert post_event(oa, event, signature="mac=" + "0" * 64).status_code == 403
    assert sum("X-ZEvent-Signature" in r.getMessage() for r in caplog.records) == 3
    # Signed for another body: the same signature does not carry over.
    body = json.dumps(event).encode()
    other = dict(event, message={"text": "chuyển tiền", "msg_id": "x1"})
    assert post_event(oa, other, signature=sign(body, event["timestamp"])).status_code == 403
    r = oa.post("/webhooks/zalo", content=b"{not json", headers={"X-ZEvent-Signature": "mac=00"})
    assert r.status_code == 400
    time.sleep(0.3)
    assert not [c for c in zalo.calls if to_user("u-forged")(c)]


def test_duplicate_event_is_answered_once(oa, zalo):
    event = oa_text_event("u-dup", "Làm lại căn cước bị mất cần giấy tờ gì?", msg_id="dup-msg-1")
    assert post_event(oa, event).json()["duplicate"] is False
    assert post_event(oa, event).json()["duplicate"] is True
    zalo.wait_for("message/cs", to_user("u-dup"))
    time.sleep(0.5)  # the worker would have sent a second answer by now
    assert len([c for c in zalo.calls_of("message/cs") if to_user("u-dup")(c)]) == 1


def test_follow_image_location_and_unknown_events(oa, zalo):
    assert post_event(oa, oa_follow_event("u-follow")).status_code == 200
    greeting = zalo.wait_for("message/cs", to_user("u-follow"))
    assert greeting.text.strip()
    # The same follow delivered again (no msg_id: deduplicated on a hash of the event).
    follow = oa_follow_event("u-follow2")
    assert post_event(oa, follow).json()["duplicate"] is False
    assert post_event(oa, follow).json()["duplicate"] is True

    assert post_event(oa, oa_image_event("u-image")).status_code == 200
    assert "chữ" in zalo.wait_for("message/cs", to_user("u-image")).text

    assert post_event(oa, oa_location_event("u-loc", 16.0637, 108.2225)).status_code == 200
    centre = zalo.wait_for("message/cs", to_user("u-loc"))
    assert "Lê Hồng Phong" in centre.text

    seen = {
        "app_id": APP_ID,
        "event_name": "user_seen_message",
        "timestamp": "1700000000000",
        "sender": {"id": "oa"},
        "recipient": {"id": "u-seen"},
        "message": {"msg_id": "m1"},
    }
    r = post_event(oa, seen)
    assert r.status_code == 200 and r.json()["ignored"] is True


def test_expired_token_is_refreshed_once_and_the_message_delivered(oa, zalo, tmp_path):
    seed_access, seed_refresh = oa.env["ZALO_OA_ACCESS_TOKEN"], oa.env["ZALO_OA_REFRESH_TOKEN"]
    zalo.expire_access_token(seed_access)
    assert post_event(oa, oa_text_event("u-expired", "đăng ký khai sinh cho con")).status_code == 200
    call = zalo.wait_for("message/cs", to_user("u-expired"))
    rejected = [c for c in zalo.calls_of("message/cs", ok_only=False) if c.body.get("error") == -216]
    assert len(rejected) == 1 and rejected[0].headers.get("access_token") == seed_access
    refreshes = zalo.calls_of("oauth", ok_only=False)
    assert len(refreshes) == 1 and refreshes[0].params["refresh_token"] == seed_refresh
    assert (
        refreshes[0].params["grant_type"] == "refresh_token"
        and refreshes[0].headers["secret_key"] == APP_SECRET_KEY
    )
    assert zalo.refresh_token_used(seed_refresh)
    stored = json.loads((tmp_path / "zalo-oa-tokens.json").read_text())
    assert call.headers.get("access_token") == stored["access_token"] == refreshes[0].body["access_token"]
    assert stored["refresh_token"] == refreshes[0].body["refresh_token"]
    assert (tmp_path / "zalo-oa-tokens.json").stat().st_mode & 0o077 == 0


def test_a_restart_uses_the_stored_pair(zalo, tmp_path, monkeypatch, sample_config, sample_runtime):
    env = oa_env(zalo, tmp_path)
    zalo.expire_access_token(env["ZALO_OA_ACCESS_TOKEN"])
    with make_client(env, monkeypatch, sample_config, sample_runtime) as client:
        post_event(client, oa_text_event("u-restart1", "đăng ký kết hôn"))
        zalo.wait_for("message/cs", to_user("u-restart1"))
    with make_client(env, monkeypatch, sample_config, sample_runtime) as client:
        post_event(client, oa_text_event("u-restart2", "đăng ký kết hôn"))
        zalo.wait_for("message/cs", to_user("u-restart2"))
    # The second process started from the same (spent) environment pair, yet needed no refresh.
    assert len(zalo.calls_of("oauth", ok_only=False)) == 1


# -- the client, directly against the loopback Zalo --------------------------------------------------
def test_concurrent_sends_in_one_process_refresh_once(zalo, tmp_path):
    access, refresh = zalo.issue_pair()
    zalo.expire_access_token(access)
    zalo.refresh_delay = 0.2
    client = ZaloOAClient(client_config(zalo, tmp_path / "t.json", access, refresh))

    async def main() -> list[str | None]:
        try:
            return await asyncio.gather(*(client.send_text(f"u{i}", f"tin {i}") for i in range(5)))
        finally:
            await client.aclose()

    ids = asyncio.run(main())
    assert all(ids) and len(zalo.calls_of("message/cs")) == 5
    assert len(zalo.calls_of("oauth", ok_only=False)) == 1 and client.refreshes == 1


_WORKER = textwrap.dedent(
    """
    import asyncio, json, sys
    from pathlib import Path
    from channels.zalo import ZaloOAClient, ZaloOAConfig

    base, token_file, access, refresh, app_id, oa_key, app_key, user = sys.argv[1:]
    config = ZaloOAConfig(app_id=app_id, oa_secret_key=oa_key, app_secret_key=app_key,
                          token_file=Path(token_file), api_base=base, oauth_base=base,
                          access_token=access, refresh_token=refresh)
    client = ZaloOAClient(config)
    print("ready", flush=True)
    sys.stdin.readline()

    async def main():
        try:
            return await client.send_text(user, "xin chào từ " + user)
        finally:
            await client.aclose()

    message_id = asyncio.run(main())
    print(json.dumps({"message_id": message_id, "refreshes": client.refreshes}), flush=True)
    """
)


def test_two_processes_never_spend_a_refresh_token_twice(zalo, tmp_path):
    access, refresh = zalo.issue_pair()
    zalo.expire_access_token(access)
    zalo.refresh_delay = 0.5  # the first process holds the lock while the second arrives
    token_file = tmp_path / "shared.json"
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-c",
                _WORKER,
                zalo.base_url,
                str(token_file),
                access,
                refresh,
                APP_ID,
                OA_SECRET_KEY,
                APP_SECRET_KEY,
                f"u-proc{i}",
            ],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for i in range(2)
    ]
    try:
        for p in procs:
            assert p.stdout is not None and p.stdout.readline().strip() == "ready"
        for p in procs:  # both built from the same (expired) pair, now released together
            assert p.stdin is not None
            p.stdin.write("go\n")
            p.stdin.flush()
        results = []
        for p in procs:
            out, err = p.communicate(timeout=60)
            assert p.returncode == 0, err
            results.append(json.loads(out.strip().splitlines()[-1]))
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
    assert all(r["message_id"] for r in results)
    assert sorted(r["refreshes"] for r in results) == [0, 1]
    oauth = zalo.calls_of("oauth", ok_only=False)
    assert len(oauth) == 1 and "access_token" in oauth[0].body  # spent once, never refused
    assert json.loads(token_file.read_text())["access_token"] == oauth[0].body["access_token"]


def test_the_fake_refuses_a_refresh_token_used_twice(zalo):
    _, refresh = zalo.issue_pair()
    form = {"app_id": APP_ID, "refresh_token": refresh, "grant_type": "refresh_token"}
    url = zalo.base_url + "/v4/oa/access_token"
    first = httpx.post(url, data=form, headers={"secret_key": APP_SECRET_KEY}).json()
    second = httpx.post(url, data=form, headers={"secret_key": APP_SECRET_KEY}).json()
    assert first["access_token"] and first["refresh_token"]
    assert "access_token" not in second and second["error"] < 0


def test_refused_refresh_and_error_codes_are_not_retryable(zalo, tmp_path):
    access, refresh = zalo.issue_pair()
    zalo.expire_access_token(access)
    zalo.fail("oauth", 200, body={"error": -14014, "error_description": "Invalid refresh token"})
    client = ZaloOAClient(client_config(zalo, tmp_path / "t.json", access, refresh))

    async def send() -> None:
        try:
            await client.send_text("u1", "xin chào")
        finally:
            await client.aclose()

    with pytest.raises(SendError) as refused:
        asyncio.run(send())
    assert not refused.value.retryable and "-14014" in str(refused.value)
    assert not (tmp_path / "t.json").exists()

    access, refresh = zalo.issue_pair()
    client = ZaloOAClient(client_config(zalo, tmp_path / "t2.json", access, refresh))
    zalo.fail("message/cs", 200, body={"error": -213, "message": "User has not followed the OA"})
    with pytest.raises(SendError) as not_follower:
        asyncio.run(send())
    assert not not_follower.value.retryable and "-213" in str(not_follower.value)


@pytest.mark.parametrize(
    ("status", "headers", "retry_after"), [(503, {}, None), (429, {"Retry-After": "7"}, 7.0), (502, {}, None)]
)
def test_server_errors_and_429_are_retryable(zalo, tmp_path, status, headers, retry_after):
    access, refresh = zalo.issue_pair()
    client = ZaloOAClient(client_config(zalo, tmp_path / "t.json", access, refresh))
    zalo.fail("message/cs", status, headers=headers)

    async def send() -> None:
        try:
            await client.send_text("u1", "xin chào")
        finally:
            await client.aclose()

    with pytest.raises(SendError) as exc:
        asyncio.run(send())
    assert exc.value.retryable and exc.value.retry_after == retry_after


def test_network_error_is_retryable(tmp_path):
    config = ZaloOAConfig(
        app_id=APP_ID,
        oa_secret_key=OA_SECRET_KEY,
        app_secret_key=APP_SECRET_KEY,
        token_file=tmp_path / "t.json",
        api_base="http://127.0.0.1:9",
        oauth_base="http://127.0.0.1:9",
        access_token="a",
        refresh_token="r",
    )
    client = ZaloOAClient(config)

    async def send() -> None:
        try:
            await client.send_text("u1", "xin chào")
        finally:
            await client.aclose()

    with pytest.raises(SendError) as exc:
        asyncio.run(send())
    assert exc.value.retryable


def test_an_operator_reseed_overrides_the_stored_chain(tmp_path):
    store = TokenStore(tmp_path / "t.json")
    store.write(
        {"access_token": "old-a", "refresh_token": "old-r", "seed": "someone-else", "expires_at": None}
    )
    base = dict(app_id=APP_ID, oa_secret_key=OA_SECRET_KEY, app_secret_key=None, token_file=store.path)
    reseeded = ZaloOAClient(ZaloOAConfig(**base, access_token="new-a", refresh_token="new-r"))
    assert reseeded._pair is not None and reseeded._pair.access_token == "new-a"
    no_env = ZaloOAClient(ZaloOAConfig(**base))
    assert no_env._pair is not None and no_env._pair.access_token == "old-a"


def test_options_become_a_numbered_list_within_the_limit(tmp_path):
    config = ZaloOAConfig(app_id="1", oa_secret_key="k", app_secret_key=None, token_file=tmp_path / "t.json")
    adapter = ZaloOAAdapter(config, ZaloOAClient(config))
    assert adapter.capabilities.max_text == 2000 and adapter.capabilities.location
    parts = adapter.render({"text": "Bạn muốn hỏi thủ tục nào?", "options": ["1. Khai sinh", "Kết hôn"]})
    assert parts == ["Bạn muốn hỏi thủ tục nào?\n\n1. Khai sinh\n2. Kết hôn"]
    long = adapter.render({"text": "x " * 999, "options": ["1. Khai sinh"]})
    assert len(long) == 2 and all(len(p) <= 2000 for p in long) and long[-1] == "1. Khai sinh"
