/* Web chat of the public services hotline.
 *
 * Talks to POST /api/v1/ask ({"text", "conversation_id"?, "conversation_token"?, "lang"?})
 * and renders the reply. Everything the server sends is inserted as text (textContent / text
 * nodes), never as HTML; only https:// URLs become links. The server issues the conversation
 * id and its secret token with the first reply; both, and the transcript, live in
 * sessionStorage so a reload keeps the conversation, and a new tab starts a fresh one. The
 * token goes back in the body of every question and in the X-Conversation-Token header of
 * every transcript read.
 */
(function () {
  "use strict";

  var API_URL = "/api/v1/ask";
  var STORE_ID = "hotline.conversation_id";
  var STORE_TOKEN = "hotline.conversation_token";
  var STORE_LANG = "hotline.lang";
  var STORE_HISTORY = "hotline.history";
  // Kept across a reload so a page reloaded during a handoff keeps listening for staff
  // replies, and does not show again the ones already on screen.
  var STORE_SEEN = "hotline.seen";
  var STORE_POLLING = "hotline.polling";
  var MAX_HISTORY = 60;
  var TIMEOUT_MS = 30000;
  var LANGS = ["vi", "en", "fr", "es", "zh", "ko", "ja"];

  var UI = {
    vi: {
      subtitle: "Hỏi về hồ sơ, lệ phí, thời hạn và nơi nộp của các thủ tục hành chính.",
      langLabel: "Ngôn ngữ",
      auto: "Tự động",
      newChat: "Cuộc trò chuyện mới",
      inputLabel: "Câu hỏi của bạn",
      placeholder: "Nhập câu hỏi, ví dụ: Làm giấy khai sinh cần những gì?",
      send: "Gửi",
      typing: "Đang trả lời…",
      you: "Bạn",
      bot: "Trợ lý",
      log: "Cuộc trò chuyện",
      skip: "Chuyển đến ô nhập câu hỏi",
      welcome: "Xin chào! Tôi có thể giúp bạn tìm hiểu thủ tục hành chính: hồ sơ cần chuẩn bị, lệ phí, thời hạn và nơi nộp. Bạn cần hỏi gì?",
      sources: "Thủ tục liên quan trong danh mục",
      choose: "Chọn một mục",
      handoff: "Yêu cầu đã được chuyển cho tổng đài viên (mã: {id}, trạng thái: {status}).",
      errorNetwork: "Không kết nối được với máy chủ. Vui lòng kiểm tra mạng và thử lại.",
      errorInvalid: "Tin nhắn không hợp lệ. Vui lòng kiểm tra nội dung và thử lại.",
      errorTooLong: "Tin nhắn quá dài. Vui lòng rút ngắn câu hỏi.",
      errorBusy: "Hệ thống đang bận. Vui lòng thử lại sau ít phút.",
      errorServer: "Hệ thống đang gặp sự cố. Vui lòng thử lại sau.",
      disclaimer: "Thông tin lấy từ danh mục thủ tục hành chính công bố chính thức. Vui lòng đối chiếu trang chính thức trước khi nộp hồ sơ."
    },
    en: {
      subtitle: "Ask about the documents, fees, processing times and where to apply for administrative procedures.",
      langLabel: "Language",
      auto: "Automatic",
      newChat: "New conversation",
      inputLabel: "Your question",
      placeholder: "Type your question, e.g. What do I need to register a birth?",
      send: "Send",
      typing: "Answering…",
      you: "You",
      bot: "Assistant",
      log: "Conversation",
      skip: "Skip to the question box",
      welcome: "Hello! I can help you with administrative procedures: documents to prepare, fees, processing times and where to apply. What would you like to know?",
      sources: "Procedures in the catalogue",
      choose: "Choose one",
      handoff: "Your request has been passed to a hotline staff member (reference: {id}, status: {status}).",
      errorNetwork: "Could not reach the server. Please check your connection and try again.",
      errorInvalid: "The message could not be accepted. Please check it and try again.",
      errorTooLong: "The message is too long. Please shorten your question.",
      errorBusy: "The service is busy. Please try again in a few minutes.",
      errorServer: "The service is having a problem. Please try again later.",
      disclaimer: "Information from the officially published catalogue of administrative procedures. Please check the official page before submitting a dossier."
    },
    fr: {
      subtitle: "Posez vos questions sur les pièces, frais, délais et lieux de dépôt des procédures administratives.",
      langLabel: "Langue",
      auto: "Automatique",
      newChat: "Nouvelle conversation",
      inputLabel: "Votre question",
      placeholder: "Saisissez votre question, par ex. : que faut-il pour déclarer une naissance ?",
      send: "Envoyer",
      typing: "Réponse en cours…",
      you: "Vous",
      bot: "Assistant",
      log: "Conversation",
      skip: "Aller à la zone de saisie",
      welcome: "Bonjour ! Je peux vous aider sur les procédures administratives : pièces à fournir, frais, délais et lieu de dépôt. Que souhaitez-vous savoir ?",
      sources: "Procédures du catalogue",
      choose: "Choisissez une option",
      handoff: "Votre demande a été transmise à un conseiller (référence : {id}, statut : {status}).",
      errorNetwork: "Impossible de joindre le serveur. Vérifiez votre connexion et réessayez.",
      errorInvalid: "Le message n'a pas pu être accepté. Vérifiez-le et réessayez.",
      errorTooLong: "Le message est trop long. Veuillez raccourcir votre question.",
      errorBusy: "Le service est saturé. Réessayez dans quelques minutes.",
      errorServer: "Le service rencontre un problème. Réessayez plus tard.",
      disclaimer: "Informations issues du catalogue officiel des procédures administratives. Vérifiez la page officielle avant de déposer un dossier."
    },
    es: {
      subtitle: "Pregunte por los documentos, tasas, plazos y lugares de presentación de los trámites administrativos.",
      langLabel: "Idioma",
      auto: "Automático",
      newChat: "Nueva conversación",
      inputLabel: "Su pregunta",
      placeholder: "Escriba su pregunta, p. ej.: ¿qué necesito para registrar un nacimiento?",
      send: "Enviar",
      typing: "Respondiendo…",
      you: "Usted",
      bot: "Asistente",
      log: "Conversación",
      skip: "Ir al cuadro de pregunta",
      welcome: "¡Hola! Puedo ayudarle con trámites administrativos: documentos, tasas, plazos y dónde presentarlos. ¿Qué desea saber?",
      sources: "Trámites del catálogo",
      choose: "Elija una opción",
      handoff: "Su solicitud se ha pasado a un agente de la línea de atención (referencia: {id}, estado: {status}).",
      errorNetwork: "No se pudo conectar con el servidor. Compruebe su conexión e inténtelo de nuevo.",
      errorInvalid: "No se pudo aceptar el mensaje. Revíselo e inténtelo de nuevo.",
      errorTooLong: "El mensaje es demasiado largo. Acorte su pregunta.",
      errorBusy: "El servicio está ocupado. Inténtelo de nuevo en unos minutos.",
      errorServer: "El servicio tiene un problema. Inténtelo más tarde.",
      disclaimer: "Información del catálogo oficial de trámites administrativos. Consulte la página oficial antes de presentar una solicitud."
    },
    zh: {
      subtitle: "咨询行政手续所需材料、费用、办理期限和办理地点。",
      langLabel: "语言",
      auto: "自动",
      newChat: "新对话",
      inputLabel: "您的问题",
      placeholder: "请输入问题，例如：办理出生登记需要什么材料？",
      send: "发送",
      typing: "正在回复…",
      you: "您",
      bot: "助手",
      log: "对话",
      skip: "跳到输入框",
      welcome: "您好！我可以为您解答行政手续问题：所需材料、费用、办理期限和办理地点。请问您想了解什么？",
      sources: "目录中的相关手续",
      choose: "请选择",
      handoff: "您的请求已转交人工客服（编号：{id}，状态：{status}）。",
      errorNetwork: "无法连接服务器。请检查网络后重试。",
      errorInvalid: "消息无法被接受。请检查后重试。",
      errorTooLong: "消息太长。请缩短您的问题。",
      errorBusy: "系统繁忙。请几分钟后再试。",
      errorServer: "系统出现问题。请稍后再试。",
      disclaimer: "信息来自官方公布的行政手续目录。提交材料前请核对官方页面。"
    },
    ko: {
      subtitle: "행정 절차의 서류, 수수료, 처리 기한, 신청 장소를 문의하세요.",
      langLabel: "언어",
      auto: "자동",
      newChat: "새 대화",
      inputLabel: "질문",
      placeholder: "질문을 입력하세요. 예: 출생신고에 필요한 서류는?",
      send: "보내기",
      typing: "답변 중…",
      you: "나",
      bot: "도우미",
      log: "대화",
      skip: "질문 입력란으로 이동",
      welcome: "안녕하세요! 행정 절차의 준비 서류, 수수료, 처리 기한, 신청 장소를 안내해 드립니다. 무엇이 궁금하신가요?",
      sources: "목록의 관련 절차",
      choose: "하나를 선택하세요",
      handoff: "요청이 상담원에게 전달되었습니다(번호: {id}, 상태: {status}).",
      errorNetwork: "서버에 연결할 수 없습니다. 네트워크를 확인한 후 다시 시도해 주세요.",
      errorInvalid: "메시지를 처리할 수 없습니다. 내용을 확인한 후 다시 시도해 주세요.",
      errorTooLong: "메시지가 너무 깁니다. 질문을 줄여 주세요.",
      errorBusy: "서비스가 혼잡합니다. 잠시 후 다시 시도해 주세요.",
      errorServer: "서비스에 문제가 발생했습니다. 나중에 다시 시도해 주세요.",
      disclaimer: "공식 공개된 행정 절차 목록의 정보입니다. 서류를 제출하기 전에 공식 페이지를 확인해 주세요."
    },
    ja: {
      subtitle: "行政手続の必要書類、手数料、処理期間、申請先についてお尋ねください。",
      langLabel: "言語",
      auto: "自動",
      newChat: "新しい会話",
      inputLabel: "ご質問",
      placeholder: "ご質問を入力してください（例：出生届に必要な書類は？）",
      send: "送信",
      typing: "回答中…",
      you: "あなた",
      bot: "アシスタント",
      log: "会話",
      skip: "入力欄へ移動",
      welcome: "こんにちは！行政手続の必要書類、手数料、処理期間、申請先をご案内します。何をお知りになりたいですか？",
      sources: "目録の関連手続",
      choose: "一つお選びください",
      handoff: "ご依頼をオペレーターに引き継ぎました（番号：{id}、状態：{status}）。",
      errorNetwork: "サーバーに接続できません。通信環境をご確認のうえ、もう一度お試しください。",
      errorInvalid: "メッセージを受け付けられませんでした。内容をご確認のうえ、もう一度お試しください。",
      errorTooLong: "メッセージが長すぎます。ご質問を短くしてください。",
      errorBusy: "混み合っています。数分後にもう一度お試しください。",
      errorServer: "問題が発生しました。しばらくしてからもう一度お試しください。",
      disclaimer: "公式に公表された行政手続目録の情報です。申請前に公式ページをご確認ください。"
    }
  };

  // https URLs only; the character class is ASCII so that a URL followed directly by
  // Vietnamese or CJK text does not swallow it.
  var URL_RE = /https:\/\/[A-Za-z0-9\-._~:/?#[\]@!$&'()*+,;=%]+/g;
  var TRAILING_RE = /[.,;:!?)\]'"]+$/;

  var el = {};
  var state = {
    pending: false,
    replyLanguage: null,
    history: []
  };

  // ---------------------------------------------------------------- storage

  function load(key) {
    try {
      return window.sessionStorage.getItem(key);
    } catch (e) {
      return null; // storage disabled (private mode, policy): the chat still works
    }
  }

  function save(key, value) {
    try {
      if (value === null || value === undefined) {
        window.sessionStorage.removeItem(key);
      } else {
        window.sessionStorage.setItem(key, value);
      }
    } catch (e) {
      /* storage full or disabled: keep going without persistence */
    }
  }

  function saveHistory() {
    save(STORE_HISTORY, JSON.stringify(state.history.slice(-MAX_HISTORY)));
  }

  function loadHistory() {
    var raw = load(STORE_HISTORY);
    if (!raw) {
      return [];
    }
    try {
      var items = JSON.parse(raw);
      return Array.isArray(items) ? items : [];
    } catch (e) {
      return [];
    }
  }

  // ------------------------------------------------------------------ language

  function selectedLang() {
    var value = el.lang.value;
    return LANGS.indexOf(value) >= 0 ? value : null;
  }

  function browserLang() {
    var tags = navigator.languages || [navigator.language || ""];
    for (var i = 0; i < tags.length; i++) {
      var code = String(tags[i] || "").toLowerCase().split("-")[0];
      if (LANGS.indexOf(code) >= 0) {
        return code;
      }
    }
    return "vi";
  }

  function uiLang() {
    return selectedLang() || state.replyLanguage || browserLang();
  }

  function t(key) {
    var table = UI[uiLang()] || UI.vi;
    return table[key] || UI.vi[key];
  }

  function format(template, values) {
    return template.replace(/\{(\w+)\}/g, function (match, name) {
      return Object.prototype.hasOwnProperty.call(values, name) ? String(values[name]) : match;
    });
  }

  function applyUi() {
    var lang = uiLang();
    document.documentElement.lang = lang;
    el.subtitle.textContent = t("subtitle");
    el.langLabel.textContent = t("langLabel");
    el.langAuto.textContent = t("auto");
    el.newChat.textContent = t("newChat");
    el.inputLabel.textContent = t("inputLabel");
    el.input.placeholder = t("placeholder");
    el.send.textContent = t("send");
    el.typing.textContent = t("typing");
    el.messages.setAttribute("aria-label", t("log"));
    el.skip.textContent = t("skip");
    el.disclaimer.textContent = t("disclaimer");
  }

  // ------------------------------------------------------------------ rendering

  function appendLinkified(parent, text) {
    var last = 0;
    var match;
    URL_RE.lastIndex = 0;
    while ((match = URL_RE.exec(text)) !== null) {
      var url = match[0];
      var trailing = TRAILING_RE.exec(url);
      if (trailing) {
        url = url.slice(0, url.length - trailing[0].length);
      }
      if (match.index > last) {
        parent.appendChild(document.createTextNode(text.slice(last, match.index)));
      }
      var link = document.createElement("a");
      link.href = url;
      link.textContent = url;
      link.target = "_blank";
      link.rel = "noopener noreferrer";
      parent.appendChild(link);
      last = match.index + url.length;
      URL_RE.lastIndex = last;
    }
    if (last < text.length) {
      parent.appendChild(document.createTextNode(text.slice(last)));
    }
  }

  function isSafeUrl(url) {
    return typeof url === "string" && /^https:\/\/[^\s]+$/.test(url);
  }

  function messageItem(role, label) {
    var item = document.createElement("li");
    item.className = "message " + role;
    var sender = document.createElement("span");
    sender.className = "sender";
    sender.textContent = label;
    item.appendChild(sender);
    var bubble = document.createElement("div");
    bubble.className = "bubble";
    item.appendChild(bubble);
    return { item: item, bubble: bubble };
  }

  function scrollToEnd() {
    el.conversation.scrollTop = el.conversation.scrollHeight;
  }

  function renderUser(text) {
    var m = messageItem("user", t("you"));
    m.bubble.textContent = text;
    el.messages.appendChild(m.item);
  }

  function renderError(text) {
    var m = messageItem("error", t("bot"));
    m.item.setAttribute("role", "alert");
    m.bubble.textContent = text;
    el.messages.appendChild(m.item);
  }

  function renderBot(data, live) {
    var m = messageItem("bot", t("bot"));
    if (data.language && UI[data.language]) {
      m.item.lang = data.language;
    }
    var blocks = Array.isArray(data.blocks) ? data.blocks : [];
    if (blocks.length) {
      renderCard(m.bubble, blocks, live);
    } else {
      var answer = document.createElement("div");
      answer.className = "answer";
      appendLinkified(answer, String(data.answer || ""));
      m.bubble.appendChild(answer);
    }

    var options = Array.isArray(data.options) ? data.options : [];
    if (options.length) {
      var group = document.createElement("div");
      group.className = "options";
      group.setAttribute("role", "group");
      var heading = document.createElement("h2");
      heading.textContent = t("choose");
      heading.id = "options-" + Date.now() + "-" + Math.floor(Math.random() * 1e6);
      group.setAttribute("aria-labelledby", heading.id);
      group.appendChild(heading);
      var list = document.createElement("ul");
      options.forEach(function (label, index) {
        var text = String(label);
        var digits = /^\s*(\d+)/.exec(text);
        var li = document.createElement("li");
        var button = document.createElement("button");
        button.type = "button";
        button.className = "option";
        button.textContent = text;
        button.disabled = !live;
        button.addEventListener("click", function () {
          send(digits ? digits[1] : String(index + 1));
        });
        li.appendChild(button);
        list.appendChild(li);
      });
      group.appendChild(list);
      m.bubble.appendChild(group);
    }

    var procedures = Array.isArray(data.procedures) ? data.procedures : [];
    if (procedures.length && !options.length && !blocks.length) {
      var sources = document.createElement("div");
      sources.className = "sources";
      var title = document.createElement("h2");
      title.textContent = t("sources");
      sources.appendChild(title);
      var ul = document.createElement("ul");
      procedures.forEach(function (p) {
        var li = document.createElement("li");
        var code = document.createElement("span");
        code.className = "code";
        code.textContent = String(p.code || "");
        li.appendChild(code);
        li.appendChild(document.createTextNode(" – "));
        if (isSafeUrl(p.url)) {
          var a = document.createElement("a");
          a.href = p.url;
          a.target = "_blank";
          a.rel = "noopener noreferrer";
          a.textContent = String(p.name || p.code || "");
          li.appendChild(a);
        } else {
          li.appendChild(document.createTextNode(String(p.name || "")));
        }
        ul.appendChild(li);
      });
      sources.appendChild(ul);
      m.bubble.appendChild(sources);
    }

    if (data.handoff && data.handoff.case_id) {
      var notice = document.createElement("p");
      notice.className = "notice";
      notice.textContent = format(t("handoff"), {
        id: data.handoff.case_id,
        status: data.handoff.status || ""
      });
      m.bubble.appendChild(notice);
    }
    el.messages.appendChild(m.item);
  }

  // A composed answer (issue 11): a card with the procedure's title, the aspect asked,
  // the other aspects as sections that open on request, the source once, and the aspect
  // menu as buttons that send their digit. Every text goes in as text, never as HTML.
  function renderCard(bubble, blocks, live) {
    var card = document.createElement("div");
    card.className = "card";
    // Reading order: the answer, the sections on request, the source, then the menu.
    function place(block) {
      if (block.kind === "options") {
        return 3;
      }
      if (block.kind === "citation") {
        return 2;
      }
      return block.primary === false ? 1 : 0;
    }
    var ordered = blocks.filter(function (block) {
      return block && typeof block === "object";
    });
    ordered = ordered
      .map(function (block, index) { return { block: block, index: index }; })
      .sort(function (a, b) { return place(a.block) - place(b.block) || a.index - b.index; })
      .map(function (item) { return item.block; });
    ordered.forEach(function (block) {
      var lines = Array.isArray(block.lines) ? block.lines.map(String) : [];
      var title = String(block.title || "");
      if (block.kind === "options") {
        if (block.primary !== false) {
          card.appendChild(cardMenu(title, Array.isArray(block.options) ? block.options : [], live));
        }
        return;
      }
      if (block.primary === false) {
        var details = document.createElement("details");
        details.className = "card-section";
        var summary = document.createElement("summary");
        summary.textContent = (title || lines.shift() || "").replace(/\s*[:：]\s*$/, "");
        details.appendChild(summary);
        var body = document.createElement("div");
        body.className = "card-lines";
        appendLinkified(body, lines.join("\n"));
        details.appendChild(body);
        card.appendChild(details);
        return;
      }
      var part = document.createElement(block.kind === "summary" ? "header" : "div");
      part.className = "card-" + (block.kind === "summary" ? "head" : block.kind === "citation" ? "source" : "part");
      if (title) {
        var heading = document.createElement(block.kind === "summary" ? "h3" : "strong");
        heading.className = block.kind === "summary" ? "card-title" : "card-label";
        heading.textContent = title;
        part.appendChild(heading);
      }
      if (lines.length) {
        var text = document.createElement("div");
        text.className = "card-lines";
        appendLinkified(text, lines.join("\n"));
        part.appendChild(text);
      }
      card.appendChild(part);
    });
    bubble.appendChild(card);
  }

  function cardMenu(title, options, live) {
    var menu = document.createElement("div");
    menu.className = "card-menu";
    menu.setAttribute("role", "group");
    if (title) {
      var lead = document.createElement("span");
      lead.className = "card-menu-lead";
      lead.textContent = title;
      menu.appendChild(lead);
      lead.id = "menu-" + Date.now() + "-" + Math.floor(Math.random() * 1e6);
      menu.setAttribute("aria-labelledby", lead.id);
    }
    options.forEach(function (option) {
      var digit = String(option && option.send != null ? option.send : "");
      var button = document.createElement("button");
      button.type = "button";
      // "option" too: a later message disables the menus above it like any options.
      button.className = "option card-option";
      button.textContent = digit + " " + String((option && option.label) || "");
      button.disabled = !live || !digit;
      button.addEventListener("click", function () {
        send(digit);
      });
      menu.appendChild(button);
    });
    return menu;
  }

  function renderWelcome() {
    renderBot({ answer: t("welcome"), language: uiLang() }, false);
  }

  function disableOldOptions() {
    var buttons = el.messages.querySelectorAll("button.option");
    for (var i = 0; i < buttons.length; i++) {
      buttons[i].disabled = true;
    }
  }

  function renderHistory() {
    el.messages.textContent = "";
    renderWelcome();
    var items = state.history;
    for (var i = 0; i < items.length; i++) {
      var entry = items[i];
      var isLast = i === items.length - 1;
      if (entry.role === "user") {
        renderUser(entry.text);
      } else if (entry.role === "bot") {
        renderBot(entry.data, isLast);
      } else if (entry.role === "error") {
        renderError(entry.text);
      }
    }
    scrollToEnd();
  }

  function remember(entry) {
    state.history.push(entry);
    if (state.history.length > MAX_HISTORY) {
      state.history = state.history.slice(-MAX_HISTORY);
    }
    saveHistory();
  }

  // ------------------------------------------------------------------- sending

  function setPending(pending) {
    state.pending = pending;
    el.send.disabled = pending;
    el.typing.hidden = !pending;
    el.messages.setAttribute("aria-busy", pending ? "true" : "false");
  }

  function errorFor(status) {
    if (status === 413) {
      return t("errorTooLong");
    }
    if (status === 400 || status === 422) {
      return t("errorInvalid");
    }
    if (status === 429 || status === 503) {
      return t("errorBusy");
    }
    return t("errorServer");
  }

  function showError(message, text) {
    renderError(message);
    remember({ role: "error", text: message });
    if (!el.input.value && text) {
      el.input.value = text; // give the citizen their words back to retry
      autosize();
    }
    scrollToEnd();
  }

  function send(raw) {
    var text = String(raw || "").trim();
    if (!text || state.pending) {
      el.input.focus();
      return;
    }
    disableOldOptions();
    renderUser(text);
    remember({ role: "user", text: text });
    scrollToEnd();
    ask(text, true);
  }

  function ask(text, mayRestart) {
    var body = { text: text, channel: "web" };
    var conversationId = load(STORE_ID);
    var token = load(STORE_TOKEN);
    var resumed = Boolean(conversationId && token);
    if (resumed) {
      body.conversation_id = conversationId;
      body.conversation_token = token;
    }
    var lang = selectedLang();
    if (lang) {
      body.lang = lang;
    }

    setPending(true);
    var controller = typeof AbortController === "function" ? new AbortController() : null;
    var timer = controller ? window.setTimeout(function () { controller.abort(); }, TIMEOUT_MS) : null;

    fetch(API_URL, {
      method: "POST",
      headers: { "Content-Type": "application/json", "Accept": "application/json" },
      body: JSON.stringify(body),
      signal: controller ? controller.signal : undefined
    })
      .then(function (response) {
        if (response.status === 404 && resumed && mayRestart) {
          // The server no longer knows this conversation (erased, or kept from an older
          // version without its token): the question starts a new one.
          forgetConversation();
          return "restart";
        }
        if (!response.ok) {
          showError(errorFor(response.status), text);
          return null;
        }
        return response.json().then(function (data) {
          if (!data || typeof data !== "object" || typeof data.answer !== "string") {
            showError(t("errorServer"), text);
            return null;
          }
          if (data.conversation_id && data.conversation_token) {
            save(STORE_ID, String(data.conversation_id));
            save(STORE_TOKEN, String(data.conversation_token));
          }
          if (data.language && UI[data.language]) {
            state.replyLanguage = data.language;
            applyUi();
          }
          if (data.answer || data.intent !== "handoff_active") {
            renderBot(data, true);
            remember({ role: "bot", data: data });
          }
          if (data.handoff && data.handoff.case_id) {
            startPolling();
          }
          scrollToEnd();
          return null;
        });
      })
      .catch(function () {
        showError(t("errorNetwork"), text);
      })
      .then(function (outcome) {
        if (timer !== null) {
          window.clearTimeout(timer);
        }
        setPending(false);
        if (outcome === "restart") {
          ask(text, false);
          return;
        }
        el.input.focus();
      });
  }

  function forgetConversation() {
    save(STORE_ID, null);
    save(STORE_TOKEN, null);
    save(STORE_SEEN, null);
    save(STORE_POLLING, null);
    state.seen = 0;
    if (state.polling) {
      window.clearInterval(state.polling);
      state.polling = null;
    }
  }

  // Staff replies reach the web chat through the conversation's transcript: while a case
  // is open the page asks for new messages every few seconds.
  var STAFF_LABEL = { vi: "Tổng đài viên", en: "Staff", fr: "Conseiller", es: "Agente", zh: "人工客服", ko: "상담원", ja: "担当者" };
  var POLL_MS = 4000;

  function startPolling() {
    if (state.polling) {
      return;
    }
    save(STORE_POLLING, "1");
    state.polling = window.setInterval(poll, POLL_MS);
  }

  function poll() {
    var conversationId = load(STORE_ID);
    var token = load(STORE_TOKEN);
    if (!conversationId || !token) {
      return;
    }
    var base = "/api/v1/conversations/" + encodeURIComponent(conversationId);
    var before = state.seen || 0;
    fetch(base + "/messages?after=" + before, {
      headers: { "Accept": "application/json", "X-Conversation-Token": token }
    })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data || !Array.isArray(data.messages)) {
          return;
        }
        var staff = false;
        data.messages.forEach(function (m) {
          staff = staff || m.sender === "agent";
          state.seen = Math.max(state.seen || 0, m.id || 0);
          if (m.sender === "agent" && m.text) {
            var lang = state.replyLanguage || "vi";
            var item = messageItem("bot", STAFF_LABEL[lang] || STAFF_LABEL.en);
            var answer = document.createElement("div");
            answer.className = "answer";
            appendLinkified(answer, String(m.text));
            item.bubble.appendChild(answer);
            el.messages.appendChild(item.item);
            remember({ role: "bot", data: { answer: String(m.text), language: lang } });
            scrollToEnd();
          }
        });
        save(STORE_SEEN, String(state.seen || 0));
        if (staff && state.seen > before) {
          // Shown: the staff replies count as delivered (reading alone changes nothing).
          fetch(base + "/read", {
            method: "POST",
            headers: { "Content-Type": "application/json", "X-Conversation-Token": token },
            body: JSON.stringify({ through: state.seen })
          }).catch(function () { /* acknowledged with the next reply shown */ });
        }
      })
      .catch(function () { /* the next poll tries again */ });
  }

  function autosize() {
    el.input.style.height = "auto";
    el.input.style.height = Math.min(el.input.scrollHeight, 144) + "px";
  }

  function newConversation() {
    forgetConversation();
    save(STORE_HISTORY, null);
    state.history = [];
    state.replyLanguage = null;
    applyUi();
    renderHistory();
    el.input.focus();
  }

  // ---------------------------------------------------------------------- start

  function start() {
    el = {
      conversation: document.getElementById("conversation"),
      messages: document.getElementById("messages"),
      typing: document.getElementById("typing"),
      form: document.getElementById("composer"),
      input: document.getElementById("message-input"),
      send: document.getElementById("send"),
      lang: document.getElementById("lang-select"),
      langAuto: document.getElementById("lang-auto"),
      langLabel: document.getElementById("lang-label"),
      newChat: document.getElementById("new-chat"),
      inputLabel: document.getElementById("input-label"),
      subtitle: document.getElementById("subtitle"),
      skip: document.getElementById("skip-link"),
      disclaimer: document.getElementById("disclaimer")
    };

    var storedLang = load(STORE_LANG);
    if (storedLang && (storedLang === "auto" || LANGS.indexOf(storedLang) >= 0)) {
      el.lang.value = storedLang;
    }
    state.history = loadHistory();
    for (var i = state.history.length - 1; i >= 0; i--) {
      var entry = state.history[i];
      if (entry.role === "bot" && entry.data && UI[entry.data.language]) {
        state.replyLanguage = entry.data.language;
        break;
      }
    }

    el.form.addEventListener("submit", function (event) {
      event.preventDefault();
      var text = el.input.value;
      if (!text.trim() || state.pending) {
        return;
      }
      el.input.value = "";
      autosize();
      send(text);
    });
    el.input.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault(); // Enter sends; Shift+Enter adds a line; IME composition is left alone
        if (typeof el.form.requestSubmit === "function") {
          el.form.requestSubmit();
        } else {
          el.form.dispatchEvent(new Event("submit", { cancelable: true }));
        }
      }
    });
    el.input.addEventListener("input", autosize);
    el.lang.addEventListener("change", function () {
      save(STORE_LANG, el.lang.value);
      applyUi();
      renderHistory();
    });
    el.newChat.addEventListener("click", newConversation);

    applyUi();
    renderHistory();
    state.seen = parseInt(load(STORE_SEEN) || "0", 10) || 0;
    if (load(STORE_POLLING) && load(STORE_ID) && load(STORE_TOKEN)) {
      startPolling();
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
