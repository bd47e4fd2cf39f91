"""Length of the first answer to common procedure questions (issue 11: answers, not walls of text).

A fixed sample of questions a citizen asks first about the procedures a hotline hears most,
each in a fresh conversation through the real assistant; prints the distribution (median,
p90, max) of the first procedure answer's length in characters (the API's ``answer``, which
is the chat text) and the target. When the assistant first asks which variant is meant, the
citizen picks option 1 and that answer is measured (marked ``*``). ``--verbose`` prints each
answer.

    python -m bench.answers --index var/index-full
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path
from typing import Any

TARGET_MEDIAN = 600

# The first message of a conversation, as citizens write it: the aspect varies (documents,
# fee, time, where, online, overview) so that every composer path is measured.
QUESTIONS: tuple[tuple[str, str], ...] = (
    ("vi", "Đăng ký khai sinh cho con cần giấy tờ gì?"),
    ("vi", "Làm lại căn cước bị mất thì lệ phí bao nhiêu?"),
    ("vi", "Đăng ký kết hôn cần những gì?"),
    ("vi", "Cấp hộ chiếu phổ thông mất bao lâu?"),
    ("vi", "Đăng ký thường trú nộp hồ sơ ở đâu?"),
    ("vi", "Đăng ký khai tử cho bố tôi thì làm thế nào?"),
    ("vi", "Chứng thực bản sao từ bản chính lệ phí bao nhiêu?"),
    ("vi", "Đăng ký hộ kinh doanh có nộp trực tuyến được không?"),
    ("vi", "Đổi giấy phép lái xe cần giấy tờ gì?"),
    ("vi", "Xin phiếu lý lịch tư pháp mất mấy ngày?"),
    ("vi", "Đăng ký tạm trú cần giấy tờ gì?"),
    ("vi", "Cấp giấy xác nhận tình trạng hôn nhân"),
    ("vi-x", "dang ky khai sinh can giay to gi"),
    ("en", "How do I register the birth of my child?"),
    ("en", "How much does a passport cost?"),
    ("fr", "Quels documents pour enregistrer un mariage ?"),
    ("es", "¿Cuánto tarda el registro de residencia temporal?"),
    ("zh", "办理出生登记需要什么材料？"),
    ("ko", "혼인 신고에 필요한 서류는 무엇인가요?"),
    ("ja", "パスポートの申請にはいくらかかりますか？"),
)


def pct(values: list[int], q: float) -> int:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def measure(assistant: Any, verbose: bool = False) -> dict[str, Any]:
    """First-message lengths over ``QUESTIONS``; each question opens its own conversation."""
    from bot.assistant import Turn
    from bot.dialogue import DialogueState

    lengths: list[int] = []
    rows = []
    for lang, text in QUESTIONS:
        state = DialogueState()
        reply = assistant.handle(Turn(text, conversation_id="bench"), state)
        chose = reply.needs_clarification and bool(reply.options)
        if chose:
            reply = assistant.handle(Turn("1", conversation_id="bench"), state)
        lengths.append(len(reply.answer))
        code = reply.procedures[0].code if reply.procedures else "-"
        rows.append((lang, text + (" *" if chose else ""), reply.intent, code, len(reply.answer)))
        if verbose:
            print(f"--- [{lang}] {text} → {reply.intent} {code} ({len(reply.answer)} chars)")
            print(reply.answer)
    return {
        "n": len(lengths),
        "median": statistics.median(lengths),
        "p90": pct(lengths, 0.9),
        "max": max(lengths),
        "rows": rows,
    }


def report(figures: dict[str, Any]) -> None:
    print("\nfirst-message length of procedure answers (characters of chat text)")
    for lang, text, intent, code, n in figures["rows"]:
        print(f"  {n:5d}  {lang:4s} {code:10s} {intent:14s} {text}")
    ok = "ok" if figures["median"] <= TARGET_MEDIAN else "OVER"
    print(
        f"  n={figures['n']}  median {figures['median']:.0f}  p90 {figures['p90']}  max {figures['max']}"
        f"  (target median <= {TARGET_MEDIAN}: {ok})"
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--index", help="index folder (default: the configured one)")
    ap.add_argument("--config", help="config file (default: config.yml)")
    ap.add_argument("--verbose", action="store_true", help="print every answer")
    args = ap.parse_args(argv)
    from channels.runtime import Runtime
    from channels.settings import load_settings

    settings = load_settings(Path(args.config) if args.config else None)
    rt = Runtime.start(settings, index_dir=Path(args.index).resolve() if args.index else None, rebuild=False)
    report(measure(rt.assistant, verbose=args.verbose))
    return 0


if __name__ == "__main__":
    sys.exit(main())
