"""Dossier codes, the dossier sources (one contract for every implementation) and their texts.

The HTTP source is tested against ``httpx.MockTransport`` and against a real HTTP server on
the loopback interface, both serving the same "provincial portal" JSON; the SQLite source
against a real database file.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from datetime import date, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import httpx
import pytest

from bot import dossier_text
from bot.dossier import (
    STATUSES,
    DossierSource,
    DossierSourceError,
    DossierStatus,
    HttpDossierSource,
    SqliteDossierSource,
    build_dossier_source,
    build_status_map,
    derive_status,
    find_dossier_codes,
    normalize_dossier_code,
    normalize_status,
    parse_date,
    parse_datetime,
    status_for,
)

ROOT = Path(__file__).resolve().parents[2]
DEMO_CSV = ROOT / "data" / "sample" / "dossiers.csv"
CATALOGUE = ROOT / "data" / "sample" / "catalogue.jsonl"
TODAY = date(2026, 11, 23)
LANGS = ("vi", "en", "fr", "es", "zh", "ko", "ja")

# --------------------------------------------------------------------------- codes


@pytest.mark.parametrize(
    ("text", "codes"),
    [
        ("000.00.24.H17-250703-0012", ["000.00.24.H17-250703-0012"]),
        ("Mã hồ sơ của tôi là 000.00.24.H17-250703-0012.", ["000.00.24.H17-250703-0012"]),
        ("ma ho so 000.00.24.h17-250703-0012 nhe", ["000.00.24.H17-250703-0012"]),
        ("số biên nhận: 000.00.24.H17 - 250703 - 0012, cảm ơn", ["000.00.24.H17-250703-0012"]),
        ("000.00.31.H29–250701–0001 (en dash)", ["000.00.31.H29-250701-0001"]),
        ("G22.99-250101-0001", ["G22.99-250101-0001"]),
        ("H29.22-230510-00005?", ["H29.22-230510-00005"]),
        ("My dossier (000.00.24.H17-250703-0012) is late", ["000.00.24.H17-250703-0012"]),
        ("「000.00.24.H17-250703-0012」です", ["000.00.24.H17-250703-0012"]),
        ("０００.００.２４.Ｈ１７-２５０７０３-００１２", ["000.00.24.H17-250703-0012"]),
        (
            "hai hồ sơ 000.00.24.H17-250703-0012 và 000.00.25.H17-250704-0001; lại 000.00.24.H17-250703-0012",
            ["000.00.24.H17-250703-0012", "000.00.25.H17-250704-0001"],
        ),
    ],
)
def test_codes_are_found_and_normalised(text, codes):
    assert find_dossier_codes(text) == codes


@pytest.mark.parametrize(
    "text",
    [
        "",
        "số điện thoại 0905 123 456",
        "gọi 0905-123-456 hoặc +84 905 123 456",
        "CCCD 001234567890, CMND 201234567",
        "hẹn ngày 03-07-2025",
        "ngày 2025-07-03 lúc 08:15",
        "biển số 43A-123.45",
        "thủ tục 1.001193",
        "000.00.24.H17-251332-0012",  # month 13: not a date
        "000.00.24.H17-250703-0012.5",  # a decimal goes on
        "000.00.24.H17-250703-0012A",
        "1000.00.24.H17-250703-0012",  # a four-digit agency segment
        "000.00.24.H17-2507030-0012",
        "000.00.24.H17-250703",
        "H1-250703-0012",
    ],
)
def test_other_numbers_are_not_codes(text):
    assert find_dossier_codes(text) == []


def test_normalize_dossier_code():
    assert normalize_dossier_code(" 000.00.24.h17 - 250703 - 0012. ") == "000.00.24.H17-250703-0012"
    # Another province's shape is kept, tidied.
    assert normalize_dossier_code(" hs-2025 – 77. ") == "HS-2025-77"
    assert normalize_dossier_code("") == ""


# --------------------------------------------------------------------------- parsing


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("03/07/2025", date(2025, 7, 3)),
        ("3/7/2025", date(2025, 7, 3)),
        ("03-07-2025 08:15:00", date(2025, 7, 3)),
        ("2025-07-03", date(2025, 7, 3)),
        ("2025-07-03T08:15:00", date(2025, 7, 3)),
        ("2025-07-02T20:00:00Z", date(2025, 7, 3)),  # 03:00 in Vietnam
        ("2025-07-03T08:15:00+07:00", date(2025, 7, 3)),
        (1751506200000, date(2025, 7, 3)),  # epoch milliseconds, 08:30 in Vietnam
        ("", None),
        (None, None),
    ],
)
def test_dates(value, expected):
    assert parse_date(value) == expected


@pytest.mark.parametrize("value", ["32/01/2025", "hôm qua", "2025/13/40", {"d": 1}])
def test_bad_dates_are_source_errors(value):
    with pytest.raises(DossierSourceError):
        parse_date(value)


def test_datetime_keeps_the_time_in_vietnam():
    assert parse_datetime("21/11/2026 09:15") == datetime(2026, 11, 21, 9, 15)
    assert parse_datetime("2026-11-21T02:15:00Z") == datetime(2026, 11, 21, 9, 15)


@pytest.mark.parametrize(
    ("text", "status"),
    [
        ("Đã tiếp nhận", "received"),
        ("Đang xử lý", "processing"),
        ("dang xu ly", "processing"),
        ("ĐANG XỬ LÝ", "processing"),
        ("Yêu cầu bổ sung", "additional_required"),
        ("Chờ nộp phí, lệ phí", "waiting_payment"),
        ("Đã trả kết quả", "done"),
        ("Hoàn thành", "done"),
        ("Trả lại hồ sơ", "returned"),
        ("Từ chối", "rejected"),
        ("Rút hồ sơ", "withdrawn"),
        ("Quá hạn", "overdue"),
        ("processing", "processing"),
        ("waiting_payment", "waiting_payment"),
    ],
)
def test_default_status_map(text, status):
    assert normalize_status(text, build_status_map()) == status
    assert status_for(text) == status


def test_status_map_extends_and_overrides_the_defaults():
    mapping = build_status_map({"2": "processing", "Đã tiếp nhận": "processing"})
    assert normalize_status(2, mapping) == "processing"
    assert normalize_status("Đã tiếp nhận", mapping) == "processing"
    assert normalize_status("Từ chối", mapping) == "rejected"
    with pytest.raises(ValueError, match="not one of"):
        build_status_map({"X": "lost"})


def test_unknown_status_is_a_source_error_naming_the_setting():
    with pytest.raises(DossierSourceError, match="dossiers.status_map"):
        normalize_status("Trạng thái lạ", build_status_map())


@pytest.mark.parametrize(
    ("status", "due", "expected"),
    [
        ("processing", date(2026, 11, 22), "overdue"),
        ("received", date(2026, 11, 1), "overdue"),
        ("processing", TODAY, "processing"),  # due today is not late yet
        ("processing", date(2026, 12, 1), "processing"),
        ("processing", None, "processing"),
        ("done", date(2026, 11, 1), "done"),
        ("rejected", date(2026, 11, 1), "rejected"),
        ("withdrawn", date(2026, 11, 1), "withdrawn"),
        # Waiting for the citizen: the office's clock is stopped.
        ("additional_required", date(2026, 11, 1), "additional_required"),
        ("waiting_payment", date(2026, 11, 1), "waiting_payment"),
    ],
)
def test_overdue_is_derived_only_while_the_office_holds_the_dossier(status, due, expected):
    assert derive_status(status, due, TODAY) == expected


def test_status_model():
    with pytest.raises(ValueError):
        DossierStatus(code="X", status="lost")
    status = DossierStatus(
        code="000.00.24.H17-261102-0031",
        status="overdue",
        due_date=date(2026, 11, 5),
        updated_at=datetime(2026, 11, 4, 11, 20),
    )
    assert status.needs_attention
    assert status.to_dict()["due_date"] == "2026-11-05"
    assert status.to_dict()["updated_at"] == "2026-11-04T11:20:00"
    json.dumps(status.to_dict())
    assert not DossierStatus(code="X", status="done").needs_attention


# --------------------------------------------------------------------------- contract

# The records every implementation serves, in our field names and the portal's wording.
RECORDS = [
    {
        "code": "000.00.24.H17-261120-0012",
        "status": "Đang xử lý",
        "procedure_code": "1.004222",
        "procedure_name": "Đăng ký thường trú",
        "office": "Trung tâm Phục vụ hành chính công phường Hải Châu",
        "received_at": "20/11/2026",
        "due_date": "01/12/2026",
        "updated_at": "21/11/2026 09:15",
        "note": "",
    },
    {
        "code": "000.00.24.H17-261102-0031",
        "status": "Đang xử lý",
        "procedure_code": "1.001612",
        "procedure_name": "Đăng ký thành lập hộ kinh doanh",
        "office": "Trung tâm Phục vụ hành chính công phường Hải Châu",
        "received_at": "02/11/2026",
        "due_date": "05/11/2026",
        "updated_at": "04/11/2026 11:20",
        "note": "",
    },
    {
        "code": "000.00.25.H17-261118-0007",
        "status": "Yêu cầu bổ sung hồ sơ",
        "procedure_code": "1.013978",
        "procedure_name": "Đăng ký đất đai",
        "office": "Trung tâm Phục vụ hành chính công phường Hòa Cường",
        "received_at": "18/11/2026",
        "due_date": "11/12/2026",
        "updated_at": "20/11/2026 14:40",
        "note": "Bổ sung bản trích đo địa chính thửa đất.",
    },
    {
        "code": "000.00.24.H17-261113-0005",
        "status": "Đã trả kết quả",
        "procedure_code": "1.001193",
        "procedure_name": "Thủ tục đăng ký khai sinh",
        "office": "Trung tâm Phục vụ hành chính công phường Hải Châu",
        "received_at": "13/11/2026",
        "due_date": "13/11/2026",
        "updated_at": "13/11/2026 15:10",
        "note": "",
    },
]


class DossierSourceContract:
    """What every ``DossierSource`` must do. Subclasses provide the three fixtures."""

    @pytest.fixture
    def source(self) -> DossierSource:  # serves RECORDS, today = TODAY
        raise NotImplementedError

    @pytest.fixture
    def broken_source(self) -> DossierSource:  # cannot answer at all
        raise NotImplementedError

    @pytest.fixture
    def bad_data_source(self) -> DossierSource:  # serves RECORDS[0] with status "Trạng thái lạ"
        raise NotImplementedError

    def test_is_a_dossier_source(self, source):
        assert isinstance(source, DossierSource)

    def test_found(self, source):
        status = source.lookup("000.00.24.H17-261120-0012")
        assert status == DossierStatus(
            code="000.00.24.H17-261120-0012",
            status="processing",
            status_text="Đang xử lý",
            procedure_code="1.004222",
            procedure_name="Đăng ký thường trú",
            office="Trung tâm Phục vụ hành chính công phường Hải Châu",
            received_at=date(2026, 11, 20),
            due_date=date(2026, 12, 1),
            updated_at=datetime(2026, 11, 21, 9, 15),
            note=None,
        )

    def test_found_as_the_citizen_typed_it(self, source):
        status = source.lookup("000.00.24.h17 - 261120 - 0012.")
        assert status is not None and status.code == "000.00.24.H17-261120-0012"

    def test_not_found(self, source):
        assert source.lookup("000.00.24.H17-261120-9999") is None
        assert source.lookup("") is None

    def test_overdue_is_derived(self, source):
        status = source.lookup("000.00.24.H17-261102-0031")
        assert status is not None
        assert status.status == "overdue"
        assert status.status_text == "Đang xử lý"  # what the system said is kept
        assert status.needs_attention

    def test_statuses_and_notes(self, source):
        additional = source.lookup("000.00.25.H17-261118-0007")
        assert additional is not None and additional.status == "additional_required"
        assert additional.note == "Bổ sung bản trích đo địa chính thửa đất."
        done = source.lookup("000.00.24.H17-261113-0005")
        assert done is not None and done.status == "done" and not done.needs_attention

    def test_a_source_that_cannot_answer_raises(self, broken_source):
        with pytest.raises(DossierSourceError):
            broken_source.lookup("000.00.24.H17-261120-0012")

    def test_bad_data_raises(self, bad_data_source):
        with pytest.raises(DossierSourceError, match="Trạng thái lạ"):
            bad_data_source.lookup("000.00.24.H17-261120-0012")


# --- SQLite


class TestSqliteSource(DossierSourceContract):
    @pytest.fixture
    def source(self, tmp_path) -> Iterator[SqliteDossierSource]:
        with SqliteDossierSource(tmp_path / "dossiers.db", today=lambda: TODAY) as source:
            source.upsert(RECORDS)
            yield source

    @pytest.fixture
    def broken_source(self, tmp_path) -> SqliteDossierSource:
        path = tmp_path / "broken.db"
        path.write_bytes(b"this is not an SQLite database" * 100)
        return SqliteDossierSource(path, today=lambda: TODAY)

    @pytest.fixture
    def bad_data_source(self, source) -> SqliteDossierSource:
        # A row written by another tool, bypassing load_csv's validation.
        conn = source._connection()
        conn.execute("UPDATE dossiers SET status = 'Trạng thái lạ' WHERE code = ?", (RECORDS[0]["code"],))
        conn.commit()
        return source


# --- HTTP: the provincial portal's JSON, served by MockTransport and by a loopback server

PORTAL_FIELDS = {
    "code": "data.maHoSo",
    "status": "data.trangThai",
    "procedure_code": "data.thuTuc.ma",
    "procedure_name": "data.thuTuc.ten",
    "office": "data.donViTiepNhan",
    "received_at": "data.ngayTiepNhan",
    "due_date": "data.ngayHenTra",
    "updated_at": "data.ngayCapNhat",
    "note": "data.ghiChu",
}
API_KEY = "test-key-not-a-secret"


def _portal_record(record: dict[str, str]) -> dict[str, object]:
    day, month, year = record["due_date"].split("/")
    received = datetime.strptime(record["received_at"], "%d/%m/%Y")
    updated = datetime.strptime(record["updated_at"], "%d/%m/%Y %H:%M")
    return {
        "maHoSo": record["code"].lower(),  # their spelling is normalised
        "trangThai": record["status"],
        "thuTuc": {"ma": record["procedure_code"], "ten": record["procedure_name"]},
        "donViTiepNhan": record["office"],
        "ngayTiepNhan": received.strftime("%d/%m/%Y %H:%M:%S"),  # three date styles
        "ngayHenTra": f"{year}-{month}-{day}",
        "ngayCapNhat": updated.strftime("%Y-%m-%dT%H:%M:%S+07:00"),
        "ghiChu": record["note"] or None,
    }


def portal(code: str, records: list[dict[str, str]], api_key: str | None) -> tuple[int, bytes]:
    """The fake portal's answer for a code: (HTTP status, body)."""
    if api_key != API_KEY:
        return 401, b'{"error": "unauthorized"}'
    for record in records:
        if record["code"] == code:
            return 200, json.dumps({"success": True, "data": _portal_record(record)}).encode()
    return 404, b'{"success": false, "data": null}'


