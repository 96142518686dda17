#!/usr/bin/env python
"""Benchmark: a growth model with AR(1) residuals and variance by group, hlm_lit against nlme, at 10k, 100k and 1M rows.

    python bench/residual_bench.py                          # 1000 units x 10, 100, 1000 rows; nlme capped (see --nlme-timeout)
    python bench/residual_bench.py --rows-per-unit 10,100 --nlme-timeout 120

The model is `y ~ time * group + (time | unit)` with `cor_ar1() & var_ident('group')` (nlme: `weights = varIdent(form = ~ 1 |
group)`, `correlation = corAR1(form = ~ 1 | unit)`, REML), on data from `hlm_lit.residual.simulate_growth`. The number of
units is fixed and the rows per unit grow, so hlm_lit's cost per evaluation should stay flat while its one pass over the
rows grows. nlme runs through Rscript (bench/residual_nlme.R) in the same run; a size is skipped for nlme when the
previous one took more than a tenth of --nlme-timeout (it would not finish in time), and a run that exceeds the timeout
is stopped. Results go to bench/results/residual_bench.json.
"""
import argparse, json, os, platform, shutil, subprocess, sys, tempfile, time, warnings
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
from hlm_lit.residual import ResidualModel, ResidualFit, cor_ar1, optimize_residual, residual_frame, simulate_growth, var_ident  # noqa: E402

FORMULA = 'y ~ time * group + (time | unit)'


def run_hlm(d):
    "Fit with hlm_lit: seconds for the pass over the rows, the optimization, and one evaluation (median of 20)"
    t0 = time.perf_counter()
    model = ResidualModel(residual_frame(FORMULA, d, cor_ar1() & var_ident('group')))
    t_pass = time.perf_counter() - t0
    t0 = time.perf_counter()
    opt = optimize_residual(model)
    t_opt = time.perf_counter() - t0
    fit = ResidualFit(model, opt, FORMULA)
    ts = []
    for _ in range(20):
        t0 = time.perf_counter(); model(opt.x); ts.append(time.perf_counter() - t0)
    return dict(seconds=t_pass + t_opt, pass_seconds=t_pass, optimize_seconds=t_opt, eval_ms=1e3*float(np.median(ts)),
                evaluations=opt.nfev, converged=bool(opt.converged), logLik=fit.loglik, sigma=fit.sigma,
                phi=fit.phi, ratios={k: float(v) for k, v in fit.residual_params.drop('phi').items()})


def run_nlme(d, timeout):
    "Fit with nlme through Rscript; None if R is missing, {'timeout': s} if stopped"
    if shutil.which('Rscript') is None: return None
    with tempfile.TemporaryDirectory() as tmp:
        f = Path(tmp)/'d.csv'; d.to_csv(f, index=False)
        try:
            out = subprocess.run(['Rscript', str(HERE/'residual_nlme.R'), str(f)], capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            return {'timeout': timeout}
    if out.returncode: return {'error': out.stderr[-500:]}
    return json.loads(out.stdout.strip().splitlines()[-1])


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--units', type=int, default=1000)
    ap.add_argument('--rows-per-unit', default='10,100,1000')
    ap.add_argument('--nlme-timeout', type=float, default=900)
    ap.add_argument('--out', default=str(HERE/'results'/'residual_bench.json'))
    a = ap.parse_args()
    results, last_nlme = [], 0.0
    for J in [int(x) for x in a.rows_per_unit.split(',')]:
        d = simulate_growth(a.units, J, seed=J)
        with warnings.catch_warnings():
            warnings.simplefilter('ignore')
            h = run_hlm(d)
        row = dict(units=a.units, rows_per_unit=J, rows=len(d), hlm_lit=h)
        if last_nlme > a.nlme_timeout/10:
            row['nlme'] = {'skipped': f'the previous size took {last_nlme:.0f} s; this one would not finish within {a.nlme_timeout:.0f} s'}
        else:
            r = run_nlme(d, a.nlme_timeout)
            row['nlme'] = r
            if r is not None:
                last_nlme = r.get('seconds', r.get('timeout', np.inf)) if 'error' not in r else np.inf
                if 'logLik' in r:
                    rat = r['ratios']; base = rat.get('A', 1.0)
                    row['comparison'] = dict(logLik_difference=h['logLik'] - r['logLik'], phi_difference=h['phi'] - r['phi'],
                                             ratio_B_difference=h['ratios']['B'] - rat['B']/base,
                                             ratio_C_difference=h['ratios']['C'] - rat['C']/base,
                                             speedup=r['seconds']/h['seconds'])
        results.append(row)
        print(json.dumps(row), flush=True)
    meta = dict(python=platform.python_version(), machine=platform.machine(), cpus=os.cpu_count(), formula=FORMULA,
                residual="cor_ar1() & var_ident('group')", date=time.strftime('%Y-%m-%d'),
                note='2-core machine shared with other jobs; seconds are wall clock')
    Path(a.out).parent.mkdir(parents=True, exist_ok=True)
    Path(a.out).write_text(json.dumps(dict(meta=meta, results=results), indent=1))


if __name__ == '__main__':
    main()
