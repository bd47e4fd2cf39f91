"""Message catalogue of the assistant: every sentence it says, in each supported language.

``MESSAGES[lang][key]`` is a ``str.format`` template. Every key exists in every language
(a test enforces it), so a missing translation fails the build instead of silently showing
another language to a citizen. Keys ending in ``_one``/``_other`` are plural forms chosen by
``bot.compose``; languages without grammatical number repeat the same text.

``FIELDS`` and ``AGENCIES`` translate the most common values of the Vietnamese catalogue
(lĩnh vực, implementing agency); a value that is not listed is shown in Vietnamese and
marked as such, never paraphrased. Keys are matched after NFC, one tone-mark convention
and case folding (see ``bot.compose``).

Everything here is constant data: no I/O, no objects with state.
"""

from __future__ import annotations

LANGUAGES: tuple[str, ...] = ("vi", "en", "fr", "es", "zh", "ko", "ja")
DEFAULT_LANGUAGE = "vi"

# Thousands separator and decimal mark per language. French uses a no-break space so that
# an amount is never split across two lines of a chat bubble.
NUMBER_FORMAT: dict[str, tuple[str, str]] = {
    "vi": (".", ","),
    "en": (",", "."),
    "fr": ("\u00a0", ","),
    "es": (".", ","),
    "zh": (",", "."),
    "ko": (",", "."),
    "ja": (",", "."),
}

# Languages in which "_one" is used for 0 < n < 2 (French) instead of n == 1 only.
PLURAL_ONE_BELOW_TWO: frozenset[str] = frozenset({"fr"})

