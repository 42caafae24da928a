/* OmniDesk web chat widget: plain script, no build step, no external resources.
 *
 * Embed:
 *   <script src="https://gateway.example/chat/widget.js" data-title="Поддержка"></script>
 * Optional attributes: data-title (panel title), data-lang ("ru" | "en"; otherwise English when
 * the browser's language is English, Russian in every other case), data-socket (the chat socket's
 * URL, when not the one the gateway wrote into this script). Under a Content-Security-Policy the
 * widget's fallback styles take the nonce of its script tag.
 *
 * Speaks the visitor protocol of /ws/chat (docs/protocol.md §7):
 * - keeps the visitor's secret token in localStorage ("omnidesk.visitor"), so a returning visitor
 *   is known again and sees their history (the gateway keeps only a hash of it; operators see a
 *   separate public handle, never the token);
 * - shows each own message as pending until the gateway acknowledges it (after commit), then sent;
 *   unacknowledged messages are kept (also across page loads) and re-sent with the SAME ids after
 *   a reconnect: the gateway drops duplicates;
 * - reconnects with exponential backoff (1 s doubling to 30 s);
 * - sends "delivered" for every operator message it receives and "read" once the panel is open
 *   and the page visible, paced below the gateway's per-connection rate limit;
 * - never puts message text into HTML: textContent only, messages are untrusted.
 *
 * Stable hooks for tests: #omnidesk-chat-button, #omnidesk-chat-panel, #omnidesk-chat-status
 * (data-state connecting|online|offline), #omnidesk-chat-messages, #omnidesk-chat-input,
 * #omnidesk-chat-send, #omnidesk-chat-intro; every message is an li.omnidesk-msg with
 * data-direction ("in" = from the customer, "out" = from an operator), data-state
 * (own messages: pending | sent | failed; operator messages: delivered once the widget has
 * confirmed them) and data-event-id (once the gateway has given it one).
 */