def _code_from(url: str) -> str:
    parts = urlsplit(url)
    query = parse_qs(parts.query)
    return query["code"][0] if "code" in query else unquote(parts.path.rsplit("/", 1)[-1])


def mock_transport(records: list[dict[str, str]]) -> httpx.MockTransport:
    def handler(request: httpx.Request) -> httpx.Response:
        status, body = portal(_code_from(str(request.url)), records, request.headers.get("X-API-Key"))
        return httpx.Response(status, content=body, headers={"Content-Type": "application/json"})

    return httpx.MockTransport(handler)


class _Portal(BaseHTTPRequestHandler):
    records: list[dict[str, str]] = RECORDS
    behaviour = "normal"  # normal | error | slow | garbage

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        behaviour = self.server.behaviour  # type: ignore[attr-defined]
        if behaviour == "slow":
            time.sleep(1.0)
        if behaviour == "error":
            status, body = 503, b"<html>Service Unavailable</html>"
        elif behaviour == "garbage":
            status, body = 200, b"<html>not json</html>"
        else:
            status, body = portal(_code_from(self.path), self.server.records, self.headers.get("X-API-Key"))  # type: ignore[attr-defined]
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # keep test output clean
        pass


class _PortalServer(ThreadingHTTPServer):
    def handle_error(self, request: object, client_address: object) -> None:
        # The client gave up first (the timeout test): expected, nothing to report.
        pass


