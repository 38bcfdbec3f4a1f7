/**
 * One self-contained HTML page with interactive charts: vega, vega-lite and vega-embed are inlined from
 * node_modules (no CDN), every chart's data is inline, so the page opens from disk in a browser with no server and
 * makes no request. Text goes through `escapeHtml`; the helpers return HTML strings.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Json, VegaLiteSpec } from './spec.js';

export interface ReportChart {
  /** Unique among the page's charts: letters, digits, '-' and '_'. */
  id: string;
  spec: VegaLiteSpec;
  /** A line under the chart. */
  caption?: string;
}

export interface ReportSection {
  /** The anchor in the table of contents: letters, digits, '-' and '_'. */
  id: string;
  title: string;
  /** HTML built with the helpers below (already escaped). */
  body?: string;
  charts?: ReportChart[];
}

export interface ReportPage {
  title: string;
  /** A line under the title (escaped). */
  subtitle?: string;
  sections: ReportSection[];
}

const ID_PATTERN = /^[A-Za-z][A-Za-z0-9_-]*$/;

export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

export type Cell = string | number | boolean | null | undefined;

/** How a number is shown in a table: integers as they are, others to `digits` significant places. */
export function formatCell(value: Cell, digits = 4): string {
  if (value === null || value === undefined) return '—';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return String(value);
    if (Number.isInteger(value)) return String(value);
    return Number(value.toPrecision(digits)).toString();
  }
  return String(value);
}

/** An HTML table; numeric cells are right-aligned. */
export function htmlTable(
  headers: readonly string[],
  rows: readonly (readonly Cell[])[],
  options: { digits?: number; caption?: string } = {},
): string {
  const head = headers.map((h) => `<th>${escapeHtml(h)}</th>`).join('');
  const body = rows
    .map(
      (row) =>
        `<tr>${row
          .map((cell) => {
            const cls = typeof cell === 'number' ? ' class="num"' : '';
            return `<td${cls}>${escapeHtml(formatCell(cell, options.digits))}</td>`;
          })
          .join('')}</tr>`,
    )
    .join('\n');
  const caption = options.caption ? `<caption>${escapeHtml(options.caption)}</caption>` : '';
  return `<div class="table-wrap"><table>${caption}<thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table></div>`;
}

/** A paragraph of escaped text; `kind` 'note' renders it muted (e.g. "input absent"), 'alert' highlighted. */
export function htmlParagraph(text: string, kind: 'plain' | 'note' | 'alert' = 'plain'): string {
  const cls = kind === 'plain' ? '' : ` class="${kind}"`;
  return `<p${cls}>${escapeHtml(text)}</p>`;
}

