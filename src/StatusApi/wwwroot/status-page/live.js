// Live updates for the status page without a reload. The server says (GET /events, server-sent events) that the page
// changed; this fetches the page again and swaps every [data-live] section whose content differs. Without JavaScript,
// or without EventSource, the page stays as loaded. Groups the reader opened or closed stay so across swaps.
// A section is swapped when the server's HTML of it changed, not when the page's differs: other scripts (uptime.js)
// and the reader (opening a group) change the page's, and an unchanged section should keep the reader's focus.
// Around a swap it fires statuspage:swapping and statuspage:swapped on the document, so that uptime.js can apply
// itself to the new sections and give the focus back.
(function () {
  'use strict';
  if (!('EventSource' in window) || !('DOMParser' in window) || !('fetch' in window)) return;
  var version = document.body.getAttribute('data-version');
  var busy = false, again = false;
  // Deferred scripts run in document order, so this sees the sections as served, before uptime.js changed them.
  var served = {};
  document.querySelectorAll('[data-live]').forEach(function (section) { served[section.id] = section.outerHTML; });

  function swap(doc) {
    document.title = doc.title;
    var changed = [];
    document.querySelectorAll('[data-live]').forEach(function (section) {
      var next = doc.getElementById(section.id);
      if (next && next.outerHTML !== served[section.id]) changed.push([section, next]);
    });
    if (changed.length === 0) return;
    document.dispatchEvent(new CustomEvent('statuspage:swapping'));
    var open = Array.prototype.map.call(document.querySelectorAll('details[open][id]'), function (d) { return d.id; });
    var closed = Array.prototype.map.call(document.querySelectorAll('details[id]:not([open])'), function (d) { return d.id; });
    changed.forEach(function (pair) {
      served[pair[0].id] = pair[1].outerHTML;
      pair[0].className = pair[1].className;
      pair[0].innerHTML = pair[1].innerHTML;
    });
    open.forEach(function (id) { var d = document.getElementById(id); if (d) d.open = true; });
    closed.forEach(function (id) { var d = document.getElementById(id); if (d) d.open = false; });
    document.dispatchEvent(new CustomEvent('statuspage:swapped'));
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
