import nbformat
from nbformat.v4 import new_notebook, new_markdown_cell as md, new_code_cell as code
src = open('/work/wt_kernel/scratch/kernel_dev.py').read()
def grab(start, end=None):
    i = src.index(start); j = src.index(end, i) if end else len(src)
    return src[i:j].rstrip() + '\n'
cells = []
cells.append(md("# The blocked kernel\n\n> Several grouping factors, nested or crossed: one pass to blocked cross-products, a blocked Cholesky factor per evaluation, and the analytic gradient from a selected inverse"))
cells.append(code("#| default_exp kernel"))
cells.append(code("#| export\nfrom dataclasses import dataclass\n\nimport numpy as np\nimport scipy.linalg as sla\nimport scipy.sparse as sp"))
cells.append(code("from fastcore.test import test_eq, test_close, test_fail\nimport json\nimport pandas as pd\nimport matplotlib.pyplot as plt\nfrom hlm_lit.reml import ReTemplate, fit_theta"))
cells.append(md(r"""## The model with several grouping factors

Chapter 04 solved Henderson's equations for one grouping factor, unit by unit. Real hierarchies have more:
occasions within children within schools (nested), or pupils in primary *and* secondary schools (crossed). With
$K$ grouping factors, factor $f$ having $m_f$ levels and $q_f$ random effects per level,

$$y = X\phi + \sum_{f=1}^K Z_f b_f + e,\qquad b_f = \Lambda_f u_f,\quad u_f \sim N(0, \sigma^2 I),\quad e \sim N(0, \sigma^2 W^{-1}),$$

where $Z_f$ has one block of $q_f$ columns per level, $\Lambda_f = I_{m_f}\otimes\lambda_f$ repeats the factor's
$q_f\times q_f$ lower-triangular $\lambda_f$ (its entries are the $\theta$ of that factor's terms), and $W$ holds the
prior weights (identity without them). Stack $Z = [Z_1 \dots Z_K]$ and $\Lambda = \mathrm{diag}(\Lambda_f)$.
Penalized least squares (lme4's formulation, Bates et al. 2015) minimizes
$\|W^{1/2}(y - X\phi - Z\Lambda u)\|^2 + \|u\|^2$, and everything the criterion needs comes from one Cholesky factor
of the augmented cross-product matrix

$$\Omega_\theta = \begin{bmatrix}\Lambda'Z'WZ\Lambda + I & \Lambda'Z'WX & \Lambda'Z'Wy\\ X'WZ\Lambda & X'WX & X'Wy\\ y'WZ\Lambda & y'WX & y'Wy\end{bmatrix} = LL',\qquad
L = \begin{bmatrix}L_Z & & \\ L_{XZ} & R_X & \\ l_{yZ}' & l_{yX}' & r\end{bmatrix}.$$

$\log|L_Z|^2$, $\log|R_X|^2$ and the penalized residual sum of squares $r^2$ (the square of the **last diagonal
entry**, not a difference of large sums) give the profiled criteria of chapter 05, and $[u;\phi] = L^{-T}[l_{yZ}; l_{yX}]$.
The ordering of the factors matters: as in lme4 and MixedModels.jl, factors come in decreasing number of levels."""))
cells.append(md("""## One pass over the rows

Every block of $\\Omega$ without $\\Lambda$ is a sum over rows of products of columns. Per level of each factor we keep
$Z_f'WZ_f$ and $Z_f'W[X\\,y]$; for two factors, $Z_h'WZ_f$ per **cell** (pair of levels) that occurs; and
$[X\\,y]'W[X\\,y]$. Nothing else is ever read from the rows again: the cost of an evaluation depends on the numbers
of levels and cells, not on the number of rows."""))
cells.append(code("#| export\n" + grab("def level_sums", "def _products").replace(
    'def level_sums(g, m, V):\n    "Sums of the rows of V (n, r) within each level of g: (m, r)"',
    'def level_sums(g:np.ndarray, # (n,) level code of each row, 0..m-1\n               m:int, # number of levels\n               V:np.ndarray, # (n, r) values\n              ) -> np.ndarray:\n    "Sums of the rows of `V` within each level of `g`: (m, r)"')
    + "\n" + grab("def _products", "@dataclass\nclass Pair")))
