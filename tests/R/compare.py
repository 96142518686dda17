"""Check that the R scripts in tests/R/ reproduce every lme4 / lmerTest / pbkrtest number hlm_lit ships or inlines.

Run the R scripts first (they write tests/R/out/*.json), then, from the repository root:
    python tests/R/compare.py            # one line per number: where it is used, the script, the difference, ok/FAIL
    python tests/R/compare.py --markdown # the same as the Markdown table of tests/R/README.md
Each number is compared at the precision the notebook asserts it at (or tighter). Exit status 1 if any differs.
"""
import json, re, sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT/'tests'/'R'/'out'

def out(name): return json.loads((OUT/f'{name}.json').read_text())
def rel(a, b): a, b = np.asarray(a, float), np.asarray(b, float); return float(np.max(np.abs(a - b)/np.maximum(np.abs(b), 1e-300)))
def absd(a, b): return float(np.max(np.abs(np.asarray(a, float) - np.asarray(b, float))))
def vals(d): return list(d.values()) if isinstance(d, dict) else d
def squash(s): return re.sub(r'[ \t]+', ' ', s)

CHECKS = []   # (where, script, what, function returning (difference, tolerance, kind))
def check(where, script, what):
    def deco(f): CHECKS.append((where, script, what, f)); return f
    return deco

# ---- hlm_lit/data/lme4_tight.json (used by 07 cells 264afea0/3b2353cd/ff3e5ecc, 12 cell e6b0bfac, 16 cells bf4a08c9/a2fae32c)
TOL_TIGHT = dict(crit=1e-10, theta=1e-5, fixef=1e-6, se=1e-6, sigma=1e-6, vcov=1e-5, ranef_head=1e-5, condvar_first=1e-5)
shipped_tight = json.loads((ROOT/'hlm_lit'/'data'/'lme4_tight.json').read_text())
for key in [k for k in shipped_tight if k != 'provenance']:
    for field, tol in TOL_TIGHT.items():
        if not shipped_tight[key][field]: continue
        t = 1e-4 if (key, field) == ('sleepstudy_quadratic_REML', 'theta') else tol     # 16 bf4a08c9 asserts theta at 1e-4
        CHECKS.append(('hlm_lit/data/lme4_tight.json', 'lme4_tight.R', f'{key}.{field}',
                       lambda key=key, field=field, t=t: (rel(vals(out('lme4_tight')[key][field]), vals(shipped_tight[key][field])), t, 'rel')))

# ---- chapter 07
@check('07_lmer 57a5e304 (and 12 b3e446d3)', 'ch07_lmer.R', 'deviance(m1, REML = FALSE) = 2174.28057760016')
def _(): return rel(out('ch07_lmer')['deviance_ML_of_REML_fit'], 2174.28057760016), 1e-10, 'rel'
@check('07_lmer ff3e5ecc', 'ch07_lmer.R', 'quadratic sleepstudy, lme4 defaults: REMLcrit 1730.00772246733')
def _(): return rel(out('ch07_lmer')['quadratic_default']['REMLcrit'], 1730.00772246733), 1e-12, 'rel'
@check('07_lmer prose before ff3e5ecc; 16 prose 409f7349', 'ch07_lmer.R', "quadratic: lme4 warns 'max|grad| = 0.0263'")
def _(): w = ' '.join(out('ch07_lmer')['quadratic_default']['warnings']); return (0 if 'max|grad| = 0.0262849' in w else 1), 0, 'text'
@check('07_lmer 86baf8a8 (and lme4_reference.json)', 'ch07_lmer.R', 'lmerTest df of the article model (numDeriv Hessian: reruns differ ~5e-9; asserted at 1e-6 or looser)')
def _(): return rel(out('ch07_lmer')['article_m1_satterthwaite']['df'], [28.0002010911902, 27.9994401101859, 28.0002011856392, 27.9994401561144]), 1e-6, 'rel'
@check('07_lmer 86baf8a8', 'ch07_lmer.R', 'lmerTest p-values of the article model (12 c53c8906 asserts at 1e-6)')
def _(): return rel(out('ch07_lmer')['article_m1_satterthwaite']['p'], [3.81255569801909e-20, 2.46570147758697e-23, 0.0269324073013384, 0.00383551839958422]), 1e-6, 'rel'
@check('06a_rformat 1f2a35c6', 'ch07_lmer.R', 'lmerTest prints sleepstudy p 3.26e-06 (< 2e-16 for the intercept)')
def _(): s = out('ch07_lmer')['summary_sleepstudy_lmerTest']; return (0 if '3.26e-06' in s and '< 2e-16' in s else 1), 0, 'text'
@check('06a_rformat 8875ae46', 'ch07_lmer.R', "R's format(digits = 4) / format.pval(digits = 3) of the test vectors")
def _():
    want = [['0.0315', '0.2842', '0.5641'], ['0.02814', '0.26505', '0.56414'], ['627.57', ' 35.86', '653.58'],
            ['< 2e-16', '0.02693', '0.00384'], ['< 2e-16', '3.26e-06']]
    got = [re.findall(r'"([^"]*)"', g) for g in out('ch07_lmer')['r_format']]; return sum(w != g for w, g in zip(want, got)), 0, 'text'
