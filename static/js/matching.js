// Matches page: open the interest form of the project named in the URL (#project-N),
// e.g. after registering interest, so the reader lands where they were. Works without it.
(function () {
  "use strict";
  var target = window.location.hash && document.querySelector(window.location.hash + " details.interest");
  if (target) { target.open = true; }
  document.querySelectorAll("details.interest").forEach(function (details) {
    details.addEventListener("toggle", function () {
      if (details.open) {
        var box = details.querySelector("textarea");
        if (box) { box.focus(); }
      }
    });
  });
})();