MESSAGES: dict[str, dict[str, str]] = {
    "vi": {
        # building blocks
        "quote": "“{text}”",
        "paren": "{text} ({extra})",
        "term_translated": "{translation} ({quoted})",
        "term_vietnamese": "{quoted}",
        "list_sep": ", ",
        "part_sep": "; ",
        "bullet": "• {text}",
        "bullet_pair": "• {label}: {value}",
        # procedure answer
        "title_translated": "{name}",
        "title_plain": "{name}",
        "field": "Lĩnh vực: {field}",
        "handled_by": "Cơ quan thực hiện: {agency}",
        "decided_by": "Cơ quan có thẩm quyền: {agency}",
        "agency_not_stated": "Cơ quan thực hiện: danh mục không nêu.",
        "level": "Cấp thực hiện: {levels}",
        "level_ministry": "Cấp bộ",
        "level_province": "Cấp tỉnh",
        "level_commune": "Cấp xã",
        "level_other": "Cơ quan khác",
        "channels_header": "Cách thức nộp hồ sơ:",
        "channels_not_stated": "Cách thức nộp hồ sơ: danh mục không nêu.",
        "channels_available": "Các cách nộp hồ sơ: {channels}",
        "channel_in_person": "Trực tiếp",
        "channel_online": "Trực tuyến",
        "channel_post": "Qua bưu chính",
        "channel_line": "• {channel} – {details}",
        "time_part": "thời hạn: {time}",
        "fee_part": "phí, lệ phí: {fee}",
        "not_stated": "danh mục không nêu",
        "same_as_above": "như trên",
        "free": "miễn phí",
        "money": "{amount} đồng",
        "as_published": "{text}",
        "fee_note": "{text}",
        "time_unit_missing": "{n} (danh mục không nêu đơn vị)",
        "unit_working_day_one": "{n} ngày làm việc",
        "unit_working_day_other": "{n} ngày làm việc",
        "unit_day_one": "{n} ngày",
        "unit_day_other": "{n} ngày",
        "unit_hour_one": "{n} giờ",
        "unit_hour_other": "{n} giờ",
        "unit_month_one": "{n} tháng",
        "unit_month_other": "{n} tháng",
        "unit_year_one": "{n} năm",
        "unit_year_other": "{n} năm",
        "documents_header": "Giấy tờ chính cần chuẩn bị:",
        "documents_header_full": "Thành phần hồ sơ:",
        "documents_not_stated": "Thành phần hồ sơ: danh mục không nêu.",
        "documents_more_one": "• … và {n} giấy tờ khác (xem trang chính thức)",
        "documents_more_other": "• … và {n} giấy tờ khác (xem trang chính thức)",
        "doc_group": "Trường hợp: {group}",
        "doc_form": "mẫu: {form}",
        "doc_originals_one": "{n} bản chính",
        "doc_originals_other": "{n} bản chính",
        "doc_copies_one": "{n} bản sao",
        "doc_copies_other": "{n} bản sao",
        "online_yes": "Nộp trực tuyến: có, tại {url}",
        "online_no": "Danh mục không ghi nhận hình thức nộp trực tuyến cho thủ tục này.",
        "online_unknown": "Danh mục không nêu thủ tục này có nộp trực tuyến được hay không.",
        "fee_header": "Phí, lệ phí:",
        "fee_not_stated_all": "Phí, lệ phí: danh mục không nêu.",
        "duration_header": "Thời hạn giải quyết:",
        "duration_not_stated_all": "Thời hạn giải quyết: danh mục không nêu.",
        "where_header": "Nơi nộp hồ sơ:",
        "receiving_address": "Địa chỉ tiếp nhận: {address}",
        "address_not_stated": (
            "Địa chỉ tiếp nhận: danh mục không nêu. Hãy cho tôi biết xã/phường của bạn "
            "để tôi tra nơi tiếp nhận hồ sơ."
        ),
        "check_official": "Vui lòng xem trang chính thức để biết đầy đủ thông tin.",
        "citation": "Nguồn: Thủ tục {code} – {url}",
        "citation_no_url": "Nguồn: Thủ tục {code} – tra cứu mã này tại {url}",
        "related_header": "Thủ tục liên quan:",
        "related_line": "• {code} – {name}",
        # places
        "place_merged": "Từ ngày 1/7/2025, {old} thuộc {new}, {province}.",
        "place_part": (
            "Từ ngày 1/7/2025, {old} đã được chia tách: một phần nay thuộc {new}, "
            "{province}; phần còn lại thuộc các đơn vị lân cận."
        ),
        "place_split": ("Từ ngày 1/7/2025, {old} đã được chia tách; địa bàn cũ nay thuộc các đơn vị:"),
        "place_unit_line": "• {name}, {province}",
        "place_split_hint": (
            "Để biết chính xác địa chỉ của bạn thuộc đơn vị nào, vui lòng hỏi Ủy ban nhân "
            "dân của một trong các đơn vị trên."
        ),
        "place_current": "{name} là đơn vị hành chính hiện hành thuộc {province}.",
        "place_unknown": (
            "Tôi chưa có thông tin {old} thuộc đơn vị nào sau ngày 1/7/2025. Vui lòng hỏi "
            "Ủy ban nhân dân xã/phường nơi bạn sống."
        ),
        # centres
        "centre_header": "Nơi tiếp nhận hồ sơ của {commune}, {province}:",
        "centre_name": "• {name}",
        "centre_address": "• Địa chỉ: {address}",
        "centre_phone": "• Điện thoại: {phone}",
        "centre_hours": "• Giờ làm việc: {hours}",
        "centre_default_name": "Bộ phận tiếp nhận và trả kết quả của {commune}",
        "centre_no_address": (
            "Hiện tôi chưa có địa chỉ nơi tiếp nhận hồ sơ của {commune}, {province} "
            "trong dữ liệu.\nBạn có thể liên hệ Trung tâm Phục vụ hành chính công của "
            "{province}, hoặc tra cứu trên Cổng Dịch vụ công quốc gia: {portal}"
        ),
        # clarification
        "clarify_procedure": "Bạn muốn hỏi thủ tục nào? Vui lòng chọn số:",
        "clarify_place": "Có nhiều nơi tên {name}. Bạn hỏi nơi nào? Vui lòng chọn số:",
        "clarify_place_generic": "Bạn hỏi nơi nào? Vui lòng chọn số:",
        # short messages
        "no_match": (
            "Xin lỗi, tôi chưa tìm thấy thủ tục phù hợp. Bạn hãy hỏi lại và nêu rõ tên "
            "thủ tục (ví dụ: “đăng ký khai sinh”), hoặc đề nghị gặp tổng đài viên."
        ),
        "out_of_scope": (
            "Xin lỗi, tôi chỉ có thể hỗ trợ các câu hỏi về thủ tục hành chính công "
            "(hồ sơ, lệ phí, thời hạn, nơi nộp). Bạn cần hỏi thủ tục nào?"
        ),
        "empty_input": "Bạn chưa nhập nội dung. Hãy cho tôi biết thủ tục bạn cần hỏi.",
        "unreadable_input": ("Xin lỗi, tôi không đọc được tin nhắn này. Vui lòng gửi câu hỏi bằng chữ."),
        "too_long": "Tin nhắn quá dài. Vui lòng hỏi ngắn gọn, mỗi lần một câu hỏi.",
        "handoff_offer": ("Bạn có muốn được tổng đài viên hỗ trợ không? Trả lời “có” để được chuyển tiếp."),
        "handoff_started": (
            "Tôi đã chuyển câu hỏi của bạn cho tổng đài viên. Nhân viên sẽ phản hồi bạn sớm nhất có thể."
        ),
        "handoff_started_case": (
            "Tôi đã chuyển câu hỏi của bạn cho tổng đài viên (mã yêu cầu: {case_id}). "
            "Nhân viên sẽ phản hồi bạn sớm nhất có thể."
        ),
        "greeting": (
            "Xin chào! Tôi là trợ lý tổng đài hỗ trợ thủ tục hành chính. Bạn cần hỏi thủ "
            "tục nào? (ví dụ: đăng ký khai sinh, cấp căn cước, đăng ký thường trú)"
        ),
        "thanks": "Không có gì ạ! Bạn còn cần hỏi thêm gì không?",
        "goodbye": "Cảm ơn bạn đã liên hệ. Chúc bạn một ngày tốt lành!",
    },
    "en": {
        "quote": "\u201c{text}\u201d",
        "paren": "{text} ({extra})",
        "term_translated": "{translation} ({quoted})",
        "term_vietnamese": "{quoted} (in Vietnamese)",
        "list_sep": ", ",
        "part_sep": "; ",
        "bullet": "• {text}",
        "bullet_pair": "• {label}: {value}",
        "title_translated": "{translation} — official name: {quoted}",
        "title_plain": "Procedure: {quoted} (official Vietnamese name)",
        "field": "Field: {field}",
        "handled_by": "Handled by: {agency}",
        "decided_by": "Competent authority: {agency}",
        "agency_not_stated": "Handled by: not stated in the catalogue.",
        "level": "Level: {levels}",
        "level_ministry": "ministry (central) level",
        "level_province": "provincial level",
        "level_commune": "commune level",
        "level_other": "other agency",
        "channels_header": "How to submit:",
        "channels_not_stated": "How to submit: not stated in the catalogue.",
        "channels_available": "Ways to submit: {channels}",
        "channel_in_person": "In person",
        "channel_online": "Online",
        "channel_post": "By post",
        "channel_line": "• {channel} – {details}",
        "time_part": "time limit: {time}",
        "fee_part": "fee: {fee}",
        "not_stated": "not stated in the catalogue",
        "same_as_above": "same as above",
        "free": "free",
        "money": "{amount} VND",
        "as_published": "{quoted} (as published)",
        "fee_note": "{base} — catalogue note (in Vietnamese): {quoted}",
        "time_unit_missing": "{n} (unit not stated in the catalogue)",
        "unit_working_day_one": "{n} working day",
        "unit_working_day_other": "{n} working days",
        "unit_day_one": "{n} day",
        "unit_day_other": "{n} days",
        "unit_hour_one": "{n} hour",
        "unit_hour_other": "{n} hours",
        "unit_month_one": "{n} month",
        "unit_month_other": "{n} months",
        "unit_year_one": "{n} year",
        "unit_year_other": "{n} years",
        "documents_header": "Main documents (names as published, in Vietnamese):",
        "documents_header_full": "Documents to prepare (names as published, in Vietnamese):",
        "documents_not_stated": "Documents: not stated in the catalogue.",
        "documents_more_one": "• … and {n} more document (see the official page)",
        "documents_more_other": "• … and {n} more documents (see the official page)",
        "doc_group": "Case (in Vietnamese): {group}",
        "doc_form": "form: {form}",
        "doc_originals_one": "{n} original",
        "doc_originals_other": "{n} originals",
        "doc_copies_one": "{n} copy",
        "doc_copies_other": "{n} copies",
        "online_yes": "Online submission: available at {url}",
        "online_no": "The catalogue lists no online submission for this procedure.",
        "online_unknown": ("The catalogue does not state whether this procedure can be done online."),
        "fee_header": "Fees:",
        "fee_not_stated_all": "Fees: not stated in the catalogue.",
        "duration_header": "Processing time:",
        "duration_not_stated_all": "Processing time: not stated in the catalogue.",
        "where_header": "Where to apply:",
        "receiving_address": "Receiving address: {address}",
        "address_not_stated": (
            "Receiving address: not stated in the catalogue. Tell me your commune or ward "
            "and I will look up the office."
        ),
        "check_official": "Please check the official page for full details.",
        "citation": "Source: procedure {code} – {url}",
        "citation_no_url": "Source: procedure {code} – search this code on {url}",
        "related_header": "Related:",
        "related_line": "• {code} – {name}",
        "place_merged": "{old} has been part of {new}, {province} since 1 July 2025.",
        "place_part": (
            "On 1 July 2025, {old} was divided: part of it now belongs to {new}, "
            "{province}; the rest belongs to neighbouring units."
        ),
        "place_split": "On 1 July 2025, {old} was divided; its former area now belongs to:",
        "place_unit_line": "• {name}, {province}",
        "place_split_hint": (
            "To know which one covers your address, please ask the People's Committee of one of these units."
        ),
        "place_current": "{name} is a current administrative unit of {province}.",
        "place_unknown": (
            "I have no record of what {old} became after 1 July 2025. Please ask the "
            "People's Committee of the commune or ward where you live."
        ),
        "centre_header": "Where to submit dossiers for {commune}, {province}:",
        "centre_name": "• {name}",
        "centre_address": "• Address: {address}",
        "centre_phone": "• Phone: {phone}",
        "centre_hours": "• Opening hours: {hours}",
        "centre_default_name": "Public administrative service point of {commune}",
        "centre_no_address": (
            "I have no office address on record for {commune}, {province}.\n"
            "Please contact the public administrative service centre of {province}, or "
            "look it up on the National Public Service Portal: {portal}"
        ),
        "clarify_procedure": "Which procedure do you mean? Reply with its number:",
        "clarify_place": ("Several places are called {name}. Which one do you mean? Reply with its number:"),
        "clarify_place_generic": "Which place do you mean? Reply with its number:",
        "no_match": (
            "Sorry, I could not find a matching procedure. Please rephrase with the name "
            "of the procedure (for example “birth registration”), or ask to talk to a "
            "staff member."
        ),
        "out_of_scope": (
            "Sorry, I can only help with public administrative procedures (documents, "
            "fees, processing times, where to apply). Which procedure would you like to "
            "ask about?"
        ),
        "empty_input": ("Your message is empty. Please tell me which procedure you need help with."),
        "unreadable_input": ("Sorry, I could not read this message. Please send your question as text."),
        "too_long": "Your message is too long. Please ask one short question at a time.",
        "handoff_offer": ("Would you like to talk to a hotline staff member? Reply “yes” to be transferred."),
        "handoff_started": (
            "I have passed your question to a hotline staff member. They will reply to you "
            "as soon as possible."
        ),
        "handoff_started_case": (
            "I have passed your question to a hotline staff member (request number: "
            "{case_id}). They will reply to you as soon as possible."
        ),
        "greeting": (
            "Hello! I am the public services hotline assistant. Which administrative "
            "procedure can I help you with? (for example: birth registration, ID card, "
            "residence registration)"
        ),
        "thanks": "You're welcome! Is there anything else I can help with?",
        "goodbye": "Thank you for contacting us. Have a good day!",
    },
    "fr": {
        "quote": "« {text} »",
        "paren": "{text} ({extra})",
        "term_translated": "{translation} ({quoted})",
        "term_vietnamese": "{quoted} (en vietnamien)",
        "list_sep": ", ",
        "part_sep": " ; ",
        "bullet": "• {text}",
        "bullet_pair": "• {label} : {value}",
        "title_translated": "{translation} — nom officiel : {quoted}",
        "title_plain": "Procédure : {quoted} (nom officiel en vietnamien)",
        "field": "Domaine : {field}",
        "handled_by": "Traité par : {agency}",
        "decided_by": "Autorité compétente : {agency}",
        "agency_not_stated": "Traité par : non précisé dans le catalogue.",
        "level": "Niveau : {levels}",
        "level_ministry": "niveau ministériel (central)",
        "level_province": "niveau provincial",
        "level_commune": "niveau communal",
        "level_other": "autre organisme",
        "channels_header": "Modes de dépôt :",
        "channels_not_stated": "Modes de dépôt : non précisés dans le catalogue.",
        "channels_available": "Modes de dépôt : {channels}",
        "channel_in_person": "Sur place",
        "channel_online": "En ligne",
        "channel_post": "Par courrier",
        "channel_line": "• {channel} – {details}",
        "time_part": "délai : {time}",
        "fee_part": "frais : {fee}",
        "not_stated": "non précisé dans le catalogue",
        "same_as_above": "idem",
        "free": "gratuit",
        "money": "{amount} VND",
        "as_published": "{quoted} (tel que publié)",
        "fee_note": "{base} — note du catalogue (en vietnamien) : {quoted}",
        "time_unit_missing": "{n} (unité non précisée dans le catalogue)",
        "unit_working_day_one": "{n} jour ouvrable",
        "unit_working_day_other": "{n} jours ouvrables",
        "unit_day_one": "{n} jour",
        "unit_day_other": "{n} jours",
        "unit_hour_one": "{n} heure",
        "unit_hour_other": "{n} heures",
        "unit_month_one": "{n} mois",
        "unit_month_other": "{n} mois",
        "unit_year_one": "{n} an",
        "unit_year_other": "{n} ans",
        "documents_header": "Pièces principales (intitulés publiés, en vietnamien) :",
        "documents_header_full": "Pièces à fournir (intitulés publiés, en vietnamien) :",
        "documents_not_stated": "Pièces à fournir : non précisées dans le catalogue.",
        "documents_more_one": "• … et {n} autre pièce (voir la page officielle)",
        "documents_more_other": "• … et {n} autres pièces (voir la page officielle)",
        "doc_group": "Cas (en vietnamien) : {group}",
        "doc_form": "formulaire : {form}",
        "doc_originals_one": "{n} original",
        "doc_originals_other": "{n} originaux",
        "doc_copies_one": "{n} copie",
        "doc_copies_other": "{n} copies",
        "online_yes": "Dépôt en ligne : possible sur {url}",
        "online_no": "Le catalogue n'indique pas de dépôt en ligne pour cette procédure.",
        "online_unknown": ("Le catalogue ne précise pas si cette procédure peut se faire en ligne."),
        "fee_header": "Frais :",
        "fee_not_stated_all": "Frais : non précisés dans le catalogue.",
        "duration_header": "Délais de traitement :",
        "duration_not_stated_all": "Délais de traitement : non précisés dans le catalogue.",
        "where_header": "Où déposer le dossier :",
        "receiving_address": "Adresse de dépôt : {address}",
        "address_not_stated": (
            "Adresse de dépôt : non précisée dans le catalogue. Indiquez-moi votre commune "
            "ou votre quartier (phường) et je chercherai le bureau."
        ),
        "check_official": "Veuillez consulter la page officielle pour tous les détails.",
        "citation": "Source : procédure {code} – {url}",
        "citation_no_url": "Source : procédure {code} – recherchez ce code sur {url}",
        "related_header": "Procédures liées :",
        "related_line": "• {code} – {name}",
        "place_merged": "{old} fait partie de {new}, {province} depuis le 1er juillet 2025.",
        "place_part": (
            "Le 1er juillet 2025, {old} a été divisé : une partie relève désormais de "
            "{new}, {province} ; le reste relève d'unités voisines."
        ),
        "place_split": (
            "Le 1er juillet 2025, {old} a été divisé ; son ancien territoire relève désormais de :"
        ),
        "place_unit_line": "• {name}, {province}",
        "place_split_hint": (
            "Pour savoir de quelle unité dépend votre adresse, renseignez-vous auprès du "
            "comité populaire de l'une de ces unités."
        ),
        "place_current": "{name} est une unité administrative actuelle de {province}.",
        "place_unknown": (
            "Je n'ai pas d'information sur ce qu'est devenu {old} après le 1er juillet "
            "2025. Renseignez-vous auprès du comité populaire de votre commune ou quartier."
        ),
        "centre_header": "Où déposer un dossier pour {commune}, {province} :",
        "centre_name": "• {name}",
        "centre_address": "• Adresse : {address}",
        "centre_phone": "• Téléphone : {phone}",
        "centre_hours": "• Horaires : {hours}",
        "centre_default_name": "Guichet des services administratifs de {commune}",
        "centre_no_address": (
            "Je n'ai pas d'adresse de bureau enregistrée pour {commune}, {province}.\n"
            "Adressez-vous au centre de services administratifs publics de {province}, ou "
            "consultez le Portail national des services publics : {portal}"
        ),
        "clarify_procedure": "De quelle procédure s'agit-il ? Répondez par son numéro :",
        "clarify_place": (
            "Plusieurs lieux s'appellent {name}. Lequel est le vôtre ? Répondez par son numéro :"
        ),
        "clarify_place_generic": "De quel lieu s'agit-il ? Répondez par son numéro :",
        "no_match": (
            "Désolé, je n'ai pas trouvé de procédure correspondante. Reformulez votre "
            "question en citant le nom de la procédure (par exemple « déclaration de "
            "naissance »), ou demandez à parler à un conseiller."
        ),
        "out_of_scope": (
            "Désolé, je ne peux répondre qu'aux questions sur les procédures "
            "administratives publiques (pièces, frais, délais, lieu de dépôt). Quelle "
            "procédure vous intéresse ?"
        ),
        "empty_input": ("Votre message est vide. Dites-moi pour quelle procédure vous avez besoin d'aide."),
        "unreadable_input": (
            "Désolé, je n'ai pas pu lire ce message. Veuillez envoyer votre question sous forme de texte."
        ),
        "too_long": "Votre message est trop long. Posez une seule question courte à la fois.",
        "handoff_offer": (
            "Souhaitez-vous parler à un conseiller ? Répondez « oui » pour être mis en relation."
        ),
        "handoff_started": (
            "J'ai transmis votre question à un conseiller. Il vous répondra dès que possible."
        ),
        "handoff_started_case": (
            "J'ai transmis votre question à un conseiller (demande n° {case_id}). Il vous "
            "répondra dès que possible."
        ),
        "greeting": (
            "Bonjour ! Je suis l'assistant de la ligne d'information sur les procédures "
            "administratives. Quelle procédure vous intéresse ? (par exemple : déclaration "
            "de naissance, carte d'identité, enregistrement de la résidence)"
        ),
        "thanks": "Je vous en prie ! Puis-je vous aider pour autre chose ?",
        "goodbye": "Merci de nous avoir contactés. Bonne journée !",
    },
    "es": {
        "quote": "\u201c{text}\u201d",
        "paren": "{text} ({extra})",
        "term_translated": "{translation} ({quoted})",
        "term_vietnamese": "{quoted} (en vietnamita)",
        "list_sep": ", ",
        "part_sep": "; ",
        "bullet": "• {text}",
        "bullet_pair": "• {label}: {value}",
        "title_translated": "{translation} — nombre oficial: {quoted}",
        "title_plain": "Trámite: {quoted} (nombre oficial en vietnamita)",
        "field": "Ámbito: {field}",
        "handled_by": "Lo tramita: {agency}",
        "decided_by": "Autoridad competente: {agency}",
        "agency_not_stated": "Lo tramita: no consta en el catálogo.",
        "level": "Nivel: {levels}",
        "level_ministry": "nivel ministerial (central)",
        "level_province": "nivel provincial",
        "level_commune": "nivel comunal",
        "level_other": "otro organismo",
        "channels_header": "Cómo presentar la solicitud:",
        "channels_not_stated": "Cómo presentar la solicitud: no consta en el catálogo.",
        "channels_available": "Formas de presentación: {channels}",
        "channel_in_person": "En persona",
        "channel_online": "En línea",
        "channel_post": "Por correo postal",
        "channel_line": "• {channel} – {details}",
        "time_part": "plazo: {time}",
        "fee_part": "tasa: {fee}",
        "not_stated": "no consta en el catálogo",
        "same_as_above": "ídem",
        "free": "gratuito",
        "money": "{amount} VND",
        "as_published": "{quoted} (tal como se publica)",
        "fee_note": "{base} — nota del catálogo (en vietnamita): {quoted}",
        "time_unit_missing": "{n} (el catálogo no indica la unidad)",
        "unit_working_day_one": "{n} día hábil",
        "unit_working_day_other": "{n} días hábiles",
        "unit_day_one": "{n} día",
        "unit_day_other": "{n} días",
        "unit_hour_one": "{n} hora",
        "unit_hour_other": "{n} horas",
        "unit_month_one": "{n} mes",
        "unit_month_other": "{n} meses",
        "unit_year_one": "{n} año",
        "unit_year_other": "{n} años",
        "documents_header": ("Documentos principales (nombres tal como se publican, en vietnamita):"),
        "documents_header_full": (
            "Documentos que debe preparar (nombres tal como se publican, en vietnamita):"
        ),
        "documents_not_stated": "Documentos: no constan en el catálogo.",
        "documents_more_one": "• … y {n} documento más (vea la página oficial)",
        "documents_more_other": "• … y {n} documentos más (vea la página oficial)",
        "doc_group": "Caso (en vietnamita): {group}",
        "doc_form": "formulario: {form}",
        "doc_originals_one": "{n} original",
        "doc_originals_other": "{n} originales",
        "doc_copies_one": "{n} copia",
        "doc_copies_other": "{n} copias",
        "online_yes": "Presentación en línea: disponible en {url}",
        "online_no": "El catálogo no recoge la presentación en línea para este trámite.",
        "online_unknown": "El catálogo no indica si este trámite puede hacerse en línea.",
        "fee_header": "Tasas:",
        "fee_not_stated_all": "Tasas: no constan en el catálogo.",
        "duration_header": "Plazos de resolución:",
        "duration_not_stated_all": "Plazos de resolución: no constan en el catálogo.",
        "where_header": "Dónde presentar la solicitud:",
        "receiving_address": "Dirección de recepción: {address}",
        "address_not_stated": (
            "Dirección de recepción: no consta en el catálogo. Dígame su comuna o barrio "
            "(phường) y buscaré la oficina."
        ),
        "check_official": "Consulte la página oficial para ver todos los detalles.",
        "citation": "Fuente: trámite {code} – {url}",
        "citation_no_url": "Fuente: trámite {code} – busque este código en {url}",
        "related_header": "Trámites relacionados:",
        "related_line": "• {code} – {name}",
        "place_merged": "{old} forma parte de {new}, {province} desde el 1 de julio de 2025.",
        "place_part": (
            "El 1 de julio de 2025, {old} se dividió: una parte pertenece ahora a {new}, "
            "{province}; el resto pertenece a unidades vecinas."
        ),
        "place_split": ("El 1 de julio de 2025, {old} se dividió; su antiguo territorio pertenece ahora a:"),
        "place_unit_line": "• {name}, {province}",
        "place_split_hint": (
            "Para saber a cuál corresponde su dirección, consulte al Comité Popular de "
            "cualquiera de estas unidades."
        ),
        "place_current": "{name} es una unidad administrativa vigente de {province}.",
        "place_unknown": (
            "No tengo constancia de qué unidad sustituyó a {old} después del 1 de julio de "
            "2025. Consulte al Comité Popular de la comuna o barrio donde vive."
        ),
        "centre_header": "Dónde presentar trámites en {commune}, {province}:",
        "centre_name": "• {name}",
        "centre_address": "• Dirección: {address}",
        "centre_phone": "• Teléfono: {phone}",
        "centre_hours": "• Horario: {hours}",
        "centre_default_name": "Oficina de atención administrativa de {commune}",
        "centre_no_address": (
            "No tengo registrada la dirección de la oficina de {commune}, {province}.\n"
            "Puede dirigirse al centro de servicios administrativos públicos de {province} "
            "o consultar el Portal Nacional de Servicios Públicos: {portal}"
        ),
        "clarify_procedure": "¿A qué trámite se refiere? Responda con su número:",
        "clarify_place": ("Hay varios lugares llamados {name}. ¿Cuál es el suyo? Responda con su número:"),
        "clarify_place_generic": "¿A qué lugar se refiere? Responda con su número:",
        "no_match": (
            "Lo siento, no encontré ningún trámite que coincida. Reformule su pregunta con "
            "el nombre del trámite (por ejemplo, “registro de nacimiento”) o pida hablar "
            "con un agente."
        ),
        "out_of_scope": (
            "Lo siento, solo puedo ayudar con trámites administrativos públicos "
            "(documentos, tasas, plazos, dónde presentarlos). ¿Sobre qué trámite quiere "
            "preguntar?"
        ),
        "empty_input": "Su mensaje está vacío. Dígame con qué trámite necesita ayuda.",
        "unreadable_input": ("Lo siento, no he podido leer este mensaje. Envíe su pregunta como texto."),
        "too_long": "Su mensaje es demasiado largo. Haga una sola pregunta breve cada vez.",
        "handoff_offer": (
            "¿Quiere hablar con un agente de la línea de atención? Responda “sí” para que le transfiera."
        ),
        "handoff_started": (
            "He pasado su consulta a un agente de la línea de atención. Le responderá lo antes posible."
        ),
        "handoff_started_case": (
            "He pasado su consulta a un agente de la línea de atención (solicitud n.º "
            "{case_id}). Le responderá lo antes posible."
        ),
        "greeting": (
            "¡Hola! Soy el asistente de la línea de atención sobre trámites "
            "administrativos. ¿Con qué trámite puedo ayudarle? (por ejemplo: registro de "
            "nacimiento, documento de identidad, registro de residencia)"
        ),
        "thanks": "¡De nada! ¿Puedo ayudarle en algo más?",
        "goodbye": "Gracias por contactarnos. ¡Que tenga un buen día!",
    },
    "zh": {
        "quote": "“{text}”",
        "paren": "{text}（{extra}）",
        "term_translated": "{translation}（{quoted}）",
        "term_vietnamese": "{quoted}（越南语）",
        "list_sep": "、",
        "part_sep": "；",
        "bullet": "• {text}",
        "bullet_pair": "• {label}：{value}",
        "title_translated": "{translation}——官方名称：{quoted}",
        "title_plain": "手续：{quoted}（越南语官方名称）",
        "field": "领域：{field}",
        "handled_by": "办理机关：{agency}",
        "decided_by": "主管机关：{agency}",
        "agency_not_stated": "办理机关：目录中未注明。",
        "level": "办理层级：{levels}",
        "level_ministry": "部级（中央）",
        "level_province": "省级",
        "level_commune": "社级（基层）",
        "level_other": "其他机关",
        "channels_header": "提交方式：",
        "channels_not_stated": "提交方式：目录中未注明。",
        "channels_available": "可用的提交方式：{channels}",
        "channel_in_person": "现场办理",
        "channel_online": "网上办理",
        "channel_post": "邮寄",
        "channel_line": "• {channel}：{details}",
        "time_part": "期限：{time}",
        "fee_part": "费用：{fee}",
        "not_stated": "目录中未注明",
        "same_as_above": "同上",
        "free": "免费",
        "money": "{amount}越南盾",
        "as_published": "{quoted}（原文）",
        "fee_note": "{base}——目录备注（越南语）：{quoted}",
        "time_unit_missing": "{n}（目录未注明单位）",
        "unit_working_day_one": "{n}个工作日",
        "unit_working_day_other": "{n}个工作日",
        "unit_day_one": "{n}天",
        "unit_day_other": "{n}天",
        "unit_hour_one": "{n}小时",
        "unit_hour_other": "{n}小时",
        "unit_month_one": "{n}个月",
        "unit_month_other": "{n}个月",
        "unit_year_one": "{n}年",
        "unit_year_other": "{n}年",
        "documents_header": "主要材料（按公布的越南语名称）：",
        "documents_header_full": "需准备的材料（按公布的越南语名称）：",
        "documents_not_stated": "所需材料：目录中未注明。",
        "documents_more_one": "• ……另有{n}项材料（请查看官方页面）",
        "documents_more_other": "• ……另有{n}项材料（请查看官方页面）",
        "doc_group": "情形（越南语）：{group}",
        "doc_form": "表格：{form}",
        "doc_originals_one": "原件{n}份",
        "doc_originals_other": "原件{n}份",
        "doc_copies_one": "副本{n}份",
        "doc_copies_other": "副本{n}份",
        "online_yes": "网上提交：可以，网址：{url}",
        "online_no": "目录中未列出该手续的网上提交方式。",
        "online_unknown": "目录未注明该手续能否网上办理。",
        "fee_header": "费用：",
        "fee_not_stated_all": "费用：目录中未注明。",
        "duration_header": "办理期限：",
        "duration_not_stated_all": "办理期限：目录中未注明。",
        "where_header": "办理地点：",
        "receiving_address": "受理地址：{address}",
        "address_not_stated": (
            "受理地址：目录中未注明。请告诉我您所在的社（xã）或坊（phường），我来查询办理地点。"
        ),
        "check_official": "详情请查看官方页面。",
        "citation": "来源：手续 {code} – {url}",
        "citation_no_url": "来源：手续 {code} – 请在 {url} 搜索该编号",
        "related_header": "相关手续：",
        "related_line": "• {code} – {name}",
        "place_merged": "自2025年7月1日起，{old}属于{new}，{province}。",
        "place_part": (
            "2025年7月1日，{old}被拆分：其中一部分现属于{new}，{province}；其余部分属于相邻单位。"
        ),
        "place_split": "2025年7月1日，{old}被拆分，原辖区现分属：",
        "place_unit_line": "• {name}，{province}",
        "place_split_hint": "如需确认您的地址属于哪个单位，请咨询上述任一单位的人民委员会。",
        "place_current": "{name}是{province}现行的行政单位。",
        "place_unknown": (
            "我没有{old}在2025年7月1日之后归属哪个单位的记录。请咨询您居住地的社或坊人民委员会。"
        ),
        "centre_header": "{commune}（{province}）的办理地点：",
        "centre_name": "• {name}",
        "centre_address": "• 地址：{address}",
        "centre_phone": "• 电话：{phone}",
        "centre_hours": "• 办公时间：{hours}",
        "centre_default_name": "{commune}行政服务窗口",
        "centre_no_address": (
            "目前我没有{commune}（{province}）办理地点的地址记录。\n"
            "请联系{province}公共行政服务中心，或在国家公共服务门户网站查询：{portal}"
        ),
        "clarify_procedure": "您指的是哪项手续？请回复编号：",
        "clarify_place": "有多个地方叫{name}。您指的是哪一个？请回复编号：",
        "clarify_place_generic": "您指的是哪个地方？请回复编号：",
        "no_match": (
            "抱歉，我没有找到相符的手续。请写明手续名称后重新提问（例如“出生登记”），或要求转接人工客服。"
        ),
        "out_of_scope": (
            "抱歉，我只能解答公共行政手续方面的问题（材料、费用、期限、办理地点）。您想咨询哪项手续？"
        ),
        "empty_input": "您的消息是空的。请告诉我您需要咨询哪项手续。",
        "unreadable_input": "抱歉，我无法读取这条消息。请用文字发送您的问题。",
        "too_long": "您的消息太长了。请每次只问一个简短的问题。",
        "handoff_offer": "您需要转接人工客服吗？回复“是”即可转接。",
        "handoff_started": "我已将您的问题转给人工客服，工作人员会尽快回复您。",
        "handoff_started_case": ("我已将您的问题转给人工客服（工单号：{case_id}），工作人员会尽快回复您。"),
        "greeting": (
            "您好！我是行政手续咨询热线助手。请问您想咨询哪项手续？（例如：出生登记、身份证、居住登记）"
        ),
        "thanks": "不客气！还有其他可以帮您的吗？",
        "goodbye": "感谢您的咨询，祝您一天愉快！",
    },
    "ko": {
        "quote": "“{text}”",
        "paren": "{text}({extra})",
        "term_translated": "{translation}({quoted})",
        "term_vietnamese": "{quoted}(베트남어)",
        "list_sep": ", ",
        "part_sep": "; ",
        "bullet": "• {text}",
        "bullet_pair": "• {label}: {value}",
        "title_translated": "{translation} — 공식 명칭: {quoted}",
        "title_plain": "절차: {quoted}(베트남어 공식 명칭)",
        "field": "분야: {field}",
        "handled_by": "처리 기관: {agency}",
        "decided_by": "관할 기관: {agency}",
        "agency_not_stated": "처리 기관: 목록에 명시되어 있지 않습니다.",
        "level": "행정 단계: {levels}",
        "level_ministry": "중앙 부처급",
        "level_province": "성(省)급",
        "level_commune": "사(社)급",
        "level_other": "기타 기관",
        "channels_header": "신청 방법:",
        "channels_not_stated": "신청 방법: 목록에 명시되어 있지 않습니다.",
        "channels_available": "신청 방법: {channels}",
        "channel_in_person": "방문 접수",
        "channel_online": "온라인",
        "channel_post": "우편",
        "channel_line": "• {channel} – {details}",
        "time_part": "처리 기한: {time}",
        "fee_part": "수수료: {fee}",
        "not_stated": "목록에 명시되지 않음",
        "same_as_above": "위와 같음",
        "free": "무료",
        "money": "{amount}동",
        "as_published": "{quoted}(원문)",
        "fee_note": "{base} — 목록 비고(베트남어): {quoted}",
        "time_unit_missing": "{n}(단위가 목록에 명시되지 않음)",
        "unit_working_day_one": "{n}영업일",
        "unit_working_day_other": "{n}영업일",
        "unit_day_one": "{n}일",
        "unit_day_other": "{n}일",
        "unit_hour_one": "{n}시간",
        "unit_hour_other": "{n}시간",
        "unit_month_one": "{n}개월",
        "unit_month_other": "{n}개월",
        "unit_year_one": "{n}년",
        "unit_year_other": "{n}년",
        "documents_header": "주요 서류(공개된 베트남어 명칭):",
        "documents_header_full": "준비 서류(공개된 베트남어 명칭):",
        "documents_not_stated": "필요 서류: 목록에 명시되어 있지 않습니다.",
        "documents_more_one": "• … 외 {n}건(공식 페이지 참조)",
        "documents_more_other": "• … 외 {n}건(공식 페이지 참조)",
        "doc_group": "해당 경우(베트남어): {group}",
        "doc_form": "서식: {form}",
        "doc_originals_one": "원본 {n}부",
        "doc_originals_other": "원본 {n}부",
        "doc_copies_one": "사본 {n}부",
        "doc_copies_other": "사본 {n}부",
        "online_yes": "온라인 신청: 가능 – {url}",
        "online_no": "목록에 이 절차의 온라인 신청 방법이 없습니다.",
        "online_unknown": "이 절차를 온라인으로 신청할 수 있는지 목록에 명시되어 있지 않습니다.",
        "fee_header": "수수료:",
        "fee_not_stated_all": "수수료: 목록에 명시되어 있지 않습니다.",
        "duration_header": "처리 기한:",
        "duration_not_stated_all": "처리 기한: 목록에 명시되어 있지 않습니다.",
        "where_header": "신청 장소:",
        "receiving_address": "접수 주소: {address}",
        "address_not_stated": (
            "접수 주소: 목록에 명시되어 있지 않습니다. 거주하시는 사(xã) 또는 방(phường)을 "
            "알려 주시면 접수처를 찾아 드리겠습니다."
        ),
        "check_official": "자세한 내용은 공식 페이지를 확인해 주세요.",
        "citation": "출처: 절차 {code} – {url}",
        "citation_no_url": "출처: 절차 {code} – 다음 사이트에서 이 코드를 검색하세요: {url}",
        "related_header": "관련 절차:",
        "related_line": "• {code} – {name}",
        "place_merged": "{old}은(는) 2025년 7월 1일부터 {new}, {province}에 속합니다.",
        "place_part": (
            "{old}은(는) 2025년 7월 1일에 분할되었습니다. 일부는 현재 {new}, {province}에 "
            "속하며 나머지는 인접 단위에 속합니다."
        ),
        "place_split": ("{old}은(는) 2025년 7월 1일에 분할되었으며, 기존 지역은 현재 다음 단위에 속합니다:"),
        "place_unit_line": "• {name}, {province}",
        "place_split_hint": ("주소가 어느 단위에 속하는지는 위 단위 중 한 곳의 인민위원회에 문의해 주세요."),
        "place_current": "{name}은(는) {province}의 현행 행정 단위입니다.",
        "place_unknown": (
            "{old}이(가) 2025년 7월 1일 이후 어느 단위에 속하게 되었는지 기록이 없습니다. "
            "거주지 사/방 인민위원회에 문의해 주세요."
        ),
        "centre_header": "{commune}, {province} 서류 접수처:",
        "centre_name": "• {name}",
        "centre_address": "• 주소: {address}",
        "centre_phone": "• 전화: {phone}",
        "centre_hours": "• 업무 시간: {hours}",
        "centre_default_name": "{commune} 행정 서비스 창구",
        "centre_no_address": (
            "현재 {commune}, {province}의 접수처 주소 정보가 없습니다.\n"
            "{province} 공공행정서비스센터에 문의하시거나 국가 공공서비스 포털에서 확인해 "
            "주세요: {portal}"
        ),
        "clarify_procedure": "어떤 절차를 말씀하시나요? 번호로 답해 주세요:",
        "clarify_place": "{name}(이)라는 곳이 여러 곳 있습니다. 어느 곳인가요? 번호로 답해 주세요:",
        "clarify_place_generic": "어느 곳을 말씀하시나요? 번호로 답해 주세요:",
        "no_match": (
            "죄송합니다. 해당하는 절차를 찾지 못했습니다. 절차 이름을 넣어 다시 질문해 "
            "주시거나(예: “출생신고”), 상담원 연결을 요청해 주세요."
        ),
        "out_of_scope": (
            "죄송합니다. 저는 공공 행정 절차(서류, 수수료, 처리 기한, 신청 장소)에 관한 "
            "질문만 도와드릴 수 있습니다. 어떤 절차가 궁금하신가요?"
        ),
        "empty_input": "메시지가 비어 있습니다. 어떤 절차에 대해 도움이 필요하신지 알려 주세요.",
        "unreadable_input": "죄송합니다. 이 메시지를 읽을 수 없습니다. 질문을 글로 보내 주세요.",
        "too_long": "메시지가 너무 깁니다. 한 번에 하나씩 짧게 질문해 주세요.",
        "handoff_offer": "상담원과 연결해 드릴까요? 연결을 원하시면 “네”라고 답해 주세요.",
        "handoff_started": "질문을 상담원에게 전달했습니다. 최대한 빨리 답변드리겠습니다.",
        "handoff_started_case": (
            "질문을 상담원에게 전달했습니다(접수 번호: {case_id}). 최대한 빨리 답변드리겠습니다."
        ),
        "greeting": (
            "안녕하세요! 행정 절차 상담 도우미입니다. 어떤 절차가 궁금하신가요? "
            "(예: 출생신고, 신분증, 거주 등록)"
        ),
        "thanks": "천만에요! 더 도와드릴 일이 있을까요?",
        "goodbye": "문의해 주셔서 감사합니다. 좋은 하루 보내세요!",
    },
    "ja": {
        "quote": "「{text}」",
        "paren": "{text}（{extra}）",
        "term_translated": "{translation}（{quoted}）",
        "term_vietnamese": "{quoted}（ベトナム語）",
        "list_sep": "、",
        "part_sep": "、",
        "bullet": "• {text}",
        "bullet_pair": "• {label}：{value}",
        "title_translated": "{translation} — 正式名称：{quoted}",
        "title_plain": "手続：{quoted}（ベトナム語の正式名称）",
        "field": "分野：{field}",
        "handled_by": "担当機関：{agency}",
        "decided_by": "管轄機関：{agency}",
        "agency_not_stated": "担当機関：目録に記載がありません。",
        "level": "実施レベル：{levels}",
        "level_ministry": "中央省庁",
        "level_province": "省級",
        "level_commune": "社級（基礎自治体）",
        "level_other": "その他の機関",
        "channels_header": "申請方法：",
        "channels_not_stated": "申請方法：目録に記載がありません。",
        "channels_available": "申請方法：{channels}",
        "channel_in_person": "窓口",
        "channel_online": "オンライン",
        "channel_post": "郵送",
        "channel_line": "• {channel}：{details}",
        "time_part": "期限：{time}",
        "fee_part": "手数料：{fee}",
        "not_stated": "目録に記載なし",
        "same_as_above": "同上",
        "free": "無料",
        "money": "{amount}ドン",
        "as_published": "{quoted}（原文）",
        "fee_note": "{base}（目録の注記・ベトナム語：{quoted}）",
        "time_unit_missing": "{n}（単位は目録に記載なし）",
        "unit_working_day_one": "{n}営業日",
        "unit_working_day_other": "{n}営業日",
        "unit_day_one": "{n}日",
        "unit_day_other": "{n}日",
        "unit_hour_one": "{n}時間",
        "unit_hour_other": "{n}時間",
        "unit_month_one": "{n}か月",
        "unit_month_other": "{n}か月",
        "unit_year_one": "{n}年",
        "unit_year_other": "{n}年",
        "documents_header": "主な必要書類（公表されたベトナム語の名称）：",
        "documents_header_full": "必要書類（公表されたベトナム語の名称）：",
        "documents_not_stated": "必要書類：目録に記載がありません。",
        "documents_more_one": "• …ほか{n}件（公式ページを参照）",
        "documents_more_other": "• …ほか{n}件（公式ページを参照）",
        "doc_group": "ケース（ベトナム語）：{group}",
        "doc_form": "様式：{form}",
        "doc_originals_one": "原本{n}部",
        "doc_originals_other": "原本{n}部",
        "doc_copies_one": "写し{n}部",
        "doc_copies_other": "写し{n}部",
        "online_yes": "オンライン申請：可能 – {url}",
        "online_no": "目録には、この手続のオンライン申請は記載されていません。",
        "online_unknown": "この手続をオンラインで申請できるかどうかは目録に記載がありません。",
        "fee_header": "手数料：",
        "fee_not_stated_all": "手数料：目録に記載がありません。",
        "duration_header": "処理期間：",
        "duration_not_stated_all": "処理期間：目録に記載がありません。",
        "where_header": "申請先：",
        "receiving_address": "受付住所：{address}",
        "address_not_stated": (
            "受付住所：目録に記載がありません。お住まいの社（xã）または坊（phường）を"
            "教えていただければ、窓口をお調べします。"
        ),
        "check_official": "詳しくは公式ページをご確認ください。",
        "citation": "出典：手続 {code} – {url}",
        "citation_no_url": "出典：手続 {code} – {url} でこの番号を検索してください",
        "related_header": "関連する手続：",
        "related_line": "• {code} – {name}",
        "place_merged": "{old}は2025年7月1日から{new}、{province}の一部です。",
        "place_part": (
            "{old}は2025年7月1日に分割されました。一部は現在{new}、{province}に属し、"
            "残りは隣接する単位に属しています。"
        ),
        "place_split": "{old}は2025年7月1日に分割され、旧区域は現在次の単位に属しています：",
        "place_unit_line": "• {name}、{province}",
        "place_split_hint": (
            "ご住所がどの単位に属するかは、上記いずれかの人民委員会にお問い合わせください。"
        ),
        "place_current": "{name}は{province}の現行の行政単位です。",
        "place_unknown": (
            "{old}が2025年7月1日以降どの単位に属しているかの記録がありません。"
            "お住まいの社・坊の人民委員会にお問い合わせください。"
        ),
        "centre_header": "{commune}（{province}）の申請窓口：",
        "centre_name": "• {name}",
        "centre_address": "• 住所：{address}",
        "centre_phone": "• 電話：{phone}",
        "centre_hours": "• 受付時間：{hours}",
        "centre_default_name": "{commune}行政サービス窓口",
        "centre_no_address": (
            "現在、{commune}（{province}）の窓口の住所は登録されていません。\n"
            "{province}の公共行政サービスセンターにお問い合わせいただくか、"
            "国家公共サービスポータルでご確認ください：{portal}"
        ),
        "clarify_procedure": "どの手続のことですか？番号でお答えください：",
        "clarify_place": "{name}という場所が複数あります。どちらですか？番号でお答えください：",
        "clarify_place_generic": "どの場所のことですか？番号でお答えください：",
        "no_match": (
            "申し訳ありません。該当する手続が見つかりませんでした。手続の名称を入れて"
            "もう一度ご質問いただくか（例：「出生届」）、オペレーターへの接続をお申し付けください。"
        ),
        "out_of_scope": (
            "申し訳ありません。公共の行政手続（必要書類、手数料、期限、申請先）に関する"
            "ご質問にのみお答えできます。どの手続についてお知りになりたいですか？"
        ),
        "empty_input": "メッセージが空です。どの手続についてお困りか教えてください。",
        "unreadable_input": (
            "申し訳ありません。このメッセージを読み取れませんでした。ご質問を文字でお送りください。"
        ),
        "too_long": "メッセージが長すぎます。一度に一つずつ、短くご質問ください。",
        "handoff_offer": "オペレーターにおつなぎしましょうか？ご希望の場合は「はい」とお答えください。",
        "handoff_started": "ご質問をオペレーターに引き継ぎました。できるだけ早く回答いたします。",
        "handoff_started_case": (
            "ご質問をオペレーターに引き継ぎました（受付番号：{case_id}）。できるだけ早く回答いたします。"
        ),
        "greeting": (
            "こんにちは！行政手続案内ホットラインのアシスタントです。どの手続について"
            "お知りになりたいですか？（例：出生届、身分証明書、居住登録）"
        ),
        "thanks": "どういたしまして！ほかにお手伝いできることはありますか？",
        "goodbye": "お問い合わせありがとうございました。良い一日を！",
    },
}

