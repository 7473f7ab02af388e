// Browser tests of the status page in real headless Chromium (Debian's, driven by playwright-core). Started by
// scripts/browser-tests.sh, which provides a running StatusApi over a database of its own:
//   STATUS_URL   the StatusApi origin (http://127.0.0.1:port)
//   STATUS_DB    a libpq URL of that database (the tests change the read model with psql, as Incident.Service would)
//   CHROMIUM     the browser binary (default /usr/bin/chromium)
// Each test awaits a condition with a deadline; screenshots go to artifacts/. Exit code 1 when any test failed.
import { chromium } from 'playwright-core';
import { execFileSync } from 'node:child_process';
import { createServer } from 'node:http';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const artifacts = join(here, 'artifacts');
mkdirSync(artifacts, { recursive: true });

const statusUrl = required('STATUS_URL');
const database = required('STATUS_DB');
const deadline = 20_000;

function required(name) {
  const value = process.env[name];
  if (!value) {
    console.error(`${name} is not set; run the tests through scripts/browser-tests.sh`);
    process.exit(2);
  }
  return value;
}

function sql(statement) {
  execFileSync('psql', [database, '-v', 'ON_ERROR_STOP=1', '-q', '-c', statement], { stdio: ['ignore', 'ignore', 'inherit'] });
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

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
});
let failed = 0;
const started = Date.now();
for (const { name, body } of tests) {
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
console.log(`browser tests: ${tests.length - failed} passed, ${failed} failed (${((Date.now() - started) / 1000).toFixed(1)} s); screenshots in ${artifacts}`);
process.exit(failed === 0 ? 0 : 1);
