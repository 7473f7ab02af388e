// Live updates for the status page without a reload. The server says (GET /events, server-sent events) that the page
// changed; this fetches the page again and swaps every [data-live] section whose content differs. Without JavaScript,
// or without EventSource, the page stays as loaded. Groups the reader opened or closed stay so across swaps.
(function () {
  'use strict';
  if (!('EventSource' in window) || !('DOMParser' in window) || !('fetch' in window)) return;
  var version = document.body.getAttribute('data-version');
  var busy = false, again = false;

  function swap(doc) {
    document.title = doc.title;
    var open = Array.prototype.map.call(document.querySelectorAll('details[open][id]'), function (d) { return d.id; });
    var closed = Array.prototype.map.call(document.querySelectorAll('details[id]:not([open])'), function (d) { return d.id; });
    document.querySelectorAll('[data-live]').forEach(function (section) {
      var next = doc.getElementById(section.id);
      if (next && next.outerHTML !== section.outerHTML) {
        section.className = next.className;
        section.innerHTML = next.innerHTML;
      }
    });
    open.forEach(function (id) { var d = document.getElementById(id); if (d) d.open = true; });
    closed.forEach(function (id) { var d = document.getElementById(id); if (d) d.open = false; });
  }

  function refresh() {
    if (busy) { again = true; return; }
    busy = true;
    fetch(location.href, { cache: 'no-cache', credentials: 'same-origin', headers: { 'Accept': 'text/html' } })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        if (html === null) return;
        var doc = new DOMParser().parseFromString(html, 'text/html');
        version = doc.body.getAttribute('data-version');
        swap(doc);
        document.body.setAttribute('data-version', version);
      })
      .catch(function () { /* the next change, or the reconnect, tries again */ })
      .then(function () {
        busy = false;
        if (again) { again = false; refresh(); }
      });
  }

  var events = new EventSource('/events');
  events.addEventListener('changed', function (e) {
    if (e.data !== version) refresh();
  });
})();
