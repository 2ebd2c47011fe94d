/*
 * The static assets: one stylesheet (system CJK fonts, 长辈版 large-text mode in CSS only, print
 * styles), one small script (facet combination, search, remembering 长辈版; the site works
 * without it), the icon, robots.txt.
 */
#include "site_int.h"

#include <string.h>

static const char css[] =
	":root{--fg:#1a1a1a;--bg:#fff;--link:#0b4f8a;--muted:#4d4d4d;--line:#c8c8c8;"
	"--panel:#eef4f9;--head:#1d5a85}\n"
	"*{box-sizing:border-box}\n"
	"html{font-family:system-ui,-apple-system,\"PingFang SC\",\"Hiragino Sans GB\","
	"\"Microsoft YaHei\",\"Noto Sans CJK SC\",\"Source Han Sans SC\",\"WenQuanYi Micro Hei\","
	"sans-serif;line-height:1.6;color:var(--fg);background:var(--bg);"
	"-webkit-text-size-adjust:100%;text-size-adjust:100%}\n"
	"body{margin:0}\n"
	"main,footer.site{max-width:60rem;margin:0 auto;padding:0 1rem}\n"
	"h1{font-size:1.6rem;line-height:1.3;margin:1rem 0}\nh2{font-size:1.3rem;margin:1.5rem 0 .5rem}\n"
	"a{color:var(--link)}\n"
	"a:focus-visible,input:focus-visible,select:focus-visible,button:focus-visible,"
	"[tabindex]:focus-visible{outline:3px solid #c25400;outline-offset:2px}\n"
	".skip{position:absolute;left:-9999px;top:0}\n"
	".skip:focus{left:1rem;top:.5rem;background:#fff;color:#000;padding:.5rem;z-index:2}\n"
	"header.site{background:var(--head);color:#fff}\n"
	"header.site a{color:#fff}\n"
	".bar,header.site nav ul{max-width:60rem;margin:0 auto}\n"
	".bar{display:flex;flex-wrap:wrap;justify-content:space-between;align-items:center;"
	"gap:.5rem;padding:.5rem 1rem}\n"
	".brand{font-weight:bold;text-decoration:none;font-size:1.1rem}\n"
	".tools{display:flex;align-items:center;gap:.4rem .8rem;flex-wrap:wrap}\n"
	"#elder{width:24px;height:24px;margin:0}\n"
	".tools label{cursor:pointer}\n"
	"header.site nav ul{list-style:none;display:flex;flex-wrap:wrap;gap:0 .6rem;"
	"padding:0 1rem .4rem}\n"
	"header.site nav a,footer.site li a,.facets li a{display:inline-block;min-height:24px;"
	"padding:.15rem .25rem}\n"
	"header.site nav a[aria-current]{font-weight:bold;text-decoration-thickness:3px}\n"
	"table{border-collapse:collapse;width:100%;margin:.25rem 0 1rem}\n"
	"th,td{border-bottom:1px solid var(--line);padding:.35rem .5rem;text-align:left;"
	"vertical-align:top}\n"
	"td.num{text-align:right;font-variant-numeric:tabular-nums}\n"
	"caption{text-align:left;font-weight:bold;padding:.25rem 0}\n"
	".table-wrap{overflow-x:auto}\n"
	".cards{list-style:none;padding:0}\n"
	".cards li{border:1px solid var(--line);border-radius:6px;padding:.6rem .8rem;margin:.5rem 0}\n"
	".cards a{font-weight:bold;font-size:1.1rem}\n"
	".meta{color:var(--muted)}\n"
	".contact{display:grid;grid-template-columns:max-content 1fr;gap:.25rem 1rem;"
	"background:var(--panel);padding:.75rem 1rem;border-radius:6px;margin:0 0 1rem}\n"
	".contact dt{font-weight:bold}\n.contact dd{margin:0}\n"
	".tel{font-size:1.25rem;font-weight:bold}\n"
	".warning{background:#fff4d6;color:#5c3b00;border-left:5px solid #a86400;padding:.6rem .8rem}\n"
	".facets ul{list-style:none;padding:0;margin:0;display:flex;flex-wrap:wrap;gap:0 .6rem}\n"
	".facets h2{margin-top:.5rem}\n.facets h3{font-size:1rem;margin:.6rem 0 .1rem}\n"
	".facet-form{display:flex;flex-wrap:wrap;gap:.5rem 1rem;align-items:center;margin:.75rem 0}\n"
	".facet-form[hidden]{display:none}\n"
	"svg.chart{width:100%;height:auto;max-width:40rem}\n"
	"figure{margin:1rem 0}\n"
	"footer.site{border-top:1px solid var(--line);margin-top:2rem;padding:1rem;color:var(--muted)}\n"
	"footer.site ul{list-style:none;padding:0;display:flex;flex-wrap:wrap;gap:0 .8rem}\n"
	".js .nojs{display:none}\n"
	"input,select,button{font:inherit;min-height:32px}\n"
	"input[type=search]{width:min(100%,20rem)}\n"
	"button{padding:.3rem .9rem}\n"
	".user-text{overflow-wrap:anywhere}\n"
	"td,li,dd{overflow-wrap:anywhere}\n"
	/* 长辈版: larger text, stronger contrast, more space; CSS only */
	"html:has(#elder:checked){font-size:125%;line-height:1.8;--fg:#000;--muted:#1a1a1a;"
	"--link:#00306e;--line:#555;--panel:#e6eef5}\n"
	"html:has(#elder:checked) a{text-decoration-thickness:2px}\n"
	"@media (prefers-contrast:more){:root{--fg:#000;--muted:#1a1a1a;--link:#00306e;--line:#555}}\n"
	"@media print{header.site,footer.site ul,.facets,.facet-form,.skip,.search,.nojs{display:none}"
	"body{font-size:11pt;color:#000}a{color:#000}.contact{background:none;border:1px solid #000}"
	".table-wrap{overflow:visible}}\n";

