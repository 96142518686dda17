"""Offline build of the hlm_lit documentation, and README.md from nbs/index.ipynb.

The Quarto site (`nbdev_docs`) needs Quarto, which CI cannot install. This builds the same pages without it:

1. checks the Quarto configuration that `nbdev_docs` would use (`_quarto.yml`, `nbs/nbdev.yml`, `nbs/sidebar.yml`),
   and that `nbs/sidebar.yml` lists every notebook exactly once;
2. runs nbdev's own notebook processing (`nbdev.serve.proc_nbs`, what `nbdev_proc_nbs` and `nbdev_docs` run) into
   `_proc/`: frontmatter from the title cell, `show_doc` for every export, `#| hide` and friends, doc links, and
   the project's own processor from settings.ini's `procs` (`hlm_lit.docs_procs.clean_signatures`: show_doc's
   signatures as raw HTML code blocks, which this build and Quarto both pass through);
3. renders every processed notebook with nbconvert's HTML exporter (template `templates/hlm_site`: JupyterLab's
   template in a site frame with the sidebar in `sidebar.yml` order and prev/next links), applies the Quarto cell
   options nbdev emits (`echo`, `output`, `include`, `output: asis`, `code-fold`), gives headings Pandoc's
   identifiers and rewrites links (`NN_name.ipynb` and nbdev's doc links to the published site) to the local pages;
4. copies a local MathJax (Debian's libjs-mathjax) and, for pages with saved widget state, the widget manager's
   embed script (npm `@jupyter-widgets/html-manager`, from `.ci/docs/node_modules`) into the site;
5. writes `_site/_manifest.json` for the browser check (`check.mjs`): the pages in order and the exported symbols
   whose API docs must be on some page; prints which exported functions lack a docstring or docments;
6. writes README.md from `index.ipynb` put through the same processors except `exec_show_docs` (so it shows the
   outputs saved in the notebook: it changes only when the notebook does), as text: code and printed output.

Run from anywhere with the project's virtual environment: `VENV/bin/python .ci/docs/build.py`. It exits 1 after
printing every problem it found.
"""
from dataclasses import is_dataclass
import argparse, ast, importlib, inspect, json, os, posixpath, re, shutil, subprocess, sys
from pathlib import Path
from urllib.parse import urlsplit

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
MATHJAX_DIR = Path(os.environ.get('MATHJAX_DIR', '/usr/share/javascript/mathjax'))
# What of MathJax 2 the pages load: TeX input, CommonHTML output, its TeX web fonts, the extensions.
MATHJAX_PARTS = ['MathJax.js', 'extensions', 'jax/element', 'jax/input/TeX', 'jax/output/CommonHTML',
                 'fonts/HTML-CSS/TeX/woff', 'localization/en']
WIDGETS_DIST = HERE/'node_modules'/'@jupyter-widgets'/'html-manager'/'dist'
WIDGET_STATE = 'application/vnd.jupyter.widget-state+json'
WIDGET_VIEW = 'application/vnd.jupyter.widget-view+json'
# Notebooks that Quarto would write to the same page (nbdev names pages without the number prefix). Known and
# reported to the lead; remove the entry once the notebooks are renamed, so that a new clash fails the build.
ICON_TEXT = {'github': 'GitHub', 'gitlab': 'GitLab', 'twitter': 'Twitter', 'book': 'Docs'}
KNOWN_QUARTO_CLASHES = {}


class Problems(list):
    "Every problem found, printed as it is found; the build fails at the end if there is any."
    def add(self, msg):
        self.append(msg)
        print(f'ERROR: {msg}', file=sys.stderr, flush=True)


def log(msg): print(msg, flush=True)


# ---------------------------------------------------------------- configuration and sidebar

def notebooks_in(nbs):
    "Every notebook nbdev renders: nbs/**/*.ipynb outside folders and files starting with `_` or `.`"
    return sorted(p.relative_to(nbs).as_posix() for p in nbs.rglob('*.ipynb')
                  if not any(part.startswith(('_', '.')) for part in p.relative_to(nbs).parts))


def read_yaml(path):
    import yaml
    return yaml.safe_load(Path(path).read_text(encoding='utf-8')) or {}


