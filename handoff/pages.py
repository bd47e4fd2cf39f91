"""Staff console pages (HTML): login, queue, case view, supervisor dashboard, audit log.

The pages are thin shells rendered with Jinja2; the data comes from the JSON API
(``handoff.api``) through ``handoff/static/console.js``. What this module does itself:
the session check (a page without a session redirects to the login form instead of
answering 401 JSON), the login form with its double-submit CSRF cookie, logout, the role
check of supervisor pages, the interface language (Vietnamese by default, ``?ui=en``), and
security headers on every page.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from handoff.deps import (
    LOGIN_CSRF_COOKIE,
    SESSION_COOKIE,
    clear_session_cookie,
    client_ip,
    cookie_secure,
    current_session,
    set_session_cookie,
)

log = logging.getLogger(__name__)

router = APIRouter()

HERE = Path(__file__).resolve().parent
TEMPLATES = Jinja2Templates(directory=str(HERE / "templates"))
STATIC_DIR = HERE / "static"

UI_COOKIE = "hotline_ui"
UI_LANGUAGES = ("vi", "en")
SUPERVISOR_ROLES = ("supervisor", "admin")

STATUSES = ("open", "waiting", "assigned", "waiting_citizen", "resolved", "closed")
LANGUAGES = ("vi", "en", "fr", "es", "zh", "ko", "ja")
CHANNELS = ("telegram", "zalo", "zalo_bot", "voice", "web", "api")

# Content-Security-Policy: everything is served from this origin; no inline script runs
# (the page data travels in <meta> and <script type="application/json"> blocks).
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
        "frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}

LABELS: dict[str, dict[str, str]] = {
    "vi": {
        "app_name": "Tổng đài hỗ trợ – Bảng điều khiển",
        "skip_to_content": "Bỏ qua, tới nội dung chính",
        "nav_label": "Điều hướng chính",
        "nav_queue": "Hàng chờ",
        "nav_supervisor": "Giám sát",
        "nav_audit": "Nhật ký",
        "ui_language": "Ngôn ngữ giao diện",
        "logout": "Đăng xuất",
        "role_agent": "Tổng đài viên",
        "role_supervisor": "Giám sát viên",
        "role_admin": "Quản trị",
        "live_connecting": "Đang kết nối…",
        "live_on": "Trực tuyến",
        "live_off": "Mất kết nối",
        "shortcuts": "Phím tắt",
        "close_dialog": "Đóng",
        "sc_move": "chọn ca kế tiếp / trước",
        "sc_open": "mở ca đang chọn",
        "sc_claim": "nhận ca",
        "sc_filter": "tới bộ lọc",
        "sc_reply": "viết trả lời",
        "sc_note": "viết ghi chú nội bộ",
        "sc_send": "gửi trả lời / ghi chú",
        "sc_canned": "chèn câu trả lời mẫu số 1–9",
        "sc_queue": "về hàng chờ",
        "sc_escape": "rời ô nhập liệu",
        "login_title": "Đăng nhập cán bộ tổng đài",
        "username": "Tên đăng nhập",
        "password": "Mật khẩu",
        "login_submit": "Đăng nhập",
        "login_failed": "Tên đăng nhập hoặc mật khẩu không đúng.",
        "login_rate_limited": "Đăng nhập sai quá nhiều lần. Vui lòng thử lại sau ít phút.",
        "login_csrf": "Phiên đăng nhập đã hết hạn. Vui lòng thử lại.",
        "back_to_queue": "Về hàng chờ",
        "error_401": "Cần đăng nhập",
        "error_403": "Không có quyền truy cập",
        "error_403_msg": "Trang này dành cho giám sát viên và quản trị viên.",
        "error_csrf_msg": "Yêu cầu bị từ chối (thiếu hoặc sai mã bảo vệ CSRF). Hãy tải lại trang.",
        "error_404": "Không tìm thấy",
        "case_not_found": "Không tìm thấy ca này.",
        "queue_title": "Hàng chờ hỗ trợ",
        "queue_caption": "Các ca đang chờ và đang xử lý, ưu tiên cao và chờ lâu nhất ở trên.",
        "count_waiting": "Đang chờ",
        "count_shown": "Hiển thị",
        "oldest_wait": "Chờ lâu nhất",
        "filters": "Bộ lọc",
        "all": "Tất cả",
        "apply": "Áp dụng",
        "filter_callback": "Cần gọi lại",
        "filter_mine": "Ca của tôi",
        "col_wait": "Thời gian chờ",
        "col_priority": "Ưu tiên",
        "col_language": "Ngôn ngữ",
        "col_channel": "Kênh",
        "col_team": "Nhóm",
        "col_callback": "Gọi lại",
        "col_reason": "Lý do",
        "col_summary": "Tóm tắt",
        "col_status": "Trạng thái",
        "col_actions": "Thao tác",
        "col_agent": "Cán bộ",
        "col_claimed": "Đã nhận",
        "col_resolved": "Đã giải quyết",
        "col_replies": "Tin trả lời",
        "col_handling": "Xử lý (trung vị)",
        "col_question": "Câu hỏi chưa có câu trả lời",
        "col_count": "Số lần",
        "col_last": "Lần cuối",
        "col_time": "Thời điểm",
        "col_action": "Hành động",
        "col_detail": "Chi tiết",
        "loading": "Đang tải…",
        "queue_empty": "Không có ca nào khớp bộ lọc.",
        "no_summary": "(không có tóm tắt)",
        "claim": "Nhận",
        "open": "Mở",
        "mine": "Của tôi",
        "yes": "Có",
        "claimed_ok": "Đã nhận ca {id}.",
        "claim_conflict": "Ca này đã có người khác nhận.",
        "new_case": "Ca mới: {id}",
        "status_open": "Đang mở",
        "status_waiting": "Đang chờ",
        "status_assigned": "Đang xử lý",
        "status_waiting_citizen": "Chờ công dân",
        "status_resolved": "Đã giải quyết",
        "status_closed": "Đã đóng",
        "lang_vi": "Tiếng Việt",
        "lang_en": "Tiếng Anh",
        "lang_fr": "Tiếng Pháp",
        "lang_es": "Tiếng Tây Ban Nha",
        "lang_zh": "Tiếng Trung",
        "lang_ko": "Tiếng Hàn",
        "lang_ja": "Tiếng Nhật",
        "channel_telegram": "Telegram",
        "channel_zalo": "Zalo OA",
        "channel_zalo_bot": "Zalo Bot",
        "channel_voice": "Điện thoại",
        "channel_phone": "Điện thoại",
        "channel_web": "Web chat",
        "channel_api": "API",
        "channel_console": "Tổng đài viên tạo",
        "reason_talk_to_human": "Muốn gặp cán bộ",
        "reason_complaint": "Khiếu nại, phản ánh",
        "reason_failures": "Bot không hiểu nhiều lần",
        "reason_abuse": "Ngôn từ không phù hợp",
        "reason_dossier": "Tra cứu hồ sơ",
        "reason_low_confidence": "Bot không chắc chắn",
        "reason_api": "Tạo thủ công",
        "sender_citizen": "Công dân",
        "sender_bot": "Trợ lý ảo",
        "sender_agent": "Cán bộ",
        "sender_system": "Hệ thống",
        "case": "Ca",
        "transcript": "Hội thoại",
        "reply_label": "Trả lời công dân",
        "reply_hint": "Tin nhắn được gửi qua kênh của công dân.",
        "reply_claim_first": "Hãy nhận ca trước khi trả lời.",
        "reply_closed": "Ca đã kết thúc.",
        "canned": "Câu trả lời mẫu",
        "canned_choose": "Chèn câu trả lời mẫu…",
        "send": "Gửi",
        "reply_sent": "Đã gửi trả lời.",
        "notes": "Ghi chú nội bộ",
        "note_label": "Ghi chú mới (công dân không thấy)",
        "add_note": "Thêm ghi chú",
        "note_added": "Đã thêm ghi chú.",
        "no_notes": "Chưa có ghi chú.",
        "actions": "Xử lý ca",
        "transfer_to": "Chuyển cho",
        "transfer": "Chuyển",
        "transferred": "Đã chuyển ca.",
        "staff": "Cán bộ",
        "teams": "Nhóm",
        "choose": "— Chọn —",
        "wait_citizen": "Chờ công dân phản hồi",
        "wait_citizen_hint": "Ca tạm dừng cho tới khi công dân nhắn lại.",
        "waiting_set": "Đã chuyển sang chờ công dân.",
        "outcome": "Kết quả",
        "resolve": "Giải quyết xong",
        "resolved_ok": "Đã đánh dấu giải quyết.",
        "close_case": "Đóng ca",
        "close_hint": "Đóng không cần kết quả (trùng lặp, spam…).",
        "closed_ok": "Đã đóng ca.",
        "assigned_to": "Người xử lý",
        "unassigned": "Chưa có người nhận",
        "packet": "Hồ sơ chuyển giao",
        "procedures": "Thủ tục liên quan",
        "no_procedures": "Trợ lý chưa xác định được thủ tục.",
        "bot_told": "Trợ lý đã trả lời công dân",
        "history": "Lịch sử ca",
        "last_message": "Tin nhắn cuối",
        "intents": "Ý định",
        "speech_confidence": "Độ tin cậy nhận dạng giọng nói",
        "place": "Địa bàn",
        "centre": "Trung tâm phục vụ HCC",
        "dossier": "Hồ sơ",
        "due": "hẹn trả",
        "callback_number": "Số gọi lại",
        "citizen": "Công dân",
        "agency": "Cơ quan thực hiện",
        "fee": "Phí, lệ phí",
        "duration": "Thời hạn giải quyết",
        "channels_ways": "Cách thức nộp",
        "documents": "Thành phần hồ sơ",
        "official_link": "Trang chính thức",
        "way_online": "Trực tuyến",
        "way_post": "Bưu chính",
        "way_in_person": "Trực tiếp",
        "outcome_answered": "Đã trả lời",
        "outcome_dossier_updated": "Đã kiểm tra/đôn đốc hồ sơ",
        "outcome_referred": "Đã hướng dẫn tới cơ quan khác",
        "outcome_callback_done": "Đã gọi lại",
        "outcome_complaint_registered": "Đã ghi nhận khiếu nại",
        "outcome_no_response": "Công dân không phản hồi",
        "outcome_duplicate": "Trùng lặp",
        "outcome_out_of_scope": "Ngoài phạm vi",
        "event_created": "Tạo ca",
        "event_assigned": "Nhận ca",
        "event_claimed": "Nhận ca",
        "event_message": "Tin nhắn",
        "event_reply": "Trả lời",
        "event_note": "Ghi chú",
        "event_transferred": "Chuyển ca",
        "event_waiting_citizen": "Chờ công dân",
        "event_resolved": "Giải quyết",
        "event_closed": "Đóng ca",
        "event_reopened": "Mở lại",
        "event_updated": "Công dân yêu cầu lại",
        "event_callback": "Để lại số gọi lại",
        "supervisor_title": "Giám sát tổng đài",
        "period": "Khoảng thời gian",
        "last_days": "{n} ngày gần nhất",
        "export_cases": "Xuất CSV các ca",
        "export_gaps": "Xuất CSV câu hỏi chưa có câu trả lời",
        "kpi_queue": "Đang chờ",
        "kpi_oldest": "Chờ lâu nhất",
        "kpi_rate": "Tỷ lệ chuyển cán bộ",
        "kpi_wait": "Thời gian chờ (trung vị)",
        "kpi_handling": "Thời gian xử lý (trung vị)",
        "per_agent": "Theo cán bộ",
        "gaps": "Khoảng trống danh mục",
        "gaps_hint": "Câu hỏi trợ lý không trả lời được, để bổ sung danh mục thủ tục.",
        "no_data": "Chưa có dữ liệu.",
        "audit_title": "Nhật ký thao tác",
        "action_login": "Đăng nhập",
        "action_logout": "Đăng xuất",
        "action_login_failed": "Đăng nhập sai",
        "action_password_changed": "Đổi mật khẩu",
        "action_staff_created": "Tạo tài khoản",
        "action_case_created": "Tạo ca",
        "action_claim": "Nhận ca",
        "action_reply": "Trả lời",
        "action_note": "Ghi chú",
        "action_transfer": "Chuyển ca",
        "action_wait": "Chờ công dân",
        "action_resolve": "Giải quyết",
        "action_close": "Đóng ca",
        "action_reopen": "Mở lại ca",
        "action_export": "Xuất dữ liệu",
        "unit_day": "ng",
        "err_network": "Không kết nối được máy chủ.",
        "err_session": "Phiên đăng nhập đã hết.",
        "err_403": "Không có quyền thực hiện.",
        "err_404": "Không tìm thấy.",
        "err_409": "Trạng thái ca đã thay đổi; đã tải lại.",
        "err_422": "Dữ liệu không hợp lệ.",
        "err_500": "Lỗi máy chủ.",
        "new_citizen_message": "Công dân vừa gửi tin nhắn mới.",
        # Issue 11 (officer): the queue's empty state without filters.
        "queue_idle": "Hiện không có công dân nào đang chờ. Ca mới sẽ tự hiện ở đây.",
    },
    "en": {
        "app_name": "Hotline console",
        "skip_to_content": "Skip to main content",
        "nav_label": "Main navigation",
        "nav_queue": "Queue",
        "nav_supervisor": "Supervisor",
        "nav_audit": "Audit log",
        "ui_language": "Interface language",
        "logout": "Log out",
        "role_agent": "Agent",
        "role_supervisor": "Supervisor",
        "role_admin": "Admin",
        "live_connecting": "Connecting…",
        "live_on": "Live",
        "live_off": "Disconnected",
        "shortcuts": "Keyboard shortcuts",
        "close_dialog": "Close",
        "sc_move": "next / previous case",
        "sc_open": "open the selected case",
        "sc_claim": "claim",
        "sc_filter": "go to filters",
        "sc_reply": "write a reply",
        "sc_note": "write an internal note",
        "sc_send": "send reply / note",
        "sc_canned": "insert canned reply 1–9",
        "sc_queue": "back to the queue",
        "sc_escape": "leave the text field",
        "login_title": "Hotline staff sign-in",
        "username": "Username",
        "password": "Password",
        "login_submit": "Sign in",
        "login_failed": "Wrong username or password.",
        "login_rate_limited": "Too many failed sign-ins. Please try again in a few minutes.",
        "login_csrf": "The sign-in form expired. Please try again.",
        "back_to_queue": "Back to the queue",
        "error_401": "Sign-in needed",
        "error_403": "Access denied",
        "error_403_msg": "This page is for supervisors and administrators.",
        "error_csrf_msg": "Request refused (missing or wrong CSRF token). Reload the page.",
        "error_404": "Not found",
        "case_not_found": "This case does not exist.",
        "queue_title": "Support queue",
        "queue_caption": "Waiting and open cases, highest priority and longest wait first.",
        "count_waiting": "Waiting",
        "count_shown": "Shown",
        "oldest_wait": "Oldest wait",
        "filters": "Filters",
        "all": "All",
        "apply": "Apply",
        "filter_callback": "Callback requested",
        "filter_mine": "My cases",
        "col_wait": "Waiting",
        "col_priority": "Priority",
        "col_language": "Language",
        "col_channel": "Channel",
        "col_team": "Team",
        "col_callback": "Callback",
        "col_reason": "Reason",
        "col_summary": "Summary",
        "col_status": "Status",
        "col_actions": "Actions",
        "col_agent": "Staff",
        "col_claimed": "Claimed",
        "col_resolved": "Resolved",
        "col_replies": "Replies",
        "col_handling": "Handling (median)",
        "col_question": "Unanswered question",
        "col_count": "Count",
        "col_last": "Last seen",
        "col_time": "Time",
        "col_action": "Action",
        "col_detail": "Detail",
        "loading": "Loading…",
        "queue_empty": "No case matches the filters.",
        "no_summary": "(no summary)",
        "claim": "Claim",
        "open": "Open",
        "mine": "Mine",
        "yes": "Yes",
        "claimed_ok": "Case {id} claimed.",
        "claim_conflict": "Someone else already claimed this case.",
        "new_case": "New case: {id}",
        "status_open": "Open",
        "status_waiting": "Waiting",
        "status_assigned": "In progress",
        "status_waiting_citizen": "Waiting for citizen",
        "status_resolved": "Resolved",
        "status_closed": "Closed",
        "lang_vi": "Vietnamese",
        "lang_en": "English",
        "lang_fr": "French",
        "lang_es": "Spanish",
        "lang_zh": "Chinese",
        "lang_ko": "Korean",
        "lang_ja": "Japanese",
        "channel_telegram": "Telegram",
        "channel_zalo": "Zalo OA",
        "channel_zalo_bot": "Zalo Bot",
        "channel_voice": "Phone",
        "channel_phone": "Phone",
        "channel_web": "Web chat",
        "channel_api": "API",
        "channel_console": "Created by staff",
        "reason_talk_to_human": "Asked for a person",
        "reason_complaint": "Complaint",
        "reason_failures": "Bot failed repeatedly",
        "reason_abuse": "Abusive language",
        "reason_dossier": "Dossier enquiry",
        "reason_low_confidence": "Bot unsure",
        "reason_api": "Created manually",
        "sender_citizen": "Citizen",
        "sender_bot": "Assistant",
        "sender_agent": "Staff",
        "sender_system": "System",
        "case": "Case",
        "transcript": "Conversation",
        "reply_label": "Reply to the citizen",
        "reply_hint": "Sent through the citizen's channel.",
        "reply_claim_first": "Claim the case before replying.",
        "reply_closed": "The case is finished.",
        "canned": "Canned replies",
        "canned_choose": "Insert a canned reply…",
        "send": "Send",
        "reply_sent": "Reply sent.",
        "notes": "Internal notes",
        "note_label": "New note (never shown to the citizen)",
        "add_note": "Add note",
        "note_added": "Note added.",
        "no_notes": "No notes yet.",
        "actions": "Case actions",
        "transfer_to": "Transfer to",
        "transfer": "Transfer",
        "transferred": "Case transferred.",
        "staff": "Staff",
        "teams": "Teams",
        "choose": "— Choose —",
        "wait_citizen": "Wait for the citizen",
        "wait_citizen_hint": "Paused until the citizen writes again.",
        "waiting_set": "Now waiting for the citizen.",
        "outcome": "Outcome",
        "resolve": "Resolve",
        "resolved_ok": "Case resolved.",
        "close_case": "Close case",
        "close_hint": "Close without an outcome (duplicate, spam…).",
        "closed_ok": "Case closed.",
        "assigned_to": "Handled by",
        "unassigned": "Unassigned",
        "packet": "Dossier packet",
        "procedures": "Procedure candidates",
        "no_procedures": "The assistant found no procedure.",
        "bot_told": "What the assistant told the citizen",
        "history": "Case history",
        "last_message": "Last message",
        "intents": "Intents",
        "speech_confidence": "Speech recognition confidence",
        "place": "Place",
        "centre": "Service centre",
        "dossier": "Dossier",
        "due": "due",
        "callback_number": "Callback number",
        "citizen": "Citizen",
        "agency": "Implementing agency",
        "fee": "Fees",
        "duration": "Processing time",
        "channels_ways": "How to submit",
        "documents": "Required documents",
        "official_link": "Official page",
        "way_online": "Online",
        "way_post": "By post",
        "way_in_person": "In person",
        "outcome_answered": "Answered",
        "outcome_dossier_updated": "Dossier checked / chased",
        "outcome_referred": "Referred elsewhere",
        "outcome_callback_done": "Called back",
        "outcome_complaint_registered": "Complaint registered",
        "outcome_no_response": "No response from citizen",
        "outcome_duplicate": "Duplicate",
        "outcome_out_of_scope": "Out of scope",
        "event_created": "Created",
        "event_assigned": "Claimed",
        "event_claimed": "Claimed",
        "event_message": "Message",
        "event_reply": "Reply",
        "event_note": "Note",
        "event_transferred": "Transferred",
        "event_waiting_citizen": "Waiting for citizen",
        "event_resolved": "Resolved",
        "event_closed": "Closed",
        "event_reopened": "Reopened",
        "event_updated": "Asked again",
        "event_callback": "Left a callback number",
        "supervisor_title": "Supervisor dashboard",
        "period": "Period",
        "last_days": "Last {n} days",
        "export_cases": "Export cases (CSV)",
        "export_gaps": "Export gaps (CSV)",
        "kpi_queue": "Waiting now",
        "kpi_oldest": "Oldest wait",
        "kpi_rate": "Handoff rate",
        "kpi_wait": "Median wait",
        "kpi_handling": "Median handling",
        "per_agent": "Per agent",
        "gaps": "Catalogue gaps",
        "gaps_hint": "Questions the assistant could not answer, to complete the catalogue.",
        "no_data": "No data yet.",
        "audit_title": "Audit log",
        "action_login": "Signed in",
        "action_logout": "Signed out",
        "action_login_failed": "Failed sign-in",
        "action_password_changed": "Password changed",
        "action_staff_created": "Account created",
        "action_case_created": "Case created",
        "action_claim": "Claimed",
        "action_reply": "Replied",
        "action_note": "Note",
        "action_transfer": "Transferred",
        "action_wait": "Waiting for citizen",
        "action_resolve": "Resolved",
        "action_close": "Closed",
        "action_reopen": "Reopened",
        "action_export": "Export",
        "unit_day": "d",
        "err_network": "Cannot reach the server.",
        "err_session": "Your session ended.",
        "err_403": "Not allowed.",
        "err_404": "Not found.",
        "err_409": "The case changed meanwhile; reloaded.",
        "err_422": "Invalid input.",
        "err_500": "Server error.",
        "new_citizen_message": "The citizen sent a new message.",
        # Issue 11 (officer): the queue's empty state without filters.
        "queue_idle": "No citizen is waiting. New cases appear here by themselves.",
    },
}


# ---------------------------------------------------------------- helpers


def _ui(request: Request) -> str:
    asked = request.query_params.get("ui")
    if asked in UI_LANGUAGES:
        return asked
    kept = request.cookies.get(UI_COOKIE)
    return kept if kept in UI_LANGUAGES else "vi"


def _labels(ui: str) -> dict[str, str]:
    return {**LABELS["vi"], **LABELS.get(ui, {})}


@lru_cache(maxsize=8)
def _asset_version(name: str, mtime_ns: int) -> str:
    # mtime_ns is part of the cache key: an edited file gets a new version.
    return hashlib.sha256((STATIC_DIR / name).read_bytes()).hexdigest()[:10]


def _static_url(name: str) -> str:
    path = STATIC_DIR / name
    try:
        version = _asset_version(name, path.stat().st_mtime_ns)
    except OSError:
        version = "0"
    return f"/console/static/{quote(name)}?v={version}"


def _settings(request: Request) -> Any:
    return request.app.state.handoff_settings


def _staff_view(staff: Any) -> dict[str, Any]:
    return {
        "id": staff.id,
        "username": staff.username,
        "display_name": staff.display_name or "",
        "role": staff.role,
        "teams": list(staff.teams or []),
    }


def _current(request: Request) -> tuple[Any, Any] | None:
    """(Staff, StaffSession) of the session cookie, or None."""
    return current_session(request)


def _safe_next(value: str | None) -> str:
    """Only same-site console paths: no scheme, no host, no protocol-relative URL."""
    if not value or not value.startswith("/console/") or value.startswith("//") or "\\" in value:
        return "/console/"
    if any(ch in value for ch in "\r\n\t"):
        return "/console/"
    return value


def _login_redirect(request: Request) -> Response:
    target = request.url.path
    if request.url.query:
        target += "?" + request.url.query
    return _secured(RedirectResponse(f"/console/login?next={quote(target, safe='')}", status_code=303))


def _secured(response: Response) -> Response:
    for key, value in SECURITY_HEADERS.items():
        response.headers.setdefault(key, value)
    return response


def _render(
    request: Request,
    template: str,
    *,
    status_code: int = 200,
    page: str = "",
    staff: Any = None,
    csrf_token: str | None = None,
    **context: Any,
) -> HTMLResponse:
    ui = _ui(request)
    labels = _labels(ui)

    def t(key: str, **kwargs: Any) -> str:
        text = labels.get(key, key)
        return text.format(**kwargs) if kwargs else text

    settings = _settings(request)
    ui_links = {
        code: "?"
        + urlencode([*((k, v) for k, v in request.query_params.multi_items() if k != "ui"), ("ui", code)])
        for code in UI_LANGUAGES
    }
    response = TEMPLATES.TemplateResponse(
        request,
        template,
        {
            "t": t,
            "ui": ui,
            "labels": labels,
            "page": page,
            "staff": _staff_view(staff) if staff is not None else None,
            "csrf_token": csrf_token,
            "timezone": settings.timezone,
            "static_url": _static_url,
            "ui_links": ui_links,
            **context,
        },
        status_code=status_code,
    )
    if request.query_params.get("ui") in UI_LANGUAGES:
        response.set_cookie(
            UI_COOKIE,
            ui,
            max_age=365 * 24 * 3600,
            path="/console",
            samesite="lax",
            secure=cookie_secure(request),
            httponly=True,
        )
    _secured(response)
    return response


def _error(
    request: Request,
    status_code: int,
    message_key: str,
    *,
    staff: Any = None,
    csrf_token: str | None = None,
) -> HTMLResponse:
    labels = _labels(_ui(request))
    return _render(
        request,
        "error.html",
        status_code=status_code,
        page="error",
        staff=staff,
        csrf_token=csrf_token,
        title=labels.get(f"error_{status_code}", str(status_code)),
        message=labels.get(message_key, message_key),
    )


def _delete_login_csrf(request: Request, response: Response) -> None:
    response.delete_cookie(
        LOGIN_CSRF_COOKIE, path="/console", httponly=True, samesite="strict", secure=cookie_secure(request)
    )


def _login_page(
    request: Request,
    *,
    status_code: int = 200,
    error_key: str | None = None,
    username: str = "",
    next_url: str = "",
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    """The form with a fresh double-submit token (cookie + hidden field)."""
    token = secrets.token_urlsafe(32)
    labels = _labels(_ui(request))
    response = _render(
        request,
        "login.html",
        status_code=status_code,
        page="login",
        login_csrf=token,
        error=labels.get(error_key, "") if error_key else "",
        username=username,
        next=_safe_next(next_url) if next_url else "",
    )
    response.set_cookie(
        LOGIN_CSRF_COOKIE,
        token,
        max_age=2 * 3600,
        path="/console",
        httponly=True,
        samesite="strict",
        secure=cookie_secure(request),
    )
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


def _same(a: str | None, b: str | None) -> bool:
    if not a or not b:
        return False
    return hmac.compare_digest(a.encode("utf-8"), b.encode("utf-8"))


# ---------------------------------------------------------------- login / logout


@router.get("/console/login", response_class=HTMLResponse, include_in_schema=False)
def login_form(request: Request, next: str = "") -> Response:
    if _current(request) is not None:
        return _secured(RedirectResponse(_safe_next(next), status_code=303))
    return _login_page(request, next_url=next)


@router.post("/console/login", response_class=HTMLResponse, include_in_schema=False)
def login_submit(
    request: Request,
    username: Annotated[str, Form(max_length=64)] = "",
    password: Annotated[str, Form(max_length=256)] = "",
    csrf_token: Annotated[str, Form(max_length=128)] = "",
    next: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    from handoff.auth import LoginRateLimited

    if not _same(csrf_token, request.cookies.get(LOGIN_CSRF_COOKIE)):
        return _login_page(request, status_code=403, error_key="login_csrf", username=username, next_url=next)
    staff_service = request.app.state.staff
    try:
        staff = staff_service.authenticate(username.strip(), password, client_ip(request))
    except LoginRateLimited as exc:
        retry = getattr(exc, "retry_after", None)
        headers = {"Retry-After": str(int(retry))} if isinstance(retry, int | float) and retry > 0 else None
        return _login_page(
            request,
            status_code=429,
            error_key="login_rate_limited",
            username=username,
            next_url=next,
            headers=headers,
        )
    if staff is None:
        return _login_page(
            request, status_code=401, error_key="login_failed", username=username, next_url=next
        )
    token, _csrf = staff_service.start_session(
        staff, request.headers.get("user-agent", "")[:300], ip=client_ip(request)
    )
    response = RedirectResponse(_safe_next(next), status_code=303)
    set_session_cookie(response, request, token)
    _delete_login_csrf(request, response)
    return _secured(response)


@router.post("/console/logout", include_in_schema=False)
def logout(request: Request, csrf_token: Annotated[str, Form(max_length=128)] = "") -> Response:
    current = _current(request)
    if current is None:
        return _secured(RedirectResponse("/console/login", status_code=303))
    staff, session = current
    if not _same(csrf_token, session.csrf_token):
        return _error(request, 403, "error_csrf_msg", staff=staff, csrf_token=session.csrf_token)
    request.app.state.staff.end_session(request.cookies.get(SESSION_COOKIE, ""), ip=client_ip(request))
    response = RedirectResponse("/console/login", status_code=303)
    clear_session_cookie(response, request)
    return _secured(response)


# ---------------------------------------------------------------- pages


@router.get("/console/", response_class=HTMLResponse, include_in_schema=False)
def queue_page(request: Request) -> Response:
    current = _current(request)
    if current is None:
        return _login_redirect(request)
    staff, session = current
    q = request.query_params
    status = q.get("status", "open")
    filters = {
        "status": status if status in STATUSES else "open",
        "language": q.get("language", ""),
        "channel": q.get("channel", ""),
        "team": q.get("team", ""),
        "callback": q.get("callback") in ("1", "true", "on"),
        "mine": q.get("mine") in ("1", "true", "on"),
    }
    teams = sorted({*(_settings(request).teams or []), *(staff.teams or [])})
    return _render(
        request,
        "queue.html",
        page="queue",
        staff=staff,
        csrf_token=session.csrf_token,
        filters=filters,
        statuses=STATUSES,
        languages=LANGUAGES,
        channels=CHANNELS,
        teams=teams,
    )


@router.get("/console/cases/{case_id}", response_class=HTMLResponse, include_in_schema=False)
def case_page(request: Request, case_id: str) -> Response:
    current = _current(request)
    if current is None:
        return _login_redirect(request)
    staff, session = current
    if not _case_exists(request, case_id):
        return _error(request, 404, "case_not_found", staff=staff, csrf_token=session.csrf_token)
    teams = sorted({*(_settings(request).teams or []), *(staff.teams or [])})
    return _render(
        request,
        "case.html",
        page="case",
        staff=staff,
        csrf_token=session.csrf_token,
        case_id=case_id,
        teams=teams,
    )


def _case_exists(request: Request, case_id: str) -> bool:
    from handoff.models import Case

    if len(case_id) > 32:
        return False
    with request.app.state.db.session() as s:
        return s.get(Case, case_id) is not None


def _supervisor(request: Request) -> tuple[Any, Any] | Response:
    current = _current(request)
    if current is None:
        return _login_redirect(request)
    staff, session = current
    if staff.role not in SUPERVISOR_ROLES:
        return _error(request, 403, "error_403_msg", staff=staff, csrf_token=session.csrf_token)
    return current


@router.get("/console/supervisor", response_class=HTMLResponse, include_in_schema=False)
def supervisor_page(request: Request, days: str = "7") -> Response:
    current = _supervisor(request)
    if isinstance(current, Response):
        return current
    staff, session = current
    return _render(
        request,
        "supervisor.html",
        page="supervisor",
        staff=staff,
        csrf_token=session.csrf_token,
        days=int(days) if days in ("1", "7", "30", "90") else 7,
    )


@router.get("/console/audit", response_class=HTMLResponse, include_in_schema=False)
def audit_page(request: Request) -> Response:
    current = _supervisor(request)
    if isinstance(current, Response):
        return current
    staff, session = current
    return _render(request, "audit.html", page="audit", staff=staff, csrf_token=session.csrf_token)
