/* Report charts (Apache ECharts, served from static/vendor/echarts). No inline
   scripts: a chart reads the report document the page embeds with json_script
   (data-json, the element's id), or else fetches it from its JSON endpoint
   (data-source, the endpoint the API documents under /api/v1/reports/). Clicking a funnel stage or a
   month opens the project list filtered to make up that number. */
(function () {
  "use strict";

  // "线索：86" on a Chinese page, "Lead: 86" on an English one.
  function colon() {
    return document.documentElement.lang.indexOf("zh") === 0 ? "：" : ": ";
  }

  var cache = {};

  function load(element) {
    var embedded = element.dataset.json && document.getElementById(element.dataset.json);
    if (embedded) return Promise.resolve(JSON.parse(embedded.textContent));
    var url = element.dataset.source;
    if (!cache[url]) {
      cache[url] = fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } }).then(
        function (response) {
          if (!response.ok) throw new Error("report data: HTTP " + response.status);
          return response.json();
        }
      );
    }
    return cache[url];
  }

  function mount(element, height) {
    element.style.height = height + "px";
    element.style.width = "100%";
    var chart = window.echarts.init(element, null, { renderer: "canvas" });
    window.addEventListener("resize", function () {
      chart.resize();
    });
    return chart;
  }

  function done(element, chart) {
    chart.on("click", function (params) {
      if (params.data && params.data.url) window.location.assign(params.data.url);
    });
    chart.on("finished", function () {
      element.dataset.rendered = "true";
    });
  }

  function funnel(element, data) {
    var chart = mount(element, 340);
    done(element, chart);
    var rows = data.funnel.rows.filter(function (row) {
      return row.stage !== "on_hold" && row.stage !== "dropped";
    });
    chart.setOption({
      animation: false,
      tooltip: {
        trigger: "item",
        formatter: function (p) {
          return p.name + colon() + p.value + " · " + p.data.investment + " " + element.dataset.unit;
        },
      },
      series: [
        {
          type: "funnel",
          sort: "none",
          left: "10%",
          width: "80%",
          minSize: "20%",
          label: { show: true, position: "inside", formatter: "{b}" + colon() + "{c}" },
          data: rows.map(function (row) {
            return { name: row.label, value: row.count, investment: row.investment_yi, url: row.links.count, stage: row.stage };
          }),
        },
      ],
    });
    element.chart = chart;
  }

  function trend(element, data) {
    var chart = mount(element, 300);
    done(element, chart);
    var rows = data.trend.rows;
    chart.setOption({
      animation: false,
      tooltip: { trigger: "axis" },
      legend: { data: [element.dataset.thisYear, element.dataset.lastYear] },
      grid: { left: 48, right: 16, bottom: 32, top: 40 },
      xAxis: { type: "category", data: rows.map(function (row) { return String(row.month); }) },
      yAxis: { type: "value", name: element.dataset.unit || "", nameTextStyle: { align: "left" } },
      series: [
        {
          name: element.dataset.thisYear,
          type: "bar",
          data: rows.map(function (row) { return { value: row.this_year_yi, url: row.links.this_year_yi }; }),
        },
        {
          name: element.dataset.lastYear,
          type: "bar",
          data: rows.map(function (row) { return { value: row.last_year_yi, url: row.links.last_year_yi }; }),
        },
      ],
    });
    element.chart = chart;
  }

  /* One split (data-split: its key) as horizontal bars of the projects signed in the
     period per value; a bar opens the list of those projects. */
  function split(element, data) {
    var table = data.splits.filter(function (t) {
      return t.key === element.dataset.split;
    })[0];
    if (!table) return;
    var rows = table.rows
      .filter(function (row) {
        return row.signed_count > 0;
      })
      .slice(0, 12)
      .reverse();
    var chart = mount(element, Math.max(160, 28 * rows.length + 60));
    done(element, chart);
    chart.setOption({
      animation: false,
      tooltip: { trigger: "item" },
      grid: { left: 8, right: 24, top: 8, bottom: 24, containLabel: true },
      xAxis: { type: "value" },
      yAxis: { type: "category", data: rows.map(function (row) { return row.label; }) },
      series: [
        {
          type: "bar",
          data: rows.map(function (row) {
            return { value: row.signed_yi, url: row.links.signed_yi };
          }),
        },
      ],
    });
    element.chart = chart;
  }

  var draw = { funnel: funnel, trend: trend, split: split };

  function start() {
    document.querySelectorAll(".progress-bar[data-width]").forEach(function (bar) {
      bar.style.width = Math.min(100, parseFloat(bar.dataset.width) || 0) + "%";
    });
    if (!window.echarts) return;
    document.querySelectorAll("[data-chart][data-source]").forEach(function (element) {
      var kind = draw[element.dataset.chart];
      if (!kind) return;
      load(element)
        .then(function (data) {
          kind(element, data);
        })
        .catch(function (error) {
          element.dataset.error = String(error);
          element.textContent = element.dataset.failed || "";
        });
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
