// Heatmaps of the compliance dashboard: one ECharts instance per large matrix page, drawn when it is loaded;
// clicking a cell loads the drill-down (records that satisfied it, or what is missing) into the side panel.
(function () {
  var COLORS = ["#2da44e", "#54aeff", "#d4a72c", "#cf222e", "#d0d7de"];
  function draw(el) {
    if (el.dataset.drawn) return;
    var spec = JSON.parse(document.getElementById(el.dataset.spec).textContent);
    var chart = echarts.init(el);
    chart.setOption({
      animation: false,
      grid: { left: 230, right: 16, top: 24, bottom: 8 },
      tooltip: { formatter: function (p) { return spec.y[p.data[1]] + "<br>" + spec.x[p.data[0]] + "：" + spec.states[p.data[2]]; } },
      xAxis: { type: "category", data: spec.x, position: "top", splitArea: { show: true }, axisLabel: { fontSize: 11 } },
      yAxis: { type: "category", data: spec.y, inverse: true, axisLabel: { fontSize: 11, width: 220, overflow: "truncate" } },
      visualMap: { type: "piecewise", show: false, dimension: 2,
                   pieces: COLORS.map(function (c, i) { return { value: i, color: c }; }) },
      series: [{ type: "heatmap", data: spec.data, itemStyle: { borderColor: "#fff", borderWidth: 1 } }]
    });
    chart.on("click", function (p) {
      show(cellUrl(spec.url, spec.yrefs[p.data[1]], spec.xkeys[p.data[0]]));
    });
    el.dataset.drawn = "1";
    el._chart = chart;
  }
  function cellUrl(template, subject, period) {
    return template.replace("__S__", encodeURIComponent(subject)).replace("__P__", encodeURIComponent(period));
  }
  // On a phone the side panel sits below the whole board: a tap opens the cell's own page instead.
  var narrow = window.matchMedia("(max-width: 800px)");
  function show(url) {
    if (narrow.matches) window.location.href = url; else htmx.ajax("GET", url, { target: "#drill" });
  }
  document.addEventListener("click", function (e) {
    var a = e.target.closest("table.matrix a.st");
    if (!a) return;
    e.preventDefault();
    show(cellUrl(a.closest("table.matrix").dataset.url, a.dataset.s, a.dataset.p));
  });
  document.addEventListener("htmx:beforeRequest", function (e) {
    if (narrow.matches && e.detail.target && e.detail.target.id === "drill") {
      e.preventDefault();
      window.location.href = e.detail.pathInfo.requestPath;
    }
  });
  // A rule's panel is loaded (htmx) when the rule is opened, and again for each page: draw what it brought.
  function drawIn(root) {
    var els = root.classList && root.classList.contains("heatmap") ? [root] : root.querySelectorAll(".heatmap");
    Array.prototype.forEach.call(els, function (el) {
      var d = el.closest("details");
      if (!d || d.open) draw(el);
    });
  }
  document.addEventListener("htmx:load", function (e) { drawIn(e.detail.elt); });
  document.addEventListener("toggle", function (e) {
    var d = e.target;
    if (!d.matches || !d.matches("details.rule") || !d.open) return;
    d.querySelectorAll(".heatmap").forEach(function (el) { draw(el); el._chart && el._chart.resize(); });
  }, true);
  function init() { drawIn(document); }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init); else init();
})();
