// Browser test of the generated site, printing TAP.
//
// Builds the fixture site (through test_site_build --emit), serves it on 127.0.0.1 with a small
// static server, and drives Debian's Chromium with playwright-core: axe (WCAG 2.2 AA) on every
// page type in both languages, no console errors, no request leaving the site, search, facets
// with and without JavaScript, the large-text mode, screenshots at 360 and 1280 px, and
// html-validate on every page.
//
// usage: node run.mjs BUILDER SCHEMA.sql FIXTURE.sql [ARTIFACT_DIR]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync }
  from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, extname, join, normalize, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const CHROMIUM = '/usr/bin/chromium';

let n = 0;
let failed = 0;
function ok(cond, name, detail) {
  n++;
  console.log(`${cond ? '' : 'not '}ok ${n} - ${name}`);
  if (!cond) {
    failed++;
    if (detail) for (const line of String(detail).split('\n')) console.log(`#   ${line}`);
  }
  return cond;
}
function skipAll(reason) {
  console.log(`1..0 # SKIP ${reason}`);
  process.exit(0);
}

const [builder, schema, fixture, artifactArg] = process.argv.slice(2);
if (!builder || !schema || !fixture) {
  console.error('usage: node run.mjs BUILDER SCHEMA.sql FIXTURE.sql [ARTIFACT_DIR]');
  process.exit(2);
}
if (!existsSync(join(here, 'node_modules', 'playwright-core')))
  skipAll('node_modules missing: run npm ci in tests/site/browser');
if (!existsSync(CHROMIUM)) skipAll(`no Chromium at ${CHROMIUM}`);

const { chromium } = await import('playwright-core');
const { AxeBuilder } = await import('@axe-core/playwright');
const { HtmlValidate } = await import('html-validate');

// ---- build and serve ---------------------------------------------------------------------------

const work = mkdtempSync(join(tmpdir(), 'hearth-browser-'));
const site = join(work, 'site');
const built = spawnSync(builder, ['--emit', site, schema, fixture], { encoding: 'utf8' });
if (!ok(built.status === 0, 'the fixture site builds', built.stderr + built.stdout)) {
  console.log(`1..${n}`);
  process.exit(1);
}
const artifacts = artifactArg || join(work, 'artifacts');
mkdirSync(artifacts, { recursive: true });