# Handoff notices the citizen sees (web chat issue 11): a person took the case, the case is
# resolved, a message reached the officer. Stored as the conversation's messages and sent
# through the outbox by ``handoff.service``; kept in their own block so other branches'
# additions to the catalogue merge cleanly.
_HANDOFF_NOTICES: dict[str, dict[str, str]] = {
    "vi": {
        "notice_claimed_named": "Cán bộ {name} ({role}) đang hỗ trợ bạn.",
        "notice_claimed": "{role} đang hỗ trợ bạn.",
        "notice_resolved": "Yêu cầu {case_id} đã được giải quyết và đóng lại. Cảm ơn bạn đã liên hệ.",
        "notice_resolved_reopen": (
            "Yêu cầu {case_id} đã được giải quyết và đóng lại. Nếu cần hỗ trợ thêm về việc này, "
            "trong vòng {hours} giờ hãy nhắn “gặp tổng đài viên” để mở lại yêu cầu."
        ),
        "notice_ack": "Đã chuyển tin nhắn cho cán bộ đang hỗ trợ bạn.",
        "role_agent": "Tổng đài viên",
        "role_supervisor": "Giám sát viên",
        "role_admin": "Cán bộ quản lý",
    },
    "en": {
        "notice_claimed_named": "Officer {name} ({role}) is now helping you.",
        "notice_claimed": "A {role} is now helping you.",
        "notice_resolved": "Your request {case_id} has been resolved and closed. Thank you for contacting us.",
        "notice_resolved_reopen": (
            "Your request {case_id} has been resolved and closed. If you need more help with it, "
            "write “talk to a person” within {hours} hours to reopen it."
        ),
        "notice_ack": "Your message has been passed to the officer helping you.",
        "role_agent": "hotline agent",
        "role_supervisor": "supervisor",
        "role_admin": "hotline manager",
    },
    "fr": {
        "notice_claimed_named": "{name} ({role}) s'occupe de votre demande.",
        "notice_claimed": "Un {role} s'occupe de votre demande.",
        "notice_resolved": "Votre demande {case_id} a été traitée et clôturée. Merci de nous avoir contactés.",
        "notice_resolved_reopen": (
            "Votre demande {case_id} a été traitée et clôturée. Si vous avez encore besoin d'aide, "
            "écrivez « parler à un conseiller » dans les {hours} heures pour la rouvrir."
        ),
        "notice_ack": "Votre message a été transmis au conseiller qui vous aide.",
        "role_agent": "conseiller",
        "role_supervisor": "superviseur",
        "role_admin": "responsable",
    },
    "es": {
        "notice_claimed_named": "{name} ({role}) le está atendiendo.",
        "notice_claimed": "Un {role} le está atendiendo.",
        "notice_resolved": "Su solicitud {case_id} se ha resuelto y cerrado. Gracias por contactarnos.",
        "notice_resolved_reopen": (
            "Su solicitud {case_id} se ha resuelto y cerrado. Si necesita más ayuda con ella, "
            "escriba «hablar con una persona» en las próximas {hours} horas para reabrirla."
        ),
        "notice_ack": "Su mensaje se ha enviado al funcionario que le atiende.",
        "role_agent": "agente de la línea",
        "role_supervisor": "supervisor",
        "role_admin": "responsable",
    },
    "zh": {
        "notice_claimed_named": "工作人员{name}（{role}）正在为您服务。",
        "notice_claimed": "{role}正在为您服务。",
        "notice_resolved": "您的请求 {case_id} 已处理完毕并关闭。感谢您的联系。",
        "notice_resolved_reopen": (
            "您的请求 {case_id} 已处理完毕并关闭。如仍需帮助，请在 {hours} 小时内发送“转人工”以重新开启该请求。"
        ),
        "notice_ack": "您的消息已转给正在为您服务的工作人员。",
        "role_agent": "人工客服",
        "role_supervisor": "主管",
        "role_admin": "管理人员",
    },
    "ko": {
        "notice_claimed_named": "{name} 담당자({role})가 도와드리고 있습니다.",
        "notice_claimed": "{role}(이)가 도와드리고 있습니다.",
        "notice_resolved": "요청 {case_id}이(가) 처리되어 종료되었습니다. 문의해 주셔서 감사합니다.",
        "notice_resolved_reopen": (
            "요청 {case_id}이(가) 처리되어 종료되었습니다. 추가 도움이 필요하시면 {hours}시간 안에 "
            "“상담원 연결”이라고 보내 주시면 요청이 다시 열립니다."
        ),
        "notice_ack": "메시지를 담당 상담원에게 전달했습니다.",
        "role_agent": "상담원",
        "role_supervisor": "관리자",
        "role_admin": "책임자",
    },
    "ja": {
        "notice_claimed_named": "担当者の{name}（{role}）が対応しています。",
        "notice_claimed": "{role}が対応しています。",
        "notice_resolved": "ご依頼 {case_id} は対応が完了し、終了しました。お問い合わせありがとうございました。",
        "notice_resolved_reopen": (
            "ご依頼 {case_id} は対応が完了し、終了しました。さらにお手伝いが必要な場合は、"
            "{hours}時間以内に「オペレーターと話したい」と送ってください。ご依頼を再開します。"
        ),
        "notice_ack": "メッセージを担当者に転送しました。",
        "role_agent": "オペレーター",
        "role_supervisor": "スーパーバイザー",
        "role_admin": "責任者",
    },
}
for _lang, _extra in _HANDOFF_NOTICES.items():
    MESSAGES[_lang].update(_extra)


