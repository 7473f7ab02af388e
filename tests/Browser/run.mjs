// Browser tests of the status page in real headless Chromium (Debian's, driven by playwright-core). Started by
// scripts/browser-tests.sh, which provides a running StatusApi over a database of its own:
//   STATUS_URL   the StatusApi origin (http://127.0.0.1:port)
//   STATUS_DB    a libpq URL of that database (the tests change the read model with psql, as Incident.Service would)
//   CHROMIUM     the browser binary (default /usr/bin/chromium)
//   CONSOLE_USER, CONSOLE_PASSWORD   the console's bootstrap admin (Console:BootstrapUser/BootstrapPassword)
//   RABBIT_MANAGEMENT_URL, RABBIT_USER, RABBIT_PASSWORD, RABBIT_VHOST   where fake-services.mjs answers the console's
//                commands in place of Incident.Service (and Notify.Service's ExportSubscribers when no real one runs);
//                without them the console tests are skipped
//   NOTIFY_DB    a libpq URL of the database of a real Notify.Service on the same vhost (the subscription flow)
//   MAILDEV_URL  MailDev's web API, where that Notify.Service's mails land (http://127.0.0.1:1080)
//   E2E_STATUS_URL, E2E_DB   a second StatusApi in front of a real Incident.Service and Notify.Service sharing the database
//                E2E_DB (the console's end-to-end test); E2E_SUBSCRIBER and E2E_BYSTANDER are the confirmed email subscribers
//                of its components library-wifi and printing
// Each test awaits a condition with a deadline; screenshots go to artifacts/. Exit code 1 when any test failed.
import { chromium } from 'playwright-core';
import { startFakeServices } from './fake-services.mjs';
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const artifacts = join(here, 'artifacts');
mkdirSync(artifacts, { recursive: true });
const require = createRequire(import.meta.url);

const statusUrl = required('STATUS_URL');
const database = required('STATUS_DB');
const notifyDatabase = process.env.NOTIFY_DB;
const maildevUrl = process.env.MAILDEV_URL;
const deadline = 20_000;

function required(name) {
  const value = process.env[name];
  if (!value) {
    console.error(`${name} is not set; run the tests through scripts/browser-tests.sh`);
    process.exit(2);
  }
  return value;
}

// psql exits 2 when it could not connect: on this shared machine PostgreSQL's connection slots are sometimes all taken
// by other work for a moment, so that is tried again (for a few seconds) rather than failing the test.
function psql(args, options) {
  for (let attempt = 1; ; attempt++) {
    try {
      return execFileSync('psql', args, options);
    } catch (error) {
      if (error.status !== 2 || attempt >= 20) throw error;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 500);
    }
  }
}

function sql(statement, db = database) {
  psql([db, '-v', 'ON_ERROR_STOP=1', '-q', '-c', statement], { stdio: ['ignore', 'ignore', 'inherit'] });
}

