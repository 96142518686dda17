import numpy as np
import scipy.linalg as sla
import scipy.sparse as sp
from dataclasses import dataclass, field

# ---------------------------------------------------------------- the one pass
def level_sums(g, m, V):
    "Sums of the rows of V (n, r) within each level of g: (m, r)"
    V = np.asarray(V, float)
    n = len(g)
    if n and np.all(g[1:] >= g[:-1]) and (np.diff(g) <= 1).all() and g[0] == 0 and g[-1] == m - 1:
        starts = np.flatnonzero(np.r_[True, g[1:] != g[:-1]])
        return np.add.reduceat(V, starts, axis=0)
    out = np.empty((m, V.shape[1]))
    for j in range(V.shape[1]): out[:, j] = np.bincount(g, V[:, j], m)
    return out

def _products(A, B):
    "Row-wise outer products of A (n, a) and B (n, b), as (n, a*b)"
    return (A[:, :, None]*B[:, None, :]).reshape(len(A), -1)

@dataclass
class Pair:
    "The non-empty cells of two factors f (more levels) and h: Z_h'Z_f per cell"
    lev_f: np.ndarray   # (C,) level of f of each cell
    lev_h: np.ndarray   # (C,) level of h of each cell
    B: np.ndarray       # (C, q_h, q_f)

@dataclass
class Crossprods:
    "All that an evaluation needs from the rows: the blocks of [Z_1 ... Z_K X y]'W[Z_1 ... Z_K X y]"
    m: list             # levels per factor (decreasing)
    q: list             # random-effect columns per factor
    D: list             # per factor: (m_f, q_f, q_f) per-level Z_f'WZ_f
    ZXy: list           # per factor: (m_f, q_f, k) per-level Z_f'W[X y]
    XyXy: np.ndarray    # (k, k)
    pairs: dict         # (h, f), f < h: Pair
    n: int              # rows
    counts: list        # per factor: rows per level
    sumlogw: float = 0.0

    @property
    def k(self): return self.XyXy.shape[0]
    @property
    def p(self): return self.k - 1