# Lĩnh vực (field) of the catalogue → translation. Vietnamese keys as published; lookups
# are normalised, so tone-mark variants and case do not matter.
FIELDS: dict[str, dict[str, str]] = {
    "Hộ tịch": {
        "en": "Civil status",
        "fr": "État civil",
        "es": "Registro civil",
        "zh": "民事身份登记",
        "ko": "가족관계 등록",
        "ja": "身分登録",
    },
    "Cư trú": {
        "en": "Residence registration",
        "fr": "Enregistrement de la résidence",
        "es": "Registro de residencia",
        "zh": "居住登记",
        "ko": "거주 등록",
        "ja": "居住登録",
    },
    "Đăng ký, quản lý cư trú": {
        "en": "Residence registration",
        "fr": "Enregistrement de la résidence",
        "es": "Registro de residencia",
        "zh": "居住登记",
        "ko": "거주 등록",
        "ja": "居住登録",
    },
    "Cấp, quản lý căn cước": {
        "en": "Identity cards",
        "fr": "Cartes d'identité",
        "es": "Documento de identidad",
        "zh": "身份证",
        "ko": "신분증",
        "ja": "身分証明書",
    },
    "Định danh và xác thực điện tử": {
        "en": "Electronic identification",
        "fr": "Identification électronique",
        "es": "Identificación electrónica",
        "zh": "电子身份认证",
        "ko": "전자 신원 인증",
        "ja": "電子本人確認",
    },
    "Quản lý xuất nhập cảnh": {
        "en": "Immigration and passports",
        "fr": "Immigration et passeports",
        "es": "Inmigración y pasaportes",
        "zh": "出入境管理",
        "ko": "출입국 관리",
        "ja": "出入国管理",
    },
    "Quốc tịch": {
        "en": "Nationality",
        "fr": "Nationalité",
        "es": "Nacionalidad",
        "zh": "国籍",
        "ko": "국적",
        "ja": "国籍",
    },
    "Nuôi con nuôi": {
        "en": "Adoption",
        "fr": "Adoption",
        "es": "Adopción",
        "zh": "收养",
        "ko": "입양",
        "ja": "養子縁組",
    },
    "Chứng thực": {
        "en": "Certification of copies and signatures",
        "fr": "Certification de copies et de signatures",
        "es": "Autenticación de copias y firmas",
        "zh": "副本与签名认证",
        "ko": "사본·서명 인증",
        "ja": "写し・署名の認証",
    },
    "Công chứng": {
        "en": "Notarisation",
        "fr": "Notariat",
        "es": "Notaría",
        "zh": "公证",
        "ko": "공증",
        "ja": "公証",
    },
    "Lý lịch tư pháp": {
        "en": "Criminal record certificates",
        "fr": "Casier judiciaire",
        "es": "Antecedentes penales",
        "zh": "司法履历（无犯罪记录证明）",
        "ko": "범죄경력 증명",
        "ja": "犯罪経歴証明",
    },
    "Trợ giúp pháp lý": {
        "en": "Legal aid",
        "fr": "Aide juridique",
        "es": "Asistencia jurídica gratuita",
        "zh": "法律援助",
        "ko": "법률 구조",
        "ja": "法律扶助",
    },
    "Luật sư": {
        "en": "Lawyers",
        "fr": "Avocats",
        "es": "Abogacía",
        "zh": "律师",
        "ko": "변호사",
        "ja": "弁護士",
    },
    "Thi hành án dân sự": {
        "en": "Civil judgment enforcement",
        "fr": "Exécution des décisions civiles",
        "es": "Ejecución de sentencias civiles",
        "zh": "民事判决执行",
        "ko": "민사 집행",
        "ja": "民事執行",
    },
    "Khiếu nại, tố cáo": {
        "en": "Complaints and denunciations",
        "fr": "Réclamations et dénonciations",
        "es": "Quejas y denuncias",
        "zh": "投诉与举报",
        "ko": "민원 및 고발",
        "ja": "苦情・告発",
    },
    "Đường bộ": {
        "en": "Road transport",
        "fr": "Transport routier",
        "es": "Transporte por carretera",
        "zh": "道路运输",
        "ko": "도로 교통",
        "ja": "道路交通",
    },
    "Sát hạch, cấp giấy phép lái xe": {
        "en": "Driving tests and licences",
        "fr": "Examens et permis de conduire",
        "es": "Exámenes y permisos de conducir",
        "zh": "驾驶考试与驾驶证",
        "ko": "운전면허 시험 및 발급",
        "ja": "運転免許の試験・交付",
    },
    "Đăng ký, quản lý phương tiện giao thông cơ giới, xe máy chuyên dùng": {
        "en": "Vehicle registration",
        "fr": "Immatriculation des véhicules",
        "es": "Matriculación de vehículos",
        "zh": "机动车登记",
        "ko": "차량 등록",
        "ja": "車両登録",
    },
    "Bảo đảm trật tự, an toàn giao thông đường bộ": {
        "en": "Road traffic safety",
        "fr": "Sécurité routière",
        "es": "Seguridad vial",
        "zh": "道路交通安全",
        "ko": "도로 교통 안전",
        "ja": "道路交通安全",
    },
    "Đăng kiểm": {
        "en": "Vehicle inspection",
        "fr": "Contrôle technique des véhicules",
        "es": "Inspección técnica de vehículos",
        "zh": "车辆检验",
        "ko": "차량 검사",
        "ja": "車両検査",
    },
    "Đường sắt": {
        "en": "Railways",
        "fr": "Chemins de fer",
        "es": "Ferrocarriles",
        "zh": "铁路",
        "ko": "철도",
        "ja": "鉄道",
    },
    "Hàng không": {
        "en": "Civil aviation",
        "fr": "Aviation civile",
        "es": "Aviación civil",
        "zh": "民用航空",
        "ko": "항공",
        "ja": "航空",
    },
    "Hàng hải và đường thủy nội địa": {
        "en": "Maritime and inland waterways",
        "fr": "Transport maritime et voies navigables",
        "es": "Transporte marítimo y vías navegables interiores",
        "zh": "海事与内河航运",
        "ko": "해운 및 내륙 수로",
        "ja": "海事・内陸水運",
    },
    "Thuế": {
        "en": "Tax",
        "fr": "Impôts",
        "es": "Impuestos",
        "zh": "税务",
        "ko": "세무",
        "ja": "税務",
    },
    "Hải quan": {
        "en": "Customs",
        "fr": "Douane",
        "es": "Aduanas",
        "zh": "海关",
        "ko": "세관",
        "ja": "税関",
    },
    "Bảo hiểm xã hội": {
        "en": "Social insurance",
        "fr": "Sécurité sociale",
        "es": "Seguridad social",
        "zh": "社会保险",
        "ko": "사회보험",
        "ja": "社会保険",
    },
    "Thực hiện chính sách BHXH": {
        "en": "Social insurance benefits",
        "fr": "Prestations de sécurité sociale",
        "es": "Prestaciones de la seguridad social",
        "zh": "社会保险政策",
        "ko": "사회보험 정책",
        "ja": "社会保険制度",
    },
    "Chi trả các chế độ BHXH": {
        "en": "Social insurance payments",
        "fr": "Versement des prestations de sécurité sociale",
        "es": "Pago de prestaciones de la seguridad social",
        "zh": "社会保险待遇支付",
        "ko": "사회보험 급여 지급",
        "ja": "社会保険給付の支払",
    },
    "Thực hiện chính sách BHYT": {
        "en": "Health insurance",
        "fr": "Assurance maladie",
        "es": "Seguro de salud",
        "zh": "医疗保险",
        "ko": "건강보험",
        "ja": "医療保険",
    },
    "Thu BHXH, BHYT, BHTN, BH tai nạn lao động, BNN": {
        "en": "Social, health and unemployment insurance contributions",
        "fr": "Cotisations de sécurité sociale, d'assurance maladie et chômage",
        "es": "Cotizaciones a la seguridad social, salud y desempleo",
        "zh": "社会保险、医疗保险和失业保险费征收",
        "ko": "사회·건강·고용보험료 징수",
        "ja": "社会保険・医療保険・失業保険料の徴収",
    },
    "Bảo hiểm": {
        "en": "Insurance",
        "fr": "Assurances",
        "es": "Seguros",
        "zh": "保险",
        "ko": "보험",
        "ja": "保険",
    },
    "Đất đai": {
        "en": "Land",
        "fr": "Foncier",
        "es": "Tierras",
        "zh": "土地",
        "ko": "토지",
        "ja": "土地",
    },
    "Tài chính đất đai": {
        "en": "Land finance",
        "fr": "Finances foncières",
        "es": "Finanzas de la tierra",
        "zh": "土地财政",
        "ko": "토지 재정",
        "ja": "土地財政",
    },
    "Nhà ở và công sở": {
        "en": "Housing and public offices",
        "fr": "Logement et bâtiments publics",
        "es": "Vivienda y edificios públicos",
        "zh": "住房与办公用房",
        "ko": "주택 및 공공청사",
        "ja": "住宅・庁舎",
    },
    "Kinh doanh bất động sản": {
        "en": "Real estate business",
        "fr": "Activités immobilières",
        "es": "Actividad inmobiliaria",
        "zh": "房地产经营",
        "ko": "부동산업",
        "ja": "不動産業",
    },
    "Hoạt động xây dựng": {
        "en": "Construction",
        "fr": "Construction",
        "es": "Construcción",
        "zh": "建设活动",
        "ko": "건설",
        "ja": "建設",
    },
    "Quy hoạch đô thị và nông thôn": {
        "en": "Urban and rural planning",
        "fr": "Urbanisme et aménagement rural",
        "es": "Planificación urbana y rural",
        "zh": "城乡规划",
        "ko": "도시·농촌 계획",
        "ja": "都市・農村計画",
    },
    "Thành lập và hoạt động của hộ kinh doanh": {
        "en": "Household businesses",
        "fr": "Entreprises individuelles familiales (hộ kinh doanh)",
        "es": "Negocios familiares (hộ kinh doanh)",
        "zh": "个体工商户",
        "ko": "가구 사업체(개인사업자)",
        "ja": "個人事業（世帯事業）",
    },
    "Thành lập và hoạt động doanh nghiệp (hộ kinh doanh)": {
        "en": "Household businesses",
        "fr": "Entreprises individuelles familiales (hộ kinh doanh)",
        "es": "Negocios familiares (hộ kinh doanh)",
        "zh": "个体工商户",
        "ko": "가구 사업체(개인사업자)",
        "ja": "個人事業（世帯事業）",
    },
    "Thành lập và hoạt động doanh nghiệp": {
        "en": "Business registration and operation",
        "fr": "Création et fonctionnement des entreprises",
        "es": "Constitución y funcionamiento de empresas",
        "zh": "企业设立与经营",
        "ko": "기업 설립 및 운영",
        "ja": "企業の設立・運営",
    },
    "Thành lập và hoạt động của doanh nghiệp": {
        "en": "Business registration and operation",
        "fr": "Création et fonctionnement des entreprises",
        "es": "Constitución y funcionamiento de empresas",
        "zh": "企业设立与经营",
        "ko": "기업 설립 및 운영",
        "ja": "企業の設立・運営",
    },
    "Thành lập và hoạt động của tổ hợp tác, hợp tác xã, liên hiệp hợp tác xã": {
        "en": "Cooperatives",
        "fr": "Coopératives",
        "es": "Cooperativas",
        "zh": "合作社",
        "ko": "협동조합",
        "ja": "協同組合",
    },
    "Đầu tư tại Việt nam": {
        "en": "Investment in Vietnam",
        "fr": "Investissement au Vietnam",
        "es": "Inversión en Vietnam",
        "zh": "在越南投资",
        "ko": "베트남 내 투자",
        "ja": "ベトナムへの投資",
    },
    "Thành lập và hoạt động ngân hàng": {
        "en": "Banking",
        "fr": "Activité bancaire",
        "es": "Actividad bancaria",
        "zh": "银行设立与经营",
        "ko": "은행 설립 및 운영",
        "ja": "銀行の設立・運営",
    },
    "Hoạt động ngoại hối": {
        "en": "Foreign exchange",
        "fr": "Opérations de change",
        "es": "Operaciones de divisas",
        "zh": "外汇业务",
        "ko": "외환",
        "ja": "外国為替",
    },
    "Chứng khoán": {
        "en": "Securities",
        "fr": "Valeurs mobilières",
        "es": "Valores",
        "zh": "证券",
        "ko": "증권",
        "ja": "証券",
    },
    "Đăng ký biện pháp bảo đảm": {
        "en": "Registration of security interests",
        "fr": "Enregistrement des sûretés",
        "es": "Registro de garantías",
        "zh": "担保登记",
        "ko": "담보 등기",
        "ja": "担保登記",
    },
    "Tài nguyên nước": {
        "en": "Water resources",
        "fr": "Ressources en eau",
        "es": "Recursos hídricos",
        "zh": "水资源",
        "ko": "수자원",
        "ja": "水資源",
    },
    "Môi trường": {
        "en": "Environment",
        "fr": "Environnement",
        "es": "Medio ambiente",
        "zh": "环境",
        "ko": "환경",
        "ja": "環境",
    },
    "Thú y": {
        "en": "Veterinary services",
        "fr": "Services vétérinaires",
        "es": "Servicios veterinarios",
        "zh": "兽医",
        "ko": "수의",
        "ja": "獣医",
    },
    "Chăn nuôi": {
        "en": "Livestock",
        "fr": "Élevage",
        "es": "Ganadería",
        "zh": "畜牧",
        "ko": "축산",
        "ja": "畜産",
    },
    "Thủy sản": {
        "en": "Fisheries",
        "fr": "Pêche et aquaculture",
        "es": "Pesca y acuicultura",
        "zh": "水产",
        "ko": "수산",
        "ja": "水産",
    },
    "Trồng trọt và Bảo vệ thực vật": {
        "en": "Crop production and plant protection",
        "fr": "Cultures et protection des végétaux",
        "es": "Cultivos y sanidad vegetal",
        "zh": "种植与植物保护",
        "ko": "작물 재배 및 식물 보호",
        "ja": "作物栽培・植物防疫",
    },
    "Lâm nghiệp": {
        "en": "Forestry",
        "fr": "Forêts",
        "es": "Silvicultura",
        "zh": "林业",
        "ko": "임업",
        "ja": "林業",
    },
    "Quản lý vũ khí, vật liệu nổ, công cụ hỗ trợ và pháo": {
        "en": "Weapons, explosives, support tools and fireworks",
        "fr": "Armes, explosifs, équipements de soutien et feux d'artifice",
        "es": "Armas, explosivos, herramientas de apoyo y pirotecnia",
        "zh": "武器、爆炸物、辅助工具和烟花管理",
        "ko": "무기·폭발물·보조 장비·불꽃 관리",
        "ja": "武器・爆発物・補助器具・花火の管理",
    },
    "Phòng cháy, chữa cháy": {
        "en": "Fire prevention and fighting",
        "fr": "Prévention et lutte contre l'incendie",
        "es": "Prevención y extinción de incendios",
        "zh": "消防",
        "ko": "소방",
        "ja": "消防",
    },
    "Người có công": {
        "en": "People with meritorious service to the revolution",
        "fr": "Personnes ayant rendu des services méritoires à la révolution",
        "es": "Personas con méritos revolucionarios",
        "zh": "革命有功人员",
        "ko": "유공자",
        "ja": "革命功労者",
    },
    "Bảo vệ dữ liệu cá nhân": {
        "en": "Personal data protection",
        "fr": "Protection des données personnelles",
        "es": "Protección de datos personales",
        "zh": "个人数据保护",
        "ko": "개인정보 보호",
        "ja": "個人データ保護",
    },
    "Đăng ký, quản lý con dấu": {
        "en": "Registration of seals",
        "fr": "Enregistrement des sceaux",
        "es": "Registro de sellos",
        "zh": "印章登记",
        "ko": "인장 등록",
        "ja": "印章登録",
    },
}

