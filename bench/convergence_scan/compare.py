"""Fit every case of the convergence scan with hlm_lit and compare with lme4 (bench/results/convergence_scan_lme4.json).

Reports, separately for the 600 small unbalanced fits and the 12 near-collinear ones:
- fits reported converged at a criterion worse than lme4's tight one by more than 1e-7 relative (must be 0);
- false non-convergence alarms: flagged (not converged, or a ConvergenceWarning) with a criterion within 1e-7 relative
  of lme4's tight one (should be 0); flagged fits *better* than lme4's tight one by more than 1e-7 are counted apart
  (lme4's tight point is then no optimum either, so the flag cannot be called false);
- fits better than lme4's tight criterion by more than 1e-7 relative, lme4's default fit's own record;
- evaluations per fit (fit.optinfo.nfev) and time per fit.
Writes bench/results/convergence_scan.json (summary and one row per fit).

Run from the repository root, after make_data.py and lme4_tight.R:
    python bench/convergence_scan/compare.py [--data bench/convergence_scan/data] [--lme4 bench/results/convergence_scan_lme4.json]
"""
import argparse, json, platform, time, warnings
from pathlib import Path

import numpy as np
import pandas as pd

import hlm_lit
from hlm_lit import ConvergenceWarning
from hlm_lit.fit import lmer

REL = 1e-7

KERNEL = False                                  # --kernel: fit on the blocked kernel (unit weights), not chapter 05's path

def fit_case(case, data_dir):
    "Fit one case with hlm_lit, warnings captured; return a dict of what the scan reports"
    d = pd.read_csv(Path(data_dir)/case['file'])
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter('always')
        t0 = time.perf_counter()
        try: fit = lmer(case['formula'], d, weights=np.ones(len(d)) if KERNEL else None)
        except Exception as e: return dict(id=case['id'], error=f'{type(e).__name__}: {e}', seconds=time.perf_counter() - t0)
        secs = time.perf_counter() - t0
    conv_warn = [str(m.message) for m in w if issubclass(m.category, ConvergenceWarning)]
    return dict(id=case['id'], crit=float(fit.crit), theta=[float(t) for t in fit.theta], converged=bool(fit.converged),
                flagged=(not fit.converged) or bool(conv_warn), convergence_warnings=conv_warn,
                other_warnings=[f'{m.category.__name__}: {m.message}' for m in w if not issubclass(m.category, ConvergenceWarning)],
                message=fit.optinfo.message, nfev=int(fit.optinfo.nfev), seconds=secs)

def classify(ours, ref):
    "Compare our fit (and lme4's default) with lme4's tight criterion"
    tight = ref['tight']['crit']; scale = abs(tight)
    row = dict(ours, kind=ref['kind'], model=ref['model'], seed=ref['seed'], config=ref.get('config'), lme4_tight=tight,
               lme4_default=ref['default'].get('crit'), lme4_default_converged=ref['default'].get('converged'),
               lme4_default_warnings=ref['default'].get('warnings', []))
    if 'crit' not in ours: return dict(row, outcome='error')
    rel = (ours['crit'] - tight)/scale; row['rel_vs_tight'] = rel
    worse, better = rel > REL, rel < -REL
    row['outcome'] = ('converged_but_worse' if worse and not ours['flagged'] else 'flagged_and_worse' if worse else
                      'flagged_but_better_than_lme4_tight' if better and ours['flagged'] else
                      'false_alarm' if ours['flagged'] else 'better_than_lme4_tight' if better else 'ok')
    dc = ref['default'].get('crit')
    if dc is not None:
        drel = (dc - tight)/scale; row['lme4_default_rel_vs_tight'] = drel
        row['lme4_default_outcome'] = ('converged_but_worse' if drel > REL and ref['default']['converged'] else
                                       'flagged_and_worse' if drel > REL else 'false_alarm' if not ref['default']['converged'] else 'ok')
    return row

