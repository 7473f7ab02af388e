// The uptime bars by keyboard and for screen readers. The server renders each component's days as bars whose titles are
// the mouse's tooltips, hidden from screen readers, and lists the days with an outage, maintenance or an incident as
// text below them; that is the page without JavaScript. This makes each component's bars a one-row grid (the pattern of
// GitHub's contribution calendar): one tab stop (today, or the day last visited), arrow keys, Home/End and Page Up/Down
// (a week) move between the days, and a tooltip (role="tooltip", the one the focused day's aria-describedby names) shows
// the day's details on focus and on hover. Escape hides it (WCAG 1.4.13); the pointer can move onto it without it
// going away. Sections live.js swaps in are done again, and a day that had the focus gets it back.
(function () {
  'use strict';
  var separator = ' · '; // between the parts of a bar's title (UptimeBars.razor): the date, then one line each
  var week = 7;
  var lost = null; // { component, date } of the focused day while live.js swaps its section

  function cellsOf(grid) { return Array.prototype.slice.call(grid.querySelectorAll('[role="gridcell"]')); }

  // The box under the bars: the date, the details (the role="tooltip" element, all a day's description is), and how to
  // move on; the date is the day's name already and the keys are for the eye, so only the details are described.
  var tips = new WeakMap();
  function tipOf(grid) { return tips.get(grid); }

  function enhance() {
    document.querySelectorAll('.bars[data-uptime]:not([role])').forEach(function (grid) {
      var row = grid.querySelector('.bars-row');
      var cells = row ? Array.prototype.slice.call(row.children) : [];
      if (cells.length === 0) return;
      var component = grid.getAttribute('data-uptime');
      var tip = { box: document.createElement('div'), date: document.createElement('strong'), details: document.createElement('div'),
                  keys: document.createElement('div') };
      tip.box.className = 'uptime-tip';
      tip.box.hidden = true;
      tip.date.setAttribute('aria-hidden', 'true');
      tip.details.id = 'uptime-tip-' + component;
      tip.details.setAttribute('role', 'tooltip');
      tip.keys.className = 'keys';
      tip.keys.setAttribute('aria-hidden', 'true');
      tip.keys.textContent = grid.getAttribute('data-keys');
      tip.box.appendChild(tip.date);
      tip.box.appendChild(tip.details);
      tip.box.appendChild(tip.keys);
      grid.parentNode.insertBefore(tip.box, grid.nextSibling);
      tips.set(grid, tip);

      grid.removeAttribute('aria-hidden');
      grid.setAttribute('role', 'grid');
      grid.setAttribute('aria-label', grid.getAttribute('data-label'));
      row.setAttribute('role', 'row');
      cells.forEach(function (cell) {
        var title = cell.getAttribute('title') || '';
        cell.removeAttribute('title'); // our tooltip replaces the browser's
        cell.setAttribute('data-tip', title);
        cell.setAttribute('role', 'gridcell');
        cell.setAttribute('aria-label', title.split(separator)[0]);
        cell.tabIndex = -1;
      });
      cells[cells.length - 1].tabIndex = 0;

      grid.addEventListener('focusin', function (e) {
        if (e.target.getAttribute('role') !== 'gridcell') return;
        cellsOf(grid).forEach(function (c) {
          c.tabIndex = c === e.target ? 0 : -1;
          if (c !== e.target) c.removeAttribute('aria-describedby');
        });
        e.target.setAttribute('aria-describedby', tip.details.id);
        show(grid, e.target, true);
      });
      grid.addEventListener('focusout', function (e) {
        if (!grid.contains(e.relatedTarget)) hide(grid);
      });
      grid.addEventListener('keydown', function (e) { key(grid, e); });
      grid.addEventListener('mouseover', function (e) {
        if (e.target.getAttribute('role') === 'gridcell') show(grid, e.target, false);
      });
      // The figure holds the bars and the tooltip: leaving it, not a bar, hides the tooltip, so that it can be hovered.
      grid.parentNode.addEventListener('mouseleave', function () {
        var focused = grid.contains(document.activeElement) ? document.activeElement : null;
        if (focused && !tip.escaped) show(grid, focused, true);
        else hide(grid);
      });
    });
  }

  function show(grid, cell, byKeyboard) {
    var tip = tipOf(grid);
    var lines = cell.getAttribute('data-tip').split(separator);
    tip.date.textContent = lines[0];
    tip.details.textContent = '';
    lines.slice(1).forEach(function (line) {
      var div = document.createElement('div');
      div.textContent = line;
      tip.details.appendChild(div);
    });
    tip.keys.hidden = !byKeyboard;
    tip.escaped = false;
    tip.box.hidden = false;
    // Centred under the day, kept inside the figure (offsetLeft is relative to it: the figure is positioned).
    var figure = grid.parentNode;
    var left = cell.offsetLeft + cell.offsetWidth / 2 - tip.box.offsetWidth / 2;
    tip.box.style.left = Math.max(0, Math.min(left, figure.clientWidth - tip.box.offsetWidth)) + 'px';
    tip.box.style.top = (grid.offsetTop + grid.offsetHeight + 4) + 'px';
  }

  function hide(grid, escaped) {
    var tip = tipOf(grid);
    if (!tip) return;
    tip.box.hidden = true;
    if (escaped) tip.escaped = true;
  }

  function key(grid, e) {
    if (e.target.getAttribute('role') !== 'gridcell' || e.altKey || e.ctrlKey || e.metaKey) return;
    var cells = cellsOf(grid);
    var at = cells.indexOf(e.target);
    var to;
    switch (e.key) {
      case 'ArrowLeft': to = at - 1; break;
      case 'ArrowRight': to = at + 1; break;
      case 'Home': to = 0; break;
      case 'End': to = cells.length - 1; break;
      case 'PageUp': to = at - week; break;
      case 'PageDown': to = at + week; break;
      case 'Escape': hide(grid, true); e.preventDefault(); return;
      case 'Enter': case ' ': show(grid, e.target, true); e.preventDefault(); return;
      default: return;
    }
    e.preventDefault();
    to = Math.max(0, Math.min(cells.length - 1, to));
    if (to === at) show(grid, e.target, true); // at either end: the tooltip comes back if it was hidden, nothing moves
    else cells[to].focus();
  }

  // Escape also hides a tooltip the mouse opened, wherever the focus is.
  document.addEventListener('keydown', function (e) {
    if (e.key !== 'Escape') return;
    document.querySelectorAll('.bars[role="grid"]').forEach(function (grid) {
      var tip = tipOf(grid);
      if (tip && !tip.box.hidden) hide(grid, true);
    });
  });

  document.addEventListener('statuspage:swapping', function () {
    var focused = document.activeElement;
    var grid = focused && focused.getAttribute('role') === 'gridcell' ? focused.closest('.bars[role="grid"]') : null;
    lost = grid ? { component: grid.getAttribute('data-uptime'), date: focused.getAttribute('aria-label') } : null;
  });

  document.addEventListener('statuspage:swapped', function () {
    enhance();
    if (!lost) return;
    var was = lost;
    lost = null;
    if (document.activeElement && document.activeElement !== document.body) return; // the focus survived the swap
    var grid = Array.prototype.find.call(document.querySelectorAll('.bars[role="grid"]'), function (g) {
      return g.getAttribute('data-uptime') === was.component;
    });
    if (!grid) return;
    var cells = cellsOf(grid);
    // The same day if it is still shown (after midnight it may have moved one to the left), else today.
    var cell = cells.find(function (c) { return c.getAttribute('aria-label') === was.date; }) || cells[cells.length - 1];
    cells.forEach(function (c) { c.tabIndex = c === cell ? 0 : -1; });
    cell.focus();
  });

  enhance();
})();
