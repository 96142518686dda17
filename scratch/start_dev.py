import numpy as np
from hlm_lit.henderson import UnitCrossprods
from hlm_lit.reml import ReTemplate, moment_start

def blocked_start(cp, tmpl, fac_cols):
    "Starting theta: chapter 05's moment start for each grouping factor on its own"
    p = cp.p
    theta = tmpl.theta0.copy()
    for f, cols in enumerate(fac_cols):
        cols = list(cols)
        mine = np.flatnonzero(np.isin(tmpl.rows, cols))
        sizes, k = [], 0                                  # the factor's own template: its terms' blocks
        starts = sorted({int(c) for c in tmpl.cols[mine] if True} )
        # block sizes from the global template: a term starts where a column has no entry above its diagonal
        blocks = []
        for c in cols:
            if not any((tmpl.rows == c) & (tmpl.cols < c) & np.isin(tmpl.cols, cols)): blocks.append(1)
            else: blocks[-1] += 1
        sub = ReTemplate(tuple(blocks))
        ucp = UnitCrossprods(cp.D[f], cp.ZXy[f][:, :, :p], cp.ZXy[f][:, :, p], cp.XyXy[:p, :p], cp.XyXy[:p, p],
                             float(cp.XyXy[p, p]), cp.n, cp.counts[f])
        th = moment_start(ucp, sub)
        pos = {c: j for j, c in enumerate(cols)}
        for k in mine:
            j = np.flatnonzero((sub.rows == pos[tmpl.rows[k]]) & (sub.cols == pos[tmpl.cols[k]]))[0]
            theta[k] = th[j]
    return theta
