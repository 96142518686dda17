#!/usr/bin/env python
"""Benchmark: hard small fits (30 units), hlm_lit against mixedlm-rs in the same process.

    python bench/hard_small.py                 # 4 configurations x 20 seeds, 5 timed runs each (about a minute)

"Hard" means what makes an optimizer work: the optimum on the boundary of the parameter space (a correlation of
+/-1, a variance of 0) or far from a moment start (units with very few rows). Each configuration simulates the
article's model (`y ~ x + a + x:a + (1 + x | unit)`, 30 units on the article's x-grid) with one parameter moved, for
seeds 1..20, and fits it with both tools (REML): the median of --repeats end-to-end fits from the DataFrame, the
criterion each reaches, hlm_lit's evaluations and verdict. BLAS on one thread. Results: bench/results/hard_small.json.
"""
import os
for _v in ['OPENBLAS_NUM_THREADS', 'OMP_NUM_THREADS', 'MKL_NUM_THREADS']: os.environ[_v] = '1'
import argparse, json, sys, time, warnings
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
from hlm_lit import lmer  # noqa: E402
from hlm_lit.simulate import simulate_hlm  # noqa: E402

FORMULA = 'y ~ x + a + x:a + (1 + x | unit)'
CONFIGS = {'singular: correlation 1': dict(r=1.0), 'no intercept variance (q = 0)': dict(q=0.0),
           'no slope variance (s = 0)': dict(s=0.0), 'unbalanced: 2 to 6 rows per unit': dict(rows=(2, 7))}


def data(seed, r=0.9, q=0.2, s=0.5, rows=None):
    "The article's model at 30 units with the given truth (rows: each unit keeps a random number of its rows in that range)"
    df = simulate_hlm(N=30, J=30, q=q, r=r, s=s, rng=seed).simple
    if rows is not None:
        rng = np.random.default_rng(seed)
        keep = rng.integers(*rows, 30)
        rank = pd.Series(rng.random(len(df))).groupby(df.unit.values).rank(method='first').values - 1
        df = df[rank < keep[df.unit.values - 1]].reset_index(drop=True)
    return df


def timed(f, repeats):
    "Median seconds of `repeats` calls, and the last result"
    ts = []
    for _ in range(repeats):
        t0 = time.perf_counter(); out = f(); ts.append(time.perf_counter() - t0)
    return float(np.median(ts)), out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--seeds', type=int, default=20)
    ap.add_argument('--repeats', type=int, default=5)
    ap.add_argument('--out', default=str(HERE/'results'/'hard_small.json'))
    a = ap.parse_args()
    import mixedlm_rs
    rows = []
    warnings.simplefilter('ignore')
    for name, kw in CONFIGS.items():
        for seed in range(1, a.seeds + 1):
            df = data(seed, **kw)
            th, fit = timed(lambda: lmer(FORMULA, df), a.repeats)
            tr, res = timed(lambda: mixedlm_rs.mixedlm('y ~ x + a + x:a', df, groups=df['unit'], re_formula='~x').fit(), a.repeats)
            rows.append(dict(config=name, seed=seed, rows=len(df), hlm_lit_s=th, hlm_lit_nfev=int(fit.optinfo.nfev),
                             hlm_lit_converged=bool(fit.converged), hlm_lit_singular=bool(fit.is_singular),
                             hlm_lit_crit=float(fit.crit), mixedlm_rs_s=tr, mixedlm_rs_crit=float(-2*res.llf),
                             mixedlm_rs_converged=bool(res.converged)))
            print(json.dumps(rows[-1]), flush=True)
    r = pd.DataFrame(rows)
    r['crit_hlm_minus_rs'] = r.hlm_lit_crit - r.mixedlm_rs_crit
    summary = r.groupby('config', sort=False).agg(
        hlm_lit_median_ms=('hlm_lit_s', lambda v: 1e3*v.median()), hlm_lit_max_ms=('hlm_lit_s', lambda v: 1e3*v.max()),
        rs_median_ms=('mixedlm_rs_s', lambda v: 1e3*v.median()), rs_max_ms=('mixedlm_rs_s', lambda v: 1e3*v.max()),
        hlm_lit_slower=('hlm_lit_s', lambda v: int((v.values > r.loc[v.index, 'mixedlm_rs_s'].values).sum())),
        nfev_median=('hlm_lit_nfev', 'median'), nfev_max=('hlm_lit_nfev', 'max'),
        not_converged=('hlm_lit_converged', lambda v: int((~v).sum())),
        crit_worse_than_rs=('crit_hlm_minus_rs', lambda v: int((v > 1e-6).sum())),
        crit_better_than_rs=('crit_hlm_minus_rs', lambda v: int((v < -1e-6).sum())))
    print(summary.round(2).to_string())
    meta = dict(python=sys.version.split()[0], numpy=np.__version__, mixedlm_rs=getattr(mixedlm_rs, '__version__', '?'),
                date=time.strftime('%Y-%m-%d %H:%M'), load_average=os.getloadavg(), formula=FORMULA, repeats=a.repeats)
    Path(a.out).write_text(json.dumps(dict(meta=meta, fits=rows, summary=summary.reset_index().to_dict('records')), indent=1))
    print('wrote', a.out)


if __name__ == '__main__': main()