function query(statement, db = database) {
  return psql([db, '-v', 'ON_ERROR_STOP=1', '-qtAX', '-c', statement], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();
}

/** Polls until check() returns something truthy, or fails with what it last saw. */
async function eventually(what, check, timeout = deadline) {
  const until = Date.now() + timeout;
  let last;
  while (Date.now() < until) {
    try {
      const value = await check();
      if (value) return value;
      last = value;
    } catch (error) {
      last = error?.message ?? error;
    }
    await new Promise(resolve => setTimeout(resolve, 200));
  }
  throw new Error(`timed out waiting for ${what} (last: ${JSON.stringify(last)})`);
}

/** A small site on its own origin (another local port): `routes` maps a path to [content type, body]. */
function site(routes) {
  const server = createServer((request, response) => {
    const route = routes[new URL(request.url, 'http://site').pathname];
    if (!route) {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { 'Content-Type': route[0] });
    response.end(route[1]);
  });
  return new Promise(resolve => server.listen(0, '127.0.0.1', () => resolve(server)));
}

function openIncident(id, name, body) {
  sql(`insert into status.incidents (id, name, status, impact, created_at, updated_at, started_at)
       values ('${id}', '${name}', 'investigating', 'major', now(), now(), now());
       insert into status.incident_components (incident_id, component_id) values ('${id}', 'api');
       insert into status.incident_updates (id, incident_id, status, body, created_at, updated_at, display_at)
       values ('${id}-1', '${id}', 'investigating', '${body}', now(), now(), now());
       update status.components set status = 'partial_outage', updated_at = now() where id = 'api';`);
}

function resolveEverything() {
  sql(`update status.incidents set status = 'resolved', resolved_at = now(), updated_at = now() where resolved_at is null;
       update status.components set status = 'operational', updated_at = now() where status <> 'operational';`);
}

// A page of "another site" on its own origin, carrying the widget's one script tag.
function widgetSite() {
  const html = `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Some site</title></head>
<body><h1>Some site that depends on the API</h1><p>Its own content.</p>
<script src="${statusUrl}/embed/script.js" data-position="top" data-background="#1f2328" data-color="#ffffff" data-interval="2"></script>
</body></html>`;
  const server = createServer((request, response) => {
    response.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    response.end(html);
  });
  return new Promise(resolve => server.listen(0, '127.0.0.1', () => resolve(server)));
}

const tests = [];
const test = (name, body) => tests.push({ name, body });

test('the status page renders the current state', async ({ browser }) => {
  const page = await browser.newPage();
  await page.goto(statusUrl + '/');
  await page.locator('#banner h1', { hasText: 'All Systems Operational' }).waitFor({ timeout: deadline });
  await page.locator('.component-row', { hasText: 'Website' }).waitFor({ timeout: deadline });
  await page.locator('summary', { hasText: 'Backend' }).waitFor({ timeout: deadline });
  if (await page.locator('.bar').count() === 0) throw new Error('no uptime bars');
  // The group opens and closes with the keyboard.
  await page.locator('summary', { hasText: 'Backend' }).focus();
  await page.keyboard.press('Enter');
  await page.locator('.component-row', { hasText: 'API' }).waitFor({ state: 'visible', timeout: deadline });
  await page.screenshot({ path: join(artifacts, 'status-page.png'), fullPage: true });
  await page.close();
});

test('German, dark and on a phone', async ({ browser }) => {
  const context = await browser.newContext({ locale: 'de-DE', colorScheme: 'dark', viewport: { width: 390, height: 844 }, isMobile: true });
  const page = await context.newPage();
  await page.goto(statusUrl + '/');
  await page.locator('#banner h1', { hasText: 'Alle Systeme betriebsbereit' }).waitFor({ timeout: deadline });
  const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  if (background !== 'rgb(13, 17, 23)') throw new Error(`dark scheme not applied: body background ${background}`);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  if (overflow > 0) throw new Error(`the page scrolls sideways on a phone (${overflow}px)`);
  await page.screenshot({ path: join(artifacts, 'status-page-de-dark-phone.png'), fullPage: true });
  await context.close();
});

test('an incident appearing in the read model shows up without a reload', async ({ browser }) => {
  const page = await browser.newPage();
  await page.goto(statusUrl + '/');
  await page.locator('#banner h1', { hasText: 'All Systems Operational' }).waitFor({ timeout: deadline });
  // A reload would lose this mark.
  await page.evaluate(() => { window.notReloaded = true; });
  openIncident('inc-browser', 'Checkout is failing', 'We are **looking** into it.');
  await page.locator('#incidents h3', { hasText: 'Checkout is failing' }).waitFor({ timeout: deadline });
  await page.locator('#incidents strong', { hasText: 'looking' }).waitFor({ timeout: deadline });
  await page.locator('#banner.indicator-major').waitFor({ timeout: deadline });
  if (!await page.evaluate(() => window.notReloaded === true)) throw new Error('the page was reloaded');
  await page.screenshot({ path: join(artifacts, 'status-page-live-incident.png'), fullPage: true });
  await page.close();
});

test('the widget on another site shows the banner, closes, and hides when resolved', async ({ browser }) => {
  openIncident('inc-widget', 'Payments delayed', 'Card payments take minutes.');
  const site = await widgetSite();
  const siteUrl = `http://127.0.0.1:${site.address().port}/`;
  try {
    const page = await browser.newPage();
    await page.goto(siteUrl);
    const banner = page.locator('[data-statusplatform-widget]');
    await banner.filter({ hasText: 'Payments delayed: Card payments take minutes.' }).waitFor({ timeout: deadline });
    await page.screenshot({ path: join(artifacts, 'widget-banner.png') });

    // Another reader closes it; it stays closed for them.
    const other = await browser.newPage();
    await other.goto(siteUrl);
    const theirs = other.locator('[data-statusplatform-widget]');
    await theirs.waitFor({ timeout: deadline });
    await other.getByRole('button', { name: 'Dismiss' }).click();
    await theirs.waitFor({ state: 'detached', timeout: deadline });
    await other.close();

    resolveEverything();
    await banner.waitFor({ state: 'detached', timeout: deadline });
    await page.screenshot({ path: join(artifacts, 'widget-resolved.png') });
    await page.close();
  } finally {
    site.close();
  }
});


test('keyboard: Tab reaches the group toggles and the subscribe link; Enter and Space open and close a group', async ({ browser }) => {
  const page = await browser.newPage();
  await page.goto(statusUrl + '/');
  await page.locator('summary', { hasText: 'Backend' }).waitFor({ timeout: deadline });
  const focused = () => page.evaluate(() => {
    const e = document.activeElement;
    return { tag: e.tagName.toLowerCase(), text: e.textContent.trim().replace(/\s+/g, ' '), href: e.getAttribute('href'), open: e.closest('details')?.open ?? null };
  });
  const walk = [];
  let toggled = false;
  // Real Tab presses from the top of the page, as a keyboard user gets there (no focus() shortcuts).
  for (let i = 0; i < 60; i++) {
    await page.keyboard.press('Tab');
    const now = await focused();
    walk.push(now.tag === 'a' ? `a ${now.href}` : `${now.tag} ${now.text.slice(0, 30)}`);
    if (now.tag === 'summary' && now.text.startsWith('Backend') && !toggled) {
      const api = page.locator('.component-row', { hasText: 'API' });
      const before = now.open;
      await page.keyboard.press('Enter');
      await eventually('Enter to toggle the group', async () => (await focused()).open === !before);
      await api.waitFor({ state: before ? 'hidden' : 'visible', timeout: deadline });
      await page.keyboard.press('Space');
      await eventually('Space to toggle the group back', async () => (await focused()).open === before);
      await api.waitFor({ state: before ? 'visible' : 'hidden', timeout: deadline });
      toggled = true;
    }
    if (now.tag === 'a' && now.href?.endsWith('/subscribe')) break;
  }
  if (!toggled) throw new Error(`Tab never reached the Backend group's toggle: ${walk.join(' | ')}`);
  const last = await focused();
  if (!(last.tag === 'a' && last.href?.endsWith('/subscribe'))) throw new Error(`Tab never reached the subscribe link: ${walk.join(' | ')}`);
  await page.screenshot({ path: join(artifacts, 'keyboard-subscribe-link-focused.png'), fullPage: true });
  await page.keyboard.press('Enter');
  await page.waitForURL(/\/subscribe$/, { timeout: deadline });
  await page.getByRole('heading', { level: 1, name: 'Subscribe to updates' }).waitFor({ timeout: deadline });
  await page.close();
});

// The uptime bars' day details without a mouse. The seeded API had a 90-minute major outage two days ago (no incident).
// With JavaScript each component's bars are one tab stop (a grid; arrows move between days) and the focused day is
// described by a visible tooltip; what a screen reader gets is read from Chromium's accessibility tree (the name and
// description it computes), not from the DOM. Without JavaScript the same details are a list of text under the bars.
test('uptime days by keyboard: one tab stop per component, arrows move, the tooltip describes the day, Escape hides it; text without JavaScript', async ({ browser }) => {
  const context = await browser.newContext({ bypassCSP: true }); // only for axe's script, added at the end
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  try {
    await page.goto(statusUrl + '/');
    await page.locator('summary', { hasText: 'Backend' }).waitFor({ timeout: deadline });
    await page.locator('.bars[role="grid"]').first().waitFor({ timeout: deadline });
    // What a screen reader is told about the focused element, and where it is in the page.
    const focused = async () => {
      const dom = await page.evaluate(() => {
        const e = document.activeElement;
        const describedBy = e.getAttribute('aria-describedby');
        const target = describedBy ? document.getElementById(describedBy) : null;
        return {
          tag: e.tagName.toLowerCase(), text: e.textContent.trim().replace(/\s+/g, ' ').slice(0, 30), component: e.closest('li.component')?.id ?? null,
          open: e.closest('details')?.open ?? null, targetRole: target?.getAttribute('role') ?? null,
          targetVisible: target ? target.checkVisibility() : false, targetText: target ? target.innerText.replace(/\s+/g, ' ').trim() : null,
        };
      });
      const { root } = await cdp.send('DOM.getDocument', { depth: 0 });
      const { nodeId } = await cdp.send('DOM.querySelector', { nodeId: root.nodeId, selector: ':focus' });
      const ax = nodeId ? (await cdp.send('Accessibility.getPartialAXTree', { nodeId, fetchRelatives: false })).nodes[0] : null;
      return { ...dom, role: ax?.role?.value, name: ax?.name?.value ?? '', description: ax?.description?.value ?? '' };
    };
    const apiDays = await page.locator('#component-api .bar').evaluateAll(bars => bars.map(b => b.getAttribute('aria-label')));
    if (apiDays.length !== 90) throw new Error(`the API has ${apiDays.length} days, not 90`);
    if (await page.locator('.bar[title]').count() !== 0) throw new Error('bars keep their titles: the browser would show its tooltip over ours');

    // Real Tab presses from the top; the closed group is opened with Enter on the way, as a keyboard user would.
    const walk = [];
    let now;
    for (let i = 0; i < 80; i++) {
      await page.keyboard.press('Tab');
      now = await focused();
      walk.push(now.role === 'gridcell' ? `${now.component}: ${now.name}` : `${now.tag} ${now.text}`);
      if (now.tag === 'summary' && now.text.startsWith('Backend') && now.open === false) await page.keyboard.press('Enter');
      if (now.role === 'gridcell' && now.component === 'component-api') break;
    }
    if (!(now.role === 'gridcell' && now.component === 'component-api')) throw new Error(`Tab never reached the API's days: ${walk.join(' | ')}`);
    const websiteStops = walk.filter(w => w.startsWith('component-website:'));
    if (websiteStops.length !== 1) throw new Error(`the Website's days are ${websiteStops.length} tab stops, not one: ${walk.join(' | ')}`);
    // The stop is today, the day next to the caption "Today", described by the visible tooltip.
    if (now.name !== apiDays[89]) throw new Error(`Tab landed on ${now.name}, not today (${apiDays[89]})`);
    if (now.targetRole !== 'tooltip' || !now.targetVisible) throw new Error(`the focused day is not described by a visible tooltip: ${JSON.stringify(now)}`);
    if (!/uptime|No data/.test(now.description) || now.description !== now.targetText) {
      throw new Error(`today's description is ${JSON.stringify(now.description)}, its tooltip says ${JSON.stringify(now.targetText)}`);
    }

    // Back in time with the arrow key to the day of the outage.
    for (let i = 0; i < 10 && !now.description.includes('Major outage'); i++) {
      await page.keyboard.press('ArrowLeft');
      now = await focused();
    }
    if (!/Major outage: (\d+ h|\d+ min|\d+ h \d+ min)\b/.test(now.description)) throw new Error(`no day with the outage within 10 days back: ${JSON.stringify(now)}`);
    if (!now.targetVisible || now.description !== now.targetText || now.component !== 'component-api') throw new Error(`the outage day's tooltip: ${JSON.stringify(now)}`);
    // The same words as the list of days under the bars (closed, so read as text), which is what readers without JavaScript get.
    const listed = (await page.locator('#uptime-days-api li', { hasText: now.name }).textContent()).replace(/\s+/g, ' ').trim();
    if (listed !== `${now.name}: ${now.description.split(/ (?=Major outage|Partial outage|Under maintenance|Incidents|No incidents)/).join('; ')}`) {
      throw new Error(`the list says ${JSON.stringify(listed)}, the tooltip ${JSON.stringify(now.description)}`);
    }
    console.log(`          focused: ${now.name}, described as "${now.description}"`);
    await page.screenshot({ path: join(artifacts, 'uptime-day-tooltip.png') });

    // Escape hides the tooltip and leaves the focus where it was; the description stays for a screen reader.
    const outageDay = now.name;
    await page.keyboard.press('Escape');
    now = await focused();
    if (now.name !== outageDay || now.targetVisible) throw new Error(`after Escape: ${JSON.stringify(now)}`);
    if (await page.locator('.uptime-tip:visible').count() !== 0) throw new Error('a tooltip is still shown after Escape');
    // Moving on shows it again; Home and End reach the ends of the 90 days.
    await page.keyboard.press('ArrowRight');
    now = await focused();
    if (now.name !== apiDays[apiDays.indexOf(outageDay) + 1] || !now.targetVisible) throw new Error(`ArrowRight after Escape: ${JSON.stringify(now)}`);
    await page.keyboard.press('Home');
    if ((await focused()).name !== apiDays[0]) throw new Error('Home did not go to the first day');
    await page.keyboard.press('End');
    if ((await focused()).name !== apiDays[89]) throw new Error('End did not go to today');

    // Tab leaves the days; Shift+Tab comes back to the day last visited.
    await page.keyboard.press('ArrowLeft');
    const visited = (await focused()).name;
    await page.keyboard.press('Tab');
    now = await focused();
    if (now.component === 'component-api' && now.role === 'gridcell') throw new Error('Tab moved to another day instead of leaving the bars');
    if (await page.locator('#component-api .uptime-tip').isVisible()) throw new Error('the tooltip stayed after the focus left the bars');
    await page.keyboard.press('Shift+Tab');
    if ((await focused()).name !== visited) throw new Error('Shift+Tab did not return to the day last visited');

    // No serious or critical WCAG A/AA violation with the tooltip open.
    await page.addScriptTag({ content: axeSource });
    const result = await page.evaluate(() => window.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } }));
    const failing = result.violations.filter(v => v.impact === 'serious' || v.impact === 'critical');
    if (failing.length > 0) throw new Error(failing.map(v => `${v.id}: ${v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(', ')}`).join('\n'));

    // The mouse: hovering a day shows its tooltip (the bars' titles are gone); Escape hides it too.
    await page.keyboard.press('Tab');
    const websiteBar = page.locator('#component-website .bar').nth(89);
    await websiteBar.hover();
    const hovered = page.locator('#component-website .uptime-tip');
    await hovered.waitFor({ state: 'visible', timeout: deadline });
    if (!(await hovered.innerText()).includes(await websiteBar.getAttribute('aria-label'))) throw new Error('the hovered day\'s tooltip shows another day');
    await page.keyboard.press('Escape');
    await hovered.waitFor({ state: 'hidden', timeout: deadline });
  } finally {
    await context.close();
  }

  // Without JavaScript: the bars are hidden from screen readers and the days are a list of text under them.
  const plain = await browser.newContext({ javaScriptEnabled: false });
  try {
    const page = await plain.newPage();
    await page.goto(statusUrl + '/');
    if (await page.locator('#component-api .bars').getAttribute('aria-hidden') !== 'true') throw new Error('without JavaScript the bars are not hidden from screen readers');
    await page.locator('summary', { hasText: 'Backend' }).click();
    const days = page.locator('#uptime-days-api');
    await days.locator('summary').click();
    const item = days.locator('li', { hasText: 'Major outage' }).first();
    await item.waitFor({ state: 'visible', timeout: deadline });
    if (!/^\w{3} \d{1,2}, \d{4}: [\d.]+% uptime; Major outage: /.test(await item.innerText())) throw new Error(`the listed day reads ${JSON.stringify(await item.innerText())}`);
    await page.screenshot({ path: join(artifacts, 'uptime-days-no-js.png'), fullPage: true });
  } finally {
    await plain.close();
  }
});