const types = {
  '.html': 'text/html; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8', '.json': 'application/json',
  '.svg': 'image/svg+xml', '.xml': 'application/xml', '.atom': 'application/atom+xml',
  '.ics': 'text/calendar; charset=utf-8', '.csv': 'text/csv; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8', '.md': 'text/markdown; charset=utf-8',
};
const served = [];
const server = createServer((req, res) => {
  const url = new URL(req.url, 'http://127.0.0.1');
  let path = normalize(join(site, decodeURIComponent(url.pathname)));
  served.push(url.pathname);
  if (!path.startsWith(site)) path = join(site, '404.html');
  if (existsSync(path) && statSync(path).isDirectory()) path = join(path, 'index.html');
  let status = 200;
  if (!existsSync(path)) {
    status = 404;
    path = join(site, url.pathname.startsWith('/en/') ? 'en/404.html' : '404.html');
  }
  res.writeHead(status, { 'content-type': types[extname(path)] || 'application/octet-stream' });
  res.end(readFileSync(path));
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const origin = `http://127.0.0.1:${server.address().port}`;

// ---- the browser -------------------------------------------------------------------------------

const browser = await chromium.launch({
  executablePath: CHROMIUM,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});

async function openPage(context, path, { expectStatus = 200 } = {}) {
  const page = await context.newPage();
  const problems = [];
  const outside = [];
  page.on('console', (m) => {
    // the 404 page's own status is expected; anything else is a problem
    if (m.type() === 'error' && !(expectStatus === 404 && m.location().url === origin + path))
      problems.push(m.text());
  });
  page.on('pageerror', (e) => problems.push(String(e)));
  page.on('request', (r) => { if (!r.url().startsWith(origin + '/')) outside.push(r.url()); });
  page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()}`));
  page.on('response', (r) => {
    if (r.status() >= 400 && !(expectStatus === 404 && r.url() === origin + path))
      problems.push(`${r.status()} ${r.url()}`);
  });
  const response = await page.goto(origin + path, { waitUntil: 'load' });
  return { page, problems, outside, status: response ? response.status() : 0 };
}

const pageTypes = [
  ['home', 'index.html'], ['coverage', 'coverage.html'], ['directory', 'centres/index.html'],
  ['facet: county', 'centres/county-luzhou.html'], ['facet: age', 'centres/age-1-2.html'],
  ['facet: care', 'centres/care-hourly.html'], ['centre', 'centres/lucai.html'],
  ['stale centre', 'centres/xiaoxiangwan.html'], ['building centre', 'centres/qinyuan-demo.html'],
  ['station', 'centres/guangchangdong.html'], ['services', 'services.html'],
  ['events', 'events/index.html'], ['event', 'events/donghua/ev01.html'],
  ['about', 'about.html'], ['accessibility', 'accessibility.html'], ['open data', 'data.html'],
  ['search', 'search.html'], ['site index', 'site-index.html'],
];
const wcag = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

function describe(violations) {
  return violations.map((v) => `${v.id}: ${v.help} (${v.nodes.length}) ${
    v.nodes.slice(0, 2).map((x) => x.target.join(' ')).join(', ')}`).join('\n');
}

const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
for (const [prefix, lang] of [['', 'zh-CN'], ['en/', 'en']]) {
  for (const [name, rel] of pageTypes) {
    const path = `/${prefix}${rel}`;
    const { page, problems, outside, status } = await openPage(context, path);
    ok(status === 200, `${lang} ${name}: served`);
    ok(await page.getAttribute('html', 'lang') === lang, `${lang} ${name}: lang="${lang}"`);
    const axe = await new AxeBuilder({ page }).withTags(wcag).analyze();
    ok(axe.violations.length === 0, `${lang} ${name}: no WCAG 2.2 AA violation`,
      describe(axe.violations));
    ok(problems.length === 0, `${lang} ${name}: no console error or failed request`,
      problems.join('\n'));
    ok(outside.length === 0, `${lang} ${name}: no request leaves the site`, outside.join('\n'));
    await page.close();
  }
  // the 404 page, served for a missing path
  const missing = await openPage(context, `/${prefix}centres/no-such-centre.html`,
    { expectStatus: 404 });
  ok(missing.status === 404, `${lang} 404: status 404`);
  const axe404 = await new AxeBuilder({ page: missing.page }).withTags(wcag).analyze();
  ok(axe404.violations.length === 0, `${lang} 404: no WCAG 2.2 AA violation`,
    describe(axe404.violations));
  ok(missing.problems.length === 0 && missing.outside.length === 0,
    `${lang} 404: its stylesheet and script load from a nested path`,
    missing.problems.concat(missing.outside).join('\n'));
  await missing.page.close();
}

// ---- large-text mode (长辈版) -------------------------------------------------------------------
{
  const { page } = await openPage(context, '/centres/lucai.html');
  const before = await page.evaluate(() => parseFloat(getComputedStyle(document.body).fontSize));
  await page.check('#elder');
  const after = await page.evaluate(() => {
    const s = getComputedStyle(document.querySelector('main p, main td'));
    return { size: parseFloat(s.fontSize), line: parseFloat(s.lineHeight) / parseFloat(s.fontSize) };
  });
  ok(after.size >= before * 1.2, `长辈版 enlarges text (${before}px -> ${after.size}px)`);
  ok(after.line >= 1.3, `长辈版 line height is at least 1.3 (${after.line.toFixed(2)})`);
  const axe = await new AxeBuilder({ page }).withTags(wcag).analyze();
  ok(axe.violations.length === 0, '长辈版: no WCAG 2.2 AA violation', describe(axe.violations));
  await page.reload();
  ok(await page.isChecked('#elder'), '长辈版 is remembered across pages when JavaScript runs');
  await page.close();
}

// ---- search ------------------------------------------------------------------------------------
{
  served.length = 0;
  const { page, problems } = await openPage(context, '/search.html?q=' + encodeURIComponent('潞才'));
  await page.waitForSelector('#results li', { timeout: 10000 }).catch(() => {});
  const links = await page.$$eval('#results a', (as) => as.map((a) => a.getAttribute('href')));
  ok(links.some((h) => h.endsWith('centres/lucai.html')), 'search 潞才 finds 潞才社区综合托育中心',
    JSON.stringify(links));
  const shards = served.filter((p) => p.startsWith('/search/s/'));
  ok(shards.length === 1, `a two-character query downloads one shard (${shards.join(', ')})`);
  await page.fill('#q', '托育 沁源');
  await page.click('#search-form button');
  await page.waitForFunction(() => document.querySelectorAll('#results li').length > 0,
    null, { timeout: 10000 }).catch(() => {});
  const hits = await page.$$eval('#results a', (as) => as.map((a) => a.getAttribute('href')));
  ok(hits.length === 1 && hits[0].endsWith('centres/qinyuan-demo.html'),
    'search 托育 沁源 (two words) finds only the Qinyuan centre', JSON.stringify(hits));
  await page.fill('#q', 'xiaoxiang');
  await page.click('#search-form button');
  await page.waitForFunction(() => [...document.querySelectorAll('#results a')]
    .some((a) => a.href.includes('xiaoxiangwan')), null, { timeout: 10000 }).catch(() => {});
  const latin = await page.$$eval('#results a', (as) => as.map((a) => a.getAttribute('href')));
  ok(latin.some((h) => h.endsWith('centres/xiaoxiangwan.html')),
    'a Latin prefix (pinyin id) finds the centre', JSON.stringify(latin));
  ok(problems.length === 0, 'search: no console error', problems.join('\n'));
  const target = await page.$('#results a');
  if (target) {
    await target.click();
    await page.waitForLoadState('load');
  }
  ok(page.url().includes('/centres/'), 'a search result is a plain link to a generated page');
  await page.close();
}

// ---- facets: combined with JavaScript, plain pages without --------------------------------------
{
  const { page } = await openPage(context, '/centres/index.html');
  ok(await page.isVisible('#facet-form'), 'with JavaScript the facet form is shown');
  await page.selectOption('#f-county', 'luzhou');
  await page.selectOption('#f-care', 'hourly');
  const shown = await page.$$eval('#centre-list > li:not([hidden]) a',
    (as) => as.map((a) => a.getAttribute('href')));
  ok(shown.length === 1 && shown[0].endsWith('lucai.html'),
    'county + care type combine: 潞州区 with hourly care is only 潞才', JSON.stringify(shown));
  await page.selectOption('#f-care', '');
  await page.selectOption('#f-age', '0-1');
  const infants = await page.$$eval('#centre-list > li:not([hidden]) a', (as) => as.length);
  ok(infants === 0, 'no centre of 潞州区 has an infant place (its infant class is full)');
  await page.close();

  const nojs = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 360, height: 800 } });
  const plain = await openPage(nojs, '/centres/index.html');
  ok(!(await plain.page.isVisible('#facet-form')), 'without JavaScript the form stays hidden');
  await plain.page.click('.facets a[href$="county-qinyuan.html"]');
  await plain.page.waitForLoadState('load');
  const listed = await plain.page.$$eval('#centre-list a', (as) => as.map((a) => a.getAttribute('href')));
  ok(plain.page.url().endsWith('/centres/county-qinyuan.html') && listed.length === 1 &&
    listed[0].endsWith('qinyuan-demo.html'), 'without JavaScript a facet link lists the county',
    JSON.stringify(listed));
  await plain.page.click('.facets a[href$="care-temporary.html"]');
  await plain.page.waitForLoadState('load');
  const temp = await plain.page.$$eval('#centre-list a', (as) => as.map((a) => a.getAttribute('href')));
  ok(temp.length === 1 && temp[0].endsWith('lucai.html'),
    'without JavaScript the care-type facet page works', JSON.stringify(temp));
  const searchNoJs = await openPage(nojs, '/search.html');
  ok(await searchNoJs.page.isVisible('.nojs a'), 'without JavaScript search offers the full list');
  await nojs.close();
}

// ---- screenshots -------------------------------------------------------------------------------
for (const width of [360, 1280]) {
  const ctx = await browser.newContext({ viewport: { width, height: 800 } });
  for (const [name, path] of [['home', '/index.html'], ['centre', '/centres/lucai.html'],
    ['directory', '/centres/index.html'], ['services', '/services.html'],
    ['en-centre', '/en/centres/lucai.html']]) {
    const { page } = await openPage(ctx, path);
    const file = join(artifacts, `${name}-${width}.png`);
    await page.screenshot({ path: file, fullPage: true });
    ok(existsSync(file), `screenshot ${name} at ${width} px`);
    if (width === 360) {
      const overflow = await page.evaluate(() =>
        document.documentElement.scrollWidth > window.innerWidth + 1);
      ok(!overflow, `${name} at 360 px has no horizontal scroll`);
    }
    await page.close();
  }
  await ctx.close();
}

await browser.close();
server.close();

// ---- html-validate on every page ---------------------------------------------------------------
{
  const validator = new HtmlValidate({
    extends: ['html-validate:recommended'],
    rules: {
      // titles carry the site name after the page's; long centre names make them long by nature
      'long-title': 'off',
    },
  });
  const pages = [];
  const walk = (dir) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.html')) pages.push(p);
    }
  };
  walk(site);
  let bad = [];
  for (const p of pages) {
    const report = await validator.validateFile(p);
    if (!report.valid) {
      for (const r of report.results)
        for (const m of r.messages.slice(0, 3))
          bad.push(`${relative(site, p)}:${m.line}:${m.column} ${m.ruleId} ${m.message}`);
    }
  }
  ok(pages.length > 50 && bad.length === 0, `html-validate passes on all ${pages.length} pages`,
    bad.slice(0, 20).join('\n'));
}

rmSync(work, { recursive: true, force: true });
console.log(`1..${n}`);
console.log(`# screenshots in ${artifacts}`);
process.exit(failed ? 1 : 0);
