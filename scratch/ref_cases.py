import numpy as np, pandas as pd, json, sys, time
sys.path.insert(0, '/work/wt_kernel/scratch')
from kernel_dev import *
from hlm_lit.reml import ReTemplate, fit_theta
ref = json.load(open('/work/shared/reference/lme4_multilevel.json'))
D = '/work/shared/data/'
def codes(s): return pd.factorize(s, sort=True)
def build(name):
    c = next(r for r in ref if r['name'] == name)
    df = pd.read_csv(D + c['data'].replace('data/', ''))
    one = np.ones(len(df)); w = None
    if name == 'oats_nested':
        facs = [df.Variety.astype(str) + ':' + df.Block.astype(str), df.Block]; Z = [one[:, None], one[:, None]]
        X = np.column_stack([one, df.nitro]); y = df['yield']; sizes = (1, 1)
    elif name == 'machines_interaction':
        facs = [df.Worker.astype(str) + ':' + df.Machine, df.Worker]; Z = [one[:, None], one[:, None]]
        X = np.column_stack([one, df.Machine == 'B', df.Machine == 'C']); y = df.score; sizes = (1, 1)
    elif name == 'egsingle_3level':
        facs = [df.childid, df.schoolid]; Zc = np.column_stack([one, df.year]); Z = [Zc, Zc]
        X = Zc; y = df.math; sizes = (2, 2)
    elif name == 'scotssec_crossed':
        facs = [df.primary, df.second]; Z = [one[:, None], one[:, None]]
        X = np.column_stack([one, df.verbal, df.sex == 'M']); y = df.attain; sizes = (1, 1)
    elif name == 'insteval_crossed':
        facs = [df.s, df.d, df.dept]; Z = [one[:, None]]*3
        X = np.column_stack([one, df.service]); y = df.y; sizes = (1, 1, 1)
    elif name == 'sleep_two_bars':
        facs = [df.Subject]; Z = [np.column_stack([one, df.Days])]
        X = np.column_stack([one, df.Days]); y = df.Reaction; sizes = (1, 1)
    elif name == 'article_weighted':
        facs = [df.unit]; Z = [np.column_stack([one, df.x])]
        X = np.column_stack([one, df.x, df.a, df.x*df.a]); y = df.y; sizes = (2,); w = df.w.to_numpy(float)
    gs, ms = [], []
    for f in facs:
        g, lv = codes(f); gs.append(g.astype(np.intp)); ms.append(len(lv))
    return c, Z, gs, ms, np.asarray(X, float), np.asarray(y, float), w, sizes

def run(name):
    c, Z, gs, ms, X, y, w, sizes = build(name)
    tmpl = ReTemplate(sizes)
    cols, o = [], 0
    for Zf in Z: cols.append(list(range(o, o + Zf.shape[1]))); o += Zf.shape[1]
    sw = np.ones(len(y)) if w is None else w
    phi0 = np.linalg.solve((X*sw[:, None]).T @ X, (X*sw[:, None]).T @ y)
    t0 = time.perf_counter()
    cp = crossprods(Z, gs, ms, X, y - X @ phi0, w)
    obj = BlockedProfiled(cp, tmpl, cols, c['REML'])
    fit = fit_theta(None, tmpl, c['REML'], theta0=tmpl.theta0, objective=obj)
    t1 = time.perf_counter()
    F = obj.pls(fit.theta)
    crit = fit.crit - cp.sumlogw
    r = c['reference']
    print(f"{name:22s} d={obj.plan.d} crit {crit:.8f} lme4def {c['lme4_default']['crit']:.8f} tight {r['crit']:.8f} diff {crit - r['crit']:+.2e} "
          f"theta err {np.abs(fit.theta - r['theta']).max():.1e} nfev {obj.nfev} {t1-t0:.2f}s conv {fit.converged} {fit.message[:60]}")
    return fit
if __name__ == '__main__':
    for c in ref: run(c['name'])
