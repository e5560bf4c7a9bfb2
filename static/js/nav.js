// The phone menu: on a narrow screen the navigation links fold behind one button, so the
// bar fits one line. Without this script the links simply stay open (nothing is lost).
(function () {
  "use strict";
  var nav = document.querySelector(".site-nav");
  var button = nav ? nav.querySelector(".menu-toggle") : null;
  if (!button) { return; }
  button.hidden = false;
  nav.classList.add("collapsible");
  button.addEventListener("click", function () {
    var open = nav.classList.toggle("open");
    button.setAttribute("aria-expanded", open ? "true" : "false");
  });
})();
