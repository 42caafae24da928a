/* OmniDesk web chat widget: plain script, no build step, no external resources.
 *
 * Embed:
 *   <script src="https://gateway.example/chat/widget.js" data-title="Поддержка"></script>
 * Optional attributes: data-title (panel title), data-lang ("ru" | "en"; without it the page's
 * own language, <html lang>, and English for any other language: never the browser's),
 * data-socket (the chat socket's URL, when not the one the gateway wrote into this script).
 * Under a Content-Security-Policy the widget's fallback styles take the nonce of its script tag.
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
 * - attaches files (the paper-clip button, or dropped on the panel): each is uploaded at once
 *   (POST /chat/files with the visitor's token) and sent by id with the next message; files in
 *   messages show as download links with name and size, never inline;
 * - when an operator closes the chat it says so and asks for a 1-5 rating with an optional
 *   comment, answered once;
 * - never puts message text into HTML: textContent only, messages are untrusted.
 *
 * Stable hooks for tests: #omnidesk-chat-button, #omnidesk-chat-panel, #omnidesk-chat-status
 * (data-state connecting|online|offline), #omnidesk-chat-messages, #omnidesk-chat-input,
 * #omnidesk-chat-send, #omnidesk-chat-intro, #omnidesk-chat-attach, #omnidesk-chat-file (the
 * file input), #omnidesk-chat-files (files waiting to be sent: li[data-state=uploading|ready|
 * failed]), #omnidesk-chat-csat (data-state ask|sending|done|failed, data-conversation-id;
 * buttons [data-rating="1".."5"], textarea #omnidesk-chat-csat-comment); every message is an
 * li.omnidesk-msg with data-direction ("in" = from the customer, "out" = from an operator),
 * data-state (own messages: pending | sent | failed; operator messages: delivered once the
 * widget has confirmed them) and data-event-id (once the gateway has given it one); its files
 * are a.omnidesk-file links.
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
      empty: "Здравствуйте! Напишите свой вопрос — оператор ответит здесь.",
      attach: "Прикрепить файл", files: "Файлы к сообщению", remove: "Убрать файл",
      uploading: "загружается…", ready: "готов", drop: "Отпустите, чтобы прикрепить",
      tooMany: "Не больше 5 файлов в одном сообщении.",
      tooLarge: "Файл слишком большой.", uploadFailed: "Не удалось загрузить файл.",
      closed: "Разговор завершён.", rateAsk: "Оцените, пожалуйста, как мы помогли:",
      rate: "Оценка", rateN: "Оценка %1 из 5", comment: "Комментарий (необязательно)",
      thanks: "Спасибо за оценку!", rateFailed: "Не удалось отправить оценку.",
      units: ["Б", "КБ", "МБ"]
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
      empty: "Hello! Ask your question and an agent will answer here.",
      attach: "Attach a file", files: "Files for the message", remove: "Remove file",
      uploading: "uploading…", ready: "ready", drop: "Drop to attach",
      tooMany: "At most 5 files in one message.",
      tooLarge: "The file is too large.", uploadFailed: "The file could not be uploaded.",
      closed: "Conversation closed.", rateAsk: "Please rate how we helped:",
      rate: "Rating", rateN: "Rating %1 of 5", comment: "Comment (optional)",
      thanks: "Thank you for your rating!", rateFailed: "The rating could not be sent.",
      units: ["B", "KB", "MB"]
    }
  };
  // The page's language, not the browser's: the widget speaks as the shop's page does.
  var wanted = (attr("data-lang") || document.documentElement.getAttribute("lang") || "")
    .trim().toLowerCase();
  var lang = /^ru\b/.test(wanted) ? "ru" : "en";
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
  var attach = el("button", { id: "omnidesk-chat-attach", type: "button", class: "omnidesk-attach",
                              "aria-label": t.attach, title: t.attach, disabled: "" });
  // A paper clip drawn inline, like the button's bubble: no icon font, no emoji font needed.
  var clip = document.createElementNS(svgNS, "svg");
  clip.setAttribute("viewBox", "0 0 24 24");
  clip.setAttribute("width", "18");
  clip.setAttribute("height", "18");
  clip.setAttribute("aria-hidden", "true");
  clip.setAttribute("focusable", "false");
  var clipPath = document.createElementNS(svgNS, "path");
  clipPath.setAttribute("fill", "none");
  clipPath.setAttribute("stroke", "currentColor");
  clipPath.setAttribute("stroke-width", "2");
  clipPath.setAttribute("stroke-linecap", "round");
  clipPath.setAttribute("d", "M21 11.5l-8.6 8.6a5 5 0 0 1-7.1-7.1l8.6-8.6a3.3 3.3 0 0 1 4.7 4.7" +
                             "l-8.6 8.6a1.7 1.7 0 0 1-2.4-2.4l7.9-7.9");
  clip.appendChild(clipPath);
  attach.appendChild(clip);
  var picker = el("input", { id: "omnidesk-chat-file", type: "file", multiple: "", hidden: "",
                             tabindex: "-1", "aria-hidden": "true" });
  form.appendChild(attach);
  form.appendChild(picker);
  form.appendChild(input);
  form.appendChild(send);
  // Files chosen for the next message: uploaded at once, sent by id with it.
  var tray = el("ul", { id: "omnidesk-chat-files", class: "omnidesk-tray", "aria-label": t.files,
                        hidden: "" });
  var trayNote = el("p", { class: "omnidesk-tray-note", role: "alert", hidden: "" });

  // After an operator closed the chat: a 1-5 rating with an optional comment, answered once.
  var csat = el("form", { id: "omnidesk-chat-csat", class: "omnidesk-csat", hidden: "",
                          "aria-label": t.rate, novalidate: "" });
  var csatClosed = el("p", { class: "omnidesk-csat-closed" }, t.closed);
  var csatAsk = el("p", { class: "omnidesk-csat-ask" }, t.rateAsk);
  var csatComment = el("textarea", { id: "omnidesk-chat-csat-comment", rows: "2",
                                     maxlength: "1000", placeholder: t.comment,
                                     "aria-label": t.comment });
  var csatButtons = el("div", { class: "omnidesk-csat-buttons", role: "group",
                                "aria-label": t.rate });
  [1, 2, 3, 4, 5].forEach(function (n) {
    csatButtons.appendChild(el("button", { type: "button", "data-rating": String(n),
                                           "aria-label": t.rateN.replace("%1", String(n)) },
                               String(n)));
  });
  var csatNote = el("p", { class: "omnidesk-csat-note", role: "status" });
  [csatClosed, csatAsk, csatComment, csatButtons, csatNote].forEach(function (c) {
    csat.appendChild(c);
  });

  panel.appendChild(header);
  panel.appendChild(empty);
  panel.appendChild(list);
  panel.appendChild(csat);
  panel.appendChild(intro);
  panel.appendChild(tray);
  panel.appendChild(trayNote);
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

  function size(n) {
    var v = Number(n) || 0;
    var unit = 0;
    while (v >= 1024 && unit < 2) { v /= 1024; unit += 1; }
    var shown = unit === 0 ? String(v) : v.toFixed(v < 10 ? 1 : 0);
    if (lang === "ru") shown = shown.replace(".", ",");
    return shown + "\u00a0" + t.units[unit];
  }

  // Only http(s) links, and only as downloads: the file is the visitor's or an operator's.
  function safeUrl(url) {
    try {
      var u = new URL(String(url || ""), src.href);
      return u.protocol === "https:" || u.protocol === "http:" ? u.href : null;
    } catch (e) { return null; }
  }

  function fileLinks(files) {
    var ul = el("ul", { class: "omnidesk-files" });
    (Array.isArray(files) ? files : []).forEach(function (f) {
      if (!f || typeof f !== "object") return;
      var li = el("li", {});
      var href = safeUrl(f.url);
      var name = String(f.name || "file");
      var a = el(href ? "a" : "span", href ? {
        class: "omnidesk-file", href: href, download: name, rel: "noopener noreferrer",
        "data-file-id": String(f.id)
      } : { class: "omnidesk-file" }, name);
      li.appendChild(a);
      li.appendChild(el("span", { class: "omnidesk-size" }, " " + size(f.size)));
      ul.appendChild(li);
    });
    return ul;
  }

  function bubble(direction, text, author, at, files) {
    var li = el("li", { class: "omnidesk-msg", "data-direction": direction });
    li.appendChild(el("span", { class: direction === "out" ? "omnidesk-author" : "omnidesk-sr" },
                      direction === "out" ? (author || t.operator) : t.you));
    li.appendChild(el("span", { class: "omnidesk-text" }, text));
    if (files && files.length) li.appendChild(fileLinks(files));
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

  function showOwn(id, text, files) {
    var li = bubble("in", text, "", null, files);
    li.setAttribute("data-client-id", id);
    setState(li, "pending");
    byClient[id] = li;
    place(li, null);
  }

  function showOperator(eventId, text, author, at, live, files) {
    if (byEvent[eventId]) return;
    place(bubble("out", text, author, at, files), eventId);
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
  var pendingFiles = [];       // {key, name, size, state, view, error, li} chosen for the next message
  var rating = null;           // {conversation: id, state: "ask"|"sending"|"done"|"failed"}
  var MAX_FILES = 5;
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
        merged.push(m.files && m.files.length ? { id: m.id, text: m.text, files: m.files }
                                               : { id: m.id, text: m.text });
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
        showOperator(msg.event_id, String(msg.text || ""), msg.author, msg.at, true,
                     msg.attachments);
        receipt(msg.event_id);
      } else if (msg.type === "closed" && typeof msg.conversation_id === "number") {
        askRating(msg.conversation_id);
      } else if (msg.type === "csat_ok") rated(msg);
      else if (msg.type === "error") error(msg);
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
        showOperator(h.event_id, String(h.text || ""), h.author, h.at, h.event_id > (seen.r || 0),
                     h.attachments);
      } else {
        var li = bubble("in", String(h.text || ""), "", h.at, h.attachments);
        setState(li, "sent");
        place(li, h.event_id);
      }
    });
    // Un-acked messages first, again and with their own ids; then receipts still owed.
    queue = queue.filter(function (f) { return f.type !== "message"; });
    var again = unacked.map(messageFrame);
    queue = again.concat(queue);
    if (typeof msg.rate === "number") askRating(msg.rate);
    else if (rating && rating.state === "ask") hideRating();
    attach.disabled = false;
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

  function messageFrame(m) {
    var frame = { type: "message", id: m.id, text: m.text };
    if (m.files && m.files.length) {
      frame.attachments = m.files.map(function (f) { return f.id; });
    }
    return frame;
  }

  function error(msg) {
    if (rating && msg.id === rating.key) return ratingFailed(msg);
    if (typeof msg.id !== "string" || !byClient[msg.id]) return;
    var id = msg.id;
    if (msg.code === "rate_limited" || msg.code === "internal_error") {
      // Not stored: send it again shortly, with the same id.
      setTimeout(function () {
        if (!done[id] && ready) {
          var m = unacked.filter(function (u) { return u.id === id; })[0];
          if (m) enqueue(messageFrame(m));
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
    if (pendingFiles.some(function (f) { return f.state === "uploading"; })) return;
    var files = pendingFiles.filter(function (f) { return f.state === "ready"; })
      .map(function (f) { return f.view; });
    if (!text && !files.length) return;
    if (!intro.hidden) finishIntro(false);
    // Writing again after a close starts a new conversation: the old rating is not asked now.
    if (rating && rating.state !== "sending") hideRating();
    var id = newId();
    var m = files.length ? { id: id, text: text, files: files } : { id: id, text: text };
    unacked.push(m);
    syncOutbox();
    showOwn(id, text, files);
    input.value = "";
    clearTray();
    if (ready) enqueue(messageFrame(m));
  }

  // -- files -------------------------------------------------------------------------------------
  var filesUrl = src.origin + "/chat/files";

  function renderTray() {
    tray.textContent = "";
    pendingFiles.forEach(function (f) {
      var li = el("li", { "data-state": f.state, class: "omnidesk-tray-file" });
      li.appendChild(el("span", { class: "omnidesk-file" }, f.name));
      li.appendChild(el("span", { class: "omnidesk-size" },
                        " " + size(f.size) + " · " + (f.state === "failed" ? f.error
                                                      : t[f.state] || "")));
      var rm = el("button", { type: "button", class: "omnidesk-remove", "aria-label": t.remove },
                  "×");
      rm.addEventListener("click", function () {
        pendingFiles = pendingFiles.filter(function (p) { return p !== f; });
        renderTray();
      });
      li.appendChild(rm);
      tray.appendChild(li);
    });
    tray.hidden = pendingFiles.length === 0;
  }

  function clearTray() {
    pendingFiles = [];
    trayNote.hidden = true;
    renderTray();
  }

  function note(text) {
    trayNote.textContent = text;
    trayNote.hidden = !text;
  }

  function addFiles(fileList) {
    note("");
    Array.prototype.slice.call(fileList || []).forEach(function (file) {
      if (pendingFiles.filter(function (f) { return f.state !== "failed"; }).length >= MAX_FILES) {
        note(t.tooMany);
        return;
      }
      var f = { name: file.name || "file", size: file.size, state: "uploading" };
      pendingFiles.push(f);
      upload(f, file);
    });
    renderTray();
  }

  function upload(f, file) {
    if (!visitorId || typeof window.fetch !== "function") {
      f.state = "failed";
      f.error = t.uploadFailed;
      return;
    }
    window.fetch(filesUrl + "?name=" + encodeURIComponent(f.name), {
      method: "POST",
      mode: "cors",
      credentials: "omit",
      headers: { "Authorization": "Bearer " + visitorId,
                 "Content-Type": file.type || "application/octet-stream" },
      body: file
    }).then(function (r) {
      return r.json().then(function (body) { return { ok: r.ok, status: r.status, body: body }; },
                           function () { return { ok: false, status: r.status, body: {} }; });
    }).then(function (res) {
      if (res.ok && res.body && typeof res.body.id === "number") {
        f.state = "ready";
        f.view = { id: res.body.id, name: String(res.body.name || f.name),
                   size: res.body.size, mime: res.body.mime, url: res.body.url };
      } else {
        f.state = "failed";
        f.error = res.status === 413 ? t.tooLarge
          : String((res.body && res.body.message) || t.uploadFailed);
      }
      renderTray();
    }, function () {
      f.state = "failed";
      f.error = t.uploadFailed;
      renderTray();
    });
  }

  // -- rating after the chat was closed ----------------------------------------------------------
  function askRating(conversationId) {
    if (rating && rating.conversation === conversationId && rating.state !== "failed") return;
    rating = { conversation: conversationId, state: "ask", key: "" };
    csat.setAttribute("data-conversation-id", String(conversationId));
    csatComment.value = "";
    csatComment.disabled = false;
    csatAsk.hidden = false;
    csatComment.hidden = false;
    csatButtons.hidden = false;
    csatNote.textContent = "";
    setRating("ask");
    csat.hidden = false;
    settle();
  }

  function setRating(state) {
    rating.state = state;
    csat.setAttribute("data-state", state);
    Array.prototype.forEach.call(csatButtons.children, function (b) {
      b.disabled = state === "sending" || state === "done";
    });
  }

  function hideRating() {
    rating = null;
    csat.hidden = true;
  }

  function sendRating(n) {
    if (!rating || rating.state === "sending" || rating.state === "done" || !ready) return;
    rating.key = newId();
    rating.value = n;
    setRating("sending");
    enqueue({ type: "csat", id: rating.key, conversation_id: rating.conversation, rating: n,
              comment: csatComment.value.trim() });
  }

  function rated(msg) {
    if (!rating || msg.conversation_id !== rating.conversation) return;
    setRating("done");
    csat.setAttribute("data-rating", String(msg.rating));
    csatAsk.hidden = true;
    csatComment.hidden = true;
    csatButtons.hidden = true;
    csatNote.textContent = t.thanks;
  }

  function ratingFailed(msg) {
    if (msg.code === "conflict" && /already rated/.test(String(msg.message || ""))) {
      rated({ conversation_id: rating.conversation, rating: rating.value });
      return;
    }
    setRating(msg.code === "rate_limited" ? "ask" : "failed");
    csatNote.textContent = t.rateFailed;
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
  attach.addEventListener("click", function () { if (visitorId) picker.click(); });
  picker.addEventListener("change", function () {
    addFiles(picker.files);
    picker.value = "";
  });
  panel.addEventListener("dragover", function (e) {
    if (!visitorId || !e.dataTransfer) return;
    e.preventDefault();
    e.dataTransfer.dropEffect = "copy";
    panel.setAttribute("data-drop", "1");
  });
  panel.addEventListener("dragleave", function (e) {
    if (e.target === panel) panel.removeAttribute("data-drop");
  });
  panel.addEventListener("drop", function (e) {
    panel.removeAttribute("data-drop");
    if (!e.dataTransfer || !e.dataTransfer.files || !e.dataTransfer.files.length) return;
    e.preventDefault();
    if (!intro.hidden) finishIntro(false);
    addFiles(e.dataTransfer.files);
  });
  csatButtons.addEventListener("click", function (e) {
    var n = Number(e.target && e.target.getAttribute && e.target.getAttribute("data-rating"));
    if (n >= 1 && n <= 5) sendRating(n);
  });
  csat.addEventListener("submit", function (e) { e.preventDefault(); });
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
    attach.disabled = !visitorId;
    unacked.forEach(function (m) { showOwn(m.id, m.text, m.files); });
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
