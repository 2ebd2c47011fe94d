// The app (`hearth serve`) in a real browser, printing TAP.
//
// Four nodes made with the CLI (an office, a childcare centre, a volunteer station and its team,
// each syncing through a bare repository in a folder), their apps served on 127.0.0.1, and
// Debian's Chromium on a 360 px viewport doing what people do, through the pages only (links,
// buttons, fields found by their labels): an admin adds a staff and a volunteer account; the
// staff member adds a class, registers a child, enrols it (the free places drop by one), pages
// through the list of children and finds the child with the search, records an event and
// presses the sync button; the office's clerk restores the lost value of a
// conflict; the team accepts and completes a request the station assigned to it and the station
// sees it done. axe (WCAG 2.2 AA) runs on every page visited, in Chinese and in English, and the
// large-text mode (长辈版) must stay on across pages and after signing in.
//
// usage: node app.mjs HEARTH [ARTIFACT_DIR]
// The browser packages are the site's suite's (tests/site/browser, installed with npm ci).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const packages = resolve(here, '../../site/browser');
const CHROMIUM = '/usr/bin/chromium';
const WCAG = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];
const STEP_MS = 15000; // the longest any one browser step may take

let n = 0;
let failed = 0;
const t0 = Date.now();
function ok(cond, name, detail) {
  n++;
  if (process.env.APP_BROWSER_TIMES) console.log(`# ${((Date.now() - t0) / 1000).toFixed(1)}s`);
  console.log(`${cond ? '' : 'not '}ok ${n} - ${name}`);
  if (!cond) {
    failed++;
    if (detail) for (const line of String(detail).split('\n')) console.log(`#   ${line}`);
  }
  return cond;
}
function is(got, want, name) {
  return ok(got === want, name, `got:  ${JSON.stringify(got)}\nwant: ${JSON.stringify(want)}`);
}

const [hearthArg, artifactArg] = process.argv.slice(2);
if (!hearthArg) {
  console.error('usage: node app.mjs HEARTH [ARTIFACT_DIR]');
  process.exit(2);
}
const HEARTH = resolve(hearthArg);
if (!existsSync(join(packages, 'node_modules', 'playwright-core'))) {
  console.log('1..0 # SKIP node_modules missing: run npm ci in tests/site/browser');
  process.exit(0);
}
if (!existsSync(CHROMIUM)) {
  console.log(`1..0 # SKIP no Chromium at ${CHROMIUM}`);
  process.exit(0);
}
const require = createRequire(join(packages, 'package.json'));
const { chromium } = require('playwright-core');
const { AxeBuilder } = require('@axe-core/playwright');

// ---- the nodes, with the CLI ---------------------------------------------------------------

const T = mkdtempSync(join(tmpdir(), 'hearth-app-browser-'));
const artifacts = artifactArg || join(T, 'artifacts');
mkdirSync(artifacts, { recursive: true });
const env = {
  ...process.env, LC_ALL: 'C.UTF-8', GIT_CONFIG_NOSYSTEM: '1', GIT_AUTHOR_NAME: 'test',
  GIT_AUTHOR_EMAIL: 'test@hearth.invalid', GIT_COMMITTER_NAME: 'test',
  GIT_COMMITTER_EMAIL: 'test@hearth.invalid',
};
delete env.HEARTH_DIR;
delete env.HEARTH_TEST_NOW_MS;
delete env.LANGUAGE;

/** hearth -C $T/NODE ARGS; its stdout (a failure is a failed test and stops nothing). */
function h(node, args, input) {
  const r = spawnSync(HEARTH, ['-C', join(T, node), ...args],
    { env, input, encoding: 'utf8', timeout: 120000 });
  if (r.status !== 0) ok(false, `hearth ${node} ${args.join(' ')}`, r.stderr + r.stdout);
  return r.stdout;
}
/** One value from `hearth query` at NODE. */
function q(node, sql) {
  return h(node, ['query', '--csv', sql]).split('\n').slice(1).join('\n').trim();
}
function sync(...nodes) {
  for (const node of nodes) h(node, ['sync']);
}

