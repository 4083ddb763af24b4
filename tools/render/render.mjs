// Renders PR comments (markdown files the tests wrote) as GitHub shows them:
// GFM with GitHub's stylesheet, alerts and <details>, mermaid 11 diagrams,
// in headless Chromium (Debian's /usr/bin/chromium, no browser download) at
// a 900 px content width. For each file it measures the page height as
// first shown (each <details> closed unless its markup opens it: what a
// reviewer sees first) and with every <details> open, saves both
// screenshots, and checks what `NAME.expect.json` beside it asks:
//   max_collapsed_px   the collapsed height limit
//   diagrams           the mermaid diagrams, in any order: {nodes, tables};
//                      a diagram must have `nodes` nodes, and each name of
//                      `tables` must label exactly one of them (no table
//                      twice)
//   texts              strings the page must show verbatim (names that hold
//                      markup must read as text)
// Every diagram must render without errors, and every page holds only what
// escaped text can make: no image, script, frame, form or style element
// outside the diagrams, and only https links. Nothing is fetched: the page is
// built from strings and node_modules, and every request is refused.
//
//   node tools/render/render.mjs target/render/*.md
import { readFileSync, writeFileSync, mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Marked } from 'marked';
import markedAlert from 'marked-alert';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
const modules = join(here, 'node_modules');
const WIDTH = 900;
const MAX_SHOT = 16384;
const FLAGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

const files = process.argv.slice(2).filter((f) => f.endsWith('.md'));
if (files.length === 0) {
  console.error('usage: node tools/render/render.mjs FILE.md...');
  process.exit(2);
}

// GitHub's markdown: GFM (tables, autolinks, strikethrough), raw <details>,
// alerts; a ```mermaid block becomes a diagram.
const marked = new Marked({ gfm: true }).use(markedAlert());
marked.use({
  renderer: {
    code({ text, lang }) {
      if (lang === 'mermaid') {
        const escaped = text.replace(/&/g, '&amp;').replace(/</g, '&lt;');
        return `<div class="gl-mermaid"><pre class="gl-mermaid-src" hidden>${escaped}</pre></div>\n`;
      }
      return false;
    },
  },
});

const css = readFileSync(join(modules, 'github-markdown-css/github-markdown-light.css'), 'utf8');
const page_css = `
body { margin: 0; background: #fff; }
.markdown-body { box-sizing: content-box; width: ${WIDTH}px; padding: 16px; }
.gl-mermaid { margin-bottom: 16px; }
.gl-mermaid svg { max-width: 100%; height: auto; }
.gl-mermaid-error { color: #d1242f; white-space: pre-wrap; }
`;

function html(md) {
  return `<!DOCTYPE html><html><head><meta charset="utf-8"><style>${css}</style><style>${page_css}</style></head>
<body><article class="markdown-body">${marked.parse(md)}</article></body></html>`;
}

// Renders every diagram (details open: mermaid measures text), returns per
// diagram {error, nodes: [label text]}.
async function renderDiagrams(page) {
  return page.evaluate(async () => {
    document.querySelectorAll('details').forEach((d) => {
      d.dataset.initiallyOpen = d.open ? '1' : '';
      d.open = true;
    });
    // GitHub's defaults: the light theme, strict security, mermaid's limits.
    window.mermaid.initialize({ startOnLoad: false, theme: 'default', securityLevel: 'strict' });
    const out = [];
    let n = 0;
    for (const box of document.querySelectorAll('.gl-mermaid')) {
      const src = box.querySelector('.gl-mermaid-src').textContent;
      try {
        const { svg } = await window.mermaid.render(`gl-diagram-${n++}`, src);
        box.innerHTML = svg;
        // A node's first line: the table's green name (or the group's).
        const nodes = [...box.querySelectorAll('g.node')].map((g) => {
          const label = g.querySelector('.nodeLabel');
          return (label ? label.innerText : g.textContent).trim().split('\n')[0].trim();
        });
        const error = box.querySelector('.error-icon, .error-text') ? 'mermaid drew an error' : null;
        out.push({ error, nodes });
      } catch (e) {
        box.innerHTML = `<pre class="gl-mermaid-error"></pre>`;
        box.firstChild.textContent = `mermaid: ${e.message ?? e}`;
        out.push({ error: String(e.message ?? e), nodes: [] });
      }
      document.querySelectorAll('[id^="dgl-diagram-"]').forEach((x) => x.remove());
    }
    return out;
  });
}

// The page's height with every <details> open, or as first shown (open
// only where the markup says so).
async function height(page, expanded) {
  return page.evaluate((expanded) => {
    document.querySelectorAll('details').forEach((d) => { d.open = expanded || d.dataset.initiallyOpen === '1'; });
    return Math.round(document.querySelector('.markdown-body').getBoundingClientRect().height);
  }, expanded);
}