cells.append(md("Contiguous runs (rows sorted by level) are summed with `reduceat`, any other order by weighted counts; both give the same sums:"))
cells.append(code("rng = np.random.default_rng(0)\ng = rng.integers(0, 5, 50); V = rng.normal(size=(50, 3))\ndense = np.stack([V[g == l].sum(0) for l in range(5)])\ntest_close(level_sums(g, 5, V), dense, 1e-12)\no = np.argsort(g, kind='stable'); test_close(level_sums(g[o], 5, V[o]), dense, 1e-12)"))
cells.append(code("#| export\n" + grab("@dataclass\nclass Pair", "def crossprods").replace(
    "    sumlogw: float = 0.0\n", "    sumlogw: float = 0.0 # sum of the log prior weights (0 without weights)\n").replace(
    "    @property\n    def k(self): return self.XyXy.shape[0]\n    @property\n    def p(self): return self.k - 1",
    "    @property\n    def k(self):\n        \"Columns of [X y]\"\n        return self.XyXy.shape[0]\n    @property\n    def p(self):\n        \"Fixed effects\"\n        return self.k - 1")))
cp_src = grab("def crossprods", "# ----------------------------------------------------------------").replace(
    'def crossprods(Zs, gs, ms, X, y, w=None):\n    "One pass over the rows: the blocked cross-products of several grouping factors"',
    'def crossprods(Zs:list, # per factor: (n, q_f) random-effect columns, factors in decreasing number of levels\n               gs:list, # per factor: (n,) level codes\n               ms:list, # per factor: number of levels\n               X:np.ndarray, # (n, p) fixed-effect design\n               y:np.ndarray, # (n,) response\n               w:np.ndarray=None, # (n,) prior weights (default: all 1)\n              ) -> Crossprods:\n    "One pass over the rows: the blocked cross-products of several grouping factors"')