// Atlassian's own status widget, @statuspage/status-widget (npm, Apache-2.0: the example their "Build your own status
// embed" page points at), runs unchanged on a page of another origin with src pointing at us; it GETs
// <src origin>/api/v2/summary.json with fetch() (CORS, no credentials, no custom headers) and renders
// status.indicator and status.description. Their StatusPage.js (se-v2.js) is served only from their CDN, which cannot be
// reached here, so statuspage-js.js below makes the request it makes, as its published source and the /api pages
// of Statuspage document it, and renders what their embed shows from the fields it reads.
const statuspageJs = `// What StatusPage.js (se-v2.js) does for sp.summary({ success }): new StatusPage.page({ page, host, secure }) builds
// protocol://page.host/api/v2/summary.json, sends it with XMLHttpRequest (GET, withCredentials off, no request
// headers unless an apiKey is given: a simple CORS request, no preflight) and hands JSON.parse(responseText) from
// onload to the success callback.
window.StatusPage = window.StatusPage || {};
StatusPage.page = function (options) {
  options = options || {};
  if (!options.page) throw new Error('A pageId is required to initialize.');
  this.format = options.format || 'json';
  this.version = options.version || 'v2';
  this.protocol = !('secure' in options) || options.secure ? 'https' : 'http';
  this.base = options.test ? '' : this.protocol + '://' + options.page + '.' + (options.host || 'statuspage.io');
};
StatusPage.page.prototype.get = function (path, callbacks) {
  var request = new XMLHttpRequest();
  request.open('GET', this.base + '/api/' + this.version + '/' + path + '.' + this.format, true);
  request.onload = function () { callbacks.success(JSON.parse(request.responseText)); };
  request.send();
};
StatusPage.page.prototype.summary = function (callbacks) { this.get('summary', callbacks); };
`;

