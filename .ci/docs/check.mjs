// Browser check of the offline docs that .ci/docs/build.py wrote (usage: node check.mjs SITE_DIR [SCREENSHOT_DIR]).
//
// Serves SITE_DIR on 127.0.0.1 with Python's http.server (started and stopped here), opens every page of
// SITE_DIR/_manifest.json in Debian's headless chromium (Playwright, no browser download) and fails on:
//  - a console error or uncaught exception, a failed request or an HTTP error (missing script, font, image, page);
//  - any request to anything but the local server (requests leaving the machine are counted, and aborted);
//  - TeX left untypeset after MathJax finished ($...$, $$...$$, \(...\), \[...\], \begin{...}) or a MathJax error;
//  - a widget output that the widget manager did not render (pages with saved widget state);
//  - an image that did not load; a link to a local page or anchor that does not exist;
//  - an exported function or class of the package (manifest's required_api) without show_doc output on any page;
//  - a page without the sidebar, or without its prev/next links;
//  - what a reader sees as broken: control characters in a cell (a backslash eaten by a Python string), TeX left
//    raw ($ before a TeX command, e.g. a formula broken by a Markdown list), a raw pipe table, a table pandas
//    truncated, content clipped at the right edge (wider than its box, which does not scroll), warnings or
//    tracebacks in outputs, numpy scalar reprs (np.float64(...)), raw Markdown links or a guessed NoneType
//    (`x:NoneType=None`) in an API signature.
// Saves full-page screenshots of the landing page and of the first chapter with API docs, and prints where.
import { chromium } from 'playwright-core';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';

const site = path.resolve(process.argv[2] || '_site');
const shotDir = path.resolve(process.argv[3] || '_docs_check');
const python = process.env.PYTHON || 'python3';
const chromiumPath = process.env.CHROMIUM || '/usr/bin/chromium';
const widgetTimeout = Number(process.env.DOCS_WIDGET_TIMEOUT_MS || 30000);
const manifest = JSON.parse(fs.readFileSync(path.join(site, '_manifest.json'), 'utf8'));

const failures = [];
const fail = (where, msg) => { failures.push(`${where}: ${msg}`); console.log(`FAIL ${where}: ${msg}`); };

function serve() {
  // port 0: the OS picks a free port, which http.server prints
  const proc = spawn(python, ['-u', '-m', 'http.server', '0', '--bind', '127.0.0.1', '--directory', site],
                     { stdio: ['ignore', 'pipe', 'ignore'] });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('http.server did not start in 20 s')), 20000);
    proc.on('exit', (code) => reject(new Error(`http.server exited with ${code}`)));
    readline.createInterface({ input: proc.stdout }).on('line', (line) => {
      const m = line.match(/port (\d+)/);
      if (m) { clearTimeout(timer); resolve({ proc, port: Number(m[1]) }); }
    });
  });
}