@pytest.fixture
def loopback() -> Iterator[ThreadingHTTPServer]:
    server = _PortalServer(("127.0.0.1", 0), _Portal)
    server.behaviour = "normal"  # type: ignore[attr-defined]
    server.records = RECORDS  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join()


def _url(server: ThreadingHTTPServer) -> str:
    host, port = server.server_address[:2]
    return f"http://{host}:{port}/api/hoso"


BAD_RECORDS = [{**RECORDS[0], "status": "Trạng thái lạ"}]


class TestHttpSourceMockTransport(DossierSourceContract):
    @staticmethod
    def make(records, **kwargs) -> HttpDossierSource:
        return HttpDossierSource(
            "https://dvc.example.gov.vn/api/hoso/{code}",
            field_map=PORTAL_FIELDS,
            headers={"X-API-Key": API_KEY},
            transport=mock_transport(records),
            today=lambda: TODAY,
            **kwargs,
        )

    @pytest.fixture
    def source(self) -> HttpDossierSource:
        return self.make(RECORDS)

    @pytest.fixture
    def broken_source(self) -> HttpDossierSource:
        def handler(request: httpx.Request) -> httpx.Response:
            raise httpx.ConnectError("connection refused", request=request)

        return HttpDossierSource(
            "https://dvc.example.gov.vn/api/hoso/{code}", transport=httpx.MockTransport(handler)
        )

    @pytest.fixture
    def bad_data_source(self) -> HttpDossierSource:
        return self.make(BAD_RECORDS)


