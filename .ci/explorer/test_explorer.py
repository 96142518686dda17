"""Browser test of the explorer: Voila serves explorer.ipynb, Debian's headless Chromium (driven by Selenium through
Debian's chromedriver) opens it, checks the article's estimates, moves the N slider with the keyboard, checks that the
estimates table changes, clicks "Reproduce the article", and checks that the article's table comes back.

Usage: python test_explorer.py   (from the venv that has hlm_lit, voila and selenium)
Screenshots go to $EXPLORER_SCREENSHOTS (default /tmp/hlm_lit_explorer); their paths are printed."""
import os, re, signal, socket, subprocess, sys, tempfile, time, traceback, urllib.request
from pathlib import Path

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

HERE = Path(__file__).resolve().parent
OUT = Path(os.environ.get('EXPLORER_SCREENSHOTS', '/tmp/hlm_lit_explorer'))
CHROMIUM, CHROMEDRIVER = '/usr/bin/chromium', '/usr/bin/chromedriver'
ARTICLE = dict(phi0=0.97765, phi1=-0.11083, phi2=3.06704, phi3=0.35768, q=0.17748, s=0.53314, r=0.91469, sigma=0.75109)


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
    "The estimates table as {parameter: [true, estimate, std. error, z]} (strings), or None while it is not there"
    rows = d.execute_script("""return Array.from(document.querySelectorAll('table.hlm-truth tbody tr'),
                                  r => Array.from(r.querySelectorAll('td'), c => c.textContent.trim()));""")
    return {r[0]: r[2:] for r in rows} if rows else None


def status(d):
    return d.execute_script("const e = document.querySelector('.hlm-status'); return e ? e.textContent : '';")


def num(s): return float(s.replace('−', '-'))


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
            d.set_page_load_timeout(120)
            t0 = time.time()
            d.get(url)
            WebDriverWait(d, 180, 0.2).until(lambda d: table(d) and 'Fitted' in status(d))
            print(f'explorer rendered {time.time() - t0:.1f} s after the page was requested')
            WebDriverWait(d, 30, 0.2).until(lambda d: all(i.get_attribute('naturalWidth') not in (None, '0')
                                                           for i in d.find_elements(By.CSS_SELECTOR, '.hlm-explorer img')[:1]))
            # 1. the article's settings and data: the article's estimates
            t = table(d)
            assert set(t) == set(ARTICLE), f'table rows {sorted(t)}'
            for k, v in ARTICLE.items():
                assert abs(num(t[k][1]) - v) < 1e-4, f'{k}: estimate {t[k][1]} in the browser, lme4/article {v}'
            assert "article's data" in status(d) and 'N=30' in status(d), status(d)
            d.execute_script('window.scrollTo(0, 0)')
            shots.append(OUT / 'explorer_article.png'); d.save_screenshot(str(shots[-1]))
            print(f'article table in the browser: ' + ', '.join(f'{k} {t[k][1]}' for k in ARTICLE))
            # 2. move the N slider one step with the keyboard (a released slider sends one value)
            handle = d.find_element(By.XPATH, "//div[contains(@class,'widget-hslider')][.//label[normalize-space()='N']]"
                                              "//div[contains(@class,'noUi-handle')]")
            handle.click()                                  # focus the handle (a click on it does not move it)
            WebDriverWait(d, 30, 0.1).until(lambda d: 'Fitted' in status(d))
            base = table(d); base_status = status(d)
            t1 = time.perf_counter()
            handle.send_keys(Keys.ARROW_RIGHT)
            WebDriverWait(d, 60, 0.02).until(lambda d: table(d) is not None and table(d) != base and 'N=31' in status(d))
            dt = time.perf_counter() - t1
            WebDriverWait(d, 60, 0.02).until(lambda d: 'figure after' in status(d))
            df = time.perf_counter() - t1
            t = table(d)
            changed = [k for k in ARTICLE if t[k][1] != base[k][1]]
            assert len(changed) >= 6, f'only {changed} changed'
            assert 'numpy seed 2345' in status(d) and 'hlm-ok' in d.execute_script(
                "return document.querySelector('.hlm-status').className"), status(d)
            print(f'N slider 30 -> 31: {len(changed)} of {len(ARTICLE)} estimates changed; key press -> new table in the '
                  f'page {1000*dt:.0f} ms, -> new figure {1000*df:.0f} ms; status: {status(d)}')
            shots.append(OUT / 'explorer_N31.png'); d.save_screenshot(str(shots[-1]))
            for n in (32, 33):                              # later changes: the kernel is warm
                base, t1 = table(d), time.perf_counter()
                handle.send_keys(Keys.ARROW_RIGHT)
                WebDriverWait(d, 60, 0.02).until(lambda d: table(d) is not None and table(d) != base and f'N={n}' in status(d))
                dt = time.perf_counter() - t1
                WebDriverWait(d, 60, 0.02).until(lambda d: 'figure after' in status(d))
                print(f'N slider -> {n}: key press -> new table {1000*dt:.0f} ms, -> new figure {1000*(time.perf_counter() - t1):.0f} ms')
            # 3. the button brings the article back
            d.find_element(By.XPATH, "//button[contains(., 'Reproduce the article')]").click()
            WebDriverWait(d, 60, 0.05).until(lambda d: "article's data" in status(d) and table(d)
                                             and abs(num(table(d)['phi0'][1]) - ARTICLE['phi0']) < 1e-4)
            assert 'N=30' in status(d), status(d)
            print('"Reproduce the article" restored the article\'s table')
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
