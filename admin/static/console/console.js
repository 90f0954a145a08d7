/* Agent console: live queue and conversation through server-sent events, suggested replies
   inserted into the reply box for the agent to edit. Nothing is sent without the agent's click. */
(function () {
  "use strict";

  function announce(regionId, text) {
    var region = document.getElementById(regionId);
    if (!region) { return; }
    region.textContent = "";
    window.setTimeout(function () { region.textContent = text; }, 50);
  }

  function liveQueue() {
    var box = document.getElementById("cola");
    if (!box || !window.EventSource) { return; }
    var first = box.querySelector("[data-queue-count]");
    var count = first ? Number(first.dataset.queueCount) : 0;
    var offline = document.querySelector("[data-offline]");
    var source = new EventSource(box.dataset.stream);
    var lost = null;  // streams end by design; only a reconnection that fails is worth telling
    function connected() {
      window.clearTimeout(lost);
      lost = null;
      if (offline) { offline.hidden = true; }
    }
    source.addEventListener("open", connected);
    source.addEventListener("error", function () {
      if (lost === null) {
        lost = window.setTimeout(function () { if (offline) { offline.hidden = false; } }, 10000);
      }
    });
    source.addEventListener("cola", function (event) {
      connected();
      box.innerHTML = event.data;
      var counter = box.querySelector("[data-queue-count]");
      var now = counter ? Number(counter.dataset.queueCount) : 0;
      if (now > count) {
        var region = document.getElementById("anuncios");
        announce("anuncios", region.dataset.new.replace("{n}", String(now)));
      }
      count = now;
    });
  }

  function suggestionItem(item, useLabel) {
    var li = document.createElement("li");
    li.className = "suggestion";
    var source = document.createElement("p");
    source.className = "source";
    source.textContent = item.source_label + " · " + item.title;
    var text = document.createElement("p");
    text.className = "suggestion-text";
    text.textContent = item.text;
    var button = document.createElement("button");
    button.type = "button";
    button.setAttribute("data-insert", "");
    button.textContent = useLabel;
    li.appendChild(source);
    li.appendChild(text);
    li.appendChild(button);
    return li;
  }

  function loadSuggestions(list, baseUrl, index) {
    fetch(baseUrl + index, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (reply) { return reply.ok ? reply.json() : { suggestions: [] }; })
      .then(function (data) {
        list.innerHTML = "";
        list.dataset.index = String(index);
        if (!data.suggestions.length) {
          var empty = document.createElement("li");
          empty.className = "empty";
          empty.textContent = list.dataset.empty;
          list.appendChild(empty);
          return;
        }
        data.suggestions.forEach(function (item) {
          list.appendChild(suggestionItem(item, list.dataset.use));
        });
      });
  }

  function suggestionsPanel(transcript) {
    var list = document.getElementById("sugerencias");
    var reply = document.getElementById("respuesta");
    if (!list || !reply) { return null; }
    list.addEventListener("click", function (event) {
      var button = event.target.closest("[data-insert]");
      if (!button) { return; }
      var text = button.parentNode.querySelector(".suggestion-text").textContent;
      reply.value = reply.value ? reply.value + "\n\n" + text : text;
      reply.focus();
      reply.setSelectionRange(reply.value.length, reply.value.length);
    });
    transcript.addEventListener("click", function (event) {
      var button = event.target.closest("[data-suggest]");
      if (!button) { return; }
      loadSuggestions(list, transcript.dataset.suggestUrl, button.dataset.suggest);
      list.focus();
    });
    return function (index) { loadSuggestions(list, transcript.dataset.suggestUrl, index); };
  }

  function liveConversation() {
    var transcript = document.getElementById("transcript");
    if (!transcript) { return; }
    var onResident = suggestionsPanel(transcript);
    transcript.scrollTop = transcript.scrollHeight;
    if (!window.EventSource || transcript.dataset.live !== "yes") { return; }
    var source = new EventSource(transcript.dataset.stream);
    source.addEventListener("mensaje", function (event) {
      var data = JSON.parse(event.data);
      if (transcript.querySelector('[data-index="' + data.index + '"]')) { return; }
      transcript.insertAdjacentHTML("beforeend", data.html);
      transcript.scrollTop = transcript.scrollHeight;
      if (data.sender === "resident" && onResident) { onResident(data.index); }
    });
    source.addEventListener("estado", function (event) {
      var data = JSON.parse(event.data);
      var text = document.getElementById("avisos").dataset.state.replace("{label}", data.label);
      document.getElementById("estado-conversacion").textContent = text;
      announce("avisos", text);
    });
    source.addEventListener("aviso", function (event) {
      announce("avisos", event.data);
    });
  }

  liveQueue();
  liveConversation();
}());
