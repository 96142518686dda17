"""Properties of the model frame for formulas as lme4 users write them (nbs/06_formula.ipynb), on random data.

- new data go through the fit's training state: rebuilding any subset of the training rows with `new_design` gives
  exactly those rows of X, of every term's Z, of the level codes and of the offset (scale, poly, factor, ||, nesting);
- a grouping interaction is R's factor interaction: levels sorted by the first column's levels, then the second's,
  unused combinations dropped, and each row coded to its own combination;
- no `^` is read differently from R: inside I() it is a power, elsewhere in a call or in the response an error.
The numbers against lme4 are in the notebook (tests/R/formula_idioms.R).
"""
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, strategies as st

from hlm_lit.formula import FormulaError, r_label, model_frame, new_design, parse_formula

FORMULAS = ['y ~ scale(x) + poly(z, 2) + (1 + scale(x) | g)',
            'y ~ factor(k) * x + offset(2 * z) + (x || g)',
            'log(y) ~ center(x) + I(z^2) + (1 | g/h)',
            'y ~ x + C(f, contr.sum) + (1 | g) + (1 | g:f)',
            'y ~ . + (1 | g)']


@st.composite
def frames(draw):
    "A random data set with numeric, integer and text columns and two grouping columns"
    rng = np.random.RandomState(draw(st.integers(0, 2**31 - 1)))
    n, m = draw(st.integers(40, 120)), draw(st.integers(3, 8))
    d = pd.DataFrame({'g': rng.randint(m, size=n).astype(str), 'h': rng.randint(1, 4, size=n).astype(float),
                      'f': rng.choice(['a', 'b', 'c'], size=n), 'k': rng.randint(3, size=n),
                      'x': rng.normal(size=n), 'z': rng.uniform(1, 3, size=n)})
    d['y'] = np.exp(1 + 0.3*d.x + rng.normal(scale=0.2, size=n))
    return d, draw(st.sampled_from(FORMULAS)), rng.permutation(n)[:draw(st.integers(1, n))]


@given(frames())
def test_new_design_applies_the_training_state(case):
    d, formula, rows = case
    mf = model_frame(formula, d)
    X, Zs, codes, off = new_design(mf, d.iloc[rows].drop(columns='y'))
    np.testing.assert_allclose(X, mf.X[rows], rtol=1e-12, atol=1e-12)
    for t, Z in zip(mf.re_terms, Zs): np.testing.assert_allclose(Z, t.Z[rows], rtol=1e-12, atol=1e-12)
    for name, f in mf.factors.items(): np.testing.assert_array_equal(codes[name], f.g[rows])
    np.testing.assert_allclose(off, mf.offset[rows], rtol=1e-12)


@given(frames())
def test_interaction_levels_are_r_factor_interactions(case):
    d = case[0]
    f = model_frame('y ~ x + (1 | h:g) + (1 | g)', d).factors['h:g']
    pairs = sorted(set(zip(d.h, d.g)))                                  # h numerically, then g as text: R's order
    assert list(f.levels) == [f'{r_label(a)}:{b}' for a, b in pairs]
    assert list(f.levels[f.g]) == [f'{r_label(a)}:{b}' for a, b in zip(d.h, d.g)]


@pytest.mark.parametrize('formula', ['y ~ log(x^2) + (1 | g)', 'y ~ scale(x^2) + (1 | g)', 'y^2 ~ x + (1 | g)',
                                     'y ~ x + (1 + sqrt(x^2) | g)', 'y ~ np.exp(x ^ 2) + (1 | g)'])
def test_an_ambiguous_power_is_refused(formula):
    with pytest.raises(FormulaError, match="R reads it as a power"): parse_formula(formula)


def test_a_power_inside_I_is_a_power():
    d = pd.DataFrame({'y': np.arange(12.)**1.5, 'x': np.arange(12.), 'g': np.arange(12) % 3})
    mf = model_frame('y ~ I(x^2) + I(-x^3) + offset(x^2) + (1 | g)', d)
    np.testing.assert_array_equal(mf.X[:, 1:], np.column_stack([d.x**2, -d.x**3]))
    np.testing.assert_array_equal(mf.offset, d.x**2)
