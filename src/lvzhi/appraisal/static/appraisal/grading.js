// 党支部分类定级: the bar chart of branches per level, from the page's JSON (no inline script).
(function () {
  var COLORS = { "先进": "#2da44e", "较好": "#54aeff", "一般": "#d4a72c", "后进": "#cf222e" };
  function init() {
    var el = document.getElementById("grading-chart");
    var data = document.getElementById("grading-chart-data");
    if (!el || !data || typeof echarts === "undefined") return;
    var spec = JSON.parse(data.textContent);
    if (!spec) return;
    var chart = echarts.init(el);
    chart.setOption({
      animation: false,
      grid: { left: 40, right: 16, top: 24, bottom: 28 },
      tooltip: { formatter: function (p) { return p.name + "：" + p.value + "个党支部"; } },
      xAxis: { type: "category", data: spec.levels },
      yAxis: { type: "value", minInterval: 1 },
      series: [{ type: "bar", barMaxWidth: 60, label: { show: true, position: "top" },
                 data: spec.levels.map(function (l, i) {
                   return { value: spec.counts[i], itemStyle: { color: COLORS[l] || "#8c959f" } };
                 }) }]
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init); else init();
})();
