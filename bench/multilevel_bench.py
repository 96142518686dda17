#!/usr/bin/env python
"""Benchmark: models with several grouping factors, hlm_lit against lme4 in the same run, and the flat cost per evaluation.

    python bench/multilevel_bench.py                        # everything (about 5 minutes; InstEval dominates)
    python bench/multilevel_bench.py --cases oats_nested,machines_interaction --rows-per-child 5,50

Part 1, the cases of ../shared/reference/lme4_multilevel.json that the issue names (InstEval by ML, egsingle's three
levels, ScotsSec crossed, Oats, Machines): the wall time of hlm_lit's `lmer` end to end from a pandas DataFrame (formula,
model frame, the one pass, optimization, fit object; median of --repeats runs, InstEval --repeats-large), its number of
evaluations (`fit.optinfo.nfev`) and criterion; lme4's `lmer()` with its default settings through Rscript
(bench/multilevel_lme4.R: only `lmer()` is timed, after reading the data; median of the same numbers of runs, InstEval
--lme4-repeats-large), its criterion and evaluations; the ratio.

Part 2, the flat cost: a 3-level nested model `y ~ x + (1 + x | school) + (1 + x | child)` simulated with numpy (fixed
seed) at --schools schools and --children children and a growing number of rows per child. For each size: one end-to-end
fit, then the time of one criterion+gradient evaluation (`hlm_lit.kernel.BlockedProfiled` on
`hlm_lit.fit.conditioned_blocks(fit.frame)`, at the fit's theta) and of the one pass over the rows
(`hlm_lit.kernel.crossprods`), each the median and minimum of repeats; up to --flat-lme4-max-rows rows, lme4's fit of
the same data once (its time, evaluations and criterion, for context).

BLAS runs on one thread on both sides (OPENBLAS_NUM_THREADS=1 etc., set here before numpy loads and passed to R).
Results go to bench/results/multilevel_bench.json; the performance chapter reads them.
"""
import os
for _v in ['OPENBLAS_NUM_THREADS', 'OMP_NUM_THREADS', 'MKL_NUM_THREADS']: os.environ[_v] = '1'
import argparse, cProfile, json, platform, pstats, shutil, subprocess, sys, tempfile, time, warnings
from pathlib import Path

import numpy as np
import pandas as pd
import scipy.linalg as sla

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
from hlm_lit import lmer  # noqa: E402
from hlm_lit.fit import conditioned_blocks, factor_columns, factor_order  # noqa: E402
from hlm_lit.kernel import BlockedProfiled, crossprods  # noqa: E402
from hlm_lit.reml import ReTemplate  # noqa: E402

SHARED = HERE.parent.parent/'shared'
CASES = ['oats_nested', 'machines_interaction', 'scotssec_crossed', 'egsingle_3level', 'insteval_crossed']   # small to large: a
# large fit leaves the process slower for a while (on this machine, wall time above CPU time after InstEval's 10 MB arrays)
LARGE = {'insteval_crossed'}
NESTED = 'y ~ x + (1 + x | school) + (1 + x | child)'


def fit_hlm(formula, d, REML, cpu=False):
    "One end-to-end fit with hlm_lit: (wall seconds, fit), or (wall seconds, CPU seconds, fit)"
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        t0, c0 = time.perf_counter(), time.process_time()
        fit = lmer(formula, d, REML=REML)
        t, c = time.perf_counter() - t0, time.process_time() - c0
        return (t, c, fit) if cpu else (t, fit)


def run_lme4(csv, formula, REML, repeats):
    "lme4's default fit through Rscript: seconds (median), runs, criterion; None if R is missing"
    if shutil.which('Rscript') is None: return None
    out = subprocess.run(['Rscript', str(HERE/'multilevel_lme4.R'), str(csv), formula, 'TRUE' if REML else 'FALSE', str(repeats)],
                         capture_output=True, text=True, env=os.environ.copy())
    if out.returncode: return {'error': out.stderr[-500:]}
    return json.loads(out.stdout.strip().splitlines()[-1])


def _profiled():
    "The functions whose time the profile reports: {(file, line, name): (label, what)}"
    import importlib
    fo, ke, lm = (importlib.import_module(f'hlm_lit.{m}') for m in ['formula', 'kernel', 'fit'])
    fns = [(fo.model_frame, 'building the model frame'), (lm.conditioned_blocks, 'the one pass over the rows (and conditioning)'),
           (ke.BlockPlan.__init__, 'the block plan'), (ke.factorize, 'blocked Cholesky, all evaluations'),
           (ke.ScalarTail.__init__, "scalar terms: the tail's update precomputed per class of levels"),
           (ke.ScalarTail.evaluate, 'scalar terms: criterion and closed-form gradient, all evaluations'),
           (ke.ScalarTail.factor, '... the update and the dense Cholesky (LAPACK potrf)'),
           (ke.ScalarTail.update, '... ... the sparse update (twice per evaluation with the gradient)'),
           (ke.TailPattern.rank_update, "... the sparse tail rows' rank update"),
           (ke.criterion_gradient, 'analytic gradient, all evaluations'), (ke.selected_inverse, '... the selected inverse'),
           (ke.TailPattern.sym_times, "... ... the sparse tail rows' Takahashi products"),
           (ke.BlockedProfiled.hessian, 'Newton polish: Hessian by differences of gradients')]
    return {(f.__code__.co_filename, f.__code__.co_firstlineno, f.__name__): (f.__qualname__, what) for f, what in fns}


