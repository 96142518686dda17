"""Browser test of the explorer: Voila serves explorer.ipynb, Debian's headless Chromium (driven by Selenium through
Debian's chromedriver) opens it at 1280 px and checks the article's estimates and intervals; moves the N slider with the
keyboard (the generator is kept, the table changes) and back (the article's data return); switches the fitted model in
the menu; runs repeat mode with a small count and waits for the coverage table; adds a third level (the cluster slider C
moved with the keyboard, then the three-level model from the menu: a row for tau, the code adds the clusters, the random
effects tab draws both groups) with screenshots at 1280 and 400 px; checks the layout (the buttons are not
cut, the tabs do not move when another tab is opened, nothing overflows sideways) at 1280 px and at 400 px; and clicks
"Reproduce the article" (the clusters go).

Usage: python test_explorer.py   (from the venv that has hlm_lit, voila and selenium)
Screenshots go to $EXPLORER_SCREENSHOTS (default /tmp/hlm_lit_explorer); their paths are printed."""
import os, re, signal, socket, subprocess, sys, tempfile, time, traceback, urllib.request
from pathlib import Path

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select, WebDriverWait

HERE = Path(__file__).resolve().parent
OUT = Path(os.environ.get('EXPLORER_SCREENSHOTS', '/tmp/hlm_lit_explorer'))
CHROMIUM, CHROMEDRIVER = '/usr/bin/chromium', '/usr/bin/chromedriver'
ARTICLE = {'(Intercept)': 0.97765, 'a': -0.11083, 'x': 3.06704, 'x:a': 0.35768, 'sd_(Intercept)|unit': 0.17748,
           'sd_x|unit': 0.53314, 'cor_x.(Intercept)|unit': 0.91469, 'sigma': 0.75109}
NREP = int(os.environ.get('EXPLORER_NREP', '8'))                 # repeat mode's count in the test


def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0)); return s.getsockname()[1]


def start_voila(port, log):
    "Voila on 127.0.0.1:port serving explorer.ipynb, in its own process group"
    cmd = [sys.executable, '-m', 'voila', str(HERE / 'explorer.ipynb'), '--no-browser', f'--port={port}',
           '--Voila.ip=127.0.0.1', '--show_tracebacks=True']
    env = dict(os.environ, MPLBACKEND='Agg')
    return subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, start_new_session=True, env=env, cwd=HERE)


def wait_http(url, proc, timeout=90):
    t0 = time.time()
    while time.time() - t0 < timeout:
        if proc.poll() is not None: raise RuntimeError(f'voila exited with code {proc.returncode}')
        try:
            with urllib.request.urlopen(url, timeout=5) as r:
                if r.status == 200: return
        except OSError: time.sleep(0.5)
    raise TimeoutError(f'voila did not answer at {url} within {timeout} s')


def browser(profile):
    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for a in ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking',
              '--disable-component-update', '--no-first-run', '--disable-extensions', '--disable-sync',
              f'--user-data-dir={profile}', '--window-size=1400,1000', '--hide-scrollbars']:
        opts.add_argument(a)
    return webdriver.Chrome(service=Service(CHROMEDRIVER), options=opts)


def table(d):
    "The estimates table as {parameter: [true, estimate, se, Wald, profile, df, p]} (strings), or None while it is not there"
    rows = d.execute_script("""return Array.from(document.querySelectorAll('table.hlm-truth tbody tr'),
                                  r => Array.from(r.querySelectorAll('td'), c => c.textContent.trim()));""")
    return {r[0].split(' (')[0]: r[1:] for r in rows} if rows else None


def status(d):
    return d.execute_script("const e = document.querySelector('.hlm-status'); return e ? e.textContent : '';")


def status_class(d):
    return d.execute_script("const e = document.querySelector('.hlm-status'); return e ? e.className : '';")


def num(s): return float(s.replace('−', '-'))


def settled(d):
    "The explorer has finished a refit (a final status, not a busy one)"
    return table(d) is not None and 'figure after' in status(d) and 'hlm-busy' not in status_class(d)


def control(d, kind, label):
    "The input element of a labelled ipywidgets control (kind: 'dropdown' -> select, 'text' -> input)"
    tag = 'select' if kind == 'dropdown' else 'input'
    return d.find_element(By.XPATH, f"//div[contains(@class,'widget-{kind}')][.//label[normalize-space()='{label}']]//{tag}")