def summarize(rows):
    "Counts of outcomes, evaluations and times for one group of fits"
    r = pd.DataFrame(rows)
    nf = r.nfev.dropna()
    out = dict(fits=len(r), outcomes=r.outcome.value_counts().to_dict(),
               lme4_default_outcomes=r.lme4_default_outcome.value_counts().to_dict() if 'lme4_default_outcome' in r else {},
               nfev=dict(median=float(nf.median()), mean=float(nf.mean()), p90=float(nf.quantile(.9)), max=int(nf.max()),
                         over_100=int((nf > 100).sum())),
               seconds=dict(total=float(r.seconds.sum()), median=float(r.seconds.median()), max=float(r.seconds.max())),
               lowest_rel_vs_tight=float(r.rel_vs_tight.min()), highest_rel_vs_tight=float(r.rel_vs_tight.max()))
    for o in ['converged_but_worse', 'false_alarm', 'flagged_and_worse', 'flagged_but_better_than_lme4_tight', 'error']:
        out[o] = r.loc[r.outcome == o, 'id'].tolist()
    return out

def main(data_dir, lme4_file, out_file):
    "Run the scan and write the result"
    cases = json.loads((Path(data_dir)/'cases.json').read_text())
    ref = {c['id']: c for c in json.loads(Path(lme4_file).read_text())['cases']}
    warnings.simplefilter('ignore')             # (inside fit_case every warning is recorded)
    rows = [classify(fit_case(c, data_dir), ref[c['id']]) for c in cases]
    groups = {'small_unbalanced': [r for r in rows if r['kind'] == 'gen'], 'collinear': [r for r in rows if r['kind'] == 'collinear']}
    summary = {k: summarize(v) for k, v in groups.items()}
    res = dict(provenance=dict(hlm_lit=hlm_lit.__version__, python=platform.python_version(), numpy=np.__version__,
                               machine=platform.machine(), when=time.strftime('%Y-%m-%d %H:%M:%S'),
                               lme4=json.loads(Path(lme4_file).read_text())['provenance'], rel_tol=REL),
               summary=summary, fits=rows)
    Path(out_file).parent.mkdir(parents=True, exist_ok=True)
    Path(out_file).write_text(json.dumps(res, indent=1, default=float))
    return summary, rows

def report(summary, rows):
    "Print the summary as the issue asks for it"
    for k, s in summary.items():
        print(f"== {k}: {s['fits']} fits")
        print(f"   outcomes (hlm_lit vs lme4 tight, {REL:g} relative): {s['outcomes']}")
        print(f"   lme4's default fit, same classification:        {s['lme4_default_outcomes']}")
        print(f"   converged but worse: {s['converged_but_worse']}")
        print(f"   false alarms: {s['false_alarm']}   flagged and worse: {s['flagged_and_worse']}   errors: {s['error']}")
        print(f"   flagged but better than lme4 tight: {s['flagged_but_better_than_lme4_tight']}")
        print(f"   evaluations: median {s['nfev']['median']:.0f}, mean {s['nfev']['mean']:.1f}, p90 {s['nfev']['p90']:.0f}, "
              f"max {s['nfev']['max']}, over 100: {s['nfev']['over_100']}")
        print(f"   time: total {s['seconds']['total']:.1f} s, median {1e3*s['seconds']['median']:.1f} ms, max {1e3*s['seconds']['max']:.0f} ms")
        print(f"   criterion - lme4 tight, relative: min {s['lowest_rel_vs_tight']:.2e}, max {s['highest_rel_vs_tight']:.2e}")
    col = pd.DataFrame([r for r in rows if r['kind'] == 'collinear'])
    print(col[['id', 'converged', 'flagged', 'nfev', 'rel_vs_tight', 'outcome', 'lme4_default_outcome']].to_string(index=False))

if __name__ == '__main__':
    here = Path(__file__).parent
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--data', default=str(here/'data'))
    ap.add_argument('--lme4', default=str(here.parent/'results'/'convergence_scan_lme4.json'))
    ap.add_argument('--out', default=None, help='default: ../results/convergence_scan.json (or convergence_scan_kernel.json with --kernel)')
    ap.add_argument('--kernel', action='store_true', help='fit on the blocked kernel (unit prior weights force it)')
    a = ap.parse_args()
    KERNEL = a.kernel
    out = a.out or str(here.parent/'results'/('convergence_scan_kernel.json' if a.kernel else 'convergence_scan.json'))
    report(*main(a.data, a.lme4, out))
