#!/usr/bin/env python
"""Benchmark hlm_lit against other LMM fitters on the article's model, simulated at growing sizes.

    python bench/bench.py                       # the full run (minutes; lme4 through Rscript if R is installed)
    python bench/bench.py --sizes 30,3000 --repeats 3 --tools hlm_lit,lme4

Every (tool, data set) runs in a fresh subprocess that loads the data first and then times the fits in-process
(median of --repeats runs) and records its peak memory above the loaded-data baseline. Results go to
bench/results/bench.json and bench/results/bench.md; the Performance chapter reads them.
The peers (statsmodels, mixedlm, lme-python, mixedlm-rs) are optional: `pip install -e ".[bench]"`.
"""
import argparse, json, os, platform, shutil, subprocess, sys, tempfile, time
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
FORMULA = 'y ~ x + a + x:a + (1 + x | unit)'
R_SCRIPT = r'''
suppressMessages(library(lme4))
args <- commandArgs(TRUE); d <- read.csv(args[1]); d$unit <- factor(d$unit); reps <- as.integer(args[2])
ctl <- lmerControl(calc.derivs = as.logical(args[3]))
times <- numeric(reps); gc(reset = TRUE)
for (i in seq_len(reps)) { t0 <- proc.time()[["elapsed"]]; m <- lmer(y ~ x + a + x:a + (1 + x | unit), d, control = ctl); times[i] <- proc.time()[["elapsed"]] - t0 }
g <- gc(); cat(sprintf('{"times": [%s], "crit": %.10f, "peak_mb": %.1f, "version": "lme4 %s"}\n',
    paste(sprintf("%.6f", times), collapse = ","), REMLcrit(m), sum(g[, ncol(g)]), packageVersion("lme4")))
'''


def simulate(N, unbalanced=False, seed=1):
    "The article's model at N units x 30 rows (unbalanced: each unit keeps a random 5..30 of its rows)"
    from hlm_lit.simulate import simulate_hlm
    df = simulate_hlm(N=N, J=30, rng=seed).simple
    if unbalanced:
        rng = np.random.default_rng(seed + 1)
        keep = rng.integers(5, 31, N)
        rank = pd.Series(rng.random(len(df))).groupby(df.unit.values).rank(method='first').values - 1
        df = df[rank < keep[df.unit.values - 1]].reset_index(drop=True)
    return df


def _status_mb(key):
    "A memory figure of this process from /proc/self/status (Linux), in MB"
    for line in Path('/proc/self/status').read_text().splitlines():
        if line.startswith(key + ':'): return int(line.split()[1])/1024
    return float('nan')


def _reset_peak():
    "Reset the process's peak resident memory (Linux: writing 5 to clear_refs resets VmHWM)"
    try: Path('/proc/self/clear_refs').write_text('5')
    except OSError: pass


def fit_once(tool, df):
    "Fit with one tool; return (REML criterion, hlm_lit-only numerical-fit seconds or None)"
    if tool == 'hlm_lit':
        from hlm_lit.fit import fit_blocked
        from hlm_lit.formula import model_frame
        mf = model_frame(FORMULA, df)
        t0 = time.perf_counter()
        fit = fit_blocked(mf, None, True, None, formula=FORMULA)      # what lmer does after the model frame (default tolerance)
        return fit.crit, time.perf_counter() - t0, fit.optinfo.nfev, fit.converged
    if tool == 'statsmodels':
        import statsmodels.formula.api as smf
        r = smf.mixedlm('y ~ x + a + x:a', df, groups=df['unit'], re_formula='~x').fit(reml=True)
        return -2*r.llf, None, None, bool(r.converged)
    if tool == 'mixedlm':
        import mixedlm
        r = mixedlm.lmer(FORMULA, df)
        return float(r.REMLcrit()), None, None, bool(r.converged)
    if tool == 'lme-python':
        import lme_python
        r = lme_python.lmer(FORMULA, df)
        return float(r.reml_criterion), None, None, bool(r.converged)
    if tool == 'mixedlm-rs':
        import mixedlm_rs
        r = mixedlm_rs.mixedlm('y ~ x + a + x:a', df, groups=df['unit'], re_formula='~x').fit()
        return -2*r.llf, None, None, bool(r.converged)
    raise ValueError(tool)


def worker(tool, path, repeats):
    "Run in a subprocess: load the data, then time `repeats` end-to-end fits from the DataFrame"
    import warnings; warnings.simplefilter('ignore')
    df = pd.read_pickle(path)
    fit_once(tool, df.iloc[:300] if len(df) > 300 else df)          # warm up imports and caches on a small slice
    import gc; gc.collect()
    base = _status_mb('VmRSS'); _reset_peak()                         # peak memory above the loaded data
    e2e, fits = [], []
    for _ in range(repeats):
        t0 = time.perf_counter()
        crit, tfit, nfev, conv = fit_once(tool, df)
        e2e.append(time.perf_counter() - t0)
        if tfit is not None: fits.append(tfit)
    print(json.dumps(dict(e2e=e2e, fit=fits or None, crit=crit, nfev=nfev, converged=conv, peak_mb=_status_mb('VmHWM') - base)))