(function () {
  "use strict";
  if (window.OmniDeskChat) return;

  // -- where we come from ------------------------------------------------------------------------
  var script = document.currentScript;
  if (!script) {
    var candidates = document.querySelectorAll('script[src*="widget.js"]');
    script = candidates.length ? candidates[candidates.length - 1] : null;
  }
  var src = new URL(script ? script.getAttribute("src") : "widget.js", window.location.href);
  var base = src.origin + src.pathname.replace(/[^/]*$/, "");
  // The gateway writes its socket's public URL here when it serves this file. A page behind a
  // proxy of its own may name another with data-socket; a copy served elsewhere falls back to
  // the host the script came from.
  var servedSocketUrl = "";
  var wsUrl = attr("data-socket") || servedSocketUrl ||
    (src.protocol === "https:" ? "wss://" : "ws://") + src.host + "/ws/chat";

  function attr(name) {
    return script ? (script.getAttribute(name) || "").trim() : "";
  }

  // -- language ----------------------------------------------------------------------------------
  var T = {
    ru: {
      title: "Чат с поддержкой", open: "Открыть чат", close: "Закрыть чат",
      unread: "новых сообщений: ", placeholder: "Напишите сообщение…",
      input: "Текст сообщения", send: "Отправить",
      name: "Имя", phone: "Телефон", email: "E-mail",
      intro: "Представьтесь, чтобы мы могли ответить в удобном вам канале. Это необязательно.",
      start: "Продолжить", skip: "Пропустить", introLabel: "Контакты",
      connecting: "Подключаемся…", online: "На связи",
      offline: "Нет связи. Пробуем подключиться снова…",
      pending: "отправляется…", sent: "отправлено", failed: "не отправлено",
      messages: "Сообщения чата", operator: "Оператор", you: "Вы",
      empty: "Здравствуйте! Напишите свой вопрос — оператор ответит здесь."
    },
    en: {
      title: "Chat with support", open: "Open chat", close: "Close chat",
      unread: "unread messages: ", placeholder: "Type a message…",
      input: "Message text", send: "Send",
      name: "Name", phone: "Phone", email: "E-mail",
      intro: "Tell us who you are so we can answer on the channel you prefer. This is optional.",
      start: "Continue", skip: "Skip", introLabel: "Contact details",
      connecting: "Connecting…", online: "Connected",
      offline: "Offline. Trying to reconnect…",
      pending: "sending…", sent: "sent", failed: "not sent",
      messages: "Chat messages", operator: "Agent", you: "You",
      empty: "Hello! Ask your question and an agent will answer here."
    }
  };
  var wanted = attr("data-lang").toLowerCase();
  var browserLang = String(navigator.language || "").toLowerCase();
  var lang = wanted.indexOf("en") === 0 ? "en"
    : wanted.indexOf("ru") === 0 ? "ru"
    : browserLang.indexOf("en") === 0 ? "en" : "ru";
  var t = T[lang];
  var title = attr("data-title") || t.title;

  // -- storage (may be unavailable: private modes, blocked cookies) ------------------------------
  var STORE = "omnidesk.visitor";
  var OUTBOX = STORE + ".outbox";     // unacknowledged messages, survive a page load
  var SEEN = STORE + ".receipts";     // {"v": visitor, "d": last delivered id, "r": last read id}
  var INTRO = STORE + ".intro";       // the pre-chat form was filled in or skipped
  var OPEN = "omnidesk.open";         // sessionStorage: the panel stays open across pages

  function load(key, session) {
    try { return (session ? window.sessionStorage : window.localStorage).getItem(key); }
    catch (e) { return null; }
  }
  function save(key, value, session) {
    try {
      var s = session ? window.sessionStorage : window.localStorage;
      if (value == null) s.removeItem(key); else s.setItem(key, value);
    } catch (e) { /* the chat works without storage, it just forgets */ }
  }
  function loadJSON(key, fallback) {
    try {
      var v = JSON.parse(load(key) || "null");
      return v !== null && typeof v === "object" && Array.isArray(v) === Array.isArray(fallback)
        ? v : fallback;
    } catch (e) { return fallback; }
  }

  // -- DOM ---------------------------------------------------------------------------------------
  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text != null) e.textContent = text;
    return e;
  }

  // A minimal inline fallback first, then the stylesheet, which wins where both say something.
  var fallback = el("style", { "data-omnidesk": "fallback" },
    "#omnidesk-chat-button{position:fixed;right:20px;bottom:20px;z-index:2147483000;" +
    "min-width:56px;min-height:56px;border-radius:28px;border:0;background:#1f5fbf;color:#fff}" +
    "#omnidesk-chat-panel{position:fixed;right:20px;bottom:88px;z-index:2147483000;" +
    "width:340px;max-width:calc(100vw - 40px);height:460px;max-height:calc(100vh - 120px);" +
    "background:#fff;color:#1d2330;border:1px solid #99a;display:flex;" +
    "flex-direction:column;font:14px/1.4 sans-serif}" +
    "#omnidesk-chat-panel[hidden],#omnidesk-chat-panel [hidden]{display:none}" +
    "#omnidesk-chat-messages{flex:1;overflow-y:auto;list-style:none;margin:0;padding:8px}" +
    ".omnidesk-msg{margin:4px 0;white-space:pre-wrap;word-wrap:break-word}" +
    ".omnidesk-msg[data-direction=in]{text-align:right}" +
    ".omnidesk-compose{display:flex}.omnidesk-compose textarea{flex:1}" +
    ".omnidesk-author,.omnidesk-meta{display:block;font-size:11px}" +
    ".omnidesk-sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}" +
    "#omnidesk-chat-button [hidden]{display:none}");
  if (script && script.nonce) fallback.nonce = script.nonce;
  document.head.appendChild(fallback);
  document.head.appendChild(el("link", { rel: "stylesheet", href: base + "widget.css" }));

  var button = el("button", {
    id: "omnidesk-chat-button", type: "button", "aria-label": t.open,
    "aria-expanded": "false", "aria-controls": "omnidesk-chat-panel"
  });
  // A speech-bubble icon drawn inline: no icon font, no image request.
  var svgNS = "http://www.w3.org/2000/svg";
  var icon = document.createElementNS(svgNS, "svg");
  icon.setAttribute("viewBox", "0 0 24 24");
  icon.setAttribute("width", "28");
  icon.setAttribute("height", "28");
  icon.setAttribute("aria-hidden", "true");
  icon.setAttribute("focusable", "false");
  var path = document.createElementNS(svgNS, "path");
  path.setAttribute("fill", "currentColor");
  path.setAttribute("d", "M4 3h16a2 2 0 0 1 2 2v11a2 2 0 0 1-2 2H9.5L5 21.5V18H4a2 2 0 0 1-2-2V5" +
                         "a2 2 0 0 1 2-2zm3 6.5a1.5 1.5 0 1 0 0 3 1.5 1.5 0 0 0 0-3zm5 0a1.5 " +
                         "1.5 0 1 0 0 3 1.5 1.5 0 0 0 0-3zm5 0a1.5 1.5 0 1 0 0 3 1.5 1.5 0 0 0 " +
                         "0-3z");
  icon.appendChild(path);
  button.appendChild(icon);
  var badge = el("span", { class: "omnidesk-badge", "aria-hidden": "true", hidden: "" });
  button.appendChild(badge);

  var panel = el("section", {
    id: "omnidesk-chat-panel", role: "dialog", "aria-label": title, hidden: "", lang: lang
  });
  var header = el("header", { class: "omnidesk-header" });
  var heading = el("div", { class: "omnidesk-heading" });
  heading.appendChild(el("span", { class: "omnidesk-title" }, title));
  var status = el("span", {
    id: "omnidesk-chat-status", class: "omnidesk-status", role: "status",
    "data-state": "connecting"
  }, t.connecting);
  heading.appendChild(status);
  header.appendChild(heading);
  var closeBtn = el("button", { type: "button", class: "omnidesk-close", "aria-label": t.close },
                    "×");
  header.appendChild(closeBtn);

  var list = el("ol", {
    id: "omnidesk-chat-messages", "aria-live": "polite", "aria-relevant": "additions",
    "aria-label": t.messages, tabindex: "0"
  });
  var empty = el("p", { class: "omnidesk-empty" }, t.empty);

  var intro = el("form", { id: "omnidesk-chat-intro", class: "omnidesk-intro",
                           "aria-label": t.introLabel, novalidate: "" });
  intro.appendChild(el("p", {}, t.intro));
  var fName = el("input", { name: "name", "aria-label": t.name, placeholder: t.name,
                            autocomplete: "name", maxlength: "200" });
  var fPhone = el("input", { name: "phone", "aria-label": t.phone, placeholder: t.phone,
                             autocomplete: "tel", type: "tel", maxlength: "40" });
  var fEmail = el("input", { name: "email", "aria-label": t.email, placeholder: t.email,
                             autocomplete: "email", type: "email", maxlength: "320" });
  [fName, fPhone, fEmail].forEach(function (f) { intro.appendChild(f); });
  var introButtons = el("div", { class: "omnidesk-intro-buttons" });
  var skipBtn = el("button", { type: "button", class: "omnidesk-skip" }, t.skip);
  var startBtn = el("button", { type: "submit", class: "omnidesk-start" }, t.start);
  introButtons.appendChild(skipBtn);
  introButtons.appendChild(startBtn);
  intro.appendChild(introButtons);

  var form = el("form", { class: "omnidesk-compose" });
  var input = el("textarea", { id: "omnidesk-chat-input", rows: "2", maxlength: "4000",
                               placeholder: t.placeholder, "aria-label": t.input });
  var send = el("button", { id: "omnidesk-chat-send", type: "submit", "aria-label": t.send },
                t.send);
  form.appendChild(input);
  form.appendChild(send);

  panel.appendChild(header);
  panel.appendChild(empty);
  panel.appendChild(list);
  panel.appendChild(intro);
  panel.appendChild(form);

  intro.hidden = load(INTRO) === "1";

  // -- messages ----------------------------------------------------------------------------------
  var byEvent = {};   // event_id -> li: history, live messages and acks never show twice
  var byClient = {};  // client message id -> li of a message not yet acknowledged
  var unread = 0;

  function clock(iso) {
    var d = iso ? new Date(iso) : new Date();
    if (isNaN(d.getTime())) return "";
    return d.toLocaleTimeString(lang === "en" ? "en-GB" : "ru-RU",
                                { hour: "2-digit", minute: "2-digit" });
  }

  function bubble(direction, text, author, at) {
    var li = el("li", { class: "omnidesk-msg", "data-direction": direction });
    li.appendChild(el("span", { class: direction === "out" ? "omnidesk-author" : "omnidesk-sr" },
                      direction === "out" ? (author || t.operator) : t.you));
    li.appendChild(el("span", { class: "omnidesk-text" }, text));
    var meta = el("span", { class: "omnidesk-meta" });
    meta.appendChild(el("time", {}, clock(at)));
    meta.appendChild(el("span", { class: "omnidesk-state" }));
    li.appendChild(meta);
    return li;
  }

  function setState(li, state) {
    li.setAttribute("data-state", state);
    if (li.getAttribute("data-direction") === "in") {
      li.querySelector(".omnidesk-state").textContent = t[state] || "";
    }
  }

  // Messages with an event id keep the gateway's order; pending ones stay at the end.
  function place(li, eventId) {
    if (eventId != null) {
      li.setAttribute("data-event-id", String(eventId));
      byEvent[eventId] = li;
      var items = list.children;
      for (var i = 0; i < items.length; i++) {
        var other = items[i].getAttribute("data-event-id");
        if (other === null || Number(other) > eventId) {
          list.insertBefore(li, items[i]);
          return settle();
        }
      }
    }
    list.appendChild(li);
    settle();
  }

  function settle() {
    empty.hidden = list.children.length > 0;
    list.scrollTop = list.scrollHeight;
  }

  function showOwn(id, text) {
    var li = bubble("in", text, "", null);
    li.setAttribute("data-client-id", id);
    setState(li, "pending");
    byClient[id] = li;
    place(li, null);
  }

  function showOperator(eventId, text, author, at, live) {
    if (byEvent[eventId]) return;
    place(bubble("out", text, author, at), eventId);
    if (live && !panelVisible()) {
      unread += 1;
      showUnread();
    }
  }

  function showUnread() {
    badge.hidden = unread === 0;
    badge.textContent = unread > 99 ? "99+" : String(unread);
    var label = panel.hidden ? t.open : t.close;
    button.setAttribute("aria-label", unread && panel.hidden ? label + " (" + t.unread + unread +
                        ")" : label);
  }

  // -- the socket --------------------------------------------------------------------------------
  var ws = null;
  var ready = false;           // welcome received on the current socket
  var failed = false;          // a connection failed or dropped since the page loaded
  var delay = 1000;            // next reconnect delay: 1 s doubling to 30 s
  var retryTimer = null;
  var visitorId = load(STORE);
  var claims = null;           // pre-chat details not yet sent
  var unacked = loadJSON(OUTBOX, []).filter(function (m) {
    return m && typeof m.id === "string" && typeof m.text === "string";
  });
  var done = {};               // client ids acknowledged in this page
  var queue = [];              // frames for the open socket, sent at a polite pace
  var tokens = 15;
  var tokensAt = Date.now();
  var flushTimer = null;
  var seen = loadJSON(SEEN, {});
  var receipts = {};           // event_id -> 1 delivered, 2 read (queued or sent)
  var seq = 0;

  if (seen.v !== visitorId) seen = { v: visitorId, d: 0, r: 0 };

  function newId() {
    seq += 1;
    var rnd = "";
    try {
      var a = new Uint32Array(2);
      window.crypto.getRandomValues(a);
      rnd = a[0].toString(36) + a[1].toString(36);
    } catch (e) {
      rnd = Math.random().toString(36).slice(2, 12);
    }
    return "w" + Date.now().toString(36) + "-" + seq + "-" + rnd;
  }

  function syncOutbox() {
    // Other tabs of the same visitor share the outbox: merge rather than overwrite.
    var have = {};
    var merged = [];
    loadJSON(OUTBOX, []).concat(unacked).forEach(function (m) {
      if (m && typeof m.id === "string" && !have[m.id] && !done[m.id]) {
        have[m.id] = true;
        merged.push({ id: m.id, text: m.text });
      }
    });
    save(OUTBOX, merged.length ? JSON.stringify(merged.slice(-50)) : null);
  }

  function setStatus(state) {
    status.setAttribute("data-state", state);
    status.textContent = t[state];
  }

  // The gateway allows 5 frames a second with bursts of 20 per connection; stay below it.
  function take() {
    var now = Date.now();
    tokens = Math.min(15, tokens + (now - tokensAt) * 0.004);
    tokensAt = now;
    if (tokens >= 1) { tokens -= 1; return true; }
    return false;
  }

  function flush() {
    flushTimer = null;
    while (queue.length && ready && ws && ws.readyState === 1) {
      if (!take()) {
        flushTimer = setTimeout(flush, 260);
        return;
      }
      var frame = queue.shift();
      if (frame.type === "message" && done[frame.id]) continue;
      ws.send(JSON.stringify(frame));
      if (frame.type === "delivered" || frame.type === "read") noteReceipt(frame);
    }
  }

  function enqueue(frame) {
    queue.push(frame);
    if (!flushTimer) flush();
  }

  function noteReceipt(frame) {
    var key = frame.type === "read" ? "r" : "d";
    if (frame.event_id > (seen[key] || 0)) {
      seen[key] = frame.event_id;
      save(SEEN, JSON.stringify(seen));
    }
  }

  function panelVisible() {
    return !panel.hidden && document.visibilityState !== "hidden";
  }

  // "delivered" for every operator message received, "read" once it can be seen.
  function receipt(eventId) {
    var li = byEvent[eventId];
    if (!li || li.getAttribute("data-direction") !== "out") return;
    var level = receipts[eventId] || 0;
    if (level < 1 && eventId > (seen.d || 0)) enqueue({ type: "delivered", event_id: eventId });
    if (level < 1) {
      receipts[eventId] = 1;
      li.setAttribute("data-state", "delivered");
    }
    if (level < 2 && panelVisible()) {
      receipts[eventId] = 2;
      if (eventId > (seen.r || 0)) enqueue({ type: "read", event_id: eventId });
    }
  }

  function markRead() {
    if (!panelVisible()) return;
    unread = 0;
    showUnread();
    Object.keys(byEvent).forEach(function (k) { receipt(Number(k)); });
  }

  function connect() {
    retryTimer = null;
    ready = false;
    // "Connecting" only for the first attempt; while retrying the line keeps saying "offline".
    if (!failed) setStatus("connecting");
    var sock;
    try { sock = new WebSocket(wsUrl); } catch (e) { retry(); return; }
    ws = sock;
    sock.onopen = function () {
      var hello = { type: "hello" };
      if (visitorId) hello.visitor_token = visitorId;
      if (claims) {
        Object.keys(claims).forEach(function (k) { hello[k] = claims[k]; });
        claims = null;
      }
      tokens = 15;
      tokensAt = Date.now();
      sock.send(JSON.stringify(hello));
    };
    sock.onmessage = function (ev) {
      if (sock !== ws) return;
      var msg;
      try { msg = JSON.parse(ev.data); } catch (e) { return; }
      if (!msg || typeof msg !== "object") return;
      if (msg.type === "welcome") welcome(msg);
      else if (msg.type === "ack") ack(msg);
      else if (msg.type === "message" && typeof msg.event_id === "number") {
        showOperator(msg.event_id, String(msg.text || ""), msg.author, msg.at, true);
        receipt(msg.event_id);
      } else if (msg.type === "error") error(msg);
    };
    sock.onclose = function () {
      if (sock !== ws) return;
      retry();
    };
    sock.onerror = function () { /* onclose follows */ };
  }

  function welcome(msg) {
    if (typeof msg.visitor_token === "string" && msg.visitor_token !== visitorId) {
      visitorId = msg.visitor_token;
      save(STORE, visitorId);
      if (seen.v !== visitorId) {
        seen = { v: visitorId, d: 0, r: 0 };
        save(SEEN, JSON.stringify(seen));
      }
    }
    ready = true;
    delay = 1000;
    setStatus("online");
    (Array.isArray(msg.history) ? msg.history : []).forEach(function (h) {
      if (!h || typeof h.event_id !== "number" || byEvent[h.event_id]) return;
      if (h.direction === "out") {
        showOperator(h.event_id, String(h.text || ""), h.author, h.at, h.event_id > (seen.r || 0));
      } else {
        var li = bubble("in", String(h.text || ""), "", h.at);
        setState(li, "sent");
        place(li, h.event_id);
      }
    });
    // Un-acked messages first, again and with their own ids; then receipts still owed.
    queue = queue.filter(function (f) { return f.type !== "message"; });
    var again = unacked.map(function (m) { return { type: "message", id: m.id, text: m.text }; });
    queue = again.concat(queue);
    Object.keys(byEvent).forEach(function (k) {
      var eventId = Number(k);
      if (!receipts[eventId]) receipt(eventId);
    });
    markRead();
    flush();
  }

  function ack(msg) {
    if (typeof msg.id !== "string") return;
    done[msg.id] = true;
    unacked = unacked.filter(function (m) { return m.id !== msg.id; });
    syncOutbox();
    var li = byClient[msg.id];
    delete byClient[msg.id];
    if (!li) return;
    if (typeof msg.event_id === "number" && byEvent[msg.event_id] && byEvent[msg.event_id] !== li) {
      // Committed before a reload and already shown from the history: keep one copy.
      li.parentNode.removeChild(li);
      settle();
      return;
    }
    setState(li, "sent");
    if (typeof msg.event_id === "number") {
      li.setAttribute("data-event-id", String(msg.event_id));
      byEvent[msg.event_id] = li;
    }
  }

  function error(msg) {
    if (typeof msg.id !== "string" || !byClient[msg.id]) return;
    var id = msg.id;
    if (msg.code === "rate_limited" || msg.code === "internal_error") {
      // Not stored: send it again shortly, with the same id.
      setTimeout(function () {
        if (!done[id] && ready) {
          var m = unacked.filter(function (u) { return u.id === id; })[0];
          if (m) enqueue({ type: "message", id: m.id, text: m.text });
        }
      }, 2000);
      return;
    }
    // Refused for good (for example too long): sending it again would not help.
    done[id] = true;
    unacked = unacked.filter(function (m) { return m.id !== id; });
    syncOutbox();
    var li = byClient[id];
    delete byClient[id];
    setState(li, "failed");
    li.title = String(msg.message || "");
  }

  function retry() {
    ws = null;
    ready = false;
    failed = true;
    if (flushTimer) { clearTimeout(flushTimer); flushTimer = null; }
    setStatus("offline");
    retryTimer = setTimeout(connect, delay);
    delay = Math.min(delay * 2, 30000);
  }

  function reconnectNow() {
    if (ws || !retryTimer) return;
    clearTimeout(retryTimer);
    delay = 1000;
    connect();
  }

  // -- user actions ------------------------------------------------------------------------------
  function submit(e) {
    if (e) e.preventDefault();
    var text = input.value.trim();
    if (!text) return;
    if (!intro.hidden) finishIntro(false);
    var id = newId();
    unacked.push({ id: id, text: text });
    syncOutbox();
    showOwn(id, text);
    input.value = "";
    if (ready) enqueue({ type: "message", id: id, text: text });
  }

  function finishIntro(focus) {
    intro.hidden = true;
    save(INTRO, "1");
    if (focus) input.focus();
  }

  function toggle(open) {
    panel.hidden = !open;
    button.setAttribute("aria-expanded", open ? "true" : "false");
    save(OPEN, open ? "1" : null, true);
    showUnread();
    if (open) {
      list.scrollTop = list.scrollHeight;
      (intro.hidden ? input : fName).focus();
      markRead();
    } else {
      button.focus();
    }
  }

  form.addEventListener("submit", submit);
  input.addEventListener("keydown", function (e) {
    // Enter sends; Shift+Enter is a new line; Enter that ends an IME composition is neither.
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing && e.keyCode !== 229) submit(e);
  });
  intro.addEventListener("submit", function (e) {
    e.preventDefault();
    var given = {};
    [["name", fName], ["phone", fPhone], ["email", fEmail]].forEach(function (p) {
      var v = p[1].value.trim();
      if (v) given[p[0]] = v;
    });
    if (Object.keys(given).length) {
      if (ready) {
        given.type = "identify";
        enqueue(given);
      } else {
        claims = given;  // goes with the next hello
      }
    }
    finishIntro(true);
  });
  skipBtn.addEventListener("click", function () { finishIntro(true); });
  button.addEventListener("click", function () { toggle(panel.hidden); });
  closeBtn.addEventListener("click", function () { toggle(false); });
  panel.addEventListener("keydown", function (e) {
    if (e.key === "Escape") toggle(false);
  });
  document.addEventListener("visibilitychange", markRead);
  window.addEventListener("online", reconnectNow);

  function mount() {
    document.body.appendChild(button);
    document.body.appendChild(panel);
    unacked.forEach(function (m) { showOwn(m.id, m.text); });
    settle();
    if (load(OPEN, true) === "1") {
      panel.hidden = false;
      button.setAttribute("aria-expanded", "true");
      showUnread();
    }
    connect();
  }

  window.OmniDeskChat = {
    open: function () { toggle(true); },
    close: function () { toggle(false); },
    visitorId: function () { return visitorId; }
  };
  if (document.body) mount(); else document.addEventListener("DOMContentLoaded", mount);
})();
