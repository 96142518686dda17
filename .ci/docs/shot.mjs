// Screenshot one element of a built page, for reading a page as a reader would (not part of CI):
//   python3 -m http.server 8765 -d _site &   node .ci/docs/shot.mjs http://localhost:8765/05_reml.html 'h2:has-text("The gradient")' out.png 1200
import { chromium } from 'playwright-core';
const [,, url, sel, out, h] = process.argv;
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
const page = await browser.newPage({ viewport: { width: 1280, height: Number(h || 1400) } });
await page.goto(url, { waitUntil: 'load' });
await page.waitForTimeout(2500);
const el = await page.$(sel);
await el.scrollIntoViewIfNeeded();
await el.evaluate(e => e.scrollIntoView());
await page.waitForTimeout(500);
await page.screenshot({ path: out });
await browser.close();