def check_quarto_config(cfg, problems):
    "The configuration `nbdev_docs` uses: valid, and left unchanged by nbdev's own refresh of it."
    from nbdev.quarto import _nbdev_yml
    nbs, top = cfg.nbs_path, cfg.config_path/'_quarto.yml'
    link = nbs/'_quarto.yml'
    if not top.exists(): problems.add('_quarto.yml is missing at the top of the repository')
    if not link.is_symlink() or link.resolve() != top.resolve():
        problems.add('nbs/_quarto.yml must be a symlink to ../_quarto.yml')
    if not top.exists(): return {}
    q = read_yaml(top)
    web, html = q.get('website', {}), q.get('format', {}).get('html', {})
    if q.get('project', {}).get('type') != 'website': problems.add('_quarto.yml: project.type must be website')
    if html.get('html-math-method') != 'mathjax': problems.add('_quarto.yml: format.html.html-math-method: mathjax')
    if not web.get('navbar', {}).get('search'): problems.add('_quarto.yml: website.navbar.search must be true')
    # the reader's layer that the Quarto site gets (this build mirrors the TOC and sideways-scrolling code)
    for key, want in [('toc', True), ('code-copy', True), ('code-overflow', 'scroll')]:
        if html.get(key) != want: problems.add(f'_quarto.yml: format.html.{key} must be {want!r} (got {html.get(key)!r})')
    fav = web.get('favicon')
    if not fav or not (nbs/fav).exists(): problems.add(f'_quarto.yml: website.favicon must name a file in nbs/ (got {fav!r})')
    if not {'nbdev.yml', 'sidebar.yml'} <= set(q.get('metadata-files', [])):
        problems.add('_quarto.yml: metadata-files must list nbdev.yml and sidebar.yml')
    for it in web.get('navbar', {}).get('left', []) + web.get('navbar', {}).get('right', []):
        h = it.get('href', '') if isinstance(it, dict) else str(it)
        if h and not urlsplit(h).scheme and not (nbs/h).exists():
            problems.add(f'_quarto.yml: the navbar links to {h}, which is not in nbs/')
    if web.get('repo-url', cfg.git_url) != cfg.git_url:
        problems.add(f"_quarto.yml: website.repo-url {web.get('repo-url')} is not settings.ini's git_url {cfg.git_url}")
    # nbdev_docs rewrites nbs/nbdev.yml from settings.ini (nbdev.quarto.refresh_quarto_yml): keep it identical.
    vals = {k: cfg[k] for k in ['title', 'description', 'branch', 'git_url', 'doc_host', 'doc_baseurl']}
    vals['doc_path'] = cfg.doc_path.name
    want = _nbdev_yml.format(**vals)
    have = (nbs/'nbdev.yml').read_text(encoding='utf-8') if (nbs/'nbdev.yml').exists() else None
    if have != want:
        problems.add('nbs/nbdev.yml differs from what nbdev_docs writes from settings.ini; it should read:\n' + want)
    if not str(cfg.get('custom_sidebar', 'False')).lower() in ('true', '1', 'yes', 'y'):
        problems.add('settings.ini: custom_sidebar = True is needed, or nbdev_docs overwrites nbs/sidebar.yml')
    return q


def read_sidebar(nbs, problems):
    """nbs/sidebar.yml as a list of pages and sections: {'href': 'NN.ipynb'} or {'section': name, 'contents': [...]}
    (nested sections are flattened into their top-level section)."""
    path = nbs/'sidebar.yml'
    if not path.exists():
        problems.add('nbs/sidebar.yml is missing'); return []
    contents = read_yaml(path).get('website', {}).get('sidebar', {}).get('contents', [])

    def page(item):
        if isinstance(item, str): return {'href': item}
        if isinstance(item, dict) and 'href' in item and 'section' not in item:
            return {'href': item['href'], 'text': item.get('text')}
        return None

    def flatten(items):
        out = []
        for it in items or []:
            p = page(it)
            if p: out.append(p)
            elif isinstance(it, dict) and 'section' in it:
                if it.get('href'): out.append({'href': it['href']})
                out += flatten(it.get('contents'))
            else: problems.add(f'nbs/sidebar.yml: cannot read entry {it!r}')
        return out

    res = []
    for it in contents:
        p = page(it)
        if p: res.append(p)
        elif isinstance(it, dict) and 'section' in it:
            res.append({'section': it['section'], 'contents': flatten([{'href': it['href']}] if it.get('href') else [])
                        + flatten(it.get('contents'))})
        else: problems.add(f'nbs/sidebar.yml: cannot read entry {it!r}')
    return res


def sidebar_pages(sidebar):
    "The sidebar's pages in reading order"
    out = []
    for e in sidebar: out += e['contents'] if 'section' in e else [e]
    return out


def check_sidebar(sidebar, notebooks, nbs, problems):
    "Every notebook in the sidebar exactly once; every sidebar entry an existing notebook."
    listed = [p['href'] for p in sidebar_pages(sidebar)]
    for h in sorted({h for h in listed if listed.count(h) > 1}): problems.add(f'nbs/sidebar.yml lists {h} twice')
    for h in listed:
        if urlsplit(h).scheme: continue
        if not (nbs/h).exists(): problems.add(f'nbs/sidebar.yml lists {h}, which does not exist in nbs/')
        elif not h.endswith('.ipynb'): problems.add(f'nbs/sidebar.yml lists {h}: only notebooks are built')
    missing = [nb for nb in notebooks if nb not in listed]
    if missing:
        problems.add('these notebooks are not in nbs/sidebar.yml (add each where a reader should meet it): '
                     + ', '.join(missing))