const servers = [];
/** `hearth serve` of NODE on a free port of 127.0.0.1; resolves to its base URL. */
function serve(node) {
  return new Promise((ok_, fail) => {
    const p = spawn(HEARTH, ['-C', join(T, node), 'serve', '--listen', '127.0.0.1:0'],
      { env, stdio: ['ignore', 'pipe', 'pipe'] });
    servers.push(p);
    let out = '';
    const timer = setTimeout(() => fail(new Error(`serve ${node} did not start: ${out}`)), 10000);
    const look = (d) => {
      out += d;
      const m = out.match(/ at (http:\/\/127\.0\.0\.1:\d+)\//);
      if (m) {
        clearTimeout(timer);
        ok_(m[1]);
      }
    };
    p.stdout.on('data', look);
    p.stderr.on('data', look);
    p.on('exit', () => fail(new Error(`serve ${node} exited: ${out}`)));
  });
}
function cleanup() {
  for (const p of servers) p.kill('SIGTERM');
  if (!process.env.KEEP_TMP) rmSync(T, { recursive: true, force: true });
}

const nodes = { lucai: 'childcare_centre', zhan: 'volunteer_station', team1: 'volunteer_team',
  fuyou: 'hospital' };
h('office', ['init', '--node', 'office', '--kind', 'office', '--name', '长治市卫健委']);
for (const [id, kind] of Object.entries(nodes)) {
  spawnSync('git', ['init', '-q', '--bare', join(T, `${id}.git`)], { env });
  h(id, ['init', '--node', id, '--kind', kind, '--name', { lucai: '潞才托育中心',
    zhan: '东街志愿服务站', team1: '东街维修队', fuyou: '长治市妇幼保健院' }[id]]);
  h(id, ['remote', 'add', 'office', join(T, `${id}.git`)]);
  h('office', ['remote', 'add', id, join(T, `${id}.git`)]);
}
const PW = { admin: 'admin-pass-1', staff: 'staff-pass-1', vol: 'vol-pass-1', clerk: 'clerk-pass-1' };
h('lucai', ['user', 'add', '王园长', '--role', 'admin'], PW.admin + '\n');
h('team1', ['user', 'add', '赵队长', '--role', 'admin'], PW.admin + '\n');
h('office', ['user', 'add', '刘科员', '--role', 'staff'], PW.clerk + '\n');
h('zhan', ['user', 'add', '陈站长', '--role', 'staff'], PW.staff + '\n');
h('fuyou', ['user', 'add', '李医生', '--role', 'staff'], PW.staff + '\n');

// the team records itself once: its row reaches every node (a directory), the station too
h('team1', ['exec', "INSERT INTO volunteer_team (owner, id, name, service_type_id, members) " +
  "VALUES (hearth_node(), 'team', '东街维修队', 'repair', 8)"]);

// a conflict for the office: the centre and the office change one child's notes offline
h('lucai', ['exec', "INSERT INTO child (owner, id, name) VALUES ('lucai', 'k-conf', '孙小月')"]);
// the centre's partner hospital checks one child the centre names for it (its consent, per child)
h('lucai', ['exec', "INSERT INTO partnership (owner, id, partner_id, kind) " +
  "VALUES ('lucai', 'p-fuyou', 'fuyou', 'medical')"]);
h('lucai', ['exec', "INSERT INTO child (owner, id, name, birth_date, sex, guardian_phone, " +
  "health_partner) VALUES ('lucai', 'k-hp', '周小禾', '2025-03-01', 'f', '13900000009', 'fuyou')"]);
sync('fuyou', 'lucai', 'office', 'zhan', 'team1', 'fuyou', 'office', 'zhan', 'team1', 'fuyou');
is(q('fuyou', "SELECT name || ' ' || coalesce(guardian_phone, '-') FROM child"), '周小禾 -',
  'the hospital holds the one child named for it, without the guardian\'s phone');
h('office', ['exec', "UPDATE child SET notes = '办公室的备注' WHERE owner = 'lucai' AND id = 'k-conf'"]);
h('lucai', ['exec', "UPDATE child SET notes = '中心的备注' WHERE id = 'k-conf'"]);
sync('office', 'lucai', 'office');
is(q('office', 'SELECT count(*) FROM hearth_conflict WHERE resolved IS NULL'), '1',
  'the office holds one open conflict made at the command line');

// 60 more children at the centre: its list has two pages
h('lucai', ['exec', '--yes', 'WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n ' +
  "WHERE i < 60) INSERT INTO child (owner, id, name) SELECT 'lucai', printf('k-%02d', i), " +
  "printf('幼儿%02d', i) FROM n"]);

// ---- the browser -------------------------------------------------------------------------

const browser = await chromium.launch({
  executablePath: CHROMIUM,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const VIEW = { viewport: { width: 360, height: 740 } };

function describe(violations) {
  return violations.map((v) => `${v.id}: ${v.help} (${v.nodes.length}) ${
    v.nodes.slice(0, 3).map((x) => x.target.join(' ')).join(', ')}`).join('\n');
}

// Every page visited is checked once per path and language: axe (WCAG 2.2 AA), the lang
// attribute, no horizontal scroll at 360 px. The other language is checked in a second context
// with the same session (its cookie copied), so the person's own language is left alone.
const audited = new Set();
async function auditOne(page, lang, what) {
  const want = lang === 'en' ? 'en' : 'zh-CN';
  ok(await page.getAttribute('html', 'lang') === want, `${what} (${lang}): lang="${want}"`);
  const axe = await new AxeBuilder({ page }).withTags(WCAG).analyze();
  ok(axe.violations.length === 0, `${what} (${lang}): no WCAG 2.2 AA violation`,
    describe(axe.violations));
  const wide = await page.evaluate(() =>
    document.documentElement.scrollWidth > window.innerWidth + 1);
  ok(!wide, `${what} (${lang}): no horizontal scroll at 360 px`);
}
async function audit(page, what) {
  const url = new URL(page.url());
  // the start page differs by node and account; the others by path (and the text size)
  const who = url.pathname === '/' ? `${url.port} ${await page.locator('header .who').innerText()}`
    : '';
  const key = `${who}${url.pathname} ${await page.getAttribute('html', 'class')}`;
  if (audited.has(key)) return;
  audited.add(key);
  const lang = (await page.getAttribute('html', 'lang')) === 'en' ? 'en' : 'zh';
  await auditOne(page, lang, what);
  const other = lang === 'en' ? 'zh' : 'en';
  const ctx = await browser.newContext(VIEW);
  const cookies = (await page.context().cookies()).filter((c) => c.name !== 'hearth_lang');
  cookies.push({ name: 'hearth_lang', value: other, url: url.origin });
  await ctx.addCookies(cookies);
  const p2 = await ctx.newPage();
  await p2.goto(url.href, { waitUntil: 'load' });
  await auditOne(p2, other, what);
  await ctx.close();
}

async function go(page, action) {
  await Promise.all([page.waitForLoadState('load'), action()]);
}
async function clickLink(page, name) {
  await go(page, () => page.getByRole('link', { name, exact: true }).first().click());
}
async function clickButton(page, name) {
  await go(page, () => page.getByRole('button', { name, exact: true }).first().click());
}
async function mainText(page) {
  return page.locator('main').innerText();
}

async function signIn(page, base, name, pw) {
  await page.goto(base + '/', { waitUntil: 'load' });
  ok(new URL(page.url()).pathname === '/login', `${name}: a stranger is sent to sign in`);
  await audit(page, 'sign-in page');
  await page.getByLabel('账号', { exact: true }).fill(name);
  await page.getByLabel('密码', { exact: true }).fill(pw);
  await clickButton(page, '登录');
  ok(new URL(page.url()).pathname === '/' &&
    (await page.locator('header .who').innerText()).includes(name), `${name} signs in`);
  await audit(page, 'today');
}
async function signOut(page) {
  await clickButton(page, '退出登录');
  ok(new URL(page.url()).pathname === '/login', 'signed out: back at the sign-in page');
}

async function addAccount(page, name, roleLabel, pw) {
  await clickLink(page, '账号管理');
  await audit(page, 'accounts');
  await page.getByLabel('账号', { exact: true }).first().fill(name);
  await page.getByLabel('角色').selectOption({ label: roleLabel });
  await page.getByLabel('密码（至少 8 个字符）', { exact: true }).fill(pw);
  await clickButton(page, '添加');
  ok((await mainText(page)).includes('账号已添加。'), `the admin adds ${name} (${roleLabel})`);
  await clickLink(page, '回到首页');
}

let step = 'start';
try {
  const urls = {};
  for (const node of ['lucai', 'office', 'zhan', 'team1', 'fuyou']) urls[node] = await serve(node);
  const ctx = await browser.newContext(VIEW);
  ctx.setDefaultTimeout(STEP_MS);
  const page = await ctx.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(String(e)));
  page.on('response', (r) => {
    // a browser asks for /favicon.ico by itself; the app has none
    if (r.status() >= 400 && new URL(r.url()).pathname !== '/favicon.ico')
      problems.push(`${r.status()} ${r.url()}`);
  });
  page.on('console', (m) => {
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource'))
      problems.push(m.text());
  });
  page.on('request', (r) => {
    if (!r.url().startsWith('http://127.0.0.1:')) problems.push(`left the node: ${r.url()}`);
  });

  // ---- accounts --------------------------------------------------------------------------
  step = 'accounts';
  await signIn(page, urls.lucai, '王园长', PW.admin);
  await addAccount(page, '李老师', '工作人员：可记录本机构的所有信息', PW.staff);
  await signOut(page);
  await signIn(page, urls.team1, '赵队长', PW.admin);
  await addAccount(page, '小周', '志愿者：只处理派给本队的求助', PW.vol);
  await signOut(page);
  is(h('lucai', ['user', 'list']).includes('李老师\tstaff'), true, 'the staff account exists');
  is(h('team1', ['user', 'list']).includes('小周\tvolunteer'), true,
    'the volunteer account exists');

  // ---- the centre: a class, a child, an enrolment, an event, a sync ----------------------
  step = 'centre';
  await signIn(page, urls.lucai, '李老师', PW.staff);
  await clickLink(page, '新增班级');
  await audit(page, 'add a class');
  await page.getByLabel('班级名称').fill('太阳班');
  await page.getByLabel('年龄段').selectOption({ label: '1–2 岁' });
  await page.getByLabel('容量').fill('12');
  await clickButton(page, '保存');
  ok((await mainText(page)).includes('太阳班'), 'the class is saved and shown');
  await audit(page, 'a record');
  is(q('lucai', "SELECT name || ' ' || age_band || ' ' || capacity FROM care_class"),
    '太阳班 1-2 12', 'the class row holds what was typed');

  await clickLink(page, '今天');
  const freeBefore = await page.locator('.cards li', { hasText: '太阳班' }).locator('.free')
    .innerText();
  is(freeBefore, '空余 12', 'today: the new class has 12 free places');
  await clickLink(page, '登记幼儿');
  await page.getByLabel('幼儿姓名').fill('王小明');
  await page.getByLabel('出生日期').fill('2025-03-18');
  await page.getByLabel('性别').selectOption({ label: '男' });
  await page.getByLabel('监护人电话').fill('13800001111');
  await clickButton(page, '保存');
  ok((await mainText(page)).includes('王小明'), 'the child is registered');
  is(q('lucai', "SELECT birth_date || ' ' || sex FROM child WHERE name = '王小明'"),
    '2025-03-18 m', 'the child row holds the date and the choice');

  // enrol in two steps: the class's button, then the child by name
  await clickLink(page, '今天');
  await go(page, () => page.locator('.cards li', { hasText: '太阳班' })
    .getByRole('link', { name: '登记入托' }).click());
  await audit(page, 'enrol a child');
  is(await page.getByLabel('班级').locator('option:checked').innerText(), '太阳班',
    'the enrolment form has the class chosen');
  await page.getByLabel(/^幼儿/).selectOption({ label: '王小明' });
  await clickButton(page, '保存');
  await clickLink(page, '今天');
  is(await page.locator('.cards li', { hasText: '太阳班' }).locator('.free').innerText(),
    '空余 11', 'today: the free places dropped by one');
  is(q('lucai', "SELECT count(*) FROM enrolment e JOIN child c ON c.id = e.child_id " +
    "WHERE c.name = '王小明'"), '1', 'one enrolment row for the child');

  // large text (长辈版): on across pages and after signing in again
  step = 'large text';
  const size = () => page.evaluate(() => parseFloat(getComputedStyle(
    document.querySelector('main p, main li')).fontSize));
  const before = await size();
  await go(page, () => page.locator('#large-text').click());
  const after = await size();
  ok(after >= before * 1.2, `长辈版 enlarges the text (${before}px -> ${after}px)`);
  await audit(page, 'today, large text');
  await clickLink(page, '幼儿');
  ok(await page.evaluate(() => document.documentElement.classList.contains('large')),
    '长辈版 stays on on the next page');
  await audit(page, 'children');
  // its pages: "第 1 页，共 2 页", then the link to the next (no script)
  ok((await mainText(page)).includes('第 1 页，共 2 页'), 'the list says it has two pages');
  await clickLink(page, '下一页');
  ok((await mainText(page)).includes('第 2 页，共 2 页') &&
    await page.getByRole('link', { name: '上一页', exact: true }).count() === 1,
    'the next page, with a link back');
  await auditOne(page, 'zh', 'children, page 2');
  // the list's search: a form that posts (no script), the name kept out of the URL; a search
  // is never a GET, so its page is checked in this language only
  await page.locator('#q').fill('小明');
  await clickButton(page, '搜索');
  const found = await mainText(page);
  ok(found.includes('王小明') && !found.includes('孙小月'),
    'the search finds the child by name and not the other');
  ok(!decodeURIComponent(page.url()).includes('小明'), 'the name is not in the URL');
  await auditOne(page, 'zh', 'children, searched');
  await signOut(page);
  ok(await page.evaluate(() => document.documentElement.classList.contains('large')),
    '长辈版 on the sign-in page');
  await signIn(page, urls.lucai, '李老师', PW.staff);
  is(await size(), after, '长辈版 stays on after signing in');
  await go(page, () => page.locator('#large-text').click());
  is(await size(), before, 'and goes off with one tap');

  // an event
  step = 'event';
  await clickLink(page, '发布活动');
  await audit(page, 'publish an event');
  await page.getByLabel('活动类型').selectOption({ label: '育儿课堂' });
  await page.getByLabel('活动名称', { exact: false }).first().fill('亲子阅读会');
  await page.getByLabel('开始时间').fill('2030-01-15T09:30');
  await page.getByLabel('公开发布').selectOption({ label: '是' });
  await clickButton(page, '保存');
  ok((await mainText(page)).includes('亲子阅读会'), 'the event is saved');
  is(q('lucai', "SELECT kind || ' ' || starts_at || ' ' || public FROM event"),
    'parenting_class 2030-01-15T09:30:00+08:00 1', 'the event row holds what was chosen');

  // the sync button, to the bare repository
  step = 'sync';
  const pendingBefore = await page.locator('#sync-state').innerText();
  ok(/待发送/.test(pendingBefore), `the banner shows changes waiting (${pendingBefore})`);
  await clickButton(page, '立即同步');
  const outcome = await page.locator('.banner .notice').innerText();
  ok(outcome.startsWith('同步完成'), `the sync button reports its outcome (${outcome})`);
  await audit(page, 'today after a sync');
  const refs = spawnSync('git', ['--git-dir', join(T, 'lucai.git'), 'for-each-ref'],
    { encoding: 'utf8' }).stdout;
  ok(refs.includes('refs/'), 'the bare repository received the centre\'s commits', refs);
  sync('office');
  is(q('office', "SELECT count(*) FROM care_class WHERE owner = 'lucai' AND name = '太阳班'"),
    '1', 'the office received the class the app recorded');
  ok(h('lucai', ['log', '-n', '5']).includes('李老师'), 'the log names the staff member');
  await signOut(page);

  // ---- the office: restore a conflict's lost value ---------------------------------------
  step = 'office';
  await signIn(page, urls.office, '刘科员', PW.clerk);
  await clickLink(page, '冲突');
  await audit(page, 'conflicts');
  const card = page.locator('.cards li', { hasText: '孙小月' });
  const shown = await card.innerText();
  ok(shown.includes('中心的备注') && shown.includes('办公室的备注'),
    'the conflict shows both values', shown);
  await go(page, () => card.getByRole('button', { name: '恢复被覆盖的值' }).click());
  ok((await mainText(page)).includes('冲突已处理。'), 'the clerk restores the lost value');
  ok((await mainText(page)).includes('没有待处理的冲突。'), 'no conflict is left open');
  is(q('office', "SELECT notes FROM child WHERE id = 'k-conf'"), '办公室的备注',
    'the office holds the restored value');
  await clickLink(page, '隔离区');
  await audit(page, 'quarantine');
  await signOut(page);

  // ---- the station logs a call and assigns it to the team --------------------------------
  step = 'station';
  await signIn(page, urls.zhan, '陈站长', PW.staff);
  await clickLink(page, '登记来电');
  await audit(page, 'log a call');
  await page.getByLabel('服务类型').selectOption({ label: '维修服务' });
  await page.getByLabel('求助时间').fill('2026-12-01T09:00');
  await page.getByLabel('居民姓名').fill('张奶奶');
  await page.getByLabel('需求详情').fill('厨房水龙头漏水');
  await clickButton(page, '保存');
  await audit(page, 'a request');
  // the teams reach every node (volunteer_team is a directory): the team is chosen by name
  ok(await page.getByRole('button', { name: '派单', exact: true }).count() === 1,
    'the station is offered to assign the new request');
  await page.getByLabel('服务队', { exact: true }).selectOption({ label: '东街维修队 · 维修服务' });
  await clickButton(page, '派单');
  is(q('zhan', "SELECT assignee || ' ' || team_id || ' ' || status FROM service_request"),
    'team1 team new', 'the request is assigned to the team, by its name');
  await clickButton(page, '立即同步');
  ok((await page.locator('.banner .notice').innerText()).startsWith('同步完成'),
    'the station syncs from its app');
  await signOut(page);
  sync('office', 'team1');

  // ---- the team accepts and completes it -------------------------------------------------
  step = 'team';
  await signIn(page, urls.team1, '小周', PW.vol);
  const mine = page.locator('.cards li', { hasText: '维修服务' });
  ok(await mine.count() === 1, 'the volunteer sees the request among "my requests"');
  await go(page, () => mine.getByRole('button', { name: '接单' }).click());
  is(q('team1', 'SELECT status FROM service_request'), 'accepted', 'the team accepted it');
  await go(page, () => page.locator('.cards li', { hasText: '维修服务' })
    .getByRole('link').first().click());
  await audit(page, 'a request at the team');
  await page.getByLabel('居民怎么评价？').fill('修好了，谢谢');
  await clickButton(page, '已完成');
  is(q('team1', "SELECT status || ' ' || feedback FROM service_request"), 'done 修好了，谢谢',
    'the team marked it done with the feedback');
  await clickButton(page, '立即同步');
  ok((await page.locator('.banner .notice').innerText()).startsWith('同步完成'),
    'the team syncs from its app');
  await signOut(page);
  sync('office', 'zhan');

  // ---- the station sees it done ----------------------------------------------------------
  step = 'station sees done';
  await signIn(page, urls.zhan, '陈站长', PW.staff);
  await clickButton(page, '立即同步');
  await clickLink(page, '求助');
  await audit(page, 'requests');
  await go(page, () => page.locator('main table a').first().click());
  const request = await mainText(page);
  ok(request.includes('已完成') && request.includes('修好了，谢谢'),
    'the station\'s app shows the request done, with the feedback', request);

  // ---- the hospital records a check for the child the centre named -----------------------
  step = 'hospital';
  {
    const hctx = await browser.newContext(VIEW);
    const hp = await hctx.newPage();
    await signIn(hp, urls.fuyou, '李医生', PW.staff);
    await clickLink(hp, '记录体检');
    await audit(hp, 'the hospital\'s checks');
    const list = await mainText(hp);
    ok(list.includes('周小禾') && !list.includes('13900000009') && !list.includes('k-hp'),
      'the hospital sees the child by name, no guardian\'s phone, no id', list);
    await hp.selectOption('#f-child', 'lucai/k-hp');
    await hp.fill('#f-height_cm', '86.5');
    await hp.fill('#f-weight_kg', '12.1');
    await clickButton(hp, '保存');
    is(q('fuyou', "SELECT child_id || ' ' || height_cm || ' ' || weight_kg FROM health_check"),
      'k-hp 86.5 12.1', 'the hospital records the check in its app: one row');
    await audit(hp, 'a check recorded');
    await hctx.close();
  }
  sync('fuyou', 'office', 'lucai');
  is(q('lucai', "SELECT height_cm FROM health_check WHERE child_id = 'k-hp'"), '86.5',
    'the centre receives the hospital\'s check');

  // the language switch, by its link, keeps the page
  step = 'language';
  await go(page, () => page.locator('.prefs a[lang="en"]').click());
  ok(await page.getAttribute('html', 'lang') === 'en' &&
    (await mainText(page)).includes('done'), 'the language switch shows the page in English');
  ok(new URL(page.url()).searchParams.get('id') !== null, 'and stays on the same record');
  await page.screenshot({ path: join(artifacts, 'request-en-360.png'), fullPage: true });
  ok(problems.length === 0, 'no script error, console error or request off the node',
    problems.join('\n'));
  await ctx.close();
} catch (e) {
  ok(false, `the story went on to the end (stopped at: ${step})`, e.stack || String(e));
}

await browser.close();
cleanup();
console.log(`1..${n}`);
process.exit(failed ? 1 : 0);