cells.append(code("#| export\n" + cp_src))
cells.append(md("A small crossed example, checked against the dense $[Z\\,X\\,y]'W[Z\\,X\\,y]$:"))
cells.append(code("""def dense_Z(Zf, g, m):
    "The full n x (m q) indicator-expanded Z of one factor (small data only: a teaching helper)"
    n, q = Zf.shape; out = np.zeros((n, m*q))
    for a in range(q): out[np.arange(n), g*q + a] = Zf[:, a]
    return out

def toy(kind, n=300, seed=1, w=False):
    "Small data with three grouping factors: 'nested' (1 in 2 in 3), 'crossed', or 'mixed' (1 in 2, 3 crossed)"
    r = np.random.default_rng(seed)
    if kind == 'nested':
        par12, par23 = np.r_[np.arange(15), r.integers(0, 15, 45)], np.r_[np.arange(4), r.integers(0, 4, 11)]
        g1 = np.r_[np.arange(60), r.integers(0, 60, n - 60)]
        gs, ms, qs = [g1, par12[g1], par23[par12[g1]]], [60, 15, 4], [2, 2, 1]
    elif kind == 'crossed':
        gs, ms, qs = [r.integers(0, 40, n), r.integers(0, 12, n), r.integers(0, 5, n)], [40, 12, 5], [1, 2, 1]
    else:
        par = np.r_[np.arange(10), r.integers(0, 10, 40)]; g1 = np.r_[np.arange(50), r.integers(0, 50, n - 50)]
        gs, ms, qs = [g1, par[g1], r.integers(0, 6, n)], [50, 10, 6], [2, 1, 2]
    x = r.normal(size=n)
    Zs = [np.column_stack([np.ones(n), x][:q]) for q in qs]
    X = np.column_stack([np.ones(n), x, r.normal(size=n)])
    y = X @ [1., 2., .5] + sum(r.normal(size=(m, q))[g] @ np.ones(q) for g, m, q in zip(gs, ms, qs)) + r.normal(size=n)
    return Zs, gs, ms, X, y, (r.uniform(0.5, 2, n) if w else None)

Zs, gs, ms, X, y, w = toy('crossed', w=True)
cp = crossprods(Zs, gs, ms, X, y, w)
Zd = [dense_Z(Zf, g, m) for Zf, g, m in zip(Zs, gs, ms)]
A = (np.column_stack(Zd + [X, y])*w[:, None]).T @ np.column_stack(Zd + [X, y])
test_close(cp.XyXy, A[-4:, -4:], 1e-9)
test_close(cp.D[1][3], A[40 + 6:40 + 8, 40 + 6:40 + 8], 1e-9)                   # factor 2, level 3
c = cp.pairs[(1, 0)]; k = 7                                                        # a cell of factors 1 and 2
test_close(c.B[k], A[40 + 2*c.lev_h[k]:40 + 2*c.lev_h[k] + 2, c.lev_f[k]:c.lev_f[k] + 1], 1e-9)
test_eq(len(c.lev_f), len(set(zip(gs[0], gs[1]))))"""))
cells.append(md(r"""## The block structure of $L$

Write the blocks of $\Lambda'Z'WZ\Lambda + I$ by factor. The first factor's diagonal block is block-diagonal, $m_1$
blocks of $q_1\times q_1$, and so is its Cholesky factor. Eliminating it updates every later block by
$L_{h1}L_{l1}'$. When factor 1 is **nested** in factor $h$ (each level of 1 lies in one level of $h$), the column of
$L_{h1}$ for a level of factor 1 has one block, in its parent's row, so $L_{h1}L_{h1}'$ is again block-diagonal:
no fill-in, and the same holds down a chain of nested factors. So factors stay block-diagonal as long as every earlier
factor is nested in them (`BlockPlan.d` counts them). When factors are **crossed**, $L_{h1}L_{h1}'$ couples every two
levels of $h$ met by one level of factor 1: from that factor on the blocks become one dense matrix, which we keep
together with the $[X\,y]$ rows as the dense *tail*. This is MixedModels.jl's design (`updateL!` with its
`UniformBlockDiagonal` and dense blocks), written for numpy: the block-diagonal parts are batched $(m, q, q)$ arrays,
and the parts between a block-diagonal factor and the tail are sparse, one block per cell."""))
cells.append(code("#| export\n" + grab("def segsum_matrix", "def tri_inv").replace(
    'def segsum_matrix(idx, m):\n    "The m x C indicator matrix that sums C items into m groups"',
    'def segsum_matrix(idx:np.ndarray, # (C,) group of each item\n                  m:int, # number of groups\n                 ):\n    "The m x C indicator matrix that sums C items into m groups"').replace(
    'class Plan:', 'class BlockPlan:').replace(
    '    def __init__(self, cp:Crossprods):', '    def __init__(self, cp:Crossprods, # the one pass\'s cross-products\n                ):')))
fac_src = grab("def tri_inv", "# ----------------------------------------------------------------").replace("plan:Plan", "plan:BlockPlan")
fac_src = fac_src.replace('def tri_inv(L):\n', 'def tri_inv(L:np.ndarray, # (m, q, q) lower-triangular blocks\n           ) -> np.ndarray:\n')
fac_src = fac_src.replace('def bchol(W):\n', 'def bchol(W:np.ndarray, # (m, q, q) symmetric positive definite blocks\n         ) -> np.ndarray:\n')
fac_src = fac_src.replace('def _T(A): return np.swapaxes(A, -1, -2)', 'def _T(A): return np.swapaxes(A, -1, -2)           # transpose each block of a batch')
fac_src = fac_src.replace('def factorize(plan:BlockPlan, lams:list):', 'def factorize(plan:BlockPlan, # the block structure and cross-products\n              lams:list, # per factor: its q_f x q_f lower-triangular lambda_f\n             ) -> Factor:')
fac_src = fac_src.replace("        Dx = _T(LX[i]).transpose(1, 0, 2).reshape(k, mi*qi) if False else LX[i].transpose(1, 0, 2).reshape(k, mi*qi)",
                          "        Dx = LX[i].transpose(1, 0, 2).reshape(k, mi*qi)                          # [X y] rows of column block i")