PIECES_43 = ['REML criterion at convergence: 2189.9', '  2205.9   2244.3  -1095.0   2189.9      892 ',
             '    Min      1Q  Median      3Q     Max \n-3.5532 -0.6476 -0.0109  0.6420  2.8777 ',
             'unit     (Intercept) 0.0315   0.1775', 'x           0.2842   0.5331   0.91', 'Residual             0.5641   0.7511',
             'Number of obs: 900, groups:  unit, 30', '(Intercept)  0.97765    0.04099  23.853', 'x            3.06704    0.09797  31.306',
             'a           -0.11083    0.04746  -2.335', 'x:a          0.35768    0.11345   3.153',
             '    (Intr) x      a     \nx    0.723              \na   -0.025 -0.018       \nx:a -0.018 -0.025  0.723']
@check('07_lmer 9016fda9', 'ch07_lmer.R', "pieces of lme4's summary(m1), verbatim (the AIC line: lme4's AIC/BIC/logLik by its ML-fit printer)")
def _(): o = out('ch07_lmer'); s = o['summary_m1_lme4'] + '\n' + o['aictab_m1']; return sum(p not in s for p in PIECES_43), 0, 'text'
PIECES_45 = ['            Estimate Std. Error       df t value Pr(>|t|)    ',
             '(Intercept)  0.97765    0.04099 28.00020  23.853  < 2e-16 ***', 'a           -0.11083    0.04746 28.00020  -2.335  0.02693 *  ',
             'x:a          0.35768    0.11345 27.99944   3.153  0.00384 ** ']
@check('07_lmer 86baf8a8; 12_ddf c53c8906', 'ch07_lmer.R', "pieces of lmerTest's summary(m1), verbatim")
def _(): s = out('ch07_lmer')['summary_m1_lmerTest']; return sum(p not in s for p in PIECES_45), 0, 'text'
@check('07_lmer d83ef435', 'ch07_lmer.R', "pieces of lme4's summary of (Days || Subject), verbatim")
def _(): s = out('ch07_lmer')['summary_uncorr_lme4']; return sum(p not in s for p in ['Subject.1 Days         35.86    5.988', '(Intercept)  251.405      6.885  36.513']), 0, 'text'

# ---- chapter 12
@check('12_ddf fa1b1ac0', 'ch12_inference.R', "lmerTest's theta of the article model")
def _(): return rel(out('ch12_inference')['varpar']['theta'], [0.236299772552958, 0.649270455617766, 0.286875034987120]), 1e-12, 'rel'
@check('12_ddf fa1b1ac0', 'ch12_inference.R', "lmerTest's m@vcov_varpar (asserted at 1e-7 absolute)")
def _():
    V = [[0.002634218051120875, 0.001864743853186225, 0.002447849912048206, -0.000168919175996771],
         [0.001864743853186225, 0.015229914075665743, -0.009952409433023016, -0.000119585852092667],
         [0.002447849912048205, -0.009952409433023016, 0.025381440795196896, -0.000524332286866785],
         [-0.000168919175996771, -0.000119585852092667, -0.000524332286866785, 0.000335795840631257]]
    return absd(out('ch12_inference')['varpar']['vcov_varpar'], V), 1e-9, 'abs'