/* Kept small and dependency-free; ES5 plus TextEncoder, so old phone browsers run it. */
static const char js[] =
	"(function () {\n"
	"'use strict';\n"
	"var d = document;\n"
	"d.documentElement.classList.add('js');\n"
	"var elder = d.getElementById('elder');\n"
	"try {\n"
	"  if (elder && localStorage.getItem('hearth-elder') === '1') elder.checked = true;\n"
	"  if (elder) elder.addEventListener('change', function () {\n"
	"    localStorage.setItem('hearth-elder', elder.checked ? '1' : '0'); });\n"
	"} catch (e) { /* storage may be off: the box still works for this page */ }\n"
	"\n"
	"function has(list, v) { return (' ' + (list || '') + ' ').indexOf(' ' + v + ' ') >= 0; }\n"
	"var form = d.getElementById('facet-form'), list = d.getElementById('centre-list');\n"
	"if (form && list) {\n"
	"  var count = d.getElementById('match-count');\n"
	"  form.hidden = false;\n"
	"  var apply = function () {\n"
	"    var c = form.elements.county.value, a = form.elements.age.value,\n"
	"        k = form.elements.care.value, n = 0, i, li, ok;\n"
	"    for (i = 0; i < list.children.length; i++) {\n"
	"      li = list.children[i];\n"
	"      ok = (!c || li.getAttribute('data-county') === c) &&\n"
	"           (!a || has(li.getAttribute('data-age'), a)) &&\n"
	"           (!k || has(li.getAttribute('data-care'), k));\n"
	"      li.hidden = !ok;\n"
	"      if (ok) n++;\n"
	"    }\n"
	"    if (count) count.textContent = n + ' ' + count.getAttribute('data-label');\n"
	"  };\n"
	"  form.addEventListener('change', apply);\n"
	"  form.addEventListener('submit', function (e) { e.preventDefault(); apply(); });\n"
	"  apply();\n"
	"}\n"
	"\n"
	"var sf = d.getElementById('search-form');\n"
	"if (!sf) return;\n"
	"var base = sf.getAttribute('data-index'), out = d.getElementById('results');\n"
	"var shards = {}, docs = null;\n"
	"function cjk(cp) { return (cp >= 0x3400 && cp <= 0x9fff) || (cp >= 0xf900 && cp <= 0xfaff) ||\n"
	"  (cp >= 0x20000 && cp <= 0x2ffff) || (cp >= 0x3040 && cp <= 0x30ff) ||\n"
	"  (cp >= 0xac00 && cp <= 0xd7af); }\n"
	"function tokens(text) {\n"
	"  var t = [], run = [], word = '', chars = Array.from(text), i, ch, cp;\n"
	"  function endRun() { if (run.length === 1) t.push(run[0]);\n"
	"    for (var j = 0; j + 1 < run.length; j++) t.push(run[j] + run[j + 1]); run = []; }\n"
	"  function endWord() { if (word) t.push(word); word = ''; }\n"
	"  for (i = 0; i < chars.length; i++) {\n"
	"    ch = chars[i]; cp = ch.codePointAt(0);\n"
	"    if (cjk(cp)) { endWord(); run.push(ch); }\n"
	"    else if (/[A-Za-z0-9]/.test(ch)) { endRun(); word += ch.toLowerCase(); }\n"
	"    else { endRun(); endWord(); }\n"
	"  }\n"
	"  endRun(); endWord();\n"
	"  return t;\n"
	"}\n"
	"function shard(tok) {\n"
	"  var b = new TextEncoder().encode(Array.from(tok)[0]), h = 0x811c9dc5, i;\n"
	"  for (i = 0; i < b.length; i++) { h ^= b[i]; h = Math.imul(h, 16777619) >>> 0; }\n"
	"  return ('0' + (h % %SHARDS%).toString(16)).slice(-2);\n"
	"}\n"
	"function get(url) { return fetch(url).then(function (r) {\n"
	"  if (!r.ok) throw new Error(url); return r.json(); }); }\n"
	"function load(name) {\n"
	"  if (!shards[name]) shards[name] = get(base + 's/' + name + '.json');\n"
	"  return shards[name];\n"
	"}\n"
	"function lookup(tok) {\n"
	"  return load(shard(tok)).then(function (idx) {\n"
	"    var hits = {}, key, i, single = Array.from(tok).length === 1 || !cjk(tok.codePointAt(0));\n"
	"    for (key in idx) {\n"
	"      if (key === tok || (single && key.indexOf(tok) === 0))\n"
	"        for (i = 0; i < idx[key].length; i++) hits[idx[key][i]] = 1;\n"
	"    }\n"
	"    return hits;\n"
	"  });\n"
	"}\n"
	"function show(q) {\n"
	"  var toks = tokens(q);\n"
	"  out.textContent = '';\n"
	"  if (!toks.length) return;\n"
	"  if (!docs) docs = get(base + 'docs.json');\n"
	"  Promise.all([docs].concat(toks.map(lookup))).then(function (r) {\n"
	"    var all = r[0], found = [], i, j, ok, ol, li, a, p;\n"
	"    for (i = 0; i < all.docs.length; i++) {\n"
	"      for (ok = true, j = 1; j < r.length; j++) if (!r[j][i]) ok = false;\n"
	"      if (ok) found.push(all.docs[i]);\n"
	"    }\n"
	"    p = d.createElement('p');\n"
	"    p.textContent = found.length + ' ' + all.label;\n"
	"    out.appendChild(p);\n"
	"    ol = d.createElement('ol');\n"
	"    for (i = 0; i < found.length && i < 50; i++) {\n"
	"      li = d.createElement('li'); a = d.createElement('a');\n"
	"      a.href = base + '../' + found[i][0]; a.textContent = found[i][1];\n"
	"      li.appendChild(a); li.appendChild(d.createTextNode(' ' + found[i][2]));\n"
	"      ol.appendChild(li);\n"
	"    }\n"
	"    out.appendChild(ol);\n"
	"  }).catch(function () { out.textContent = '?'; });\n"
	"}\n"
	"sf.addEventListener('submit', function (e) {\n"
	"  e.preventDefault();\n"
	"  var q = sf.elements.q.value;\n"
	"  history.replaceState(null, '', '?q=' + encodeURIComponent(q));\n"
	"  show(q);\n"
	"});\n"
	"var m = /[?&]q=([^&]*)/.exec(location.search);\n"
	"if (m) { sf.elements.q.value = decodeURIComponent(m[1].replace(/\\+/g, ' ')); show(sf.elements.q.value); }\n"
	"})();\n";