cells.append(code("#| export\n" + fac_src))
cells.append(md("The factor agrees with a dense Cholesky of $\\Omega_\\theta$ on all three kinds of structure, with prior weights:"))
cells.append(code("""def dense_factor(Zs, gs, ms, X, y, w, lams):
    "log|L_Z|^2, log|R_X|^2, r^2 and [u; phi] from the dense Omega (small data only: a teaching check)"
    s = np.sqrt(np.ones(len(y)) if w is None else w)
    ZL = np.column_stack([dense_Z(Zf, g, m) @ np.kron(np.eye(m), lam) for Zf, g, m, lam in zip(Zs, gs, ms, lams)])
    Aa = np.column_stack([ZL, X, y])*s[:, None]
    Om = Aa.T @ Aa; nz = ZL.shape[1]; Om[:nz, :nz] += np.eye(nz)
    d = np.diag(np.linalg.cholesky(Om)); p = X.shape[1]
    return 2*np.log(d[:nz]).sum(), 2*np.log(d[nz:nz + p]).sum(), d[-1]**2, np.linalg.solve(Om[:-1, :-1], Om[:-1, -1])

for kind, d_expected in [('nested', 3), ('crossed', 1), ('mixed', 2)]:
    Zs, gs, ms, X, y, w = toy(kind, w=True)
    lams = [np.tril(rng.normal(size=(q, q))) + np.eye(q) for q in [Z.shape[1] for Z in Zs]]
    plan = BlockPlan(crossprods(Zs, gs, ms, X, y, w)); F = factorize(plan, lams)
    ld, lr, r2, sol = dense_factor(Zs, gs, ms, X, y, w, lams)
    test_eq(plan.d, d_expected)
    test_close(F.logdet_L, ld, 1e-9); test_close(F.logdet_RX, lr, 1e-9); test_close(F.r2, r2, 1e-9)
    test_close(np.concatenate([u.ravel() for u in F.u] + [F.phi]), sol, 1e-9)"""))
