// Browser tests of the status page in real headless Chromium (Debian's, driven by playwright-core). Started by
// scripts/browser-tests.sh, which provides a running StatusApi over a database of its own:
//   STATUS_URL   the StatusApi origin (http://127.0.0.1:port)
//   STATUS_DB    a libpq URL of that database (the tests change the read model with psql, as Incident.Service would)
//   CHROMIUM     the browser binary (default /usr/bin/chromium)
//   CONSOLE_USER, CONSOLE_PASSWORD   the console's bootstrap admin (Console:BootstrapUser/BootstrapPassword)
//   RABBIT_MANAGEMENT_URL, RABBIT_USER, RABBIT_PASSWORD, RABBIT_VHOST   where fake-services.mjs answers the console's
//                commands in place of Incident.Service and Notify.Service; without them the console tests are skipped
// Each test awaits a condition with a deadline; screenshots go to artifacts/. Exit code 1 when any test failed.
import { chromium } from 'playwright-core';
import { startFakeServices } from './fake-services.mjs';
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


// The admin console. Incident.Service and Notify.Service are played by fake-services.mjs (commands answered and the
// read model written as their projections would), so "end to end" here ends at the public page: the SMTP inbox would
// need the real Notify.Service and its policy, which this script does not start.
const consoleUser = process.env.CONSOLE_USER;
const consolePassword = process.env.CONSOLE_PASSWORD;
let fake = null;

async function signIn(browser, password = consolePassword) {
  const page = await browser.newPage();
  await page.goto(statusUrl + '/console');
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

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
});
if (consoleUser && process.env.RABBIT_MANAGEMENT_URL) {
  fake = await startFakeServices({
    managementUrl: process.env.RABBIT_MANAGEMENT_URL, user: process.env.RABBIT_USER, password: process.env.RABBIT_PASSWORD,
    vhost: process.env.RABBIT_VHOST, sql,
  });
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
