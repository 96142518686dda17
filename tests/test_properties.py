"""Invariance properties of `lmer`, checked on random small data sets with hypothesis.

Each test draws a data set (a few groups of sizes 1-8, a covariate, random intercepts and slopes) and a model, fits it,
changes the data in a way that must not change the fit (or must change it in a known way), fits again and compares.
The settings (tests/conftest.py) are derandomized, so every run sees the same examples.
"""
import warnings

import numpy as np
import pandas as pd
from hypothesis import assume, given, settings, strategies as st

from hlm_lit import lmer
from hlm_lit.fit import ConvergenceWarning, conditioned_crossprods
from hlm_lit.reml import evaluate_theta

FORMULAS = ['y ~ x + (1 | g)', 'y ~ x + (1 + x | g)', 'y ~ x + (x || g)', 'y ~ x + (0 + x | g)']


@st.composite
def datasets(draw, min_groups=4, max_groups=10, max_size=8):
    "A small unbalanced two-level data set (numpy's frozen RandomState stream, so examples are stable) and a formula"
    seed = draw(st.integers(0, 2**31 - 1))
    N = draw(st.integers(min_groups, max_groups))
    sizes = draw(st.lists(st.integers(1, max_size), min_size=N, max_size=N))
    assume(sum(sizes) > 2*N + 2)                       # identifiable for every formula (lme4's per-term check)
    sd_int, sd_slope, sigma = (draw(st.sampled_from(v)) for v in ([0.0, 0.3, 1.0, 3.0], [0.0, 0.5, 2.0], [0.2, 1.0]))
    rng = np.random.RandomState(seed)
    g = np.repeat(np.arange(N), sizes)
    x = rng.normal(size=len(g))
    b = rng.normal(size=(N, 2))*[sd_int, sd_slope]
    y = 1.5 + 2*x + b[g, 0] + b[g, 1]*x + rng.normal(scale=sigma, size=len(g))
    return pd.DataFrame(dict(g=g, x=x, y=y)), draw(st.sampled_from(FORMULAS))


def fit_quiet(formula, data, **kw):
    "lmer with its warnings silenced (whether a random data set gives a singular fit is not the point here)"
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        return lmer(formula, data, **kw)


def G_of(fit):
    "The random-effects covariance matrix G = sigma^2 Lambda Lambda' (unique even where theta is not)"
    return fit.sigma**2 * fit.Lambda @ fit.Lambda.T


def assert_same_fit(a, b, crit_tol=1e-6):
    "Two fits of the same data reach the same optimum: criterion, fixed effects, sigma and G"
    assert abs(a.crit - b.crit) <= crit_tol*max(1.0, abs(b.crit)), (a.crit, b.crit)
    se = np.sqrt(np.diag(b.vcov))
    np.testing.assert_allclose(a.fixef.values, b.fixef.values, rtol=0, atol=1e-4*se.max() + 1e-10)
    np.testing.assert_allclose(a.sigma, b.sigma, rtol=1e-4)
    np.testing.assert_allclose(G_of(a), G_of(b), rtol=0, atol=1e-4*b.sigma**2 + 1e-4*np.abs(G_of(b)).max())


@settings(max_examples=40)
@given(datasets(), st.integers(0, 2**31 - 1))
def test_permuting_rows_leaves_the_fit_unchanged(case, perm_seed):
    d, formula = case
    a = fit_quiet(formula, d)
    b = fit_quiet(formula, d.sample(frac=1, random_state=perm_seed % 2**32))
    assert_same_fit(b, a)
    # the random effects belong to the same levels; fitted values to the same row labels
    np.testing.assert_allclose(b.b, a.b, atol=1e-4*a.sigma)
    np.testing.assert_allclose(b.fitted.loc[a.fitted.index].values, a.fitted.values, atol=1e-4*a.sigma)


