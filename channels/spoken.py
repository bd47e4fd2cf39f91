"""The phone's answer about a procedure, composed for the ear from the catalogue record.

The written reply is made for the eye: a fee line "70,000 Việt Nam Đồng(- Cấp lại thẻ căn
cước đối với …" with its catalogue note, a URL, the code. Read aloud it becomes "bảy mươi
phẩy không không không Việt Nam Đồng, gạch …". So the phone does not re-read that text:
from what the reply says (the aspect asked, the procedure, the language) and the record
itself it composes short sentences for the aspect asked (overview, documents, fee, time
limit, where, online), every number, amount and duration in words (``channels.numerals``),
without bracketed notes or links ("trên Cổng dịch vụ công quốc gia"), the procedure code
in groups, and fits them within a spoken-time budget at the voice's speaking rate, then
offers the other aspects on the keypad.

Catalogue text that is not a number (a time limit written as a sentence, an agency, a
document's name) is Vietnamese: Vietnamese callers hear it, cleaned and verbalised;
callers in another language hear what can be said in their language (amounts, durations,
free or not, online or not) and where to read the rest.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from channels.numerals import amount_words, decimal_words, duration_words, number_words
from channels.speech import code_words, verbalize
from knowledge.models import Document, Procedure, SubmissionChannel

__all__ = [
    "ASPECTS",
    "DEFAULT_RATES",
    "MENU_ASPECTS",
    "Spoken",
    "aspect_of",
    "ask_place",
    "estimate_seconds",
    "fee_words",
    "render_procedure",
    "speak_vietnamese",
    "syllables",
    "time_words",
]

ASPECTS = ("overview", "documents", "fee", "duration", "where", "online")
# The keypad after an answer: the same digit always means the same aspect.
MENU_ASPECTS: dict[str, str] = {"1": "documents", "2": "fee", "3": "duration", "4": "where", "5": "online"}
_INTENT_ASPECTS = {
    "ask_procedure": "overview",
    "ask_documents": "documents",
    "ask_fee": "fee",
    "ask_duration": "duration",
    "ask_time": "duration",
    "ask_where": "where",
    "ask_online": "online",
}

# Syllables (vi, en, fr, es, ko), characters (zh) or morae (ja) a phone voice says per
# second; deployers tune them for their voice (channels.voice.speech_rates).
DEFAULT_RATES: dict[str, float] = {
    "vi": 4.5,
    "en": 4.0,
    "fr": 4.5,
    "es": 5.0,
    "zh": 4.5,
    "ko": 5.5,
    "ja": 7.0,
}
_PAUSE_SENTENCE = 0.35  # seconds a voice pauses at a full stop
_PAUSE_COMMA = 0.15


def aspect_of(intent: str) -> str | None:
    """The aspect a reply's intent answers ("ask_fee" → "fee"), or None for a reply that
    is not an answer about one procedure."""
    if intent in ASPECTS:
        return intent
    return _INTENT_ASPECTS.get(intent)


def ask_place(lang: str) -> str:
    """What the phone asks when it cannot name the caller's office without the commune."""
    return _t(lang if lang in _TEXTS else "en", "ask_place")


# == speaking time =============================================================================

_VOWELS = re.compile(r"[aeiouyœæ]+", re.IGNORECASE)
_LATIN = re.compile(r"[A-Za-zÀ-ɏḀ-ỿ]+")
_HANGUL = re.compile(r"[\uac00-\ud7a3]")
_HAN = re.compile(r"[\u4e00-\u9fff\u3400-\u4dbf〇]")
_KANA = re.compile(r"[\u3041-\u3096\u30a1-\u30fa\u30fc]")
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)


