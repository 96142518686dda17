"""Write the data sets that the notebooks draw with numpy (so R cannot redraw them) as CSV for the R scripts here.

Run from the repository root:  python tests/R/make_data.py
The files are small and committed (tests/R/data/), written with 17 significant digits so that R reads back the same
doubles; rerunning this script must leave them unchanged (`git diff --exit-code tests/R/data`).
"""
from pathlib import Path

import numpy as np
import pandas as pd

OUT = Path(__file__).parent/'data'

def singular_data():
    "Chapter 12, cell 'A singular fit': no slope variance, 40 groups of 10 (numpy default_rng(3))"
    rng = np.random.default_rng(3)
    gg = np.repeat(np.arange(40), 10); xx = np.tile(np.linspace(-1, 1, 10), 40)
    return pd.DataFrame(dict(y=1 + 2*xx + rng.normal(0, 1, 40)[gg] + rng.normal(0, 0.5, 400), x=xx, g=gg))

def t3_replication_14():
    "Chapter 16 (and 18): replication 14 of the assumptions chapter's 't3 random effects' scenario"
    from hlm_lit.montecarlo import simulate_scenario, SCENARIOS
    return simulate_scenario(SCENARIOS['t3 random effects'], np.random.default_rng([2024, 14])).simple

if __name__ == '__main__':
    OUT.mkdir(exist_ok=True)
    for name, d in [('ch12_singular.csv', singular_data()), ('ch16_t3_rep14.csv', t3_replication_14())]:
        d.to_csv(OUT/name, index=False, float_format='%.17g')
        print(f'{OUT/name}: {d.shape}')
