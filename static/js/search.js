// Progressive enhancement for the project list: changing the sort order submits the form.
// The page works fully without this script.
(function () {
  "use strict";
  var form = document.querySelector("form.search-form");
  if (!form) return;
  var sort = form.querySelector("select[name=sort]");
  if (sort) {
    sort.addEventListener("change", function () { form.submit(); });
  }
  // "/" focuses the search box (unless typing somewhere already).
  document.addEventListener("keydown", function (event) {
    var target = event.target;
    if (event.key === "/" && !(target instanceof HTMLInputElement) && !(target instanceof HTMLTextAreaElement)) {
      var box = form.querySelector("input[name=q]");
      if (box) { event.preventDefault(); box.focus(); }
    }
  });
})();
