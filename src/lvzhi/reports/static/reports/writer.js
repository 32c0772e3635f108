// The report page: a button next to a piece of evidence appends its text to the writer's section last focused (the
// first one until then); a suggested paragraph or a model's draft ("采纳") goes to the section it was written for.
(function () {
  var last = null;
  document.addEventListener("focusin", function (e) {
    if (e.target.matches && e.target.matches("#writer-form textarea")) last = e.target;
  });
  function append(target, text) {
    target.value = target.value.replace(/\s*$/, "") + (target.value.trim() ? "\n" : "") + text;
    target.focus();
    target.scrollIntoView({block: "nearest"});
  }
  document.addEventListener("click", function (e) {
    if (!e.target.closest) return;
    var accept = e.target.closest("[data-accept-section]");
    if (accept) {
      var area = document.getElementById("writer_" + accept.getAttribute("data-accept-section"));
      if (area) {
        append(area, accept.getAttribute("data-text"));
        accept.textContent = "已采纳";
      }
      return;
    }
    var button = e.target.closest("[data-insert-evidence]");
    if (!button) return;
    var areas = document.querySelectorAll("#writer-form textarea");
    if (!areas.length) return;
    append(last || areas[0], button.getAttribute("data-insert-evidence"));
  });
})();