def check_quarto_names(notebooks, problems):
    "Quarto writes NN_name.ipynb to name.html (nbdev's output-file): two notebooks must not share a page."
    from nbdev.doclinks import _nbpath2html
    pages = {}
    for nb in notebooks: pages.setdefault(_nbpath2html(Path(nb)).as_posix(), set()).add(nb)
    for page, nbs in sorted(pages.items()):
        if len(nbs) < 2: continue
        msg = f"the Quarto site would write {' and '.join(sorted(nbs))} to the same page {page}"
        if KNOWN_QUARTO_CLASHES.get(page) == nbs: log(f'WARNING (known, reported): {msg}')
        else: problems.add(msg + ': rename one of them')


# ---------------------------------------------------------------- nbdev processing

DIAGNOSE = '''
import sys
from pathlib import Path
from nbdev.serve_drv import exec_nb
from nbdev.processors import FilterDefaults
exec_nb(Path(sys.argv[1]), Path(sys.argv[2]), FilterDefaults)
'''


def process_notebooks(cfg, notebooks, problems):
    """nbdev's docs processing of nbs/ into _proc/ (as nbdev_docs does before `quarto render`). Returns the folder and
    the notebooks that failed: when proc_nbs fails, each notebook is processed alone (as proc_nbs does, in its own
    process) to name every failure and still render the others."""
    from nbdev.serve import proc_nbs
    try:
        return Path(proc_nbs(cfg.nbs_path, n_workers=min(2, os.cpu_count() or 1), force=True)), set()
    except Exception as e:
        log(f'nbdev processing failed ({type(e).__name__}); processing each notebook alone to find every failure:')
        from concurrent.futures import ThreadPoolExecutor
        cache, failed = cfg.config_path/'_proc', set()
        for nb in notebooks: (cache/nb).parent.mkdir(parents=True, exist_ok=True)
        run = lambda nb: subprocess.run([sys.executable, '-c', DIAGNOSE, str(cfg.nbs_path/nb), str(cache/nb)],
                                        cwd=cfg.config_path, capture_output=True, text=True)
        with ThreadPoolExecutor(2) as ex: runs = list(ex.map(run, notebooks))
        for nb, r in zip(notebooks, runs):
            dest = cache/nb
            if r.returncode:
                failed.add(nb)
                if dest.exists(): dest.unlink()
                lines = r.stderr.rstrip().splitlines()
                at = max([i for i, l in enumerate(lines) if l.startswith('Exception: Error')] or [len(lines) - 1])
                cause = [l for l in lines[:at] if re.match(r'^[A-Za-z.]*(Error|Exception)\b', l)][-1:]
                detail = '\n'.join(cause + lines[at:at + 8])
                problems.add(f'nbdev cannot process {nb} for the docs (nbdev_docs fails the same way):\n{detail}\n'
                             '  (to render the API docs nbdev runs only the exported cells, the show_doc cells and the '
                             'cells with an import: what they use must be defined there; a cell that mixes imports '
                             'with other code is run whole, so split it, see the nbdev FAQ)')
        if not failed: problems.add(f'nbdev processing failed: {e!r}')
        return cache, failed


# ---------------------------------------------------------------- rendering

_opt_re = re.compile(r'^\s*#\|\s*([\w-]+)\s*(?::\s*(.*?))?\s*$')


def cell_options(src):
    "Split the leading Quarto/nbdev `#| key: value` lines of a code cell from its code"
    import yaml
    lines, opts, i = src.splitlines(), {}, 0
    while i < len(lines) and lines[i].lstrip().startswith('#|'):
        m = _opt_re.match(lines[i])
        if m:
            v = m.group(2)
            try: opts[m.group(1)] = True if v is None or v == '' else yaml.safe_load(v)
            except Exception: opts[m.group(1)] = v
        i += 1
    return opts, '\n'.join(lines[i:]).strip('\n')


def source_of(cell):
    s = cell.get('source')
    return ''.join(s) if isinstance(s, list) else (s or '')


def frontmatter(nb):
    "nbdev's FrontmatterProc puts the title cell's `# title` and `> description` in a leading raw YAML cell"
    import yaml
    for c in nb['cells']:
        if c['cell_type'] == 'raw':
            m = re.match(r'^\s*---\s*\n(.*?)\n---\s*$', source_of(c), flags=re.S)
            if m: return yaml.safe_load(m.group(1)) or {}
    return {}


_pandoc_link_attrs = re.compile(r'\[([^\]]+)\]\(([^)\s]+)\)\{([^}]*)\}')


