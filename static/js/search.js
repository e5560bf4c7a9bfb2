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
  // On a phone the five open filter groups would push the results a full screen down:
  // fold them (a group holding an active filter stays open). Without JS they stay open.
  if (window.matchMedia && window.matchMedia("(max-width: 799px)").matches) {
    document.querySelectorAll(".facets details").forEach(function (group) {
      if (!group.querySelector("a[aria-label]")) { group.open = false; }
    });
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
