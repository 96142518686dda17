"""Benchmark of the Dask engine (not a test): the article's model `y ~ x + a + x:a + (1 + x | unit)` on Parquet files.

Writes the data (30 rows per unit, files of 999,990 rows; NOT committed) under --data, then for each size runs, in a
fresh process, a LocalCluster of 2 worker processes (1 thread each) under a per-worker memory limit and records:
the pass of sums (which also settles the levels and checks the data), the fit on the driver, the whole `lmer_dask`; the
time of one bare `groupby(unit).sum()` over the same columns (the floor); the peak resident memory of the driver and of
each worker; the CPU time of one partition's read, pandas groupby-sum and share of the pass (in a worker, so less
sensitive to other jobs than the wall times); the machine's load average before and after (it is shared); and the agreement with a pandas `lmer` fit of the
first files (up to 3M rows) with `lmer_dask` on the same files.

    python bench/dask_bench.py --rows 10e6 30e6            # the data: 172 MB per 10M rows
    python bench/dask_bench.py --rows 100e6 --repeat 1

Results go to bench/results/dask_bench.json (one entry per size, replaced on a re-run).
"""
import argparse
import gc
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROWS_PER_UNIT, UNITS_PER_FILE = 30, 33_333
ROWS_PER_FILE = ROWS_PER_UNIT*UNITS_PER_FILE
FORMULA = 'y ~ x + a + x:a + (1 + x | unit)'
HERE = Path(__file__).resolve().parent
OUT = HERE/'results'/'dask_bench.json'


def write_file(path: Path, k: int):
    "File k of the data: units k*UNITS_PER_FILE ...; the article's model with true values like the article's fit"
    rng = np.random.default_rng(1000 + k)
    u = np.arange(UNITS_PER_FILE)
    a = rng.standard_normal(UNITS_PER_FILE)
    b0, b1 = 0.18*rng.standard_normal(UNITS_PER_FILE), 0.53*rng.standard_normal(UNITS_PER_FILE)
    g = np.repeat(u, ROWS_PER_UNIT)
    x = np.tile(np.linspace(-1, 1, ROWS_PER_UNIT), UNITS_PER_FILE) + 0.1*rng.standard_normal(ROWS_PER_FILE)
    y = 1 + 3*x - 0.1*a[g] + 0.35*x*a[g] + b0[g] + b1[g]*x + 0.75*rng.standard_normal(ROWS_PER_FILE)
    df = pd.DataFrame({'unit': (k*UNITS_PER_FILE + g).astype(np.int64), 'a': a[g], 'x': x, 'y': y})
    tmp = path.with_suffix('.tmp')
    df.to_parquet(tmp, index=False)
    tmp.rename(path)


def files_for(rows: float, data: Path) -> list:
    "The first files making up about `rows` rows, written if missing"
    data.mkdir(parents=True, exist_ok=True)
    n = max(1, int(round(rows/ROWS_PER_FILE)))
    out = []
    for k in range(n):
        p = data/f'part{k:04d}.parquet'
        if not p.exists(): write_file(p, k)
        out.append(str(p))
    return out


def peak_gb() -> float:
    "Peak resident memory of this process (GB)"
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss/1e6


def cpu_per_partition(file: str, reps: int = 10) -> dict:
    "CPU milliseconds (one thread, in a worker) to read one file, to group-sum it with pandas, and for its share of the pass"
    from hlm_lit import distributed as D
    cols = D.model_columns(FORMULA)
    ddf = D.read_dask([file], cols)
    d = D.start_design(FORMULA, ddf, None, [file])
    D._specs_from_types(d, ddf.dtypes)
    part = D.read_file(file, cols)
    out = {}
    for k, f in dict(read=lambda: D.read_file(file, cols), groupby_sum=lambda: part.groupby('unit').sum(),
                     partition_sums=lambda: D.partition_sums(part, d, 0, True)).items():
        f(); t = time.process_time()
        for _ in range(reps): f()
        out[k] = (time.process_time() - t)/reps*1e3
    return out


