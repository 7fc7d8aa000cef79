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
      li.appendChild(a);
      list.appendChild(li);
    });
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

  // ---- portfolio filters --------------------------------------------------
  var table = document.getElementById("portfolio");
  var byStatus = document.getElementById("filter-status");
  var byOwner = document.getElementById("filter-owner");
  var count = document.getElementById("filter-count");
  // Only the portfolio's own table: a document's element with that id is not one.
  if (table instanceof HTMLTableElement && table.tBodies.length > 0 && byStatus && byOwner) {
    var rows = Array.prototype.slice.call(table.tBodies[0].rows);
    var owners = {};
    rows.forEach(function (r) { var o = r.getAttribute("data-owner"); if (o) owners[o] = true; });
    Object.keys(owners).sort().forEach(function (o) {
      var opt = document.createElement("option");
      opt.value = o; opt.textContent = o;
      byOwner.appendChild(opt);
    });
    var apply = function () {
      var s = byStatus.value, o = byOwner.value, shown = 0;
      rows.forEach(function (r) {
        var ok = (!s || r.getAttribute("data-status") === s) && (!o || r.getAttribute("data-owner") === o);
        r.hidden = !ok;
        if (ok) shown++;
      });
      count.textContent = shown + " of " + rows.length + " shown";
    };
    byStatus.addEventListener("change", apply);
    byOwner.addEventListener("change", apply);
    apply();
  }

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
    });
  });
})();
