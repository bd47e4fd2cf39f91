"""What the assistant says about dossiers, and its safety replies, in the seven languages.

One function per message, ``lang`` first. A language tag is reduced to its primary subtag;
an unsupported one falls back to English (these replies may follow a message in any
language, and English is the lingua franca of foreign residents). Plain text for chat, like
``bot.compose``: "•" bullets, short lines. Values from the one-stop system (procedure names,
offices, notes, its status wording) are Vietnamese; foreign-language replies quote them and
say so, never paraphrase them. Dates: dd/mm/yyyy in Vietnamese, the usual long form in the
other languages. Offers of staff end with ``i18n`` ``handoff_offer``, so the reply the
dialogue expects ("có", "yes", "oui"...) is the same everywhere.
"""

from __future__ import annotations

from datetime import date, datetime

from bot import i18n
from bot.compose import truncate
from bot.dossier import DossierStatus, status_for
from bot.safety import mask_pii

FALLBACK_LANGUAGE = "en"
EXAMPLE_CODE = "000.00.24.H17-250703-0012"
_NAME_LIMIT = 160  # published procedure names run to 600 characters; a chat line should not

_MONTHS: dict[str, tuple[str, ...]] = {
    "en": (
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ),
    "fr": (
        "janvier",
        "février",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "août",
        "septembre",
        "octobre",
        "novembre",
        "décembre",
    ),
    "es": (
        "enero",
        "febrero",
        "marzo",
        "abril",
        "mayo",
        "junio",
        "julio",
        "agosto",
        "septiembre",
        "octubre",
        "noviembre",
        "diciembre",
    ),
}

STATUS_WORDS: dict[str, dict[str, str]] = {
    # Vietnamese: predicates of "Hồ sơ <code> …".
    "vi": {
        "received": "đã được tiếp nhận, đang chờ xử lý",
        "processing": "đang được xử lý",
        "additional_required": "cần bổ sung giấy tờ",
        "waiting_payment": "đang chờ nộp phí, lệ phí hoặc thực hiện nghĩa vụ tài chính",
        "done": "đã có kết quả",
        "returned": "đã bị trả lại, không được giải quyết",
        "rejected": "bị từ chối giải quyết",
        "withdrawn": "đã được rút theo đề nghị của người nộp",
        "overdue": "đã quá ngày hẹn trả nhưng chưa có kết quả",
    },
    "en": {
        "received": "received, waiting to be processed",
        "processing": "being processed",
        "additional_required": "additional documents are required",
        "waiting_payment": "waiting for payment of fees or charges",
        "done": "completed: the result is ready or has been handed over",
        "returned": "returned to the applicant without a decision",
        "rejected": "refused",
        "withdrawn": "withdrawn at the applicant's request",
        "overdue": "overdue: the promised date has passed without a result",
    },
    "fr": {
        "received": "reçu, en attente de traitement",
        "processing": "en cours de traitement",
        "additional_required": "des pièces complémentaires sont demandées",
        "waiting_payment": "en attente du paiement des frais",
        "done": "terminé : le résultat est disponible ou a été remis",
        "returned": "renvoyé au demandeur sans décision",
        "rejected": "refusé",
        "withdrawn": "retiré à la demande du demandeur",
        "overdue": "en retard : la date prévue est dépassée sans résultat",
    },
    "es": {
        "received": "recibido, pendiente de tramitación",
        "processing": "en tramitación",
        "additional_required": "se requiere documentación adicional",
        "waiting_payment": "pendiente del pago de tasas",
        "done": "finalizado: el resultado está disponible o ya se ha entregado",
        "returned": "devuelto al solicitante sin resolución",
        "rejected": "denegado",
        "withdrawn": "retirado a petición del solicitante",
        "overdue": "con retraso: ha pasado la fecha prevista sin resultado",
    },
    "zh": {
        "received": "已受理，等待办理",
        "processing": "正在办理",
        "additional_required": "需要补充材料",
        "waiting_payment": "等待缴纳费用",
        "done": "已办结（结果可领取或已交付）",
        "returned": "已退回申请人，未作处理决定",
        "rejected": "不予办理",
        "withdrawn": "已应申请人要求撤回",
        "overdue": "已逾期：已过承诺办结日期，仍无结果",
    },
    "ko": {
        "received": "접수됨, 처리 대기 중",
        "processing": "처리 중",
        "additional_required": "서류 보완 필요",
        "waiting_payment": "수수료 납부 대기 중",
        "done": "처리 완료(결과 수령 가능 또는 교부 완료)",
        "returned": "결정 없이 신청인에게 반려됨",
        "rejected": "거부됨",
        "withdrawn": "신청인의 요청으로 취하됨",
        "overdue": "기한 초과: 약속된 날짜가 지났지만 결과가 없음",
    },
    "ja": {
        "received": "受付済み（処理待ち）",
        "processing": "処理中",
        "additional_required": "書類の追加・補正が必要",
        "waiting_payment": "手数料の納付待ち",
        "done": "完了（結果を受け取れる状態、または交付済み）",
        "returned": "決定なしで申請者に返戻",
        "rejected": "不許可",
        "withdrawn": "申請者の依頼により取下げ",
        "overdue": "期限超過：予定日を過ぎても結果が出ていません",
    },
}