@settings(max_examples=40)
@given(datasets(), st.integers(0, 2**31 - 1), st.sampled_from(['int', 'str', 'float', 'categorical']))
def test_relabelling_groups_and_their_dtype_leaves_the_fit_unchanged(case, label_seed, kind):
    d, formula = case
    a = fit_quiet(formula, d)
    N = d.g.nunique()
    new = np.random.RandomState(label_seed % 2**32).permutation(1000)[:N] + 7     # distinct new labels, shuffled
    labels = {'int': new, 'str': np.array([f'unit_{v}' for v in new]), 'float': new + 0.5,
              'categorical': new}[kind]
    g = labels[d.g.to_numpy()]
    if kind == 'categorical': g = pd.Categorical(g, categories=np.concatenate([[-1, -2], np.sort(new), [5000]]))
    b = fit_quiet(formula, d.assign(g=g))
    assert_same_fit(b, a)
    # level by level: the random effects of old level i are those of new level labels[i]
    rb = b.ranef['g']
    np.testing.assert_allclose(rb.loc[list(labels)].values, a.b, atol=1e-4*a.sigma)
    assert b.ngrps == N


@settings(max_examples=40)
@given(datasets(), st.floats(-6, 6))
def test_scaling_y_scales_fixef_sigma_and_sds(case, log10c):
    d, formula = case
    c = 10.0**log10c
    a = fit_quiet(formula, d)
    b = fit_quiet(formula, d.assign(y=d.y*c))
    n, p = a.nobs, len(a.fixef)
    assert abs((b.crit - (n - p)*np.log(c**2)) - a.crit) <= 1e-6*max(1.0, abs(a.crit)), (b.crit, a.crit, c)
    se = np.sqrt(np.diag(a.vcov))
    np.testing.assert_allclose(b.fixef.values/c, a.fixef.values, rtol=0, atol=1e-4*se.max())
    np.testing.assert_allclose(b.sigma/c, a.sigma, rtol=1e-4)
    sd = lambda f: np.sqrt(np.diag(G_of(f)))
    np.testing.assert_allclose(sd(b)/c, sd(a), rtol=0, atol=1e-4*a.sigma)


@settings(max_examples=40)
@given(datasets(), st.floats(-1e4, 1e4).filter(lambda k: abs(k) > 1e-3))
def test_adding_a_constant_to_y_changes_only_the_intercept(case, k):
    d, formula = case
    a = fit_quiet(formula, d)
    b = fit_quiet(formula, d.assign(y=d.y + k))
    assert abs(b.crit - a.crit) <= 1e-6*max(1.0, abs(a.crit)), (b.crit, a.crit)
    se = np.sqrt(np.diag(a.vcov))
    np.testing.assert_allclose(b.fixef.values - np.r_[k, 0.0], a.fixef.values, rtol=0, atol=1e-4*se.max() + 1e-12*abs(k))
    np.testing.assert_allclose(b.sigma, a.sigma, rtol=1e-4)
    np.testing.assert_allclose(G_of(b), G_of(a), rtol=0, atol=1e-4*a.sigma**2 + 1e-4*np.abs(G_of(a)).max())


@settings(max_examples=40)
@given(datasets(), st.lists(st.floats(-1, 1), min_size=3, max_size=3), st.sampled_from([1e-4, 1e-3, 1e-2, 1e-1]),
       st.booleans())
def test_the_optimum_is_never_above_nearby_feasible_theta(case, direction, size, REML):
    d, formula = case
    fit = fit_quiet(formula, d, REML=REML)
    t = fit.template
    step = np.asarray(direction[:t.ntheta])
    assume(np.abs(step).max() > 1e-3)
    theta = fit.theta + size*step*np.maximum(np.abs(fit.theta), 0.1)
    theta = np.where(t.rows == t.cols, np.maximum(theta, 0.0), theta)          # feasible: diagonal of Lambda >= 0
    near = fit_quiet(formula, d, REML=REML, theta=theta)
    assert fit.crit <= near.crit + 1e-9*max(1.0, abs(fit.crit)), (fit.crit, near.crit, fit.theta, theta)
    # and evaluate_theta on the conditioned problem agrees with lmer(theta=...) about which is lower
    cp, scales = conditioned_crossprods(fit.frame)
    there = evaluate_theta(cp, t, theta*scales['dZ'][t.rows], REML).crit
    assert fit.optinfo.crit <= there + 1e-9*max(1.0, abs(there))