class TestHttpSourceLoopback(DossierSourceContract):
    """A real HTTP server in a thread; the base-URL form (``?code=``)."""

    @pytest.fixture
    def source(self, loopback) -> Iterator[HttpDossierSource]:
        with HttpDossierSource(
            _url(loopback), field_map=PORTAL_FIELDS, headers={"X-API-Key": API_KEY}, today=lambda: TODAY
        ) as source:
            yield source

    @pytest.fixture
    def broken_source(self, loopback, source) -> HttpDossierSource:
        loopback.behaviour = "error"
        return source

    @pytest.fixture
    def bad_data_source(self, loopback, source) -> HttpDossierSource:
        loopback.records = BAD_RECORDS
        return source


# --- HTTP specifics


def _json_source(status: int, body: object, **kwargs) -> HttpDossierSource:
    content = body if isinstance(body, bytes) else json.dumps(body).encode()
    transport = httpx.MockTransport(lambda request: httpx.Response(status, content=content))
    return HttpDossierSource("https://dvc.example.gov.vn/hoso?ma={code}", transport=transport, **kwargs)


CODE = "000.00.24.H17-261120-0012"


@pytest.mark.parametrize("status", [500, 502, 503, 504, 400, 401, 403, 429])
def test_http_errors_are_source_errors(status):
    with pytest.raises(DossierSourceError, match=str(status)):
        _json_source(status, {"error": "x"}).lookup(CODE)