# The implementing agencies citizens meet most often. Anything else is shown in Vietnamese.
AGENCIES: dict[str, dict[str, str]] = {
    "Ủy ban nhân dân cấp xã": {
        "en": "Commune People's Committee",
        "fr": "Comité populaire de la commune",
        "es": "Comité Popular de la comuna",
        "zh": "社级人民委员会",
        "ko": "사(社)급 인민위원회",
        "ja": "社級人民委員会",
    },
    "Ủy ban nhân dân cấp tỉnh": {
        "en": "Provincial People's Committee",
        "fr": "Comité populaire provincial",
        "es": "Comité Popular provincial",
        "zh": "省级人民委员会",
        "ko": "성(省)급 인민위원회",
        "ja": "省級人民委員会",
    },
    "Công an cấp xã": {
        "en": "Commune police",
        "fr": "Police de la commune",
        "es": "Policía de la comuna",
        "zh": "社级公安",
        "ko": "사(社)급 공안",
        "ja": "社級公安",
    },
    "Công an cấp tỉnh": {
        "en": "Provincial police",
        "fr": "Police provinciale",
        "es": "Policía provincial",
        "zh": "省级公安",
        "ko": "성(省)급 공안",
        "ja": "省級公安",
    },
    "Công an tỉnh": {
        "en": "Provincial police",
        "fr": "Police provinciale",
        "es": "Policía provincial",
        "zh": "省公安",
        "ko": "성(省) 공안",
        "ja": "省公安",
    },
    "Bộ Công an": {
        "en": "Ministry of Public Security",
        "fr": "Ministère de la Sécurité publique",
        "es": "Ministerio de Seguridad Pública",
        "zh": "公安部",
        "ko": "공안부",
        "ja": "公安省",
    },
    "Cục Quản lý xuất nhập cảnh": {
        "en": "Immigration Department",
        "fr": "Département de l'immigration",
        "es": "Departamento de Inmigración",
        "zh": "出入境管理局",
        "ko": "출입국관리국",
        "ja": "出入国管理局",
    },
    "Phòng Quản lý xuất nhập cảnh Công an cấp tỉnh": {
        "en": "Immigration Office of the Provincial Police",
        "fr": "Bureau de l'immigration de la police provinciale",
        "es": "Oficina de Inmigración de la Policía provincial",
        "zh": "省公安出入境管理处",
        "ko": "성(省) 공안 출입국관리과",
        "ja": "省公安出入国管理課",
    },
    "Cơ quan đăng ký kinh doanh cấp xã": {
        "en": "Commune business registration office",
        "fr": "Bureau communal d'enregistrement des entreprises",
        "es": "Oficina comunal de registro de empresas",
        "zh": "社级经营登记机关",
        "ko": "사(社)급 사업자 등록 기관",
        "ja": "社級事業登録機関",
    },
    "Sở Tư pháp": {
        "en": "Provincial Department of Justice",
        "fr": "Service provincial de la justice",
        "es": "Departamento provincial de Justicia",
        "zh": "省司法厅",
        "ko": "성(省) 사법국",
        "ja": "省司法局",
    },
    "Bộ Tư pháp": {
        "en": "Ministry of Justice",
        "fr": "Ministère de la Justice",
        "es": "Ministerio de Justicia",
        "zh": "司法部",
        "ko": "법무부",
        "ja": "司法省",
    },
    "Sở Xây dựng": {
        "en": "Provincial Department of Construction",
        "fr": "Service provincial de la construction",
        "es": "Departamento provincial de Construcción",
        "zh": "省建设厅",
        "ko": "성(省) 건설국",
        "ja": "省建設局",
    },
    "Bộ Xây dựng": {
        "en": "Ministry of Construction",
        "fr": "Ministère de la Construction",
        "es": "Ministerio de Construcción",
        "zh": "建设部",
        "ko": "건설부",
        "ja": "建設省",
    },
    "Bộ Tài chính": {
        "en": "Ministry of Finance",
        "fr": "Ministère des Finances",
        "es": "Ministerio de Finanzas",
        "zh": "财政部",
        "ko": "재정부",
        "ja": "財政省",
    },
    "Sở Nông nghiệp và Môi trường": {
        "en": "Provincial Department of Agriculture and Environment",
        "fr": "Service provincial de l'agriculture et de l'environnement",
        "es": "Departamento provincial de Agricultura y Medio Ambiente",
        "zh": "省农业与环境厅",
        "ko": "성(省) 농업환경국",
        "ja": "省農業環境局",
    },
    "Ngân hàng Nhà nước Việt Nam": {
        "en": "State Bank of Vietnam",
        "fr": "Banque d'État du Vietnam",
        "es": "Banco Estatal de Vietnam",
        "zh": "越南国家银行",
        "ko": "베트남 국가은행",
        "ja": "ベトナム国家銀行",
    },
}

