// pilotbook — search, filters and tabs. No framework, no network: the search
// index is a script next to this one, loaded the first time search is used.
//
// No state lives in the global namespace, where an element of a document
// with the same `id` or `name` would stand in for it (DOM clobbering): the
// index is kept in this closure. The index script hands it over by calling
// `pilotbookSearchIndex(entries)`, a function this script defines as a
// fixed property of `window`; a property of the window itself always wins
// over an element's name.
(function () {
  "use strict";

  // ---- search -------------------------------------------------------------
  var input = document.getElementById("search-input");
  var list = document.getElementById("search-results");
  var root = input ? input.getAttribute("data-root") || "" : "";
  var index = null;
  var loading = false;
  var waiting = [];

  try {
    Object.defineProperty(window, "pilotbookSearchIndex", {
      value: function (entries) {
        if (index === null && Array.isArray(entries)) index = entries;
      },
      writable: false,
      configurable: false
    });
  } catch (err) {
    // Defined already (the script ran twice): the first one keeps the index.
  }

  function load(then) {
    if (index !== null) { then(); return; }
    waiting.push(then);
    if (loading) return;
    loading = true;
    var s = document.createElement("script");
    s.src = root + "assets/search-index.js";
    s.onload = function () {
      loading = false;
      var ready = waiting;
      waiting = [];
      if (index === null) index = [];
      ready.forEach(function (f) { f(); });
    };
    s.onerror = function () { loading = false; };
    document.head.appendChild(s);
  }

  function words(q) {
    return q.toLowerCase().split(/\s+/).filter(function (w) { return w.length > 0; });
  }

  function score(entry, terms) {
    var title = entry.t.toLowerCase(), owner = entry.o.toLowerCase(), ids = entry.m.toLowerCase(), text = entry.x.toLowerCase();
    var total = 0;
    for (var i = 0; i < terms.length; i++) {
      var w = terms[i], s = 0;
      if (title.indexOf(w) === 0) s = 8; else if (title.indexOf(w) >= 0) s = 6;
      else if (owner.indexOf(w) >= 0) s = 5;
      else if (ids.indexOf(w) >= 0) s = 4;
      else if (text.indexOf(w) >= 0) s = 1;
      if (s === 0) return 0;
      total += s;
    }
    return total;
  }

  function render(q) {
    var terms = words(q);
    list.textContent = "";
    if (terms.length === 0) return;
    var hits = [];
    var entries = index || [];
    for (var i = 0; i < entries.length; i++) {
      var s = score(entries[i], terms);
      if (s > 0) hits.push([s, entries[i]]);
    }
    hits.sort(function (a, b) { return b[0] - a[0] || (a[1].t < b[1].t ? -1 : 1); });
    if (hits.length === 0) {
      var none = document.createElement("li");
      none.textContent = "No matches";
      none.className = "muted";
      none.style.padding = ".5rem .8rem";
      list.appendChild(none);
      return;
    }
    hits.slice(0, 20).forEach(function (h) {
      var e = h[1], li = document.createElement("li"), a = document.createElement("a");
      a.href = root + e.u;
      var kind = document.createElement("span");
      kind.className = "kind";
      kind.textContent = e.k;
      a.appendChild(kind);
      a.appendChild(document.createTextNode(e.t));
      if (e.o) {
        var meta = document.createElement("span");
        meta.className = "meta";
        meta.textContent = "Owner: " + e.o.replace(/ [a-z0-9-]+$/, "");
        a.appendChild(meta);
      }
      var snippet = around(e.x, terms);
      if (snippet) a.appendChild(snippet);
      li.appendChild(a);
      list.appendChild(li);
    });
  }

  // The words around the first term found in the text, the term marked;
  // built from text nodes only, so nothing in a document becomes markup.
  function around(text, terms) {
    var lower = text.toLowerCase(), at = -1, term = "";
    for (var i = 0; i < terms.length && at < 0; i++) { at = lower.indexOf(terms[i]); term = terms[i]; }
    if (at < 0) return null;
    var start = Math.max(0, at - 60), end = Math.min(text.length, at + term.length + 60);
    var span = document.createElement("span");
    span.className = "snippet";
    var mark = document.createElement("mark");
    mark.textContent = text.slice(at, at + term.length);
    span.appendChild(document.createTextNode((start > 0 ? "…" : "") + text.slice(start, at)));
    span.appendChild(mark);
    span.appendChild(document.createTextNode(text.slice(at + term.length, end) + (end < text.length ? "…" : "")));
    return span;
  }

  if (input && list) {
    // `?q=words` opens the page with that search run, so searches can be linked.
    var q = new URLSearchParams(window.location.search).get("q");
    if (q) { input.value = q; load(function () { render(q); }); }
    input.addEventListener("focus", function () { load(function () {}); });
    input.addEventListener("input", function () { load(function () { render(input.value); }); });
    input.addEventListener("keydown", function (ev) {
      if (ev.key === "Escape") { input.value = ""; list.textContent = ""; }
      if (ev.key === "Enter") { var first = list.querySelector("a"); if (first) first.click(); }
    });
  }

  // ---- a kind's index: filter by status ---------------------------------
  // `?status=accepted` in the URL, as on the portfolio.
  var kindTable = document.getElementById("kind-index");
  var kindStatus = document.getElementById("kind-filter-status");
  var kindCount = document.getElementById("kind-filter-count");
  if (kindTable instanceof HTMLTableElement && kindTable.tBodies.length > 0 && kindStatus && kindCount) {
    var kindRows = Array.prototype.slice.call(kindTable.tBodies[0].rows);
    var kindApply = function () {
      var s = kindStatus.value, shown = 0;
      kindRows.forEach(function (r) {
        var ok = !s || r.getAttribute("data-status") === s;
        r.hidden = !ok;
        if (ok) shown++;
      });
      kindCount.textContent = shown + " of " + kindRows.length + " shown";
      var p = new URLSearchParams(window.location.search);
      if (s) p.set("status", s); else p.delete("status");
      var q = p.toString();
      window.history.replaceState(null, "", window.location.pathname + (q ? "?" + q : "") + window.location.hash);
    };
    var wanted = new URLSearchParams(window.location.search).get("status");
    if (wanted && Array.prototype.some.call(kindStatus.options, function (o) { return o.value === wanted; })) kindStatus.value = wanted;
    kindStatus.addEventListener("change", kindApply);
    kindApply();
  }

  // ---- portfolio filters and sorting ------------------------------------
  // Filters and the sort order live in the URL (`?status=pilot&owner=dana-kim
  // &sort=days&dir=desc`), so a filtered view can be linked; the page reads
  // them on load and writes them back on every change.
  var table = document.getElementById("portfolio");
  var byStatus = document.getElementById("filter-status");
  var byOwner = document.getElementById("filter-owner");
  var byTeam = document.getElementById("filter-team");
  var byStuck = document.getElementById("filter-stuck");
  // Only on a portfolio that reads `[[sources]]`.
  var bySource = document.getElementById("filter-source");
  var count = document.getElementById("filter-count");
  // Only the portfolio's own table: a document's element with that id is not one.
  if (table instanceof HTMLTableElement && table.tBodies.length > 0 && byStatus && byOwner && byTeam && byStuck) {
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    var fill = function (select, attr, label) {
      var seen = {};
      rows.forEach(function (r) {
        var v = r.getAttribute(attr);
        if (v) seen[v] = label ? r.getAttribute(label) : v;
      });
      Object.keys(seen).sort(function (a, b) { return seen[a] < seen[b] ? -1 : 1; }).forEach(function (v) {
        var opt = document.createElement("option");
        opt.value = v; opt.textContent = seen[v];
        select.appendChild(opt);
      });
    };
    fill(byOwner, "data-owner-id", "data-owner");
    fill(byTeam, "data-team");
    if (bySource) fill(bySource, "data-source");
    var heads = Array.prototype.slice.call(table.tHead.rows[0].cells).filter(function (th) {
      return th.hasAttribute("data-sort");
    });
    var sort = { key: "title", dir: "asc" };
    var numeric = { days: true };
    var keyOf = function (r, key) {
      var v = r.getAttribute("data-" + key) || "";
      if (numeric[key]) return v === "" ? null : Number(v);
      return v === "" ? null : v.toLowerCase();
    };
    var order = function () {
      var sign = sort.dir === "desc" ? -1 : 1;
      var sorted = rows.slice().sort(function (a, b) {
        var x = keyOf(a, sort.key), y = keyOf(b, sort.key);
        if (x === y) return keyOf(a, "title") < keyOf(b, "title") ? -1 : 1;
        if (x === null) return 1;   // blanks last, whichever the direction
        if (y === null) return -1;
        return (x < y ? -1 : 1) * sign;
      });
      sorted.forEach(function (r) { body.appendChild(r); });
      heads.forEach(function (th) {
        var on = th.getAttribute("data-sort") === sort.key;
        if (on) th.setAttribute("aria-sort", sort.dir === "desc" ? "descending" : "ascending");
        else th.removeAttribute("aria-sort");
      });
    };
    var save = function () {
      var p = new URLSearchParams(window.location.search);
      var set = function (k, v) { if (v) p.set(k, v); else p.delete(k); };
      set("status", byStatus.value);
      set("owner", byOwner.value);
      set("team", byTeam.value);
      if (bySource) set("source", bySource.value);
      set("stuck", byStuck.checked ? "1" : "");
      set("sort", sort.key === "title" ? "" : sort.key);
      set("dir", sort.dir === "asc" ? "" : sort.dir);
      var q = p.toString();
      window.history.replaceState(null, "", window.location.pathname + (q ? "?" + q : "") + window.location.hash);
    };
    var apply = function () {
      var s = byStatus.value, o = byOwner.value, t = byTeam.value, stuck = byStuck.checked, shown = 0;
      var src = bySource ? bySource.value : "";
      rows.forEach(function (r) {
        var ok = (!s || r.getAttribute("data-status") === s) &&
          (!o || r.getAttribute("data-owner-id") === o) &&
          (!t || r.getAttribute("data-team") === t) &&
          (!src || r.getAttribute("data-source") === src) &&
          (!stuck || r.hasAttribute("data-stuck"));
        r.hidden = !ok;
        if (ok) shown++;
      });
      count.textContent = shown + " of " + rows.length + " shown";
    };
    var params = new URLSearchParams(window.location.search);
    var pick = function (select, value) {
      if (value && Array.prototype.some.call(select.options, function (o) { return o.value === value; })) select.value = value;
    };
    pick(byStatus, params.get("status"));
    pick(byOwner, params.get("owner"));
    pick(byTeam, params.get("team"));
    if (bySource) pick(bySource, params.get("source"));
    byStuck.checked = params.get("stuck") === "1";
    if (heads.some(function (th) { return th.getAttribute("data-sort") === params.get("sort"); })) sort.key = params.get("sort");
    if (params.get("dir") === "desc") sort.dir = "desc";
    heads.forEach(function (th) {
      // A button in the header, so the sort is reachable by keyboard.
      var button = document.createElement("button");
      button.type = "button";
      button.className = "sort";
      while (th.firstChild) button.appendChild(th.firstChild);
      th.appendChild(button);
      button.addEventListener("click", function () {
        var key = th.getAttribute("data-sort");
        sort.dir = sort.key === key && sort.dir === "asc" ? "desc" : "asc";
        sort.key = key;
        order();
        save();
      });
    });
    [byStatus, byOwner, byTeam, byStuck, bySource].filter(Boolean).forEach(function (el) {
      el.addEventListener("change", function () { apply(); save(); });
    });
    order();
    apply();
  }

  // ---- anchors ------------------------------------------------------------
  // Links written for the forge may use any case (`#Success-Metrics`); the
  // forge finds the heading anyway, and so does the site.
  function toAnchor() {
    var want = decodeURIComponent(window.location.hash.slice(1));
    if (!want || document.getElementById(want)) return;
    var lower = want.toLowerCase(), found = null;
    Array.prototype.some.call(document.querySelectorAll("[id]"), function (el) {
      if (el.id.toLowerCase() === lower) { found = el; return true; }
      return false;
    });
    if (found) found.scrollIntoView();
  }
  window.addEventListener("hashchange", toAnchor);
  toAnchor();

  // ---- tabs ---------------------------------------------------------------
  var tabs = document.querySelectorAll('[role="tab"]');
  Array.prototype.forEach.call(tabs, function (tab) {
    tab.addEventListener("click", function () {
      Array.prototype.forEach.call(tabs, function (t) {
        var on = t === tab;
        t.setAttribute("aria-selected", on ? "true" : "false");
        var panel = document.getElementById(t.getAttribute("aria-controls"));
        if (panel) panel.hidden = !on;
      });
      timelines();
    });
  });

  // ---- timeline: open on today, keep the names in view ---------------------
  // Each timeline scrolls so that today's line sits two fifths into the
  // visible axis (what is done to its left, what is planned to its right);
  // the name column and the group labels move with the scroll so they stay
  // at the left edge. Without script the SVG still reads, from its start.
  var pinned = function (box) {
    var x = box.scrollLeft;
    Array.prototype.forEach.call(box.querySelectorAll(".tl-name, .tl-group text"), function (el) {
      el.setAttribute("transform", "translate(" + x + ",0)");
    });
  };
  // The time window: the chart's x coordinates (right of the name column)
  // are stretched or squeezed by `k`, marks keeping their shapes; month
  // labels thin out when they would crowd. The server draws at one scale
  // (`data-px-per-day`); k = 1 is that drawing.
  var original = function (el, names) {
    if (!el._o) {
      el._o = {};
      names.forEach(function (a) { if (el.hasAttribute(a)) el._o[a] = el.getAttribute(a); });
    }
    return el._o;
  };
  var mapPath = function (d, f, stretch) {
    var first = /M(-?[\d.]+)/.exec(d), dx = first ? f(Number(first[1])) - Number(first[1]) : 0;
    var x = function (v) { var n = Number(v); return String(stretch ? f(n) : n + dx); };
    return d.replace(/([MLHC])([^MLHVlZC]*)/g, function (all, cmd, args) {
      var n = args.trim().split(/[\s,]+/);
      if (cmd === "H") return "H" + x(n[0]);
      for (var i = 0; i < n.length; i += 2) n[i] = x(n[i]);
      return cmd + n.join(" ");
    });
  };
  var zoom = function (svg, k) {
    var x0 = Number(svg.getAttribute("data-x0")) || 0;
    var o = original(svg, ["width", "viewBox"]);
    var f = function (x) { return x <= x0 ? x : x0 + (x - x0) * k; };
    Array.prototype.forEach.call(svg.querySelectorAll("line, circle, rect, text, path"), function (el) {
      if (el.closest(".tl-name, defs, clipPath")) return;
      var a = original(el, ["x", "x1", "x2", "cx", "width", "d"]);
      if (a.x1 !== undefined) { el.setAttribute("x1", f(+a.x1)); el.setAttribute("x2", f(+a.x2)); }
      if (a.cx !== undefined) el.setAttribute("cx", f(+a.cx));
      if (a.x !== undefined && a.width !== undefined) {
        el.setAttribute("x", f(+a.x));
        el.setAttribute("width", Math.max(0, f(+a.x + +a.width) - f(+a.x)));
      } else if (a.x !== undefined) el.setAttribute("x", f(+a.x));
      if (a.d !== undefined) el.setAttribute("d", mapPath(a.d, f, !!el.closest(".tl-slip")));
    });
    var width = f(Number(o.width)), vb = o.viewBox.split(" ");
    svg.setAttribute("width", width);
    svg.setAttribute("viewBox", "0 0 " + width + " " + vb[3]);
    var month = 30.4 * Number(svg.getAttribute("data-px-per-day")) * k;
    Array.prototype.forEach.call(svg.querySelectorAll(".tl-month"), function (t) {
      var quarter = /^(Jan|Apr|Jul|Oct)$/.test(t.textContent);
      t.style.display = month >= 32 || (month >= 14 && quarter) ? "" : "none";
    });
  };
  // The zoom that shows `days` days in the visible chart, and the one that
  // shows all of it.
  var fit = function (box, svg, days) {
    var x0 = Number(svg.getAttribute("data-x0")) || 0, visible = box.clientWidth - x0;
    var all = visible / Math.max(1, Number(original(svg, ["width", "viewBox"]).width) - x0);
    if (days === null) return Math.min(1, all);
    return Math.max(all, visible / (days * Number(svg.getAttribute("data-px-per-day"))));
  };
  var todayAt = function (box, svg, share) {
    var x0 = Number(svg.getAttribute("data-x0")) || 0;
    var x = Number(svg.querySelector(".tl-today line").getAttribute("x1"));
    box.scrollLeft = Math.max(0, x - x0 - (box.clientWidth - x0) * share);
  };
  var windows = { quarter: 92, year: 365, all: null };
  var show = function (box, which) {
    var svg = box.querySelector("svg.timeline");
    zoom(svg, fit(box, svg, windows[which]));
    if (which === "all") box.scrollLeft = 0; else todayAt(box, svg, 0.4);
    pinned(box);
  };
  // On opening: from the earliest open milestone to the latest one, today
  // included, between a quarter and the whole chart.
  var opening = function (box, svg) {
    // A marker's x: a circle's centre, a diamond's first point (its top).
    var xs = function (sel) {
      return Array.prototype.map.call(svg.querySelectorAll(sel), function (c) {
        var a = original(c, ["x", "x1", "x2", "cx", "width", "d"]);
        return a.cx !== undefined ? Number(a.cx) : Number((/M(-?[\d.]+)/.exec(a.d || "") || [0, 0])[1]);
      });
    };
    var open = xs(".tl-milestone:not(.done)"), every = xs(".tl-milestone");
    var today = Number(svg.querySelector(".tl-today line").getAttribute("x1"));
    var from = Math.min.apply(null, open.concat([today])), to = Math.max.apply(null, every.concat([today]));
    var ppd = Number(svg.getAttribute("data-px-per-day"));
    var days = (to - from) / ppd + 30;
    var k = Math.min(fit(box, svg, 92), Math.max(fit(box, svg, null), fit(box, svg, days)));
    zoom(svg, k);
    var x0 = Number(svg.getAttribute("data-x0")) || 0;
    box.scrollLeft = Math.max(0, (from - x0) * k - 15 * ppd * k);
  };
  var timelines = function () {
    Array.prototype.forEach.call(document.querySelectorAll(".svg-scroll"), function (box) {
      var svg = box.querySelector("svg.timeline");
      var today = svg && svg.querySelector(".tl-today line");
      if (!today || box.clientWidth === 0 || box.hasAttribute("data-opened")) return;
      box.setAttribute("data-opened", "");
      opening(box, svg);
      pinned(box);
      box.addEventListener("scroll", function () { pinned(box); }, { passive: true });
    });
  };
  Array.prototype.forEach.call(document.querySelectorAll(".tl-window button"), function (button) {
    button.addEventListener("click", function () {
      var which = button.getAttribute("data-window");
      Array.prototype.forEach.call(document.querySelectorAll(".tl-window button"), function (b) {
        b.setAttribute("aria-pressed", b === button ? "true" : "false");
      });
      Array.prototype.forEach.call(document.querySelectorAll(".tl-panel:not([hidden]) .svg-scroll"), function (box) {
        if (box.clientWidth > 0 && box.querySelector("svg.timeline .tl-today")) show(box, which);
      });
    });
  });
  timelines();
})();
