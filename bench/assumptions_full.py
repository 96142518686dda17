#!/usr/bin/env python
"""The full Monte Carlo study of the "Violated assumptions" chapter (nbs/13a_assumptions.ipynb).

    python bench/assumptions_full.py                      # 1000 replications per scenario, profile intervals for
                                                          # the first 100 of three scenarios (20-40 minutes on a shared 2-core machine)
    python bench/assumptions_full.py --nrep 100 --profile 0 --jobs 1 --out /tmp/quick.json
    python bench/assumptions_full.py --checkpoint /tmp/mc_chunks      # resumable: finished chunks are kept there

Replication k of every scenario is drawn from np.random.default_rng([seed, k]), so the results do not depend on
--jobs or on the chunking, and the chapter's live run (the first 20 replications) can be checked against the file.
Writes bench/results/assumptions_full.json (settings, summary table, estimates of the first 20 replications).
"""
import argparse, platform, sys, time
from multiprocessing import Pool
from pathlib import Path

import numpy as np
import pandas as pd
import scipy

HERE = Path(__file__).resolve().parent
PROFILED = ('baseline', 't3 random effects', 'N = 10')


def task(args):
    "Run one chunk of replications of one scenario (in a worker process); reuse or write its checkpoint file"
    import warnings; warnings.simplefilter('ignore')
    from hlm_lit.montecarlo import SCENARIOS, run_scenario
    name, start, n, seed, profile_reps, checkpoint = args
    ck = Path(checkpoint)/f"{name.replace(' ', '_')}_{seed}_{start}_{n}_{profile_reps}.pkl" if checkpoint else None
    if ck is not None and ck.exists(): return pd.read_pickle(ck)
    t0 = time.perf_counter()
    reps = run_scenario(SCENARIOS[name], n, seed, profile_reps=profile_reps, start=start, progress=False)
    out = name, time.perf_counter() - t0, reps
    if ck is not None: pd.to_pickle(out, ck)
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--nrep', type=int, default=1000, help='replications per scenario')
    ap.add_argument('--seed', type=int, default=2024, help='master seed')
    ap.add_argument('--profile', type=int, default=100, help=f'replications with profile intervals in {", ".join(PROFILED)}')
    ap.add_argument('--jobs', type=int, default=2, help='worker processes')
    ap.add_argument('--chunk', type=int, default=25, help='replications per task')
    ap.add_argument('--out', default=str(HERE/'results'/'assumptions_full.json'))
    ap.add_argument('--checkpoint', default='', help='directory for finished chunks (a rerun after an interruption reuses them)')
    a = ap.parse_args()
    import hlm_lit
    from tqdm.auto import tqdm
    from hlm_lit.montecarlo import SCENARIOS, save_results, summarize

    if a.checkpoint: Path(a.checkpoint).mkdir(parents=True, exist_ok=True)
    profile_reps = {name: min(a.profile, a.nrep) for name in PROFILED if a.profile > 0}
    tasks = []
    for name in SCENARIOS:
        for start in range(0, a.nrep, a.chunk):
            n = min(a.chunk, a.nrep - start)
            tasks.append((name, start, n, a.seed, profile_reps.get(name, 0), a.checkpoint))   # replications k < profile_reps are profiled
    tasks.sort(key=lambda t: t[1] >= t[4])            # chunks with profile intervals (the slow ones) first
    if a.checkpoint: cached = sum((Path(a.checkpoint)/f"{t[0].replace(' ', '_')}_{t[3]}_{t[1]}_{t[2]}_{t[4]}.pkl").exists() for t in tasks)
    t0, seconds, parts = time.perf_counter(), {name: 0.0 for name in SCENARIOS}, []
    with Pool(a.jobs) as pool, tqdm(total=a.nrep*len(SCENARIOS), desc="replications") as bar:
        for name, sec, reps in pool.imap_unordered(task, tasks):
            parts.append(reps); seconds[name] += sec; bar.update(reps.rep.nunique())
    order = {name: i for i, name in enumerate(SCENARIOS)}
    reps = pd.concat(parts, ignore_index=True)
    reps = reps.sort_values(['scenario', 'rep'], key=lambda c: c.map(order) if c.name == 'scenario' else c, kind='stable')
    reps = reps.reset_index(drop=True)
    summary = summarize(reps)
    meta = dict(nrep=a.nrep, seed=a.seed, profile_reps=profile_reps, jobs=a.jobs,
                cpu_minutes=round(sum(seconds.values())/60, 1), cpu_seconds_per_scenario={k: round(v, 1) for k, v in seconds.items()},
                wall_minutes_this_run=round((time.perf_counter() - t0)/60, 1),
                chunks=len(tasks), chunks_from_checkpoint=cached if a.checkpoint else 0,
                versions=dict(hlm_lit=hlm_lit.__version__, numpy=np.__version__, scipy=scipy.__version__, pandas=pd.__version__,
                              python=platform.python_version()),
                machine=f"{platform.machine()}, {platform.system()}", date=time.strftime('%Y-%m-%d %H:%M'),
                command='python bench/assumptions_full.py ' + ' '.join(sys.argv[1:]))
    Path(a.out).parent.mkdir(parents=True, exist_ok=True)
    save_results(a.out, summary, reps, meta)
    print(f"wrote {a.out} ({meta['wall_minutes_this_run']} min, {meta['cpu_minutes']} CPU min)")
    with pd.option_context('display.width', 200, 'display.max_columns', 20):
        print(summary[['scenario', 'parameter', 'truth', 'mean', 'bias', 'rmse', 'coverage_z', 'coverage_t', 'coverage_kr', 'coverage_profile',
                       'n_singular']].round(3).to_string())


if __name__ == '__main__':
    main()