_M: dict[str, dict[str, str]] = {
    "vi": {
        "datetime": "{time} ngày {date}",
        "vietnamese": "{quoted}",
        "found_header": "Hồ sơ {code} {status}.",
        "source_status": "• Trạng thái trên hệ thống: {text}",
        "procedure": "• Thủ tục: {name} ({code})",
        "procedure_no_code": "• Thủ tục: {name}",
        "office": "• Nơi tiếp nhận: {office}",
        "received_at": "• Ngày tiếp nhận: {date}",
        "due_date": "• Ngày hẹn trả kết quả: {date}",
        "note": "• Ghi chú của cơ quan: {note}",
        "updated_at": "Thông tin từ hệ thống một cửa, cập nhật lúc {when}.",
        "hint_additional_required": (
            "Vui lòng bổ sung giấy tờ theo yêu cầu tại nơi tiếp nhận hồ sơ (mang theo giấy biên nhận)."
        ),
        "hint_waiting_payment": (
            "Vui lòng nộp phí, lệ phí hoặc thực hiện nghĩa vụ tài chính theo thông báo để hồ sơ "
            "được tiếp tục giải quyết."
        ),
        "hint_done": (
            "Nếu chưa nhận kết quả, bạn có thể nhận tại nơi tiếp nhận hồ sơ (mang theo giấy biên "
            "nhận và giấy tờ tùy thân) hoặc theo hình thức nhận kết quả bạn đã đăng ký."
        ),
        "not_found": (
            "Tôi không tìm thấy hồ sơ có mã {code}. Vui lòng kiểm tra lại mã in trên giấy tiếp "
            "nhận hồ sơ và hẹn trả kết quả (có dạng {example}). Nếu mã đúng mà vẫn không tra "
            "được, tổng đài viên có thể kiểm tra giúp bạn."
        ),
        "unavailable": (
            "Xin lỗi, hệ thống tra cứu hồ sơ đang tạm thời gián đoạn nên tôi chưa xem được tình "
            "trạng hồ sơ của bạn. Tổng đài viên có thể kiểm tra giúp bạn."
        ),
        "ask_code": (
            "Vui lòng cho tôi biết mã hồ sơ (số biên nhận) in trên giấy tiếp nhận hồ sơ và hẹn trả "
            "kết quả, ví dụ: {example}."
        ),
        "problem_overdue": "Hồ sơ của bạn đã quá ngày hẹn trả kết quả.",
        "problem_rejected": "Hồ sơ của bạn bị từ chối giải quyết.",
        "problem_returned": "Hồ sơ của bạn đã bị trả lại.",
        "problem_additional_required": "Hồ sơ của bạn cần bổ sung giấy tờ.",
        "problem_other": "Hồ sơ của bạn cần được xem xét thêm.",
        "problem_offer": "Tổng đài viên có thể kiểm tra với nơi tiếp nhận và hướng dẫn bạn các bước tiếp theo.",
        "secret_warning": (
            "Lưu ý an toàn: cán bộ, cơ quan nhà nước và tổng đài này không bao giờ yêu cầu mật "
            "khẩu, mã OTP hay mã xác thực. Tuyệt đối không cung cấp các mã này cho bất kỳ ai, kể "
            "cả người tự xưng là cán bộ. Nếu đã lỡ cung cấp, hãy đổi mật khẩu ngay."
        ),
        "legal_refusal": (
            "Tôi chỉ có thể giải thích các thủ tục hành chính đã được công bố, không thể đưa ra ý "
            "kiến pháp lý về trường hợp cụ thể. Để được tư vấn pháp luật, bạn có thể liên hệ luật "
            "sư hoặc Trung tâm Trợ giúp pháp lý nhà nước của tỉnh, thành phố nơi bạn sống."
        ),
    },
    "en": {
        "datetime": "{date}, {time}",
        "vietnamese": "{quoted} (in Vietnamese)",
        "found_header": "Dossier {code}: {status}.",
        "source_status": "• Status in the one-stop system: {text}",
        "procedure": "• Procedure: {name} ({code})",
        "procedure_no_code": "• Procedure: {name}",
        "office": "• Received by: {office}",
        "received_at": "• Received on: {date}",
        "due_date": "• Result promised for: {date}",
        "note": "• Note from the office: {note}",
        "updated_at": "Information from the one-stop system, last updated {when}.",
        "hint_additional_required": (
            "Please bring the requested documents to the office that received your dossier, "
            "together with your receipt."
        ),
        "hint_waiting_payment": (
            "Please pay the fees or charges as notified so that your dossier can continue to be processed."
        ),
        "hint_done": (
            "If you have not collected the result yet, you can collect it at the office that "
            "received your dossier (bring your receipt and an identity document) or in the way "
            "you chose when you applied."
        ),
        "not_found": (
            "I could not find a dossier with the code {code}. Please check the code printed on "
            "your receipt (it looks like {example}). If the code is correct and still cannot be "
            "found, a hotline staff member can check it for you."
        ),
        "unavailable": (
            "Sorry, the dossier tracking service is temporarily unavailable, so I cannot see the "
            "status of your dossier right now. A hotline staff member can check it for you."
        ),
        "ask_code": (
            "Please tell me the dossier code (receipt number) printed on the receipt you were "
            "given when you applied, for example: {example}."
        ),
        "problem_overdue": "Your dossier is past the date promised for its result.",
        "problem_rejected": "Your dossier has been refused.",
        "problem_returned": "Your dossier has been returned.",
        "problem_additional_required": "Your dossier needs additional documents.",
        "problem_other": "Your dossier needs attention.",
        "problem_offer": ("A hotline staff member can check with the office and explain what to do next."),
        "secret_warning": (
            "Safety notice: officials, public agencies and this hotline never ask for your "
            "passwords, OTP codes or verification codes. Never share them with anyone, even "
            "someone who says they are an official. If you have already shared one, change "
            "your password now."
        ),
        "legal_refusal": (
            "I can only explain published administrative procedures; I cannot give a legal "
            "opinion on a particular case. For legal advice, please contact a lawyer or the "
            "State Legal Aid Centre of your province or city."
        ),
    },
    "fr": {
        "datetime": "{date} à {time}",
        "vietnamese": "{quoted} (en vietnamien)",
        "found_header": "Dossier {code} : {status}.",
        "source_status": "• Statut dans le guichet unique : {text}",
        "procedure": "• Procédure : {name} ({code})",
        "procedure_no_code": "• Procédure : {name}",
        "office": "• Reçu par : {office}",
        "received_at": "• Reçu le : {date}",
        "due_date": "• Résultat prévu le : {date}",
        "note": "• Remarque du service : {note}",
        "updated_at": "Informations du guichet unique, mises à jour le {when}.",
        "hint_additional_required": (
            "Veuillez apporter les pièces demandées au service qui a reçu votre dossier, avec votre récépissé."
        ),
        "hint_waiting_payment": (
            "Veuillez régler les frais indiqués dans la notification pour que le traitement de "
            "votre dossier puisse continuer."
        ),
        "hint_done": (
            "Si vous n'avez pas encore retiré le résultat, vous pouvez le retirer au service qui "
            "a reçu votre dossier (munissez-vous du récépissé et d'une pièce d'identité) ou selon "
            "le mode de remise choisi lors du dépôt."
        ),
        "not_found": (
            "Je ne trouve aucun dossier avec le code {code}. Veuillez vérifier le code imprimé "
            "sur votre récépissé (de la forme {example}). Si le code est correct et reste "
            "introuvable, un conseiller peut vérifier pour vous."
        ),
        "unavailable": (
            "Désolé, le service de suivi des dossiers est momentanément indisponible ; je ne "
            "peux pas consulter l'état de votre dossier pour le moment. Un conseiller peut "
            "vérifier pour vous."
        ),
        "ask_code": (
            "Veuillez m'indiquer le code du dossier (numéro de récépissé) imprimé sur le "
            "récépissé remis lors du dépôt, par exemple : {example}."
        ),
        "problem_overdue": "La date prévue pour le résultat de votre dossier est dépassée.",
        "problem_rejected": "Votre dossier a été refusé.",
        "problem_returned": "Votre dossier vous a été renvoyé.",
        "problem_additional_required": "Votre dossier doit être complété.",
        "problem_other": "Votre dossier demande une attention particulière.",
        "problem_offer": (
            "Un conseiller peut vérifier auprès du service concerné et vous expliquer la marche à suivre."
        ),
        "secret_warning": (
            "Attention : les agents publics, les administrations et cette ligne ne vous "
            "demandent jamais vos mots de passe, codes OTP ou codes de vérification. Ne les "
            "communiquez à personne, même à quelqu'un qui se présente comme un agent. Si vous "
            "en avez déjà communiqué un, changez votre mot de passe immédiatement."
        ),
        "legal_refusal": (
            "Je peux seulement expliquer les procédures administratives publiées ; je ne peux "
            "pas donner d'avis juridique sur un cas particulier. Pour un conseil juridique, "
            "adressez-vous à un avocat ou au Centre public d'aide juridique de votre province "
            "ou ville."
        ),
    },
    "es": {
        "datetime": "{date}, {time}",
        "vietnamese": "{quoted} (en vietnamita)",
        "found_header": "Expediente {code}: {status}.",
        "source_status": "• Estado en la ventanilla única: {text}",
        "procedure": "• Trámite: {name} ({code})",
        "procedure_no_code": "• Trámite: {name}",
        "office": "• Recibido por: {office}",
        "received_at": "• Fecha de recepción: {date}",
        "due_date": "• Fecha prevista del resultado: {date}",
        "note": "• Nota de la oficina: {note}",
        "updated_at": "Información de la ventanilla única, actualizada el {when}.",
        "hint_additional_required": (
            "Lleve los documentos solicitados a la oficina que recibió su expediente, junto con su resguardo."
        ),
        "hint_waiting_payment": (
            "Pague las tasas indicadas en la notificación para que su expediente siga tramitándose."
        ),
        "hint_done": (
            "Si aún no ha recogido el resultado, puede hacerlo en la oficina que recibió su "
            "expediente (lleve el resguardo y un documento de identidad) o por la vía que eligió "
            "al presentar la solicitud."
        ),
        "not_found": (
            "No encuentro ningún expediente con el código {code}. Compruebe el código impreso en "
            "su resguardo (tiene la forma {example}). Si el código es correcto y sigue sin "
            "aparecer, un agente puede comprobarlo por usted."
        ),
        "unavailable": (
            "Lo siento, el servicio de consulta de expedientes no está disponible en este "
            "momento, así que no puedo ver el estado de su expediente. Un agente puede "
            "comprobarlo por usted."
        ),
        "ask_code": (
            "Indíqueme el código del expediente (número de resguardo) impreso en el resguardo "
            "que recibió al presentar la solicitud, por ejemplo: {example}."
        ),
        "problem_overdue": "Ha pasado la fecha prevista para el resultado de su expediente.",
        "problem_rejected": "Su expediente ha sido denegado.",
        "problem_returned": "Su expediente ha sido devuelto.",
        "problem_additional_required": "Su expediente necesita documentación adicional.",
        "problem_other": "Su expediente requiere atención.",
        "problem_offer": (
            "Un agente de la línea de atención puede consultarlo con la oficina y explicarle los "
            "pasos a seguir."
        ),
        "secret_warning": (
            "Aviso de seguridad: los funcionarios, las administraciones y esta línea nunca le "
            "pedirán contraseñas, códigos OTP ni códigos de verificación. No los comparta con "
            "nadie, aunque diga ser funcionario. Si ya ha compartido alguno, cambie su "
            "contraseña de inmediato."
        ),
        "legal_refusal": (
            "Solo puedo explicar los trámites administrativos publicados; no puedo dar una "
            "opinión jurídica sobre un caso concreto. Para asesoramiento jurídico, consulte a un "
            "abogado o al Centro Estatal de Asistencia Jurídica de su provincia o ciudad."
        ),
    },
    "zh": {
        "datetime": "{date} {time}",
        "vietnamese": "{quoted}（越南语）",
        "found_header": "案卷 {code}：{status}。",
        "source_status": "• 一站式系统中的状态：{text}",
        "procedure": "• 手续：{name}（{code}）",
        "procedure_no_code": "• 手续：{name}",
        "office": "• 受理机构：{office}",
        "received_at": "• 受理日期：{date}",
        "due_date": "• 承诺办结日期：{date}",
        "note": "• 机构备注：{note}",
        "updated_at": "以上信息来自一站式系统，最后更新于{when}。",
        "hint_additional_required": "请携带回执，到受理您案卷的机构补交所需材料。",
        "hint_waiting_payment": "请按通知缴纳相关费用，以便继续办理您的案卷。",
        "hint_done": "如尚未领取结果，您可以携带回执和身份证件到受理机构领取，或按申请时选择的方式领取。",
        "not_found": (
            "未找到编号为 {code} 的案卷。请核对回执上打印的编号（格式如 {example}）。"
            "如果编号无误但仍查不到，人工客服可以帮您核查。"
        ),
        "unavailable": "抱歉，案卷查询服务暂时无法使用，我现在无法查看您的案卷状态。人工客服可以帮您核查。",
        "ask_code": "请告诉我您提交申请时所获回执上打印的案卷编号（回执号），例如：{example}。",
        "problem_overdue": "您的案卷已超过承诺办结日期。",
        "problem_rejected": "您的案卷已被不予办理。",
        "problem_returned": "您的案卷已被退回。",
        "problem_additional_required": "您的案卷需要补充材料。",
        "problem_other": "您的案卷需要进一步处理。",
        "problem_offer": "人工客服可以向受理机构核实情况，并告诉您下一步该怎么做。",
        "secret_warning": (
            "安全提示：公职人员、政府机关和本热线绝不会索要您的密码、OTP 验证码或其他验证码。"
            "请勿告诉任何人，即使对方自称是公职人员。如果您已经透露，请立即修改密码。"
        ),
        "legal_refusal": (
            "我只能解释已公布的行政手续，无法就具体案件提供法律意见。如需法律咨询，请联系律师"
            "或您所在省、市的国家法律援助中心。"
        ),
    },
    "ko": {
        "datetime": "{date} {time}",
        "vietnamese": "{quoted}(베트남어)",
        "found_header": "서류 {code}: {status}.",
        "source_status": "• 원스톱 시스템상 상태: {text}",
        "procedure": "• 절차: {name} ({code})",
        "procedure_no_code": "• 절차: {name}",
        "office": "• 접수 기관: {office}",
        "received_at": "• 접수일: {date}",
        "due_date": "• 결과 예정일: {date}",
        "note": "• 기관 메모: {note}",
        "updated_at": "원스톱 시스템 정보이며, 마지막 업데이트: {when}.",
        "hint_additional_required": "요청된 서류를 접수증과 함께 서류를 접수한 기관에 제출해 주세요.",
        "hint_waiting_payment": "서류 처리가 계속될 수 있도록 안내에 따라 수수료를 납부해 주세요.",
        "hint_done": (
            "아직 결과를 받지 않으셨다면 접수증과 신분증을 지참하여 서류를 접수한 기관에서 받거나, "
            "신청 시 선택한 방법으로 받으실 수 있습니다."
        ),
        "not_found": (
            "코드 {code}에 해당하는 서류를 찾을 수 없습니다. 접수증에 인쇄된 코드({example} 형식)를 "
            "다시 확인해 주세요. 코드가 맞는데도 조회되지 않으면 상담원이 확인해 드릴 수 있습니다."
        ),
        "unavailable": (
            "죄송합니다. 서류 조회 서비스가 일시적으로 중단되어 지금은 서류 상태를 확인할 수 "
            "없습니다. 상담원이 확인해 드릴 수 있습니다."
        ),
        "ask_code": "신청 시 받은 접수증에 인쇄된 서류 코드(접수 번호)를 알려 주세요. 예: {example}",
        "problem_overdue": "서류의 결과 예정일이 지났습니다.",
        "problem_rejected": "서류가 거부되었습니다.",
        "problem_returned": "서류가 반려되었습니다.",
        "problem_additional_required": "서류 보완이 필요합니다.",
        "problem_other": "서류에 확인이 필요합니다.",
        "problem_offer": "상담원이 해당 기관에 확인하고 다음 단계를 안내해 드릴 수 있습니다.",
        "secret_warning": (
            "안전 안내: 공무원, 행정기관, 그리고 이 상담 창구는 비밀번호, OTP 코드, 인증번호를 "
            "절대 요구하지 않습니다. 공무원이라고 하더라도 누구에게도 알려 주지 마세요. 이미 "
            "알려 주셨다면 지금 바로 비밀번호를 변경하세요."
        ),
        "legal_refusal": (
            "저는 공표된 행정 절차만 설명할 수 있으며, 개별 사안에 대한 법률 의견은 드릴 수 "
            "없습니다. 법률 상담이 필요하시면 변호사나 거주하시는 성·시의 국가 법률구조센터에 "
            "문의해 주세요."
        ),
    },
    "ja": {
        "datetime": "{date} {time}",
        "vietnamese": "{quoted}（ベトナム語）",
        "found_header": "申請書類 {code}：{status}。",
        "source_status": "• ワンストップシステム上の状況：{text}",
        "procedure": "• 手続：{name}（{code}）",
        "procedure_no_code": "• 手続：{name}",
        "office": "• 受付機関：{office}",
        "received_at": "• 受付日：{date}",
        "due_date": "• 結果の予定日：{date}",
        "note": "• 機関からの備考：{note}",
        "updated_at": "ワンストップシステムの情報です（最終更新：{when}）。",
        "hint_additional_required": "受付票を持参のうえ、申請書類を受け付けた機関に求められた書類を提出してください。",
        "hint_waiting_payment": "手続を進めるため、通知に従って手数料をお支払いください。",
        "hint_done": (
            "まだ結果を受け取っていない場合は、受付票と本人確認書類を持参して受付機関で受け取るか、"
            "申請時に選んだ方法で受け取ることができます。"
        ),
        "not_found": (
            "番号 {code} の申請書類は見つかりませんでした。受付票に印刷された番号（{example} の"
            "形式）をご確認ください。番号が正しいのに見つからない場合は、オペレーターが確認いたします。"
        ),
        "unavailable": (
            "申し訳ありません。申請状況の照会サービスが一時的に利用できないため、現在、申請書類の"
            "状況を確認できません。オペレーターが確認いたします。"
        ),
        "ask_code": "申請時にお受け取りになった受付票に印刷されている書類番号（受付番号）を教えてください。例：{example}",
        "problem_overdue": "申請書類の結果予定日を過ぎています。",
        "problem_rejected": "申請書類は不許可となりました。",
        "problem_returned": "申請書類は返戻されました。",
        "problem_additional_required": "申請書類に追加・補正が必要です。",
        "problem_other": "申請書類について確認が必要です。",
        "problem_offer": "オペレーターが受付機関に確認し、次の手順をご案内できます。",
        "secret_warning": (
            "ご注意ください：公務員、行政機関、および本窓口がパスワード、OTP コード、認証コードを"
            "お尋ねすることは決してありません。公務員を名乗る相手であっても、誰にも教えないで"
            "ください。すでに教えてしまった場合は、すぐにパスワードを変更してください。"
        ),
        "legal_refusal": (
            "私がご説明できるのは公表されている行政手続のみで、個別の案件について法的な意見を"
            "述べることはできません。法律相談は、弁護士またはお住まいの省・市の国家法律扶助"
            "センターにお問い合わせください。"
        ),
    },
}

