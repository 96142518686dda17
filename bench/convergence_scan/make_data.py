"""The data sets of the convergence scan (issue 12): 60 seeds x 5 variance configurations on small unbalanced data,
each fitted with `(1 + x | g)` and `(x || g)` (600 fits), plus 12 near-collinear sets fitted with `(1 + x + x2 | g)`.

The data are drawn with R's generator (`hlm_lit.rng.RRNG`, bit for bit R's `set.seed`/`rnorm`), exactly as chapter 16's
`gen` and `collinear` draw them, so that (a) the scan is the one the session notes describe (seed 40 in configuration 4
is the false alarm they name; seeds 57, 28 and 45 are the cases chapter 16 shows) and (b) R can regenerate every set
itself: `lme4_tight.R` checks that its own `gen()`/`collinear()` give the same numbers as the CSV files written here.

Run from the repository root:  python bench/convergence_scan/make_data.py  [--out bench/convergence_scan/data]
It writes one CSV per data set (17 significant digits, so R reads back the same doubles) and `cases.json`, the list
of fits (id, file, formula, seed, configuration). The folder is not committed (.gitignore); it is regenerated in a second.
"""
import argparse, json
from pathlib import Path

import numpy as np
import pandas as pd

from hlm_lit.rng import RRNG

SIZES10 = [1, 2, 7, 4, 6, 2, 3, 5, 2, 6]           # ten groups, 38 rows, sizes 1 to 7
# (sd of the intercepts, sd of the slopes, their correlation); configuration k is CONFIGS[k - 1]
CONFIGS = [(0.5, 0.5, 0.3), (0.5, 0.5, -1.0), (0.0, 0.5, 0.0), (0.1, 0.1, 0.0), (0.5, 0.5, 1.0)]
SEEDS = range(1, 61)
MODELS = {'corr': 'y ~ x + (1 + x | g)', 'uncorr': 'y ~ x + (x || g)'}
COLLINEAR_SEEDS = range(1, 13)
COLLINEAR_FORMULA = 'y ~ x + (1 + x + x2 | g)'

def gen(seed, N, sizes, sd_int, sd_slope, rho, sigma=1.0):
    "Chapter 16's `gen` (R: set.seed(seed); g <- rep(1:N, sizes); x <- rnorm(length(g)); u <- rnorm(N); v <- rnorm(N); ...)"
    rng = RRNG(seed)
    g = np.repeat(np.arange(1, N + 1), sizes); x = rng.rnorm(len(g)); u = rng.rnorm(N); v = rng.rnorm(N)
    b0, b1 = sd_int*u, sd_slope*(rho*u + np.sqrt(1 - rho**2)*v)
    y = 1 + 2*x + b0[g - 1] + b1[g - 1]*x + rng.rnorm(len(g), 0, sigma)
    return pd.DataFrame(dict(g=g, x=x, y=y))

def collinear(seed, N=8, J=5):
    "Chapter 16's `collinear`: two slope columns that differ by 1e-6 noise (x2 = x + 1e-6*rnorm(n))"
    rng = RRNG(seed)
    g = np.repeat(np.arange(1, N + 1), J); x = rng.rnorm(N*J); x2 = x + 1e-6*rng.rnorm(N*J)
    u, v = rng.rnorm(N), rng.rnorm(N)
    return pd.DataFrame(dict(g=g, x=x, x2=x2, y=1 + x + u[g - 1] + v[g - 1]*x + rng.rnorm(N*J)))

def datasets():
    "Yield (file stem, data frame, [(case id, formula, extra fields)]) for every data set of the scan"
    for seed in SEEDS:
        for k, cfg in enumerate(CONFIGS, 1):
            stem = f'gen_s{seed:02d}_c{k}'
            cases = [(f'{stem}_{m}', f, dict(kind='gen', seed=seed, config=k, model=m, sd_int=cfg[0], sd_slope=cfg[1], rho=cfg[2]))
                     for m, f in MODELS.items()]
            yield stem, gen(seed, 10, SIZES10, *cfg), cases
    for seed in COLLINEAR_SEEDS:
        stem = f'collinear_s{seed:02d}'
        yield stem, collinear(seed), [(stem, COLLINEAR_FORMULA, dict(kind='collinear', seed=seed, model='collinear'))]

def write(out):
    "Write every data set as CSV and the list of fits as cases.json into `out`; return the list"
    out = Path(out); out.mkdir(parents=True, exist_ok=True)
    cases = []
    for stem, d, cs in datasets():
        d.to_csv(out/f'{stem}.csv', index=False, float_format='%.17g')
        cases += [dict(id=i, file=f'{stem}.csv', formula=f, **extra) for i, f, extra in cs]
    (out/'cases.json').write_text(json.dumps(cases, indent=1))
    return cases

if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--out', default=str(Path(__file__).parent/'data'))
    cases = write(ap.parse_args().out)
    print(f'{len(cases)} fits on {len({c["file"] for c in cases})} data sets written to {ap.parse_args().out}')