KR = {'article': ([0.225957463253582, 0.609918547563828, 0.388344626367701], [0.0433490592442367, 0.0981574107474578, 0.0484595939153217, 0.1135528806905816],
                  [25.0323775452253, 27.9874094308904, 24.4229211066990, 27.8877068296121]),
      'sleepstudy': ([1.051534678934641365, 0.000317767653397208, 0.245496587932499954], [6.92916792467637, 1.61821967452424], [16.9374759614651, 15.6849914562558]),
      'sleepstudy_uncorr': ([1.051852002412283, 0.245549798853942], [6.92664918147482, 1.61148604648233], [18.6863843507658, 17.1798779256818])}
for case, (th, se, df_) in KR.items():
    for name, field, v, tol in [('theta', 'theta', th, 1e-10), ('KR SE', 'kr_se', se, 1e-10), ('KR df', 'kr_df', df_, 1e-9)]:
        CHECKS.append(('12_ddf dd1a8c33', 'ch12_inference.R', f'unbalanced {case}: lmerTest {name}',
                       lambda case=case, field=field, v=v, tol=tol: (rel(out('ch12_inference')['unbalanced'][case][field], v), tol, 'rel')))
@check('12_ddf dd1a8c33', 'ch12_inference.R', 'unbalanced subsets have 677 and 126 rows')
def _(): u = out('ch12_inference')['unbalanced']; return abs(u['article']['nrow'] - 677) + abs(u['sleepstudy']['nrow'] - 126), 0, 'abs'
@check('12_ddf dd1a8c33', 'ch12_inference.R', 'pbkrtest::vcovAdj of the unbalanced sleepstudy fit')
def _(): return rel(out('ch12_inference')['unbalanced']['sleepstudy']['vcovAdj'], [[48.01336812836379, -2.50090873820159], [-2.50090873820159, 2.61863491501735]]), 1e-10, 'rel'
@check('12_ddf 5bebcd56', 'ch12_inference.R', 'lmerTest Satterthwaite df, unbalanced article data')
def _(): return rel(out('ch12_inference')['unbalanced']['article']['satt_df'], [24.8542322026249, 27.9070082199896, 24.2138939085978, 27.8073984397469]), 1e-9, 'rel'
ZETA = {'sd_(Intercept)|unit@0.10398229': -1.959963914, 'sd_(Intercept)|unit@0.25071318': 1.959964062, 'cor_x.(Intercept)|unit@0.66733835': -1.959963999,
        'sd_x|unit@0.40605544': -1.959963903, 'sd_x|unit@0.68058692': 1.959964012, 'sigma@0.71655795': -1.959964272, 'sigma@0.78849012': 1.959963852}
@check('12a_intervals 88e779ee', 'ch12_inference.R', "lme4's zeta (devfun2, bobyqa 1e-12) at our 7 profile limits (asserted at 2e-6)")
def _(): z = out('ch12_inference')['zeta_at_our_limits']; return absd([z[k] for k in ZETA], list(ZETA.values())), 1e-8, 'abs'
@check('12a_intervals 88e779ee', 'ch12_inference.R', "lme4's profile table at cor = 1: zeta 0.6711927154134328 (asserted at 1e-4)")
def _(): t = out('ch12_inference')['profile_cor_top_rows']; return absd(t[0]['.zeta'], 0.6711927154134328), 1e-10, 'abs'
@check('12a_intervals prose ad4873fc', 'ch12_inference.R', "'in this R installation confint(m1) gives 0.103956 and 0.680537'")
def _(): c = out('ch12_inference')['confint_profile_m1']; return max(abs(c['lower'][0] - 0.103956), abs(c['upper'][2] - 0.680537)), 5e-7, 'abs'
@check('12a_intervals 7c8b8cb8', 'ch12_inference.R', 'confint((Days || Subject), level = 0.9) (asserted at 1e-3)')
def _():
    c = out('ch12_inference')['confint_sleepstudy_uncorr_90']
    want = [[16.528072031, 35.080097192], [4.213577047, 8.171896852], [23.278468338, 28.224659256], [239.972446164, 262.837763435], [7.877743803, 13.056828094]]
    return rel(np.column_stack([c['lower'], c['upper']]), want), 1e-9, 'rel'
