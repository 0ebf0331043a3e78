// Faktura portal: small enhancements. Every page works without this file.
(function () {
  "use strict";

  // Phones fold the service's left menu behind the Menu button (CSS keys off the js class).
  document.documentElement.classList.add("js");
  document.querySelectorAll("[data-menu-button]").forEach(function (button) {
    var menu = document.getElementById(button.getAttribute("aria-controls"));
    if (!menu) return;
    button.addEventListener("click", function () {
      var open = !menu.classList.contains("open");
      menu.classList.toggle("open", open);
      button.setAttribute("aria-expanded", open ? "true" : "false");
    });
  });

  // The scope and language selects act only on an explicit action (WCAG 3.2.2): their button,
  // or Enter in the select. Choosing with the arrow keys or the mouse changes nothing yet.
  document.querySelectorAll("select[data-submit-on-enter]").forEach(function (select) {
    select.addEventListener("keydown", function (event) {
      if (event.key !== "Enter" || !select.form) return;
      event.preventDefault();
      if (select.form.requestSubmit) select.form.requestSubmit(); else select.form.submit();
    });
  });

  // After a failed submit the error summary takes the focus (it is announced), and each of its
  // links moves the focus to the field it is about.
  var summary = document.querySelector("[data-error-summary]");
  if (summary) {
    summary.focus();
    summary.querySelectorAll("a[data-error-link]").forEach(function (link) {
      link.addEventListener("click", function (event) {
        var field = document.getElementById(link.getAttribute("href").slice(1));
        if (!field) return;
        event.preventDefault();
        field.focus();
      });
    });
  }

  // A Pay now button sends its form once: a double click cannot post twice.
  document.querySelectorAll("button[data-once]").forEach(function (button) {
    button.form.addEventListener("submit", function (event) {
      if (button.dataset.sent) { event.preventDefault(); return; }
      button.dataset.sent = "1";
      setTimeout(function () { button.disabled = true; }, 0);
    });
  });

  // The new-card fields show only while "Add a new card" is chosen.
  var newCard = document.querySelector("[data-new-card]");
  if (newCard) {
    var radios = document.querySelectorAll("input[name=method]");
    var sync = function () {
      var chosen = document.querySelector("input[name=method]:checked");
      newCard.hidden = !(chosen && chosen.value === "new");
    };
    radios.forEach(function (r) { r.addEventListener("change", sync); });
    sync();
  }

  // The amount field shows only while "Pay another amount" is chosen.
  var otherAmount = document.querySelector("[data-other-amount]");
  if (otherAmount) {
    var syncAmount = function () {
      var chosen = document.querySelector("input[name=amount_choice]:checked");
      otherAmount.hidden = !(chosen && chosen.value === "other");
    };
    document.querySelectorAll("input[name=amount_choice]").forEach(function (r) {
      r.addEventListener("change", syncAmount);
    });
    syncAmount();
  }

  // A Copy button beside a value shown once (the new API token); without script, select and copy.
  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    var source = document.getElementById(button.dataset.copy);
    var status = button.parentNode.querySelector("[data-copy-status]");
    if (!source || !navigator.clipboard) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(source.textContent.trim()).then(function () {
        if (status) status.textContent = button.dataset.copied;
      }, function () {
        var range = document.createRange();
        range.selectNodeContents(source);
        var selection = window.getSelection();
        selection.removeAllRanges();
        selection.addRange(range);
        if (status) status.textContent = button.dataset.copyFailed;
      });
    });
  });

  // The add-role form offers only the roles that fit the chosen scope (the server checks too).
  var scopeSelect = document.querySelector("[data-scope-select]");
  var roleSelect = document.querySelector("[data-role-select]");
  if (scopeSelect && roleSelect) {
    var fitRoles = function () {
      var chosen = scopeSelect.options[scopeSelect.selectedIndex];
      var kind = chosen ? chosen.dataset.kind : "";
      roleSelect.querySelectorAll("optgroup").forEach(function (group) {
        var fits = group.dataset.kind === kind;
        group.disabled = !fits;
        group.hidden = !fits;
      });
      var role = roleSelect.options[roleSelect.selectedIndex];
      if (role && role.parentNode.disabled) roleSelect.value = "";
    };
    scopeSelect.addEventListener("change", fitRoles);
    fitRoles();
  }

  // The global search box: a combobox with suggestions, usable with the keyboard.
  var input = document.getElementById("global-search-input");
  var list = document.getElementById("global-search-suggestions");
  if (!input || !list) return;
  var items = [];
  var active = -1;
  var timer = null;
  var seq = 0;

  function close() {
    list.hidden = true;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    active = -1;
  }

  function highlight(index) {
    var options = list.querySelectorAll("[role=option]");
    options.forEach(function (o, i) { o.setAttribute("aria-selected", i === index ? "true" : "false"); });
    active = index;
    if (index >= 0 && options[index]) input.setAttribute("aria-activedescendant", options[index].id);
  }

  function show(results) {
    items = results;
    list.textContent = "";
    if (!results.length) { close(); return; }
    results.forEach(function (item, i) {
      var li = document.createElement("li");
      li.id = "suggestion-" + i;
      li.setAttribute("role", "option");
      li.setAttribute("aria-selected", "false");
      var label = document.createElement("span");
      label.textContent = item.label;
      var detail = document.createElement("span");
      detail.className = "option-detail";
      detail.textContent = item.detail;
      li.appendChild(label);
      li.appendChild(detail);
      li.addEventListener("mousedown", function (event) { event.preventDefault(); window.location.href = item.href; });
      list.appendChild(li);
    });
    list.hidden = false;
    input.setAttribute("aria-expanded", "true");
    highlight(0);
  }

  input.addEventListener("input", function () {
    clearTimeout(timer);
    var q = input.value.trim();
    if (q.length < 2) { close(); return; }
    timer = setTimeout(function () {
      var mine = ++seq;
      fetch("/search/suggest?q=" + encodeURIComponent(q), { headers: { "Accept": "application/json" }, credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : []; })
        .then(function (results) { if (mine === seq) show(results); })
        .catch(function () { close(); });
    }, 120);
  });

  input.addEventListener("keydown", function (event) {
    // Escape closes the suggestions; it never wipes what was typed (a search field's default).
    if (event.key === "Escape") { event.preventDefault(); close(); return; }
    if (list.hidden) return;
    if (event.key === "ArrowDown") { event.preventDefault(); highlight(Math.min(active + 1, items.length - 1)); }
    else if (event.key === "ArrowUp") { event.preventDefault(); highlight(Math.max(active - 1, 0)); }
    else if (event.key === "Enter" && active >= 0 && items[active]) { event.preventDefault(); window.location.href = items[active].href; }
  });
  input.addEventListener("blur", function () { setTimeout(close, 100); });
})();