@pytest.mark.parametrize("body", [{"data": None}, {}, [], None, {"data": {}}])
def test_http_empty_answers_are_not_found(body):
    fields = {"status": "data.trangThai"} if isinstance(body, dict) and "data" in body else None
    assert _json_source(200, body, field_map=fields).lookup(CODE) is None


def test_http_404_is_not_found():
    assert _json_source(404, {"message": "Không tìm thấy hồ sơ"}).lookup(CODE) is None


def test_http_invalid_json_is_a_source_error():
    with pytest.raises(DossierSourceError, match="invalid JSON"):
        _json_source(200, b"<html>Bao tri he thong</html>").lookup(CODE)


def test_http_record_without_status_is_a_source_error():
    source = _json_source(200, {"data": {"tinhTrang": "Đang xử lý"}}, field_map={"status": "data.trangThai"})
    with pytest.raises(DossierSourceError, match="data.trangThai"):
        source.lookup(CODE)


def test_http_wrong_dates_are_source_errors():
    body = {"status": "Đang xử lý", "due_date": "ngày mai"}
    with pytest.raises(DossierSourceError, match="ngày mai"):
        _json_source(200, body).lookup(CODE)


def test_http_timeout_is_a_source_error():
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("timed out", request=request)

    source = HttpDossierSource("https://dvc.example.gov.vn/hoso", transport=httpx.MockTransport(handler))
    with pytest.raises(DossierSourceError, match="ReadTimeout"):
        source.lookup(CODE)


def test_http_real_timeout_on_loopback(loopback):
    loopback.behaviour = "slow"
    with HttpDossierSource(_url(loopback), timeout=0.2) as source:
        started = time.monotonic()
        with pytest.raises(DossierSourceError):
            source.lookup(CODE)
        assert time.monotonic() - started < 0.9


def test_http_invalid_json_on_loopback(loopback):
    loopback.behaviour = "garbage"
    with HttpDossierSource(_url(loopback)) as source, pytest.raises(DossierSourceError, match="invalid JSON"):
        source.lookup(CODE)