@check('12a_intervals 888b9078', 'ch12_inference.R', 'singular fit: lme4 confint (asserted at 2e-3; sd_x upper 0.1197180363)')
def _():
    c = out('ch12_inference')['singular']['confint']
    want = [[0.9192088099, 1.4353541272], [-1, 1], [0, 0.1197180363], [0.4585293845, 0.5306990613], [0.6281591985, 1.3532281430], [1.9420762632, 2.0962477701]]
    return absd(np.column_stack([c['lower'], c['upper']]), want), 1e-9, 'abs'
@check('12a_intervals 888b9078', 'ch12_inference.R', "singular fit: lme4's zeta at 0.1197180363 = 1.340913071, at 0.159689 = 1.95996754")
def _(): z = out('ch12_inference')['singular']['zeta']; return absd([z['at_0.1197180363'], z['at_0.159689']], [1.340913071, 1.95996754]), 1e-8, 'abs'
@check('12a_intervals prose f305e0f3', 'ch12_inference.R', "singular fit: lme4 warns 'non-monotonic profile' and 'bad spline fit'")
def _(): w = ' '.join(out('ch12_inference')['singular']['warnings']); return ('non-monotonic profile' not in w) + ('bad spline fit' not in w), 0, 'text'
@check('12b_bootstrap fef05db2', 'ch12_inference.R', 'simulate(m1, nsim = 2, seed = 1), rows 1-3, 899, 900 (asserted at 1e-8)')
def _():
    s = out('ch12_inference')['simulate_m1_seed1']
    want = [[-8.88136571566692, -13.9237335449040], [-6.85927747125395, -12.0828651174481], [-7.39586706385162, -11.0603056455630],
            [12.0579335653140, 11.9844517090057], [15.3216836805417, 13.4851070240815]]
    return absd(np.column_stack([s['sim_1'], s['sim_2']]), want), 1e-12, 'abs'
@check('12b_bootstrap fef05db2', 'ch12_inference.R', 'simulate((Days || Subject), nsim = 1, seed = 7), rows 1-3')
def _(): return absd(out('ch12_inference')['simulate_uncorr_seed7'], [334.205394169625, 290.889134334367, 325.942873116075]), 1e-10, 'abs'
@check('12b_bootstrap 571ed58e', 'ch12_inference.R', 'confint(m1, method = "boot", nsim = 200, seed = 2024) (asserted at 1e-5 / 3e-3)')
def _():
    c = out('ch12_inference')['confint_boot_m1']
    want = [[0.0966005277487654, 0.2649195955715332], [0.7251728796118867, 1.0], [0.4006242703405689, 0.7028030924306324],
            [0.7167153117083670, 0.7857649139528134], [0.9025640355927698, 1.0615586535913555], [2.8911466082099109, 3.2431275055506146],
            [-0.1895348272721166, -0.0193906130787502], [0.1528116863822737, 0.6095691432875437]]
    return rel(np.column_stack([c['lower'], c['upper']]), want), 1e-10, 'rel'
@check('12c_compare bfc173ba', 'ch12_inference.R', 'anova on sleepstudy: AIC 1783.603041 / 1762.003255, Chisq 23.59979')
def _(): a = out('ch12_inference')['anova_sleepstudy']; return max(rel(a['AIC'], [1783.603041, 1762.003255]), rel(a['Chisq'], 23.59979)), 5e-7, 'rel'