// Runs in the page: everything the checks need from the rendered DOM.
function inspectPage() {
  const body = document.body.cloneNode(true);
  body.querySelectorAll('script, style, pre, code, textarea, .MathJax_Preview, .mjx-chtml, .MathJax_CHTML, ' +
                        '.MathJax, .MathJax_Display, .MJX_Assistive_MathML, mjx-container').forEach((e) => e.remove());
  const text = body.textContent;
  const tex = [];
  const patterns = [/\$\$[\s\S]+?\$\$/g, /\\\([\s\S]+?\\\)/g, /\\\[[\s\S]+?\\\]/g, /\\begin\{[a-z*]+\}/g,
                    /(?<![\\$])\$(?=\S)[^$\n]+?(?<=\S)\$(?!\$)/g];
  for (const re of patterns) for (const m of text.matchAll(re)) tex.push(m[0].slice(0, 80));
  const heads = 'h1, h2, h3, h4, h5';
  const main = document.querySelector('main.site-content') || document.body;
  const short = (t) => JSON.stringify(t.replace(/\s+/g, ' ').trim().slice(0, 70));
  const reader = [];
  // control characters (not tab, newline, carriage return) anywhere in the page's text, code included
  const all = main.textContent;
  for (const m of all.matchAll(/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/g)) {
    reader.push(`control character U+${m[0].charCodeAt(0).toString(16).padStart(4, '0')} in ` +
                short(all.slice(Math.max(0, m.index - 30), m.index + 30)));
  }
  // raw TeX: a $ that opens a TeX command, or a TeX command, outside code and typeset math
  for (const m of text.matchAll(/(?<![\\$\w])\$(?=\\[A-Za-z])[^\n]{0,40}|\\(?:hat|frac|mathrm|boldsymbol|alpha|beta|sigma|phi|theta|lambda|Lambda|sum|sqrt|text|left|right)\b[^\n]{0,30}/g)) {
    reader.push(`raw TeX: ${short(m[0])}`);
  }
  // a Markdown pipe table that was not rendered
  for (const m of text.matchAll(/\|[ \t]*:?-{3,}:?[ \t]*\|/g)) reader.push(`raw pipe table: ${short(text.slice(Math.max(0, m.index - 60), m.index + 10))}`);
  // outputs: truncated tables, warnings and tracebacks, numpy scalar reprs
  for (const o of main.querySelectorAll('.jp-OutputArea-output')) {
    const t = o.textContent;
    const trunc = t.match(/\[\d+ rows x \d+ columns\]/) ||
      [...o.querySelectorAll('tr')].find((tr) => { const c = [...tr.children]; return c.length > 1 && c.filter((x) => x.textContent.trim() === '...').length >= c.length - 1; });
    if (trunc) reader.push(`pandas truncated a table: ${short(Array.isArray(trunc) ? trunc[0] : trunc.textContent)}`);
    if (o.getAttribute('data-mime-type') === 'application/vnd.jupyter.stderr' || /Traceback \(most recent call last\)|\w+Warning: /.test(t)) {
      reader.push(`warning or traceback in an output: ${short(t)}`);
    }
    for (const m of t.matchAll(/np\.(?:float|int)\d+\(/g)) reader.push(`numpy scalar repr in an output: ${short(t.slice(m.index, m.index + 40))}`);
  }
  // API signatures: raw Markdown links, and the NoneType that docments guesses from a default of None
  for (const c of main.querySelectorAll('.celltag_nbdev-show-doc')) {
    for (const e of c.querySelectorAll('pre, code, .hlm-sig')) {
      const m = e.textContent.match(/\[`?[^\]\n]+`?\]\((?:https?:|[\w./-]+\.html)[^)]*\)/);
      if (m) reader.push(`raw Markdown in a signature: ${short(m[0])}`);
      const n = e.textContent.match(/\w+:NoneType=None/);
      if (n) reader.push(`guessed NoneType in a signature: ${short(n[0])}`);
    }
  }
  // clipped: content wider than its box, in a box that does not scroll sideways
  const scrolls = (e) => ['auto', 'scroll'].includes(getComputedStyle(e).overflowX);
  const right = main.getBoundingClientRect().right;
  for (const e of main.querySelectorAll('pre, table, .hlm-sig, img, svg, .jp-OutputArea-output, .jp-RenderedHTMLCommon > p')) {
    if (e.closest('.MathJax, .MathJax_Display, .mjx-chtml, mjx-container')) continue;
    let anc = e, scrollable = false;
    while (anc && anc !== main) { if (anc !== e && scrolls(anc) && anc.scrollWidth > anc.clientWidth) { scrollable = true; break; } anc = anc.parentElement; }
    if (scrollable) continue;
    const own = e.scrollWidth > e.clientWidth + 1 && !scrolls(e) && getComputedStyle(e).display !== 'inline';
    const out = e.getBoundingClientRect().right > right + 1;
    if (own || out) reader.push(`clipped at the right edge: <${e.tagName.toLowerCase()}> ${short(e.textContent || e.getAttribute('src') || '')}`);
  }
  return {
    reader,
    tex,
    mathErrors: [...document.querySelectorAll('.mjx-merror, .MathJax_Error, merror')].map((e) => e.textContent.slice(0, 80)),
    typeset: document.querySelectorAll('.mjx-chtml, .MathJax_CHTML, mjx-container').length,
    links: [...document.querySelectorAll('a[href]')].map((a) => a.href),
    ids: [...document.querySelectorAll('[id]')].map((e) => e.id)
      .concat([...document.querySelectorAll('a[name]')].map((a) => a.name)),
    badImages: [...document.images].filter((i) => !(i.complete && i.naturalWidth > 0)).map((i) => i.src.slice(0, 100)),
    images: document.images.length,
    apiDocs: [...document.querySelectorAll('.celltag_nbdev-show-doc')].flatMap(
      (c) => [...c.querySelectorAll(heads)].map((h) => h.textContent.replace('¶', '').trim())),
    sidebarLinks: document.querySelectorAll('nav.site-sidebar a').length,
    prev: document.querySelector('nav.page-nav a[rel=prev]')?.href ?? null,
    next: document.querySelector('nav.page-nav a[rel=next]')?.href ?? null,
    title: document.querySelector('h1.title')?.textContent ?? '',
  };
}