_PROBLEMS = ("overdue", "rejected", "returned", "additional_required")
_HINTS = ("additional_required", "waiting_payment", "done")


def _lang(lang: str | None) -> str:
    code = (lang or "").strip().lower().replace("_", "-").split("-", 1)[0]
    return code if code in _M else FALLBACK_LANGUAGE


def _t(lang: str, key: str, **values: object) -> str:
    return _M[lang][key].format(**values)


def _with_offer(lang: str, text: str) -> str:
    return f"{text}\n{i18n.MESSAGES[lang]['handoff_offer']}"


def _quote_vi(lang: str, text: str) -> str:
    """A Vietnamese value in a reply: as is in Vietnamese, quoted and marked elsewhere."""
    if lang == "vi":
        return text
    return _t(lang, "vietnamese", quoted=i18n.MESSAGES[lang]["quote"].format(text=text))


def _truncate(text: str, limit: int = _NAME_LIMIT) -> str:
    return truncate(text, limit, strip=" ,;:.(/")


def format_date(day: date, lang: str) -> str:
    """03/07/2025 (vi), 3 July 2025, 3 juillet 2025 (1er juillet), 3 de julio de 2025, 2025年7月3日…"""
    lang = _lang(lang)
    if isinstance(day, datetime):
        day = day.date()
    if lang == "vi":
        return f"{day:%d/%m/%Y}"
    if lang == "en":
        return f"{day.day} {_MONTHS['en'][day.month - 1]} {day.year}"
    if lang == "fr":
        first = "1er" if day.day == 1 else str(day.day)
        return f"{first} {_MONTHS['fr'][day.month - 1]} {day.year}"
    if lang == "es":
        return f"{day.day} de {_MONTHS['es'][day.month - 1]} de {day.year}"
    if lang == "ko":
        return f"{day.year}년 {day.month}월 {day.day}일"
    return f"{day.year}年{day.month}月{day.day}日"  # zh, ja