# ---- chapter 14
@check('14_mathachieve 26afc870', 'ch14_mathachieve.R', 'REML criteria of m0, m1, m2 (lme4 tight; asserted at 1e-6)')
def _(): return rel(vals(out('ch14_mathachieve')['REMLcrit']), [46714.2353783282, 46543.3309030925, 46503.6677994379]), 1e-12, 'rel'
@check('14_mathachieve 26afc870', 'ch14_mathachieve.R', 'ML deviances of m1, m2 (lme4 tight)')
def _(): return rel(vals(out('ch14_mathachieve')['ML_deviance']), [46538.1380726003, 46496.4338850856]), 1e-12, 'rel'
@check('14_mathachieve 26afc870', 'ch14_mathachieve.R', "m2's fixed effects (asserted at 1e-6)")
def _(): return absd(vals(out('ch14_mathachieve')['m2']['fixef']), [13.33025712, 5.33911825, 1.29617976, -1.21667223, 1.03887058, 1.64258285]), 1e-7, 'abs'
@check('14_mathachieve 26afc870', 'ch14_mathachieve.R', "m2's standard errors (asserted at 1e-6)")
def _(): return absd(out('ch14_mathachieve')['m2']['se'], [0.22015401, 0.36929877, 0.17293507, 0.30638538, 0.29890104, 0.23979143]), 1e-7, 'abs'
@check('14_mathachieve 26afc870', 'ch14_mathachieve.R', "m2's theta (asserted at 1e-5)")
def _(): return absd(out('ch14_mathachieve')['m2']['theta'], [0.25468301, 0.02059434, 0.04833919]), 1e-7, 'abs'
@check('14_mathachieve prose 38382857', 'ch14_mathachieve.R', "lme4's default fit of m2 reaches 46503.6677994499")
def _(): return rel(out('ch14_mathachieve')['m2_default_REMLcrit'], 46503.6677994499), 1e-13, 'rel'
@check('14_mathachieve a2c64e99', 'ch14_mathachieve.R', 'LRT m2 vs m1: Chisq 41.704, p 8.791e-10 (p asserted at 1e-12)')
def _(): l = out('ch14_mathachieve')['lrt_m2_vs_m1']; return max(abs(l['Chisq'] - 41.704)/41.704, abs(l['p'] - 8.791e-10)/8.791e-10), 1e-4, 'rel'

# ---- chapter 16
EDGE = {'corr_minus1': dict(crit=108.645581681862, theta=[0.5864890388, -0.9091988492, 5.113234555e-08], fixef=[1.24584372507651, 1.73423271055937], sigma=0.84990604761072, singular=True),
        'var0_uncorr': dict(crit=128.8472308711, theta=[0, 0.949633131], fixef=[0.942112877125418, 1.76565349708224], sigma=1.08661373093673, singular=True),
        'article_int_only': dict(crit=3192.13750586036, theta=[2.985716877e-08], fixef=[0.977648903281753, 3.06704447218424, -0.110828777604682, 0.357683748918079], sigma=1.4129296695145, singular=True),
        'article_slope_only': dict(crit=2228.21323230229, theta=[0.6859620517], fixef=[0.977648903281753, 3.06704447218464, -0.110828777604682, 0.357683748918124], sigma=0.771051832675843, singular=False),
        'unbalanced_1_to_12': dict(crit=224.462724127976, theta=[0.2436327693, -0.2504052929, 0.4662784085], fixef=[0.735330025766495, 1.76430701636116], sigma=0.913491454469111, singular=False),
        'unbalanced_1_to_12_int': dict(crit=231.625640069224, theta=[0.2784065193], fixef=[0.783636931414713, 1.70695346234861], sigma=1.01937308812008, singular=False)}
for case, e in EDGE.items():       # check_lme4 in 16 832d751c: crit 1e-7 rel, theta 1e-4 (1e-6 for int_only) abs, fixef and sigma 1e-6
    def _f(case=case, e=e):
        r = out('ch16_robustness')['lme4_edge'][case]
        d = max(rel(r['crit'], e['crit'])/1e-7, absd(r['theta'], e['theta'])/1e-4,
                absd(r['fixef'], e['fixef'])/(1e-6*max(1, np.abs(e['fixef']).max())), rel(r['sigma'], e['sigma'])/1e-6, 0 if r['singular'] == e['singular'] else 1e9)
        return d, 1, 'ratio'
    CHECKS.append(('16_robustness 832d751c (lme4_edge)', 'ch16_robustness.R', f"lme4_edge['{case}'] (crit, theta, fixef, sigma, singular)", _f))