/** A definition list of key → value pairs. */
export function htmlKeyValues(pairs: readonly (readonly [string, Cell])[], digits?: number): string {
  const items = pairs
    .map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${escapeHtml(formatCell(v, digits))}</dd>`)
    .join('');
  return `<dl class="kv">${items}</dl>`;
}

/** A badge for a verdict: green when `ok`, red otherwise. */
export function htmlBadge(label: string, ok: boolean): string {
  return `<span class="badge ${ok ? 'ok' : 'bad'}">${escapeHtml(label)}</span>`;
}

/** The minified browser builds of vega, vega-lite and vega-embed, read once from node_modules. */
let libraries: string | undefined;

function browserLibraries(): string {
  if (libraries !== undefined) return libraries;
  const require = createRequire(import.meta.url);
  // The packages export no subpath for their browser builds; their build folders are found from a file they do export.
  const vegaBuild = dirname(require.resolve('vega/vega-schema.json'));
  const vegaLiteBuild = dirname(require.resolve('vega-lite/vega-lite-schema.json'));
  const embedBuild = dirname(require.resolve('vega-embed'));
  libraries = [
    join(vegaBuild, 'vega.min.js'),
    join(vegaLiteBuild, 'vega-lite.min.js'),
    join(embedBuild, 'vega-embed.min.js'),
  ]
    .map((file) => scriptSafe(readFileSync(file, 'utf8')))
    .join('\n');
  return libraries;
}

/**
 * Text that can sit inside a <script> element: "</" would end it early (and "<!--" start an HTML comment state).
 * In JavaScript strings and regular expressions "<\/" means the same as "</".
 */
function scriptSafe(code: string): string {
  return code.replace(/<\/(script)/gi, '<\\/$1').replace(/<!--/g, '<\\!--');
}

/** JSON inside a <script>: the characters that could end the element or break JavaScript parsing are escaped. */
function scriptJson(value: Json | object): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

const STYLE = `
:root { color-scheme: light; }
body { font-family: "DejaVu Sans", system-ui, sans-serif; margin: 0; color: #1f2328; background: #f6f8fa; }
header { background: #24292f; color: #fff; padding: 18px 32px; }
header h1 { margin: 0; font-size: 22px; }
header p { margin: 4px 0 0; color: #c9d1d9; font-size: 13px; }
nav { padding: 10px 32px; background: #fff; border-bottom: 1px solid #d0d7de; font-size: 13px; position: sticky; top: 0; z-index: 2; }
nav a { margin-right: 14px; color: #0969da; text-decoration: none; }
main { padding: 8px 32px 40px; }
section { background: #fff; border: 1px solid #d0d7de; border-radius: 6px; padding: 4px 20px 16px; margin: 18px 0; }
h2 { font-size: 18px; border-bottom: 1px solid #eaeef2; padding-bottom: 6px; }
h3 { font-size: 15px; }
.table-wrap { overflow-x: auto; margin: 8px 0 14px; }
table { border-collapse: collapse; font-size: 12.5px; }
caption { text-align: left; font-weight: bold; padding: 4px 0; }
th, td { border: 1px solid #d0d7de; padding: 3px 8px; text-align: left; }
th { background: #f6f8fa; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
p.note { color: #57606a; font-style: italic; }
p.alert { color: #a40e26; font-weight: bold; }
dl.kv { display: grid; grid-template-columns: max-content auto; gap: 2px 16px; font-size: 13px; }
dl.kv dt { color: #57606a; }
dl.kv dd { margin: 0; }
.badge { display: inline-block; padding: 1px 8px; border-radius: 10px; font-size: 12px; color: #fff; }
.badge.ok { background: #1a7f37; }
.badge.bad { background: #cf222e; }
figure.chart { margin: 14px 0; overflow-x: auto; }
figure.chart figcaption { font-size: 12px; color: #57606a; }
.chart-error { color: #a40e26; }
`;

/**
 * The page. Each chart is embedded with vega-embed (SVG renderer, tooltips on, the export menu only: the editor
 * action would open a web site). A chart that fails to render shows its error in place and logs it to the console.
 */
export function buildReportHtml(page: ReportPage): string {
  const ids = new Set<string>();
  const check = (id: string, what: string) => {
    if (!ID_PATTERN.test(id)) throw new Error(`${what} id "${id}" must match ${ID_PATTERN}`);
    if (ids.has(id)) throw new Error(`${what} id "${id}" is used twice`);
    ids.add(id);
  };
  const charts: Record<string, VegaLiteSpec> = {};
  const sections = page.sections.map((section) => {
    check(section.id, 'section');
    const figures = (section.charts ?? []).map((chart) => {
      check(chart.id, 'chart');
      charts[chart.id] = chart.spec;
      const caption = chart.caption ? `<figcaption>${escapeHtml(chart.caption)}</figcaption>` : '';
      return `<figure class="chart"><div class="vega-chart" id="${chart.id}"></div>${caption}</figure>`;
    });
    return `<section id="${section.id}">
<h2>${escapeHtml(section.title)}</h2>
${section.body ?? ''}
${figures.join('\n')}
</section>`;
  });
  const nav = page.sections.map((s) => `<a href="#${s.id}">${escapeHtml(s.title)}</a>`).join('');
  const subtitle = page.subtitle ? `<p>${escapeHtml(page.subtitle)}</p>` : '';
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(page.title)}</title>
<style>${STYLE}</style>
</head>
<body>
<header><h1>${escapeHtml(page.title)}</h1>${subtitle}</header>
<nav>${nav}</nav>
<main>
${sections.join('\n')}
</main>
<script>${browserLibraries()}</script>
<script id="chart-specs" type="application/json">${scriptJson(charts)}</script>
<script>
(function () {
  var specs = JSON.parse(document.getElementById('chart-specs').textContent);
  var options = { renderer: 'svg', actions: { export: true, source: false, compiled: false, editor: false } };
  Object.keys(specs).forEach(function (id) {
    var el = document.getElementById(id);
    vegaEmbed(el, specs[id], options).then(function () {
      el.setAttribute('data-rendered', 'true');
    }).catch(function (error) {
      el.setAttribute('data-rendered', 'error');
      el.innerHTML = '<p class="chart-error">This chart failed to render: ' + String(error && error.message || error).replace(/[<>&]/g, '') + '</p>';
      console.error('chart ' + id + ': ' + (error && error.message || error));
    });
  });
})();
</script>
</body>
</html>
`;
}