def profile_fit(formula, d, REML):
    "Where one fit spends its time: cumulative seconds and calls of the kernel's main functions (cProfile, one extra fit)"
    targets, pr = _profiled(), cProfile.Profile()
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        pr.enable(); t0 = time.perf_counter(); lmer(formula, d, REML=REML); total = time.perf_counter() - t0; pr.disable()
    out = dict(total_seconds=total)
    for key, (_, nc, _, ct, _) in pstats.Stats(pr).stats.items():
        if key in targets:
            name, what = targets[key]; out[name] = dict(seconds=ct, calls=nc, what=what)
        elif key[2] == 'cholesky' and '_linalg' in key[0]:
            out['numpy.linalg.cholesky'] = dict(seconds=ct, calls=nc, what="numpy's Cholesky (the dense tail, batched blocks)")
    return out


def kernel_costs(fit, REML, repeats=5):
    "One evaluation at the optimum (criterion+gradient, the criterion alone, the factorization), the dense tail's size and LAPACK cost"
    cp, scales = conditioned_blocks(fit.frame, fit.weights)
    obj = BlockedProfiled(cp, ReTemplate(fit.frame.sizes), scales['fac_cols'], REML)
    th = np.asarray(fit.optinfo.theta, float)
    obj.evaluate(th)
    ev, _ = _median_min(lambda: obj.evaluate(th), repeats, 1)
    fresh = lambda g: (setattr(obj, '_kept', None), g())[1]          # without the factor the criterion keeps at its best point
    cr, _ = _median_min(lambda: fresh(lambda: obj.crit(th)), repeats, 1)
    fa, _ = _median_min(lambda: fresh(lambda: obj.pls(th)), repeats, 1)
    nT = obj.plan.nT
    A = np.random.default_rng(0).normal(size=(nT, nT)); A = A @ A.T + nT*np.eye(nT)
    c, _ = sla.lapack.dpotrf(A, lower=1)
    potrf, _ = _median_min(lambda: sla.lapack.dpotrf(A, lower=1), repeats, 1)
    potri, _ = _median_min(lambda: sla.lapack.dpotri(c, lower=1), repeats, 1)
    return dict(eval_ms=1e3*ev, criterion_only_ms=1e3*cr, factorize_ms=1e3*fa, dense_tail_columns=int(nT),
                dense_tail_potrf_ms=1e3*potrf, dense_tail_potri_ms=1e3*potri, dense_tail_potrf_potri_ms=1e3*(potrf + potri),
                block_diagonal_factors=int(obj.plan.d), scalar_path=obj.scalar is not None)


def run_case(c, repeats, lme4_repeats):
    "Part 1 for one case of lme4_multilevel.json"
    csv = SHARED/c['data']
    d = pd.read_csv(csv)
    runs, cpus, fit = [], [], None
    for _ in range(repeats):
        s, cs, fit = fit_hlm(c['formula'], d, c['REML'], cpu=True)
        runs.append(s); cpus.append(cs)
    h = dict(seconds=float(np.median(runs)), runs=runs, cpu_seconds=float(np.median(cpus)), cpu_runs=cpus,
             evaluations=int(fit.optinfo.nfev), crit=float(fit.crit), converged=bool(fit.converged))
    h['kernel'] = kernel_costs(fit, c['REML'])
    h['profile'] = profile_fit(c['formula'], d, c['REML'])
    r = run_lme4(csv, c['formula'], c['REML'], lme4_repeats)
    row = dict(name=c['name'], formula=c['formula'], REML=c['REML'], rows=int(fit.nobs),
               levels={k: int(v) for k, v in fit.ngrps.items()}, hlm_lit=h, lme4=r,
               lme4_reference_crit=c['reference']['crit'], lme4_default_crit_reference_file=c['lme4_default']['crit'])
    if r and 'crit' in r:
        row['ratio'] = r['seconds']/h['seconds']
        if 'cpu_seconds' in r: row['cpu_ratio'] = r['cpu_seconds']/h['cpu_seconds']   # (CPU time: less sensitive to other jobs)
        row['crit_difference'] = h['crit'] - r['crit']                      # negative: hlm_lit's optimum is better
        row['crit_relative_difference'] = (h['crit'] - r['crit'])/abs(r['crit'])
    return row