static const char icon[] =
	"<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 32 32\">"
	"<rect width=\"32\" height=\"32\" rx=\"6\" fill=\"#1d5a85\"/>"
	"<path d=\"M6 17 16 8l10 9v9H19v-6h-6v6H6z\" fill=\"#fff\"/></svg>\n";

int site_assets_write(site_ctx *ctx)
{
	hearth_buf *b;
	const char *p, *mark;
	int rc = 0;

	b = site_files_add(ctx->files, NULL, "assets/site.css");
	if (!b || hearth_buf_puts(b, css) < 0)
		return HEARTH_ERROR;
	b = site_files_add(ctx->files, NULL, "assets/site.js");
	if (!b)
		return HEARTH_ERROR;
	/* the shard count is written once, here, from the C constant */
	for (p = js; rc == 0 && (mark = strstr(p, "%SHARDS%")) != NULL; p = mark + 8) {
		rc = hearth_buf_put(b, p, (size_t)(mark - p));
		if (rc == 0)
			rc = hearth_buf_printf(b, "%d", SITE_SHARDS);
	}
	if (rc == 0)
		rc = hearth_buf_puts(b, p);
	b = rc ? NULL : site_files_add(ctx->files, NULL, "assets/icon.svg");
	if (!b || hearth_buf_puts(b, icon) < 0)
		return HEARTH_ERROR;
	b = site_files_add(ctx->files, NULL, "robots.txt");
	if (!b || hearth_buf_puts(b, "User-agent: *\nAllow: /\n") < 0)
		return HEARTH_ERROR;
	if (*ctx->base_url && hearth_buf_printf(b, "Sitemap: %s/sitemap.xml\n", ctx->base_url) < 0)
		return HEARTH_ERROR;
	return 0;
}