def test_http_unreachable_server_is_a_source_error(loopback):
    url = _url(loopback)
    loopback.shutdown()
    loopback.server_close()
    with (
        HttpDossierSource(url, timeout=0.5) as source,
        pytest.raises(DossierSourceError, match="unreachable"),
    ):
        source.lookup(CODE)


def test_http_missing_api_key_is_an_error_not_a_miss():
    source = HttpDossierSource(
        "https://dvc.example.gov.vn/api/hoso/{code}",
        field_map=PORTAL_FIELDS,
        transport=mock_transport(RECORDS),
    )
    with pytest.raises(DossierSourceError, match="401"):
        source.lookup(CODE)


def test_http_request_shape():
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(404)

    template = HttpDossierSource(
        "https://dvc.example.gov.vn/api/hoso/{code}/trang-thai",
        headers={"X-API-Key": API_KEY},
        transport=httpx.MockTransport(handler),
    )
    template.lookup("HS 2025/77")
    base = HttpDossierSource(
        "https://dvc.example.gov.vn/api/hoso?tinh=48", transport=httpx.MockTransport(handler)
    )
    base.lookup(CODE)
    assert seen[0].url.raw_path == b"/api/hoso/HS%202025%2F77/trang-thai"
    assert seen[0].headers["X-API-Key"] == API_KEY
    assert seen[0].headers["Accept"] == "application/json"
    assert seen[1].url.params["code"] == CODE
    assert seen[1].url.params["tinh"] == "48"


def test_http_numeric_statuses_epoch_dates_and_list_paths():
    body = {"result": [{"status": 3, "hanXuLy": 1796403600000, "coQuan": "UBND phường Hải Châu"}]}
    source = _json_source(
        200,
        body,
        field_map={"status": "result.0.status", "due_date": "result.0.hanXuLy", "office": "result.0.coQuan"},
        status_map={"3": "processing"},
        today=lambda: TODAY,
    )
    status = source.lookup(CODE)
    assert status is not None
    assert status.status == "processing"
    assert status.status_text == "3"
    assert status.due_date == date(2026, 12, 5)  # midnight in Vietnam, 17:00 UTC the day before
    assert status.code == CODE


def test_http_configuration_errors_fail_at_start():
    with pytest.raises(ValueError, match="unknown field"):
        HttpDossierSource("https://x.example/{code}", field_map={"trangThai": "data.trangThai"})
    with pytest.raises(ValueError, match="http"):
        HttpDossierSource("ftp://x.example/{code}")


# --------------------------------------------------------------------------- SQLite specifics


def test_demo_csv_loads_and_covers_every_status(tmp_path):
    source = SqliteDossierSource(tmp_path / "d.db", today=lambda: TODAY)
    assert source.load_csv(DEMO_CSV) == 12
    codes = [line.split(",", 1)[0] for line in DEMO_CSV.read_text(encoding="utf-8").splitlines()[3:]]
    assert len(codes) == 12
    statuses = {}
    for code in codes:
        assert find_dossier_codes(code) == [code], code  # demo codes have the real shape
        status = source.lookup(code)
        assert status is not None
        statuses[status.status] = code
        assert status.office and status.received_at and status.due_date
        assert status.code.endswith(status.received_at.strftime("-%y%m%d") + status.code[-5:])
    assert set(statuses) == set(STATUSES)
    catalogue = {
        json.loads(line)["code"]: json.loads(line)["name"] for line in CATALOGUE.open(encoding="utf-8")
    }
    for code in codes:
        status = source.lookup(code)
        assert status is not None and catalogue[status.procedure_code] == status.procedure_name


def test_demo_csv_says_it_is_demo_data():
    assert "DEMO DATA" in DEMO_CSV.read_text(encoding="utf-8").splitlines()[0]


def test_load_csv_is_an_idempotent_upsert(tmp_path):
    db = tmp_path / "d.db"
    source = SqliteDossierSource(db, today=lambda: TODAY)
    source.load_csv(DEMO_CSV)
    before = source.lookup("000.00.24.H17-261120-0012")
    assert source.load_csv(DEMO_CSV) == 12
    assert source.lookup("000.00.24.H17-261120-0012") == before
    count = source._connection().execute("SELECT COUNT(*) FROM dossiers").fetchone()[0]
    assert count == 12
    update = tmp_path / "update.csv"
    update.write_text(
        "code,status,office,received_at,due_date\n"
        "000.00.24.h17-261120-0012,Đã trả kết quả,Trung tâm Phục vụ hành chính công phường Hải Châu,"
        "2026-11-20,2026-12-01\n",
        encoding="utf-8",
    )
    source.load_csv(update)
    after = source.lookup("000.00.24.H17-261120-0012")
    assert after is not None and after.status == "done" and after.status_text == "Đã trả kết quả"
    source.close()
    # The data is on disk, not in memory.
    again = SqliteDossierSource(db, today=lambda: TODAY)
    assert again.lookup("000.00.24.H17-261120-0012") == after


