// Plain JavaScript for every page (no framework): the navigation drawer on small screens, and the column names
// each table cell shows when a table is laid out as cards.
(function () {
  function labelCells(root) {
    (root || document).querySelectorAll("table.grid").forEach(function (table) {
      var heads = Array.prototype.map.call(table.querySelectorAll("thead th"), function (th) { return th.textContent.trim(); });
      table.querySelectorAll("tbody tr").forEach(function (tr) {
        Array.prototype.forEach.call(tr.children, function (td, i) {
          if (td.tagName === "TD" && heads[i] && !td.hasAttribute("colspan") && !td.dataset.label) td.dataset.label = heads[i];
        });
      });
    });
  }
  function init() {
    labelCells();
    var button = document.querySelector(".nav-toggle");
    if (button) {
      button.addEventListener("click", function () {
        var open = document.body.classList.toggle("nav-open");
        button.setAttribute("aria-expanded", open ? "true" : "false");
      });
      document.addEventListener("keydown", function (e) {
        if (e.key === "Escape" && document.body.classList.contains("nav-open")) { button.click(); button.focus(); }
      });
      document.addEventListener("click", function (e) {  // a tap on the dimmed page closes the drawer
        if (document.body.classList.contains("nav-open") && !e.target.closest("#side-nav, .nav-toggle")) button.click();
      });
    }
  }
  document.addEventListener("htmx:afterSwap", function (e) { labelCells(e.target); });
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init); else init();
})();