def crossprods(Zs, gs, ms, X, y, w=None):
    "One pass over the rows: the blocked cross-products of several grouping factors"
    X, y = np.asarray(X, float), np.asarray(y, float)
    s = None if w is None else np.sqrt(np.asarray(w, float))
    Xy = np.column_stack([X, y])
    if s is not None: Xy = Xy*s[:, None]
    D, ZXy, counts, Zw = [], [], [], []
    for Z, g, m in zip(Zs, gs, ms):
        Z = np.asarray(Z, float).reshape(len(y), -1)
        if s is not None: Z = Z*s[:, None]
        q = Z.shape[1]
        D.append(level_sums(g, m, _products(Z, Z)).reshape(m, q, q))
        ZXy.append(level_sums(g, m, _products(Z, Xy)).reshape(m, q, -1))
        counts.append(np.bincount(g, minlength=m)); Zw.append(Z)
    pairs = {}
    for h in range(len(Zs)):
        for f in range(h):
            code = gs[f].astype(np.int64)*ms[h] + gs[h]
            cells, inv = np.unique(code, return_inverse=True)
            B = level_sums(inv.ravel(), len(cells), _products(Zw[h], Zw[f])).reshape(len(cells), Zw[h].shape[1], Zw[f].shape[1])
            pairs[(h, f)] = Pair(cells // ms[h], cells % ms[h], B)
    return Crossprods(list(ms), [Z.shape[1] for Z in Zw], D, ZXy, Xy.T @ Xy, pairs, len(y), counts,
                      0.0 if w is None else float(np.log(w).sum()))

# ---------------------------------------------------------------- the plan (structure only)
def segsum_matrix(idx, m):
    "The m x C indicator matrix that sums C items into m groups"
    return sp.csr_matrix((np.ones(len(idx)), (idx, np.arange(len(idx)))), shape=(m, len(idx)))

class Plan:
    "The block structure of L: which factors stay block-diagonal (nested in all earlier ones) and which go dense"
    def __init__(self, cp:Crossprods):
        K = len(cp.m)
        d = 1
        while d < K and all(len(cp.pairs[(d, f)].lev_f) == cp.m[f] for f in range(d)): d += 1
        self.K, self.d, self.cp = K, d, cp
        self.par = {(j, i): cp.pairs[(j, i)].lev_h for j in range(d) for i in range(j)}   # level of i -> level of j
        self.S = {key: segsum_matrix(v, cp.m[key[0]]) for key, v in self.par.items()}     # sums over levels of i into j
        # the dense tail: factors d..K-1, then [X y]
        self.off = {}
        o = 0
        for t in range(d, K): self.off[t] = o; o += cp.m[t]*cp.q[t]
        self.nTf, self.nT = o, o + cp.k
        # for tail t and diag i < l: where a cell (t, i) lands among the cells of (t, l)
        self.cellmap = {}
        for t in range(d, K):
            for l in range(d):
                cl = cp.pairs[(t, l)]
                key_l = cl.lev_h.astype(np.int64)*cp.m[l] + cl.lev_f
                order = np.argsort(key_l)
                for i in range(l):
                    ci = cp.pairs[(t, i)]
                    want = ci.lev_h.astype(np.int64)*cp.m[l] + self.par[(l, i)][ci.lev_f]
                    pos = order[np.searchsorted(key_l, want, sorter=order)]
                    assert np.array_equal(key_l[pos], want)
                    self.cellmap[(t, i, l)] = pos
                    self.S[(t, i, l)] = segsum_matrix(pos, len(cl.lev_f))
        # the sparse pattern of the tail rows of column block i: (tail-factor rows) x (m_i q_i)
        self.tailpat = {}
        for i in range(d):
            rows, cols, src = [], [], []
            qi = cp.q[i]
            for t in range(d, K):
                c, qt = cp.pairs[(t, i)], cp.q[t]
                C = len(c.lev_f)
                r = (self.off[t] + c.lev_h[:, None, None]*qt + np.arange(qt)[None, :, None]) + 0*np.arange(qi)[None, None, :]
                cc = (c.lev_f[:, None, None]*qi + np.arange(qi)[None, None, :]) + 0*np.arange(qt)[None, :, None]
                rows.append(r.ravel()); cols.append(cc.ravel())
            if rows:
                rows, cols = np.concatenate(rows), np.concatenate(cols)
                M = sp.csr_matrix((np.arange(1, len(rows) + 1, dtype=float), (rows, cols)), shape=(self.nTf, cp.m[i]*qi))
                perm = M.data.astype(np.intp) - 1      # CSR order of the entries
                self.tailpat[i] = (M.indices.copy(), M.indptr.copy(), perm)
        # tail-tail pattern of the initial dense tail
        self.lev_i_tail = {(t, i): cp.pairs[(t, i)].lev_f for t in range(d, K) for i in range(d)}

def tri_inv(L):
    "Inverses of a batch of lower-triangular matrices (m, q, q) by forward substitution"
    q = L.shape[-1]
    Li = np.zeros_like(L)
    for i in range(q):
        Li[:, i, i] = 1/L[:, i, i]
        for j in range(i):
            Li[:, i, j] = -np.einsum('mk,mk->m', L[:, i, j:i], Li[:, j:i, j])*Li[:, i, i]
    return Li

def bchol(W):
    "Cholesky factors of a batch (m, q, q)"
    q = W.shape[-1]
    if q == 1:
        with np.errstate(invalid='ignore'): L = np.sqrt(W)
    else:
        try: L = np.linalg.cholesky(W)
        except np.linalg.LinAlgError: L = np.full_like(W, np.nan)
    if not np.isfinite(L[:, np.arange(q), np.arange(q)]).all():
        raise np.linalg.LinAlgError("a diagonal block of Lambda'Z'ZLambda + I is not positive definite in floating point")
    return L

def _T(A): return np.swapaxes(A, -1, -2)

@dataclass
class Factor:
    "The blocked Cholesky factor at one theta"
    logdet_L: float
    logdet_RX: float
    r2: float
    u: list           # per factor (m_f, q_f)
    phi: np.ndarray
    lams: list = None
    Lii: list = None   # per diag factor: (L, L^{-1}) batched
    Ld: dict = None
    Lt: dict = None
    LX: list = None
    LT: np.ndarray = None

def factorize(plan:Plan, lams:list):
    "Blocked Cholesky of [Lambda'Z'WZLambda + I, ...; [X y] rows] at one theta; returns Factor"
    cp, d, K, k = plan.cp, plan.d, plan.K, plan.cp.k
    # scaled blocks
    W = [_T(lams[j]) @ cp.D[j] @ lams[j] + np.eye(cp.q[j]) for j in range(d)]
    Wd = {(j, i): _T(lams[j]) @ cp.pairs[(j, i)].B @ lams[i] for j in range(d) for i in range(j)}
    WX = [_T(_T(lams[i]) @ cp.ZXy[i]) for i in range(d)]                         # (m_i, k, q_i)
    Wt = {(t, i): _T(lams[t]) @ cp.pairs[(t, i)].B @ lams[i] for t in range(d, K) for i in range(d)}
    T = np.zeros((plan.nT, plan.nT))
    nTf = plan.nTf
    for t in range(d, K):
        qt, mt, o = cp.q[t], cp.m[t], plan.off[t]
        blk = _T(lams[t]) @ cp.D[t] @ lams[t] + np.eye(qt)
        ix = o + np.arange(mt)[:, None]*qt + np.arange(qt)[None, :]               # (m_t, q_t)
        T[ix[:, :, None], ix[:, None, :]] = blk
        zx = _T(lams[t]) @ cp.ZXy[t]                                              # (m_t, q_t, k)
        T[nTf:, o:o + mt*qt] = zx.reshape(mt*qt, k).T
        for t2 in range(d, t):                                                    # t2 has more levels than t
            c = cp.pairs[(t, t2)]; q2, o2 = cp.q[t2], plan.off[t2]
            blk = _T(lams[t]) @ c.B @ lams[t2]                                    # (C, q_t, q_t2)
            r = o + c.lev_h[:, None, None]*qt + np.arange(qt)[None, :, None]
            cc = o2 + c.lev_f[:, None, None]*q2 + np.arange(q2)[None, None, :]
            T[r, cc] = blk
    T[nTf:, nTf:] = cp.XyXy
    logdet = 0.0
    Lii, Ld, Lt, LX = [], {}, {}, []
    for i in range(d):
        L = bchol(W[i]); Li = tri_inv(L)
        logdet += 2*np.log(L[:, np.arange(cp.q[i]), np.arange(cp.q[i])]).sum()
        Lii.append((L, Li))
        LiT = _T(Li)
        for j in range(i + 1, d): Ld[(j, i)] = Wd[(j, i)] @ LiT
        for t in range(d, K): Lt[(t, i)] = Wt[(t, i)] @ LiT[plan.lev_i_tail[(t, i)]]
        LX.append(WX[i] @ LiT)
        mi, qi = cp.m[i], cp.q[i]
        for j in range(i + 1, d):
            Sji = plan.S[(j, i)]
            W[j] -= (Sji @ (Ld[(j, i)] @ _T(Ld[(j, i)])).reshape(mi, -1)).reshape(W[j].shape)
            for l in range(i + 1, j):
                upd = Ld[(j, i)] @ _T(Ld[(l, i)])                                  # (m_i, q_j, q_l)
                Wd[(j, l)] -= (plan.S[(l, i)] @ upd.reshape(mi, -1)).reshape(Wd[(j, l)].shape)
        for l in range(i + 1, d):
            upd = LX[i] @ _T(Ld[(l, i)])                                           # (m_i, k, q_l)
            WX[l] -= (plan.S[(l, i)] @ upd.reshape(mi, -1)).reshape(WX[l].shape)
            for t in range(d, K):
                upd = Lt[(t, i)] @ _T(Ld[(l, i)][plan.lev_i_tail[(t, i)]])          # (C_ti, q_t, q_l)
                Wt[(t, l)] -= (plan.S[(t, i, l)] @ upd.reshape(len(upd), -1)).reshape(Wt[(t, l)].shape)
        Dx = _T(LX[i]).transpose(1, 0, 2).reshape(k, mi*qi) if False else LX[i].transpose(1, 0, 2).reshape(k, mi*qi)
        T[nTf:, nTf:] -= Dx @ Dx.T
        if i in plan.tailpat:
            ind, ptr, perm = plan.tailpat[i]
            vals = np.concatenate([Lt[(t, i)].ravel() for t in range(d, K)])[perm]
            S = sp.csr_matrix((vals, ind, ptr), shape=(nTf, mi*qi))
            T[:nTf, :nTf] -= (S @ S.T).toarray()
            T[nTf:, :nTf] -= (S @ Dx.T).T
    # dense tail
    if not np.isfinite(T).all(): raise np.linalg.LinAlgError("the dense part is not finite")
    LT = np.linalg.cholesky(T)                                                    # lower (uses the lower triangle)
    dT = np.diag(LT)
    logdet += 2*np.log(dT[:nTf]).sum()
    p = k - 1
    logdet_RX = 2*np.log(dT[nTf:nTf + p]).sum()
    r2 = dT[-1]**2
    # back-substitution: L' x = (y row of L)
    xT = sla.solve_triangular(LT[:-1, :-1], LT[-1, :-1], lower=True, trans='T')
    phi = xT[nTf:]
    u = [None]*K
    for t in range(d, K):
        u[t] = xT[plan.off[t]:plan.off[t] + cp.m[t]*cp.q[t]].reshape(cp.m[t], cp.q[t])
    for i in reversed(range(d)):
        mi, qi = cp.m[i], cp.q[i]
        rhs = LX[i][:, -1, :] - np.einsum('mpq,p->mq', LX[i][:, :p, :], phi)
        for t in range(d, K):
            c = cp.pairs[(t, i)]
            contrib = np.einsum('cab,ca->cb', Lt[(t, i)], u[t][c.lev_h])
            rhs -= level_sums(c.lev_f, mi, contrib) if len(c.lev_f) else 0
        for j in range(i + 1, d):
            rhs -= np.einsum('mab,ma->mb', Ld[(j, i)], u[j][plan.par[(j, i)]])
        u[i] = np.einsum('mba,mb->ma', Lii[i][1], rhs)
    return Factor(float(logdet), float(logdet_RX), float(r2), u, phi, lams, Lii, Ld, Lt, LX, LT)

# ---------------------------------------------------------------- the objective
class BlockedProfiled:
    "The profiled criterion of a model with several grouping factors, evaluated on the blocked cross-products"
    def __init__(self, cp, tmpl, fac_cols, REML=True):
        self.cp, self.tmpl, self.fac_cols, self.REML = cp, tmpl, [np.asarray(c) for c in fac_cols], REML
        self.plan = Plan(cp)
        self.nfev, self.best = 0, (np.inf, None, None)
    def lams(self, theta):
        L = self.tmpl.Lambda(theta)
        return [L[np.ix_(c, c)] for c in self.fac_cols]
    def pls(self, theta): return factorize(self.plan, self.lams(theta))
    def crit(self, theta):
        self.nfev += 1
        F = self.pls(theta)
        n, p = self.cp.n, self.cp.p
        nu = n - p if self.REML else n
        return F.logdet_L + (F.logdet_RX if self.REML else 0.0) + nu*(1 + np.log(2*np.pi*F.r2/nu))
    def grad(self, theta, f0=None):
        g = np.empty(len(theta))
        for j in range(len(theta)):
            h = 1e-4*max(abs(theta[j]), 0.1)
            e = np.zeros(len(theta)); e[j] = h
            if theta[j] - h >= self.tmpl.lower[j]: g[j] = (self.crit(theta + e) - self.crit(theta - e))/(2*h)
            else:
                f0 = self.crit(theta) if f0 is None else f0
                g[j] = (-3*f0 + 4*self.crit(theta + e) - self.crit(theta + 2*e))/(2*h)
        return g
    def __call__(self, theta):
        theta = np.asarray(theta, float)
        self.nfev += 1
        F = self.pls(theta)
        n, p = self.cp.n, self.cp.p
        nu = n - p if self.REML else n
        f = F.logdet_L + (F.logdet_RX if self.REML else 0.0) + nu*(1 + np.log(2*np.pi*F.r2/nu))
        g = criterion_gradient(self.plan, F, self.tmpl, self.fac_cols, self.REML)
        if f < self.best[0]: self.best = (f, theta.copy(), g)
        return f, g
    def hessian(self, theta):
        k = len(theta); H = np.empty((k, k))
        h = 1e-5*np.maximum(np.abs(theta), 0.1)
        for j in range(k):
            e = np.zeros(k); e[j] = h[j]
            central = theta[j] - h[j] >= self.tmpl.lower[j]
            lo = theta - e if central else theta
            H[:, j] = (self(theta + e)[1] - self(lo)[1])/(h[j]*(2 if central else 1))
        return (H + H.T)/2

# ---------------------------------------------------------------- selected inverse and the analytic gradient
def selected_inverse(plan, F, with_X=True):
    "Takahashi's recurrences: the entries of Omega^{-1} (with_X) or M^{-1} on the pattern of L"
    cp, d, K, nTf = plan.cp, plan.d, plan.K, plan.nTf
    p = cp.p if with_X else 0
    LTz = F.LT[:nTf + p, :nTf + p]
    ST = sla.cho_solve((LTz, True), np.eye(nTf + p))
    Sd, St, SX, Sii = {}, {}, [None]*d, [None]*d
    for i in reversed(range(d)):
        L, Li = F.Lii[i]
        mi, qi = cp.m[i], cp.q[i]
        Vd = {j: F.Ld[(j, i)] @ Li for j in range(i + 1, d)}
        Vt = {t: F.Lt[(t, i)] @ Li[plan.lev_i_tail[(t, i)]] for t in range(d, K)}
        VX = F.LX[i][:, :p, :] @ Li
        # the tail rows: Sigma_TT times the sparse V (tail-factor rows) and the X rows
        if K > d:
            ind, ptr, perm = plan.tailpat[i]
            V = sp.csr_matrix((np.concatenate([Vt[t].ravel() for t in range(d, K)])[perm], ind, ptr), shape=(nTf, mi*qi))
            Y = (V.T @ ST[:, :nTf].T).T                                          # (nTf + p, m_i q_i)
        else:
            Y = np.zeros((nTf + p, mi*qi))
        if p: Y += ST[:, nTf:] @ VX.transpose(1, 0, 2).reshape(p, mi*qi)
        Y = -Y
        # gather Y on the pattern, then add the contributions of the diag rows l > i
        newSt = {}
        for t in range(d, K):
            c, qt, o = cp.pairs[(t, i)], cp.q[t], plan.off[t]
            r = o + c.lev_h[:, None, None]*qt + np.arange(qt)[None, :, None]
            cc = c.lev_f[:, None, None]*qi + np.arange(qi)[None, None, :]
            newSt[t] = Y[r, cc]                                                  # (C, q_t, q_i)
        newSX = Y[nTf:].reshape(p, mi, qi).transpose(1, 0, 2)                    # (m_i, p, q_i)
        newSd = {}
        for j in range(i + 1, d):
            par = plan.par[(j, i)]
            acc = np.zeros((mi, cp.q[j], qi))
            for l in range(i + 1, d):
                if l == j: Sjl = Sii[j][par]
                elif l < j: Sjl = Sd[(j, l)][plan.par[(l, i)]]
                else: Sjl = _T(Sd[(l, j)][par])
                acc -= Sjl @ Vd[l]
            for t in range(d, K):
                cm = plan.cellmap[(t, i, j)]
                contrib = _T(St[(t, j)][cm]) @ Vt[t]                              # (C, q_j, q_i)
                acc -= level_sums(cp.pairs[(t, i)].lev_f, mi, contrib.reshape(len(cm), -1)).reshape(acc.shape) if len(cm) else 0
            if p: acc -= _T(SX[j][par]) @ VX
            newSd[j] = acc
        for l in range(i + 1, d):
            parl = plan.par[(l, i)]
            for t in range(d, K):
                newSt[t] -= St[(t, l)][plan.cellmap[(t, i, l)]] @ Vd[l][plan.lev_i_tail[(t, i)]]
            if p: newSX -= SX[l][parl] @ Vd[l]
        # the diagonal blocks
        inner = Li.copy()
        for j in range(i + 1, d): inner -= _T(F.Ld[(j, i)]) @ newSd[j]
        for t in range(d, K):
            contrib = _T(F.Lt[(t, i)]) @ newSt[t]                                # (C, q_i, q_i)
            inner -= level_sums(cp.pairs[(t, i)].lev_f, mi, contrib.reshape(len(contrib), -1)).reshape(inner.shape)
        if p: inner -= _T(F.LX[i][:, :p, :]) @ newSX
        Sii[i] = _T(Li) @ inner
        for j in range(i + 1, d): Sd[(j, i)] = newSd[j]
        for t in range(d, K): St[(t, i)] = newSt[t]
        SX[i] = newSX
    return Sii, Sd, St, SX, ST

def criterion_gradient(plan, F, tmpl, fac_cols, REML=True):
    "Analytic gradient of the profiled criterion with respect to theta, for any number of grouping factors"
    cp, d, K, nTf = plan.cp, plan.d, plan.K, plan.nTf
    p = cp.p
    Sii, Sd, St, SX, ST = selected_inverse(plan, F, with_X=REML)
    lams, u, phi = F.lams, F.u, F.phi
    G = []                                                                       # per factor: (m_f, q_f, q_f)
    rho = []                                                                     # per factor: Z_f'W(y - X phi - Z Lambda u)
    Lu = [u[f] @ lams[f].T for f in range(K)]                                    # b = Lambda u per level
    for f in range(K):
        mf, qf = cp.m[f], cp.q[f]
        r = cp.ZXy[f][:, :, -1] - cp.ZXy[f][:, :, :p] @ phi - np.einsum('mab,mb->ma', cp.D[f], Lu[f])
        if f < d:
            Sff = Sii[f]
        else:
            ix = plan.off[f] + np.arange(mf)[:, None]*qf + np.arange(qf)[None, :]
            Sff = ST[ix[:, :, None], ix[:, None, :]]
        Gf = Sff @ _T(lams[f])[None] @ cp.D[f]
        if REML:
            SfX = SX[f].transpose(0, 2, 1) if f < d else ST[ix][:, :, nTf:nTf + p] # (m_f, q_f, p)
            Gf = Gf + SfX @ _T(cp.ZXy[f][:, :, :p])
        for h in range(K):
            if h == f: continue
            key = (f, h) if h < f else (h, f)
            c = cp.pairs[key]
            if h < f:          # B: Z_f'WZ_h per cell, (C, q_f, q_h); cells indexed by (lev_h = c.lev_f, lev_f = c.lev_h)
                B, levf, levh = c.B, c.lev_h, c.lev_f
            else:              # B stored as Z_h'WZ_f: transpose
                B, levf, levh = _T(c.B), c.lev_f, c.lev_h
            # Sigma_{f,h} on the cells, (C, q_f, q_h)
            if f < d and h < d:
                Sfh = Sd[(f, h)] if h < f else _T(Sd[(h, f)])
            elif f >= d and h < d: Sfh = St[(f, h)]
            elif f < d and h >= d: Sfh = _T(St[(h, f)])
            else:
                rf = plan.off[f] + levf[:, None, None]*qf + np.arange(qf)[None, :, None]
                rh = plan.off[h] + levh[:, None, None]*cp.q[h] + np.arange(cp.q[h])[None, None, :]
                Sfh = ST[rf, rh]
            contrib = Sfh @ _T(lams[h])[None] @ _T(B)                             # (C, q_f, q_f)
            Gf = Gf + level_sums(levf, mf, contrib.reshape(len(levf), -1)).reshape(Gf.shape)
            r = r - level_sums(levf, mf, np.einsum('cab,cb->ca', B, Lu[h][levh]))
        G.append(Gf); rho.append(r)
    nu = cp.n - p if REML else cp.n
    grad = np.empty(tmpl.ntheta)
    for k, (R, C) in enumerate(zip(tmpl.rows, tmpl.cols)):
        for f, cols in enumerate(fac_cols):
            if R in cols:
                a, b = list(cols).index(R), list(cols).index(C)
                grad[k] = 2*G[f][:, b, a].sum() - nu/F.r2*2*np.dot(rho[f][:, a], u[f][:, b])
    return grad