def layout_report(d):
    "Sizes that reveal the layout faults: page overflow, a cut button, the tab bar's position"
    return d.execute_script("""
        const bar = document.querySelector('.hlm-explorer .lm-TabBar, .hlm-explorer .p-TabBar');
        const root = document.querySelector('.hlm-explorer').getBoundingClientRect();   // relative to the widget: the
        const r = bar ? bar.getBoundingClientRect() : null;                             // page may scroll in a container
        const cut = Array.from(document.querySelectorAll('.hlm-explorer button'))
            .filter(b => b.offsetParent !== null && b.scrollWidth > b.clientWidth + 1).map(b => b.textContent.trim());
        return {page: document.documentElement.scrollWidth, view: window.innerWidth, cut: cut,
                bar: r ? [Math.round(r.left - root.left), Math.round(r.top - root.top)] : null};""")


def slider_handle(d, label):
    "The handle of a labelled slider (focus it with a click, move it with the arrow keys)"
    return d.find_element(By.XPATH, f"//div[contains(@class,'widget-hslider')][.//label[normalize-space()='{label}']]"
                                    "//div[contains(@class,'noUi-handle')]")


def open_tab(d, title):
    d.find_element(By.XPATH, f"//li[contains(@class,'TabBar-tab')][.//*[normalize-space()='{title}']]").click()


def shot(d, shots, name, width, height=2600):
    "A screenshot of the page at a width (tall, so the whole explorer is in it)"
    d.set_window_size(width, height); time.sleep(0.8)
    shots.append(OUT / name); d.save_screenshot(str(shots[-1]))


def check_article(d):
    t = table(d)
    assert set(t) == set(ARTICLE), f'table rows {sorted(t)}'
    for k, v in ARTICLE.items():
        assert abs(num(t[k][1]) - v) < 1e-4, f'{k}: estimate {t[k][1]} in the browser, lme4/article {v}'
    assert "article's data" in status(d) and 'N=30' in status(d), status(d)
    return t


def stable_layout(d):
    "The layout report once it has stopped changing (the page reflows for a moment after a resize or a new figure)"
    last = None
    for _ in range(40):
        time.sleep(0.25)
        now = layout_report(d)
        if now == last: return now
        last = now
    return last