def format_datetime(moment: datetime, lang: str) -> str:
    lang = _lang(lang)
    return _t(lang, "datetime", date=format_date(moment.date(), lang), time=f"{moment:%H:%M}")


# --------------------------------------------------------------------------- messages


def dossier_found(lang: str, status: DossierStatus) -> str:
    """The status of a dossier in words, with its procedure, office and dates."""
    lang = _lang(lang)
    lines = [_t(lang, "found_header", code=status.code, status=STATUS_WORDS[lang][status.status])]
    source_text = status.status_text.strip()
    # In Vietnamese the system's wording adds something only when it says another thing
    # than our words (its own term, or "processing" while we say "overdue").
    if source_text and (lang != "vi" or status_for(source_text) != status.status):
        lines.append(_t(lang, "source_status", text=_quote_vi(lang, source_text)))
    if status.procedure_name:
        name = _quote_vi(lang, _truncate(status.procedure_name))
        if status.procedure_code:
            lines.append(_t(lang, "procedure", name=name, code=status.procedure_code))
        else:
            lines.append(_t(lang, "procedure_no_code", name=name))
    if status.office:
        lines.append(_t(lang, "office", office=_quote_vi(lang, status.office)))
    if status.received_at:
        lines.append(_t(lang, "received_at", date=format_date(status.received_at, lang)))
    if status.due_date:
        lines.append(_t(lang, "due_date", date=format_date(status.due_date, lang)))
    if status.note:
        lines.append(_t(lang, "note", note=_quote_vi(lang, mask_pii(_truncate(status.note, 300)))))
    if status.status in _HINTS:
        lines.append(_t(lang, f"hint_{status.status}"))
    if status.updated_at:
        lines.append(_t(lang, "updated_at", when=format_datetime(status.updated_at, lang)))
    return "\n".join(lines)