# Conversation (dialogue state, handoff queue, callback, language switching).
_DIALOGUE: dict[str, dict[str, str]] = {
    "vi": {
        "handoff_unavailable": "Xin lỗi, hiện chưa chuyển được cho tổng đài viên. Vui lòng gọi đường dây nóng của tỉnh hoặc thử lại sau ít phút.",
        "handoff_queue": "Bạn đang ở vị trí số {position} trong hàng chờ; thời gian chờ dự kiến khoảng {minutes} phút.",
        "handoff_queue_next": "Bạn là người tiếp theo trong hàng chờ.",
        "handoff_closed": (
            "Hiện đang ngoài giờ làm việc của tổng đài viên; nhân viên sẽ phản hồi từ {when}. "
            "Nếu muốn được gọi lại, vui lòng nhắn số điện thoại của bạn."
        ),
        "handoff_pending": "Yêu cầu {case_id} của bạn đã được chuyển cho tổng đài viên và đang chờ xử lý.",
        "callback_saved": "Cảm ơn bạn. Tổng đài viên sẽ gọi lại số {number} trong giờ làm việc.",
        "callback_invalid": "Số điện thoại chưa hợp lệ. Vui lòng nhập lại, ví dụ: 0905 123 456.",
        "language_set": "Vâng, tôi sẽ trả lời bằng tiếng Việt.",
        "option_invalid": "Vui lòng chọn một số từ 1 đến {count}.",
        "handoff_declined": "Vâng. Bạn cần hỏi thêm gì cứ nhắn cho tôi.",
        "followup_no_context": "Bạn đang hỏi về thủ tục nào? Vui lòng cho tôi biết tên thủ tục (ví dụ: đăng ký khai sinh).",
        "abuse_warning": "Xin bạn giữ lời lẽ lịch sự. Tôi sẵn sàng hỗ trợ bạn về thủ tục hành chính.",
        "followup_place": "Bạn cho tôi biết bạn ở xã/phường nào để tôi chỉ nơi nộp gần nhất.",
        "suggest_procedures": "Tôi chưa chắc bạn hỏi thủ tục nào. Có phải một trong các thủ tục sau không? Vui lòng chọn số, hoặc chọn 0 để gặp tổng đài viên:",
        "clarify_sibling": "Thủ tục này có nhiều trường hợp. Trường hợp của bạn là trường hợp nào? Vui lòng chọn số:",
        "not_in_catalogue": "Danh mục thủ tục tôi đang tra cứu chưa có thủ tục về {topic}. Việc này thường do {authority} giải quyết. Bạn có muốn được tổng đài viên hỗ trợ thêm không? Trả lời “có” hoặc “0” để được chuyển tiếp.",
        "no_match_offer": "Xin lỗi, tôi chưa tìm thấy thủ tục phù hợp. Bạn hãy mô tả lại bằng cách khác (ví dụ: giấy tờ bạn cần làm), hoặc trả lời “0” để gặp tổng đài viên.",
    },
    "en": {
        "handoff_unavailable": "Sorry, I could not reach the hotline staff just now. Please call the provincial hotline or try again in a few minutes.",
        "handoff_queue": "You are number {position} in the queue; the expected wait is about {minutes} minutes.",
        "handoff_queue_next": "You are next in the queue.",
        "handoff_closed": (
            "Our hotline staff are outside working hours now; they will answer from {when}. "
            "If you would like a call back, please send your phone number."
        ),
        "handoff_pending": "Your request {case_id} has been passed to hotline staff and is waiting to be handled.",
        "callback_saved": "Thank you. A staff member will call {number} back during working hours.",
        "callback_invalid": "That phone number does not look valid. Please send it again, e.g. 0905 123 456.",
        "language_set": "Sure, I will answer in English.",
        "option_invalid": "Please choose a number from 1 to {count}.",
        "handoff_declined": "All right. Just send me a message if you have another question.",
        "followup_no_context": "Which procedure are you asking about? Please tell me its name (for example: birth registration).",
        "abuse_warning": "Please keep the conversation polite. I am glad to help you with administrative procedures.",
        "followup_place": "Tell me which commune or ward you live in and I will show you the nearest office.",
        "suggest_procedures": "I am not sure which procedure you mean. Is it one of these? Reply with its number, or 0 to talk to a staff member:",
        "clarify_sibling": "This procedure has several cases. Which one is yours? Reply with its number:",
        "not_in_catalogue": "The procedure catalogue I search has no procedures on {topic}. This is usually handled by {authority}. Would you like a hotline staff member to help you further? Reply “yes” or “0” to be transferred.",
        "no_match_offer": "Sorry, I could not find a matching procedure. Please describe it in other words (for example, the document you need), or reply “0” to talk to a staff member.",
    },
    "fr": {
        "handoff_unavailable": "Désolé, je n'ai pas pu joindre les conseillers pour le moment. Appelez la ligne d'assistance de la province ou réessayez dans quelques minutes.",
        "handoff_queue": "Vous êtes en position {position} dans la file ; attente estimée : environ {minutes} minutes.",
        "handoff_queue_next": "Vous êtes le prochain dans la file.",
        "handoff_closed": (
            "Nos conseillers sont actuellement hors de leurs heures de service ; ils répondront à partir de {when}. "
            "Si vous souhaitez être rappelé, envoyez votre numéro de téléphone."
        ),
        "handoff_pending": "Votre demande {case_id} a été transmise à un conseiller et attend d'être traitée.",
        "callback_saved": "Merci. Un conseiller rappellera le {number} pendant les heures de service.",
        "callback_invalid": "Ce numéro ne semble pas valide. Renvoyez-le, par exemple : 0905 123 456.",
        "language_set": "D'accord, je vous répondrai en français.",
        "option_invalid": "Veuillez choisir un numéro de 1 à {count}.",
        "handoff_declined": "Très bien. Écrivez-moi si vous avez une autre question.",
        "followup_no_context": "De quelle procédure parlez-vous ? Indiquez son nom (par exemple : déclaration de naissance).",
        "abuse_warning": "Merci de rester courtois. Je suis là pour vous aider dans vos démarches administratives.",
        "followup_place": "Indiquez-moi votre commune ou quartier et je vous montrerai le guichet le plus proche.",
        "suggest_procedures": "Je ne suis pas sûr de la procédure dont vous parlez. Est-ce l'une de celles-ci ? Répondez par son numéro, ou 0 pour parler à un conseiller :",
        "clarify_sibling": "Cette procédure comporte plusieurs cas. Lequel est le vôtre ? Répondez par son numéro :",
        "not_in_catalogue": "Le catalogue de procédures que je consulte ne contient pas de procédure sur {topic}. Cela relève généralement de {authority}. Souhaitez-vous l'aide d'un conseiller ? Répondez « oui » ou « 0 » pour être transféré.",
        "no_match_offer": "Désolé, je n'ai pas trouvé de procédure correspondante. Décrivez-la autrement (par exemple, le document dont vous avez besoin), ou répondez « 0 » pour parler à un conseiller.",
    },
    "es": {
        "handoff_unavailable": "Lo siento, no he podido contactar con el personal en este momento. Llame a la línea de la provincia o inténtelo de nuevo en unos minutos.",
        "handoff_queue": "Usted es el número {position} en la cola; la espera estimada es de unos {minutes} minutos.",
        "handoff_queue_next": "Usted es el siguiente en la cola.",
        "handoff_closed": (
            "Nuestro personal está fuera de su horario de trabajo; responderá a partir de {when}. "
            "Si desea que le llamemos, envíe su número de teléfono."
        ),
        "handoff_pending": "Su solicitud {case_id} se ha pasado al personal y está a la espera de ser atendida.",
        "callback_saved": "Gracias. Un miembro del personal llamará al {number} en horario de trabajo.",
        "callback_invalid": "Ese número no parece válido. Envíelo de nuevo, por ejemplo: 0905 123 456.",
        "language_set": "De acuerdo, le responderé en español.",
        "option_invalid": "Elija un número del 1 al {count}.",
        "handoff_declined": "De acuerdo. Escríbame si tiene otra pregunta.",
        "followup_no_context": "¿Sobre qué trámite pregunta? Dígame su nombre (por ejemplo: inscripción de nacimiento).",
        "abuse_warning": "Le ruego que mantenga un tono cortés. Con gusto le ayudo con sus trámites.",
        "followup_place": "Dígame en qué comuna o barrio vive y le indicaré la oficina más cercana.",
        "suggest_procedures": "No estoy seguro de a qué trámite se refiere. ¿Es uno de estos? Responda con su número, o 0 para hablar con una persona del servicio:",
        "clarify_sibling": "Este trámite tiene varios casos. ¿Cuál es el suyo? Responda con su número:",
        "not_in_catalogue": "El catálogo de trámites que consulto no tiene trámites sobre {topic}. Normalmente de esto se encarga {authority}. ¿Desea que le ayude una persona del servicio? Responda «sí» o «0» para ser transferido.",
        "no_match_offer": "Lo siento, no he encontrado un trámite que coincida. Descríbalo de otra manera (por ejemplo, el documento que necesita), o responda «0» para hablar con una persona del servicio.",
    },
    "zh": {
        "handoff_unavailable": "抱歉，暂时无法转接人工客服。请拨打本省热线或几分钟后再试。",
        "handoff_queue": "您目前排在第{position}位，预计等待约{minutes}分钟。",
        "handoff_queue_next": "下一位就是您。",
        "handoff_closed": "现在是人工客服的非工作时间；客服将从{when}起回复。如需回电，请发送您的电话号码。",
        "handoff_pending": "您的请求{case_id}已转交人工客服，正在等待处理。",
        "callback_saved": "谢谢。客服将在工作时间回拨{number}。",
        "callback_invalid": "电话号码似乎无效，请重新发送，例如：0905 123 456。",
        "language_set": "好的，我将用中文回答。",
        "option_invalid": "请选择1到{count}之间的数字。",
        "handoff_declined": "好的。如有其他问题，请随时给我发消息。",
        "followup_no_context": "您问的是哪项手续？请告诉我手续名称（例如：出生登记）。",
        "abuse_warning": "请保持礼貌。我很乐意为您解答行政手续问题。",
        "followup_place": "请告诉我您所在的社/坊，我会告诉您最近的办理地点。",
        "suggest_procedures": "我不确定您指的是哪项手续。是以下其中之一吗？请回复编号，或回复0转接人工客服：",
        "clarify_sibling": "这项手续分几种情况。您属于哪一种？请回复编号：",
        "not_in_catalogue": "我查询的手续目录中没有关于{topic}的手续。这类事项通常由{authority}办理。需要人工客服进一步协助吗？回复“是”或“0”即可转接。",
        "no_match_offer": "抱歉，我没有找到相符的手续。请换一种方式描述（例如您需要办理的证件），或回复“0”转接人工客服。",
    },
    "ko": {
        "handoff_unavailable": "죄송합니다. 지금은 상담원에게 연결할 수 없습니다. 성 핫라인으로 전화하시거나 몇 분 후 다시 시도해 주세요.",
        "handoff_queue": "대기 순서는 {position}번째이며, 예상 대기 시간은 약 {minutes}분입니다.",
        "handoff_queue_next": "다음 순서입니다.",
        "handoff_closed": "지금은 상담원 근무 시간이 아닙니다. {when}부터 답변드립니다. 회신 전화를 원하시면 전화번호를 보내 주세요.",
        "handoff_pending": "요청 {case_id}이(가) 상담원에게 전달되어 처리를 기다리고 있습니다.",
        "callback_saved": "감사합니다. 근무 시간에 상담원이 {number}(으)로 전화드리겠습니다.",
        "callback_invalid": "전화번호가 올바르지 않습니다. 다시 보내 주세요. 예: 0905 123 456",
        "language_set": "네, 한국어로 답변드리겠습니다.",
        "option_invalid": "1부터 {count} 사이의 번호를 선택해 주세요.",
        "handoff_declined": "알겠습니다. 다른 질문이 있으면 메시지를 보내 주세요.",
        "followup_no_context": "어떤 절차에 대해 문의하시나요? 절차 이름을 알려 주세요 (예: 출생 신고).",
        "abuse_warning": "정중한 표현을 부탁드립니다. 행정 절차에 대해 기꺼이 도와드리겠습니다.",
        "followup_place": "거주하시는 사/방을 알려 주시면 가장 가까운 접수처를 안내해 드리겠습니다.",
        "suggest_procedures": "어떤 절차를 말씀하시는지 확실하지 않습니다. 다음 중 하나인가요? 번호로 답하시거나, 상담원 연결은 0을 보내 주세요:",
        "clarify_sibling": "이 절차에는 여러 경우가 있습니다. 어느 경우에 해당하시나요? 번호로 답해 주세요:",
        "not_in_catalogue": "제가 검색하는 절차 목록에는 {topic} 관련 절차가 없습니다. 이 업무는 보통 {authority}에서 담당합니다. 상담원의 도움을 받으시겠어요? 연결을 원하시면 “네” 또는 “0”이라고 답해 주세요.",
        "no_match_offer": "죄송합니다. 맞는 절차를 찾지 못했습니다. 다른 말로 설명해 주시거나(예: 필요한 서류), 상담원 연결은 “0”을 보내 주세요.",
    },
    "ja": {
        "handoff_unavailable": "申し訳ありません。現在担当者におつなぎできません。省のホットラインにお電話いただくか、数分後にもう一度お試しください。",
        "handoff_queue": "順番は{position}番目で、待ち時間は約{minutes}分の見込みです。",
        "handoff_queue_next": "次があなたの番です。",
        "handoff_closed": "現在は担当者の受付時間外です。{when}から対応します。折り返しの電話をご希望の場合は、電話番号を送ってください。",
        "handoff_pending": "ご依頼{case_id}は担当者に引き継がれ、対応を待っています。",
        "callback_saved": "ありがとうございます。受付時間内に担当者が{number}へ折り返しお電話します。",
        "callback_invalid": "電話番号が正しくないようです。もう一度送ってください（例：0905 123 456）。",
        "language_set": "承知しました。日本語でお答えします。",
        "option_invalid": "1から{count}までの番号を選んでください。",
        "handoff_declined": "承知しました。ほかにご質問があればメッセージを送ってください。",
        "followup_no_context": "どの手続きについてのご質問ですか？手続きの名前を教えてください（例：出生届）。",
        "abuse_warning": "丁寧な言葉遣いをお願いします。行政手続きについて喜んでお手伝いします。",
        "followup_place": "お住まいの社・坊を教えていただければ、最寄りの窓口をご案内します。",
        "suggest_procedures": "どの手続きのことか確かではありません。次のいずれかですか？番号でお答えいただくか、担当者と話す場合は0を送ってください：",
        "clarify_sibling": "この手続きにはいくつかのケースがあります。どれに当てはまりますか？番号でお答えください：",
        "not_in_catalogue": "私が検索している手続き目録には{topic}に関する手続きがありません。通常は{authority}が担当しています。担当者がさらにお手伝いしましょうか？ご希望の場合は「はい」または「0」とお答えください。",
        "no_match_offer": "申し訳ありません。該当する手続きが見つかりませんでした。別の言い方で説明していただくか（例：必要な書類）、担当者と話す場合は「0」を送ってください。",
    },
}
for _lang, _extra in _DIALOGUE.items():
    MESSAGES[_lang].update(_extra)