def test_load_csv_rejects_a_bad_row_and_writes_nothing(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "# comment\n"
        "code,status,due_date\n"
        "000.00.24.H17-261120-0001,Đang xử lý,01/12/2026\n"
        "000.00.24.H17-261120-0002,Đang ngủ,01/12/2026\n",
        encoding="utf-8",
    )
    source = SqliteDossierSource(tmp_path / "d.db")
    with pytest.raises(ValueError, match=r"bad.csv:4: .*Đang ngủ"):
        source.load_csv(bad)
    assert source.lookup("000.00.24.H17-261120-0001") is None
    missing = tmp_path / "missing.csv"
    missing.write_text("ma,trang_thai\n", encoding="utf-8")
    with pytest.raises(ValueError, match="missing column"):
        source.load_csv(missing)


def test_sqlite_source_is_safe_across_threads(tmp_path):
    source = SqliteDossierSource(tmp_path / "d.db", today=lambda: TODAY)
    source.load_csv(DEMO_CSV)
    results: list[str] = []

    def worker() -> None:
        for _ in range(50):
            status = source.lookup("000.00.24.H17-261102-0031")
            assert status is not None
            results.append(status.status)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == ["overdue"] * 400


# --------------------------------------------------------------------------- factory


def test_factory_sqlite_with_seed(tmp_path):
    source = build_dossier_source("sqlite", path=tmp_path / "d.db", seed=[DEMO_CSV], today=lambda: TODAY)
    status = source.lookup("000.00.24.H17-261113-0005")
    assert isinstance(source, SqliteDossierSource)
    assert status is not None and status.status == "done"


def test_factory_http_sends_the_api_key_it_is_given():
    options = {
        "url": "https://dvc.example.gov.vn/api/hoso/{code}",
        "field_map": PORTAL_FIELDS,
        "api_key_header": "X-API-Key",
        "transport": mock_transport(RECORDS),
        "today": lambda: TODAY,
    }
    # The key comes from the settings (DOSSIER_API_KEY): the factory reads no environment.
    source = build_dossier_source("http", api_key=API_KEY, **options)
    status = source.lookup(CODE)
    assert status is not None and status.status == "processing"
    with pytest.raises(ValueError, match="DOSSIER_API_KEY"):
        build_dossier_source("http", **options)


def test_factory_none_and_errors(tmp_path):
    none = build_dossier_source("none")
    with pytest.raises(DossierSourceError):
        none.lookup(CODE)
    with pytest.raises(ValueError, match="unknown dossier source"):
        build_dossier_source("oracle")
    with pytest.raises(ValueError, match="unknown option"):
        build_dossier_source("sqlite", path=tmp_path / "d.db", sead=DEMO_CSV)
    with pytest.raises(ValueError, match="path"):
        build_dossier_source("sqlite")
    with pytest.raises(ValueError, match="URL"):
        build_dossier_source("http")


# --------------------------------------------------------------------------- texts

DEMO_OVERDUE = DossierStatus(
    code="000.00.24.H17-261102-0031",
    status="overdue",
    status_text="Đang xử lý",
    procedure_code="1.001612",
    procedure_name="Đăng ký thành lập hộ kinh doanh",
    office="Trung tâm Phục vụ hành chính công phường Hải Châu",
    received_at=date(2026, 11, 2),
    due_date=date(2026, 11, 5),
    updated_at=datetime(2026, 11, 4, 11, 20),
    note="Liên hệ anh Nam 0905123456 để biết thêm.",
)
DUE = {"vi": "05/11/2026", "en": "5 November 2026", "fr": "5 novembre 2026", "es": "5 de noviembre de 2026",
       "zh": "2026年11月5日", "ko": "2026년 11월 5일", "ja": "2026年11月5日"}  # fmt: skip