@check('16_robustness 2c1e6ed2', 'ch16_robustness.R', "60-row (x || unit): crit 209.63275319725, fixef, theta, sigma")
def _():
    r = out('ch16_robustness')['f60_uncorr_60_rows']
    return max(rel(r['crit'], 209.63275319725)/1e-10, absd(r['fixef'], [1.01841204900289, 3.03085511578257])/1e-6,
               absd(r['theta'], [5.203516801e-07, 0.7951684916])/1e-5, rel(r['sigma'], 0.743479256743522)/1e-6), 1, 'ratio'
@check('16_robustness 17db9380', 'ch16_robustness.R', 'rank-deficient design: fixef and crit 3390.64623898014 (asserted at 1e-7)')
def _(): r = out('ch16_robustness')['rank_deficient']; return max(absd(vals(r['fixef']), [0.978665664108902, 3.07467017838785, -0.158519944127092]), rel(r['crit'], 3390.64623898014)), 1e-9, 'abs'
@check('16_robustness 165fd2a5', 'ch16_robustness.R', "seed 57: 109.318128220142 = lme4 tight (bobyqa 1e-12) from lme4's own start")
def _(): return rel(out('ch16_robustness')['convergence_scan_cases']['seed57_cfg_.1_.1_0']['crit_by_start']['lme4_start'], 109.318128220142), 1e-12, 'rel'
@check('16_robustness 165fd2a5 and prose 39fa5dc4', 'ch16_robustness.R', "seed 57: ... is lme4's optimum ('a point lme4 misses'): NO, other starts and lme4's default fit reach 109.3053463")
def _(): return rel(out('ch16_robustness')['convergence_scan_cases']['seed57_cfg_.1_.1_0']['crit'], 109.318128220142), 1e-9, 'rel'
@check('16_robustness 12020fc2', 'ch16_robustness.R', 'seed 28: lme4 tight 116.176024518621 (asserted at 1e-6)')
def _(): return rel(out('ch16_robustness')['convergence_scan_cases']['seed28_cfg_0_.5_0']['crit'], 116.176024518621), 1e-12, 'rel'
@check('16_robustness 797b0db0', 'ch16_robustness.R', 'seed 45 (x || g): lme4 reaches 130.614157994 (asserted at 1e-6 absolute)')
def _(): return absd(out('ch16_robustness')['convergence_scan_cases']['seed45_cfg_.5_.5_1_uncorr']['crit'], 130.614157994), 1e-6, 'abs'
@check('16_robustness f60cf948', 'ch16_robustness.R', 't3 replication 14: REMLcrit 2285.95267851 (asserted at 1e-8)')
def _(): return absd(out('ch16_robustness')['t3_rep14']['REMLcrit'], 2285.95267851), 1e-8, 'abs'
@check('16_robustness f60cf948', 'ch16_robustness.R', 't3 replication 14: confint(m, parm = 2) = (0.35860159, 0.87322706)')
def _(): return absd(out('ch16_robustness')['t3_rep14']['confint_cor'], [0.35860159, 0.87322706]), 1e-8, 'abs'
@check('16_robustness prose 354d5d7e', 'ch16_robustness.R', "collinear set 1: lme4 warns 'unable to evaluate scaled gradient', 'degenerate Hessian with 2 negative eigenvalues'")
def _(): w = ' '.join(out('ch16_robustness')['collinear_seed1_default_warnings']); return ('unable to evaluate scaled gradient' not in w) + ('2 negative eigenvalues' not in w), 0, 'text'
COLLINEAR_TIGHT = [118.492395352267, 154.047839345234, 132.709350105511, 134.647475835709, 140.896310871622, 133.759349947133,
                   121.268599947919, 152.738147083112, 134.222164660619, 121.374344243564, 139.184180070662, 126.785532785216]
@check('16_robustness 23837a3a', 'ch16_collinear.R', 'collinear(1..12), (1 + x + x2 | g): lme4 tight REML criteria (inlined; ours <= them + 1e-2, seed 12 at 1e-4)')
def _(): return rel([r['tight_crit'] for r in out('ch16_collinear')['collinear']], COLLINEAR_TIGHT), 1e-9, 'rel'