# Dialogue policy: which office handles a procedure for the citizen's commune (branch policy).
_POLICY: dict[str, dict[str, str]] = {
    "vi": {
        "depends_on_case": "Tùy trường hợp của bạn:",
        "acknowledged": "Vâng. Bạn cần hỏi thêm gì cứ nhắn cho tôi.",
        "where_level_commune": "Thủ tục này giải quyết ở cấp xã: bạn nộp tại trung tâm của {commune}.",
        "where_level_province": "Thủ tục này do cấp tỉnh ({province}) giải quyết, không nộp tại xã/phường: bạn nộp tại cơ quan cấp tỉnh nêu trên hoặc Trung tâm phục vụ hành chính công {province}.",
        "where_level_ministry": "Thủ tục này do bộ, ngành trung ương giải quyết, không nộp tại xã/phường hay tỉnh: bạn nộp tại cơ quan nêu trên hoặc trực tuyến.",
    },
    "en": {
        "depends_on_case": "It depends on your case:",
        "acknowledged": "All right. Send me a message whenever you have another question.",
        "where_level_commune": "This procedure is handled at commune level: submit it at the centre of {commune}.",
        "where_level_province": "This procedure is handled by the province ({province}), not by your commune: submit it to the provincial office named above or the public administrative service centre of {province}.",
        "where_level_ministry": "This procedure is handled by a central ministry, not by your commune or province: submit it to the office named above or online.",
    },
    "fr": {
        "depends_on_case": "Cela dépend de votre cas :",
        "acknowledged": "Très bien. Écrivez-moi si vous avez une autre question.",
        "where_level_commune": "Cette procédure relève de la commune : déposez le dossier au centre de {commune}.",
        "where_level_province": "Cette procédure relève de la province ({province}), pas de votre commune : déposez le dossier auprès du service provincial indiqué ci-dessus ou du centre de services administratifs de {province}.",
        "where_level_ministry": "Cette procédure relève d'un ministère central, ni de la commune ni de la province : déposez le dossier auprès du service indiqué ci-dessus ou en ligne.",
    },
    "es": {
        "depends_on_case": "Depende de su caso:",
        "acknowledged": "De acuerdo. Escríbame cuando tenga otra pregunta.",
        "where_level_commune": "Este trámite se resuelve en la comuna: preséntelo en el centro de {commune}.",
        "where_level_province": "Este trámite lo resuelve la provincia ({province}), no su comuna: preséntelo en la oficina provincial indicada arriba o en el centro de servicios administrativos de {province}.",
        "where_level_ministry": "Este trámite lo resuelve un ministerio central, no su comuna ni su provincia: preséntelo en la oficina indicada arriba o en línea.",
    },
    "zh": {
        "depends_on_case": "视您的情况而定：",
        "acknowledged": "好的。如有其他问题，请随时给我发消息。",
        "where_level_commune": "此手续由社级办理：请到{commune}的服务中心提交。",
        "where_level_province": "此手续由省级（{province}）办理，不在社/坊提交：请到上述省级机关或{province}行政服务中心提交。",
        "where_level_ministry": "此手续由中央部委办理，不在社/坊或省提交：请到上述机关提交或在网上提交。",
    },
    "ko": {
        "depends_on_case": "경우에 따라 다릅니다:",
        "acknowledged": "알겠습니다. 다른 질문이 있으면 언제든 메시지를 보내 주세요.",
        "where_level_commune": "이 절차는 사(社) 단위에서 처리합니다: {commune} 센터에 제출하세요.",
        "where_level_province": "이 절차는 성({province})에서 처리하며 사/방에서는 접수하지 않습니다: 위의 성 기관 또는 {province} 행정서비스센터에 제출하세요.",
        "where_level_ministry": "이 절차는 중앙 부처에서 처리하며 사/방이나 성에서는 접수하지 않습니다: 위의 기관에 제출하거나 온라인으로 제출하세요.",
    },
    "ja": {
        "depends_on_case": "ケースによって異なります：",
        "acknowledged": "承知しました。ほかにご質問があればいつでもメッセージを送ってください。",
        "where_level_commune": "この手続きは社レベルで処理されます：{commune}のセンターに提出してください。",
        "where_level_province": "この手続きは省（{province}）が処理し、社・坊では受け付けません：上記の省の機関または{province}の行政サービスセンターに提出してください。",
        "where_level_ministry": "この手続きは中央省庁が処理し、社・坊や省では受け付けません：上記の機関に提出するか、オンラインで提出してください。",
    },
}
for _lang, _extra in _POLICY.items():
    MESSAGES[_lang].update(_extra)

