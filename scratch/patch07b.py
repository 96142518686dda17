import nbformat
from nbformat.v4 import new_markdown_cell as md, new_code_cell as code
nb = nbformat.read('nbs/07_lmer.ipynb', 4)
C = nb.cells
i9 = next(i for i, c in enumerate(C) if c.source.startswith("#| export\ndef lmer("))
C.insert(i9, code('''#| export
def prior_weights(weights, # None, a column name of `data`, or an array with one weight per row of `data`
                  data:pd.DataFrame, # the data given to `lmer`
                  mf:ModelFrame, # the model frame (which rows were used)
                 ) -> np.ndarray:
    "The prior weights of the rows used, checked: finite and positive, one per row of the data"
    if weights is None: return None
    if isinstance(weights, str):
        if weights not in data.columns: raise KeyError(f"weights: no column '{weights}' in the data")
        w, what = data[weights], f"weights column '{weights}'"
    else: w, what = weights, 'weights'
    if not pd.api.types.is_numeric_dtype(np.asarray(w)) or pd.api.types.is_bool_dtype(np.asarray(w)):
        raise TypeError(f"{what} must be numeric, got dtype {np.asarray(w).dtype}")
    w = np.asarray(w, float)
    if w.shape != (len(data),): raise ValueError(f"{what} must have one value per row of the data ({len(data)}), got shape {w.shape}")
    w = w[mf.positions]
    bad = ~np.isfinite(w) | (w <= 0)
    if bad.any():
        k = int(bad.argmax())
        raise ValueError(f"{what} must be positive and finite: {int(bad.sum())} row(s) are not (first: row "
                         f"{mf.rows_used[k]!r}, weight {w[k]})")
    return w'''))
