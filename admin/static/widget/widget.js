/* OIRS Conversacional: the residents' chat widget. One tag installs it:
 *   <script src="https://ADMIN/widget.js" defer></script>
 * It talks only to the admin that served it (which relays to Rasa's REST channel), keeps
 * the conversation in localStorage across page loads, retries while offline, and stays
 * usable with the keyboard and a screen reader. No dependencies, no CDN. */
(function () {
  "use strict";
  if (window.__oirsWidget) { return; }
  window.__oirsWidget = true;

  var script = document.currentScript;
  var BASE = new URL(script ? script.src : "/widget.js", window.location.href).origin;
  var KEY = "oirs-widget:" + BASE;
  var MAX_LOG = 200;
  var T = {
    launcher: "Converse con la Municipalidad",
    title: "Asistente municipal",
    close: "Cerrar",
    restart: "Nueva conversación",
    label: "Escriba su mensaje",
    placeholder: "Escriba aquí…",
    send: "Enviar",
    attach: "Foto",
    attachLabel: "Adjuntar una foto",
    you: "Usted dijo:",
    bot: "Asistente:",
    staff: "Funcionario municipal:",
    offline: "Sin conexión con el asistente. Reintentando…",
    uploading: "Enviando su foto…",
    uploadFailed: "No pudimos enviar el archivo. Intente con una foto (JPG, PNG, WebP o HEIC) o un PDF de hasta 16 MB.",
    photoSent: "Foto enviada: ",
    unread: "tiene un mensaje nuevo",
    greeting: "hola"
  };

  function load(name, fallback) {
    try { var v = window.localStorage.getItem(KEY + ":" + name); return v ? JSON.parse(v) : fallback; }
    catch (e) { return fallback; }
  }
  function save(name, value) {
    try { window.localStorage.setItem(KEY + ":" + name, JSON.stringify(value)); } catch (e) { /* private mode: memory only */ }
  }
  function newSession() {
    var bytes = new Uint8Array(18);
    window.crypto.getRandomValues(bytes);
    return "web-" + Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  var state = {
    session: load("session", null) || newSession(),
    log: load("log", []),
    inboxAfter: load("inboxAfter", 0),
    open: load("open", false),
    queue: load("queue", []),
    sending: false,
    retry: 0
  };
  save("session", state.session);

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text) { node.textContent = text; }
    return node;
  }

  var css = el("link", { rel: "stylesheet", href: BASE + "/static/widget/widget.css" });
  document.head.appendChild(css);

  var root = el("div", { "class": "oirsw" });
  var launcher = el("button", { type: "button", "class": "oirsw-launcher", "aria-expanded": "false", "aria-controls": "oirsw-panel" }, T.launcher);
  var panel = el("section", { id: "oirsw-panel", "class": "oirsw-panel", role: "dialog", "aria-modal": "false", "aria-labelledby": "oirsw-title" });
  panel.hidden = true;
  var head = el("div", { "class": "oirsw-head" });
  head.appendChild(el("h2", { id: "oirsw-title" }, T.title));
  var restart = el("button", { type: "button" }, T.restart);
  var close = el("button", { type: "button", "aria-label": T.close }, "✕");
  head.appendChild(restart);
  head.appendChild(close);
  var log = el("div", { "class": "oirsw-log", role: "log", "aria-live": "polite", "aria-relevant": "additions", "aria-label": "Conversación", tabindex: "0" });
  var status = el("div", { "class": "oirsw-status", role: "status", "aria-live": "polite" });
  var form = el("form", { "class": "oirsw-form" });
  var label = el("label", { "for": "oirsw-input", "class": "oirsw-label" }, T.label);
  var input = el("input", { id: "oirsw-input", type: "text", autocomplete: "off", maxlength: "2000", placeholder: T.placeholder });
  var file = el("input", { type: "file", accept: "image/jpeg,image/png,image/webp,image/heic,.heic,application/pdf", "class": "oirsw-file", tabindex: "-1", "aria-hidden": "true" });
  var attach = el("button", { type: "button", "class": "oirsw-attach", "aria-label": T.attachLabel }, T.attach);
  var send = el("button", { type: "submit" }, T.send);
  [label, input, file, attach, send].forEach(function (n) { form.appendChild(n); });
  [head, log, status, form].forEach(function (n) { panel.appendChild(n); });
  root.appendChild(launcher);
  root.appendChild(panel);

  function linkify(node, text) {
    var parts = text.split(/(https?:\/\/[^\s<>"]+)/g);
    parts.forEach(function (part, i) {
      if (i % 2 === 1) {
        var a = el("a", { href: part, target: "_blank", rel: "noopener noreferrer" }, part);
        node.appendChild(a);
      } else if (part) {
        node.appendChild(document.createTextNode(part));
      }
    });
  }

  function render(entry) {
    var cls = { user: "oirsw-user", bot: "oirsw-bot", staff: "oirsw-staff" }[entry.from] || "oirsw-bot";
    var bubble = el("div", { "class": "oirsw-msg " + cls + (entry.pending ? " oirsw-pending" : "") });
    if (entry.id) { bubble.setAttribute("data-id", entry.id); }
    bubble.appendChild(el("span", { "class": "oirsw-who" }, T[entry.from === "user" ? "you" : entry.from] || T.bot));
    linkify(bubble, entry.text || "");
    if (entry.image) {
      var img = el("img", { src: entry.image, alt: "", "class": "oirsw-img" });
      bubble.appendChild(img);
    }
    log.appendChild(bubble);
    if (entry.buttons && entry.buttons.length) {
      var group = el("div", { "class": "oirsw-buttons", role: "group", "aria-label": "Opciones" });
      entry.buttons.forEach(function (b) {
        var button = el("button", { type: "button" }, b.title);
        button.disabled = !!entry.answered;
        button.addEventListener("click", function () {
          entry.answered = true;
          save("log", state.log);
          Array.prototype.forEach.call(group.querySelectorAll("button"), function (x) { x.disabled = true; });
          say(b.title, b.payload);
        });
        group.appendChild(button);
      });
      log.appendChild(group);
    }
    log.scrollTop = log.scrollHeight;
  }

  /* Options belong to the message that offered them: once the bot (or staff) says something
     newer, the earlier ones can no longer be pressed. */
  function closeEarlierButtons() {
    state.log.forEach(function (e) { if (e.buttons && e.buttons.length) { e.answered = true; } });
    Array.prototype.forEach.call(log.querySelectorAll(".oirsw-buttons button"), function (x) { x.disabled = true; });
  }

  function add(entry) {
    if (entry.from !== "user") { closeEarlierButtons(); }
    state.log.push(entry);
    if (state.log.length > MAX_LOG) { state.log = state.log.slice(-MAX_LOG); }
    save("log", state.log);
    render(entry, state.log.length - 1);
  }

  function redraw() {
    log.textContent = "";
    state.log.forEach(render);
  }

  function api(path, options) {
    return window.fetch(BASE + path, options).then(function (reply) {
      if (!reply.ok) {
        var err = new Error("HTTP " + reply.status); err.status = reply.status;
        // the admin's Spanish reason (a file type or the daily quota), when it sent one
        return reply.json().then(function (body) {
          err.reason = body && body.error && body.error.message; throw err;
        }, function () { throw err; });
      }
      return reply.json();
    });
  }

  /* Messages wait in a queue (kept across reloads) until the admin took them: offline
     means retry, never drop. */
  function say(shown, text, attachments) {
    var id = "m" + Date.now().toString(36) + Math.random().toString(36).slice(2, 8);
    // a reply right after a staff message (which may have asked to rate its answer)
    var last = state.log.length ? state.log[state.log.length - 1] : null;
    var afterStaff = !!(last && last.from === "staff");
    add({ from: "user", text: shown, pending: true, id: id });
    state.queue.push({ id: id, text: text || shown, attachments: attachments || null, afterStaff: afterStaff });
    save("queue", state.queue);
    flush();
  }

  function delivered(id) {
    state.queue.shift();
    save("queue", state.queue);
    state.log.forEach(function (entry) { if (entry.id === id) { entry.pending = false; } });
    save("log", state.log);
    var node = log.querySelector('[data-id="' + id + '"]');
    if (node) { node.classList.remove("oirsw-pending"); }
  }

  function flush() {
    if (state.sending || !state.queue.length) { return; }
    state.sending = true;
    var item = state.queue[0];
    var body = { session: state.session, text: item.text };
    if (item.attachments) { body.attachments = item.attachments; }
    if (item.afterStaff) { body.after_staff = true; }
    api("/widget/api/messages", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) })
      .then(function (reply) {
        delivered(item.id);
        state.retry = 0;
        status.textContent = "";
        reply.messages.forEach(function (m) { add({ from: "bot", text: m.text, buttons: m.buttons, image: m.image }); });
        state.sending = false;
        flush();
      })
      .catch(function (err) {
        state.sending = false;
        if (err.status && err.status < 500 && err.status !== 429) {
          delivered(item.id);  // refused for good (e.g. empty): do not loop on it
          return flush();
        }
        status.textContent = T.offline;
        var delay = Math.min(30000, 1000 * Math.pow(2, state.retry++));
        window.setTimeout(flush, delay);
      });
  }

  function checkInbox() {
    api("/widget/api/inbox?session=" + encodeURIComponent(state.session) + "&after=" + state.inboxAfter, {})
      .then(function (reply) {
        reply.messages.forEach(function (m) {
          state.inboxAfter = Math.max(state.inboxAfter, m.id);
          add({ from: "staff", text: m.text });
          if (!state.open) { launcher.textContent = T.launcher + " · " + T.unread; }
        });
        save("inboxAfter", state.inboxAfter);
      })
      .catch(function () { /* next poll will try again */ });
  }

  function upload(chosen) {
    if (!chosen) { return; }
    status.textContent = T.uploading;
    var data = new FormData();
    data.append("session", state.session);
    data.append("file", chosen, chosen.name);
    api("/widget/api/uploads", { method: "POST", body: data })
      .then(function (stored) {
        status.textContent = "";
        say(T.photoSent + chosen.name, "/enviar_adjunto", [stored]);
      })
      .catch(function (err) {
        status.textContent = (err && err.status >= 400 && err.status < 500 && err.reason) || T.uploadFailed;
      });
  }

  function setOpen(open, focus) {
    state.open = open;
    launcher.textContent = T.launcher;
    save("open", open);
    panel.hidden = !open;
    launcher.hidden = open;
    launcher.setAttribute("aria-expanded", String(open));
    if (open) {
      if (!state.log.length) { say(T.greeting); }
      checkInbox();
      if (focus) { input.focus(); }
    } else if (focus) {
      launcher.focus();
    }
  }

  launcher.addEventListener("click", function () { setOpen(true, true); });
  close.addEventListener("click", function () { setOpen(false, true); });
  restart.addEventListener("click", function () {
    state.session = newSession();
    state.log = [];
    state.inboxAfter = 0;
    state.queue = [];
    save("queue", state.queue);
    save("session", state.session);
    save("log", state.log);
    save("inboxAfter", 0);
    redraw();
    say(T.greeting);
    input.focus();
  });
  panel.addEventListener("keydown", function (event) {
    if (event.key === "Escape") { setOpen(false, true); }
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value.trim();
    if (!text) { return; }
    input.value = "";
    say(text);
  });
  attach.addEventListener("click", function () { file.click(); });
  file.addEventListener("change", function () { upload(file.files[0]); file.value = ""; });
  window.addEventListener("online", function () { state.retry = 0; flush(); });
  window.setInterval(function () { if (state.open) { checkInbox(); } }, 30000);

  function start() {
    redraw();  // before the log is in the page, so screen readers do not re-read history
    document.body.appendChild(root);
    flush();
    setOpen(!!state.open, false);
    if (!state.open) { checkInbox(); }
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();