def quarto_markdown(md):
    "Pandoc link attributes (show_doc's `[source](url){target=...}`) as HTML, which mistune passes through"
    return _pandoc_link_attrs.sub(
        lambda m: f'<a href="{m.group(2)}" class="show-doc-source" target="_blank" rel="noopener">{m.group(1)}</a>', md)


def as_text(v): return ''.join(v) if isinstance(v, list) else (v or '')


_raw_html = re.compile(r'^```\{=html\}\n(.*?)\n```[ \t]*$', flags=re.S | re.M)


def quarto_raw_html(md):
    """Pandoc's raw HTML blocks (```{=html}), which Quarto passes through, as the HTML they hold. show_doc's signatures
    arrive as such blocks: the project's nbdev processor (hlm_lit.docs_procs.clean_signatures, in settings.ini's
    `procs`) wrote them, for the Quarto site and this build alike."""
    return _raw_html.sub(lambda m: m.group(1), md)


def prepare_cells(nb):
    """Apply the Quarto cell options nbdev emits, as Quarto would, to a processed notebook (in place). Returns the
    widget model ids that its outputs display."""
    cells, views = [], []
    for c in nb['cells']:
        t, src = c['cell_type'], source_of(c)
        if t == 'raw': continue                                   # frontmatter (shown as the page header) and raw
        if t == 'markdown':
            if not src.strip(): continue
            c['source'] = src
            cells.append(c); continue
        if t != 'code': continue
        opts, body = cell_options(src)
        if opts.get('include') is False: continue
        outputs = c.get('outputs', []) if opts.get('output') is not False else []
        show_doc = bool(re.search(r'^show_doc\(', body, flags=re.M))
        for o in outputs:
            data = o.get('data', {})
            if 'text/markdown' in data:
                data['text/markdown'] = quarto_raw_html(quarto_markdown(as_text(data['text/markdown'])))
            if WIDGET_VIEW in data: views.append(data[WIDGET_VIEW].get('model_id'))
            if opts.get('output') == 'asis' and o.get('output_type') == 'stream':
                o.update(output_type='display_data', data={'text/markdown': as_text(o.pop('text', ''))}, metadata={})
                o.pop('name', None)
        c['outputs'] = outputs
        c['source'] = body
        md = c.setdefault('metadata', {})
        if opts.get('echo') is False or not body.strip(): md['transient'] = {'remove_source': True}
        if not body.strip() and not outputs or (opts.get('echo') is False and not outputs): continue
        if show_doc: md['tags'] = list(md.get('tags', [])) + ['nbdev-show-doc']
        if opts.get('code-fold') not in (None, False):
            md['hlm_site'] = {'fold': True, 'fold_summary': str(opts.get('code-summary', 'Code'))}
        cells.append(c)
    nb['cells'] = cells
    return [v for v in views if v]


def pandoc_id(text):
    "Pandoc's auto_identifiers: what Quarto gives a heading as its id"
    s = ''.join(ch for ch in text if ch.isalnum() or ch in '_-. \n\t')
    s = re.sub(r'\s+', '-', s.strip()).lower()
    s = re.sub(r'^[^a-z]+', '', s)
    return s or 'section'


def site_context(cfg, quarto, sidebar, pages, current):
    "What the template needs to draw the frame around page `current` (a notebook path relative to nbs/)"
    here = posixpath.dirname(pages[current]['out'])
    rel = lambda out: posixpath.relpath(out, here or '.')
    root = posixpath.relpath('.', here or '.')
    root = '' if root == '.' else root + '/'

    def entry(p):
        h = p['href']
        if urlsplit(h).scheme: return {'href': h, 'title': p.get('text') or h, 'current': False}
        pg = pages[h]
        return {'href': rel(pg['out']), 'title': p.get('text') or pg['title'], 'current': h == current}

    shown = lambda p: p['href'] in pages or urlsplit(p['href']).scheme       # a page that failed is left out
    side = [{'section': e['section'], 'contents': [entry(p) for p in e['contents'] if shown(p)]}
            if 'section' in e else entry(e) for e in sidebar if 'section' in e or shown(e)]
    order = [p['href'] for p in sidebar_pages(sidebar) if p['href'] in pages]
    i = order.index(current) if current in order else None
    nav = lambda j: ({'href': rel(pages[order[j]]['out']), 'title': pages[order[j]]['title']}
                     if i is not None and 0 <= j < len(order) else None)
    navbar = []
    web = quarto.get('website', {}).get('navbar', {})
    for it in web.get('left', []) + web.get('right', []):
        h = it.get('href', '')
        if h in pages: navbar.append({'href': rel(pages[h]['out']), 'text': it.get('text') or pages[h]['title']})
        elif urlsplit(h).scheme:
            icon = it.get('icon', '')
            navbar.append({'href': h, 'text': it.get('text') or ICON_TEXT.get(icon, icon.title() or h), 'external': True})
    pg = pages[current]
    return dict(root=root, title=str(cfg.get('title', cfg.lib_name)), sidebar=side, navbar=navbar,
                prev=nav(i - 1) if i is not None else None, next=nav(i + 1) if i is not None else None,
                page_title=pg['title'], source=f'nbs/{current}',
                description_html=markdown_inline(pg['description']) if pg.get('description') else '',
                widgets=bool(pg.get('widgets')))


