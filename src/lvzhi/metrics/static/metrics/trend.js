// The metrics page: the five-year trend of the figure whose 趋势 button was pressed (the first one on opening).
// Data from the page's json_script element #chart-data: {years: [...], series: {metric id: [values]}}.
(function () {
  function data() {
    var parsed = JSON.parse(document.getElementById("chart-data").textContent);
    return typeof parsed === "string" ? JSON.parse(parsed) : parsed;
  }
  function showTrend(button) {
    var d = data();
    var chart = echarts.getInstanceByDom(document.getElementById("trend")) || echarts.init(document.getElementById("trend"));
    chart.setOption({
      title: { text: button.dataset.label, left: "center", textStyle: { fontSize: 14 } },
      animation: false, tooltip: { trigger: "axis" }, grid: { left: 50, right: 30, top: 40, bottom: 30 },
      xAxis: { type: "category", data: d.years.map(String) }, yAxis: { type: "value" },
      series: [{ type: "line", data: d.series[button.dataset.metric], smooth: false, connectNulls: false,
                 label: { show: true }, itemStyle: { color: "#b3261e" } }]
    });
  }
  document.addEventListener("click", function (e) {
    var button = e.target.closest && e.target.closest("button[data-metric]");
    if (button) showTrend(button);
  });
  function init() {
    var first = document.querySelector("button[data-metric]");
    if (first && document.getElementById("trend")) showTrend(first);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init); else init();
})();