function atlassianSite(apiPort) {
  const api = new URL(statusUrl).origin;
  const html = `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>A site using Atlassian's widgets</title></head>
<body><h1>A site using Atlassian's status widgets</h1>
<p>Basic: <statuspage-widget src="${api}"></statuspage-widget></p>
<p>Badge: <statuspage-widget src="${api}" appearance="badge" title="our status"></statuspage-widget></p>
<section id="sp-js" aria-live="polite"><p>Loading…</p></section>
<script src="/status-widget.js"></script>
<script src="/statuspage-js.js"></script>
<script src="/render.js"></script>
</body></html>`;
  // What a Statuspage embed shows from summary.json: the overall indicator and description, unresolved incidents with
  // their impact and latest update, scheduled maintenances, and the components with their status.
  const render = `var sp = new StatusPage.page({ page: 'status', host: 'localhost:${apiPort}', secure: false });
sp.summary({ success: function (data) {
  var root = document.getElementById('sp-js'), item;
  root.textContent = '';
  var head = document.createElement('h2');
  head.className = 'indicator ' + data.status.indicator;
  head.textContent = data.status.description;
  root.appendChild(head);
  function list(cls, rows, text) {
    var ul = document.createElement('ul'); ul.className = cls;
    rows.forEach(function (row) { var li = document.createElement('li'); li.textContent = text(row); ul.appendChild(li); });
    root.appendChild(ul);
  }
  list('incidents', data.incidents, function (i) { return i.name + ' (' + i.impact + ', ' + i.status + '): ' + (i.incident_updates[0] ? i.incident_updates[0].body : ''); });
  list('maintenances', data.scheduled_maintenances, function (m) { return m.name + ' (' + m.status + ') from ' + m.scheduled_for; });
  list('components', data.components.filter(function (c) { return !c.group; }), function (c) { return c.name + ': ' + c.status; });
  root.setAttribute('data-page', data.page.name);
} });
`;
  return site({
    '/': ['text/html; charset=utf-8', html],
    '/status-widget.js': ['text/javascript', readFileSync(require.resolve('@statuspage/status-widget/dist/index.js'))],
    '/statuspage-js.js': ['text/javascript', statuspageJs],
    '/render.js': ['text/javascript', render],
  });
}

async function summaryJson() {
  const response = await fetch(statusUrl + '/api/v2/summary.json');
  if (!response.ok) throw new Error(`summary.json: ${response.status}`);
  return response.json();
}