def read_processed(path):
    "A notebook nbdev processed (cells whose source a processor removed have source None), lines joined"
    import nbformat
    from nbformat.v4.rwbase import rejoin_lines
    d = json.loads(Path(path).read_text(encoding='utf-8'))
    for c in d.get('cells', []):
        if c.get('source') is None: c['source'] = ''
    return rejoin_lines(nbformat.from_dict(d))


def markdown_inline(md):
    "A one-paragraph markdown string (a page description) as inline HTML, as Quarto renders it"
    from nbconvert.filters.markdown_mistune import markdown2html_mistune
    html = markdown2html_mistune(md).strip()
    return re.sub(r'^<p>(.*)</p>$', r'\1', html, flags=re.S)


def plain_title(title):
    "A page title for the browser tab: TeX without its markup ($X_i A_i$ -> X_i A_i), as text"
    t = re.sub(r'\$([^$]*)\$', lambda m: re.sub(r'\\[a-zA-Z]+\s*|[{}]', '', m.group(1)), title)
    return re.sub(r'\s+', ' ', t).strip()


def add_toc(soup):
    "The on-page table of contents (Quarto's `toc: true`): the page's h2 and h3, after the page header"
    content = soup.select_one('main.site-content')
    if content is None: return 0
    heads = [h for h in content.find_all(['h2', 'h3']) if h.get('id') and not h.find_parent(class_='celltag_nbdev-show-doc')
             and not h.find_parent(class_='page-header')]
    if len(heads) < 2: return 0
    nav = soup.new_tag('nav', attrs={'id': 'TOC', 'class': 'page-toc', 'aria-label': 'On this page'})
    title = soup.new_tag('div', attrs={'class': 'page-toc-title'}); title.string = 'On this page'; nav.append(title)
    ul = soup.new_tag('ul'); nav.append(ul)
    for h in heads:
        li = soup.new_tag('li', attrs={'class': f'toc-{h.name}'})
        a = soup.new_tag('a', href='#' + h['id'])
        a.string = h.get_text().replace('¶', '').strip()
        li.append(a); ul.append(li)
    header = content.select_one('header.page-header')
    (header.insert_after(nav) if header else content.insert(0, nav))
    return len(heads)


def render_pages(cfg, quarto, sidebar, cache, notebooks, problems):
    "Each processed notebook to an HTML page (as a BeautifulSoup tree, links not yet rewritten)"
    from nbconvert import HTMLExporter
    exporter = HTMLExporter(template_name='hlm_site', extra_template_basedirs=[str(HERE/'templates')],
                            exclude_input_prompt=True, exclude_output_prompt=True, anchor_link_text='¶')
    pages, nbs_data = {}, {}
    for nb_path in notebooks:
        proc = cache/nb_path
        if not proc.exists():
            problems.add(f'nbdev processing wrote no _proc/{nb_path}'); continue
        nb = read_processed(proc)
        fm = frontmatter(nb)
        title = str(fm.get('title') or Path(nb_path).stem)
        if not fm.get('title'): problems.add(f'{nb_path}: no `# Title` cell, so the page has no title')
        views = prepare_cells(nb)
        state = (nb.metadata.get('widgets', {}).get(WIDGET_STATE) or {}).get('state', {})
        if views:
            lost = [v for v in views if v not in state]
            if lost: problems.add(f'{nb_path}: {len(lost)} widget output(s) have no saved widget state (model ids '
                                  f'{", ".join(lost[:3])}...); mark the cells that create and display the widgets '
                                  '`#| exec_doc` so that nbdev saves their state when it processes the notebook')
        else: nb.metadata.pop('widgets', None)                  # nothing to embed: no manager, no state script
        pages[nb_path] = {'out': Path(nb_path).with_suffix('.html').as_posix(), 'title': title,
                          'description': str(fm.get('description') or ''), 'widgets': bool(views)}
        nb.metadata['title'] = f"{plain_title(title)} – {cfg.get('title', cfg.lib_name)}"
        nbs_data[nb_path] = nb
    soups = {}
    from bs4 import BeautifulSoup
    for nb_path, nb in nbs_data.items():
        resources = {'site': site_context(cfg, quarto, sidebar, pages, nb_path), 'metadata': {'name': nb_path}}
        html, _ = exporter.from_notebook_node(nb, resources=resources)
        soup = BeautifulSoup(html, 'html.parser')
        set_heading_ids(soup)
        add_toc(soup)
        soups[nb_path] = soup
    return pages, soups


