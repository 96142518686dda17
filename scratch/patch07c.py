import nbformat
nb = nbformat.read('nbs/07_lmer.ipynb', 4)
C = nb.cells
def find(prefix): return next(i for i, c in enumerate(C) if c.source.startswith(prefix))
def rep(i, old, new):
    assert C[i].source.count(old) == 1, (i, old[:70], C[i].source.count(old))
    C[i].source = C[i].source.replace(old, new)
# imports
i = find("#| export\nimport functools")
rep(i, "from hlm_lit.formula import ModelFrame, _r_name, model_frame\n", "from hlm_lit.formula import ModelFrame, _r_name, model_frame, new_design\n")
# offsets enter the response side
i = find("#| export\ndef _pow2")
rep(i, "    X, Z, y = mf.X, mf.Z, mf.y\n", "    X, Z, y = mf.X, mf.Z, mf.y - mf.offset                 # an offset is a known part of the linear predictor\n")
i = find("#| export\ndef _factor_columns") if any(c.source.startswith("#| export\ndef _factor_columns") for c in C) else find("#| export\ndef factor_order")
rep(i, "    X, y = mf.X, mf.y\n", "    X, y = mf.X, mf.y - mf.offset\n")
# fitted values include the offset
i = find("#| export\nclass LmerFit:")
rep(i, "        return mf.X @ self.fixef.values + sum(mf.Z[:, k]*self.b[:, k][mf.g] for k in range(mf.Z.shape[1]))",
       "        return mf.X @ self.fixef.values + mf.offset + sum(mf.Z[:, k]*self.b[:, k][mf.g] for k in range(mf.Z.shape[1]))")
i = find("#| export\nclass BlockedLmerFit")
rep(i, "        out = mf.X @ self.fixef.values\n", "        out = mf.X @ self.fixef.values + mf.offset\n")
# BlockedLmerFit.predict: the shared predict below handles it
s = C[i].source
a = s.index("    def predict(self, newdata")
b = s.index("def _not_yet(what):")
C[i].source = s[:a].rstrip() + "\n\n" + s[b:]
# lmer: offset and contrasts
i = find("#| export\ndef lmer(")
rep(i, "        weights=None, # prior weights: a column name or an array with one positive weight per row of `data`\n",
       "        weights=None, # prior weights: a column name or an array with one positive weight per row of `data`\n"
       "        offset=None, # a known part of the linear predictor: a column name or one number per row (lme4's `offset=`)\n"
       "        contrasts:dict=None, # column -> 'contr.sum' or 'contr.treatment' for factors of the fixed part\n")
rep(i, "    mf = model_frame(formula, data, na_action)\n", "    mf = model_frame(formula, data, na_action, offset=offset, contrasts=contrasts)\n")
# predict: one implementation for one or several factors, new rows through formula.new_design
i = find("#| export\ndef _check_newdata")
s = C[i].source
a = s.index("def _new_arrays(fit, newdata:pd.DataFrame):")
C[i].source = s[:a] + '''def _random_effects(fit) -> dict:
    "Each grouping factor's conditional modes (m, q) and its columns in the stacked Z, in lme4's order"
    if isinstance(fit.b, dict):
        return {name: (fit.b[name], c) for name, c in zip(fit.b, fit._scales['fac_cols'])}
    return {next(iter(fit.frame.factors)) if fit.frame.factors else fit.frame.group: (fit.b, np.arange(fit.b.shape[1]))}

def _new_arrays(fit, newdata:pd.DataFrame, offset=None):
    "X, Z, each factor's level codes (-1 for levels the fit has not seen) and the offset of new data"
    fr = fit.frame
    if not isinstance(newdata, pd.DataFrame): raise TypeError(f"newdata must be a pandas DataFrame, got {type(newdata).__name__}")
    gcols = list(dict.fromkeys(c for f in fr.factors.values() for c in f.cols))
    response = set(_parse_lhs_columns(fr))
    need = (set(fr.columns or []) - response) | set(gcols)
    missing = sorted(need - set(newdata.columns))
    if missing: raise KeyError(f"newdata lacks column{'s' if len(missing) > 1 else ''} {', '.join(map(repr, missing))} used by the model")
    _check_newdata(fr, newdata, need - set(gcols))
    X, Zs, codes, off = new_design(fr, newdata, offset)
    Z = np.column_stack(Zs)
    na = newdata[sorted(need)].isna().any(axis=1).to_numpy()     # lme4 (na.pass): a row with a missing value predicts NA
    if na.any():
        X, Z = np.where(na[:, None], np.nan, X), np.where(na[:, None], np.nan, Z)
        codes = {k: np.where(na, 0, c) for k, c in codes.items()}
    return X, Z, codes, off

def _parse_lhs_columns(fr) -> list:
    "The data columns of the response"
    return [c for c in (fr.columns or []) if c in fr.formula.response]

def predict(self, newdata:pd.DataFrame=None, # rows to predict; None: the rows the model was fitted to
            re_form:str=None, # None: include the random effects; '~0' (or 'NA'): fixed effects only
            allow_new_levels:bool=False, # predict unseen levels at the population level instead of raising
            offset=None, # the offset of the new rows, when the fit's `offset=` was given as numbers
           ) -> np.ndarray:
    "Predictions from the fitted model (lme4's `predict`)"
    if re_form not in (None, '~0', '~ 0', 'NA'): raise ValueError(f"re_form must be None or '~0', got {re_form!r}")
    fr = self.frame
    if newdata is None:
        X, Z, off = fr.X, fr.Z, fr.offset
        codes = {name: f.g for name, f in fr.factors.items()} if fr.factors else {fr.group: fr.g}
    else:
        X, Z, codes, off = _new_arrays(self, newdata, offset)
    pred = X @ self.fixef.values + off
    if re_form is not None: return pred
    for name, (b, cols) in _random_effects(self).items():
        gi = codes[name]; new = gi < 0
        if new.any() and not allow_new_levels:
            cols_g = fr.factors[name].cols if fr.factors else [name]
            vals = pd.unique(newdata[cols_g].astype(str).agg(':'.join, axis=1).to_numpy()[new] if len(cols_g) > 1 else np.asarray(newdata[cols_g[0]])[new])
            raise ValueError(f"newdata has {new.sum()} row(s) with level(s) of '{name}' not in the fit: "
                             f"{', '.join(repr(v) if isinstance(v, str) else str(v) for v in vals[:5])}{' ...' if len(vals) > 5 else ''}; use allow_new_levels=True "
                             "to predict them at the population level")
        pred = pred + np.einsum('mk,mk->m', Z[:, cols], np.where(new[:, None], 0.0, b[np.where(new, 0, gi)]))
    return pred

LmerFit.predict = predict
'''
nbformat.write(nb, 'nbs/07_lmer.ipynb')