cells.append(md(r"""The picture shows where $L$ has non-zero blocks (dense check on the toy data, rows and columns ordered as in
$\Omega$: factor 1, factor 2, factor 3, then $X$ and $y$). Nested factors keep every block block-diagonal, or one
block per column below the diagonal; crossed factors fill the lower right corner."""))
cells.append(code("""fig, axs = plt.subplots(1, 2, figsize=(8, 4), dpi=100)
for ax, kind in zip(axs, ['nested', 'crossed']):
    Zs, gs, ms, X, y, w = toy(kind)
    lams = [np.eye(Z.shape[1]) for Z in Zs]
    ZL = np.column_stack([dense_Z(Zf, g, m) for Zf, g, m in zip(Zs, gs, ms)])
    Om = np.column_stack([ZL, X, y]).T @ np.column_stack([ZL, X, y]); Om[:ZL.shape[1], :ZL.shape[1]] += np.eye(ZL.shape[1])
    ax.spy(np.abs(np.linalg.cholesky(Om)) > 1e-12, markersize=0.6, color='k')
    ax.set_title(f"{kind}: L of {Om.shape[0]} columns", fontsize=10); ax.set_xticks([]); ax.set_yticks([])
plt.tight_layout()"""))
cells.append(md(r"""**What crossing costs.** For nested factors the work per evaluation is linear in the numbers of levels:
about $m_1(q_1^3 + q_1^2q_2 + \dots) + m_2(q_2^3 + \dots)$ flops, as for one factor. For crossed factors the tail
of size $n_T = \sum_{\text{tail}} m_fq_f + p + 1$ is dense: forming it costs one sparse product over the cells,
$\sum_i k_i^2$ for $k_i$ cells in column $i$, and its Cholesky $n_T^3/3$ flops. For InstEval's
`(1|s) + (1|d) + (1|dept)` the tail is $1128 + 14 + 3 = 1145$ columns: about 0.5 GFlop per evaluation, which
dominates everything else; the rows (73,421) are never touched. Ghosh, Hastie and Owen (2022) show that no exact
method avoids super-linear cost for unbalanced crossed designs."""))
cells.append(md(r"""## The gradient from a selected inverse

The profiled REML criterion is $\log|\Omega_{ZX}| + (n-p)\log r^2$ + constants, where $\Omega_{ZX}$ is $\Omega$
without its $y$ row and column ($\log|L_Z|^2 + \log|R_X|^2 = \log|\Omega_{ZX}|$); the ML deviance uses
$\log|M|$, $M = \Lambda'Z'WZ\Lambda + I$, and $n\log r^2$. For an entry $\theta_k$ at position $(a, b)$ of
$\lambda_f$, $\dot\Lambda = \partial\Lambda/\partial\theta_k$ has a 1 at $(a,b)$ of every diagonal block of factor $f$, and

$$\frac{\partial \log|\Omega_{ZX}|}{\partial\theta_k} = 2\,\mathrm{tr}\!\left(\Omega_{ZX}^{-1}\Lambda_a' A_a\dot\Lambda_a\right)
= 2\sum_{\text{levels } \ell \text{ of } f}\big[\Sigma_{f\cdot}\,\Lambda_a'A_{a,\,f}\big]_{\ell;\,b a},\qquad
\frac{\partial r^2}{\partial\theta_k} = -2\sum_\ell \rho_{f\ell a}\,u_{f\ell b},$$

with $\Sigma = \Omega_{ZX}^{-1}$ (or $M^{-1}$ for ML), $A_a = [Z\,X]'W[Z\,X]$, $\Lambda_a = \mathrm{diag}(\Lambda, I)$, and
$\rho_f = Z_f'W(y - X\phi - Z\Lambda u)$ (the $r^2$ part is the envelope theorem: $u$ and $\phi$ minimize it). Only the
entries of $\Sigma$ where $A_a$ is non-zero are needed, and Takahashi's recurrences give exactly those, on the
pattern of $L$, from the back: with $L = \begin{bmatrix}L_{cc} & \\ L_{Pc} & L_{PP}\end{bmatrix}$ for a column block
$c$ and the rows $P$ below it,

$$\Sigma_{Pc} = -\Sigma_{PP}L_{Pc}L_{cc}^{-1},\qquad \Sigma_{cc} = L_{cc}^{-T}\left(L_{cc}^{-1} - L_{Pc}'\Sigma_{Pc}\right).$$

The dense tail is inverted whole; each block-diagonal factor then needs only its parents' and its cells' entries."""))
grad_src = grab("def selected_inverse")
grad_src = grad_src.replace('def selected_inverse(plan, F, with_X=True):', 'def selected_inverse(plan:BlockPlan, # the block structure\n                     F:Factor, # the factor at theta\n                     with_X:bool=True, # Omega_ZX^{-1} (REML) or M^{-1} (ML, and conditional variances)\n                    ):')
grad_src = grad_src.replace('def criterion_gradient(plan, F, tmpl, fac_cols, REML=True):', 'def criterion_gradient(plan:BlockPlan, # the block structure\n                       F:Factor, # the factor at theta\n                       tmpl, # `ReTemplate`: where theta sits in the stacked Lambda\n                       fac_cols:list, # per factor: its columns in the stacked Lambda\n                       REML:bool=True, # REML criterion (True) or ML deviance (False)\n                      ) -> np.ndarray:')
cells.append(code("#| export\n" + grad_src))
cells.append(code("#| export\n" + grab("class BlockedProfiled", "# ---------------------------------------------------------------- selected").replace(
    '    def __init__(self, cp, tmpl, fac_cols, REML=True):',
    '    def __init__(self, cp:Crossprods, # the one pass\'s cross-products\n                 tmpl, # `ReTemplate`: where theta sits in the stacked Lambda\n                 fac_cols:list, # per factor: its columns in the stacked Lambda\n                 REML:bool=True, # REML criterion (True) or ML deviance (False)\n                ):').replace(
    "        self.plan = Plan(cp)", "        self.plan = BlockPlan(cp)").replace(
    "    def lams(self, theta):\n", "    def lams(self, theta): # theta vector\n        \"Each factor's lambda_f at theta\"\n").replace(
    "    def pls(self, theta): return factorize(self.plan, self.lams(theta))", "    def pls(self, theta): # theta vector\n        \"The blocked factor at theta\"\n        return factorize(self.plan, self.lams(theta))").replace(
    "    def crit(self, theta):\n", "    def crit(self, theta): # theta vector\n        \"The criterion alone (no gradient)\"\n").replace(
    "    def grad(self, theta, f0=None):\n", "    def fd_grad(self, theta, f0=None): # theta vector, and the criterion there if known\n        \"Central finite differences of the criterion (a check on the analytic gradient)\"\n").replace(
    "    def __call__(self, theta):\n", "    def __call__(self, theta): # theta vector\n        \"Criterion and analytic gradient at theta\"\n").replace(
    "    def hessian(self, theta):\n", "    def hessian(self, theta): # theta vector\n        \"Central differences of the analytic gradient\"\n")))
