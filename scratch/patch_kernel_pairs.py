import nbformat
nb = nbformat.read('nbs/05a_kernel.ipynb', 4)
C = nb.cells
def find(s): return next(i for i, c in enumerate(C) if s in c.source)
i = find("class BlockPlan:")
old = C[i].source[C[i].source.index("        # the sparse pattern of the tail rows of column block i"):C[i].source.index("        # tail-tail pattern of the initial dense tail")]
new = '''        # the tail rows of column block i are sparse: one entry per (cell, a, b); entries in the same column meet in
        # L_Ti L_Ti' and in Takahashi's recurrence, so keep those pairs once (work: sum over columns of nnz^2)
        self.tail = {i: TailPattern(cp, self, i) for i in range(d) if K > d}
'''
C[i].source = C[i].source.replace(old, new)
C[i].source = C[i].source.replace('''def segsum_matrix(''', '''def _pairs_within(groups:np.ndarray, # (n,) group of each item
                 ):
    "All pairs (e1, e2) of items in the same group with e1's position >= e2's (each unordered pair once, and (e, e))"
    o = np.argsort(groups, kind='stable'); sg = groups[o]
    starts = np.flatnonzero(np.r_[True, sg[1:] != sg[:-1]]) if len(sg) else np.zeros(0, int)
    lens = np.diff(np.r_[starts, len(sg)])
    npairs = lens*(lens + 1)//2
    k = np.arange(npairs.sum()) - np.repeat(np.cumsum(npairs) - npairs, npairs)      # index within the group
    a = ((np.sqrt(8*k + 1) - 1)//2).astype(np.intp); b = k - a*(a + 1)//2
    base = np.repeat(starts, npairs)
    return o[base + a], o[base + b]

class TailPattern:
    "The sparse rows of the dense tail in the column block of one block-diagonal factor, and their pairs"
    def __init__(self, cp, plan, i):
        qi, rows, cols, self.seg = cp.q[i], [], [], {}
        for t in range(plan.d, plan.K):
            c, qt = cp.pairs[(t, i)], cp.q[t]
            shape = (len(c.lev_f), qt, qi)
            rows.append(np.broadcast_to(plan.off[t] + c.lev_h[:, None, None]*qt + np.arange(qt)[None, :, None], shape).ravel())
            cols.append(np.broadcast_to(c.lev_f[:, None, None]*qi + np.arange(qi)[None, None, :], shape).ravel())
            self.seg[t] = (sum(map(len, rows[:-1])), shape)
        self.rows, self.cols = np.concatenate(rows), np.concatenate(cols)     # of each entry
        self.e1, self.e2 = _pairs_within(self.cols)
        hi, lo = np.maximum(self.rows[self.e1], self.rows[self.e2]), np.minimum(self.rows[self.e1], self.rows[self.e2])
        self.hi, self.lo, self.offdiag = hi, lo, self.e1 != self.e2
        flat = hi.astype(np.int64)*plan.nT + lo                                   # where each pair lands in the tail
        self.order = np.argsort(flat, kind='stable')
        fs = flat[self.order]
        self.starts = np.flatnonzero(np.r_[True, fs[1:] != fs[:-1]]) if len(fs) else np.zeros(0, int)
        self.targets = fs[self.starts]
        self.rowsum = segsum_matrix(self.rows, plan.nTf)                          # entries -> rows
        self.colsum = segsum_matrix(self.cols, cp.m[i]*qi)                        # entries -> columns

    def rank_update(self, T, v):
        "T (lower triangle) -= S S' for the sparse S with entry values v"
        prod = v[self.e1]*v[self.e2]
        T.flat[self.targets] -= np.add.reduceat(prod[self.order], self.starts) if len(prod) else 0

    def sym_times(self, ST, v):
        "(ST V) on the entries of V's pattern, for a symmetric ST given by its lower triangle, V with entry values v"
        s = ST[self.hi, self.lo]
        n = len(v)
        return (np.bincount(self.e1, s*v[self.e2], n)
                + np.bincount(self.e2[self.offdiag], s[self.offdiag]*v[self.e1[self.offdiag]], n))

def segsum_matrix(''')
nbformat.write(nb, 'nbs/05a_kernel.ipynb')

i = find("def factorize(plan:BlockPlan")
s = C[i].source
old = '''        if i in plan.tailpat:
            ind, ptr, perm = plan.tailpat[i]
            vals = np.concatenate([Lt[(t, i)].ravel() for t in range(d, K)])[perm]
            S = sp.csr_matrix((vals, ind, ptr), shape=(nTf, mi*qi))
            T[:nTf, :nTf] -= (S @ S.T).toarray()
            T[nTf:, :nTf] -= (S @ Dx.T).T'''
new = '''        if K > d:                                                                 # the sparse tail rows of column i
            tp = plan.tail[i]
            v = np.concatenate([Lt[(t, i)].ravel() for t in range(d, K)])
            tp.rank_update(T, v)                                                  # tail-factor rows: T -= S S'
            T[nTf:, :nTf] -= (tp.rowsum @ (v[:, None]*Dx.T[tp.cols])).T          # [X y] rows: T -= Dx S\''''
assert old in s
s = s.replace(old, new)
C[i].source = s

i = find("def selected_inverse(plan:BlockPlan")
s = C[i].source
old = s[s.index("        # the tail rows: Sigma_TT times the sparse V"):s.index("        newSX = Y[nTf:].reshape(p, mi, qi).transpose(1, 0, 2)")]
new = '''        # the tail rows: -(Sigma_TT V + Sigma_TX VX) on V's pattern, and the X rows -(Sigma_XT V + Sigma_XX VX)
        VXc = VX.transpose(0, 2, 1).reshape(mi*qi, p)                            # VX by column of block i
        YX = -(ST[nTf:, nTf:] @ VXc.T) if p else np.zeros((0, mi*qi))
        newSt = {}
        if K > d:
            tp = plan.tail[i]
            v = np.concatenate([Vt[t].ravel() for t in range(d, K)])
            Ye = -tp.sym_times(ST, v)
            if p:
                Ye -= np.einsum('ep,ep->e', ST[tp.rows, nTf:nTf + p], VXc[tp.cols])
                YX -= (tp.colsum @ (v[:, None]*ST[nTf:nTf + p, tp.rows].T)).T
            for t in range(d, K):
                start, shape = tp.seg[t]
                newSt[t] = Ye[start:start + np.prod(shape)].reshape(shape)           # (C, q_t, q_i)
'''
s = s.replace(old, new)
s = s.replace("        newSX = Y[nTf:].reshape(p, mi, qi).transpose(1, 0, 2)", "        newSX = YX.reshape(p, mi, qi).transpose(1, 0, 2)")
s = s.replace("    ST = sla.cho_solve((LTz, True), np.eye(nTf + p))", "    ST = sla.lapack.dpotri(LTz, lower=1)[0]                                  # the tail's inverse (lower triangle)\n    ST = np.tril(ST) + np.tril(ST, -1).T")
C[i].source = s
nbformat.write(nb, 'nbs/05a_kernel.ipynb')
