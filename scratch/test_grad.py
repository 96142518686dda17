import sys; sys.path.insert(0, '/work/wt_kernel/scratch')
from test_dev import *
from hlm_lit.reml import ReTemplate
rng = np.random.default_rng(5)
def gcase(kind, REML, w=False):
    n = 400
    if kind == 'nested':
        m3, m2, m1 = 4, 15, 60
        g1 = rng.integers(0, m1, n); par12 = rng.integers(0, m2, m1); par23 = rng.integers(0, m3, m2)
        par12[:m2] = np.arange(m2); par23[:m3] = np.arange(m3); g1[:m1] = np.arange(m1)
        gs = [g1, par12[g1], par23[par12[g1]]]; ms = [m1, m2, m3]; qs = [2, 2, 1]
    elif kind == 'crossed':
        gs = [rng.integers(0, 40, n), rng.integers(0, 12, n), rng.integers(0, 5, n)]; ms = [40, 12, 5]; qs = [1, 2, 1]
    elif kind == 'mixed':
        m1, m2 = 50, 10
        g1 = rng.integers(0, m1, n); g1[:m1] = np.arange(m1); par = rng.integers(0, m2, m1); par[:m2] = np.arange(m2)
        gs = [g1, par[g1], rng.integers(0, 6, n)]; ms = [m1, m2, 6]; qs = [2, 1, 2]
    elif kind == 'one':
        gs = [rng.integers(0, 30, n)]; ms = [30]; qs = [3]
    x = rng.normal(size=n)
    Zs = [np.column_stack([np.ones(n), x, x**2][:q]) for q in qs]
    X = np.column_stack([np.ones(n), x, rng.normal(size=n)])
    y = rng.normal(size=n) + sum(rng.normal(size=m)[g] for g, m in zip(gs, ms))
    wt = rng.uniform(0.5, 2, n) if w else None
    cp = crossprods(Zs, gs, ms, X, y, wt)
    tmpl = ReTemplate(tuple(qs)); cols = []; o = 0
    for q in qs: cols.append(list(range(o, o+q))); o += q
    obj = BlockedProfiled(cp, tmpl, cols, REML)
    th = tmpl.theta0 + 0.3*rng.normal(size=tmpl.ntheta)
    th = np.maximum(th, tmpl.lower + 0.05)
    F = obj.pls(th)
    ga = criterion_gradient(obj.plan, F, tmpl, cols, REML)
    gf = np.array([(obj.crit(th + e*1e-5) - obj.crit(th - e*1e-5))/2e-5 for e in np.eye(len(th))])
    print(kind, REML, w, 'd=', obj.plan.d, np.abs(ga - gf).max(), np.abs(gf).max())
for k in ['one', 'nested', 'crossed', 'mixed']:
    for R in [True, False]: gcase(k, R, True)
