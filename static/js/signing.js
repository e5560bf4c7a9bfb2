// Recording page helpers: type-ahead for investor and project, and a live preview of
// the amount with its unit. The page works without this script (the server shows a
// confirmation step instead); with it, the preview stands in for that step.
(function () {
  "use strict";

  function debounce(fn, ms) {
    var timer = null;
    return function () {
      var args = arguments;
      clearTimeout(timer);
      timer = setTimeout(function () { fn.apply(null, args); }, ms);
    };
  }

  function getJSON(url, done) {
    var request = new XMLHttpRequest();
    request.open("GET", url);
    request.setRequestHeader("Accept", "application/json");
    request.onload = function () {
      if (request.status === 200) {
        try { done(JSON.parse(request.responseText)); } catch (e) { /* ignore */ }
      }
    };
    request.send();
  }

  // Type-ahead: a listbox under the input; arrows move, Enter or Tab picks, Escape closes.
  // Investors: Enter/Tab accept a suggestion only when the typed text resolves to it with
  // confidence (the server marks it) or when the organiser moved onto it with the arrows;
  // otherwise the typed text stays and the server asks which investor it is.
  function typeahead(box) {
    var input = box.querySelector("input");
    var status = box.querySelector(".lookup-status");
    if (!input) { return; }
    var investors = box.dataset.lookup.indexOf("investors") >= 0;
    var list = document.createElement("ul");
    list.className = "typeahead-list";
    list.setAttribute("role", "listbox");
    list.id = input.id + "-list";
    list.hidden = true;
    input.setAttribute("autocomplete", "off");
    input.setAttribute("aria-controls", list.id);
    input.setAttribute("aria-autocomplete", "list");
    input.parentNode.insertBefore(list, input.nextSibling);
    var items = [];
    var active = -1;
    var chosen = false;  // moved onto a suggestion with the arrow keys

    function render() {
      list.innerHTML = "";
      items.forEach(function (item, index) {
        var li = document.createElement("li");
        li.setAttribute("role", "option");
        li.id = list.id + "-" + index;
        li.textContent = item.label;
        if (item.why) {
          var why = document.createElement("small");
          why.className = "why";
          why.textContent = item.why;
          li.appendChild(why);
        }
        li.setAttribute("aria-selected", index === active ? "true" : "false");
        li.addEventListener("mousedown", function (event) { event.preventDefault(); pick(index); });
        list.appendChild(li);
      });
      list.hidden = items.length === 0;
      if (active >= 0) { input.setAttribute("aria-activedescendant", list.id + "-" + active); }
      else { input.removeAttribute("aria-activedescendant"); }
    }

    function pick(index) {
      if (index < 0 || index >= items.length) { return; }
      input.value = items[index].value;
      items = [];
      active = -1;
      render();
      if (status) { status.textContent = "✓"; }
    }

    var search = debounce(function () {
      var query = input.value.trim();
      chosen = false;
      if (!query || query.charAt(0) === "#") { items = []; render(); return; }
      getJSON(box.dataset.lookup + "?q=" + encodeURIComponent(query), function (data) {
        if (input.value.trim() !== query) { return; }
        items = (data.items || []).map(function (item) {
          var extra = item.score !== undefined ? " (" + Math.round(item.score) + ")" : (item.region ? " · " + item.region : "");
          return { value: item.value, label: item.name + (item.name_en ? " · " + item.name_en : "") + extra,
                   why: item.why || "", confident: !!item.confident };
        });
        active = -1;
        if (!investors && items.length) { active = 0; }
        items.forEach(function (item, index) { if (item.confident && active < 0) { active = index; } });
        render();
        if (status) {
          if (data.match) { status.textContent = "✓ " + data.match.name; }
          else if (investors) { status.textContent = data.message || ""; }
          else { status.textContent = ""; }
        }
      });
    }, 150);

    input.addEventListener("input", search);
    input.addEventListener("keydown", function (event) {
      if (list.hidden) { return; }
      if (event.key === "ArrowDown") { active = Math.min(items.length - 1, active + 1); chosen = true; render(); event.preventDefault(); }
      else if (event.key === "ArrowUp") { active = Math.max(0, active - 1); chosen = true; render(); event.preventDefault(); }
      else if (event.key === "Enter" || event.key === "Tab") {
        var accept = active >= 0 && (!investors || chosen || items[active].confident);
        if (accept) { pick(active); if (event.key === "Enter") { event.preventDefault(); } }
        else { items = []; render(); }
      }
      else if (event.key === "Escape") { items = []; render(); }
    });
    input.addEventListener("blur", function () { setTimeout(function () { items = []; render(); }, 100); });
  }

  // Amount preview: the server parses (one parser), the page shows "= 3.25亿元".
  function amountPreview(box) {
    var input = box.querySelector("input");
    var output = box.querySelector(".amount-preview");
    var form = box.closest("form");
    var shown = form ? form.querySelector("input[name=shown_amount]") : null;
    if (!input || !output) { return; }
    var update = debounce(function () {
      var value = input.value.trim();
      // the text read back already (on this page, or by the server's preview step) stays seen
      if (shown && shown.value !== value) { shown.value = ""; }
      if (!value) { output.textContent = ""; return; }
      var url = box.dataset.preview + (box.dataset.preview.indexOf("?") < 0 ? "?" : "&");
      getJSON(url + "amount=" + encodeURIComponent(value), function (data) {
        if (input.value.trim() !== value) { return; }
        output.classList.toggle("bad", !data.ok);
        if (data.ok) {
          output.textContent = "= " + data.yi + "亿元 (" + data.yuan + ")" +
            (data.currency ? " · " + data.original + " × " + data.rate + " (" + data.rate_source + ")" : "");
          if (shown) { shown.value = value; }
        } else {
          output.textContent = data.message || "";
        }
      });
    }, 120);
    input.addEventListener("input", update);
    if (input.value) { update(); }
  }

  // Press lines: a button copies the sentence exactly as shown (the buttons stay hidden
  // without this script; the text can still be selected by hand).
  function copyButton(button) {
    var source = document.getElementById(button.dataset.copy);
    var status = button.parentNode.querySelector(".copy-status");
    var script = document.getElementById("signing-script");
    if (!source) { return; }
    button.hidden = false;
    button.addEventListener("click", function () {
      var text = source.textContent.trim();
      var done = function () { if (status) { status.textContent = (script && script.dataset.copied) || "✓"; } };
      if (navigator.clipboard && navigator.clipboard.writeText) {
        navigator.clipboard.writeText(text).then(done, function () { fallbackCopy(source); done(); });
      } else {
        fallbackCopy(source);
        done();
      }
    });
  }

  function fallbackCopy(source) {
    var range = document.createRange();
    range.selectNodeContents(source);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
    try { document.execCommand("copy"); } catch (e) { /* the text stays selected */ }
  }

  // Sector and region belong to off-catalogue agreements only: keep them out of the Tab
  // order until the box is ticked (without JavaScript they simply stay visible).
  function offCatalogue(box) {
    var group = box.closest("form").querySelector(".off-catalogue");
    if (!group || group.querySelector(".errors")) { return; }
    function sync() { group.hidden = !box.checked; }
    box.addEventListener("change", sync);
    sync();
  }

  document.querySelectorAll("input[name=off_catalogue]").forEach(offCatalogue);
  document.querySelectorAll("button[data-copy]").forEach(copyButton);
  document.querySelectorAll(".typeahead[data-lookup]").forEach(typeahead);
  document.querySelectorAll(".amount-field[data-preview]").forEach(amountPreview);
})();