def check_layout(d, width):
    "At this width: no sideways overflow, no cut button, and the tab bar stays put when the widest figure's tab opens"
    d.set_window_size(width, 1400)
    a = stable_layout(d)
    open_tab(d, 'residuals'); WebDriverWait(d, 60, 0.1).until(lambda d: 'hlm-busy' not in status_class(d))
    b = stable_layout(d)
    open_tab(d, 'intervals'); stable_layout(d)
    assert a['page'] <= a['view'] + 1 and b['page'] <= b['view'] + 1, f'{width} px: the page overflows sideways: {a}, {b}'
    assert not a['cut'] and not b['cut'], f'{width} px: buttons cut: {a["cut"]} {b["cut"]}'
    assert a['bar'] == b['bar'], f'{width} px: the tab bar moved from {a["bar"]} to {b["bar"]} when the residuals tab opened'
    print(f'layout at {width} px: page {a["page"]} px wide in a {a["view"]} px window, no button cut, tab bar at {a["bar"]} on both tabs')


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    port = free_port()
    url = f'http://127.0.0.1:{port}/'
    log_path = OUT / 'voila.log'
    shots = []
    with open(log_path, 'w') as log, tempfile.TemporaryDirectory(prefix='hlm-chromium-') as profile:
        proc = start_voila(port, log)
        d = None
        try:
            wait_http(url, proc)
            d = browser(profile)
            d.set_page_load_timeout(180)
            t0 = time.time()
            d.get(url)
            WebDriverWait(d, 300, 0.2).until(settled)
            print(f'explorer rendered {time.time() - t0:.1f} s after the page was requested')
            WebDriverWait(d, 30, 0.2).until(lambda d: all(i.get_attribute('naturalWidth') not in (None, '0')
                                                           for i in d.find_elements(By.CSS_SELECTOR, '.hlm-explorer img')[:1]))
            # 1. the article's settings and data: the article's estimates, with Wald and profile intervals
            t = check_article(d)
            assert t['sd_x|unit'][4] == '[0.406, 0.681]' and t['x:a'][3] == '[0.135, 0.580]' and t['x:a'][5] == '28.0', t
            print('article table in the browser: ' + ', '.join(f'{k} {t[k][1]}' for k in ARTICLE))
            d.execute_script('window.scrollTo(0, 0)')
            shot(d, shots, 'explorer_1280_article.png', 1280)
            # 2. the layout at 1280 px and at 400 px (a phone)
            check_layout(d, 1280)
            check_layout(d, 400)
            d.set_window_size(1280, 1400)
            # 3. move the N slider one step with the keyboard (a released slider sends one value): the generator is kept
            handle = d.find_element(By.XPATH, "//div[contains(@class,'widget-hslider')][.//label[normalize-space()='N']]"
                                              "//div[contains(@class,'noUi-handle')]")
            handle.click()                                  # focus the handle (a click on it does not move it)
            WebDriverWait(d, 60, 0.1).until(settled)
            base = table(d)
            t1 = time.perf_counter()
            handle.send_keys(Keys.ARROW_RIGHT)
            WebDriverWait(d, 60, 0.02).until(lambda d: table(d) is not None and table(d) != base and 'N=31' in status(d))
            dt = time.perf_counter() - t1
            WebDriverWait(d, 120, 0.05).until(settled)
            t = table(d)
            changed = [k for k in ARTICLE if t[k][1] != base[k][1]]
            assert len(changed) >= 6, f'only {changed} changed'
            assert 'R generator seed 2345' in status(d) and 'hlm-ok' in status_class(d), status(d)
            print(f'N slider 30 -> 31: {len(changed)} of {len(ARTICLE)} estimates changed, key press -> new table {1000*dt:.0f} ms; '
                  f'status: {status(d)}')
            handle.send_keys(Keys.ARROW_LEFT)               # back to N = 30: the article's data again, no button
            WebDriverWait(d, 120, 0.05).until(lambda d: settled(d) and 'N=30' in status(d))
            check_article(d)
            print('N slider 31 -> 30: the article\'s data and estimates are back')
            # 4. switch the fitted model in the menu
            Select(control(d, 'dropdown', 'model')).select_by_visible_text('omitting a')
            WebDriverWait(d, 120, 0.05).until(lambda d: settled(d) and 'y ~ x + (1 + x | unit)' in status(d))
            t = table(d)
            assert 'a' not in t and 'x:a' not in t and '(Intercept)' in t, sorted(t)
            assert abs(num(t['sd_(Intercept)|unit'][0]) - 0.25) < 1e-4, t['sd_(Intercept)|unit']   # the marginal truth
            assert control(d, 'text', 'lmer').get_attribute('value') == 'y ~ x + (1 + x | unit)'
            assert 'y ~ x + (1 + x | unit)' in d.find_element(By.CSS_SELECTOR, '.hlm-explorer textarea').get_attribute('value')
            print(f'model menu -> "omitting a": table rows {sorted(t)}; formula box and code follow')
            shot(d, shots, 'explorer_1280_model.png', 1280)
            # 5. repeat mode with a small count
            box = control(d, 'text', '×')
            box.send_keys(Keys.CONTROL, 'a'); box.send_keys(str(NREP), Keys.ENTER)
            WebDriverWait(d, 30, 0.1).until(lambda d: d.find_elements(By.XPATH, f"//button[contains(., 'Repeat {NREP}×')]"))
            t1 = time.perf_counter()
            d.find_element(By.XPATH, f"//button[contains(., 'Repeat {NREP}×')]").click()
            WebDriverWait(d, 600, 0.1).until(lambda d: f'Repeated {NREP}×' in status(d))
            cov = d.execute_script("""return Array.from(document.querySelectorAll('table.hlm-coverage tbody tr'),
                                         r => Array.from(r.querySelectorAll('td'), c => c.textContent.trim()));""")
            assert len(cov) == 6, cov                     # the 6 parameters of the model without a
            assert f'{NREP} replications' in d.execute_script("return document.querySelector('table.hlm-coverage').closest('.widget-html').textContent")
            print(f'repeat {NREP}x in the browser: {time.perf_counter() - t1:.1f} s, coverage table rows: '
                  + '; '.join(f'{r[0]} {r[5]}' for r in cov))
            shot(d, shots, 'explorer_1280_repeat.png', 1280)
            shot(d, shots, 'explorer_400_repeat.png', 400, 3600)
            d.set_window_size(1280, 1400)
            # 6. a third level: five steps of the cluster slider with the keyboard, then the three-level model from the menu
            handle = slider_handle(d, 'C')
            handle.click(); time.sleep(0.5)                 # focus (the status still reports the repeat run)
            for _ in range(5): handle.send_keys(Keys.ARROW_RIGHT)
            WebDriverWait(d, 180, 0.05).until(lambda d: settled(d) and 'in C=5 clusters (τ = 0.30)' in status(d))
            two = table(d)
            assert 'sd_(Intercept)|cluster' not in two, sorted(two)
            assert abs(num(two['sd_(Intercept)|unit'][0]) - (0.2**2 + 0.15**2 + 0.3**2)**0.5) < 1e-4, two['sd_(Intercept)|unit']
            Select(control(d, 'dropdown', 'model')).select_by_visible_text('three-level model')
            f3 = 'y ~ x + a + x*a + (1 + x | unit) + (1 | cluster)'
            WebDriverWait(d, 180, 0.05).until(lambda d: settled(d) and f3 in status(d))
            t = table(d)
            assert list(t)[:5] == ['sd_(Intercept)|unit', 'cor_x.(Intercept)|unit', 'sd_x|unit', 'sd_(Intercept)|cluster', 'sigma'], list(t)
            assert num(t['sd_(Intercept)|cluster'][0]) == 0.3 and t['sd_(Intercept)|cluster'][3].startswith('['), t['sd_(Intercept)|cluster']
            assert 0 < num(t['(Intercept)'][5]) < 10, t['(Intercept)']           # Satterthwaite df of a cluster-level effect
            code = d.find_element(By.CSS_SELECTOR, '.hlm-explorer textarea').get_attribute('value')
            assert 'add_clusters(sim, 5, 0.3, rng)' in code and f3 in code, code
            open_tab(d, 'random effects'); WebDriverWait(d, 60, 0.1).until(lambda d: 'hlm-busy' not in status_class(d))
            print(f'clusters C=5 (keyboard) and the three-level model: tau {t["sd_(Intercept)|cluster"][1]} (true 0.3), '
                  f'Wald {t["sd_(Intercept)|cluster"][3]}, df of the intercept {t["(Intercept)"][5]}; status: {status(d)}')
            shot(d, shots, 'explorer_1280_clusters.png', 1280)
            shot(d, shots, 'explorer_400_clusters.png', 400, 3600)
            d.set_window_size(1280, 1400)
            open_tab(d, 'intervals')
            # 7. the button brings the article back
            d.find_element(By.XPATH, "//button[contains(., 'Reproduce the article')]").click()
            WebDriverWait(d, 120, 0.05).until(lambda d: settled(d) and "article's data" in status(d) and '(Intercept)' in table(d)
                                              and abs(num(table(d)['(Intercept)'][1]) - ARTICLE['(Intercept)']) < 1e-4)
            check_article(d)
            assert 'cluster' not in status(d), status(d)
            print('"Reproduce the article" restored the article\'s model, data (no clusters) and table')
        except Exception:
            traceback.print_exc()
            if d is not None:
                shots.append(OUT / 'explorer_failure.png'); d.save_screenshot(str(shots[-1]))
                print('status line:', status(d))
            print(f'--- voila log ({log_path}) ---\n' + log_path.read_text()[-4000:])
            for s in shots: print(f'screenshot: {s}')
            print('explorer browser test: FAILED')
            return 1
        finally:
            if d is not None: d.quit()
            try: os.killpg(proc.pid, signal.SIGTERM); proc.wait(20)
            except (ProcessLookupError, subprocess.TimeoutExpired): os.killpg(proc.pid, signal.SIGKILL)
    for s in shots: print(f'screenshot: {s}')
    print('explorer browser test: passed')
    return 0


if __name__ == '__main__':
    sys.exit(main())
