// pilotbook serve: live reload and the build-error overlay.
// Injected by `pilotbook serve` into the pages it serves; never part of a
// built site. It listens to /__pilotbook/events (server-sent events): a
// good build with a new generation reloads the page, a failed build shows
// its errors over the page until the next good build.
(function () {
  "use strict";
  var generation = null;
  var overlay = null;

  function hide() {
    if (overlay) {
      overlay.remove();
      overlay = null;
    }
  }

  function show(errors) {
    hide();
    overlay = document.createElement("div");
    overlay.id = "pilotbook-overlay";
    overlay.setAttribute("role", "alert");
    overlay.style.cssText =
      "position:fixed;inset:0;z-index:2147483647;overflow:auto;" +
      "background:rgba(20,20,24,.92);color:#f4f4f5;padding:2rem;" +
      "font:14px/1.5 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace";
    var title = document.createElement("h2");
    title.textContent = "pilotbook: the site could not be rebuilt";
    title.style.cssText = "margin:0 0 .5rem;color:#fca5a5;font-size:1.2rem";
    overlay.appendChild(title);
    var note = document.createElement("p");
    note.textContent =
      "The last good build is shown below this overlay. Fix the errors and save: the page reloads by itself.";
    overlay.appendChild(note);
    var list = document.createElement("ul");
    list.style.cssText = "list-style:none;padding:0";
    errors.forEach(function (e) {
      var item = document.createElement("li");
      item.style.cssText = "margin:.75rem 0;padding:.5rem .75rem;border-left:3px solid #f87171";
      var where = document.createElement("div");
      where.className = "pilotbook-overlay-where";
      var place = e.path || "pilotbook";
      if (e.line) place += ":" + e.line + (e.column ? ":" + e.column : "");
      where.textContent = place + (e.rule ? "  [" + e.rule + "]" : "");
      where.style.color = "#93c5fd";
      var message = document.createElement("div");
      message.className = "pilotbook-overlay-message";
      message.textContent = e.message;
      item.appendChild(where);
      item.appendChild(message);
      list.appendChild(item);
    });
    overlay.appendChild(list);
    var close = document.createElement("button");
    close.textContent = "Dismiss";
    close.onclick = hide;
    overlay.appendChild(close);
    document.body.appendChild(overlay);
  }

  function apply(status) {
    if (status.ok) {
      hide();
      if (generation !== null && status.generation !== generation) {
        location.reload();
        return;
      }
      generation = status.generation;
    } else {
      if (generation === null) generation = status.generation;
      show(status.errors || []);
    }
  }

  function connect() {
    var source = new EventSource("/__pilotbook/events");
    source.onmessage = function (event) {
      try {
        apply(JSON.parse(event.data));
      } catch (err) {
        // A malformed event is ignored; the next one carries the full status.
      }
    };
  }

  window.__pilotbookLive = { apply: apply };
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", connect);
  } else {
    connect();
  }
})();