RECEIVED = {"vi": "02/11/2026", "en": "2 November 2026", "fr": "2 novembre 2026",
            "es": "2 de noviembre de 2026", "zh": "2026年11月2日", "ko": "2026년 11월 2일",
            "ja": "2026年11月2日"}  # fmt: skip
OVERDUE_WORD = {"vi": "quá ngày hẹn", "en": "overdue", "fr": "en retard", "es": "con retraso",
                "zh": "逾期", "ko": "기한 초과", "ja": "期限超過"}  # fmt: skip
STAFF_REPLY = {"vi": "“có”", "en": "“yes”", "fr": "« oui »", "es": "“sí”", "zh": "“是”", "ko": "“네”",
               "ja": "「はい」"}  # fmt: skip


@pytest.mark.parametrize("lang", LANGS)
def test_dossier_found_in_every_language(lang):
    text = dossier_text.dossier_found(lang, DEMO_OVERDUE)
    assert DEMO_OVERDUE.code in text
    assert DUE[lang] in text and RECEIVED[lang] in text
    assert OVERDUE_WORD[lang] in text
    assert "Trung tâm Phục vụ hành chính công phường Hải Châu" in text
    assert "1.001612" in text
    assert "Đang xử lý" in text  # the system's own word: overdue is our inference
    assert "0905123456" not in text and "123456" not in text  # a phone in a note is masked


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("status", STATUSES)
def test_every_status_has_words(lang, status):
    text = dossier_text.dossier_found(lang, DossierStatus(code=CODE, status=status))
    assert CODE in text and dossier_text.STATUS_WORDS[lang][status] in text


def test_vietnamese_does_not_repeat_the_system_status():
    plain = DossierStatus(code=CODE, status="processing", status_text="Đang xử lý")
    assert "Trạng thái trên hệ thống" not in dossier_text.dossier_found("vi", plain)
    own_word = DossierStatus(code=CODE, status="processing", status_text="Đang chờ lãnh đạo ký")
    assert "Đang chờ lãnh đạo ký" in dossier_text.dossier_found("vi", own_word)


def test_long_procedure_names_are_shortened():
    status = DossierStatus(code=CODE, status="processing", procedure_name="Đăng ký biến động " * 40)
    line = next(x for x in dossier_text.dossier_found("vi", status).splitlines() if "Thủ tục" in x)
    assert len(line) < 200 and line.endswith("…")


@pytest.mark.parametrize("lang", LANGS)
def test_every_message_in_every_language(lang):
    texts = {
        "not_found": dossier_text.dossier_not_found(lang, "000.00.24.H17-261120-9999"),
        "unavailable": dossier_text.dossier_unavailable(lang),
        "ask_code": dossier_text.dossier_ask_code(lang),
        "problem": dossier_text.dossier_problem_offer(lang),
        "problem_overdue": dossier_text.dossier_problem_offer(lang, "overdue"),
        "secret": dossier_text.secret_warning(lang),
        "legal": dossier_text.legal_advice_refusal(lang),
    }
    for name, text in texts.items():
        assert text.strip(), name
        assert "{" not in text and "}" not in text, name
    assert "000.00.24.H17-261120-9999" in texts["not_found"]
    assert dossier_text.EXAMPLE_CODE in texts["not_found"] and dossier_text.EXAMPLE_CODE in texts["ask_code"]
    for name in ("not_found", "unavailable", "problem", "problem_overdue", "legal"):
        assert STAFF_REPLY[lang] in texts[name], name  # offers staff, with the expected answer
    assert "OTP" in texts["secret"]
    assert texts["problem"] != texts["problem_overdue"]


def test_vietnamese_is_the_fallback_and_tags_are_reduced():
    # One fallback policy for every text (bot.texts): an unknown language gets Vietnamese.
    assert dossier_text.dossier_unavailable("xx") == dossier_text.dossier_unavailable("vi")
    assert dossier_text.dossier_ask_code("") == dossier_text.dossier_ask_code("vi")
    assert dossier_text.secret_warning("fr-CA") == dossier_text.secret_warning("fr")
    assert dossier_text.format_date(date(2025, 7, 1), "fr") == "1er juillet 2025"
    assert dossier_text.format_date(date(2025, 7, 3), "vi") == "03/07/2025"


def test_every_language_has_every_key():
    keys = set(dossier_text._M["en"])
    for lang in LANGS:
        assert set(dossier_text._M[lang]) == keys, lang
        assert set(dossier_text.STATUS_WORDS[lang]) == set(STATUSES), lang