test("Atlassian's status widget and StatusPage.js's request, on another origin, read our summary.json", async ({ browser }) => {
  openIncident('inc-atlassian', 'Search is slow', 'Results take seconds.');
  sql(`insert into status.maintenances (id, name, status, scheduled_for, scheduled_until, created_at, updated_at, auto_transition, version)
         values ('mnt-atlassian', 'Index rebuild', 'scheduled', now() + interval '1 day', now() + interval '1 day 2 hours', now(), now(), true, 1);
       insert into status.maintenance_updates (id, maintenance_id, status, body, created_at, display_at)
         values ('mnt-atlassian-1', 'mnt-atlassian', 'scheduled', 'Search indexes are rebuilt.', now(), now());
       insert into status.maintenance_components (maintenance_id, component_id) values ('mnt-atlassian', 'api');`);
  const port = new URL(statusUrl).port;
  const server = await atlassianSite(port);
  const siteUrl = `http://127.0.0.1:${server.address().port}/`;
  try {
    // The widgets cache nothing across page loads, but each load must see the state already served.
    const summary = await eventually('summary.json to show the incident and the maintenance', async () => {
      const s = await summaryJson();
      return s.incidents.some(i => i.id === 'inc-atlassian') && s.scheduled_maintenances.some(m => m.id === 'mnt-atlassian') && s;
    });
    if (summary.status.indicator !== 'major' || summary.status.description !== 'Partial System Outage') {
      throw new Error(`unexpected status in summary.json: ${JSON.stringify(summary.status)}`);
    }

    const page = await browser.newPage();
    const requests = [];
    page.on('request', request => { if (new URL(request.url()).pathname.startsWith('/api/v2/')) requests.push(request); });
    await page.goto(siteUrl);
    const basic = page.locator('statuspage-widget:not([appearance])');
    const badge = page.locator('statuspage-widget[appearance="badge"]');
    // Playwright's locators pierce the widgets' open shadow roots.
    await basic.locator('.status-text', { hasText: summary.status.description }).waitFor({ timeout: deadline });
    await basic.locator(`.status-indicator.${summary.status.indicator}`).waitFor({ timeout: deadline });
    if (await basic.locator('a').getAttribute('href') !== new URL(statusUrl).origin) throw new Error('the basic widget does not link to the status page');
    await badge.locator('.status-text', { hasText: 'our status' }).waitFor({ timeout: deadline });
    await badge.locator(`.status-indicator.${summary.status.indicator}`, { hasText: summary.status.description }).waitFor({ timeout: deadline });

    const js = page.locator('#sp-js');
    await js.locator(`h2.indicator.${summary.status.indicator}`, { hasText: summary.status.description }).waitFor({ timeout: deadline });
    await js.locator('.incidents li', { hasText: 'Search is slow (major, investigating): Results take seconds.' }).waitFor({ timeout: deadline });
    await js.locator('.maintenances li', { hasText: 'Index rebuild (scheduled) from ' }).waitFor({ timeout: deadline });
    await js.locator('.components li', { hasText: 'API: partial_outage' }).waitFor({ timeout: deadline });
    await js.locator('.components li', { hasText: 'Website: operational' }).waitFor({ timeout: deadline });
    if (await js.getAttribute('data-page') !== 'Browser Test Status') throw new Error('page.name not read');
    await page.screenshot({ path: join(artifacts, 'atlassian-widget-incident.png'), fullPage: true });

    // Both were cross-origin GETs our CORS answer let the page read; neither needed a preflight or sent credentials.
    const origin = new URL(siteUrl).origin;
    const fetched = requests.filter(r => new URL(r.url()).pathname === '/api/v2/summary.json');
    const hosts = new Set(fetched.map(r => new URL(r.url()).host));
    if (!hosts.has(`127.0.0.1:${port}`) || !hosts.has(`status.localhost:${port}`)) throw new Error(`summary.json fetched from ${[...hosts]}`);
    if (requests.some(r => r.method() !== 'GET')) throw new Error(`unexpected methods: ${requests.map(r => r.method())}`);
    for (const request of fetched) {
      const headers = await request.allHeaders();
      if (headers.origin !== origin) throw new Error(`not a cross-origin request from ${origin}: origin ${headers.origin}`);
      if (headers.authorization || headers.cookie) throw new Error('the widget sent credentials');
      const response = await request.response();
      const allowed = (await response.allHeaders())['access-control-allow-origin'];
      if (response.status() !== 200 || allowed !== '*') throw new Error(`summary.json answered ${response.status()} with Access-Control-Allow-Origin ${allowed}`);
    }

    await page.close();

    // Resolved: the next visitor of the other site sees what the API shows now (a new context: summary.json is
    // cacheable for a few seconds, so the first visitor's browser may rightly answer a reload from its cache).
    resolveEverything();
    sql(`delete from status.maintenance_components where maintenance_id = 'mnt-atlassian';
         delete from status.maintenance_updates where maintenance_id = 'mnt-atlassian';
         delete from status.maintenances where id = 'mnt-atlassian';`);
    await eventually('summary.json to show all operational', async () => {
      const s = await summaryJson();
      return s.status.indicator === 'none' && s.scheduled_maintenances.length === 0;
    });
    const next = await browser.newPage();
    await next.goto(siteUrl);
    const nextBasic = next.locator('statuspage-widget:not([appearance])');
    await nextBasic.locator('.status-indicator.none').waitFor({ timeout: deadline });
    await nextBasic.locator('.status-text', { hasText: 'All Systems Operational' }).waitFor({ timeout: deadline });
    const nextJs = next.locator('#sp-js');
    await nextJs.locator('h2.indicator.none', { hasText: 'All Systems Operational' }).waitFor({ timeout: deadline });
    if (await nextJs.locator('.incidents li').count() !== 0) throw new Error('a resolved incident is still listed');
    await next.screenshot({ path: join(artifacts, 'atlassian-widget-resolved.png'), fullPage: true });
    await next.close();
  } finally {
    server.close();
  }
});

// axe-core in the page: WCAG 2.0/2.1 A and AA rules; serious and critical violations fail the test.
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

async function audit(browser, { path, locale = 'en-US', colorScheme = 'light', ready, name }) {
  // The pages' Content-Security-Policy allows only their own scripts; the audit's script is the test's, not the page's.
  const context = await browser.newContext({ locale, colorScheme, bypassCSP: true });
  const page = await context.newPage();
  try {
    await page.goto(statusUrl + path);
    await page.locator(ready).first().waitFor({ timeout: deadline });
    // Open every group, so their rows are audited too.
    await page.evaluate(() => document.querySelectorAll('details').forEach(d => { d.open = true; }));
    await page.addScriptTag({ content: axeSource });
    const result = await page.evaluate(() => window.axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
    }));
    await page.screenshot({ path: join(artifacts, `a11y-${name}.png`), fullPage: true });
    // A page axe could not look at (an empty document, a script error) would pass silently otherwise.
    const checked = [...result.passes, ...result.violations].map(r => r.id);
    if (!checked.includes('color-contrast') || !checked.includes('html-has-lang')) throw new Error(`axe did not check ${name}: ${checked.join(', ')}`);
    // What axe could not decide (text over something it cannot measure): listed for a person to look at, not failed.
    const undecided = result.incomplete.filter(r => r.impact === 'serious' || r.impact === 'critical');
    if (undecided.length > 0) console.log(`          axe could not decide on ${name}: ${undecided.map(r => `${r.id} (${r.nodes.map(n => n.target.join(' ')).slice(0, 3).join(', ')})`).join('; ')}`);
    return result.violations.map(v => ({ ...v, page: name }));
  } finally {
    await context.close();
  }
}

