#!/usr/bin/env python
"""Check: the optimizer on models with two grouping factors, Newton after L-BFGS-B's fourth iteration against L-BFGS-B to its end.

    python bench/multifactor_scan.py                # 200 fits each way (about a minute)

The convergence scan (bench/convergence_scan) has one grouping factor; with vector-valued terms on several factors
`lmer` runs L-BFGS-B for four iterations and then Newton's method (chapter 05's `fit_theta`, `newton_after=4`),
running on with L-BFGS-B only where Newton fails. This script simulates small nested and crossed data sets with a
correlated intercept and slope on both factors (`y ~ x + (1 + x | g1) + (1 + x | g2)`; 100 seeds each, few rows
per cell so that some optima lie on the boundary), fits each with `newton_after=4` and with `newton_after=0`
(L-BFGS-B to its end, then the Newton polish), and reports, for the default: fits that stop at a criterion more than
1e-7 relative above the other's, fits flagged as not converged, and the evaluations of both.
Results: bench/results/multifactor_scan.json.
"""
import os
for _v in ['OPENBLAS_NUM_THREADS', 'OMP_NUM_THREADS', 'MKL_NUM_THREADS']: os.environ[_v] = '1'
import argparse, json, sys, warnings
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
import hlm_lit.fit as fitmod  # noqa: E402
from hlm_lit import lmer  # noqa: E402

FORMULA = 'y ~ x + (1 + x | g1) + (1 + x | g2)'


def data(seed, kind):
    "A nested (g2 within g1) or crossed data set with correlated intercepts and slopes on both factors"
    rng = np.random.default_rng(seed)
    m1, m2 = (8, 40) if kind == 'nested' else (12, 15)
    n = int(rng.integers(150, 400))
    if kind == 'nested':
        g2 = rng.integers(0, m2, n); g1 = g2 % m1
    else:
        g1, g2 = rng.integers(0, m1, n), rng.integers(0, m2, n)
    x = rng.uniform(0, 1, n)
    def effects(m):
        sd = rng.uniform(0.0, 1.0, 2); r = rng.uniform(-1, 1)
        C = np.array([[sd[0]**2, r*sd[0]*sd[1]], [r*sd[0]*sd[1], sd[1]**2]]) + 1e-12*np.eye(2)
        return rng.multivariate_normal([0, 0], C, m)
    b1, b2 = effects(m1), effects(m2)
    y = 1 + 0.5*x + b1[g1, 0] + b1[g1, 1]*x + b2[g2, 0] + b2[g2, 1]*x + rng.normal(0, 1, n)
    return pd.DataFrame({'y': y, 'x': x, 'g1': g1, 'g2': g2})


def fit(df, newton_after):
    "lmer with the optimizer's hand-over set: (criterion, converged, evaluations)"
    orig = fitmod.fit_theta
    def patched(*a, **k):
        if k.get('newton_after'): k['newton_after'] = newton_after
        return orig(*a, **k)
    fitmod.fit_theta = patched
    try:
        with warnings.catch_warnings():
            warnings.simplefilter('ignore')
            m = lmer(FORMULA, df)
        return float(m.optinfo.crit), bool(m.converged), int(m.optinfo.nfev)
    finally: fitmod.fit_theta = orig


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--seeds', type=int, default=100)
    ap.add_argument('--out', default=str(HERE/'results'/'multifactor_scan.json'))
    a = ap.parse_args()
    rows = []
    for kind in ('nested', 'crossed'):
        for seed in range(1, a.seeds + 1):
            df = data(seed, kind)
            c4, ok4, n4 = fit(df, 4)
            c0, ok0, n0 = fit(df, 0)
            rows.append(dict(kind=kind, seed=seed, rows=len(df), crit=c4, converged=ok4, nfev=n4,
                             crit_lbfgsb_first=c0, converged_lbfgsb_first=ok0, nfev_lbfgsb_first=n0,
                             rel_diff=(c4 - c0)/max(1.0, abs(c0))))
    res = pd.DataFrame(rows)
    summary = {}
    for kind, g in res.groupby('kind'):
        summary[kind] = dict(fits=len(g), worse=int((g.rel_diff > 1e-7).sum()), better=int((g.rel_diff < -1e-7).sum()),
                             not_converged=int((~g.converged).sum()),
                             not_converged_lbfgsb_first=int((~g.converged_lbfgsb_first).sum()),
                             nfev_median=float(g.nfev.median()), nfev_mean=float(g.nfev.mean()), nfev_max=int(g.nfev.max()),
                             nfev_lbfgsb_first_median=float(g.nfev_lbfgsb_first.median()),
                             nfev_lbfgsb_first_mean=float(g.nfev_lbfgsb_first.mean()),
                             nfev_lbfgsb_first_max=int(g.nfev_lbfgsb_first.max()),
                             max_rel_diff=float(g.rel_diff.max()), min_rel_diff=float(g.rel_diff.min()))
    for kind, s in summary.items(): print(kind, s)
    Path(a.out).write_text(json.dumps(dict(formula=FORMULA, summary=summary, fits=rows), indent=1))
    print('wrote', a.out)


if __name__ == '__main__':
    main()
