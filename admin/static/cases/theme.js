/* New case form: suggest the category from the description while staff type. A confident
   suggestion fills an empty choice (or one it filled itself); a choice staff made is never
   replaced. Below the threshold it lists the three likeliest, each a button that picks it.
   Texts come from the template's data attributes. */
(function () {
  "use strict";

  var box = document.getElementById("tema-sugerido");
  var form = box ? box.closest("form") : null;
  if (!form || !window.fetch || !window.URLSearchParams) { return; }
  var description = form.querySelector("#description");
  var select = form.querySelector("#category");
  var token = form.querySelector("input[name=csrf_token]");
  if (!description || !select) { return; }
  var auto = false;  // the current choice came from a suggestion
  var timer = null;
  var asked = "";

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (_, key) { return values[key]; });
  }

  function percent(probability) { return String(Math.round(probability * 100)); }

  function hint(text) {
    var p = document.createElement("p");
    p.className = "hint";
    p.textContent = text;
    return p;
  }

  function show(data) {
    box.textContent = "";
    if (data.category) {
      var first = data.top[0];
      if (select.value === "" || auto) {
        select.value = data.category;
        auto = true;
      }
      box.appendChild(hint(fill(box.dataset.textConfident,
        { name: first.name, percent: percent(first.probability) })));
      return;
    }
    if (auto) {
      select.value = "";
      auto = false;
    }
    box.appendChild(hint(box.dataset.textUnsure));
    var list = document.createElement("ul");
    list.className = "hint";
    data.top.forEach(function (item) {
      var entry = document.createElement("li");
      var choose = document.createElement("button");
      choose.type = "button";
      choose.className = "link";
      choose.textContent = fill(box.dataset.textChoose,
        { name: item.name, percent: percent(item.probability) });
      choose.addEventListener("click", function () {
        select.value = item.code;
        auto = false;
        select.focus();
      });
      entry.appendChild(choose);
      list.appendChild(entry);
    });
    box.appendChild(list);
  }

  function ask() {
    var text = description.value.trim();
    if (text.length < 12 || text === asked) { return; }
    asked = text;
    var body = new URLSearchParams();
    body.set("description", text);
    if (token) { body.set("csrf_token", token.value); }
    fetch(box.dataset.url, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { Accept: "application/json" }
    })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (data && description.value.trim() === text) { show(data); }
      })
      .catch(function () { asked = ""; });
  }

  select.addEventListener("change", function () { auto = false; });
  description.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(ask, 800);
  });
  description.addEventListener("blur", ask);
  if (description.value.trim()) { asked = description.value.trim(); }
})();