// MathJax has typeset the page: the template's flag (MathJax 2's "End" startup hook), or MathJax 3's startup promise
const mathJaxDone = () => !window.MathJax || window.mathjaxTypeset === true || window.mathjax3Typeset === true ||
  (window.MathJax.startup?.promise?.then(() => { window.mathjax3Typeset = true; }), false);
const mathJaxState = () => JSON.stringify({ present: !!window.MathJax, ready: window.MathJax?.isReady,
  queue: window.MathJax?.Hub?.queue && { running: MathJax.Hub.queue.running, pending: MathJax.Hub.queue.pending },
  math: document.querySelectorAll('script[type^="math/tex"]').length });

const widgetsRendered = () => [...document.querySelectorAll('script[type="application/vnd.jupyter.widget-view+json"]')]
  .every((s) => { const sub = s.previousElementSibling; return sub && sub.classList.contains('widget-subarea') && sub.children.length > 0; });

async function main() {
  const { proc: server, port } = await serve();
  const base = `http://127.0.0.1:${port}/`;
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hlm-docs-chromium-'));
  const external = [];
  let context;
  try {
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: chromiumPath, headless: true, viewport: { width: 1280, height: 900 },
      args: ['--no-sandbox', '--headless', '--disable-gpu', '--disable-quic', '--no-first-run',
             '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    const local = (u) => u.startsWith(base) || /^(data|blob|about):/.test(u);
    await context.route('**/*', (route) => {
      const u = route.request().url();
      if (local(u)) return route.continue();
      external.push(u);
      return route.abort('blockedbyclient');
    });
    fs.mkdirSync(shotDir, { recursive: true });
    const results = {};
    let apiShot = null;
    for (const p of manifest.pages) {
      const where = p.href;
      const page = await context.newPage();
      page.on('console', (m) => { if (m.type() === 'error') fail(where, `console error: ${m.text()}`); });
      page.on('pageerror', (e) => fail(where, `uncaught exception: ${e.message}`));
      page.on('requestfailed', (r) => { if (local(r.url())) fail(where, `request failed: ${r.url()} (${r.failure()?.errorText})`); });
      page.on('response', (r) => { if (r.status() >= 400) fail(where, `HTTP ${r.status()} for ${r.url()}`); });
      const resp = await page.goto(base + p.href, { waitUntil: 'load', timeout: 60000 });
      if (!resp || !resp.ok()) { fail(where, `page did not load (${resp?.status()})`); await page.close(); continue; }
      try { await page.waitForFunction(mathJaxDone, null, { timeout: 60000, polling: 100 }); }
      catch { fail(where, `MathJax did not finish in 60 s: ${await page.evaluate(mathJaxState)}`); }
      let widgets = '';
      if (p.widgets) {
        try { await page.waitForFunction(widgetsRendered, null, { timeout: widgetTimeout }); widgets = ', widgets rendered'; }
        catch { widgets = ', widgets NOT rendered'; fail(where, `the widget manager did not render every widget output within ${widgetTimeout} ms`); }
        await page.waitForTimeout(500);
      }
      const r = await page.evaluate(inspectPage);
      results[p.href] = r;
      for (const t of r.tex) fail(where, `untypeset TeX: ${JSON.stringify(t)}`);
      for (const t of r.mathErrors) fail(where, `MathJax error: ${JSON.stringify(t)}`);
      for (const t of [...new Set(r.reader)]) fail(where, t);
      for (const s of r.badImages) fail(where, `image did not load: ${s}`);
      if (!r.title.trim()) fail(where, 'no page title');
      if (r.sidebarLinks < manifest.pages.length) {
        fail(where, `the sidebar has ${r.sidebarLinks} links for ${manifest.pages.length} pages`);
      }
      const abs = (h) => (h ? new URL(h, base).href : null);
      if (abs(p.prev) !== r.prev || abs(p.next) !== r.next) {
        fail(where, `prev/next links are ${r.prev} and ${r.next}, not ${p.prev} and ${p.next} (sidebar order)`);
      }
      if (p.href === manifest.landing) {
        const f = path.join(shotDir, 'landing.png');
        await page.screenshot({ path: f, fullPage: true });
        console.log(`screenshot of the landing page: ${f}`);
      } else if (!apiShot && r.apiDocs.length) {
        apiShot = path.join(shotDir, 'chapter.png');
        await page.screenshot({ path: apiShot, fullPage: true });
        console.log(`screenshot of a chapter (${p.href}): ${apiShot}`);
      }
      console.log(`checked ${p.href}: ${r.typeset} formulas typeset, ${r.images} images, ${r.links.length} links, ` +
                  `${r.apiDocs.length} API entries${widgets}`);
      await page.close();
    }
    // links: every local link to an existing file, and to an existing anchor on a page
    const pageIds = Object.fromEntries(Object.entries(results).map(([h, r]) => [h, new Set(r.ids)]));
    let externalLinks = 0;
    for (const [from, r] of Object.entries(results)) {
      for (const href of r.links) {
        if (!href.startsWith(base)) { if (/^https?:/.test(href)) externalLinks += 1; continue; }
        const u = new URL(href);
        let rel = decodeURIComponent(u.pathname).replace(/^\//, '');
        if (rel === '' || rel.endsWith('/')) rel += 'index.html';
        if (!fs.existsSync(path.join(site, rel))) { fail(from, `broken link: ${href.slice(base.length)}`); continue; }
        const frag = decodeURIComponent(u.hash.replace(/^#/, ''));
        if (frag && pageIds[rel] && !pageIds[rel].has(frag)) fail(from, `broken link: ${rel} has no anchor #${frag}`);
      }
    }
    // API docs: every exported function and class has show_doc output on some page
    const documented = new Set(Object.values(results).flatMap((r) => r.apiDocs));
    const missing = manifest.required_api.filter((s) => !documented.has(s.name));
    for (const s of missing) fail(`${s.module}.${s.name}`, 'exported, but no page shows its API docs (show_doc)');
    const members = manifest.member_api.filter((s) => !documented.has(s.name));
    console.log(`API docs: ${manifest.required_api.length - missing.length}/${manifest.required_api.length} exported ` +
                `functions and classes shown; public members without their own entry (not required): ` +
                (members.length ? members.map((s) => s.name).join(', ') : 'none'));
    if (external.length) fail('network', `${external.length} request(s) to outside the local server: ` +
                              [...new Set(external)].slice(0, 10).join(', '));
    console.log(`requests to outside the local server: ${external.length}; links to outside pages (not followed): ${externalLinks}`);
  } finally {
    if (context) await context.close();
    server.kill();
    fs.rmSync(userDataDir, { recursive: true, force: true });
  }
  console.log(`docs browser check: ${manifest.pages.length} pages, ${failures.length} failure(s)`);
  return failures.length ? 1 : 0;
}

main().then((code) => process.exit(code), (e) => { console.error(e); process.exit(2); });
