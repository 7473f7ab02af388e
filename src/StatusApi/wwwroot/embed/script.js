// StatusPlatform banner widget. One tag on any site:
//   <script src="https://status.example.com/embed/script.js" async
//           data-position="bottom" data-background="#b3261e" data-color="#ffffff" data-interval="60" data-lang="en"></script>
// It reads /api/v2/summary.json from the host it was loaded from and shows a banner while there is an unresolved
// incident, maintenance in progress, or the page is not operational; it hides itself when that is over. The reader
// can close it; it stays closed until the next update. All text is set with textContent, so nothing from the API
// becomes markup. data-position: top | bottom (fixed) or inline (where the tag is).
(function () {
  'use strict';
  var script = document.currentScript;
  if (!script || !window.fetch) return;
  var data = script.dataset || {};
  var origin = new URL(script.src, location.href).origin;
  var position = /^(top|bottom|inline)$/.test(data.position || '') ? data.position : 'bottom';
  var interval = Math.max(2, parseInt(data.interval || '60', 10) || 60) * 1000;
  var german = (data.lang || navigator.language || 'en').toLowerCase().indexOf('de') === 0;
  var words = german
    ? { close: 'Hinweis schließen', more: 'Mehr erfahren', maintenance: 'Wartungsarbeiten' }
    : { close: 'Dismiss', more: 'Details', maintenance: 'Maintenance in progress' };
  var storageKey = 'statusplatform-widget-closed:' + origin;
  var banner = null;
  var anchor = script.parentNode ? script : null;

  function closedKey() {
    try { return sessionStorage.getItem(storageKey); } catch (e) { return null; }
  }

  function remember(key) {
    try { sessionStorage.setItem(storageKey, key); } catch (e) { /* private mode: closes for this page view only */ }
  }

  function hide() {
    if (banner && banner.parentNode) banner.parentNode.removeChild(banner);
    banner = null;
  }

  function show(message, link, key) {
    if (closedKey() === key) { hide(); return; }
    if (!banner) {
      banner = document.createElement('div');
      banner.setAttribute('role', 'status');
      banner.setAttribute('aria-live', 'polite');
      banner.setAttribute('data-statusplatform-widget', '');
      var s = banner.style;
      s.boxSizing = 'border-box'; s.display = 'flex'; s.alignItems = 'center'; s.gap = '1rem'; s.padding = '.75rem 1rem';
      s.font = '15px/1.4 system-ui, sans-serif'; s.zIndex = '2147483000';
      s.background = data.background || '#b3261e'; s.color = data.color || '#ffffff';
      if (position !== 'inline') {
        s.position = 'fixed'; s.left = '0'; s.right = '0'; s[position] = '0';
      }
      var text = document.createElement('span');
      text.style.flex = '1';
      var more = document.createElement('a');
      more.style.color = data.linkColor || s.color; more.style.fontWeight = '600';
      var close = document.createElement('button');
      close.type = 'button'; close.textContent = '×'; close.setAttribute('aria-label', words.close);
      close.style.cssText = 'background:transparent;border:0;color:inherit;font-size:1.5rem;line-height:1;cursor:pointer;padding:0 .25rem';
      close.addEventListener('click', function () { remember(banner.getAttribute('data-key')); hide(); });
      banner.appendChild(text); banner.appendChild(more); banner.appendChild(close);
      if (position === 'inline' && anchor && anchor.parentNode) anchor.parentNode.insertBefore(banner, anchor.nextSibling);
      else document.body.appendChild(banner);
    }
    banner.setAttribute('data-key', key);
    banner.children[0].textContent = message;
    banner.children[1].textContent = words.more;
    banner.children[1].href = link;
  }

  function check() {
    fetch(origin + '/api/v2/summary.json', { cache: 'no-cache' })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (summary) {
        if (!summary) return;
        var pageUrl = (summary.page && summary.page.url) || origin;
        var incident = (summary.incidents || [])[0];
        var maintenance = (summary.scheduled_maintenances || []).filter(function (m) { return m.status === 'in_progress' || m.status === 'verifying'; })[0];
        var item = incident || maintenance;
        if (item) {
          var update = (item.incident_updates || [])[0];
          show(item.name + (update && update.body ? ': ' + update.body : ''), item.shortlink || pageUrl, item.id + '@' + item.updated_at);
        } else if (summary.status && summary.status.indicator && summary.status.indicator !== 'none') {
          show(summary.status.indicator === 'maintenance' ? words.maintenance : summary.status.description, pageUrl,
            'status@' + summary.status.indicator + '@' + (summary.page && summary.page.updated_at));
        } else {
          hide();
        }
      })
      .catch(function () { /* the status host is unreachable: show nothing rather than a guess */ });
  }

  function start() { check(); setInterval(check, interval); }
  if (document.body) start(); else document.addEventListener('DOMContentLoaded', start);
})();