@settings(max_examples=30)
@given(datasets(), st.lists(st.tuples(st.integers(0, 10**6), st.sampled_from(['x', 'y', 'g'])), min_size=1, max_size=6))
def test_the_data_is_never_modified_and_dropped_rows_are_accounted_for(case, holes):
    d, formula = case
    d = d.assign(g=d.g.astype(float))
    for row, col in holes: d.loc[d.index[row % len(d)], col] = np.nan
    bad = d[['g', 'x', 'y']].isna().any(axis=1)
    assume(d[~bad].g.nunique() >= 2)
    before = d.copy(deep=True)
    try: a = fit_quiet(formula, d)
    except ValueError as e:                     # dropping rows can make the model unidentifiable: a precise error
        assert 'number of observations' in str(e) or 'levels for' in str(e) or 'has only 1 level' in str(e), str(e)
        pd.testing.assert_frame_equal(d, before)
        return
    pd.testing.assert_frame_equal(d, before)
    assert a.n_dropped == int(bad.sum()) and a.nobs == int((~bad).sum())
    assert list(a.rows_used) == list(d.index[~bad.to_numpy()])
    assert a.frame.dropped == {c: int(n) for c, n in sorted(d[['g', 'x', 'y']].isna().sum().items()) if n}
    b = fit_quiet(formula, d.dropna())
    assert abs(a.crit - b.crit) <= 1e-9*max(1.0, abs(b.crit))
    np.testing.assert_allclose(a.fixef.values, b.fixef.values, rtol=1e-9, atol=1e-12)


def _dense_criterion(fit):
    "-2 (restricted) log-likelihood from a dense V = Z G Z' + sigma^2 I at the fit's estimates (small data only)"
    fr = fit.frame; M, q, N = len(fr.y), fr.Z.shape[1], fr.N
    Zf = np.zeros((M, N*q)); Zf[np.arange(M)[:, None], fr.g[:, None]*q + np.arange(q)] = fr.Z
    V = Zf @ np.kron(np.eye(N), G_of(fit)) @ Zf.T + fit.sigma**2*np.eye(M)
    X, y = fr.X, fr.y
    XtViX = X.T @ np.linalg.solve(V, X)
    phi = np.linalg.solve(XtViX, X.T @ np.linalg.solve(V, y))
    r = y - X @ phi
    crit = np.linalg.slogdet(V)[1] + r @ np.linalg.solve(V, r)
    crit += np.linalg.slogdet(XtViX)[1] + (M - X.shape[1])*np.log(2*np.pi) if fit.REML else M*np.log(2*np.pi)
    return crit, phi


@settings(max_examples=30)
@given(datasets(), st.booleans())
def test_fit_agrees_with_dense_gls_at_its_variance_components(case, REML):
    d, formula = case
    fit = fit_quiet(formula, d, REML=REML)
    crit, phi = _dense_criterion(fit)
    assert abs(fit.crit - crit) <= 1e-8*max(1.0, abs(crit)), (fit.crit, crit)
    np.testing.assert_allclose(fit.fixef.values, phi, rtol=1e-8, atol=1e-10)


def test_clean_fits_do_not_warn_about_convergence():
    "The article's model and sleepstudy: converged, and no ConvergenceWarning (a false alarm would fail)"
    from hlm_lit.datasets import article_data, sleepstudy
    with warnings.catch_warnings():
        warnings.simplefilter('error', ConvergenceWarning)
        for formula, data in [('y ~ x + a + x*a + (1 + x | unit)', article_data()), ('Reaction ~ Days + (Days | Subject)', sleepstudy()),
                              ('Reaction ~ Days + (1 + Days + I(Days**2) | Subject)', sleepstudy())]:
            assert lmer(formula, data).converged

