"""Check the GitHub Actions workflows that CI here cannot run: parse .github/workflows/*.yaml with a YAML parser
(PyYAML, installed with nbdev) and check that they are nbdev's test and deploy workflows, as `nbdev_new` writes them:

- test.yaml: runs fastai/workflows/nbdev-ci (every notebook executed, export and clean checked) on push and pull request;
- deploy.yaml: runs fastai/workflows/quarto-ghp (the Quarto site built and published to GitHub Pages) on every push to
  the docs branch of settings.ini, with the write permissions that publishing needs.

Usage: python .ci/check_workflows.py [--selftest]   (exits 1 and names every problem; --selftest also checks that
mutated copies of the workflows are refused, so that the check cannot silently pass everything)
"""
import configparser, copy, sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
WF = ROOT/'.github'/'workflows'
EXPECTED = {'test.yaml': 'fastai/workflows/nbdev-ci', 'deploy.yaml': 'fastai/workflows/quarto-ghp'}


def triggers(wf):
    "The `on:` block (YAML 1.1 reads a bare `on` key as the boolean True) as {event: config}"
    on = wf.get('on', wf.get(True))
    if isinstance(on, str): return {on: None}
    if isinstance(on, list): return {e: None for e in on}
    return dict(on or {})


def check(name, wf, branch):
    "Problems of one parsed workflow"
    out = []
    if not isinstance(wf, dict): return [f'{name}: not a YAML mapping']
    if not wf.get('name'): out.append(f'{name}: no name')
    jobs = wf.get('jobs') or {}
    if not jobs: out.append(f'{name}: no jobs')
    uses = []
    for jid, job in jobs.items():
        if not (job or {}).get('runs-on'): out.append(f'{name}: job {jid} has no runs-on')
        steps = (job or {}).get('steps') or []
        if not isinstance(steps, list) or not steps: out.append(f'{name}: job {jid} has no steps')
        uses += [s.get('uses', '') for s in steps if isinstance(s, dict)]
    want = EXPECTED[name]
    if not any(u.split('@')[0] == want for u in uses): out.append(f'{name}: no step uses {want} (found {uses})')
    on = triggers(wf)
    if name == 'test.yaml':
        for ev in ('push', 'pull_request'):
            if ev not in on: out.append(f'{name}: does not run on {ev}')
    else:
        branches = ((on.get('push') or {}) if isinstance(on.get('push'), dict) else {}).get('branches', [])
        if branch not in branches: out.append(f"{name}: does not deploy on a push to settings.ini's branch {branch!r} ({branches})")
        perms = wf.get('permissions') or {}
        for p in ('contents', 'pages'):
            if perms.get(p) != 'write': out.append(f'{name}: permissions.{p} must be write to publish (got {perms.get(p)!r})')
    return out


def main(argv):
    cfg = configparser.ConfigParser(); cfg.read(ROOT/'settings.ini')
    branch = cfg['DEFAULT'].get('branch', 'main')
    problems, parsed = [], {}
    for name in EXPECTED:
        f = WF/name
        if not f.exists(): problems.append(f'.github/workflows/{name} is missing'); continue
        try: parsed[name] = yaml.safe_load(f.read_text(encoding='utf-8'))
        except yaml.YAMLError as e: problems.append(f'{name}: not valid YAML: {e}'); continue
        problems += check(name, parsed[name], branch)
    extra = sorted(p.name for p in WF.glob('*.y*ml') if p.name not in EXPECTED) if WF.exists() else []
    if '--selftest' in argv and len(parsed) == len(EXPECTED):
        mutants = {'test.yaml without pull_request': ('test.yaml', lambda w: w.update({True: ['push']}) or w.pop('on', None)),
                   'test.yaml with another action': ('test.yaml', lambda w: w['jobs']['test'].update(steps=[{'uses': 'x/y@v1'}])),
                   'deploy.yaml without pages: write': ('deploy.yaml', lambda w: w['permissions'].pop('pages')),
                   'deploy.yaml on another branch': ('deploy.yaml', lambda w: triggers(w)['push'].update(branches=['dev']))}
        for label, (name, mutate) in mutants.items():
            w = copy.deepcopy(parsed[name]); mutate(w)
            if not check(name, w, branch): problems.append(f'selftest: the check accepts {label}')
        print(f'workflows selftest: {len(mutants)} mutated workflows' + ('' if not any(p.startswith('selftest') for p in problems) else ' NOT all') + ' refused')
    for p in problems: print(f'ERROR: {p}', file=sys.stderr)
    if problems: print(f'workflows: {len(problems)} problem(s)'); return 1
    print(f"workflows: {', '.join(EXPECTED)} parse and are nbdev's test and deploy workflows (deploy on push to {branch!r})"
          + (f'; other workflow files: {extra}' if extra else ''))
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