# ---- chapters 01, 02, 10: base R and mvtnorm (bit for bit: R writes hexadecimal doubles; 02/10 assert looser)
def hx(key): return np.array([float.fromhex(h) for h in np.atleast_1d(out('ch01_ch02_ch10_base_r')[key])])
BASE = [('01_rng 8f66a6bb', "mvtnorm's factor of the article's G (method 'eigen')", 'mvtnorm_factor',
         [float.fromhex(h) for h in ['0x1.16be84dc87df6p-3', '0x1.2c1f7dc18a75p-3', '0x1.2c1f7dc18a75p-3', '0x1.e983ffd01022ep-2']], 0),
        ('01_rng 11bb6ae0', 'set.seed(2345); runif(4)', 'runif4_seed2345', [0.116743466816842556, 0.195025112712755799, 0.708600397221744061, 0.034454599721357226], 0),
        ('01_rng 30b461bd', 'qnorm(p) for 9 probabilities', 'qnorm_p', [-37.04709629936120052, -9.26234008979840517, -6.36134090240405570, -2.32634787404084076,
                                                                     -0.52440051270804067, 0.0, 1.28155156554460081, 3.09023230616781319, 7.03448691004783555], 0),
        ('01_rng 30b461bd', 'qnorm(c(0.075, 0.925, 1e-11, exp(-25), 2^-60))', 'qnorm_more', [-1.4395314709384557, 1.4395314709384559, -6.7060231554951359, -6.6579046435011024, -8.7733211690275521], 0),
        ('01_rng 30b461bd', 'qnorm(0.975)', 'qnorm_0.975', [1.9599639845400536], 0),
        ('01_rng 07895ffd, ab5f7383', 'set.seed(2345); rnorm(3)', 'rnorm3_seed2345', [-1.19142464300689821, 0.54930054906047010, -0.06240514330433674], 0),
        ('01_rng d23a6063; 02_simulate f409be69', 'seq(-4, 4, by = 8/30)[c(1, 2, 20, 31)]', 'seq_grid', [-4, -3.73333333333333339, 1.06666666666666643, 4], 0),
        ('01_rng d23a6063', 'seq(0, 0.3, by = 0.1)', 'seq_0_0.3', [0, 0.1, 0.2, 0.3], 0),
        ('01_rng 917e5264', 'set.seed(1); rnorm(1e5)[c(1, 2, 1000, 54321, 1e5)]', 'rnorm_1e5_seed1', [-0.62645381074233242, 0.18364332422208224, -0.69731819940012119, -0.76003854118353331, 0.71181993911908892], 0),
        ('01_rng 61c792f5', 'set.seed(-7); rnorm(2)', 'rnorm2_seed_m7', [-0.44961272857821438, -0.65965939010483454], 0),
        ('01_rng 61c792f5', 'set.seed(0); runif(2)', 'runif2_seed0', [0.89669720013625920, 0.26550866314209998], 0),
        ('01_rng 61c792f5', 'set.seed(7); runif(3, 2, 5)', 'runif3_2_5_seed7', [4.9667278935667127, 3.1932363598607481, 2.3470933362841606], 0),
        ('01_rng 61c792f5', 'set.seed(2345); rnorm(3, c(10, 0, -5), c(1, 0, 2))', 'rnorm_recycled', [8.8085753569931011, 0, -3.9013989018790598], 0),
        ('01_rng 61c792f5', '... then rnorm(1)', 'rnorm_next', [-0.06240514330433674], 0),
        ('01_rng 1f41ff82', "the article's rmvnorm (pre0.9_9994 = TRUE), row 1", 'rmvnorm_article_row1', [0.193726400251670927, 0.75156254395359712], 0),
        ('01_rng 83fd3b1d', 'rmvnorm, current mvtnorm (row-wise), row 1', 'rmvnorm_byrow_row1', [-0.015224108879030751, 0.069945112645858981], 0),
        ('01_rng 83fd3b1d', 'rmvnorm(2, c(1, -1), G, pre0.9_9994 = TRUE)', 'rmvnorm_mean', [0.74385824111937748, -1.7159523251443671, 0.89195133917308134, -1.4326523135905542], 0),
        ('01_rng 83fd3b1d', 'set.seed(42); rmvnorm(4, c(0, 1, 2), S3, pre0.9_9994 = TRUE) (asserted at 1e-14)', 'rmvnorm_S3',
         [2.262995658394702, 1.884824427813303, 3.6113269488165223, -0.8167070063002082, 0.7741928976305456, 1.8702423268641346,
          0.9911688206874281, 2.6811216042389976, 3.101496057965109, 1.1684336798102755, 1.2755339036202156, 3.6446885588280544], 1e-14),
        ('02_simulate f2603812', "the article's simulation: y[c(1, 2, 3, 900)]", 'article_y', [-10.949378381088319, -11.681301860883645, -10.428887733252353, 13.496172595567351], 0),
        ('02_simulate 4f05444c', "the article's simulation: unit 30 (a, E.beta, E.alpha, alpha, beta)", 'article_unit30',
         [0.27335399936358723, 3.0820061998090762, 0.9589969000954619, 1.0697583110947007, 3.1152267273664154], 0),
        ('10_plots 65f6d56e', 'ppoints(5) (asserted at 1e-9)', 'ppoints5', [0.1190476190, 0.3095238095, 0.5, 0.6904761905, 0.8809523810], 1e-9),
        ('10_plots 65f6d56e', 'qnorm(ppoints(900))[c(1, 450)] (asserted at 1e-10)', 'qnorm_ppoints900', [-3.260767488421, -0.001392571714], 1e-10),
        ('10_plots d6598abb, 5cc7bc2e', 'qnorm(0.75) = 0.6744897502 (asserted at 1e-8)', 'qnorm_0.75', [0.6744897502], 1e-8)]
