/* OmniDesk web chat widget.
 *
 * Embed: <script src="https://gateway.example/chat/widget.js" data-title="Поддержка"></script>
 * Speaks the visitor protocol of /ws/chat on the same host (see docs/protocol.md).
 * - keeps the visitor id in localStorage, so a returning visitor sees their history;
 * - shows each own message as pending until the gateway acknowledges it (after commit);
 * - reconnects with backoff and re-sends unacknowledged messages with the same ids
 *   (the gateway drops duplicates);
 * - never puts message text into HTML (textContent only).
 */
(function () {
  "use strict";
  if (window.OmniDeskChat) return;

  var script = document.currentScript;
  var src = new URL(script ? script.src : "widget.js", window.location.href);
  var base = src.href.replace(/[^/]*$/, "");
  var wsUrl = (src.protocol === "https:" ? "wss://" : "ws://") + src.host + "/ws/chat";
  // The embedding page's language first: a Russian shop gets a Russian chat.
  var lang = ((script && script.dataset.lang) || document.documentElement.lang ||
              navigator.language || "ru").slice(0, 2).toLowerCase();
  var STORE = "omnidesk.visitor";

  var T = {
    ru: {
      title: "Чат с поддержкой", open: "Открыть чат", close: "Закрыть чат",
      placeholder: "Напишите сообщение…", send: "Отправить", name: "Имя",
      phone: "Телефон", email: "E-mail", intro: "Представьтесь, чтобы мы могли ответить " +
        "в любом удобном канале (можно пропустить).", start: "Начать", skip: "Пропустить",
      online: "На связи", connecting: "Подключаемся…", offline: "Нет связи, пробуем снова…",
      pending: "отправляется", sent: "отправлено", failed: "не отправлено",
      messages: "Сообщения чата", operator: "Оператор"
    },
    en: {
      title: "Chat with support", open: "Open chat", close: "Close chat",
      placeholder: "Type a message…", send: "Send", name: "Name", phone: "Phone",
      email: "E-mail", intro: "Tell us who you are so we can answer on any channel " +
        "(optional).", start: "Start", skip: "Skip", online: "Connected",
      connecting: "Connecting…", offline: "Offline, retrying…", pending: "sending",
      sent: "sent", failed: "not sent", messages: "Chat messages", operator: "Agent"
    }
  };
  var t = T[lang] || T.ru;
  var title = (script && script.dataset.title) || t.title;

  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text != null) e.textContent = text;
    return e;
  }

  // Styles: the stylesheet, plus a minimal inline fallback if it cannot load.
  var css = el("link", { rel: "stylesheet", href: base + "widget.css" });
  document.head.appendChild(css);
  var fallback = el("style", {},
    "#omnidesk-chat-panel{position:fixed;right:16px;bottom:80px;width:340px;height:460px;" +
    "background:#fff;border:1px solid #ccd;display:flex;flex-direction:column;font:14px sans-serif}" +
    "#omnidesk-chat-panel[hidden]{display:none}" +
    "#omnidesk-chat-button{position:fixed;right:16px;bottom:16px}");
  document.head.appendChild(fallback);

  var button = el("button", { id: "omnidesk-chat-button", type: "button",
                              "aria-label": t.open, "aria-expanded": "false" });
  // A speech-bubble icon drawn inline: no icon font or emoji font needed.
  var svgNS = "http://www.w3.org/2000/svg";
  var icon = document.createElementNS(svgNS, "svg");
  icon.setAttribute("viewBox", "0 0 24 24");
  icon.setAttribute("width", "28");
  icon.setAttribute("height", "28");
  icon.setAttribute("aria-hidden", "true");
  var path = document.createElementNS(svgNS, "path");
  path.setAttribute("fill", "currentColor");
  path.setAttribute("d", "M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V6" +
                         "a2 2 0 0 1 2-2zm3 6a1.5 1.5 0 1 0 0 3 1.5 1.5 0 0 0 0-3zm5 0a1.5 " +
                         "1.5 0 1 0 0 3 1.5 1.5 0 0 0 0-3zm5 0a1.5 1.5 0 1 0 0 3 1.5 1.5 0 0 " +
                         "0 0-3z");
  icon.appendChild(path);
  button.appendChild(icon);
  var panel = el("section", { id: "omnidesk-chat-panel", role: "dialog",
                              "aria-label": title, hidden: "" });
  var header = el("header", { class: "omnidesk-header" });
  header.appendChild(el("span", { class: "omnidesk-title" }, title));
  var status = el("span", { id: "omnidesk-chat-status", class: "omnidesk-status",
                            "data-state": "connecting" }, t.connecting);
  header.appendChild(status);
  var closeBtn = el("button", { type: "button", class: "omnidesk-close",
                                "aria-label": t.close }, "×");
  header.appendChild(closeBtn);
  var list = el("ol", { id: "omnidesk-chat-messages", "aria-live": "polite",
                        "aria-label": t.messages });
  var intro = el("form", { id: "omnidesk-chat-intro", class: "omnidesk-intro" });
  intro.appendChild(el("p", {}, t.intro));
  var fName = el("input", { name: "name", "aria-label": t.name, placeholder: t.name,
                            autocomplete: "name" });
  var fPhone = el("input", { name: "phone", "aria-label": t.phone, placeholder: t.phone,
                             autocomplete: "tel", type: "tel" });
  var fEmail = el("input", { name: "email", "aria-label": t.email, placeholder: t.email,
                             autocomplete: "email", type: "email" });
  [fName, fPhone, fEmail].forEach(function (f) { intro.appendChild(f); });
  var startBtn = el("button", { type: "submit" }, t.start);
  var skipBtn = el("button", { type: "button", class: "omnidesk-skip" }, t.skip);
  intro.appendChild(startBtn);
  intro.appendChild(skipBtn);
  var form = el("form", { class: "omnidesk-compose" });
  var input = el("textarea", { id: "omnidesk-chat-input", rows: "2",
                               placeholder: t.placeholder, "aria-label": t.placeholder });
  var send = el("button", { id: "omnidesk-chat-send", type: "submit",
                            "aria-label": t.send }, t.send);
  form.appendChild(input);
  form.appendChild(send);
  panel.appendChild(header);
  panel.appendChild(list);
  panel.appendChild(intro);
  panel.appendChild(form);

  function mount() {
    document.body.appendChild(button);
    document.body.appendChild(panel);
  }
  if (document.body) mount(); else document.addEventListener("DOMContentLoaded", mount);

  var visitorId = null;
  try { visitorId = window.localStorage.getItem(STORE); } catch (e) { visitorId = null; }
  var introDone = false;
  try { introDone = window.localStorage.getItem(STORE + ".intro") === "1"; } catch (e) {}
  intro.hidden = introDone;

  var ws = null;
  var delay = 1000;
  var unacked = [];  // [{id, text}] in order: re-sent after a reconnect
  var rendered = {};  // event_id -> element, so history and live messages never repeat
  var seq = 0;

  function newId() {
    seq += 1;
    var rnd = Math.random().toString(36).slice(2, 10);
    return "w" + Date.now().toString(36) + "-" + seq + "-" + rnd;
  }

  function setStatus(state) {
    status.setAttribute("data-state", state);
    status.textContent = t[state];
  }

  function bubble(direction, text, author, state, clientId, eventId) {
    var li = el("li", { class: "omnidesk-msg", "data-direction": direction });
    if (author) li.appendChild(el("span", { class: "omnidesk-author" }, author));
    li.appendChild(el("span", { class: "omnidesk-text" }, text));
    var meta = el("span", { class: "omnidesk-meta" });
    li.appendChild(meta);
    if (state) setState(li, state);
    if (clientId) li.setAttribute("data-client-id", clientId);
    if (eventId != null) {
      li.setAttribute("data-event-id", String(eventId));
      rendered[eventId] = li;
    }
    list.appendChild(li);
    list.scrollTop = list.scrollHeight;
    return li;
  }

  function setState(li, state) {
    li.setAttribute("data-state", state);
    li.querySelector(".omnidesk-meta").textContent = t[state] || "";
  }

  function sendFrame(frame) {
    if (ws && ws.readyState === 1) { ws.send(JSON.stringify(frame)); return true; }
    return false;
  }

  function panelVisible() {
    return !panel.hidden && document.visibilityState === "visible";
  }

  function receipt(eventId) {
    sendFrame({ type: panelVisible() ? "read" : "delivered", event_id: eventId });
  }

  function connect() {
    setStatus(delay > 1000 ? "offline" : "connecting");
    try { ws = new WebSocket(wsUrl); } catch (e) { retry(); return; }
    ws.onopen = function () {
      var hello = { type: "hello" };
      if (visitorId) hello.visitor_id = visitorId;
      ws.send(JSON.stringify(hello));
    };
    ws.onmessage = function (ev) {
      var msg;
      try { msg = JSON.parse(ev.data); } catch (e) { return; }
      if (msg.type === "welcome") {
        visitorId = msg.visitor_id;
        try { window.localStorage.setItem(STORE, visitorId); } catch (e) {}
        delay = 1000;
        setStatus("online");
        (msg.history || []).forEach(function (h) {
          if (rendered[h.event_id]) return;
          if (h.direction === "in") {
            bubble("in", h.text, "", "sent", null, h.event_id);
          } else {
            bubble("out", h.text, h.author || t.operator, null, null, h.event_id);
          }
        });
        unacked.forEach(function (m) { sendFrame({ type: "message", id: m.id, text: m.text }); });
      } else if (msg.type === "ack") {
        unacked = unacked.filter(function (m) { return m.id !== msg.id; });
        var li = list.querySelector('[data-client-id="' + CSS.escape(msg.id) + '"]');
        if (li) {
          setState(li, "sent");
          li.setAttribute("data-event-id", String(msg.event_id));
          rendered[msg.event_id] = li;
        }
      } else if (msg.type === "message") {
        if (!rendered[msg.event_id]) {
          bubble("out", msg.text, msg.author || t.operator, null, null, msg.event_id);
        }
        receipt(msg.event_id);
      } else if (msg.type === "error" && msg.id) {
        var failed = list.querySelector('[data-client-id="' + CSS.escape(msg.id) + '"]');
        if (failed && msg.code !== "internal_error" && msg.code !== "rate_limited") {
          unacked = unacked.filter(function (m) { return m.id !== msg.id; });
          setState(failed, "failed");
          failed.title = msg.message || "";
        }
      }
    };
    ws.onclose = function () { retry(); };
    ws.onerror = function () { /* onclose follows */ };
  }

  function retry() {
    setStatus("offline");
    ws = null;
    setTimeout(connect, delay);
    delay = Math.min(delay * 2, 30000);
  }

  function submit(e) {
    if (e) e.preventDefault();
    var text = input.value.trim();
    if (!text) return;
    var id = newId();
    unacked.push({ id: id, text: text });
    bubble("in", text, "", "pending", id, null);
    input.value = "";
    sendFrame({ type: "message", id: id, text: text });
  }

  form.addEventListener("submit", submit);
  input.addEventListener("keydown", function (e) {
    if (e.key === "Enter" && !e.shiftKey) submit(e);
  });
  intro.addEventListener("submit", function (e) {
    e.preventDefault();
    var frame = { type: "identify" };
    if (fName.value.trim()) frame.name = fName.value.trim();
    if (fPhone.value.trim()) frame.phone = fPhone.value.trim();
    if (fEmail.value.trim()) frame.email = fEmail.value.trim();
    sendFrame(frame);
    finishIntro();
  });
  skipBtn.addEventListener("click", finishIntro);
  function finishIntro() {
    intro.hidden = true;
    try { window.localStorage.setItem(STORE + ".intro", "1"); } catch (e) {}
    input.focus();
  }

  function toggle(open) {
    panel.hidden = !open;
    button.setAttribute("aria-expanded", open ? "true" : "false");
    button.setAttribute("aria-label", open ? t.close : t.open);
    if (open) {
      (intro.hidden ? input : fName).focus();
      list.querySelectorAll('[data-direction="out"][data-event-id]').forEach(function (li) {
        receipt(Number(li.getAttribute("data-event-id")));
      });
    }
  }
  button.addEventListener("click", function () { toggle(panel.hidden); });
  closeBtn.addEventListener("click", function () { toggle(false); });

  window.OmniDeskChat = { open: function () { toggle(true); }, close: function () { toggle(false); } };
  connect();
})();
