/* Web chat of the public services hotline.
 *
 * Talks to POST /api/v1/ask ({"text", "conversation_id"?, "conversation_token"?, "lang"?})
 * and renders the reply. Everything the server sends is inserted as text (textContent / text
 * nodes), never as HTML; only https:// URLs become links. The server issues the conversation
 * id and its secret token with the first reply; both, and the transcript, live in
 * sessionStorage so a reload keeps the conversation, and a new tab starts a fresh one. The
 * token goes back in the body of every question and in the X-Conversation-Token header of
 * every transcript read.
 *
 * The server's transcript (GET /api/v1/conversations/{id}/messages?after=ID) decides what is
 * shown and in which order: every entry of the page gets the id of its stored message once the
 * transcript confirms it, entries are kept in message-id order, and the last id seen is kept in
 * sessionStorage, so after a reload or a restored tab the page resumes from there: staff
 * replies and notices (a person took the case, the case is resolved, a message reached the
 * officer) appear in their place, once, without the citizen typing.
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
  // The conversation's language (the `language` of the last reply): the page follows it.
  var STORE_CONV_LANG = "hotline.conversation_lang";
  var MAX_HISTORY = 60;
  var TIMEOUT_MS = 30000;
  var TEXTS_URL = "/api/v1/webchat/texts";
  // The served languages and every text of the page, per language, come from the server's
  // message catalogues (GET /api/v1/webchat/texts): a language added there gets its web chat
  // with no change here. Until they arrive the page shows its Vietnamese HTML.
  var LANGS = ["vi"];
  var UI = {};

  // https URLs only; the character class is ASCII so that a URL followed directly by
  // Vietnamese or CJK text does not swallow it.
  var URL_RE = /https:\/\/[A-Za-z0-9\-._~:/?#[\]@!$&'()*+,;=%]+/g;
  var TRAILING_RE = /[.,;:!?)\]'"]+$/;

  var el = {};
  var FALLBACK = {}; // the Vietnamese of the page's HTML, while the catalogue's texts are missing
  var state = {
    pending: false,
    replyLanguage: null,
    history: [],
    seen: 0, // the highest message id of the transcript the page has merged
    asked: 0, // questions sent: a transcript read started before one is dropped
    welcome: null // GET /api/v1/welcome
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
    var table = UI[uiLang()] || UI.vi || {};
    return table[key] || (UI.vi && UI.vi[key]) || FALLBACK[key] || "";
  }

  function format(template, values) {
    return template.replace(/\{(\w+)\}/g, function (match, name) {
      return Object.prototype.hasOwnProperty.call(values, name) ? String(values[name]) : match;
    });
  }

  function applyUi() {
    var lang = uiLang();
    document.documentElement.lang = lang;
    el.title.textContent = t("title");
    document.title = t("title");
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
    renderWelcomeStart();
    document.documentElement.classList.remove("i18n-pending"); // painted: lang.js hid it until now
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

  // An answer taller than the view (a card on a phone) is shown from its start: scrolled to
  // the end, the citizen would see the menu and the source and have to scroll back to read it.
  function scrollToReply(item) {
    var view = el.conversation;
    if (!item || item.offsetHeight <= view.clientHeight) {
      scrollToEnd();
      return;
    }
    var offset = item.getBoundingClientRect().top - view.getBoundingClientRect().top;
    view.scrollTop = Math.max(0, view.scrollTop + offset - 8);
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

    // The reference once: the answer that opened the case already names it (and a raw status
    // code such as "waiting" means nothing to a citizen).
    var answerText = String(data.answer || "");
    if (data.handoff && data.handoff.case_id && answerText.indexOf(String(data.handoff.case_id)) < 0) {
      var notice = document.createElement("p");
      notice.className = "notice";
      notice.textContent = format(t("handoff"), { id: data.handoff.case_id });
      m.bubble.appendChild(notice);
    }
    el.messages.appendChild(m.item);
    return m.item;
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

  function renderStaff(text) {
    var lang = state.replyLanguage || uiLang();
    var m = messageItem("bot staff", (UI[lang] && UI[lang].staff) || t("staff"));
    if (state.replyLanguage) {
      m.item.lang = state.replyLanguage; // staff and notices write in the conversation's language
    }
    var answer = document.createElement("div");
    answer.className = "answer";
    appendLinkified(answer, String(text || ""));
    m.bubble.appendChild(answer);
    el.messages.appendChild(m.item);
  }

  function renderNotice(text) {
    var m = messageItem("system", t("notice"));
    if (state.replyLanguage) {
      m.item.lang = state.replyLanguage;
    }
    m.item.setAttribute("role", "status");
    m.bubble.textContent = String(text || "");
    el.messages.appendChild(m.item);
  }

  function renderEntry(entry, live) {
    if (entry.role === "user") {
      renderUser(entry.text);
    } else if (entry.role === "bot") {
      renderBot(entry.data || {}, live);
    } else if (entry.role === "staff") {
      renderStaff(entry.text);
    } else if (entry.role === "notice") {
      renderNotice(entry.text);
    } else if (entry.role === "error") {
      renderError(entry.text);
    }
  }

  // Where an entry stands in the conversation: the id of its stored message once the
  // transcript confirmed it; until then just after the last message seen when it was made.
  function entryKey(entry) {
    return typeof entry.id === "number" ? entry.id : (entry.after || 0) + 0.5;
  }

  function sortHistory() {
    var indexed = state.history.map(function (entry, index) { return [entry, index]; });
    indexed.sort(function (a, b) {
      return entryKey(a[0]) - entryKey(b[0]) || a[1] - b[1];
    });
    state.history = indexed.map(function (pair) { return pair[0]; });
  }

  // The welcoming start: the operator's name, topic chips that send their question, and
  // one line on what is kept of the conversation, for how long and who sees it.
  function renderWelcomeStart() {
    var info = state.welcome;
    if (!info || !el.topics) {
      return;
    }
    var lang = uiLang();
    el.operator.textContent = info.operator_name ? String(info.operator_name) : "";
    el.operator.hidden = !info.operator_name;

    el.topics.textContent = "";
    var topics = Array.isArray(info.topics) ? info.topics : [];
    topics.forEach(function (topic) {
      var labels = topic && topic.label ? topic.label : {};
      var questions = topic && topic.question ? topic.question : {};
      var label = String(labels[lang] || labels.vi || "");
      var question = String(questions[lang] || questions.vi || "");
      if (!label || !question) {
        return;
      }
      var li = document.createElement("li");
      var button = document.createElement("button");
      button.type = "button";
      button.className = "topic";
      button.textContent = label;
      button.setAttribute("title", question);
      button.addEventListener("click", function () {
        send(question);
      });
      li.appendChild(button);
      el.topics.appendChild(li);
    });
    el.topicsTitle.textContent = t("topics");
    el.topicsTitle.hidden = !topics.length;

    var days = Number(info.retention_days) || 0;
    el.privacy.textContent = days > 0 ? format(t("privacy"), { days: days }) : t("privacyNoDays");
    if (isSafeUrl(info.privacy_url)) {
      el.privacy.appendChild(document.createTextNode(" "));
      var more = document.createElement("a");
      more.href = info.privacy_url;
      more.target = "_blank";
      more.rel = "noopener noreferrer";
      more.textContent = t("privacyMore");
      el.privacy.appendChild(more);
    }
    el.privacy.hidden = false;
  }

  function fetchWelcome() {
    return fetch("/api/v1/welcome", { headers: { "Accept": "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) { return data && typeof data === "object" ? data : null; })
      .catch(function () { return null; /* the chat works without its welcome extras */ });
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
    var live = liveIndex();
    for (var i = 0; i < items.length; i++) {
      renderEntry(items[i], i === live);
    }
    scrollToEnd();
  }

  // The answer whose options still make sense: the last one, unless the citizen wrote since
  // (a staff reply or a notice below it changes nothing).
  function liveIndex() {
    for (var i = state.history.length - 1; i >= 0; i--) {
      var role = state.history[i].role;
      if (role === "bot") {
        return i;
      }
      if (role !== "staff" && role !== "notice") {
        return -1;
      }
    }
    return -1;
  }

  function remember(entry) {
    if (typeof entry.id !== "number") {
      entry.after = state.seen || 0;
    }
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
    var entry = { role: "user", text: text };
    remember(entry);
    scrollToEnd();
    ask(text, true, entry);
  }

  function ask(text, mayRestart, entry) {
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
    state.asked += 1;
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
          if (entry && response.status !== 500) {
            entry.failed = true; // refused, not stored: no transcript message will confirm it
            saveHistory();
          }
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
            // The conversation's language, which the reply carries: the page follows it.
            state.replyLanguage = data.language;
            save(STORE_CONV_LANG, data.language);
            applyUi();
          }
          var answered = null;
          if (data.answer || data.intent !== "handoff_active") {
            answered = renderBot(data, true);
            remember({ role: "bot", data: data });
          }
          if (data.handoff && data.handoff.case_id) {
            startPolling();
          } else if (!state.polling) {
            schedulePolling(POLL_IDLE_MS);
          }
          scrollToReply(answered);
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
          ask(text, false, entry);
          return;
        }
        // The transcript gives the turn its message ids (and shows at once what a person
        // holding the case said meanwhile, or the acknowledgement of this message).
        poll();
        el.input.focus();
      });
  }

  function forgetConversation() {
    save(STORE_ID, null);
    save(STORE_TOKEN, null);
    save(STORE_SEEN, null);
    save(STORE_POLLING, null);
    save(STORE_CONV_LANG, null);
    state.seen = 0;
    stopPolling();
  }

  // Staff replies and notices reach the web chat through the conversation's transcript: the
  // page reads what is new every few seconds while a case is open, less often otherwise (a
  // case can also be opened or reopened by staff, or the page restored from another visit).
  var POLL_MS = 4000;
  var POLL_IDLE_MS = 15000;

  function startPolling() {
    save(STORE_POLLING, "1");
    schedulePolling(POLL_MS);
  }

  function schedulePolling(ms) {
    if (state.polling && state.pollEvery === ms) {
      return;
    }
    stopPolling();
    state.pollEvery = ms;
    state.polling = window.setInterval(poll, ms);
  }

  function stopPolling() {
    if (state.polling) {
      window.clearInterval(state.polling);
    }
    state.polling = null;
    state.pollEvery = 0;
  }

  function firstUnconfirmed(role) {
    for (var i = 0; i < state.history.length; i++) {
      var entry = state.history[i];
      if (entry.role === role && typeof entry.id !== "number" && !entry.failed) {
        return entry;
      }
    }
    return null;
  }

  function hasMessage(id) {
    for (var i = 0; i < state.history.length; i++) {
      if (state.history[i].id === id) {
        return true;
      }
    }
    return false;
  }

  // Transcript messages into the page, in message-id order, each once: the page's own turns
  // (the question typed, the answer /ask gave) take the ids of their stored messages; what
  // the page has not shown yet (staff replies, notices, an answer lost on the way) is added.
  // Returns whether a person (or a notice about one) wrote, and whether the last notice of
  // this read says the case is resolved (then the page reads at the idle pace again).
  function merge(messages) {
    var shown = state.history.slice();
    var staff = false;
    var resolved = false;
    messages.forEach(function (m) {
      var id = Number(m && m.id) || 0;
      if (id <= 0) {
        return;
      }
      state.seen = Math.max(state.seen || 0, id);
      if (hasMessage(id)) {
        return;
      }
      var text = String(m.text || "");
      var mine = null;
      if (m.sender === "citizen") {
        mine = firstUnconfirmed("user");
        if (!mine) {
          state.history.push({ role: "user", text: text, id: id });
        }
      } else if (m.sender === "bot") {
        mine = firstUnconfirmed("bot");
        if (!mine && text) {
          state.history.push({
            role: "bot", id: id, data: { answer: text, intent: m.intent || "", language: state.replyLanguage || uiLang() }
          });
        }
      } else if (m.sender === "agent" || m.sender === "system") {
        staff = true;
        resolved = m.sender === "system" && m.intent === "handoff_resolved";
        if (text) {
          state.history.push({ role: m.sender === "agent" ? "staff" : "notice", text: text, id: id, intent: m.intent || "" });
        }
      }
      if (mine) {
        mine.id = id;
      }
    });
    if (state.history.length > MAX_HISTORY) {
      state.history = state.history.slice(-MAX_HISTORY);
    }
    sortHistory();
    saveHistory();
    save(STORE_SEEN, String(state.seen || 0));
    // Only what is new is drawn, below what is shown, unless the order changed.
    var unchanged = shown.every(function (entry, i) { return state.history[i] === entry; });
    if (!unchanged) {
      renderHistory();
    } else if (state.history.length > shown.length) {
      var live = liveIndex();
      for (var i = shown.length; i < state.history.length; i++) {
        renderEntry(state.history[i], i === live);
      }
      scrollToEnd();
    }
    return { staff: staff, resolved: resolved };
  }

  function poll() {
    var conversationId = load(STORE_ID);
    var token = load(STORE_TOKEN);
    if (!conversationId || !token || state.pending || state.reading) {
      return;
    }
    var base = "/api/v1/conversations/" + encodeURIComponent(conversationId);
    var before = state.seen || 0;
    var asked = state.asked;
    state.reading = true;
    fetch(base + "/messages?after=" + before, {
      headers: { "Accept": "application/json", "X-Conversation-Token": token }
    })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        state.reading = false;
        // A question sent meanwhile: its answer may be in this read before the page has it
        // from /ask; the next read, after the answer, takes the messages in order.
        if (!data || !Array.isArray(data.messages) || state.asked !== asked || state.pending) {
          return;
        }
        if (load(STORE_ID) !== conversationId) {
          return; // a new conversation was started meanwhile
        }
        var news = merge(data.messages);
        var staff = news.staff;
        if (news.resolved) {
          // The case is over: every 15 s is enough for a reopening or a late reply.
          save(STORE_POLLING, null);
          schedulePolling(POLL_IDLE_MS);
        } else if (staff) {
          startPolling();
        }
        if (staff && state.seen > before) {
          // Shown: the staff replies and notices count as delivered (reading changes nothing).
          fetch(base + "/read", {
            method: "POST",
            headers: { "Content-Type": "application/json", "X-Conversation-Token": token },
            body: JSON.stringify({ through: state.seen })
          }).catch(function () { /* acknowledged with the next reply shown */ });
        }
        if (data.messages.length >= 100) {
          window.setTimeout(poll, 0); // more than one page of news (a long absence)
        }
      })
      .catch(function () { state.reading = false; /* the next poll tries again */ });
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
      title: document.getElementById("title"),
      skip: document.getElementById("skip-link"),
      disclaimer: document.getElementById("disclaimer"),
      operator: document.getElementById("operator"),
      topics: document.getElementById("topics"),
      topicsTitle: document.getElementById("topics-title"),
      privacy: document.getElementById("privacy")
    };

    FALLBACK = {
      title: el.title.textContent,
      subtitle: el.subtitle.textContent,
      langLabel: el.langLabel.textContent,
      auto: el.langAuto.textContent,
      newChat: el.newChat.textContent,
      inputLabel: el.inputLabel.textContent,
      placeholder: el.input.placeholder,
      send: el.send.textContent,
      typing: el.typing.textContent,
      log: el.messages.getAttribute("aria-label"),
      skip: el.skip.textContent,
      disclaimer: el.disclaimer.textContent,
      topics: el.topicsTitle.textContent,
      errorNetwork: el.form.getAttribute("data-error-network")
    };
    el.form.addEventListener("submit", function (event) {
      event.preventDefault();
      var text = el.input.value;
      if (!text.trim() || state.pending) {
        return;
      }
      el.input.value = "";
      autosize();
      if (!state.started) {
        state.early = text; // sent as soon as the page has its texts
        return;
      }
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

    // The texts first (the welcome at the same time): the page renders once, in its language.
    var welcome = fetchWelcome();
    loadTexts().then(function () {
      begin();
      welcome.then(function (data) {
        if (data) {
          state.welcome = data;
          renderWelcomeStart();
        }
      });
    });
  }

  function loadTexts() {
    return fetch(TEXTS_URL, { headers: { "Accept": "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data || typeof data !== "object" || !data.texts || typeof data.texts !== "object") {
          return;
        }
        UI = data.texts;
        var served = Array.isArray(data.languages) ? data.languages : [];
        LANGS = served.map(function (item) { return String(item && item.code); }).filter(function (code) {
          return UI[code];
        });
        if (!UI.vi || !LANGS.length) {
          UI = {};
          LANGS = ["vi"];
          return;
        }
        served.forEach(function (item) {
          var code = String(item && item.code);
          if (UI[code] && !el.lang.querySelector('option[value="' + code + '"]')) {
            var option = document.createElement("option");
            option.value = code;
            option.lang = code;
            option.textContent = String(item.name || code);
            el.lang.appendChild(option);
          }
        });
      })
      .catch(function () { /* the page's own Vietnamese texts stay */ });
  }

  function begin() {
    var storedLang = load(STORE_LANG);
    if (storedLang && (storedLang === "auto" || LANGS.indexOf(storedLang) >= 0)) {
      el.lang.value = storedLang;
    }
    state.history = loadHistory();
    state.seen = parseInt(load(STORE_SEEN) || "0", 10) || 0;
    var conversationLang = load(STORE_CONV_LANG);
    if (conversationLang && UI[conversationLang]) {
      state.replyLanguage = conversationLang;
    }
    for (var i = state.history.length - 1; i >= 0 && !state.replyLanguage; i--) {
      var entry = state.history[i];
      if (entry.role === "bot" && entry.data && UI[entry.data.language]) {
        state.replyLanguage = entry.data.language;
        break;
      }
    }


    state.started = true;
    applyUi();
    renderHistory();
    if (state.early) {
      send(state.early);
      state.early = null;
    }
    if (load(STORE_ID) && load(STORE_TOKEN)) {
      // Resume from the last message seen: what staff wrote while the page was away shows now.
      schedulePolling(load(STORE_POLLING) ? POLL_MS : POLL_IDLE_MS);
      poll();
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