test('accessibility: axe-core finds no serious or critical WCAG 2 A/AA violation', async ({ browser }) => {
  // Audited with an incident open and a maintenance ahead, so the banner, the incident and maintenance cards and the
  // non-operational statuses are on the page in their colours.
  openIncident('inc-a11y', 'Login fails for some', 'Some sign-ins **time out**.');
  sql(`insert into status.maintenances (id, name, status, scheduled_for, scheduled_until, created_at, updated_at, auto_transition, version)
         values ('mnt-a11y', 'Network upgrade', 'scheduled', now() + interval '2 days', now() + interval '2 days 1 hour', now(), now(), true, 1);
       insert into status.maintenance_updates (id, maintenance_id, status, body, created_at, display_at)
         values ('mnt-a11y-1', 'mnt-a11y', 'scheduled', 'Switches are replaced.', now(), now());`);
  try {
    await eventually('the status page to show the incident', async () => (await (await fetch(statusUrl + '/')).text()).includes('Login fails for some'));
    const pages = [];
    for (const [locale, lang] of [['en-US', 'en'], ['de-DE', 'de']]) {
      for (const colorScheme of ['light', 'dark']) {
        pages.push({ path: '/', locale, colorScheme, ready: '#incidents h3', name: `status-page-${lang}-${colorScheme}` });
      }
    }
    for (const colorScheme of ['light', 'dark']) {
      pages.push({ path: '/incidents/inc-a11y', colorScheme, ready: 'h1', name: `incident-${colorScheme}` });
      pages.push({ path: '/subscribe', colorScheme, ready: 'form', name: `subscribe-${colorScheme}` });
      pages.push({ path: '/sorry', colorScheme, ready: '#banner', name: `sorry-${colorScheme}` });
    }
    const violations = [];
    for (const options of pages) violations.push(...await audit(browser, options));
    const failing = violations.filter(v => v.impact === 'serious' || v.impact === 'critical');
    const others = violations.filter(v => !failing.includes(v));
    if (others.length > 0) console.log(`          axe, minor/moderate (not failing): ${others.map(v => `${v.page}: ${v.id}`).join(', ')}`);
    if (failing.length > 0) {
      throw new Error(failing.map(v => `${v.page}: ${v.id} (${v.impact}) ${v.help}\n  ${v.nodes.slice(0, 3).map(n => `${n.target.join(' ')}: ${n.failureSummary.replace(/\n/g, ' ')}`).join('\n  ')}`).join('\n'));
    }
    console.log(`          axe: ${pages.length} pages audited, no serious or critical violation`);
  } finally {
    resolveEverything();
    sql(`delete from status.maintenance_updates where maintenance_id = 'mnt-a11y'; delete from status.maintenances where id = 'mnt-a11y';`);
  }
});

// The subscription flow end to end: StatusApi's pages, the real Notify.Service behind them (over the broker), its
// confirmation mail through SMTP into MailDev, and the confirm link opened in the browser.
async function maildev(path, init) {
  const response = await fetch(new URL(path, maildevUrl), init);
  if (!response.ok) throw new Error(`MailDev ${init?.method ?? 'GET'} ${path}: ${response.status}`);
  return response.status === 204 ? null : response.json().catch(() => null);
}

