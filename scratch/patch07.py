import nbformat
from nbformat.v4 import new_markdown_cell as md, new_code_cell as code
nb = nbformat.read('nbs/07_lmer.ipynb', 4)
C = nb.cells
def rep(i, old, new, count=1):
    assert C[i].source.count(old) == count, (i, old[:60], C[i].source.count(old))
    C[i].source = C[i].source.replace(old, new)
# imports
rep(2, "from hlm_lit.henderson import UnitCrossprods, bstack, unit_crossprods\n",
    "from hlm_lit.henderson import UnitCrossprods, bstack, unit_crossprods\nfrom hlm_lit.kernel import BlockedProfiled, crossprods, selected_inverse\n")
# LmerFit: common estimates split from the single-factor blocks
old_init = C[7].source[C[7].source.index('    def __init__'):C[7].source.index('    # response: fitted values')]
new_init = '''    weights = None                                 # prior weights (None: all 1)
    _sumlogw = 0.0                                 # sum of their logs, which enters the likelihood

    def __init__(self, mf:ModelFrame, # the model's arrays
                 opt:ThetaFit, # the optimizer's result on the conditioned problem
                 scales:dict, # how the problem was conditioned (`conditioned_crossprods`)
                 REML:bool, # fitted by REML?
                 formula:str, # the formula as given
                ):
        pls = opt.pls
        self._estimates(mf, opt, scales, REML, formula, pls.LX)
        dZ = scales['dZ']
        self.b = scales['s']*pls.b/dZ                               # (N, q) BLUPs
        # conditional covariance of b_i: sigma^2 Lambda M_i^{-1} Lambda' = sigma^2 F_i (F in the scaled coordinates)
        self.condvar = self.sigma**2 * bstack(pls.F, mf.N)/np.outer(dZ, dZ)
        self._check()

    def _estimates(self, mf, opt, scales, REML, formula, RX):
        "theta, Lambda, sigma, the fixed effects and their covariance, on the data's scale (RX: the conditioned R_X)"
        self.frame, self.optinfo, self.REML, self.formula = mf, opt, REML, formula
        self.template = tmpl = ReTemplate(mf.sizes)
        n, p, s, dX, dZ = len(mf.y), mf.X.shape[1], scales['s'], scales['dX'], scales['dZ']
        pls = opt.pls
        nu = n - p if REML else n
        # the criterion on the original scale (prior weights: the log-determinant of W enters as lme4 counts it)
        self.crit = opt.crit + nu*np.log(s**2) + (2*np.log(dX).sum() if REML else 0.0) - self._sumlogw
        self.theta = opt.theta / dZ[tmpl.rows]
        self.Lambda = tmpl.Lambda(self.theta)
        self.sigma = s*np.sqrt(pls.r2/nu)
        self.fixef = pd.Series(scales['phi0'] + s*pls.phi/dX, index=mf.xnames, name='Estimate')
        Ci = sla.cho_solve((RX, True), np.eye(p))
        self.vcov = pd.DataFrame(self.sigma**2 * Ci/np.outer(dX, dX), index=mf.xnames, columns=mf.xnames)
        self._logdet_L = pls.logdet_L

    def _check(self):
        "Record (and later warn about) non-convergence and a singular fit"
        opt = self.optinfo
        self.converged = opt.converged                              # None: evaluated at a given theta
        self.messages = [] if opt.converged is not False else [f"the optimizer did not converge: {opt.message}"]
        if self.is_singular:
            self.messages.append("singular fit: the estimated covariance matrix of the random effects is singular "
                                 "(a variance is zero or a correlation is +/-1); the model may be too complex for the data")

'''
C[7].source = C[7].source.replace(old_init, new_init)
rep(7, '"A fitted linear mixed model with one grouping factor (lme4\'s `merMod`)"', '"A fitted linear mixed model (lme4\'s `merMod`)"')
rep(7, "        return self._logdet_L + n*(1 + np.log(2*np.pi*r2/n))", "        return self._logdet_L + n*(1 + np.log(2*np.pi*r2/n)) - self._sumlogw")
# lmer: weights and the kernel path
rep(9, "        theta:np.ndarray=None, # evaluate the model at this theta instead of optimizing (lme4's order)\n        ) -> LmerFit:",
    "        theta:np.ndarray=None, # evaluate the model at this theta instead of optimizing (lme4's order)\n"
    "        weights=None, # prior weights: a column name or an array with one positive weight per row of `data`\n        ) -> LmerFit:")
rep(9, '"Fit a linear mixed model with one grouping factor, as lme4\'s `lmer`"', '"Fit a linear mixed model, as lme4\'s `lmer`"')
rep(9, """    mf = model_frame(formula, data, na_action)
    cp, scales = conditioned_crossprods(mf)
    tmpl = ReTemplate(mf.sizes)
    if theta is None: opt = fit_theta(cp, tmpl, REML, tol=tol)
    else: opt = evaluate_theta(cp, tmpl, np.asarray(theta, float)*scales['dZ'][tmpl.rows], REML)
    fit = LmerFit(mf, opt, scales, REML, formula)
""", """    mf = model_frame(formula, data, na_action)
    w = prior_weights(weights, data, mf)
    if w is not None or len(mf.factors) > 1: fit = fit_blocked(mf, w, REML, tol, theta, formula)
    else:
        cp, scales = conditioned_crossprods(mf)
        tmpl = ReTemplate(mf.sizes)
        if theta is None: opt = fit_theta(cp, tmpl, REML, tol=tol)
        else: opt = evaluate_theta(cp, tmpl, np.asarray(theta, float)*scales['dZ'][tmpl.rows], REML)
        fit = LmerFit(mf, opt, scales, REML, formula)
""")
# term groups for any number of factors
rep(20, '''    out, off = [], 0
    for k, size in enumerate(fit.frame.sizes):
        out.append((fit.frame.group + (f'.{k}' if k else ''), list(range(off, off + size)))); off += size
    return out''', '''    fr, out, off, seen = fit.frame, [], 0, {}
    names = [t.factor for t in fr.re_terms] if fr.re_terms else [fr.group]*len(fr.sizes)
    for name, size in zip(names, fr.sizes):
        k = seen.get(name, 0); seen[name] = k + 1
        out.append((name + (f'.{k}' if k else ''), list(range(off, off + size)))); off += size
    return out''')
# summary: groups line and Pearson residuals for weighted fits
rep(38, '''            f"Number of obs: {fit.nobs}, groups:  {fr.group}, {fit.ngrps}", '']''',
        '''            f"Number of obs: {fit.nobs}, groups:  " + '; '.join(f"{g}, {m}" for g, m in _ngrps(fit).items()), '']''')
rep(38, "    q = np.quantile(fit.resid/fit.sigma, [0, .25, .5, .75, 1])",
        "    pearson = fit.resid if fit.weights is None else fit.resid*np.sqrt(fit.weights)   # lme4: Pearson residuals\n"
        "    q = np.quantile(pearson/fit.sigma, [0, .25, .5, .75, 1])")
rep(38, '''def summary(fit:LmerFit, # the fitted model''', '''def _ngrps(fit) -> dict:
    "Levels per grouping factor, in lme4's order"
    return fit.ngrps if isinstance(fit.ngrps, dict) else {fit.frame.group: fit.ngrps}

def summary(fit:LmerFit, # the fitted model''')
nbformat.write(nb, 'nbs/07_lmer.ipynb')
