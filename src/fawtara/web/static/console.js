// The console's live figures: read GET /v1/ops/figures every few seconds (the
// console session cookie vouches for the operator) and write the numbers into
// the page the server rendered. Markup says where each figure goes:
//   data-figure="unknown.count" data-format="int|seconds|percent|decimal|clock|text"
//   <tbody data-rows="payments" data-columns="channel,outcome,count:int,...">
// Rows of a mapping ({code: count}) have the columns "key" and "value".
// web/console_figures.py renders the first view with the same rules.
(function () {
  "use strict";
  var root = document.querySelector("[data-figures-url]");
  if (!root) return;
  var url = root.getAttribute("data-figures-url");
  var every = Number(root.getAttribute("data-every-ms")) || 3000;
  var arabic = document.documentElement.lang === "ar";
  var words = JSON.parse(root.getAttribute("data-words") || "{}");

  function digits(text) {
    if (!arabic) return text;
    return text.replace(/[0-9]/g, function (d) { return "٠١٢٣٤٥٦٧٨٩"[d]; })
      .replace(/\./g, "٫");
  }

  function format(value, kind) {
    if (value === null || value === undefined) return "—";
    if (typeof value === "boolean") return words[String(value)] || String(value);
    if (kind === "percent") return digits((value * 100).toFixed(1)) + (arabic ? "٪" : "%");
    if (kind === "seconds") return digits(Number(value).toFixed(1));
    if (kind === "decimal") return digits(Number(value).toFixed(2));
    if (kind === "clock") return digits(String(value).slice(11, 19)) + " UTC";
    if (kind === "text") return String(value);
    return typeof value === "number" ? digits(String(value)) : String(value);
  }

  function lookup(data, path) {
    return path.split(".").reduce(function (at, key) {
      return at === null || at === undefined ? undefined : at[key];
    }, data);
  }

  function rowsOf(value) {
    if (Array.isArray(value)) return value;
    return Object.keys(value || {}).sort().map(function (key) {
      return { key: key, value: value[key] };
    });
  }

  function fillRows(body, data) {
    var rows = rowsOf(lookup(data, body.getAttribute("data-rows")));
    var columns = body.getAttribute("data-columns").split(",");
    var flag = body.getAttribute("data-flag") || "";  // a field that marks a row; "!up": not up
    var negate = flag.charAt(0) === "!";
    var field = flag.replace(/^!/, "");
    var fresh = document.createDocumentFragment();
    rows.forEach(function (row) {
      var tr = document.createElement("tr");
      if (field && (negate ? !row[field] : row[field])) tr.className = "alarm";
      columns.forEach(function (column) {
        var parts = column.split(":");
        var name = parts[0] === "message" ? (arabic ? "message_ar" : "message_en") : parts[0];
        var td = document.createElement("td");
        td.textContent = format(row[name], parts[1] || "text");
        tr.appendChild(td);
      });
      fresh.appendChild(tr);
    });
    if (!rows.length) {
      var empty = document.createElement("tr");
      var cell = document.createElement("td");
      cell.colSpan = columns.length;
      cell.textContent = body.getAttribute("data-empty") || "";
      empty.appendChild(cell);
      fresh.appendChild(empty);
    }
    body.replaceChildren(fresh);
  }

  function show(data) {
    document.querySelectorAll("[data-figure]").forEach(function (node) {
      var value = lookup(data, node.getAttribute("data-figure"));
      node.textContent = format(value, node.getAttribute("data-format") || "int");
      if (node.hasAttribute("data-alarm-above")) {
        var limit = Number(node.getAttribute("data-alarm-above"));
        node.closest(".figure").classList.toggle("alarm", Number(value) > limit);
      }
    });
    document.querySelectorAll("[data-rows]").forEach(function (body) { fillRows(body, data); });
    root.setAttribute("data-state", "live");
  }

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (answer) {
        if (answer.status === 401 || answer.status === 403) {
          window.location.assign("/console/sign-in");
          return null;
        }
        return answer.ok ? answer.json() : null;
      })
      .then(function (data) { if (data) show(data); })
      .catch(function () { root.setAttribute("data-state", "stale"); })
      .then(function () { window.setTimeout(poll, every); });
  }

  window.setTimeout(poll, every);
})();
