// Plain JavaScript for every page (no framework): the navigation drawer on small screens, the column names
// each table cell shows when a table is laid out as cards, and the behaviours pages declare with data-* attributes
// (the Content-Security-Policy runs no inline script and no onclick/onsubmit attribute):
//   form[data-confirm] or its submit button[data-confirm]  asks before submitting
//   select[data-autosubmit]                                 submits its form when changed
//   button[data-print]                                      prints the page
//   input[data-lookup=person] + datalist[data-url]          suggests people while typing (name, 工号, 拼音首字母)
(function () {
  document.addEventListener("submit", function (e) {
    var button = e.submitter;
    var text = (button && button.getAttribute("data-confirm")) || e.target.getAttribute("data-confirm");
    if (text && !window.confirm(text)) e.preventDefault();
  });
  document.addEventListener("change", function (e) {
    if (e.target.matches && e.target.matches("select[data-autosubmit]") && e.target.form) e.target.form.submit();
  });
  document.addEventListener("click", function (e) {
    if (e.target.closest && e.target.closest("[data-print]")) window.print();
  });
  document.addEventListener("input", function (e) {
    var el = e.target;
    if (!el.matches || !el.matches("input[data-lookup=person]")) return;
    var list = document.getElementById(el.getAttribute("list") || "datalist-person");
    if (!list || !list.dataset.url) return;
    clearTimeout(el._lookupTimer);
    el._lookupTimer = setTimeout(function () {
      var q = el.value.trim();
      if (!q) return;
      fetch(list.dataset.url + "?q=" + encodeURIComponent(q), { credentials: "same-origin" })
        .then(function (r) { return r.text(); })
        .then(function (html) { list.innerHTML = html; });
    }, 250);
  });

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
