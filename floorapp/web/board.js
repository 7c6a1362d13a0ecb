// floor wallboard: keeps the figures on the page current without reloading it (issue #28).
// Asks /figures.json every poll_ms and changes only the text that changed; draws the hourly
// curve as inline SVG. No library, nothing fetched from anywhere but this server.
(function () {
  "use strict";
  var seed = JSON.parse(document.getElementById("board-data").textContent);
  var L = seed.labels;
  var last = null;        // the last answer shown
  var lastBoard = seed.answer.board;
  var lastLists = {};
  var SVG = "http://www.w3.org/2000/svg";

  function fmt(text, values) {
    return text.replace(/\{(\w+)\}/g, function (m, k) { return k in values ? values[k] : m; });
  }
  function get(obj, path) {
    return path.split(".").reduce(function (o, k) { return o == null ? o : o[k]; }, obj);
  }
  function setText(el, value) {
    var text = value == null ? "\u2014" : String(value);
    if (el.textContent !== text) { el.textContent = text; }
  }
  function li(cls) { var e = document.createElement("li"); if (cls) { e.className = cls; } return e; }
  function span(cls, text) {
    var e = document.createElement("span"); e.className = cls; e.textContent = text; return e;
  }
  function none() { var e = li("none"); e.textContent = L.none; return e; }

  var LISTS = {
    top_completed: function (r) { var e = li(); e.appendChild(span("name", r.name)); e.appendChild(span("val", r.completed)); return e; },
    top_orders: function (r) { var e = li(); e.appendChild(span("name", r.name)); e.appendChild(span("val", r.orders)); return e; },
    behind: function (r) {
      var e = li(); e.appendChild(span("name", r.name));
      var v = span("val", r.completed + "/" + r.target + " ");
      var b = document.createElement("b"); b.textContent = "\u2212" + r.shortfall; v.appendChild(b);
      e.appendChild(v); return e;
    },
    teams: function (t) {
      var e = li(); e.appendChild(span("name", t.team || "\u2014"));
      var bar = span("bar", ""); var i = document.createElement("i");
      i.setAttribute("data-share", t.target ? Math.min(100, Math.round(100 * t.completed / t.target)) : 0);
      bar.appendChild(i); e.appendChild(bar);
      e.appendChild(span("val", t.completed + "/" + t.target)); return e;
    }
  };

  function shareBars() {
    document.querySelectorAll("[data-share]").forEach(function (i) { i.style.width = i.getAttribute("data-share") + "%"; });
  }

  function updateLists(board) {
    Object.keys(LISTS).forEach(function (name) {
      var items = board[name] || [];
      var key = JSON.stringify(items);
      if (lastLists[name] === key) { return; }
      lastLists[name] = key;
      var list = document.querySelector('[data-list="' + name + '"]');
      var fresh = document.createDocumentFragment();
      if (!items.length) { fresh.appendChild(none()); }
      items.forEach(function (r) { fresh.appendChild(LISTS[name](r)); });
      list.replaceChildren(fresh);
    });
    shareBars();
    var more = board.behind_count - (board.behind || []).length;
    setText(document.getElementById("behind-more"), more > 0 ? fmt(L.more, { n: more }) : "");
  }

  function el(name, attrs, text) {
    var e = document.createElementNS(SVG, name);
    Object.keys(attrs).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text != null) { e.textContent = text; }
    return e;
  }

  function drawCurve(board) {
    var svg = document.getElementById("curve");
    var hours = board.hours || [];
    var target = board.floor.target || 0;
    var W = 1000, H = 250, left = 70, right = 20, top = 16, bottom = 40;
    var maxY = Math.max(target, 1);
    hours.forEach(function (h) { maxY = Math.max(maxY, h.cumulative, h.pace); });
    // a round step (1, 2 or 5 × 10^k) and at most five grid lines above zero
    var raw = maxY * 1.05 / 5, power = Math.pow(10, Math.floor(Math.log10(raw)));
    var tick = [1, 2, 5, 10].map(function (m) { return m * power; })
      .filter(function (t) { return t >= raw; })[0];
    tick = Math.max(1, tick);
    maxY = Math.ceil(maxY * 1.05 / tick) * tick;
    var n = Math.max(hours.length, 1), step = (W - left - right) / n;
    function x(i) { return left + step * (i + 0.5); }
    function y(v) { return top + (H - top - bottom) * (1 - v / maxY); }
    var g = document.createDocumentFragment();
    for (var v = 0; v <= maxY; v += tick) {
      g.appendChild(el("line", { x1: left, x2: W - right, y1: y(v), y2: y(v), "class": "grid" }));
      g.appendChild(el("text", { x: left - 8, y: y(v) + 8, "class": "axis", "text-anchor": "end" }, v));
    }
    if (target) {
      g.appendChild(el("line", { x1: left, x2: W - right, y1: y(target), y2: y(target), "class": "target" }));
      g.appendChild(el("text", { x: W - right - 4, y: y(target) - 8, "class": "axis target-label", "text-anchor": "end" }, L.target + " " + target));
    }
    hours.forEach(function (h, i) {
      var bw = step * 0.5;
      g.appendChild(el("rect", { x: x(i) - bw / 2, y: y(h.completed), width: bw, height: Math.max(0, y(0) - y(h.completed)), "class": "hour", "data-hour": h.hour, "data-completed": h.completed }));
      g.appendChild(el("text", { x: x(i), y: H - 10, "class": "axis", "text-anchor": "middle" }, (h.hour < 10 ? "0" : "") + h.hour));
    });
    function path(key, upto) {
      var d = ""; hours.forEach(function (h, i) { if (i <= upto) { d += (d ? "L" : "M") + x(i).toFixed(1) + "," + y(h[key]).toFixed(1); } });
      return d;
    }
    if (hours.length) {
      g.appendChild(el("path", { d: path("pace", hours.length), "class": "pace" }));
      var nowHour = parseInt((board.now || "0").slice(0, 2), 10), upto = -1;
      hours.forEach(function (h, i) { if (h.hour <= nowHour) { upto = i; } });
      if (upto >= 0) { g.appendChild(el("path", { d: path("cumulative", upto), "class": "done" })); }
      if (upto >= 0) { g.appendChild(el("circle", { cx: x(upto), cy: y(hours[upto].cumulative), r: 9, "class": "done-dot" })); }
    }
    svg.replaceChildren(g);
    var note = document.getElementById("unhoured");
    note.hidden = !board.unhoured;
    setText(note, board.unhoured ? fmt(L.unhoured, { n: board.unhoured }) : "");
  }

  function banner(id, text) {
    var b = document.getElementById(id);
    if (b.textContent !== text) { b.textContent = text; }
    b.hidden = !text;
  }

  function show(answer) {
    var board = answer.board;
    if (answer.ok === false) {
      banner("store-problem", answer.error + (answer.as_of ? " \u2014 " + fmt(L.stale, { time: answer.as_of }) : ""));
    } else if (answer.problems && answer.problems.length) {
      banner("store-problem", fmt(L.damaged, { where: answer.problems.join("; ") }));
    } else {
      banner("store-problem", "");
    }
    if (!board) { return; }
    lastBoard = board;
    document.querySelectorAll("[data-k]").forEach(function (node) {
      setText(node, get(board, node.getAttribute("data-k")));
    });
    var share = board.floor.target ? Math.min(100, 100 * board.floor.completed / board.floor.target) : 0;
    document.getElementById("floor-bar").style.width = share.toFixed(1) + "%";
    setText(document.getElementById("as-of"), fmt(L.as_of, { time: answer.as_of }));
    updateLists(board);
    var key = JSON.stringify([board.hours, board.floor.target, board.now, board.unhoured]);
    if (key !== lastLists.__curve) { lastLists.__curve = key; drawCurve(board); }
    var inc = document.getElementById("incidents");
    var lines = (board.incidents || []).map(function (i) { return fmt(L.incident, i); });
    var text = lines.join("\n");
    if (inc.getAttribute("data-text") !== text) {
      inc.setAttribute("data-text", text);
      inc.replaceChildren.apply(inc, lines.map(function (t) { var d = document.createElement("div"); d.textContent = t; return d; }));
    }
    inc.hidden = !lines.length;
  }

  function poll() {
    fetch("/figures.json", { cache: "no-cache", headers: { "Accept": "application/json" } })
      .then(function (r) { if (!r.ok) { throw new Error(String(r.status)); } return r.json(); })
      .then(function (answer) {
        if (!last || answer.version !== last.version || answer.ok !== last.ok) { last = answer; show(answer); }
        document.body.removeAttribute("data-offline");
      })
      .catch(function () {
        document.body.setAttribute("data-offline", "1");
        banner("store-problem", fmt(L.unreachable, { time: (last || seed.answer).as_of || "" }));
        last = null;
      })
      .then(function () { window.setTimeout(poll, seed.poll_ms); });
  }

  show(seed.answer);
  document.body.setAttribute("data-ready", "1");
  window.setTimeout(poll, seed.poll_ms);
})();
