import nbformat
from nbformat.v4 import new_markdown_cell as md, new_code_cell as code
nb = nbformat.read('nbs/07_lmer.ipynb', 4)
nb.cells += [
md("""Predictions on new rows go through the formula's training state, factor by factor: the model's own rows give its
fitted values; a level the fit has not seen is an error that names the group, or is predicted at the population level
with `allow_new_levels=True`:"""),
code("""oats = pd.read_csv('../../shared/data/multilevel/oats_nested.csv')
fo = fits['oats_nested']
test_close(fo.predict(oats), fo.fitted.values, 1e-10)
new = pd.DataFrame({'Block': ['I', 'VII'], 'Variety': ['Victory', 'Victory'], 'nitro': [0.2, 0.2]})
test_fail(lambda: fo.predict(new), contains="level(s) of 'Variety:Block' not in the fit: 'Victory:VII'")
p = fo.predict(new, allow_new_levels=True)
test_close(p[1], fo.fixef['(Intercept)'] + 0.2*fo.fixef['nitro'], 1e-12)      # both of its levels are new
test_close(p[0], p[1] + fo.ranef['Block'].loc['I', '(Intercept)'] + fo.ranef['Variety:Block'].loc['Victory:I', '(Intercept)'], 1e-12)"""),
md("""Bad weights are refused with the reason; an offset is a known part of the linear predictor, so fitting with
`offset=` is fitting the response minus the offset, and the offset comes back in the fitted values:"""),
code("""aw = pd.read_csv('../../shared/data/multilevel/article_weighted.csv')
f_ = 'y ~ x + a + x:a + (1 + x | unit)'
test_fail(lambda: lmer(f_, aw, weights=-aw.w), contains="weights must be positive and finite")
test_fail(lambda: lmer(f_, aw, weights=aw.w.to_numpy()[:-1]), contains="one value per row of the data (900)")
test_fail(lambda: lmer(f_, aw, weights=aw.w.where(aw.index != 5)), contains="first: row 5, weight nan")
test_fail(lambda: lmer(f_, aw, weights='ww'), contains="no column 'ww'")
with_off = lmer('y ~ x + a + x:a + (1 + x | unit)', aw, offset=0.5*aw.x)
shifted = lmer('y ~ x + a + x:a + (1 + x | unit)', aw.assign(y=aw.y - 0.5*aw.x))
test_close(with_off.crit, shifted.crit, 1e-9); test_close(with_off.fixef.values, shifted.fixef.values, 1e-9)
test_close(with_off.fitted.values, shifted.fitted.values + 0.5*aw.x.values, 1e-9)"""),
]
nbformat.write(nb, 'nbs/07_lmer.ipynb')
