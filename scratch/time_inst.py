import sys, time; sys.path.insert(0, 'scratch')
from ref_cases import *
c, Z, gs, ms, X, y, w, sizes = build('insteval_crossed')
t = time.perf_counter(); cp = crossprods(Z, gs, ms, X, y, w); print('pass', time.perf_counter() - t)
t = time.perf_counter(); plan = Plan(cp); print('plan', time.perf_counter() - t, plan.d, plan.nT)
lams = [np.eye(1)*v for v in c['reference']['theta']]
import cProfile, pstats
t = time.perf_counter(); F = factorize(plan, lams); print('factorize', time.perf_counter() - t)
cProfile.run('factorize(plan, lams)', '/tmp/prof')
pstats.Stats('/tmp/prof').sort_stats('cumtime').print_stats(12)