def set_heading_ids(soup):
    "Headings get Pandoc's identifiers (`{#id}` honoured), as on the Quarto site, so nbdev's doc links find them"
    content = soup.select_one('main.site-content')
    if content is None: return
    seen = {t['id'] for t in soup.select('[id]') if not t.name or not re.fullmatch(r'h[1-6]', t.name)}
    for h in content.find_all(re.compile(r'^h[1-6]$')):
        if h.find_parent(class_='page-header'): continue
        anchor = h.find('a', class_='anchor-link')
        if anchor: anchor.extract()
        text = h.get_text()
        m = re.search(r'\s*\{#([\w.:-]+)[^}]*\}\s*$', text)
        if m:
            for s in h.find_all(string=re.compile(r'\{#')): s.replace_with(re.sub(r'\s*\{#[^}]*\}\s*$', '', s))
            hid = m.group(1)
        else: hid = pandoc_id(text)
        base, k = hid, 0
        while hid in seen: k += 1; hid = f'{base}-{k}'
        seen.add(hid)
        h['id'] = hid
        if anchor:
            anchor['href'] = '#' + hid
            h.append(anchor)


def rewrite_links(cfg, cache, pages, soups, site, failed, problems):
    """Notebook links and nbdev's links to the published site point at the local pages; local images are copied.
    Links to notebooks that nbdev failed to process (already reported) are left alone."""
    base = (str(cfg.doc_host).rstrip('/') + '/' + str(cfg.doc_baseurl).strip('/')).rstrip('/') + '/'
    from nbdev.doclinks import _nbpath2html
    by_quarto, lost = {}, {_nbpath2html(Path(nb)).as_posix() for nb in failed}
    for nb in pages: by_quarto.setdefault(_nbpath2html(Path(nb)).as_posix(), []).append(nb)
    ids = {nb: {t['id'] for t in s.select('[id]')} | {t['name'] for t in s.select('a[name]')}
           for nb, s in soups.items()}
    for nb, soup in soups.items():
        here = posixpath.dirname(nb)
        content = soup.select_one('main.site-content') or soup
        for a in content.find_all('a', href=True):
            href = a['href']
            parts = urlsplit(href)
            target = None
            if href.startswith(base):                            # nbdev's doc link: NAME.html#anchor on the site
                page = href[len(base):].split('#')[0]
                cands = by_quarto.get(page, [])
                if len(cands) > 1: cands = [c for c in cands if parts.fragment in ids[c]] or cands
                if not cands and page in lost: continue
                if not cands:
                    problems.add(f'{nb}: link {href} is to the docs site, but no rendered notebook makes {page}')
                    continue
                target = cands[0]
            elif not parts.scheme and not href.startswith(('#', '//')) and parts.path.endswith('.ipynb'):
                target = posixpath.normpath(posixpath.join(here, parts.path))
                if target in failed: continue
                if target not in pages:
                    problems.add(f'{nb}: link to {parts.path}, which is not a notebook in nbs/'); continue
            if target is None: continue
            if parts.fragment and parts.fragment not in ids[target]:
                problems.add(f'{nb}: link {href} -> {target} has no anchor #{parts.fragment} there')
            a['href'] = posixpath.relpath(pages[target]['out'], here or '.') + (
                '#' + parts.fragment if parts.fragment else '')
        for img in content.find_all('img', src=True):
            src = img['src']
            if src.startswith(('data:', 'http:', 'https:', '//')): continue
            f = cache/here/urlsplit(src).path
            if not f.is_file(): problems.add(f'{nb}: image {src} not found (looked for {f})'); continue
            dest = site/here/urlsplit(src).path
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(f, dest)


def copy_assets(cfg, site, pages, problems):
    static = site/'_static'
    static.mkdir(parents=True, exist_ok=True)
    shutil.copy2(HERE/'site.css', static/'site.css')
    if (cfg.nbs_path/'favicon.svg').exists(): shutil.copy2(cfg.nbs_path/'favicon.svg', site/'favicon.svg')
    else: problems.add('nbs/favicon.svg is missing (the site\'s favicon, _quarto.yml website.favicon)')
    styles = cfg.nbs_path/'styles.css'
    if styles.exists(): shutil.copy2(styles, site/'styles.css')
    else: (site/'styles.css').write_text('')
    if not (MATHJAX_DIR/'MathJax.js').exists():
        problems.add(f'MathJax not found at {MATHJAX_DIR} (apt-get install libjs-mathjax)')
    else:
        for part in MATHJAX_PARTS:
            src, dest = MATHJAX_DIR/part, static/'mathjax'/part
            if src.is_dir(): shutil.copytree(src, dest, dirs_exist_ok=True)
            elif src.exists(): dest.parent.mkdir(parents=True, exist_ok=True); shutil.copy2(src, dest)
            else: problems.add(f'MathJax part {src} is missing')
    if any(p['widgets'] for p in pages.values()):
        if not (WIDGETS_DIST/'embed.js').exists():
            problems.add(f'{WIDGETS_DIST}/embed.js missing: run `npm ci` in .ci/docs')
        else:
            shutil.copytree(WIDGETS_DIST, static/'widgets', dirs_exist_ok=True,
                            ignore=shutil.ignore_patterns('*.map', '*-amd.js'))