DIGESTS = [('01_rng 917e5264', 'digest of set.seed(1); rnorm(1e5)', 'digest_rnorm_1e5_seed1', '6966ddfaf4c20105de837fe856e45faa8ed82ce511dd6272ae934e43b53e60b0'),
           ('01_rng 1f41ff82', "digest of the article's 30 x 2 random effects", 'digest_rmvnorm_article', 'f3495825fc1890693e6345505423503b18e262570da608a1dbd347f9d8fe059c'),
           ('02_simulate f2603812', "digest of the article's 900 y", 'digest_article_y', 'a6b2b23f77e7265162150ef9079fb0dbe0c6de1af59652de6a7a2879939b9ee6'),
           ('02_simulate 4f05444c', "digest of the article's alpha, beta", 'digest_article_alpha_beta', '650ffcbcc4d1e12155aed710ab590c8fa24754ce03d2e4ad614778048609ae34')]
for where, what, key, want in DIGESTS:
    CHECKS.append((where, 'ch01_ch02_ch10_base_r.R', what, lambda key=key, want=want: (int(out('ch01_ch02_ch10_base_r')[key] != want), 0, 'text')))
for where, what, key, want, tol in BASE:
    CHECKS.append((where, 'ch01_ch02_ch10_base_r.R', what, lambda key=key, want=want, tol=tol: (absd(hx(key), want), tol, 'abs')))

def run():
    rows = []
    for where, script, what, f in CHECKS:
        try: d, tol, kind = f(); ok = d <= tol
        except (FileNotFoundError, KeyError) as e: d, tol, kind, ok = float('nan'), 0, f'missing: {e}', False
        rows.append((where, script, what, d, tol, kind, ok))
    return rows

if __name__ == '__main__':
    rows = run()
    if '--markdown' in sys.argv:
        print('| used in (notebook cell id, or file) | script | number | rerun vs shipped | tolerance |\n|---|---|---|---|---|')
        for where, script, what, d, tol, kind, ok in rows:
            what = what.replace('|', '\\|')
            print(f"| {where} | `{script}` | {what} | {d:.1e} ({kind}){'' if ok else ' **differs**'} | {tol:g} |")
    else:
        for where, script, what, d, tol, kind, ok in rows:
            print(f"{'ok  ' if ok else 'FAIL'} {d:9.2e} <= {tol:<7g} {kind:5s} {script:20s} {where:45s} {what}")
        bad = [r for r in rows if not r[-1]]
        print(f"\n{len(rows) - len(bad)} of {len(rows)} reproduced at the asserted precision" + (f"; {len(bad)} differ" if bad else ''))
        sys.exit(1 if bad else 0)