cells.append(md("The analytic gradient agrees with central differences for REML and ML, on every structure:"))
cells.append(code("""for kind in ['nested', 'crossed', 'mixed']:
    Zs, gs, ms, X, y, w = toy(kind, w=True)
    qs = [Z.shape[1] for Z in Zs]; tmpl = ReTemplate(tuple(qs))
    cols = np.split(np.arange(sum(qs)), np.cumsum(qs)[:-1])
    for REML in (True, False):
        obj = BlockedProfiled(crossprods(Zs, gs, ms, X, y, w), tmpl, cols, REML)
        th = np.maximum(tmpl.theta0 + 0.3*rng.normal(size=tmpl.ntheta), tmpl.lower + 0.05)
        f, g = obj(th)
        test_close(g, obj.fd_grad(th), 1e-5*max(1, np.abs(g).max()))"""))
cells.append(md("""## A nested model end to end

Oats (Yates 1935), a split plot: `yield ~ nitro + (1 | Block/Variety)`, that is `(1 | Block) + (1 | Variety:Block)`.
Variety:Block (18 levels) comes first and is nested in Block (6), so both factors stay block-diagonal and there is
no dense tail beyond $[X\\,y]$. The optimizer of chapter 05 runs unchanged on this objective; the optimum is lme4's
run to full precision (`../shared/reference/lme4_multilevel.json`, made by `../shared/reference/R/lme4_multilevel.R`)."""))
cells.append(code("""ref = {c['name']: c for c in json.load(open('../../shared/reference/lme4_multilevel.json'))}
oats = pd.read_csv('../../shared/data/multilevel/oats_nested.csv')
vb, vb_levels = pd.factorize(oats.Variety + ':' + oats.Block, sort=True); bl, bl_levels = pd.factorize(oats.Block, sort=True)
one = np.ones((len(oats), 1)); X = np.column_stack([one, oats.nitro])
cp = crossprods([one, one], [vb, bl], [18, 6], X, oats['yield'])
tmpl = ReTemplate((1, 1))
obj = BlockedProfiled(cp, tmpl, [[0], [1]], REML=True)
fit = fit_theta(None, tmpl, True, theta0=tmpl.theta0, objective=obj)
r = ref['oats_nested']['reference']
test_eq(obj.plan.d, 2); test_eq(fit.converged, True)
test_close(fit.crit, r['crit'], 1e-9*r['crit']); test_close(fit.theta, r['theta'], 1e-5)
fit.crit, fit.theta, fit.nfev"""))
nb = new_notebook(cells=cells, metadata={"kernelspec": {"display_name": "python3", "language": "python", "name": "python3"}})
nbformat.write(nb, '/work/wt_kernel/nbs/05a_kernel.ipynb')