def _bare(word: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", word) if not unicodedata.combining(c))


def syllables(text: str, lang: str) -> float:
    """What the voice has to say, in its rate's unit: Vietnamese syllables are its words;
    Latin-script words count their vowel groups; Chinese its characters; Korean its
    Hangul syllables; Japanese its kana plus two morae a kanji."""
    if lang == "vi":
        return float(len(_WORD.findall(text)))
    # Words in Latin letters (also a Vietnamese office's name in a foreign answer): their
    # vowel groups once accents and tone marks are set aside.
    latin = sum(max(1, len(_VOWELS.findall(_bare(w)))) for w in _LATIN.findall(text))
    if lang == "zh":
        return float(len(_HAN.findall(text)) + latin)
    if lang == "ko":
        return float(len(_HANGUL.findall(text)) + latin)
    if lang == "ja":
        return float(len(_KANA.findall(text)) + 2 * len(_HAN.findall(text)) + latin)
    return float(latin)


def estimate_seconds(text: str, lang: str, rates: Mapping[str, float] | None = None) -> float:
    """How long a voice takes to say ``text``: its syllables at the language's rate, plus
    the pauses at sentence ends and commas."""
    rate = (rates or {}).get(lang) or DEFAULT_RATES.get(lang, 4.5)
    stops = len(re.findall(r"[.!?。！？]", text))
    commas = len(re.findall(r"[,;:、，；：]", text))
    return round(syllables(text, lang) / rate + stops * _PAUSE_SENTENCE + commas * _PAUSE_COMMA, 2)


# == what the voice says, per language ===========================================================

_TEXTS: dict[str, dict[str, str]] = {
    "vi": {
        "free": "miễn phí",
        "fee": "Lệ phí: {fee}.",
        "fee_range": "từ {low} đến {high}, tùy trường hợp",
        "fee_free_note": "danh mục ghi miễn phí nhưng có mức thu cho một số trường hợp",
        "fee_other": "theo quy định, mức cụ thể có trên Cổng dịch vụ công quốc gia",
        "fee_none": "Danh mục không nêu lệ phí.",
        "fee_free": "Thủ tục này miễn phí.",
        "time_and_free": "Thời hạn {time}, miễn phí.",
        "time": "Thời hạn giải quyết: {time}.",
        "time_and_fee": "Thời hạn {time}, lệ phí {fee}.",
        "time_none": "Danh mục không nêu thời hạn giải quyết.",
        "time_no_unit": "danh mục ghi {n}, không nêu đơn vị",
        "time_range": "từ {low} đến {high}",
        "time_text": "{text}",
        "per": " mỗi {unit}",
        "pair": "{channel}: {value}",
        "pair_sep": "; ",
        "in_person": "nộp trực tiếp",
        "online": "nộp trực tuyến",
        "post": "qua bưu chính",
        "where": "Nơi nộp: {agency}.",
        "ask_place": "Hãy cho tôi biết xã, phường của bạn để tôi chỉ nơi nộp gần nhất.",
        "where_none": "Danh mục không nêu cơ quan tiếp nhận.",
        "address": "Địa chỉ: {address}.",
        "centre": "Gần bạn có {name}, địa chỉ {address}.",
        "centre_phone": "Điện thoại: {phone}.",
        "online_yes": "Thủ tục này nộp trực tuyến được trên Cổng dịch vụ công quốc gia.",
        "online_no": "Thủ tục này chưa nộp trực tuyến được; bạn có thể {channels}.",
        "online_unknown": "Danh mục không nêu cách nộp hồ sơ.",
        "or": " hoặc ",
        "documents": "Hồ sơ gồm {n} giấy tờ: {list}.",
        "documents_main": "Hồ sơ gồm {n} giấy tờ, chính là: {list}.",
        "documents_none": "Danh mục không nêu thành phần hồ sơ.",
        "documents_rest": "Danh sách đầy đủ có trên Cổng dịch vụ công quốc gia.",
        "list_sep": "; ",
        "code": "Mã thủ tục: {code}.",
        "code_sms": "Nhấn {nine} để nhận mã thủ tục và đường link qua tin nhắn.",
        "menu": "Nghe thêm: nhấn {items}, {zero} gặp cán bộ.",
        "menu_item": "{n} {label}",
        "menu_sep": ", ",
        "documents_label": "giấy tờ",
        "fee_label": "lệ phí",
        "duration_label": "thời hạn",
        "where_label": "nơi nộp",
        "online_label": "nộp trực tuyến",
        "name": "{name}.",
    },
    "en": {
        "free": "free of charge",
        "fee": "Fee: {fee}.",
        "fee_range": "from {low} to {high}, depending on the case",
        "fee_free_note": "listed as free, with charges in some cases",
        "fee_other": "set by regulation; the amount is on the National Public Service Portal",
        "fee_none": "The catalogue does not state a fee.",
        "fee_free": "This procedure is free of charge.",
        "time_and_free": "Processing time {time}, free of charge.",
        "time": "Processing time: {time}.",
        "time_and_fee": "Processing time {time}, fee {fee}.",
        "time_none": "The catalogue does not state a processing time.",
        "time_no_unit": "listed as {n}, unit not stated",
        "time_range": "from {low} to {high}",
        "time_text": "stated in Vietnamese only, see the National Public Service Portal",
        "per": "",
        "pair": "{channel}: {value}",
        "pair_sep": "; ",
        "in_person": "in person",
        "online": "online",
        "post": "by post",
        "where": "Where to apply: the office named in the catalogue, in Vietnamese: {agency}.",
        "ask_place": "Tell me your commune or ward and I will name the nearest office.",
        "where_none": "The catalogue does not name the receiving office.",
        "address": "",
        "centre": "The nearest centre: {name}, {address}.",
        "centre_phone": "Phone: {phone}.",
        "online_yes": "You can apply online on the National Public Service Portal.",
        "online_no": "This procedure cannot be done online; you can apply {channels}.",
        "online_unknown": "The catalogue does not say how to apply.",
        "or": " or ",
        "documents": "You need {n} documents, listed on the National Public Service Portal.",
        "documents_main": "You need {n} documents, listed on the National Public Service Portal.",
        "documents_none": "The catalogue does not list the documents.",
        "documents_rest": "",
        "list_sep": "; ",
        "code": "Procedure code: {code}.",
        "code_sms": "Press {nine} to get the procedure code and link by text message.",
        "menu": "Press {items}, {zero} for staff.",
        "menu_item": "{n} for {label}",
        "menu_sep": ", ",
        "documents_label": "documents",
        "fee_label": "fees",
        "duration_label": "time",
        "where_label": "where",
        "online_label": "online",
        "name": "{name}.",
    },
    "fr": {
        "free": "gratuit",
        "fee": "Frais : {fee}.",
        "fee_range": "de {low} à {high}, selon le cas",
        "fee_free_note": "gratuit selon le catalogue, avec des frais dans certains cas",
        "fee_other": "fixés par la réglementation ; le montant est sur le Portail national des services publics",
        "fee_none": "Le catalogue n'indique pas de frais.",
        "fee_free": "Cette démarche est gratuite.",
        "time_and_free": "Délai {time}, sans frais.",
        "time": "Délai : {time}.",
        "time_and_fee": "Délai {time}, frais {fee}.",
        "time_none": "Le catalogue n'indique pas de délai.",
        "time_no_unit": "{n}, unité non précisée",
        "time_range": "de {low} à {high}",
        "time_text": "indiqué en vietnamien seulement, voir le Portail national des services publics",
        "per": "",
        "pair": "{channel} : {value}",
        "pair_sep": " ; ",
        "in_person": "sur place",
        "online": "en ligne",
        "post": "par courrier",
        "where": "Où déposer : le bureau indiqué dans le catalogue, en vietnamien : {agency}.",
        "ask_place": "Dites-moi votre commune ou votre quartier et je vous indiquerai le guichet le plus proche.",
        "where_none": "Le catalogue n'indique pas le bureau.",
        "address": "",
        "centre": "Le centre le plus proche : {name}, {address}.",
        "centre_phone": "Téléphone : {phone}.",
        "online_yes": "Vous pouvez faire la démarche en ligne sur le Portail national des services publics.",
        "online_no": "Cette démarche ne se fait pas en ligne ; vous pouvez la faire {channels}.",
        "online_unknown": "Le catalogue n'indique pas comment déposer le dossier.",
        "or": " ou ",
        "documents": "Il faut {n} pièces, listées sur le Portail national des services publics.",
        "documents_main": "Il faut {n} pièces, listées sur le Portail national des services publics.",
        "documents_none": "Le catalogue ne liste pas les pièces.",
        "documents_rest": "",
        "list_sep": " ; ",
        "code": "Code de la démarche : {code}.",
        "code_sms": "Appuyez sur {nine} pour recevoir le code et le lien par SMS.",
        "menu": "Appuyez sur {items}, {zero} pour un agent.",
        "menu_item": "{n} pour {label}",
        "menu_sep": ", ",
        "documents_label": "les pièces",
        "fee_label": "les frais",
        "duration_label": "le délai",
        "where_label": "le lieu",
        "online_label": "en ligne",
        "name": "{name}.",
    },
    "es": {
        "free": "gratuito",
        "fee": "Tasa: {fee}.",
        "fee_range": "de {low} a {high}, según el caso",
        "fee_free_note": "gratuito según el catálogo, con tasas en algunos casos",
        "fee_other": "fijada por la normativa; el importe está en el Portal Nacional de Servicios Públicos",
        "fee_none": "El catálogo no indica tasa.",
        "fee_free": "Este trámite es gratuito.",
        "time_and_free": "Plazo {time}, sin tasa.",
        "time": "Plazo: {time}.",
        "time_and_fee": "Plazo {time}, tasa {fee}.",
        "time_none": "El catálogo no indica plazo.",
        "time_no_unit": "{n}, sin unidad en el catálogo",
        "time_range": "de {low} a {high}",
        "time_text": "indicado solo en vietnamita, véase el Portal Nacional de Servicios Públicos",
        "per": "",
        "pair": "{channel}: {value}",
        "pair_sep": "; ",
        "in_person": "en persona",
        "online": "en línea",
        "post": "por correo",
        "where": "Dónde presentarlo: la oficina indicada en el catálogo, en vietnamita: {agency}.",
        "ask_place": "Dígame su comuna o barrio y le indicaré la oficina más cercana.",
        "where_none": "El catálogo no indica la oficina.",
        "address": "",
        "centre": "El centro más cercano: {name}, {address}.",
        "centre_phone": "Teléfono: {phone}.",
        "online_yes": "Puede hacerlo en línea en el Portal Nacional de Servicios Públicos.",
        "online_no": "Este trámite no se hace en línea; puede hacerlo {channels}.",
        "online_unknown": "El catálogo no indica cómo presentarlo.",
        "or": " o ",
        "documents": "Necesita {n} documentos, listados en el Portal Nacional de Servicios Públicos.",
        "documents_main": "Necesita {n} documentos, listados en el Portal Nacional de Servicios Públicos.",
        "documents_none": "El catálogo no lista los documentos.",
        "documents_rest": "",
        "list_sep": "; ",
        "code": "Código del trámite: {code}.",
        "code_sms": "Pulse {nine} para recibir el código y el enlace por SMS.",
        "menu": "Pulse {items}, {zero} para un agente.",
        "menu_item": "{n} para {label}",
        "menu_sep": ", ",
        "documents_label": "documentos",
        "fee_label": "tasas",
        "duration_label": "plazo",
        "where_label": "dónde",
        "online_label": "en línea",
        "name": "{name}.",
    },
    "zh": {
        "free": "免费",
        "fee": "费用：{fee}。",
        "fee_range": "{low}至{high}，视情况而定",
        "fee_free_note": "目录标为免费，但部分情况需要收费",
        "fee_other": "按规定收取，具体金额见国家公共服务门户网站",
        "fee_none": "目录中未注明费用。",
        "fee_free": "该手续免费。",
        "time_and_free": "办理时限{time}，免费。",
        "time": "办理时限：{time}。",
        "time_and_fee": "办理时限{time}，费用{fee}。",
        "time_none": "目录中未注明办理时限。",
        "time_no_unit": "{n}，目录未注明单位",
        "time_range": "{low}至{high}",
        "time_text": "仅有越南语说明，请见国家公共服务门户网站",
        "per": "",
        "pair": "{channel}：{value}",
        "pair_sep": "；",
        "in_person": "现场办理",
        "online": "网上办理",
        "post": "邮寄办理",
        "where": "办理地点：目录中的越南语名称为 {agency}。",
        "ask_place": "请告诉我您所在的乡或坊，我会告诉您最近的办理地点。",
        "where_none": "目录中未注明受理机关。",
        "address": "",
        "centre": "离您最近的中心：{name}，地址：{address}。",
        "centre_phone": "电话：{phone}。",
        "online_yes": "该手续可以在国家公共服务门户网站上在线办理。",
        "online_no": "该手续不能在线办理，您可以{channels}。",
        "online_unknown": "目录中未注明办理方式。",
        "or": "或",
        "documents": "需要{n}份材料，清单见国家公共服务门户网站。",
        "documents_main": "需要{n}份材料，清单见国家公共服务门户网站。",
        "documents_none": "目录中未列出所需材料。",
        "documents_rest": "",
        "list_sep": "；",
        "code": "手续编号：{code}。",
        "code_sms": "按{nine}可通过短信接收手续编号和链接。",
        "menu": "{items}，转人工请按{zero}。",
        "menu_item": "{label}请按{n}",
        "menu_sep": "，",
        "documents_label": "材料",
        "fee_label": "费用",
        "duration_label": "时限",
        "where_label": "地点",
        "online_label": "网上办理",
        "name": "{name}。",
    },
    "ko": {
        "free": "무료",
        "fee": "수수료: {fee}.",
        "fee_range": "{low}부터 {high}까지, 경우에 따라 다름",
        "fee_free_note": "목록에는 무료로 되어 있으나 일부 경우 수수료가 있음",
        "fee_other": "규정에 따름, 금액은 국가 공공서비스 포털에 있음",
        "fee_none": "목록에 수수료가 나와 있지 않습니다.",
        "fee_free": "이 절차는 무료입니다.",
        "time_and_free": "처리 기간 {time}, 수수료 없음.",
        "time": "처리 기간: {time}.",
        "time_and_fee": "처리 기간 {time}, 수수료 {fee}.",
        "time_none": "목록에 처리 기간이 나와 있지 않습니다.",
        "time_no_unit": "{n}, 단위 표시 없음",
        "time_range": "{low}부터 {high}까지",
        "time_text": "베트남어로만 안내되어 있으니 국가 공공서비스 포털을 참고하세요",
        "per": "",
        "pair": "{channel}: {value}",
        "pair_sep": "; ",
        "in_person": "방문 신청",
        "online": "온라인 신청",
        "post": "우편 신청",
        "where": "신청 기관: 목록의 베트남어 이름은 {agency}입니다.",
        "ask_place": "거주하시는 사나 방을 말씀해 주시면 가장 가까운 창구를 알려 드리겠습니다.",
        "where_none": "목록에 접수 기관이 나와 있지 않습니다.",
        "address": "",
        "centre": "가장 가까운 센터: {name}, 주소 {address}.",
        "centre_phone": "전화: {phone}.",
        "online_yes": "이 절차는 국가 공공서비스 포털에서 온라인으로 신청할 수 있습니다.",
        "online_no": "이 절차는 온라인 신청이 안 됩니다. {channels} 가능합니다.",
        "online_unknown": "목록에 신청 방법이 나와 있지 않습니다.",
        "or": " 또는 ",
        "documents": "서류 {n}종이 필요하며, 목록은 국가 공공서비스 포털에 있습니다.",
        "documents_main": "서류 {n}종이 필요하며, 목록은 국가 공공서비스 포털에 있습니다.",
        "documents_none": "목록에 필요 서류가 나와 있지 않습니다.",
        "documents_rest": "",
        "list_sep": "; ",
        "code": "절차 번호: {code}.",
        "code_sms": "절차 번호와 링크를 문자로 받으시려면 {nine}번을 누르세요.",
        "menu": "{items}, 상담원 {zero}번을 누르세요.",
        "menu_item": "{label} {n}번",
        "menu_sep": ", ",
        "documents_label": "서류",
        "fee_label": "수수료",
        "duration_label": "처리 기간",
        "where_label": "신청 장소",
        "online_label": "온라인 신청",
        "name": "{name}.",
    },
    "ja": {
        "free": "無料",
        "fee": "手数料：{fee}。",
        "fee_range": "{low}から{high}まで、場合により異なります",
        "fee_free_note": "一覧では無料ですが、場合により手数料がかかります",
        "fee_other": "規定によります。金額は国家公共サービスポータルに掲載されています",
        "fee_none": "一覧に手数料の記載はありません。",
        "fee_free": "この手続きは無料です。",
        "time_and_free": "処理期間は{time}、手数料は無料です。",
        "time": "処理期間：{time}。",
        "time_and_fee": "処理期間は{time}、手数料は{fee}です。",
        "time_none": "一覧に処理期間の記載はありません。",
        "time_no_unit": "{n}、単位の記載なし",
        "time_range": "{low}から{high}",
        "time_text": "ベトナム語のみの記載です。国家公共サービスポータルをご覧ください",
        "per": "",
        "pair": "{channel}：{value}",
        "pair_sep": "、",
        "in_person": "窓口申請",
        "online": "オンライン申請",
        "post": "郵送申請",
        "where": "申請先：一覧のベトナム語名は {agency} です。",
        "ask_place": "お住まいの社または坊を教えていただければ、最寄りの窓口をご案内します。",
        "where_none": "一覧に受付機関の記載はありません。",
        "address": "",
        "centre": "最寄りのセンター：{name}、住所：{address}。",
        "centre_phone": "電話：{phone}。",
        "online_yes": "この手続きは国家公共サービスポータルでオンライン申請できます。",
        "online_no": "この手続きはオンライン申請できません。{channels}ができます。",
        "online_unknown": "一覧に申請方法の記載はありません。",
        "or": "または",
        "documents": "必要書類は{n}点で、一覧は国家公共サービスポータルにあります。",
        "documents_main": "必要書類は{n}点で、一覧は国家公共サービスポータルにあります。",
        "documents_none": "一覧に必要書類の記載はありません。",
        "documents_rest": "",
        "list_sep": "、",
        "code": "手続番号：{code}。",
        "code_sms": "手続番号とリンクをSMSで受け取るには{nine}を押してください。",
        "menu": "{items}、担当者は{zero}を押してください。",
        "menu_item": "{label}は{n}",
        "menu_sep": "、",
        "documents_label": "書類",
        "fee_label": "手数料",
        "duration_label": "期間",
        "where_label": "窓口",
        "online_label": "オンライン",
        "name": "{name}。",
    },
}
_FOREIGN_CURRENCY = {
    "USD": {
        "vi": "đô la Mỹ",
        "en": "US dollars",
        "fr": "dollars américains",
        "es": "dólares estadounidenses",
        "zh": "美元",
        "ko": "미국 달러",
        "ja": "米ドル",
    },
    "EUR": {
        "vi": "ơ rô",
        "en": "euros",
        "fr": "euros",
        "es": "euros",
        "zh": "欧元",
        "ko": "유로",
        "ja": "ユーロ",
    },
}


def _t(lang: str, key: str, **values: Any) -> str:
    table = _TEXTS.get(lang, _TEXTS["en"])
    return table[key].format(**values) if values else table[key]


# == catalogue text for the ear ==================================================================

_PARENS = re.compile(r"\s*(?:\([^()]*\)|（[^（）]*）|\[[^\[\]]*\])")
_OPEN_PAREN = re.compile(r"\s*[(（\[].*$")
_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_PORTAL = "trên Cổng dịch vụ công quốc gia"
_SPACES = re.compile(r"\s+")
_BULLET = re.compile(r"^\s*(?:[-–+*•]+\s*|(?:\d{1,2}|[a-zđ])[.)]\s+)", re.IGNORECASE)


def speak_vietnamese(text: str, max_words: int = 0) -> str:
    """Catalogue text as a Vietnamese voice should say it: no bracketed notes (an unclosed
    one is cut with the rest), no links ("trên Cổng dịch vụ công quốc gia"), no list
    markers or quotes, numbers and abbreviations in words; at most ``max_words`` words,
    cut at a clause when one ends near."""
    text = unicodedata.normalize("NFC", text or "")
    text = _URL.sub(_PORTAL, text)
    previous = None
    while previous != text:
        previous, text = text, _PARENS.sub("", text)
    text = _OPEN_PAREN.sub("", text)
    text = _BULLET.sub("", text)
    text = re.sub(r"[“”„\"*]", "", text)
    text = _SPACES.sub(" ", text).strip(" ,;:.-–")
    text = verbalize(text, "vi")
    text = re.sub(r"[()（）\[\]]", "", text)
    if max_words:
        text = _cut(text, max_words)
    return text.strip(" ,;:.-–")


_DANGLING = frozenset("là của được khi và hoặc để cho với theo tại về trong từ các những có đã do".split())


def _cut(text: str, max_words: int) -> str:
    """At most ``max_words`` words: at a clause end when one is past a third, else at a
    word, never ending on a word that announces more ("của", "là", "được")."""
    words = text.split()
    if len(words) <= max_words:
        return text
    window = " ".join(words[:max_words])
    for mark in (";", ":", ","):
        at = window.rfind(mark)
        if at > len(window) // 3:
            return window[:at]
    kept = window.split()
    while len(kept) > 3 and kept[-1].casefold() in _DANGLING:
        kept.pop()
    return " ".join(kept)


# == fees and time limits ==========================================================================

_FEE_LABEL = re.compile(r"^\s*(?:Lệ phí|Phí)\s*:\s*", re.IGNORECASE)
_AMOUNT = re.compile(
    r"(\d{1,3}(?:[.,]\d{3})+|\d+)\s*(Việt Nam Đồng|VNĐ|VND|vnđ|Đồng|đồng|USD|EUR|đ\b|Đ\b)", re.IGNORECASE
)
_FREE_WORDS = ("miễn phí", "không đồng", "không thu", "miễn lệ phí")
_PER_UNIT = re.compile(
    r"(\d{1,3}(?:[.,]\d{3})+|\d+)\s*(?:đồng|đ|vnđ|VNĐ|Đồng)\s*/\s*(?:1\s+|01\s+)?([^\d\s.;,()/:][^\d.;,()/:]{0,40})"
)
_TIME_RE = re.compile(
    r"^(\d+(?:[.,]\d+)?)(?:\s*[-–]\s*(\d+(?:[.,]\d+)?))?\s*(ngày làm việc|ngày|giờ|tháng|năm)?\.?$"
)
_TIME_UNITS = {"ngày làm việc": "working_day", "ngày": "day", "giờ": "hour", "tháng": "month", "năm": "year"}


def _number(text: str) -> int:
    return int(re.sub(r"[.,]", "", text))


def _per_unit(fee: str, vnd: int) -> str:
    """ "70.000 đồng/thẻ căn cước" → "thẻ căn cước": what the published amount is per."""
    for match in _PER_UNIT.finditer(fee):
        if _number(match.group(1)) not in (vnd, vnd // 1000):
            continue
        unit = match.group(2).strip(" -–")
        words = unit.split()
        if 0 < len(words) <= 4 and all(w.isalpha() for w in words):
            return unit.lower()
    return ""


def fee_words(ch: SubmissionChannel, lang: str) -> str | None:
    """The channel's fee as said aloud, or None when the catalogue states none.

    The parsed amount (``fee_vnd``) first, with what it is per in Vietnamese; otherwise the
    amounts the published headlines state (several: a range "tùy trường hợp"); a "free"
    headline whose note names charges is said to be so; never a number the catalogue does
    not state."""
    text = unicodedata.normalize("NFC", ch.fee or "").strip()
    if ch.fee_vnd == 0:
        return _t(lang, "free")
    if ch.fee_vnd is not None and ch.fee_vnd > 0:
        per = _per_unit(text, ch.fee_vnd) if lang == "vi" else ""
        return amount_words(ch.fee_vnd, lang) + (_t(lang, "per", unit=speak_vietnamese(per)) if per else "")
    if not text or text.casefold().startswith("không có thông tin"):
        return None
    # One headline a case ("Phí : 2.000.000 Đồng (case) Phí : 3.500.000 Đồng (case)"), each
    # without its note.
    pieces = [p for line in text.splitlines() for p in re.split(r"(?=\b(?:Lệ phí|Phí)\s*:)", line)]
    heads = [h for p in pieces if (h := _FEE_LABEL.sub("", p).partition("(")[0].strip())]
    amounts: set[int] = set()
    foreign: list[str] = []
    for head in heads:
        for match in _AMOUNT.finditer(head):
            value, unit = _number(match.group(1)), match.group(2).upper()
            if unit in _FOREIGN_CURRENCY:
                foreign.append(f"{number_words(value, lang)} {_FOREIGN_CURRENCY[unit][lang]}")
            elif value >= 1000:  # smaller headlines are the portal's thousands, unconfirmed
                amounts.add(value)
    if foreign:
        return _t(lang, "or").join(dict.fromkeys(foreign))
    if len(amounts) == 1:
        return amount_words(amounts.pop(), lang)
    if len(amounts) > 1:
        return _t(
            lang, "fee_range", low=amount_words(min(amounts), lang), high=amount_words(max(amounts), lang)
        )
    folded = " ".join(heads).casefold()
    if any(word in folded for word in _FREE_WORDS) or re.search(r"\b0\s*đồng", folded):
        return _t(lang, "fee_free_note")
    return _t(lang, "fee_other")


def time_words(ch: SubmissionChannel, lang: str) -> str | None:
    """The channel's time limit as said aloud, or None when the catalogue states none."""
    text = _SPACES.sub(" ", unicodedata.normalize("NFC", ch.time_limit or "")).strip()
    match = _TIME_RE.match(text.casefold())
    if match:
        low, high, unit = match.group(1), match.group(2), match.group(3)
        values = [float(v.replace(",", ".")) for v in (low, high) if v]
        if values[0] == 0 and len(values) == 1:
            return None
        if unit is None:
            said = [decimal_words(v, lang) for v in values]
            n = said[0] if len(said) == 1 else _t(lang, "time_range", low=said[0], high=said[1])
            return _t(lang, "time_no_unit", n=n)
        kind = _TIME_UNITS[unit]
        if len(values) == 2:
            low_words = decimal_words(values[0], lang)
            return _t(lang, "time_range", low=low_words, high=duration_words(values[1], kind, lang))
        return duration_words(values[0], kind, lang)
    if text and text.casefold() not in ("không có thông tin",):
        if lang == "vi":
            return speak_vietnamese(text, max_words=25)
        return _t(lang, "time_text")
    if ch.time_days:
        return duration_words(ch.time_days, "working_day" if ch.working_days else "day", lang)
    return None


def _per_channel(proc: Procedure, lang: str, said: Sequence[str | None]) -> str | None:
    """One value when every channel has the same; else "nộp trực tiếp: …; trực tuyến: …"."""
    pairs = [(ch, v) for ch, v in zip(proc.channels, said, strict=True) if v]
    if not pairs:
        return None
    values = list(dict.fromkeys(v for _, v in pairs))
    if len(values) == 1:
        return values[0]
    seen: dict[str, str] = {}
    for ch, value in pairs:
        label = _t(lang, ch.kind) if ch.kind in ("in_person", "online", "post") else ch.kind
        seen.setdefault(label, value)
    return _t(lang, "pair_sep").join(_t(lang, "pair", channel=k, value=v) for k, v in seen.items())


# == documents, place ================================================================================


def _main_documents(documents: Sequence[Document]) -> list[Document]:
    """Documents everyone brings first, then those of particular cases; the portal's notes
    about the online form are not documents to bring."""
    docs = [d for d in documents if d.name and d.name.strip()]
    docs = [
        d
        for d in docs
        if not d.name.strip().casefold().startswith(("phiếu này là", "lưu ý", "ghi chú", "số lượng hồ sơ"))
    ]
    return [d for d in docs if not d.group] + [d for d in docs if d.group]


def _agency(proc: Procedure) -> str:
    agency = proc.implementing_agency or proc.competent_agency or ""
    agency = re.split(r"[;(]| hoặc | - ", agency, maxsplit=1)[0]
    return speak_vietnamese(agency, max_words=14)


# == the answer ======================================================================================


@dataclass(slots=True)
class Spoken:
    """What the phone says about a procedure: the answer's sentences, then the menu."""

    lang: str
    sentences: list[str] = field(default_factory=list)
    menu: str = ""
    seconds: float = 0.0

    @property
    def answer(self) -> str:
        return " ".join(self.sentences)

    @property
    def text(self) -> str:
        return " ".join([*self.sentences, self.menu]).strip()


def _menu(lang: str, current: str) -> str:
    # Digits in words too: the whole turn is words, whatever the voice does with numerals.
    items = [
        _t(lang, "menu_item", n=number_words(int(digit), lang), label=_t(lang, f"{aspect}_label"))
        for digit, aspect in MENU_ASPECTS.items()
        if aspect != current
    ]
    return _t(lang, "menu", items=_t(lang, "menu_sep").join(items), zero=number_words(0, lang))


def _name(proc: Procedure, lang: str) -> str:
    if lang == "vi":
        return speak_vietnamese(proc.name, max_words=16)
    # Another language has no official name: the first clause of the description in it.
    head = (proc.descriptions or {}).get(lang, "")
    return _cut(re.split(r"[.:;(,]", head, maxsplit=1)[0].strip(), 10) if head else ""


def render_procedure(
    proc: Procedure,
    aspect: str,
    lang: str,
    *,
    sms: bool = False,
    centre: Any = None,
    rates: Mapping[str, float] | None = None,
    max_seconds: float = 20.0,
    menu: bool = True,
    question: str = "",
) -> Spoken:
    """The spoken answer about ``proc`` for ``aspect`` (one of ``ASPECTS``), within
    ``max_seconds`` of speech (menu included) at the language's rate.

    Sentences come in order of importance for the aspect; the least important are left out
    until the whole fits (the first is always kept, shortened when it alone is too long).
    The code is read in groups, or offered by SMS (digit 9) when the phone can send one.
    ``centre`` (name, address, phone) is the office the assistant found for the caller;
    ``question`` what the assistant asks back (the commune, to name the office)."""
    if aspect not in ASPECTS:
        raise ValueError(f"unknown aspect {aspect!r}; expected one of {ASPECTS}")
    if lang not in _TEXTS:
        lang = "en"
    fee = _per_channel(proc, lang, [fee_words(ch, lang) for ch in proc.channels])
    time = _per_channel(proc, lang, [time_words(ch, lang) for ch in proc.channels])
    code = (
        _t(lang, "code_sms", nine=number_words(9, lang))
        if sms
        else _t(lang, "code", code=code_words(proc.code, lang))
    )
    name = _name(proc, lang)
    title = _t(lang, "name", name=name) if name else ""

    where = _where(proc, lang, centre)
    online = _online(proc, lang)
    main: list[str]  # the aspect asked, in the order it is said
    extra: list[str]  # what else helps, most useful first
    free = fee == _t(lang, "free")
    if aspect == "fee":
        said_fee = _t(lang, "fee_free") if free else _t(lang, "fee", fee=fee) if fee else _t(lang, "fee_none")
        main, extra = [said_fee], [title]
    elif aspect == "duration":
        main, extra = [_t(lang, "time", time=time) if time else _t(lang, "time_none")], [title]
    elif aspect == "documents":
        main, extra = _documents(proc, lang), [title]
    elif aspect == "where":
        main, extra = [*where[:1], question, *where[1:]], [title]
    elif aspect == "online":
        main, extra = [online], [title]
    else:
        # One sentence for a plain time and fee; a time with a caveat gets its own.
        if fee and time and not re.search(r"[;；,，、]", fee + time):
            facts = _t(lang, "time_and_free" if free else "time_and_fee", time=time, fee=fee)
        else:
            facts = " ".join(
                [
                    _t(lang, "time", time=time) if time else _t(lang, "time_none"),
                    _t(lang, "fee_free")
                    if free
                    else _t(lang, "fee", fee=fee)
                    if fee
                    else _t(lang, "fee_none"),
                ]
            )
        main, extra = ([title, facts] if lang == "vi" else [facts]), [where[0], online]
    # Said in this order: the answer, the name (a reminder), the code, the rest; kept in the
    # order of importance: the answer's first sentence and the code always, then the others.
    said = [s for s in [*main, *extra[:1], code, *extra[1:]] if s]
    first = [s for s in main if s][0]
    importance = [first, code, *[s for s in main if s and s != first], *[s for s in extra if s]]
    return _fit(said, importance, lang, _menu(lang, aspect) if menu else "", rates, max_seconds)


def _where(proc: Procedure, lang: str, centre: Any) -> list[str]:
    out: list[str] = []
    if centre is not None and getattr(centre, "name", None):
        address = getattr(centre, "address", "") or ""
        said_address = speak_vietnamese(address, max_words=20)
        out.append(_t(lang, "centre", name=speak_vietnamese(centre.name, max_words=14), address=said_address))
        phone = getattr(centre, "phone", "") or ""
        if phone and re.search(r"\d", phone):
            out.append(_t(lang, "centre_phone", phone=verbalize(phone, lang)))
    agency = _agency(proc)
    out.insert(0, _t(lang, "where", agency=agency) if agency else _t(lang, "where_none"))
    if lang == "vi" and proc.receiving_address and not out[1:]:
        out.append(_t(lang, "address", address=speak_vietnamese(proc.receiving_address, max_words=20)))
    return out


def _online(proc: Procedure, lang: str) -> str:
    if proc.online:
        return _t(lang, "online_yes")
    kinds = [ch.kind for ch in proc.channels if ch.kind in ("in_person", "post")]
    if kinds:
        return _t(lang, "online_no", channels=_t(lang, "or").join(_t(lang, k) for k in dict.fromkeys(kinds)))
    return _t(lang, "online_unknown")


_QUALIFIER = re.compile(r"\s(?:được|khi|để|trong trường hợp|theo|do|đối với|nếu)\s")


def _document_name(name: str) -> str:
    """What a document is, without the clauses that say when or how ("Phiếu CC01 được tạo
    lập khi …" → "Phiếu CC01")."""
    said = speak_vietnamese(name)
    match = _QUALIFIER.search(said)
    if match and len(said[: match.start()].split()) >= 2:
        said = said[: match.start()]
    return _cut(said, 16).strip(" ,;:")


def _documents(proc: Procedure, lang: str) -> list[str]:
    docs = _main_documents(proc.documents)
    if not docs:
        return [_t(lang, "documents_none")]
    n = number_words(len(docs), lang)
    if lang != "vi":
        return [_t(lang, "documents", n=n)]
    names = list(dict.fromkeys(s for d in docs[:3] if (s := _document_name(d.name))))
    key = "documents" if len(docs) <= len(names) else "documents_main"
    first = _t(lang, key, n=n, list=_t(lang, "list_sep").join(names))
    rest = _t(lang, "documents_rest") if len(docs) > len(names) else ""
    return [first, rest]


def _fit(
    said: list[str],
    importance: list[str],
    lang: str,
    menu: str,
    rates: Mapping[str, float] | None,
    max_seconds: float,
) -> Spoken:
    """The two most important sentences, then each other one that still fits, in the
    order they are said; a first sentence too long is cut to leave room for the code."""

    def cost(kept: list[str]) -> float:
        return estimate_seconds(" ".join([*kept, menu]), lang, rates)

    def in_order(kept: set[str]) -> list[str]:
        return [s for s in said if s in kept]

    kept = set(importance[:2])
    if cost(in_order(kept)) > max_seconds:
        rest = cost([s for s in in_order(kept) if s != importance[0]])
        shorter = _squeeze(importance[0], lang, rates, max_seconds - rest)
        said = [shorter if s == importance[0] else s for s in said]
        kept = {shorter if s == importance[0] else s for s in kept}
    for sentence in importance[2:]:
        if cost(in_order(kept | {sentence})) <= max_seconds:
            kept.add(sentence)
    spoken = Spoken(lang, in_order(kept), menu)
    spoken.seconds = cost(spoken.sentences)
    return spoken


def _squeeze(sentence: str, lang: str, rates: Mapping[str, float] | None, budget: float) -> str:
    """A first sentence too long alone, cut at a clause (else a word, or a character in
    Chinese and Japanese) to fit ``budget`` seconds."""
    cjk = lang in ("zh", "ja")
    stop = "。" if cjk else "."
    units: list[str] = list(sentence) if cjk else sentence.split()
    joiner = "" if cjk else " "
    while len(units) > 6 and estimate_seconds(joiner.join(units) + stop, lang, rates) > budget:
        cut = joiner.join(units[:-1])
        at = max(cut.rfind(m) for m in (";", ",", "，", "、", "；"))
        if at > len(cut) // 2:
            cut = cut[:at]
        units = list(cut) if cjk else cut.split()
    return joiner.join(units).rstrip(" ,;:，、；：。.") + stop
