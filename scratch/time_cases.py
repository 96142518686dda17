import json, time, warnings, sys
import pandas as pd, numpy as np
from hlm_lit.lmer import lmer
ml = {c['name']: c for c in json.load(open('/work/shared/reference/lme4_multilevel.json'))}
for name in sys.argv[1:]:
    c = ml[name]
    data = pd.read_csv('/work/shared/data/multilevel/' + c['data'].split('/')[-1])
    t = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        fit = lmer(c['formula'], data, REML=c['REML'], weights=c['weights'] or None)
    print(name, time.perf_counter() - t, fit.optinfo.nfev, fit.crit - c['reference']['crit'], fit.converged, flush=True)