# ---------------------------------------------------------------- API docs: what must be documented

def exported_symbols(cfg):
    "The public names nbdev exported (hlm_lit/_modidx.py): top-level functions and classes, and their members"
    modidx = cfg.lib_path/'_modidx.py'
    d = ast.literal_eval(modidx.read_text(encoding='utf-8').split('d = ', 1)[1])
    top, members = [], []
    for mod, syms in sorted(d['syms'].items()):
        for key in sorted(syms):
            q = key[len(mod) + 1:]
            if any(part.startswith('_') for part in q.split('.')): continue
            (members if '.' in q else top).append({'module': mod, 'name': q, 'page': syms[key][0]})
    return top, members


def docstring_report(top, members):
    "Which exported functions and classes lack a docstring, and which parameters lack a docments comment"
    from fastcore.docments import docments
    no_doc, no_docments = [], []
    for s in top + members:
        try:
            obj = importlib.import_module(s['module'])
            for part in s['name'].split('.'): obj = inspect.getattr_static(obj, part) if inspect.isclass(obj) else getattr(obj, part)
        except Exception as e:
            no_doc.append(f"{s['module']}.{s['name']} (cannot import: {e})"); continue
        if isinstance(obj, (staticmethod, classmethod)): obj = obj.__func__
        if isinstance(obj, property): obj = obj.fget
        if isinstance(obj, type) and is_auto_doc(obj) or not (getattr(obj, '__doc__', None) or '').strip():
            no_doc.append(f"{s['module']}.{s['name']}")
        if not callable(obj): continue
        if isinstance(obj, type) and '__init__' not in vars(obj) and not is_dataclass(obj): continue  # inherited
        try: ds = docments(obj, full=True)
        except Exception: continue
        try: params = inspect.signature(obj).parameters
        except (TypeError, ValueError): params = {}
        miss = [k for k, v in ds.items() if k not in ('return', 'self', 'cls') and not v.get('docment')
                and getattr(params.get(k), 'kind', None) not in (inspect.Parameter.VAR_POSITIONAL,
                                                                 inspect.Parameter.VAR_KEYWORD)]
        if miss: no_docments.append(f"{s['module']}.{s['name']}({', '.join(miss)})")
    return no_doc, no_docments


def is_auto_doc(cls):
    "A dataclass without a docstring gets its signature as __doc__"
    try: return cls.__doc__ == cls.__name__ + str(inspect.signature(cls)).replace(' -> None', '')
    except (TypeError, ValueError): return False


# ---------------------------------------------------------------- README

def readme_markdown(nb, fm):
    "The processed index notebook as GitHub markdown: text only (code, printed output, no images)"
    out = [f"# {fm.get('title', '')}".rstrip()]
    if fm.get('description'): out.append(f"> {fm['description']}")
    fix = lambda md: re.sub(r'\]\((?![a-z]+:|#|/)([^)\s]+?\.ipynb)((?:#[^)\s]*)?)\)', r'](nbs/\1\2)', md)
    for c in nb['cells']:
        src = source_of(c)
        if c['cell_type'] == 'markdown':
            if src.strip(): out.append(fix(src.strip()))
            continue
        if c['cell_type'] != 'code': continue
        if not c.get('metadata', {}).get('transient', {}).get('remove_source') and src.strip():
            out.append(f'```python\n{src.strip()}\n```')
        for o in c.get('outputs', []):
            if o.get('output_type') == 'stream':
                txt = as_text(o.get('text')).rstrip()
                if txt: out.append(f'```\n{txt}\n```')
                continue
            data = o.get('data', {})
            if any(k.startswith('image/') for k in data): continue
            if 'text/markdown' in data: out.append(fix(as_text(data['text/markdown']).strip()))
            elif 'text/plain' in data: out.append(f"```\n{as_text(data['text/plain']).rstrip()}\n```")
    text = '\n\n'.join(out) + '\n'
    return '\n'.join(l.rstrip() for l in text.split('\n'))