C.insert(i9, md("""Prior weights, as lme4's `weights=`: row $j$ has residual variance $\\sigma^2/w_j$. They come as a column name
or an array with one value per row of the data, and must be positive and finite."""))
cells = [
md("""## Several grouping factors and prior weights

Models with more than one grouping factor, and models with prior weights, are fitted on the blocked kernel of the
kernel chapter: the rows are read once into blocked cross-products, and the optimizer of chapter 05 runs on
`BlockedProfiled` with its analytic gradient. The problem is conditioned as for one factor: $y$ is replaced by its
(weighted) least-squares residuals and every column is scaled by a power of two, with the scales read from the
cross-products' diagonals (no second pass over the rows). The fit object is an `LmerFit` whose random effects,
conditional variances and coefficients are dicts keyed by lme4's group names."""),
code('''#| export
def _factor_columns(mf:ModelFrame) -> list:
    "Per grouping factor (lme4's order): the columns of its terms in the stacked Z and Lambda"
    cols, off = {name: [] for name in mf.factors}, 0
    for t in mf.re_terms:
        cols[t.factor] += list(range(off, off + t.Z.shape[1])); off += t.Z.shape[1]
    return [np.array(c) for c in cols.values()]

def conditioned_blocks(mf:ModelFrame, # the model's arrays
                       w:np.ndarray=None, # prior weights of the rows used
                      ):
    "Blocked cross-products of the least-squares-residualized, power-of-two-scaled problem, and the numbers that undo it"
    X, y = mf.X, mf.y
    sw = np.ones(len(y)) if w is None else w
    XtWX = (X*sw[:, None]).T @ X
    phi0 = sla.solve(XtWX, (X*sw[:, None]).T @ y, assume_a='pos')
    phi0 = phi0 + sla.solve(XtWX, (X*sw[:, None]).T @ (y - X @ phi0), assume_a='pos')  # iterative refinement
    fac_cols = _factor_columns(mf)
    facs = list(mf.factors.values())
    cp = crossprods([mf.Z[:, c] for c in fac_cols], [f.g for f in facs], [len(f.levels) for f in facs], X, y - X @ phi0, w)
    if cp.XyXy[-1, -1] <= 1e-26*float(y @ (sw*y)):
        raise ValueError("the fixed effects reproduce the response exactly (its least-squares residuals are 0 to machine "
                         "precision); there is no variation left for the random effects and the residual")
    dX, s = _pow2(np.diag(cp.XyXy)[:-1], cp.n), float(_pow2(cp.XyXy[-1, -1], cp.n))
    dZ = np.empty(mf.Z.shape[1])
    for c, D in zip(fac_cols, cp.D): dZ[c] = _pow2(np.einsum('mkk->k', D), cp.n)
    dXy = np.append(dX, s)
    cp.D = [D/np.outer(dZ[c], dZ[c]) for c, D in zip(fac_cols, cp.D)]
    cp.ZXy = [B/np.outer(dZ[c], dXy) for c, B in zip(fac_cols, cp.ZXy)]
    cp.XyXy = cp.XyXy/np.outer(dXy, dXy)
    for (h, f), pair in cp.pairs.items(): pair.B = pair.B/np.outer(dZ[fac_cols[h]], dZ[fac_cols[f]])
    return cp, dict(phi0=phi0, dX=dX, dZ=dZ, s=s, fac_cols=fac_cols)'''),
code('''#| export
def fit_blocked(mf:ModelFrame, # the model's arrays
                w:np.ndarray, # prior weights of the rows used (or None)
                REML:bool, # REML or ML
                tol:float, # Newton-decrement tolerance
                theta:np.ndarray=None, # evaluate at this theta (lme4's order) instead of optimizing
                formula:str=None, # the formula as given
               ):
    "Fit (or evaluate) a model on the blocked kernel: several grouping factors and/or prior weights"
    cp, scales = conditioned_blocks(mf, w)
    tmpl = ReTemplate(mf.sizes)
    obj = BlockedProfiled(cp, tmpl, scales['fac_cols'], REML)
    if theta is None: opt = fit_theta(None, tmpl, REML, theta0=tmpl.theta0, tol=tol, objective=obj)
    else:
        th = np.asarray(theta, float)*scales['dZ'][tmpl.rows]
        if th.shape != (tmpl.ntheta,): raise ValueError(f"theta must have length {tmpl.ntheta}, got shape {th.shape}")
        if np.any(th < tmpl.lower): raise ValueError(f"theta has a negative diagonal entry of Lambda: {theta}")
        fval, grad = obj(th)
        opt = ThetaFit(th, float(fval), obj.pls(th), grad, None, np.nan, None, 'evaluated at the given theta (not optimized)',
                       obj.nfev, th <= tmpl.lower)
    return BlockedLmerFit(mf, opt, scales, REML, formula, w, obj)'''),
code('''#| export
class BlockedLmerFit(LmerFit):
    "A fit from the blocked kernel (several grouping factors, prior weights): random effects are dicts keyed by group"
    def __init__(self, mf:ModelFrame, # the model's arrays
                 opt:ThetaFit, # the optimizer's result on the conditioned problem
                 scales:dict, # how the problem was conditioned (`conditioned_blocks`)
                 REML:bool, # fitted by REML?
                 formula:str, # the formula as given
                 weights:np.ndarray, # prior weights of the rows used (or None)
                 objective:BlockedProfiled, # the criterion (its block structure gives the conditional variances)
                ):
        self.weights, self._objective, self._scales = weights, objective, scales
        self._sumlogw = 0.0 if weights is None else float(np.log(weights).sum())
        F, plan = opt.pls, objective.plan
        nTf, p = plan.nTf, mf.X.shape[1]
        self._estimates(mf, opt, scales, REML, formula, F.LT[nTf:nTf + p, nTf:nTf + p])
        dZ, s = scales['dZ'], scales['s']
        self.b = {name: s*(u @ lam.T)/dZ[c] for name, u, lam, c in zip(mf.factors, F.u, F.lams, scales['fac_cols'])}
        self._check()

    @functools.cached_property
    def condvar(self):
        "Conditional covariances of each group's random effects given the data: `{group: (m, q, q)}`, $\\\\sigma^2\\\\Lambda M^{-1}\\\\Lambda'$ blocks"
        plan, F, dZ = self._objective.plan, self.optinfo.pls, self._scales['dZ']
        Sii, _, _, _, ST = selected_inverse(plan, F, with_X=False)
        out = {}
        for f, (name, c) in enumerate(zip(self.frame.factors, self._scales['fac_cols'])):
            if f < plan.d: S = Sii[f]
            else:
                ix = plan.off[f] + np.arange(plan.cp.m[f])[:, None]*len(c) + np.arange(len(c))
                S = ST[ix[:, :, None], ix[:, None, :]]
            lam = F.lams[f]
            out[name] = self.sigma**2 * (lam @ S @ lam.T)/np.outer(dZ[c], dZ[c])
        return out

    @functools.cached_property
    def _fitted(self):
        mf = self.frame
        out = mf.X @ self.fixef.values
        for (name, fac), c in zip(mf.factors.items(), self._scales['fac_cols']):
            out = out + np.einsum('nk,nk->n', mf.Z[:, c], self.b[name][fac.g])
        return out

    @property
    def ngrps(self):
        "Number of levels of each grouping factor, in lme4's order"
        return {name: len(f.levels) for name, f in self.frame.factors.items()}
    @property
    def ranef(self):
        "The conditional modes per group: `{group: DataFrame(levels x columns)}` (lme4's `ranef`)"
        return {name: pd.DataFrame(self.b[name], index=f.levels, columns=[self.frame.znames[j] for j in c])
                for (name, f), c in zip(self.frame.factors.items(), self._scales['fac_cols'])}
    @property
    def ranef_condvar(self):
        "Conditional covariance matrices of the random effects given the data: `{group: (m, q, q) array}`"
        return self.condvar
    @property
    def coef(self):
        "Per-level coefficients of each group: fixed effects plus that group's random effects (lme4's `coef`)"
        out = {}
        for name, re in self.ranef.items():
            tab = pd.DataFrame(np.tile(self.fixef.values, (len(re), 1)), index=re.index, columns=self.fixef.index)
            for c in re.columns: tab[c] = (tab[c] if c in tab else 0.0) + re[c]
            out[name] = tab
        return out

    def coef_table(self) -> pd.DataFrame:
        "The fixed-effects table: estimates, standard errors and t values"
        return _coef_table(self)

    def predict(self, newdata:pd.DataFrame=None, # rows to predict; None: the rows the model was fitted to
                re_form:str=None, # None: include the random effects; '~0' (or 'NA'): fixed effects only
                allow_new_levels:bool=False, # predict unseen levels at the population level instead of raising
               ) -> np.ndarray:
        "Predictions from the fitted model (lme4's `predict`)"
        if re_form not in (None, '~0', '~ 0', 'NA'): raise ValueError(f"re_form must be None or '~0', got {re_form!r}")
        if newdata is not None:
            raise NotImplementedError("predict on new data is not yet available for models with several grouping "
                                      "factors or prior weights; use newdata=None for the rows the model was fitted to")
        return self._fitted if re_form is None else self.frame.X @ self.fixef.values

def _not_yet(what):
    "A method that says which part of the inference is not yet available on the blocked kernel"
    def f(self, *args, **kwargs):
        raise NotImplementedError(f"{what} is not yet available for models with several grouping factors or prior weights")
    f.__doc__ = f"Not yet available on the blocked kernel: {what}"
    return f

for _name in ['confint', 'profile', 'bootstrap', 'simulate', 'satterthwaite', 'kenward_roger', 'vcov_varpar']:
    setattr(BlockedLmerFit, _name, _not_yet(_name))'''),
md("""The seven multilevel cases of `../shared/reference/lme4_multilevel.json` (made by its R script,
`../shared/reference/R/lme4_multilevel.R`, with lme4 1.1-31): nested (Oats, Machines, egsingle's three levels with
slopes at two of them), crossed (ScotsSec; InstEval's three factors by ML, 73,421 rows), two terms on one factor, and
the article's model with prior weights. In each, the criterion is no worse than lme4's default fit, and the estimates
are those of lme4 run to full precision (`reference`): fixed effects within $10^{-3}$ of a standard error, $\\sigma$
to $10^{-4}$, standard deviations and correlations to $10^{-3}$, the random effects to $10^{-3}$ of their spread,
keyed and labelled as lme4's."""),
code('''ml = {c['name']: c for c in json.load(open('../../shared/reference/lme4_multilevel.json'))}

def check_multilevel(name):
    "Fit one case of lme4_multilevel.json and compare it with lme4"
    c = ml[name]; r = c['reference']
    data = pd.read_csv('../../shared/data/multilevel/' + c['data'].split('/')[-1])
    with warnings.catch_warnings():
        warnings.simplefilter('ignore', SingularFitWarning)
        fit = lmer(c['formula'], data, REML=c['REML'], weights=c['weights'] or None)
    assert fit.converged, fit.messages
    assert fit.crit <= c['lme4_default']['crit']*(1 + 1e-7), (fit.crit, c['lme4_default']['crit'])
    se = pd.Series(r['se'])
    assert (np.abs(fit.fixef - pd.Series(r['fixef']))/se).max() < 1e-3
    test_close(fit.sigma, r['sigma'], 1e-4*r['sigma'])
    vc = fit.varcorr
    test_eq(list(vc.grp), [v['grp'] for v in r['varcorr']])
    test_close(vc.sdcor.values, np.array([v['sdcor'] for v in r['varcorr']]), 1e-3)
    test_eq(fit.is_singular, r['singular'])
    test_eq(_ngrps(fit), r['ngrps'])
    for block in r.get('ranef', []):
        ours, theirs = fit.ranef[block['group']], pd.DataFrame(block['values']).set_index('level')
        cols = [k for k in ours.columns]
        theirs = theirs.loc[ours.index.astype(str), cols]
        spread = np.maximum(theirs.std().values, 1e-8)
        assert (np.abs(ours.values - theirs.values)/spread).max() < 1e-3, block['group']
    return fit

fits = {name: check_multilevel(name) for name in ml if name != 'insteval_crossed'}
pd.DataFrame({name: dict(criterion=f.crit, lme4_default=ml[name]['lme4_default']['crit'], evaluations=f.optinfo.nfev)
              for name, f in fits.items()}).T'''),
md("The summary prints every group, as lme4 does:"),
code('''print(fits['egsingle_3level'])'''),
]
C.extend(cells)
nbformat.write(nb, 'nbs/07_lmer.ipynb')
