// Draws the stacked bar charts of grades in force by district on the assessment figures page.
// The data comes from the page itself (json_script "grade-charts"); ECharts is served from our own
// static files (vendor/echarts), never from a CDN.
(function () {
  "use strict";

  // n blues from light to dark (ColorBrewer "Blues", interpolated to the number of grades).
  var BLUES = ["#deebf7", "#c6dbef", "#9ecae1", "#6baed6", "#4292c6", "#2171b5", "#08519c", "#08306b"];
  function shades(n) {
    if (n <= 1) {
      return [BLUES[5]];
    }
    var out = [];
    for (var i = 0; i < n; i += 1) {
      out.push(BLUES[Math.round((i * (BLUES.length - 1)) / (n - 1))]);
    }
    return out;
  }

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
      var many = chart.districts.length > 6;
      instance.setOption({
        animation: false,
        // The grades in order, mildest lightest: a sequential scale, never a rainbow.
        color: shades(chart.series.length),
        tooltip: {
          trigger: "axis",
          axisPointer: { type: "shadow" },
          formatter: function (items) {
            var lines = [items.length ? items[0].axisValueLabel : ""];
            items.forEach(function (item) {
              var n = chart.series[item.seriesIndex].counts[item.dataIndex];
              lines.push(
                item.marker + item.seriesName + "：" + item.value + " ‰（" + n + " " +
                  chart.cases + "）"
              );
            });
            return lines.join("<br>");
          },
        },
        legend: { type: "scroll", top: 0 },
        grid: { left: 8, right: 16, top: 40, bottom: 8, containLabel: true },
        // Every district named: none skipped, slanted when there are many.
        xAxis: {
          type: "category",
          data: chart.districts,
          axisLabel: { interval: 0, rotate: many ? 40 : 0 },
        },
        yAxis: { type: "value", name: chart.unit, nameTextStyle: { align: "left" } },
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