def readme_notebook(cfg):
    """The README notebook through nbdev's docs processors except `exec_show_docs`, which re-runs cells: the README
    shows the outputs saved in the notebook, so it changes only when the notebooks change (not with the machine)."""
    from execnb.nbio import read_nb, write_nb
    from nbdev.processors import FilterDefaults
    from nbdev.process import NBProcessor
    name = cfg.get('readme_nb', 'index.ipynb')
    nb = read_nb(cfg.nbs_path/name)
    procs = [p for p in FilterDefaults().procs() if getattr(p, '__name__', '') != 'exec_show_docs']
    NBProcessor(nb=nb, procs=procs).process()
    out = cfg.config_path/'_proc'/'_readme'/name
    out.parent.mkdir(parents=True, exist_ok=True)
    write_nb(nb, out)
    return read_processed(out)


def write_readme(cfg, dest, problems):
    try: nb = readme_notebook(cfg)
    except Exception as e:
        problems.add(f"nbdev cannot process nbs/{cfg.get('readme_nb', 'index.ipynb')} for README.md: {e!r}"); return
    fm = frontmatter(nb)
    prepare_cells(nb)
    md = readme_markdown(nb, fm)
    dest.write_text(md, encoding='utf-8')
    log(f"wrote {dest.name} from nbs/{cfg.get('readme_nb', 'index.ipynb')} ({len(md.splitlines())} lines)")


# ---------------------------------------------------------------- main

def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--site', default='_site', help='output folder, relative to the repository root')
    ap.add_argument('--readme', default='README.md', help="README to write from index.ipynb ('' to skip)")
    args = ap.parse_args()
    os.chdir(ROOT)
    os.environ.setdefault('MPLBACKEND', 'Agg')
    from nbdev.config import get_config
    cfg = get_config()
    problems = Problems()
    nbs, site = cfg.nbs_path, ROOT/args.site
    if site.exists(): shutil.rmtree(site)                       # never leave an old site to be checked

    log('== docs: configuration and sidebar')
    quarto = check_quarto_config(cfg, problems)
    notebooks = notebooks_in(nbs)
    sidebar = read_sidebar(nbs, problems)
    check_sidebar(sidebar, notebooks, nbs, problems)
    check_quarto_names(notebooks, problems)
    log(f'{len(notebooks)} notebooks: {" ".join(notebooks)}')

    log('== docs: nbdev processing (nbdev.serve.proc_nbs -> _proc/)')
    cache, failed = process_notebooks(cfg, notebooks, problems)
    rendered = [nb for nb in notebooks if nb not in failed]
    if failed: log(f'rendering the {len(rendered)} notebooks that nbdev processed (not {", ".join(sorted(failed))})')

    log('== docs: rendering with nbconvert')
    site.mkdir(parents=True)
    pages, soups = render_pages(cfg, quarto, sidebar, cache, rendered, problems)
    rewrite_links(cfg, cache, pages, soups, site, failed, problems)
    for nb, soup in soups.items():
        out = site/pages[nb]['out']
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(str(soup), encoding='utf-8')
    copy_assets(cfg, site, pages, problems)

    top, members = exported_symbols(cfg)
    order = [p['href'] for p in sidebar_pages(sidebar) if p['href'] in pages]
    order += [nb for nb in pages if nb not in order]
    nav = lambda j: pages[order[j]]['out'] if 0 <= j < len(order) else None
    manifest = {'pages': [{'href': pages[nb]['out'], 'source': f'nbs/{nb}', 'title': pages[nb]['title'],
                           'widgets': pages[nb]['widgets'], 'prev': nav(i - 1), 'next': nav(i + 1)}
                          for i, nb in enumerate(order)],
                'landing': pages.get('index.ipynb', {}).get('out', pages[order[0]]['out'] if order else None),
                'required_api': top, 'member_api': members}
    (site/'_manifest.json').write_text(json.dumps(manifest, indent=1), encoding='utf-8')
    log(f'wrote {len(soups)} pages to {args.site}/ ({sum(p["widgets"] for p in pages.values())} with widgets)')

    no_doc, no_docments = docstring_report(top, members)
    log(f'== docs: docstrings of the {len(top)} exported functions/classes and their {len(members)} public members')
    log('without a docstring: ' + (', '.join(no_doc) if no_doc else 'none'))
    log('parameters without a docments comment: ' + ('; '.join(no_docments) if no_docments else 'none'))

    if args.readme: write_readme(cfg, ROOT/args.readme, problems)
    return finish(problems)


def finish(problems):
    if problems:
        print(f'\ndocs build: {len(problems)} problem(s):', file=sys.stderr)
        for p in problems: print(' - ' + p.replace('\n', '\n   '), file=sys.stderr)
        return 1
    log('docs build: ok')
    return 0


if __name__ == '__main__':
    sys.exit(main())