def one(rows: float, data: Path, memory_limit: str, args_repeat: int = 2) -> dict:
    "One size, in this process: the cluster, the floor, the fit, the agreement"
    from distributed import Client, LocalCluster
    from hlm_lit import distributed as D
    from hlm_lit.fit import lmer, rel_err
    files = files_for(rows, data)
    cols = D.model_columns(FORMULA)
    rec = dict(rows=len(files)*ROWS_PER_FILE, units=len(files)*UNITS_PER_FILE, files=len(files), memory_limit=memory_limit,
               data_GB=sum(os.path.getsize(f) for f in files)/1e9)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, memory_limit=memory_limit,
                      dashboard_address=None) as cluster, Client(cluster) as client:
        split_out = max(1, rec['units']//1_000_000)
        rec['load_before'] = os.getloadavg()               # the machine is shared: its load average (1, 5, 15 min)
        best = {}
        for rep in range(args_repeat):             # the best of a few runs of each step
            ddf = d = cp = opt = obj = fit = None; gc.collect()   # the last run's fit gone: the driver's peak is one fit's
            # the floor: one bare groupby-sum over the same columns, its result on the driver
            ddf = D.read_dask(files, cols)
            t = time.perf_counter(); ddf.groupby('unit').sum(split_out=split_out).compute()
            best['floor_groupby_s'] = min(best.get('floor_groupby_s', np.inf), time.perf_counter() - t)
            # the fit, step by step as lmer_dask runs it: the one pass (it settles the levels too), the fit on the driver
            t0 = time.perf_counter()
            ddf = D.read_dask(files, cols)
            d = D.start_design(FORMULA, ddf, None, files)
            cp = D.dask_crossprods(ddf, d)
            t1 = time.perf_counter()
            opt, obj, scales, tmpl = D.fit_crossprods(cp, d)
            fit = D.DaskLmerFit(d, ddf, cp, opt, obj, scales, tmpl, True)
            t2 = time.perf_counter()
            for k, v in dict(pass_s=t1 - t0, fit_s=t2 - t1, total_s=t2 - t0).items(): best[k] = min(best.get(k, np.inf), v)
        rec.update(best, repeats=args_repeat, nfev=int(opt.nfev), converged=bool(fit.converged),
                   crit=float(fit.crit), theta=fit.theta.tolist(), fixef=fit.fixef.tolist())
        rec['pass_over_floor'] = rec['pass_s']/rec['floor_groupby_s']
        rec['total_over_floor'] = rec['total_s']/rec['floor_groupby_s']
        rec['driver_peak_GB'] = peak_gb()
        rec['worker_peak_GB'] = max(client.run(peak_gb).values())
        rec['cpu_ms_per_partition'] = client.submit(cpu_per_partition, files[-1], pure=False).result()   # less sensitive to the load
        rec['load_after'] = os.getloadavg()
        # agreement with pandas on the first files (up to 3M rows)
        sub = files[:3]
        fd = D.lmer_dask(FORMULA, D.read_dask(sub, cols), files=sub)
    pdf = pd.concat([pd.read_parquet(f) for f in sub], ignore_index=True)
    fp = lmer(FORMULA, pdf)
    rec.update(subset_rows=len(pdf), rel_crit_subset=float(rel_err(fd.crit, fp.crit)), rel_fixef_subset=float(rel_err(fd.fixef, fp.fixef)),
               rel_theta_subset=float(rel_err(fd.theta, fp.theta)))
    return rec


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--rows', type=float, nargs='+', default=[10e6, 30e6, 100e6])
    ap.add_argument('--data', type=Path, default=Path('/work/bench_data'))
    ap.add_argument('--memory-limit', default='1.5GB', help='per worker; 2 x 1.5 GB is less than the 100M rows in memory (3.2 GB)')
    ap.add_argument('--repeat', type=int, default=2, help='runs per size; the best time of each step is kept')
    ap.add_argument('--one', type=float, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.one is not None:
        print(json.dumps(one(args.one, args.data, args.memory_limit, args.repeat))); return
    for rows in args.rows:                         # each size in a fresh process: its own peak memory
        p = subprocess.run([sys.executable, __file__, '--one', str(rows), '--data', str(args.data), '--memory-limit', args.memory_limit, '--repeat', str(args.repeat)],
                           capture_output=True, text=True)
        if p.returncode:
            print(p.stderr[-3000:], file=sys.stderr); continue
        rec = json.loads(p.stdout.strip().splitlines()[-1])
        res = json.loads(OUT.read_text()) if OUT.exists() else {'runs': []}
        res['runs'] = sorted([r for r in res['runs'] if r['rows'] != rec['rows']] + [rec], key=lambda r: r['rows'])
        res['machine'] = dict(cpus=os.cpu_count(), python=sys.version.split()[0])
        OUT.write_text(json.dumps(res, indent=1))
        print({k: (round(v, 3) if isinstance(v, float) else v) for k, v in rec.items() if k not in ('theta', 'fixef')})


if __name__ == '__main__':
    main()
