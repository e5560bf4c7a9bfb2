// The edition selector shows the chosen edition as soon as it is picked (the button
// does the same without JavaScript).
document.querySelectorAll("form[data-autosubmit] select").forEach(function (select) {
  select.addEventListener("change", function () { select.form.submit(); });
});