test('subscribe by email: the confirmation mail reaches the SMTP inbox and its link confirms the subscription', async ({ browser }) => {
  if (!notifyDatabase || !maildevUrl) throw new Error('NOTIFY_DB and MAILDEV_URL are not set: no Notify.Service to subscribe with');
  const address = `browser-${randomUUID()}@example.test`;
  const mails = [];
  const page = await browser.newPage();
  try {
    await page.goto(statusUrl + '/');
    await page.locator('footer').getByRole('link', { name: 'Subscribe' }).click();
    await page.getByRole('heading', { level: 1, name: 'Subscribe to updates' }).waitFor({ timeout: deadline });
    await page.getByRole('radio', { name: /e-?mail/i }).check();
    await page.getByLabel('Address').fill(address);
    await page.getByLabel('Only these components').check();
    await page.getByLabel('Website', { exact: true }).check();
    await page.getByLabel('Backend › Database').check();
    await page.screenshot({ path: join(artifacts, 'subscribe-form.png'), fullPage: true });
    await page.getByRole('button', { name: 'Subscribe' }).click();
    await page.getByText('Almost done: we sent you an email.').waitFor({ timeout: deadline });
    await page.screenshot({ path: join(artifacts, 'subscribe-check-your-mail.png'), fullPage: true });

    const stored = () => query(`select s.confirmed || ' ' || coalesce(string_agg(c.component_id, ',' order by c.component_id), '')
                                from notify.subscribers s left join notify.subscriber_components c on c.subscriber_id = s.id
                                where s.email = '${address}' group by s.id`, notifyDatabase);
    if (stored() !== 'false db,website') throw new Error(`Notify stored ${JSON.stringify(stored())} before the confirmation`);

    const mail = await eventually(`the confirmation mail to ${address} in MailDev`, async () =>
      (await maildev('api/email')).find(m => m.to?.some(t => t.address === address)));
    mails.push(mail);
    const link = (mail.text ?? '').match(/https?:\/\/\S+\/subscriptions\/confirm\?token=[^\s"<>]+/)?.[0];
    if (!link || !link.startsWith(statusUrl)) throw new Error(`no confirm link to ${statusUrl} in the mail: ${mail.subject}\n${mail.text}`);

    // A GET only shows the button (mail scanners follow links); pressing it confirms.
    await page.goto(link);
    await page.getByRole('heading', { level: 1, name: 'Confirm your subscription' }).waitFor({ timeout: deadline });
    if (stored() !== 'false db,website') throw new Error('opening the link alone confirmed the subscription');
    await page.getByRole('button', { name: 'Confirm subscription' }).click();
    await page.getByRole('status').filter({ hasText: 'Your subscription is confirmed.' }).waitFor({ timeout: deadline });
    await page.screenshot({ path: join(artifacts, 'subscribe-confirmed.png'), fullPage: true });
    if (stored() !== 'true db,website') throw new Error(`Notify stored ${JSON.stringify(stored())} after the confirmation`);

    await page.getByRole('link', { name: 'Your subscription' }).click();
    await page.getByRole('heading', { level: 1, name: 'Your subscription' }).waitFor({ timeout: deadline });
    await page.getByText(address).waitFor({ timeout: deadline });
    if (await page.getByText('Not confirmed yet').count() !== 0) throw new Error('the manage page says not confirmed');
    const checked = await page.locator('input[name="component"]:checked').evaluateAll(inputs => inputs.map(i => i.value).sort());
    if (JSON.stringify(checked) !== '["db","website"]') throw new Error(`the manage page shows components ${JSON.stringify(checked)}`);
    await page.screenshot({ path: join(artifacts, 'subscribe-manage.png'), fullPage: true });

    // And out again, which also leaves nothing of this run's subscriber active.
    await page.getByRole('button', { name: 'Unsubscribe' }).click();
    await page.getByRole('status').filter({ hasText: 'You are unsubscribed' }).waitFor({ timeout: deadline });
    if (query(`select unsubscribed_at is not null from notify.subscribers where email = '${address}'`, notifyDatabase) !== 't') throw new Error('not unsubscribed');
  } finally {
    await page.close();
    // Only this run's mails: anything else in the shared inbox belongs to someone else.
    const ours = (await maildev('api/email').catch(() => [])).filter(m => m.to?.some(t => t.address === address));
    for (const m of ours) await maildev(`api/email/${encodeURIComponent(m.id)}`, { method: 'DELETE' }).catch(() => {});
  }
});

// The admin console. Incident.Service is played by fake-services.mjs (commands answered and the read model written as
// its projections would), so "end to end" here ends at the public page: no integration event reaches the real
// Notify.Service, which only answers the preview's subscriber count (from the two subscribers seeded below).
const consoleUser = process.env.CONSOLE_USER;
const consolePassword = process.env.CONSOLE_PASSWORD;
let fake = null;

async function signIn(browser, password = consolePassword, base = statusUrl) {
  const page = await browser.newPage();
  await page.goto(base + '/console');
  await page.waitForURL(/\/console\/sign-in/, { timeout: deadline });
  await page.getByLabel('Name').fill(consoleUser);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  return page;
}

test('console: sign in (a wrong password first), see the dashboard, sign out', async ({ browser }) => {
  const wrong = await signIn(browser, 'not the password at all');
  await wrong.getByRole('alert').filter({ hasText: 'name or password is wrong' }).waitFor({ timeout: deadline });
  await wrong.close();

  const page = await signIn(browser);
  await page.getByRole('heading', { name: 'Dashboard' }).waitFor({ timeout: deadline });
  await page.getByText(`${consoleUser} (admin)`).waitFor({ timeout: deadline });
  await page.locator('table.components td', { hasText: 'Backend › Database' }).waitFor({ timeout: deadline });
  const cookie = (await page.context().cookies()).find(c => c.name === 'sp_console');
  if (!cookie || !cookie.httpOnly || !cookie.secure || cookie.sameSite !== 'Strict') throw new Error(`session cookie not Secure/HttpOnly/Strict: ${JSON.stringify(cookie)}`);
  if (await page.evaluate(() => document.cookie.includes('sp_console='))) throw new Error('the session cookie is readable from script');
  await page.screenshot({ path: join(artifacts, 'console-dashboard.png'), fullPage: true });
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.waitForURL(/\/console\/sign-in/, { timeout: deadline });
  await page.goto(statusUrl + '/console');
  await page.waitForURL(/\/console\/sign-in/, { timeout: deadline });
  await page.close();
});

test('console: post an incident with a preview, and it appears on the public page', async ({ browser }) => {
  if (!fake) throw new Error('RABBIT_* not set: nothing answers the console\'s commands');
  const page = await signIn(browser);
  await page.getByRole('link', { name: 'Post an incident' }).click();
  await page.getByLabel('Title').fill('Wi-Fi down in the library');
  await page.getByLabel('Status', { exact: true }).selectOption('identified');
  await page.getByLabel(/^Backend › API/).selectOption('major_outage');
  await page.getByLabel(/^Message/).fill('The **access points** in {components} lost power.');
  await page.getByLabel('Notify subscribers').check();
  await page.getByRole('button', { name: 'Preview' }).click();
  await page.locator('.preview strong', { hasText: 'access points' }).waitFor({ timeout: deadline });
  await page.locator('.preview', { hasText: 'in Backend › API lost power' }).waitFor({ timeout: deadline });
  await page.locator('.reach', { hasText: 'Will reach up to 2 subscribers: 1 by email, 1 by slack.' }).waitFor({ timeout: deadline });
  await page.screenshot({ path: join(artifacts, 'console-incident-preview.png'), fullPage: true });
  const started = Date.now();
  await page.getByRole('button', { name: 'Post incident' }).click();
  await page.getByRole('status').filter({ hasText: 'Posted.' }).waitFor({ timeout: deadline });
  await page.getByRole('heading', { name: 'Wi-Fi down in the library' }).waitFor({ timeout: deadline });
  const sent = fake.received.find(r => r.type === 'CreateIncident' && r.message.name === 'Wi-Fi down in the library');
  if (!sent || sent.message.actor !== consoleUser || sent.message.status !== 'identified' || sent.message.deliverNotifications !== true
      || JSON.stringify(sent.message.components) !== JSON.stringify([{ componentId: 'api', status: 'major_outage' }])) {
    throw new Error(`unexpected CreateIncident: ${JSON.stringify(sent)}`);
  }

  const status = await browser.newPage();
  await status.goto(statusUrl + '/');
  await status.locator('#incidents h3', { hasText: 'Wi-Fi down in the library' }).waitFor({ timeout: deadline });
  await status.locator('#incidents strong', { hasText: 'access points' }).waitFor({ timeout: deadline });
  console.log(`          posted to shown on the public page: ${((Date.now() - started) / 1000).toFixed(1)} s`);
  await status.screenshot({ path: join(artifacts, 'console-incident-public.png'), fullPage: true });

  // Resolve it from the console; the public page follows.
  await page.getByRole('button', { name: 'Resolve now' }).click();
  await page.getByRole('status').filter({ hasText: 'Update posted.' }).waitFor({ timeout: deadline });
  await status.locator('#incidents h3', { hasText: 'Wi-Fi down in the library' }).waitFor({ state: 'detached', timeout: deadline });
  resolveEverything();
  await status.close();
  await page.close();
});

test('console: schedule a maintenance in the calendar', async ({ browser }) => {
  if (!fake) throw new Error('RABBIT_* not set: nothing answers the console\'s commands');
  const page = await signIn(browser);
  await page.getByRole('link', { name: 'Maintenance' }).click();
  await page.getByLabel('Title', { exact: true }).first().fill('Database upgrade');
  await page.getByLabel(/^From/).fill('2030-07-01T22:00');
  await page.getByLabel('Until').fill('2030-07-01T23:30');
  await page.locator('section', { hasText: 'Schedule maintenance' }).getByLabel('Backend › Database').check();
  await page.getByLabel(/^Reminders, minutes before the start/).fill('60, 1440');
  await page.getByRole('button', { name: 'Schedule' }).click();
  await page.getByRole('status').filter({ hasText: 'Maintenance scheduled.' }).waitFor({ timeout: deadline });
  await page.locator('tr', { hasText: 'Database upgrade' }).filter({ hasText: '2030-07-01 22:00:00' }).waitFor({ timeout: deadline });
  const sent = fake.received.find(r => r.type === 'ScheduleMaintenance' && r.message.name === 'Database upgrade');
  // The page's zone is Europe/Berlin: 22:00 local in July is 20:00 UTC.
  if (!sent || Date.parse(sent.message.scheduledFor) !== Date.UTC(2030, 6, 1, 20, 0) || JSON.stringify(sent.message.reminderMinutesBefore) !== '[60,1440]'
      || JSON.stringify(sent.message.componentIds) !== '["db"]' || sent.message.actor !== consoleUser) {
    throw new Error(`unexpected ScheduleMaintenance: ${JSON.stringify(sent)}`);
  }
  await page.screenshot({ path: join(artifacts, 'console-maintenance.png'), fullPage: true });
  await page.close();
});

// The console end to end, against the real suite (Incident.Service, Notify.Service, StatusApi on one database and
// vhost): the incident is a command to Incident.Service, its event reaches the public page through the read model and
// Notify.Service through the relay, and Notify's policy sends a human-posted incident to the confirmed email
// subscribers of the affected component, through SMTP into MailDev; the subscriber of the other component hears nothing.
const e2eUrl = process.env.E2E_STATUS_URL;
const e2eDatabase = process.env.E2E_DB;

test('console end to end: a posted incident appears on the public page and in the subscriber\'s inbox', async ({ browser }) => {
  if (!e2eUrl || !e2eDatabase) throw new Error('E2E_STATUS_URL and E2E_DB are not set: no real Incident.Service to post to');
  const subscriber = process.env.E2E_SUBSCRIBER;
  const bystander = process.env.E2E_BYSTANDER;
  const title = `Library Wi-Fi down ${randomUUID().slice(0, 8)}`;
  const mailsTo = async address => (await maildev('api/email')).filter(m => m.to?.some(t => t.address === address));
  const page = await signIn(browser, consolePassword, e2eUrl);
  const status = await browser.newPage();
  try {
    await page.getByRole('link', { name: 'Post an incident' }).click();
    await page.getByLabel('Title').fill(title);
    await page.getByLabel(/^Library Wi-Fi/).selectOption('major_outage');
    await page.getByLabel(/^Message/).fill('The **access points** on floor 2 lost power; wired ports work.');
    await page.getByLabel('Notify subscribers').check();
    const started = Date.now();
    await page.getByRole('button', { name: 'Post incident' }).click();
    await page.getByRole('status').filter({ hasText: 'Posted.' }).waitFor({ timeout: deadline });
    await page.getByRole('heading', { name: title }).waitFor({ timeout: deadline });
    const actor = query(`select metadata ->> 'actor' from events.events where stream_id like 'incident-%' order by seq desc limit 1`, e2eDatabase);
    if (actor !== consoleUser) throw new Error(`the incident's event names ${JSON.stringify(actor)} as who acted, not ${consoleUser}`);

    await status.goto(e2eUrl + '/');
    await status.locator('#incidents h3', { hasText: title }).waitFor({ timeout: deadline });
    await status.locator('#incidents strong', { hasText: 'access points' }).waitFor({ timeout: deadline });
    console.log(`          posted to shown on the public page: ${((Date.now() - started) / 1000).toFixed(1)} s`);
    await status.screenshot({ path: join(artifacts, 'console-e2e-public.png'), fullPage: true });

    const mail = await eventually(`the incident mail to ${subscriber} in MailDev`, async () =>
      (await mailsTo(subscriber)).find(m => `${m.subject}\n${m.text}`.includes(title)), 60_000);
    console.log(`          posted to delivered by SMTP: ${((Date.now() - started) / 1000).toFixed(1)} s (subject: ${mail.subject})`);
    if (!(mail.text ?? '').includes('access points')) throw new Error(`the mail does not carry the update:\n${mail.text}`);
    // Only once Notify has nothing left to send is the bystander's empty inbox an answer.
    await eventually('Notify.Service to settle its deliveries', () =>
      query(`select count(*) from notify.deliveries where status = 'pending'`, e2eDatabase) === '0', 60_000);
    if ((await mailsTo(bystander)).some(m => `${m.subject}\n${m.text}`.includes(title))) throw new Error(`${bystander} follows printing only, yet got the mail`);

    await page.getByRole('button', { name: 'Resolve now' }).click();
    await page.getByRole('status').filter({ hasText: 'Update posted.' }).waitFor({ timeout: deadline });
    await status.locator('#incidents h3', { hasText: title }).waitFor({ state: 'detached', timeout: deadline });
  } finally {
    await status.close();
    await page.close();
    for (const address of [subscriber, bystander]) {
      for (const m of await mailsTo(address).catch(() => [])) await maildev(`api/email/${encodeURIComponent(m.id)}`, { method: 'DELETE' }).catch(() => {});
    }
  }
});

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
});
if (consoleUser && process.env.RABBIT_MANAGEMENT_URL) {
  fake = await startFakeServices({
    managementUrl: process.env.RABBIT_MANAGEMENT_URL, user: process.env.RABBIT_USER, password: process.env.RABBIT_PASSWORD,
    vhost: process.env.RABBIT_VHOST, sql, answerExport: !notifyDatabase,
  });
}
if (notifyDatabase) {
  // The console's preview asks Notify.Service for its subscribers: the real one gets the two the fake would report
  // (a page-wide email subscriber and a Slack channel for the API). The subscription test picks other components.
  sql(`insert into notify.subscribers (email, source, confirmed, confirmed_at, channel, scope)
         values ('ops@example.test', 'browser-tests', true, now(), 'email', 'page');
       with slack as (insert into notify.subscribers (endpoint, source, confirmed, confirmed_at, channel, scope)
                        values ('https://hooks.slack.test/x', 'browser-tests', true, now(), 'slack', 'components') returning id)
       insert into notify.subscriber_components (subscriber_id, component_id) select id, 'api' from slack;`, notifyDatabase);
}
const selected = consoleUser ? tests : tests.filter(t => !t.name.startsWith('console:'));
if (selected.length < tests.length) console.log(`  skipped ${tests.length - selected.length} console tests: CONSOLE_USER is not set`);
let failed = 0;
const started = Date.now();
for (const { name, body } of selected) {
  const t0 = Date.now();
  try {
    await body({ browser });
    console.log(`  passed  ${name} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  } catch (error) {
    failed++;
    console.log(`  FAILED  ${name} (${((Date.now() - t0) / 1000).toFixed(1)} s)\n          ${String(error?.message ?? error).split('\n').join('\n          ')}`);
  }
}
await browser.close();
await fake?.stop();
console.log(`browser tests: ${selected.length - failed} passed, ${failed} failed (${((Date.now() - started) / 1000).toFixed(1)} s); screenshots in ${artifacts}`);
process.exit(failed === 0 ? 0 : 1);
