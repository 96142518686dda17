// Self-test of the browser check (usage: node selftest.mjs SITE_DIR): a check that cannot fail checks nothing.
// Copies SITE_DIR, plants one fault of each kind that check.mjs looks for in the landing page (and removes the
// widget manager from a page with widgets), runs check.mjs on those pages, and fails unless check.mjs failed and
// named every planted fault.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const site = path.resolve(process.argv[2] || '_site');
const copy = fs.mkdtempSync(path.join(os.tmpdir(), 'hlm-docs-selftest-'));
try {
  fs.cpSync(site, copy, { recursive: true });
  const manifest = JSON.parse(fs.readFileSync(path.join(copy, '_manifest.json'), 'utf8'));
  const landing = manifest.pages.find((p) => p.href === manifest.landing);
  const widgetPage = manifest.pages.find((p) => p.widgets);
  const planted = `
<div class="selftest">
<p class="tex2jax_ignore">selftest: $x^2 + y$ left as TeX</p>
<p>selftest: a TeX error $\\selftestUndefinedMacro{x}$</p>
<img src="https://selftest.invalid/outside.png" alt="">
<img src="selftest-missing.png" alt="">
<a href="selftest-missing-page.html">a missing page</a>
<a href="${landing.href}#selftest-no-such-anchor">a missing anchor</a>
<script>console.error('selftest console error');</script>
<pre>selftest: \u0008eta lost its backslash</pre>
<p>selftest: a formula split by a list $\\hat\\beta_i = \\hat\\phi_0</p>
<p>| selftest | pipe |
|---|---|
| raw | table |</p>
<div class="jp-OutputArea-output"><pre>selftest truncated
[62 rows x 14 columns]</pre></div>
<div style="width: 200px"><pre style="overflow: hidden; white-space: pre">selftest_clipped = "a line far too long for its box, which neither wraps nor scrolls"</pre></div>
<div class="jp-OutputArea-output" data-mime-type="application/vnd.jupyter.stderr"><pre>selftest.py:1: SingularFitWarning: singular fit</pre></div>
<div class="jp-OutputArea-output"><pre>np.float64(2225.699)</pre></div>
<div class="celltag_nbdev-show-doc"><h3>selftest_signature</h3><pre>def f(fit, # an [\`LmerFit\`](https://selftest.invalid/lmer.html#lmerfit)
    rng:NoneType=None):</pre></div>
<script>window.addEventListener('load', () => { throw new Error('selftest uncaught'); });</script>
</div>
</main>`;
  const file = path.join(copy, landing.href);
  const html = fs.readFileSync(file, 'utf8');
  if (!html.includes('</main>')) throw new Error(`${landing.href} has no </main>`);
  fs.writeFileSync(file, html.replace('</main>', planted));
  const expected = [
    'untypeset TeX: "$x^2 + y$"', 'MathJax error', 'TeX parse error', 'request(s) to outside the local server',
    'image did not load: https://selftest.invalid', 'HTTP 404 for', 'broken link: selftest-missing-page.html',
    'has no anchor #selftest-no-such-anchor', 'console error: selftest console error',
    'uncaught exception: selftest uncaught', 'hlm_lit.selftest.not_documented: exported, but no page shows',
    'prev/next links are',
    'control character U+0008', 'raw TeX: "$\\\\hat\\\\beta_i', 'raw pipe table', 'pandas truncated a table: "[62 rows x 14 columns]"',
    'clipped at the right edge: <pre> "selftest_clipped', 'warning or traceback in an output: "selftest.py:1: SingularFitWarning',
    'numpy scalar repr in an output: "np.float64(2225.699)', 'raw Markdown in a signature: "[`LmerFit`](https://selftest.invalid', 'guessed NoneType in a signature: "rng:NoneType=None',
  ];
  landing.next = 'selftest-next.html';
  const pages = [landing];
  if (widgetPage && widgetPage !== landing) {
    fs.rmSync(path.join(copy, '_static', 'widgets', 'embed.js'));
    pages.push(widgetPage);
    expected.push(`${widgetPage.href}: the widget manager did not render`, '_static/widgets/embed.js');
  } else console.log('selftest: no page with widgets, so the widget check is not tested');
  manifest.pages = pages;
  manifest.required_api = [{ module: 'hlm_lit.selftest', name: 'not_documented', page: 'x.html#x' }];
  manifest.member_api = [];
  fs.writeFileSync(path.join(copy, '_manifest.json'), JSON.stringify(manifest));

  const r = spawnSync(process.execPath, [path.join(here, 'check.mjs'), copy, path.join(copy, '_shots')],
                      { encoding: 'utf8', env: { ...process.env, DOCS_WIDGET_TIMEOUT_MS: '5000' }, timeout: 300000 });
  const out = `${r.stdout}\n${r.stderr}`;
  const missed = expected.filter((e) => !out.includes(e));
  if (r.status !== 1 || missed.length || process.env.DOCS_SELFTEST_VERBOSE) {
    console.log(out);
  }
  if (r.status !== 1 || missed.length) {
    console.log(`selftest FAILED: check.mjs exited ${r.status} (expected 1); faults it did not report: ` +
                (missed.length ? missed.join(' | ') : 'none'));
    process.exitCode = 1;
  } else {
    console.log(`selftest: check.mjs failed as it should and reported all ${expected.length} planted faults`);
  }
} finally {
  fs.rmSync(copy, { recursive: true, force: true });
}
