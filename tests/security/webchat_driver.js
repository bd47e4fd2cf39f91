// Drives the real web chat script (channels/static/chat.js) against a real server, in Node,
// with a minimal DOM: enough of document/window for the chat, no browser needed.
//
//   node webchat_driver.js BASE_URL CHAT_JS
//
// Reads one command per line on stdin and answers one JSON line per command:
//   {"cmd": "say", "text": ...}      types the text and submits, waits for the answer
//   {"cmd": "wait", "ms": N}         lets timers (the transcript polling) run
//   {"cmd": "set", "key": k, "value": v}   writes sessionStorage
//   {"cmd": "dump"}                  storage, requests made so far, the text on the page
"use strict";

const fs = require("fs");
const readline = require("readline");

const [base, chatPath] = process.argv.slice(2);

function classList() {
  const names = new Set();
  return {
    add(...xs) { xs.forEach((x) => names.add(x)); },
    remove(...xs) { xs.forEach((x) => names.delete(x)); },
    contains(x) { return names.has(x); },
    toggle(x, on) { const want = on === undefined ? !names.has(x) : on; want ? names.add(x) : names.delete(x); return want; },
  };
}

function node(tag) {
  const n = {
    classList: classList(),
    tagName: tag, children: [], attrs: {}, style: {}, handlers: {}, hidden: false, disabled: false,
    value: "", className: "", id: "", lang: "", href: "", target: "", rel: "", type: "", placeholder: "",
    scrollTop: 0, scrollHeight: 0, _text: "",
    appendChild(child) { this.children.push(child); return child; },
    setAttribute(k, v) { this.attrs[k] = String(v); },
    getAttribute(k) { return k in this.attrs ? this.attrs[k] : null; },
    querySelector() { return null; },
    addEventListener(type, fn) { (this.handlers[type] = this.handlers[type] || []).push(fn); },
    focus() {},
    querySelectorAll() { return []; },
    requestSubmit() { fire(this, "submit"); },
    dispatchEvent(event) { fire(this, event.type); },
  };
  Object.defineProperty(n, "textContent", {
    get() { return this._text + this.children.map((c) => c.textContent).join(" "); },
    set(v) { this._text = String(v); this.children = []; },
  });
  return n;
}

function fire(target, type) {
  for (const fn of target.handlers[type] || []) {
    fn({ type, preventDefault() {}, key: "", shiftKey: false, isComposing: false });
  }
}

const byId = {};
const storage = new Map();
const requests = [];
const inflight = new Set();

globalThis.document = {
  readyState: "complete",
  documentElement: { lang: "", classList: classList() },
  getElementById(id) { return (byId[id] = byId[id] || node(id === "lang-select" ? "select" : "div")); },
  createElement: node,
  createTextNode(text) { return { textContent: String(text) }; },
  addEventListener() {},
};
Object.defineProperty(globalThis, "navigator", { value: { languages: ["vi-VN"] }, configurable: true });
globalThis.window = {
  sessionStorage: {
    getItem: (k) => (storage.has(k) ? storage.get(k) : null),
    setItem: (k, v) => storage.set(k, String(v)),
    removeItem: (k) => storage.delete(k),
  },
  setTimeout, clearTimeout, clearInterval,
  // The chat polls every few seconds; the test need not wait that long.
  setInterval: (fn) => setInterval(fn, 150),
};
const realFetch = globalThis.fetch;
globalThis.fetch = (url, options = {}) => {
  const record = { url, method: options.method || "GET", headers: options.headers || {}, body: options.body || null };
  requests.push(record);
  const done = realFetch(base + url, options).then((response) => {
    record.status = response.status;
    return response;
  });
  inflight.add(done);
  done.finally(() => inflight.delete(done)).catch(() => {});
  return done;
};

async function settle() {
  // Until no request is in flight and the promise chains after them have run.
  for (let quiet = 0; quiet < 5; ) {
    await new Promise((r) => setTimeout(r, 20));
    quiet = inflight.size ? 0 : quiet + 1;
  }
}

byId["lang-select"] = node("select");
byId["lang-select"].value = "auto";
new Function(fs.readFileSync(chatPath, "utf8"))();

const rl = readline.createInterface({ input: process.stdin });
rl.on("line", async (line) => {
  const cmd = JSON.parse(line);
  if (cmd.cmd === "say") {
    byId["message-input"].value = cmd.text;
    fire(byId["composer"], "submit");
    await settle();
  } else if (cmd.cmd === "wait") {
    await new Promise((r) => setTimeout(r, cmd.ms));
    await settle();
  } else if (cmd.cmd === "set") {
    storage.set(cmd.key, cmd.value);
  }
  process.stdout.write(
    JSON.stringify({
      storage: Object.fromEntries(storage),
      requests,
      page: byId["messages"].textContent,
    }) + "\n"
  );
  if (cmd.cmd === "quit") {
    process.exit(0);
  }
});