# Structured replies (issue 11): the aspect menu offered after a short first answer, and the
# lines of the short answer. A separate block so that other branches' new keys merge cleanly.
_RENDER: dict[str, dict[str, str]] = {
    "vi": {
        "aspect_documents": "giấy tờ",
        "aspect_fee": "lệ phí",
        "aspect_time": "thời hạn",
        "aspect_where": "nơi nộp",
        "aspect_online": "nộp trực tuyến",
        "aspect_staff": "gặp tổng đài viên",
        "first_more_values_one": "• … và {n} mức khác (xem trang chính thức)",
        "first_more_values_other": "• … và {n} mức khác (xem trang chính thức)",
        "menu_lead": "Xem thêm:",
        "fee_header_one_line": "Phí, lệ phí: {value}",
        "duration_header_one_line": "Thời hạn giải quyết: {value}",
        "fee_with_amounts": "{base} (danh mục ghi: {notes})",
        "first_documents_more_one": "• … và {n} giấy tờ khác",
        "first_documents_more_other": "• … và {n} giấy tờ khác",
        "first_documents_cases_one": "Có thêm {n} giấy tờ cho trường hợp riêng: xem đầy đủ tại trang chính thức bên dưới.",
        "first_documents_cases_other": "Có thêm {n} giấy tờ cho các trường hợp riêng: xem đầy đủ tại trang chính thức bên dưới.",
        "summary_online_yes": "Nộp trực tuyến: có",
        "summary_online_no": "Nộp trực tuyến: danh mục không ghi nhận",
        "summary_documents": "Giấy tờ chính: {documents}",
        "summary_documents_more": "Giấy tờ chính: {documents} (và {n} giấy tờ khác)",
    },
    "en": {
        "aspect_documents": "documents",
        "aspect_fee": "fees",
        "aspect_time": "time limit",
        "aspect_where": "where to apply",
        "aspect_online": "online",
        "aspect_staff": "talk to an officer",
        "first_more_values_one": "• … and {n} more (see the official page)",
        "first_more_values_other": "• … and {n} more (see the official page)",
        "menu_lead": "More:",
        "fee_header_one_line": "Fees: {value}",
        "duration_header_one_line": "Processing time: {value}",
        "fee_with_amounts": "{base} (the catalogue notes: {notes})",
        "first_documents_more_one": "• … and {n} more document",
        "first_documents_more_other": "• … and {n} more documents",
        "first_documents_cases_one": "{n} more document for a particular case: see the full list on the official page below.",
        "first_documents_cases_other": "{n} more documents for particular cases: see the full list on the official page below.",
        "summary_online_yes": "Online application: yes",
        "summary_online_no": "Online application: not recorded in the catalogue",
        "summary_documents": "Main documents: {documents}",
        "summary_documents_more": "Main documents: {documents} (and {n} more)",
    },
    "fr": {
        "aspect_documents": "pièces à fournir",
        "aspect_fee": "frais",
        "aspect_time": "délai",
        "aspect_where": "où déposer",
        "aspect_online": "en ligne",
        "aspect_staff": "parler à un agent",
        "first_more_values_one": "• … et {n} autre (voir la page officielle)",
        "first_more_values_other": "• … et {n} autres (voir la page officielle)",
        "menu_lead": "Plus :",
        "fee_header_one_line": "Frais : {value}",
        "duration_header_one_line": "Délai de traitement : {value}",
        "fee_with_amounts": "{base} (le catalogue précise : {notes})",
        "first_documents_more_one": "• … et {n} autre pièce",
        "first_documents_more_other": "• … et {n} autres pièces",
        "first_documents_cases_one": "{n} autre pièce pour un cas particulier : liste complète sur la page officielle ci-dessous.",
        "first_documents_cases_other": "{n} autres pièces pour des cas particuliers : liste complète sur la page officielle ci-dessous.",
        "summary_online_yes": "Démarche en ligne : oui",
        "summary_online_no": "Démarche en ligne : non mentionnée au catalogue",
        "summary_documents": "Pièces principales : {documents}",
        "summary_documents_more": "Pièces principales : {documents} (et {n} autres)",
    },
    "es": {
        "aspect_documents": "documentos",
        "aspect_fee": "tasas",
        "aspect_time": "plazo",
        "aspect_where": "dónde presentar",
        "aspect_online": "en línea",
        "aspect_staff": "hablar con un agente",
        "first_more_values_one": "• … y {n} más (ver la página oficial)",
        "first_more_values_other": "• … y {n} más (ver la página oficial)",
        "menu_lead": "Más:",
        "fee_header_one_line": "Tasas: {value}",
        "duration_header_one_line": "Plazo de resolución: {value}",
        "fee_with_amounts": "{base} (el catálogo indica: {notes})",
        "first_documents_more_one": "• … y {n} documento más",
        "first_documents_more_other": "• … y {n} documentos más",
        "first_documents_cases_one": "{n} documento más para un caso particular: lista completa en la página oficial abajo.",
        "first_documents_cases_other": "{n} documentos más para casos particulares: lista completa en la página oficial abajo.",
        "summary_online_yes": "Trámite en línea: sí",
        "summary_online_no": "Trámite en línea: no consta en el catálogo",
        "summary_documents": "Documentos principales: {documents}",
        "summary_documents_more": "Documentos principales: {documents} (y {n} más)",
    },
    "zh": {
        "aspect_documents": "所需材料",
        "aspect_fee": "费用",
        "aspect_time": "办理时限",
        "aspect_where": "办理地点",
        "aspect_online": "网上办理",
        "aspect_staff": "转人工客服",
        "first_more_values_one": "• ……另有{n}项（见官方页面）",
        "first_more_values_other": "• ……另有{n}项（见官方页面）",
        "menu_lead": "更多：",
        "fee_header_one_line": "费用：{value}",
        "duration_header_one_line": "办理时限：{value}",
        "fee_with_amounts": "{base}（目录注明：{notes}）",
        "first_documents_more_one": "• ……另有{n}份材料",
        "first_documents_more_other": "• ……另有{n}份材料",
        "first_documents_cases_one": "特殊情况另需{n}份材料：完整清单见下方官方页面。",
        "first_documents_cases_other": "特殊情况另需{n}份材料：完整清单见下方官方页面。",
        "summary_online_yes": "网上办理：可以",
        "summary_online_no": "网上办理：目录中未记载",
        "summary_documents": "主要材料：{documents}",
        "summary_documents_more": "主要材料：{documents}（另有{n}份）",
    },
    "ko": {
        "aspect_documents": "구비 서류",
        "aspect_fee": "수수료",
        "aspect_time": "처리 기간",
        "aspect_where": "접수처",
        "aspect_online": "온라인 신청",
        "aspect_staff": "상담원 연결",
        "first_more_values_one": "• … 외 {n}건 (공식 페이지 참고)",
        "first_more_values_other": "• … 외 {n}건 (공식 페이지 참고)",
        "menu_lead": "더 보기:",
        "fee_header_one_line": "수수료: {value}",
        "duration_header_one_line": "처리 기간: {value}",
        "fee_with_amounts": "{base} (목록 비고: {notes})",
        "first_documents_more_one": "• … 외 서류 {n}건",
        "first_documents_more_other": "• … 외 서류 {n}건",
        "first_documents_cases_one": "특정 경우에 필요한 서류 {n}건: 전체 목록은 아래 공식 페이지를 참고하세요.",
        "first_documents_cases_other": "특정 경우에 필요한 서류 {n}건: 전체 목록은 아래 공식 페이지를 참고하세요.",
        "summary_online_yes": "온라인 신청: 가능",
        "summary_online_no": "온라인 신청: 목록에 기재되지 않음",
        "summary_documents": "주요 서류: {documents}",
        "summary_documents_more": "주요 서류: {documents} (외 {n}건)",
    },
    "ja": {
        "aspect_documents": "必要書類",
        "aspect_fee": "手数料",
        "aspect_time": "処理期間",
        "aspect_where": "申請窓口",
        "aspect_online": "オンライン申請",
        "aspect_staff": "担当者と話す",
        "first_more_values_one": "• …ほか{n}件（公式ページをご覧ください）",
        "first_more_values_other": "• …ほか{n}件（公式ページをご覧ください）",
        "menu_lead": "詳細：",
        "fee_header_one_line": "手数料：{value}",
        "duration_header_one_line": "処理期間：{value}",
        "fee_with_amounts": "{base}（目録の注記：{notes}）",
        "first_documents_more_one": "• …ほか{n}点の書類",
        "first_documents_more_other": "• …ほか{n}点の書類",
        "first_documents_cases_one": "特定の場合に必要な書類がほか{n}点あります。全リストは下の公式ページをご覧ください。",
        "first_documents_cases_other": "特定の場合に必要な書類がほか{n}点あります。全リストは下の公式ページをご覧ください。",
        "summary_online_yes": "オンライン申請：可",
        "summary_online_no": "オンライン申請：目録に記載なし",
        "summary_documents": "主な書類：{documents}",
        "summary_documents_more": "主な書類：{documents}（ほか{n}点）",
    },
}
for _lang, _extra in _RENDER.items():
    MESSAGES[_lang].update(_extra)
