import numpy as np, sys
sys.path.insert(0, '/work/wt_kernel/scratch')
from kernel_dev import *

def dense_ref(Zs, gs, ms, X, y, w, lams):
    n = len(y)
    s = np.ones(n) if w is None else np.sqrt(w)
    blocks = []
    for Z, g, m, lam in zip(Zs, gs, ms, lams):
        q = Z.shape[1]
        Zf = np.zeros((n, m*q))
        for a in range(q): Zf[np.arange(n), g*q + a] = Z[:, a]
        Lf = np.kron(np.eye(m), lam)
        blocks.append(Zf @ Lf)
    ZL = np.column_stack(blocks)*s[:, None]
    Xs, ys = X*s[:, None], y*s
    A = np.column_stack([ZL, Xs, ys])
    Om = A.T @ A; nz = ZL.shape[1]
    Om[:nz, :nz] += np.eye(nz)
    L = np.linalg.cholesky(Om)
    dg = np.diag(L); p = X.shape[1]
    x = np.linalg.solve(Om[:-1, :-1], Om[:-1, -1])
    return 2*np.log(dg[:nz]).sum(), 2*np.log(dg[nz:nz+p]).sum(), dg[-1]**2, x

rng = np.random.default_rng(1)
def case(kind, w=False):
    n = 400
    if kind == 'nested':      # child in school in district
        m3 = 4; m2 = 15; m1 = 60
        g1 = rng.integers(0, m1, n); par12 = rng.integers(0, m2, m1); par23 = rng.integers(0, m3, m2)
        par12[:m2] = np.arange(m2); par23[:m3] = np.arange(m3); g1[:m1] = np.arange(m1)
        gs = [g1, par12[g1], par23[par12[g1]]]; ms = [m1, m2, m3]; qs = [2, 2, 1]
    elif kind == 'crossed':
        gs = [rng.integers(0, 40, n), rng.integers(0, 12, n), rng.integers(0, 5, n)]; ms = [40, 12, 5]; qs = [1, 2, 1]
    elif kind == 'mixed':    # 1 nested in 2, 3 crossed
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
    lams = [np.tril(rng.normal(size=(q, q))) + np.eye(q) for q in qs]
    cp = crossprods(Zs, gs, ms, X, y, wt)
    plan = Plan(cp)
    F = factorize(plan, lams)
    ld, lr, r2, x = dense_ref(Zs, gs, ms, X, y, wt, lams)
    u = np.concatenate([uu.ravel() for uu in F.u])
    print(kind, w, 'd=', plan.d, abs(F.logdet_L - ld), abs(F.logdet_RX - lr), abs(F.r2 - r2)/r2, np.abs(np.r_[u, F.phi] - x).max())
for k in ['one', 'nested', 'crossed', 'mixed']:
    case(k); case(k, True)
