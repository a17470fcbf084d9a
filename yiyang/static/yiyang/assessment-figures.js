// Draws the stacked bar charts of grades in force by district on the assessment figures page.
// The data comes from the page itself (json_script "grade-charts"); ECharts is served from our own
// static files (vendor/echarts), never from a CDN.
(function () {
  "use strict";

  function draw() {
    var source = document.getElementById("grade-charts");
    if (!source || typeof echarts === "undefined") {
      return;
    }
    var charts = JSON.parse(source.textContent);
    var locale = (document.documentElement.lang || "").indexOf("zh") === 0 ? "ZH" : "EN";
    var instances = [];
    document.querySelectorAll("[data-chart]").forEach(function (el) {
      var chart = charts[Number(el.dataset.chart)];
      if (!chart) {
        return;
      }
      var instance = echarts.init(el, null, { renderer: "canvas", locale: locale });
      instance.setOption({
        animation: false,
        tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
        legend: { type: "scroll", top: 0 },
        grid: { left: 8, right: 16, top: 40, bottom: 8, containLabel: true },
        xAxis: { type: "category", data: chart.districts },
        yAxis: { type: "value", minInterval: 1 },
        series: chart.series.map(function (s) {
          return {
            name: s.name,
            type: "bar",
            stack: "grades",
            barMaxWidth: 72,
            emphasis: { focus: "series" },
            data: s.data,
          };
        }),
      });
      instances.push(instance);
    });
    window.addEventListener("resize", function () {
      instances.forEach(function (i) {
        i.resize();
      });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
