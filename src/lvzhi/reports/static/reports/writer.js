// The report page: a button next to a piece of evidence appends its text to the first of the writer's sections.
document.addEventListener("click", function (e) {
  var button = e.target.closest && e.target.closest("[data-insert-evidence]");
  if (!button) return;
  var areas = document.querySelectorAll("#writer-form textarea");
  if (!areas.length) return;
  var target = areas[0];
  target.value = target.value.replace(/\s*$/, "") + "\n" + button.getAttribute("data-insert-evidence");
  target.focus();
});
