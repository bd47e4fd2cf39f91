/* Staff console: queue, case view, supervisor and audit pages.
 *
 * Plain browser JavaScript, no build step, no dependency. Data comes from the JSON API under
 * /console/api with the session cookie; every state-changing request carries the session's
 * CSRF token (from <meta name="csrf-token">) in X-CSRF-Token. Live updates come from one
 * EventSource on /console/api/events. Untrusted text is only ever set through textContent.
 */
(() => {
  "use strict";

  const $ = (sel, root = document) => root.querySelector(sel);
  const $$ = (sel, root = document) => Array.from(root.querySelectorAll(sel));
  const meta = (name) => {
    const el = document.querySelector(`meta[name="${name}"]`);
    return el ? el.content : "";
  };

  const LABELS = JSON.parse(($("#console-i18n") || { textContent: "{}" }).textContent || "{}");
  const t = (key, vars) => {
    let s = Object.prototype.hasOwnProperty.call(LABELS, key) ? LABELS[key] : key;
    if (vars) for (const [k, v] of Object.entries(vars)) s = s.split(`{${k}}`).join(String(v));
    return s;
  };
  const CSRF = meta("csrf-token");
  const ME = { id: Number(meta("staff-id")) || null, role: meta("staff-role") };
  const TZ = meta("console-tz") || "Asia/Ho_Chi_Minh";
  const OPEN = ["waiting", "assigned", "waiting_citizen"];

  /* ---------- small DOM helper ---------- */
  function h(tag, attrs, ...children) {
    const el = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === "class") el.className = v;
      else if (k === "text") el.textContent = v;
      else if (k === "dataset") Object.assign(el.dataset, v);
      // Through the CSSOM: the page's CSP forbids inline style attributes.
      else if (k === "style") Object.assign(el.style, v);
      else if (k.startsWith("on") && typeof v === "function") el.addEventListener(k.slice(2), v);
      else el.setAttribute(k, v === true ? "" : String(v));
    }
    for (const c of children.flat()) {
      if (c === null || c === undefined || c === false) continue;
      el.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return el;
  }

  /* ---------- API ---------- */
  class ApiError extends Error {
    constructor(status, detail) {
      super(detail || `HTTP ${status}`);
      this.status = status;
    }
  }

  async function api(method, path, body) {
    const headers = { Accept: "application/json" };
    if (method !== "GET") headers["X-CSRF-Token"] = CSRF;
    const init = { method, headers, credentials: "same-origin" };
    if (body !== undefined) {
      headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    let res;
    try {
      res = await fetch(path, init);
    } catch (err) {
      throw new ApiError(0, t("err_network"));
    }
    if (res.status === 401) {
      location.assign(`/console/login?next=${encodeURIComponent(location.pathname + location.search)}`);
      throw new ApiError(401, t("err_session"));
    }
    let data = null;
    const type = res.headers.get("content-type") || "";
    if (type.includes("application/json")) data = await res.json().catch(() => null);
    if (!res.ok) {
      let detail = data && data.detail;
      if (Array.isArray(detail)) detail = detail.map((d) => d.msg || JSON.stringify(d)).join("; ");
      if (typeof detail === "object" && detail) detail = JSON.stringify(detail);
      throw new ApiError(res.status, detail || t(`err_${res.status}`) || `HTTP ${res.status}`);
    }
    return data;
  }

  /* ---------- toasts ---------- */
  function toast(message, kind = "info", ms = 4000) {
    const box = $("#toasts");
    if (!box) return;
    const el = h("div", { class: `toast ${kind}`, role: kind === "error" ? "alert" : null }, message);
    box.append(el);
    setTimeout(() => el.remove(), ms);
  }
  const fail = (err) => toast(err && err.message ? err.message : String(err), "error", 6000);

  /* ---------- formatting ---------- */
  function fmtDuration(sec) {
    if (sec === null || sec === undefined || Number.isNaN(Number(sec))) return "–";
    sec = Math.max(0, Math.floor(Number(sec)));
    const d = Math.floor(sec / 86400);
    const hh = Math.floor((sec % 86400) / 3600);
    const mm = Math.floor((sec % 3600) / 60);
    const ss = sec % 60;
    const p = (n) => String(n).padStart(2, "0");
    if (d > 0) return `${d}${t("unit_day")} ${p(hh)}:${p(mm)}`;
    if (hh > 0) return `${hh}:${p(mm)}:${p(ss)}`;
    return `${mm}:${p(ss)}`;
  }
  // Times are shown in the province's zone (not the workstation's), as dd/mm hh:mm.
  const parts = new Intl.DateTimeFormat("en-GB", {
    timeZone: TZ, day: "2-digit", month: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit",
    hourCycle: "h23",
  });
  function fmtTime(iso, timeOnly) {
    if (!iso) return "";
    const d = new Date(iso);
    if (Number.isNaN(d.getTime())) return String(iso);
    const p = Object.fromEntries(parts.formatToParts(d).map((x) => [x.type, x.value]));
    return timeOnly ? `${p.hour}:${p.minute}:${p.second}` : `${p.day}/${p.month} ${p.hour}:${p.minute}`;
  }
  const label = (prefix, code) => {
    if (code === null || code === undefined || code === "") return "–";
    const key = `${prefix}_${code}`;
    return Object.prototype.hasOwnProperty.call(LABELS, key) ? LABELS[key] : String(code);
  };
  const statusBadge = (status) => h("span", { class: `badge st-${status}`, dataset: { status } }, label("status", status));
  const pct = (x) => (x === null || x === undefined ? "–" : `${(Number(x) * 100).toFixed(1)} %`);

  /* ---------- waiting time that ticks ---------- */
  // The server's waiting_seconds is the truth at fetch time; the browser only adds the time
  // since then, so a skewed workstation clock does not matter.
  function setWait(el, seconds, ticking) {
    el.dataset.base = String(seconds ?? "");
    el.dataset.at = String(performance.now());
    el.dataset.ticking = ticking ? "1" : "";
    paintWait(el);
  }
  function paintWait(el) {
    if (el.dataset.base === "") {
      el.textContent = "–";
      return;
    }
    let s = Number(el.dataset.base);
    if (el.dataset.ticking) s += (performance.now() - Number(el.dataset.at)) / 1000;
    el.textContent = fmtDuration(s);
    el.dataset.level = s >= 900 ? "late" : s >= 300 ? "warn" : "";
    el.dataset.seconds = String(Math.floor(s));
  }
  setInterval(() => {
    $$("[data-wait]").forEach(paintWait);
    if (document.body.dataset.page === "queue") Queue.counters();
  }, 1000);

  /* ---------- live events ---------- */
  function live(onCase, onOpen) {
    const badge = $("#live");
    const set = (state) => {
      if (!badge) return;
      badge.dataset.state = state;
      badge.textContent = t(`live_${state}`);
    };
    if (!("EventSource" in window)) {
      set("off");
      return null;
    }
    const es = new EventSource("/console/api/events");
    // The stream starts at the newest event when it (re)connects without Last-Event-ID, so
    // the page refetches on every open: nothing that happened in between is missed.
    es.addEventListener("open", () => {
      set("on");
      if (onOpen) onOpen();
    });
    es.addEventListener("error", () => set(es.readyState === EventSource.CLOSED ? "off" : "connecting"));
    es.addEventListener("case", (ev) => {
      let data;
      try {
        data = JSON.parse(ev.data);
      } catch (err) {
        return;
      }
      onCase(data);
    });
    window.addEventListener("pagehide", () => es.close());
    return es;
  }

  /* ---------- keyboard ---------- */
  const typing = (el) =>
    el && (el.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(el.tagName));
  let pendingG = false;
  function globalKeys(ev, pageKeys) {
    if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
    if (ev.key === "Escape") {
      if (typing(document.activeElement)) document.activeElement.blur();
      return;
    }
    if (typing(ev.target)) return;
    if (pendingG) {
      pendingG = false;
      if (ev.key === "q") {
        ev.preventDefault();
        location.assign("/console/");
      }
      return;
    }
    if (ev.key === "g") {
      pendingG = true;
      setTimeout(() => (pendingG = false), 1200);
      return;
    }
    if (ev.key === "?") {
      ev.preventDefault();
      const dlg = $("#help");
      if (dlg && !dlg.open) dlg.showModal();
      return;
    }
    if (pageKeys) pageKeys(ev);
  }

  /* ================= queue ================= */
  const Queue = {
    rows: new Map(), // case id → summary
    loadSeq: 0, // only the newest load's answer is drawn

    filters() {
      const f = new FormData($("#filters"));
      return {
        status: f.get("status") || "open",
        language: f.get("language") || "",
        channel: f.get("channel") || "",
        team: f.get("team") || "",
        callback: f.get("callback") ? "1" : "",
        mine: f.get("mine") ? "1" : "",
      };
    },

    query() {
      const q = new URLSearchParams();
      for (const [k, v] of Object.entries(this.filters())) if (v) q.set(k, v);
      return q;
    },

    matches(c) {
      const f = this.filters();
      if (f.status === "open" ? !OPEN.includes(c.status) : c.status !== f.status) return false;
      if (f.language && c.language !== f.language) return false;
      if (f.channel && c.channel !== f.channel) return false;
      if (f.team && c.team !== f.team) return false;
      if (f.callback && !c.callback) return false;
      if (f.mine && !(c.assigned_to && c.assigned_to.id === ME.id)) return false;
      return true;
    },

    order(a, b) {
      const pa = Number(a.priority || 0), pb = Number(b.priority || 0);
      if (pa !== pb) return pb - pa;
      return String(a.queued_at || a.created_at).localeCompare(String(b.queued_at || b.created_at));
    },

    async load() {
      // Loads overlap (the first one, the live stream's open, a filter change): an older
      // answer arriving last must not paint rows the current filters exclude.
      const seq = ++this.loadSeq;
      const q = this.query();
      const data = await api("GET", `/console/api/cases?${q}`);
      if (seq !== this.loadSeq) return;
      const body = $("#queue-body");
      // A refresh must not steal the keyboard focus of someone moving through the list.
      const active = document.activeElement;
      const focusedRow = active && body.contains(active) ? active.closest("tr[data-case-id]") : null;
      const focusedId = focusedRow ? focusedRow.dataset.caseId : null;
      const focusedClass = focusedId ? (active.classList.contains("claim") ? ".claim" : ".open-case") : null;
      this.rows.clear();
      body.replaceChildren();
      for (const c of data.cases || []) {
        this.rows.set(c.id, c);
        body.append(this.row(c));
      }
      if (focusedId) {
        const tr = $(`tr[data-case-id="${CSS.escape(focusedId)}"]`, body);
        const target = tr && ($(focusedClass, tr) || $(".open-case", tr));
        if (target) target.focus();
      }
      // The page holds at most `limit` rows: the header shows the server's true total.
      this.waitingTotal = typeof data.waiting === "number" ? data.waiting : null;
      this.emptyState();
      this.counters();
    },

    refreshTotals() {
      // Live events change the total: ask the server again, at most once a second.
      clearTimeout(this.totalsTimer);
      this.totalsTimer = setTimeout(async () => {
        const q = this.query();
        q.set("limit", "1");
        try {
          const data = await api("GET", `/console/api/cases?${q}`);
          if (typeof data.waiting === "number") this.waitingTotal = data.waiting;
          this.counters();
        } catch (_err) {
          /* the next event or reload tries again */
        }
      }, 1000);
    },

    emptyState() {
      const body = $("#queue-body");
      const ph = $("tr.placeholder", body);
      // "Nothing matches the filters" on an unfiltered queue sends an officer hunting for a
      // filter: with none set, say that no citizen is waiting and that new cases come by themselves.
      const f = this.filters();
      const filtered = f.status !== "open" || f.language || f.channel || f.team || f.callback || f.mine;
      const text = filtered ? t("queue_empty") : t("queue_idle");
      if (this.rows.size === 0 && !ph) {
        body.append(h("tr", { class: "placeholder" }, h("td", { colspan: 10, class: "empty" }, text)));
      } else if (this.rows.size === 0 && ph) {
        ph.firstChild.textContent = text;
      } else if (this.rows.size > 0 && ph) {
        ph.remove();
      }
    },

    counters() {
      const listed = [...this.rows.values()].filter((c) => c.status === "waiting").length;
      const waiting = this.waitingTotal == null ? listed : Math.max(listed, this.waitingTotal);
      const cw = $("#count-waiting");
      if (!cw) return;
      cw.textContent = String(waiting);
      $("#count-shown").textContent = String(this.rows.size);
      let oldest = null;
      $$("#queue-body td.wait").forEach((td) => {
        const tr = td.closest("tr");
        if (tr && tr.dataset.status === "waiting") {
          const s = Number(td.dataset.seconds || 0);
          if (oldest === null || s > oldest) oldest = s;
        }
      });
      $("#oldest-wait").textContent = oldest === null ? "–" : fmtDuration(oldest);
      document.title = `${waiting ? `(${waiting}) ` : ""}${t("nav_queue")} · ${t("app_name")}`;
    },

    row(c) {
      const mine = c.assigned_to && c.assigned_to.id === ME.id;
      const wait = h("td", { class: "wait num", "data-wait": "" });
      setWait(wait, c.waiting_seconds, c.status === "waiting");
      const open = h("a", { href: `/console/cases/${encodeURIComponent(c.id)}`, class: "open-case" }, c.summary || t("no_summary"));
      const actions = h("td", { class: "actions" });
      if (c.status === "waiting" && !c.assigned_to) {
        actions.append(
          h("button", {
            type: "button", class: "primary claim", "aria-label": `${t("claim")} ${c.id}`,
            onclick: () => this.claim(c.id),
          }, t("claim")),
        );
      }
      actions.append(h("a", { class: "button", href: `/console/cases/${encodeURIComponent(c.id)}`, "aria-label": `${t("open")} ${c.id}` }, t("open")));
      const who = c.assigned_to
        ? h("span", { class: mine ? "badge mine" : "hint", title: c.assigned_to.display_name || "" },
          mine ? t("mine") : c.assigned_to.username)
        : null;
      return h("tr", { "data-case-id": c.id, "data-status": c.status },
        wait,
        h("td", {}, Number(c.priority) > 0 ? h("span", { class: "badge prio", title: t("col_priority") }, `P${c.priority}`) : "–"),
        h("td", {}, h("span", { class: "badge lang", lang: c.language, title: label("lang", c.language) }, c.language || "–")),
        h("td", {}, label("channel", c.channel)),
        h("td", {}, c.team || "–"),
        h("td", {}, c.callback ? h("span", { class: "badge callback", title: c.callback_number || "" }, `☎ ${c.callback_number || t("yes")}`) : ""),
        h("td", {}, label("reason", c.reason)),
        h("td", { class: "summary" }, open, c.display_name ? h("div", { class: "hint" }, c.display_name) : null),
        h("td", {}, statusBadge(c.status), " ", who),
        actions,
      );
    },

    upsert(c, fresh) {
      const body = $("#queue-body");
      const old = $(`tr[data-case-id="${CSS.escape(c.id)}"]`, body);
      if (!this.matches(c)) {
        if (old) old.remove();
        this.rows.delete(c.id);
        this.emptyState();
        this.counters();
        return;
      }
      const focusInside = old && old.contains(document.activeElement);
      const tr = this.row(c);
      if (old) old.remove();
      this.rows.set(c.id, c);
      const next = $$("tr[data-case-id]", body).find((r) => this.order(c, this.rows.get(r.dataset.caseId) || {}) < 0);
      body.insertBefore(tr, next || null);
      if (fresh) tr.classList.add("is-new");
      if (focusInside) ($(".open-case", tr) || tr).focus();
      this.emptyState();
      this.counters();
    },

    async claim(id) {
      try {
        const c = await api("POST", `/console/api/cases/${encodeURIComponent(id)}/claim`);
        toast(t("claimed_ok", { id }), "ok");
        if (c && c.id) this.upsert(c);
        const link = $(`tr[data-case-id="${CSS.escape(id)}"] .open-case`);
        if (link) link.focus();
      } catch (err) {
        if (err.status === 409) toast(t("claim_conflict"), "error");
        else fail(err);
        this.load().catch(fail);
      }
    },

    move(step) {
      const links = $$("#queue-body .open-case");
      if (!links.length) return;
      const i = links.indexOf(document.activeElement);
      const n = i < 0 ? (step > 0 ? 0 : links.length - 1) : Math.min(links.length - 1, Math.max(0, i + step));
      links[n].focus();
    },

    init() {
      const form = $("#filters");
      form.addEventListener("change", () => {
        history.replaceState(null, "", `/console/?${this.query()}`);
        this.load().catch(fail);
      });
      form.addEventListener("submit", (ev) => {
        ev.preventDefault();
        this.load().catch(fail);
      });
      this.load().catch(fail);
      live((ev) => {
        if (!ev.case) return;
        const fresh = !this.rows.has(ev.case.id) && ev.kind === "created";
        this.upsert(ev.case, fresh);
        this.refreshTotals();
        if (fresh && this.matches(ev.case)) toast(t("new_case", { id: ev.case.id }));
      }, () => this.load().catch(fail));
      document.addEventListener("keydown", (ev) =>
        globalKeys(ev, (e) => {
          if (e.key === "j" || e.key === "ArrowDown") {
            e.preventDefault();
            this.move(1);
          } else if (e.key === "k" || e.key === "ArrowUp") {
            e.preventDefault();
            this.move(-1);
          } else if (e.key === "/") {
            e.preventDefault();
            $("#f-status").focus();
          } else if (e.key === "c") {
            const tr = document.activeElement && document.activeElement.closest("tr[data-case-id]");
            const target = tr || $("#queue-body tr[data-status='waiting']");
            if (target && $(".claim", target)) {
              e.preventDefault();
              this.claim(target.dataset.caseId);
            }
          }
        }),
      );
    },
  };

  /* ================= case view ================= */
  const CaseView = {
    id: meta("case-id"),
    data: null,
    lastMessageId: null,
    canned: [],

    async load() {
      let d;
      try {
        d = await api("GET", `/console/api/cases/${encodeURIComponent(this.id)}`);
      } catch (err) {
        if (err.status === 404) {
          $("#casehead").append(h("p", { class: "alert error", role: "alert" }, t("case_not_found")));
          return;
        }
        throw err;
      }
      const first = this.data === null;
      this.data = d;
      this.renderHead(d);
      this.renderTranscript(d.transcript || [], !first);
      this.renderNotes(d.notes || []);
      this.renderPacket(d);
      this.renderEvents(d.events || []);
      if (first) this.loadCanned(d.language).catch(fail);
    },

    renderHead(d) {
      $("#case-status").replaceChildren(statusBadge(d.status));
      const bits = [
        h("span", { class: "badge lang", lang: d.language }, d.language),
        " ", label("channel", d.channel),
        d.display_name ? ` · ${d.display_name}` : "",
        d.team ? ` · ${t("col_team")}: ${d.team}` : "",
        ` · ${t("col_reason")}: ${label("reason", d.reason)}`,
        Number(d.priority) > 0 ? h("span", { class: "badge prio" }, ` P${d.priority}`) : "",
        d.callback ? h("span", { class: "badge callback" }, `☎ ${d.callback_number || t("yes")}`) : "",
        ` · ${t("col_wait")}: `,
      ];
      const w = h("span", { "data-wait": "", class: "mono" });
      setWait(w, d.waiting_seconds, d.status === "waiting");
      $("#case-meta").replaceChildren(...bits, w);
      const mine = d.assigned_to && d.assigned_to.id === ME.id;
      $("#case-assignee").textContent = d.assigned_to
        ? `${t("assigned_to")}: ${mine ? t("mine") : `${d.assigned_to.display_name || ""} (${d.assigned_to.username})`}`
        : t("unassigned");
      $("#claim").hidden = !(d.status === "waiting" && !d.assigned_to);
      const closed = ["resolved", "closed"].includes(d.status);
      const canAct = !closed && (mine || ["supervisor", "admin"].includes(ME.role));
      for (const sel of ["#reply-send", "#transfer", "#wait-citizen", "#resolve", "#close-case"]) {
        const b = $(sel);
        if (b) b.disabled = !canAct;
      }
      $("#reply-hint").textContent = closed ? t("reply_closed") : canAct ? t("reply_hint") : t("reply_claim_first");
    },

    renderTranscript(items, announce) {
      const list = $("#transcript");
      const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 40;
      const seen = this.lastMessageId;
      const fresh = seen === null ? [] : items.filter((m) => Number(m.id) > seen);
      list.replaceChildren(
        ...items.map((m) => {
          const sender = ["citizen", "bot", "agent", "system"].includes(m.sender) ? m.sender : "system";
          return h("li", { class: `msg msg-${sender}`, "data-sender": sender, "data-message-id": m.id },
            h("div", { class: "who" },
              h("span", {}, label("sender", sender)),
              h("time", { datetime: m.created_at || "" }, fmtTime(m.created_at, true)),
              m.intent ? h("span", {}, m.intent) : null),
            h("div", { class: "text" }, m.text || ""));
        }),
      );
      if (items.length) this.lastMessageId = Math.max(...items.map((m) => Number(m.id) || 0));
      if (announce && fresh.some((m) => m.sender === "citizen")) toast(t("new_citizen_message"));
      if (atBottom || announce || fresh.length || !this._scrolled) {
        list.scrollTop = list.scrollHeight;
        this._scrolled = true;
      }
    },

    renderNotes(notes) {
      const list = $("#notes");
      if (!notes.length) {
        list.replaceChildren(h("li", { class: "hint empty-note" }, t("no_notes")));
        return;
      }
      list.replaceChildren(
        ...notes.map((n) => {
          const who = typeof n.staff === "object" && n.staff ? n.staff.username || n.staff.display_name : n.staff;
          return h("li", { "data-note-id": n.id },
            h("div", { class: "who" }, `${who || ""} · ${fmtTime(n.created_at)}`),
            h("div", { class: "text" }, n.text));
        }),
      );
    },

    renderPacket(d) {
      const p = d.packet || {};
      const facts = $("#packet-facts");
      const rows = [];
      const add = (k, v) => {
        if (v === null || v === undefined || v === "" || (Array.isArray(v) && !v.length)) return;
        rows.push(h("dt", {}, t(k)), h("dd", { "data-fact": k }, v));
      };
      add("col_reason", label("reason", p.reason || d.reason));
      add("last_message", p.last_message);
      if (p.intents && p.intents.length) {
        add("intents", p.intents.slice(0, 3).map((i) => `${i.intent} (${Number(i.confidence || 0).toFixed(2)})`).join(", "));
      }
      if (p.speech_confidence !== null && p.speech_confidence !== undefined) {
        add("speech_confidence", Number(p.speech_confidence).toFixed(2));
      }
      if (p.place) add("place", [p.place.name, p.place.province].filter(Boolean).join(", ") + (p.place.code ? ` (${p.place.code})` : ""));
      if (p.centre) {
        add("centre", h("span", {},
          h("strong", {}, p.centre.name || ""),
          p.centre.address ? h("div", {}, p.centre.address) : null,
          p.centre.phone ? h("div", {}, `☎ ${p.centre.phone}`) : null));
      }
      if (p.dossier) {
        const ds = p.dossier;
        add("dossier", h("span", {},
          h("span", { class: "mono" }, ds.code || ""),
          ds.status ? ` · ${ds.status}` : "",
          ds.office ? ` · ${ds.office}` : "",
          ds.due_date ? ` · ${t("due")}: ${ds.due_date}` : ""));
      }
      // The full number is for calling back; lists and exports only show it masked.
      add("callback_number", d.callback_number_full || d.callback_number || p.callback_number);
      add("citizen", d.display_name || p.display_name);
      facts.replaceChildren(...rows);

      // Candidates with scores, enriched by the catalogue records the API looked up.
      const records = new Map((d.procedures || []).map((r) => [r.code, r]));
      const cands = (p.procedures || []).length ? p.procedures : (d.procedures || []);
      const box = $("#procedures");
      if (!cands.length) {
        box.replaceChildren(h("p", { class: "hint" }, t("no_procedures")));
      } else {
        box.replaceChildren(...cands.map((c, i) => this.procedure(c, records.get(c.code), i === 0)));
      }
      const told = $("#bot-told");
      const said = p.bot_told || [];
      told.replaceChildren(...(said.length ? said.map((s) => h("li", {}, s)) : [h("li", { class: "hint" }, "–")]));
    },

    procedure(cand, rec, open) {
      rec = rec || {};
      const score = cand.score !== undefined && cand.score !== null ? Number(cand.score) : null;
      const url = rec.url || cand.url;
      const docs = rec.documents || [];
      const channels = rec.channels || [];
      const fees = rec.fees || channels.map((c) => c.fee).filter(Boolean);
      const durations = rec.durations || channels.map((c) => c.time_limit).filter(Boolean);
      const uniq = (xs) => [...new Set(xs.map((x) => (typeof x === "string" ? x : JSON.stringify(x))))];
      const det = h("details", { class: "proc", "data-code": cand.code, open: open || null },
        h("summary", {},
          h("span", { class: "mono proc-code" }, cand.code), " ",
          cand.name || rec.name || "",
          score !== null ? h("span", { class: "score" }, ` · ${score.toFixed(2)} `,
            h("span", { class: "bar", style: { width: `${Math.round(Math.max(0, Math.min(1, score)) * 60)}px` }, "aria-hidden": "true" })) : null));
      const dl = h("dl", { class: "facts" });
      const add = (k, v) => {
        if (v === null || v === undefined || v === "" || (Array.isArray(v) && !v.length)) return;
        dl.append(h("dt", {}, t(k)), h("dd", {}, v));
      };
      add("agency", rec.implementing_agency);
      add("fee", uniq(fees).join(" / "));
      add("duration", uniq(durations).join(" / "));
      add("channels_ways", uniq(channels.map((c) => label("way", c.kind || c))).join(", "));
      if (docs.length) {
        add("documents", h("ul", {}, ...docs.map((doc) => h("li", {}, typeof doc === "string" ? doc : doc.name || JSON.stringify(doc)))));
      }
      if (url) add("official_link", h("a", { href: url, target: "_blank", rel: "noopener noreferrer" }, url));
      det.append(dl);
      return det;
    },

    renderEvents(events) {
      const list = $("#events");
      list.replaceChildren(
        ...events.slice(-30).reverse().map((e) => {
          const data = e.data || {};
          const bits = [
            data.username,
            data.to_username ? `→ ${data.to_username}` : null,
            data.team ? `→ ${t("col_team")} ${data.team}` : null,
            data.outcome ? label("outcome", data.outcome) : null,
            data.by === "citizen" ? label("sender", "citizen") : null,
          ].filter(Boolean);
          return h("li", { "data-kind": e.kind },
            h("time", { datetime: e.created_at || "" }, fmtTime(e.created_at)), ` · ${label("event", e.kind)}`,
            bits.length ? ` · ${bits.join(" ")}` : "");
        }),
      );
    },

    async loadCanned(lang) {
      const data = await api("GET", `/console/api/canned?lang=${encodeURIComponent(lang || "vi")}`);
      this.canned = data.replies || [];
      const sel = $("#canned");
      sel.replaceChildren(h("option", { value: "" }, t("canned_choose")),
        ...this.canned.map((r, i) => h("option", { value: String(i) }, `${i < 9 ? `${i + 1}. ` : ""}${r.title}`)));
    },

    insertCanned(i) {
      const r = this.canned[i];
      if (!r) return;
      const ta = $("#reply-text");
      const start = ta.selectionStart ?? ta.value.length;
      const end = ta.selectionEnd ?? ta.value.length;
      ta.value = ta.value.slice(0, start) + r.text + ta.value.slice(end);
      ta.focus();
      ta.selectionStart = ta.selectionEnd = start + r.text.length;
      $("#canned").value = "";
    },

    async loadTransferTargets() {
      const teams = JSON.parse(($("#console-teams") || { textContent: "[]" }).textContent || "[]");
      $("#transfer-teams").replaceChildren(...teams.map((tm) => h("option", { value: `team:${tm}` }, tm)));
      try {
        const data = await api("GET", "/console/api/staff");
        $("#transfer-staff").replaceChildren(
          ...(data.staff || []).filter((s) => s.id !== ME.id && s.active !== false)
            .map((s) => h("option", { value: `staff:${s.id}` }, `${s.display_name || s.username} (${s.username})`)));
      } catch (err) {
        if (err.status !== 403) throw err;
      }
    },

    async loadOutcomes() {
      const data = await api("GET", "/console/api/outcomes");
      const sel = $("#outcome");
      sel.replaceChildren(h("option", { value: "" }, t("choose")),
        ...(data.outcomes || []).map((o) => {
          const code = typeof o === "string" ? o : o.code;
          const text = typeof o === "string" ? label("outcome", o) : o.label || label("outcome", o.code);
          return h("option", { value: code }, text);
        }));
    },

    async act(path, body, okMsg) {
      const r = await api("POST", `/console/api/cases/${encodeURIComponent(this.id)}/${path}`, body);
      if (okMsg) toast(okMsg, "ok");
      await this.load();
      return r;
    },

    guard(form, fn) {
      form.addEventListener("submit", async (ev) => {
        ev.preventDefault();
        const btn = $("button[type=submit]", form);
        if (btn && btn.disabled) return;
        if (btn) btn.disabled = true;
        try {
          await fn();
        } catch (err) {
          fail(err);
        } finally {
          if (btn) btn.disabled = false;
          if (this.data) this.renderHead(this.data);
        }
      });
    },

    init() {
      this.load().catch(fail);
      this.loadTransferTargets().catch(fail);
      this.loadOutcomes().catch(fail);
      $("#claim").addEventListener("click", async () => {
        try {
          await this.act("claim", undefined, t("claimed_ok", { id: this.id }));
          $("#reply-text").focus();
        } catch (err) {
          if (err.status === 409) toast(t("claim_conflict"), "error");
          else fail(err);
          this.load().catch(fail);
        }
      });
      $("#canned").addEventListener("change", (ev) => {
        if (ev.target.value !== "") this.insertCanned(Number(ev.target.value));
      });
      const ta = $("#reply-text");
      ta.addEventListener("keydown", (ev) => {
        if (ev.key === "Enter" && (ev.ctrlKey || ev.metaKey)) {
          ev.preventDefault();
          $("#reply-form").requestSubmit();
        }
      });
      $("#note-text").addEventListener("keydown", (ev) => {
        if (ev.key === "Enter" && (ev.ctrlKey || ev.metaKey)) {
          ev.preventDefault();
          $("#note-form").requestSubmit();
        }
      });
      this.guard($("#reply-form"), async () => {
        const text = ta.value.trim();
        if (!text) return;
        await this.act("reply", { text }, t("reply_sent"));
        ta.value = "";
        ta.focus();
      });
      this.guard($("#note-form"), async () => {
        const nt = $("#note-text");
        const text = nt.value.trim();
        if (!text) return;
        await this.act("notes", { text }, t("note_added"));
        nt.value = "";
      });
      this.guard($("#transfer-form"), async () => {
        const v = $("#transfer-to").value;
        if (!v) return;
        const [kind, ...rest] = v.split(":");
        const target = rest.join(":");
        await this.act("transfer", kind === "staff" ? { staff_id: Number(target) } : { team: target }, t("transferred"));
        $("#transfer-to").value = "";
      });
      this.guard($("#wait-form"), () => this.act("wait-citizen", undefined, t("waiting_set")));
      this.guard($("#resolve-form"), async () => {
        const outcome = $("#outcome").value;
        if (!outcome) {
          $("#outcome").focus();
          return;
        }
        await this.act("resolve", { outcome }, t("resolved_ok"));
      });
      this.guard($("#close-form"), () => this.act("close", undefined, t("closed_ok")));

      let timer = null;
      live((ev) => {
        if (ev.case_id !== this.id) return;
        clearTimeout(timer);
        timer = setTimeout(() => this.load().catch(fail), 150);
      }, () => this.data && this.load().catch(fail));
      document.addEventListener("keydown", (ev) => {
        if (ev.altKey && !ev.ctrlKey && /^[1-9]$/.test(ev.key)) {
          ev.preventDefault();
          this.insertCanned(Number(ev.key) - 1);
          return;
        }
        globalKeys(ev, (e) => {
          if (e.key === "r") {
            e.preventDefault();
            ta.focus();
          } else if (e.key === "n") {
            e.preventDefault();
            $("#note-text").focus();
          } else if (e.key === "c" && !$("#claim").hidden) {
            e.preventDefault();
            $("#claim").click();
          }
        });
      });
    },
  };

  /* ================= supervisor ================= */
  const Supervisor = {
    async load() {
      const days = $("#days").value;
      const s = await api("GET", `/console/api/stats?days=${encodeURIComponent(days)}`);
      $("#kpi-queue").textContent = String(s.queue_length ?? "–");
      $("#kpi-oldest").textContent = fmtDuration(s.oldest_wait_seconds);
      $("#kpi-rate").textContent = pct(s.handoff_rate);
      $("#kpi-wait").textContent = fmtDuration(s.median_wait_seconds);
      $("#kpi-handling").textContent = fmtDuration(s.median_handling_seconds);
      const agents = s.per_agent || [];
      $("#agents tbody").replaceChildren(
        ...(agents.length
          ? agents.map((a) => h("tr", {},
            h("td", {}, a.display_name ? `${a.display_name} (${a.username})` : a.username),
            h("td", { class: "num" }, a.claimed ?? 0),
            h("td", { class: "num" }, a.resolved ?? 0),
            h("td", { class: "num" }, a.replies ?? 0),
            h("td", { class: "num" }, fmtDuration(a.median_handling_seconds))))
          : [h("tr", {}, h("td", { colspan: 5, class: "empty" }, t("no_data")))]));
      const gaps = s.gaps || [];
      $("#gaps tbody").replaceChildren(
        ...(gaps.length
          ? gaps.map((g) => h("tr", {},
            h("td", {}, g.text),
            h("td", {}, h("span", { class: "badge lang" }, g.language || "–")),
            h("td", { class: "num" }, g.count ?? 0),
            h("td", {}, fmtTime(g.last_at))))
          : [h("tr", {}, h("td", { colspan: 4, class: "empty" }, t("no_data")))]));
      for (const [id, name] of [["#export-cases", "cases"], ["#export-gaps", "gaps"]]) {
        $(id).href = `/console/api/export/${name}.csv?days=${encodeURIComponent(days)}`;
      }
    },
    init() {
      $("#days").addEventListener("change", () => {
        history.replaceState(null, "", `/console/supervisor?days=${encodeURIComponent($("#days").value)}`);
        this.load().catch(fail);
      });
      this.load().catch(fail);
      setInterval(() => this.load().catch(() => {}), 30000);
      document.addEventListener("keydown", (ev) => globalKeys(ev));
    },
  };

  /* ================= audit ================= */
  const Audit = {
    async load() {
      const data = await api("GET", "/console/api/audit?limit=200");
      const entries = data.entries || [];
      $("#audit tbody").replaceChildren(
        ...(entries.length
          ? entries.map((e) => {
            const who = typeof e.staff === "object" && e.staff ? e.staff.username : e.staff || e.username || e.staff_id || "–";
            const detail = e.detail && typeof e.detail === "object" ? JSON.stringify(e.detail) : e.detail || "";
            return h("tr", {},
              h("td", { class: "mono" }, fmtTime(e.created_at || e.at)),
              h("td", {}, who),
              h("td", { title: e.action, "data-action": e.action }, label("action", e.action)),
              h("td", {}, e.case_id ? h("a", { href: `/console/cases/${encodeURIComponent(e.case_id)}`, class: "mono" }, e.case_id) : "–"),
              h("td", { class: "mono" }, detail),
              h("td", { class: "mono" }, e.ip || ""));
          })
          : [h("tr", {}, h("td", { colspan: 6, class: "empty" }, t("no_data")))]));
    },
    init() {
      this.load().catch(fail);
      document.addEventListener("keydown", (ev) => globalKeys(ev));
    },
  };

  function boot() {
    const helpBtn = $("#help-open");
    if (helpBtn) helpBtn.addEventListener("click", () => $("#help").showModal());
    const page = document.body.dataset.page;
    if (page === "queue") Queue.init();
    else if (page === "case") CaseView.init();
    else if (page === "supervisor") Supervisor.init();
    else if (page === "audit") Audit.init();
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", boot);
  else boot();
})();
