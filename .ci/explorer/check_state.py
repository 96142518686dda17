"""The saved widget state of nbs/15_explorer.ipynb (what the rendered page shows) must agree with itself: the explorer's
sliders must read the sizes its status line and table report, the table must be the article's, and every displayed
widget must carry the note that a rendered page is a snapshot. Usage: python check_state.py [NOTEBOOK]"""
import json, re, sys
from pathlib import Path

NB = Path(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).resolve().parents[2] / 'nbs' / '15_explorer.ipynb')
STATE, VIEW = 'application/vnd.jupyter.widget-state+json', 'application/vnd.jupyter.widget-view+json'


def models(nb):
    "The saved widget models by id"
    return {k: v for k, v in nb['metadata']['widgets'][STATE]['state'].items()}


def reachable(state, root):
    "The ids of the models a displayed widget shows (children, recursively)"
    seen, todo = [], [root]
    while todo:
        m = todo.pop()
        if m in seen or m not in state: continue
        seen.append(m)
        for v in state[m]['state'].values():
            for x in (v if isinstance(v, list) else [v]):
                if isinstance(x, str) and x.startswith('IPY_MODEL_'): todo.append(x[len('IPY_MODEL_'):])
    return seen


def main():
    nb = json.loads(NB.read_text())
    state = models(nb)
    views = [o['data'][VIEW]['model_id'] for c in nb['cells'] if c['cell_type'] == 'code'
             for o in c.get('outputs', []) if VIEW in o.get('data', {})]
    root = next(v for v in views if 'hlm-explorer' in state[v]['state'].get('_dom_classes', []))
    shown = [state[m] for m in reachable(state, root)]
    missing = [m for m in views if m not in state]
    assert not missing, f'displayed widgets without saved state: {missing}'
    for v in views:                                     # every displayed widget says that a rendered page is a snapshot
        notes = [m for m in reachable(state, v) if 'hlm-snapshot' in str(state[m]['state'].get('value', ''))]
        assert notes, f"the displayed widget {v} ({state[v]['state'].get('_dom_classes')}) carries no snapshot note"
    slider = {m['state']['description']: m['state']['value'] for m in shown if m['model_name'].endswith('SliderModel')}
    html = ' '.join(m['state'].get('value', '') for m in shown if m['model_name'] == 'HTMLModel')
    status = re.search(r'class="hlm-status[^>]*>(.*?)</div>', html).group(1)
    assert f"N={slider['N']} units" in status, f"the N slider reads {slider['N']} but the status line says: {status}"
    lo, hi = slider['J']
    assert (f'J={lo} ' if lo == hi else f'J={lo}–{hi}') in status, f"the J slider reads {slider['J']} but the status line says: {status}"
    assert "the article's data" in status and 'hlm-status hlm-ok' in html, status
    assert 'hlm-snapshot' in html and 'voila' in html, 'no snapshot note in the saved widget'
    rows = re.findall(r'<tr><td[^>]*><b>([^<]+)</b>.*?</td><td[^>]*>[^<]*</td><td[^>]*>([^<]*)</td>', html)
    est = {k: float(v.replace('−', '-')) for k, v in rows}
    assert abs(est['(Intercept)'] - 0.97765) < 1e-4 and abs(est['sigma'] - 0.75109) < 1e-4, est
    print(f"saved widget state of {NB.name}: sliders N={slider['N']}, J={slider['J']}, status '{status[:60]}...', "
          f"{len(est)} table rows (phi0 {est['(Intercept)']}), snapshot note on all {len(views)} widgets: consistent")


if __name__ == '__main__':
    main()