def dossier_not_found(lang: str, code: str) -> str:
    """No dossier with this code: check it against the receipt; staff can help."""
    lang = _lang(lang)
    return _with_offer(lang, _t(lang, "not_found", code=code, example=EXAMPLE_CODE))


def dossier_unavailable(lang: str) -> str:
    """The lookup service is down: staff can check."""
    lang = _lang(lang)
    return _with_offer(lang, _t(lang, "unavailable"))


def dossier_ask_code(lang: str) -> str:
    """Asks for the code printed on the receipt, showing its shape."""
    lang = _lang(lang)
    return _t(lang, "ask_code", example=EXAMPLE_CODE)


def dossier_problem_offer(lang: str, status: str | None = None) -> str:
    """The dossier is overdue, refused, returned or needs additions: offers staff."""
    lang = _lang(lang)
    lead = _t(lang, f"problem_{status}" if status in _PROBLEMS else "problem_other")
    return _with_offer(lang, f"{lead} {_t(lang, 'problem_offer')}")


def secret_warning(lang: str) -> str:
    """Officials never ask for passwords or OTP codes; never share them."""
    return _t(_lang(lang), "secret_warning")


def legal_advice_refusal(lang: str) -> str:
    """Only published procedures are explained; a lawyer or legal aid for the rest; staff."""
    lang = _lang(lang)
    return _with_offer(lang, _t(lang, "legal_refusal"))