def run_tool(tool, path, csv, repeats, timeout):
    "One (tool, data set) measurement in a fresh process; None if the tool is missing or failed"
    if tool == 'lme4':
        if not shutil.which('Rscript'): return None
        with tempfile.NamedTemporaryFile('w', suffix='.R', delete=False) as f: f.write(R_SCRIPT)
        out = {}
        for derivs in ('TRUE', 'FALSE'):
            try: p = subprocess.run(['Rscript', f.name, str(csv), str(repeats), derivs], capture_output=True, text=True, timeout=timeout)
            except subprocess.TimeoutExpired: return dict(error=f'timeout after {timeout} s')
            if p.returncode: return dict(error=p.stderr[-300:])
            r = json.loads(p.stdout.strip().splitlines()[-1])
            if derivs == 'TRUE': out = dict(e2e=r['times'], crit=r['crit'], peak_mb=r['peak_mb'], version=r['version'])
            else: out['e2e_noderivs'] = r['times']
        return out
    try: p = subprocess.run([sys.executable, __file__, '--worker', tool, str(path), str(repeats)], capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired: return dict(error=f'timeout after {timeout} s')
    if p.returncode:
        if 'ModuleNotFoundError' in p.stderr: return None
        return dict(error=p.stderr.strip().splitlines()[-1][:300] if p.stderr.strip() else f'exit {p.returncode}')
    return json.loads(p.stdout.strip().splitlines()[-1])


def versions():
    from importlib.metadata import version, PackageNotFoundError
    out = {}
    for pkg in ['hlm_lit', 'numpy', 'scipy', 'statsmodels', 'mixedlm', 'lme-python', 'mixedlm-rs']:
        try: out[pkg] = version(pkg)
        except PackageNotFoundError: pass
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--worker', nargs=3, help=argparse.SUPPRESS)
    ap.add_argument('--sizes', default='30,300,3000,30000,100000', help='numbers of units (30 rows each)')
    ap.add_argument('--unbalanced', default='3000,100000', help='sizes also run with 5..30 rows per unit')
    ap.add_argument('--tools', default='hlm_lit,mixedlm,lme-python,mixedlm-rs,statsmodels,lme4')
    ap.add_argument('--repeats', type=int, default=5)
    ap.add_argument('--max-units', default='statsmodels=3000,lme4=30000', help='largest size per tool (slow tools)')
    ap.add_argument('--timeout', type=float, default=900)
    ap.add_argument('--out', default=str(HERE/'results'/'bench.json'))
    a = ap.parse_args()
    if a.worker: return worker(a.worker[0], a.worker[1], int(a.worker[2]))
    caps = {k: int(v) for k, v in (kv.split('=') for kv in a.max_units.split(',') if kv)}
    tools = a.tools.split(',')
    sets = [(int(n), False) for n in a.sizes.split(',')] + [(int(n), True) for n in a.unbalanced.split(',') if n]
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for N, unb in sets:
            df = simulate(N, unb)
            path, csv = Path(tmp)/f'd{N}{unb}.pkl', Path(tmp)/f'd{N}{unb}.csv'
            df.to_pickle(path)
            if 'lme4' in tools: df.to_csv(csv, index=False)
            cols_mb = len(df)*(4 + 2 + 1)*8/2**20                     # X (4), Z (2), y as float64
            for tool in tools:
                if N > caps.get(tool, 1 << 60): continue
                reps = a.repeats if len(df) <= 100_000 else max(1, min(a.repeats, 3))
                r = run_tool(tool, path, csv, reps, a.timeout)
                if r is None: continue
                r.update(tool=tool, units=N, rows=len(df), unbalanced=unb, model_columns_mb=cols_mb)
                results.append(r)
                med = np.median(r['e2e']) if 'e2e' in r else float('nan')
                print(f"{tool:12s} N={N:6d} rows={len(df):8d}{' unbal' if unb else '      '} e2e {med:9.4f} s  crit {r.get('crit', float('nan')):.6f}"
                      f"  peak {r.get('peak_mb', float('nan')):7.1f} MB  {r.get('error', '')}", flush=True)
    meta = dict(machine=platform.machine(), cpus=os.cpu_count(), python=platform.python_version(), versions=versions(),
                date=time.strftime('%Y-%m-%d'), repeats=a.repeats, formula=FORMULA,
                openblas_threads=os.environ.get('OPENBLAS_NUM_THREADS'))
    Path(a.out).parent.mkdir(parents=True, exist_ok=True)
    Path(a.out).write_text(json.dumps(dict(meta=meta, results=results), indent=1))
    print(f"wrote {a.out}")


if __name__ == '__main__':
    main()