// Problems with one rendered file: diagram errors, then what its
// expectations ask. Expected diagrams are matched to rendered ones in any
// order: same node count, and each expected table labels exactly one node.
function check(expect, result) {
  const problems = [...result.markup];
  for (const [k, d] of result.diagrams.entries()) {
    if (d.error) problems.push(`diagram ${k + 1}: ${d.error}`);
  }
  if (!expect) return problems;
  if (expect.max_collapsed_px && result.collapsed > expect.max_collapsed_px) {
    problems.push(`collapsed height ${result.collapsed} px > ${expect.max_collapsed_px} px`);
  }
  for (const t of expect.texts ?? []) {
    if (!result.text.includes(t)) problems.push(`the page does not show ${JSON.stringify(t)}`);
  }
  const want = expect.diagrams ?? [];
  if (want.length !== result.diagrams.length) {
    problems.push(`${result.diagrams.length} diagram(s), expected ${want.length}`);
  }
  const fits = (w, got) => got.nodes.length === w.nodes
    && (w.tables ?? []).every((t) => got.nodes.filter((n) => n === t).length === 1);
  const used = new Set();
  for (const w of want) {
    const k = result.diagrams.findIndex((got, i) => !used.has(i) && fits(w, got));
    if (k >= 0) {
      used.add(k);
      continue;
    }
    const near = result.diagrams.find((got, i) => !used.has(i) && got.nodes.length === w.nodes);
    const twice = near ? (w.tables ?? []).filter((t) => near.nodes.filter((n) => n === t).length !== 1) : [];
    problems.push(`no diagram of ${w.nodes} nodes${w.tables?.length ? ` with each of its ${w.tables.length} tables once` : ''}`
      + (twice.length ? ` (not once: ${twice.slice(0, 5).join(', ')})` : ''));
  }
  return problems;
}

const profile = mkdtempSync(join(tmpdir(), 'greenlight-render-'));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  headless: true,
  args: FLAGS,
  viewport: { width: WIDTH + 32, height: 800 },
  offline: true,
});
await context.route('**/*', (route) => route.abort());
const results = [];
let failed = 0;
try {
  for (const file of files) {
    const name = basename(file, '.md');
    const md = readFileSync(file, 'utf8');
    const started = Date.now();
    const page = await context.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.setContent(html(md));
    await page.addScriptTag({ path: join(modules, 'mermaid/dist/mermaid.min.js') });
    const diagrams = await renderDiagrams(page);
    const { markup, text } = await page.evaluate(() => {
      const body = document.querySelector('.markdown-body');
      const out = [];
      for (const el of body.querySelectorAll('img, script, iframe, form, input, style, object, embed, video, audio')) {
        if (!el.closest('.gl-mermaid')) out.push(`a <${el.tagName.toLowerCase()}> element`);
      }
      for (const a of body.querySelectorAll('a[href]')) {
        if (!a.closest('.gl-mermaid') && !a.getAttribute('href').startsWith('https://')) {
          out.push(`a link to ${a.getAttribute('href')}`);
        }
      }
      return { markup: out, text: body.innerText };
    });
    const expanded = await height(page, true);
    const out = dirname(file);
    // Chromium draws at most 16,384 px in one screenshot: the expanded one
    // shows the top of a longer page.
    await page.screenshot({
      path: join(out, `${name}.expanded.png`),
      clip: { x: 0, y: 0, width: WIDTH + 32, height: Math.min(expanded + 32, MAX_SHOT) },
    });
    const collapsed = await height(page, false);
    await page.screenshot({ path: join(out, `${name}.collapsed.png`), fullPage: true });
    await page.close();
    const result = { name, bytes: Buffer.byteLength(md), collapsed, expanded, diagrams: diagrams.map((d) => ({ nodes: d.nodes.length, error: d.error })) };
    const expectFile = join(out, `${name}.expect.json`);
    const expect = existsSync(expectFile) ? JSON.parse(readFileSync(expectFile, 'utf8')) : null;
    const problems = check(expect, { collapsed, diagrams, markup, text }).concat(errors.map((e) => `page error: ${e}`));
    result.problems = problems;
    results.push(result);
    const graphs = result.diagrams.map((d) => `${d.nodes}${d.error ? '!' : ''}`).join(',') || '-';
    console.log(`${problems.length ? 'FAIL' : 'ok'} ${name}: ${result.bytes} bytes, collapsed ${collapsed} px, expanded ${expanded} px, diagram nodes ${graphs} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
    for (const p of problems) console.log(`  - ${p}`);
    if (problems.length) failed++;
  }
} finally {
  await context.close();
  rmSync(profile, { recursive: true, force: true });
}
writeFileSync(join(dirname(files[0]), 'report.json'), JSON.stringify(results, null, 2) + '\n');
console.log(`${files.length - failed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