def simulate_nested(schools, children, J, seed=2024):
    "A 3-level growth model: J rows per child, children nested in schools, random intercepts and slopes at both levels"
    rng = np.random.default_rng(seed)
    school_of = np.arange(children) % schools                                 # children spread evenly over schools
    S = rng.multivariate_normal([0, 0], [[0.5**2, 0.3*0.5*0.2], [0.3*0.5*0.2, 0.2**2]], schools)
    C = rng.multivariate_normal([0, 0], [[1.0, -0.4*0.5], [-0.4*0.5, 0.5**2]], children)
    child = np.repeat(np.arange(children), J)
    school = school_of[child]
    x = np.tile(np.linspace(0, 1, J), children) + rng.normal(0, 0.05, children*J)
    y = 1.0 + 0.5*x + S[school, 0] + S[school, 1]*x + C[child, 0] + C[child, 1]*x + rng.normal(0, 1, children*J)
    return pd.DataFrame({'school': school, 'child': child, 'x': x, 'y': y})


def _median_min(f, repeats, inner):
    "Median and minimum over `repeats` rounds of the mean time of `inner` calls of f"
    ts = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        for _ in range(inner): f()
        ts.append((time.perf_counter() - t0)/inner)
    return float(np.median(ts)), float(np.min(ts))


def run_flat(schools, children, J, repeats, lme4_max_rows):
    "Part 2 for one size: end-to-end fit, one evaluation, one pass (and lme4's fit, once, up to lme4_max_rows rows)"
    d = simulate_nested(schools, children, J)
    s_fit, fit = fit_hlm(NESTED, d, True)
    mf = fit.frame
    cp, scales = conditioned_blocks(mf, None)
    obj = BlockedProfiled(cp, ReTemplate(mf.sizes), scales['fac_cols'], True)
    th = np.asarray(fit.optinfo.theta, float)
    obj.evaluate(th)                                                          # warm up
    ev_med, ev_min = _median_min(lambda: obj.evaluate(th), repeats, 5)
    facs = [mf.factors[name] for name in factor_order(mf)]
    args = ([mf.Z[:, c] for c in factor_columns(mf)], [f.g for f in facs], [len(f.levels) for f in facs], mf.X, mf.y)
    pass_med, pass_min = _median_min(lambda: crossprods(*args), max(3, repeats//3), 1)
    row = dict(schools=schools, children=children, rows_per_child=J, rows=len(d), fit_seconds=s_fit,
               evaluations=int(fit.optinfo.nfev), crit=float(fit.crit), converged=bool(fit.converged),
               eval_ms=1e3*ev_med, eval_ms_min=1e3*ev_min, pass_ms=1e3*pass_med, pass_ms_min=1e3*pass_min,
               block_shapes=[list(D.shape) for D in cp.D])
    if len(d) <= lme4_max_rows:
        with tempfile.TemporaryDirectory() as tmp:
            f = Path(tmp)/'nested.csv'; d.to_csv(f, index=False)
            row['lme4'] = run_lme4(f, NESTED, True, 1)
    return row


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--cases', default=','.join(CASES))
    ap.add_argument('--repeats', type=int, default=7, help='runs per small case (both tools)')
    ap.add_argument('--repeats-large', type=int, default=3, help="hlm_lit's runs on InstEval")
    ap.add_argument('--lme4-repeats-large', type=int, default=2, help="lme4's runs on InstEval (about 45 s each)")
    ap.add_argument('--schools', type=int, default=100)
    ap.add_argument('--children', type=int, default=2000)
    ap.add_argument('--rows-per-child', default='5,50,500')
    ap.add_argument('--eval-repeats', type=int, default=15)
    ap.add_argument('--flat-lme4-max-rows', type=int, default=100_000, help='fit the nested model with lme4 (once) up to this size')
    ap.add_argument('--out', default=str(HERE/'results'/'multilevel_bench.json'))
    a = ap.parse_args()
    ref = {c['name']: c for c in json.loads((SHARED/'reference'/'lme4_multilevel.json').read_text())}
    load0 = os.getloadavg()
    cases = []
    for name in a.cases.split(','):
        if not name: continue
        large = name in LARGE
        row = run_case(ref[name], a.repeats_large if large else a.repeats, a.lme4_repeats_large if large else a.repeats)
        cases.append(row)
        print(json.dumps(row), flush=True)
    flat = []
    for J in [int(x) for x in a.rows_per_child.split(',') if x]:
        row = run_flat(a.schools, a.children, J, a.eval_repeats, a.flat_lme4_max_rows)
        flat.append(row)
        print(json.dumps(row), flush=True)
    lme4_version = next((c['lme4']['version'] for c in cases if c['lme4'] and 'version' in c['lme4']), None)
    meta = dict(python=platform.python_version(), numpy=np.__version__, machine=platform.machine(), cpus=os.cpu_count(),
                lme4=lme4_version, date=time.strftime('%Y-%m-%d %H:%M'), openblas_threads=os.environ['OPENBLAS_NUM_THREADS'],
                load_average_before=load0, load_average_after=os.getloadavg(), flat_formula=NESTED,
                note='2-core machine shared with other jobs; BLAS on one thread for both hlm_lit and lme4 '
                     '(OPENBLAS_NUM_THREADS=1); seconds are wall clock; lme4 with its default settings (nloptwrap)')
    Path(a.out).parent.mkdir(parents=True, exist_ok=True)
    Path(a.out).write_text(json.dumps(dict(meta=meta, cases=cases, flat=flat), indent=1))


if __name__ == '__main__':
    main()
