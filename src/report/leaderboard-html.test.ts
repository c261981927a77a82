import { describe, expect, it } from 'vitest';
import { runA, runB, runC } from '../test-support/leaderboard-fixtures.js';
import { buildLeaderboard } from './leaderboard.js';
import { leaderboardHtml } from './leaderboard-html.js';

const lb = buildLeaderboard([runA, runB, runC]);
const html = leaderboardHtml(lb);

describe('leaderboardHtml', () => {
  it('loads nothing from outside the file', () => {
    expect(html).not.toMatch(/\b(?:src|href|srcset|action)\s*=/i);
    expect(html).not.toMatch(/https?:|\/\/[a-z]/i);
    expect(html).not.toMatch(/@import|url\(/i);
    expect(html).toContain(`content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'"`);
  });

  it('has one sortable table per suite group, with every row', () => {
    expect(html.match(/<table class="lb">/g)).toHaveLength(2);
    expect(html.match(/<tr><td/g)).toHaveLength(6);
    expect(html.match(/<th data-type="(?:num|text)"><button type="button">/g)).toHaveLength(20);
    expect(html).toContain(lb.groups[1]!.note);
    const script = /<script>([\s\S]*)<\/script>/.exec(html)![1]!;
    expect(() => new Function(script)).not.toThrow();
  });

  it('draws the pass rate as a bar with a CI whisker', () => {
    const p = lb.groups[0]!.rows.find((r) => r.label === 'baseline (run-a)')!.passRate!;
    const pctOf = (x: number) => `${(x * 100).toFixed(1)}%`;
    expect(html).toContain(`<span class="fill" style="width:${pctOf(p.rate)}"></span><span class="ci" style="left:${pctOf(p.low)};width:${pctOf(p.high - p.low)}"></span>`);
    expect(html).toContain(`<td class="n" data-v=""`);
  });

  it('shows a SIMULATED banner only when a row used the simulated model', () => {
    expect(html).toMatch(/<div class="banner" role="alert">SIMULATED model/);
    expect(html).toContain('<span class="sim">SIMULATED</span>');
    expect(leaderboardHtml(buildLeaderboard([runB]))).not.toContain('class="banner"');
  });

  it('escapes names', () => {
    const evil = { ...runB, record: { ...runB.record, runId: '<script>alert(1)</script>' } };
    const page = leaderboardHtml(buildLeaderboard([evil]));
    expect(page).not.toContain('<script>alert');
    expect(page).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
  });

  it('sorts a table by the clicked column, keeping empty values last', () => {
    const { table, click } = fakeTable(html);
    const labels = () => table.tBodies[0]!.rows.map((r) => r.cells[1]!.v);
    click(3);
    expect(labels()).toEqual(['baseline (run-b)', 'baseline (run-a)', 'loop-detect', 'self-verify', 'broken']);
    click(3);
    expect(labels()).toEqual(['loop-detect', 'self-verify', 'baseline (run-a)', 'baseline (run-b)', 'broken']);
    click(1);
    expect(labels()).toEqual(['baseline (run-a)', 'baseline (run-b)', 'broken', 'loop-detect', 'self-verify']);
  });
});

interface FakeCell {
  v: string;
  getAttribute(name: string): string | null;
}

/** Just enough DOM for the page's sort script: the first table's header buttons and its rows' data-v values. */
function fakeTable(page: string) {
  const section = page.slice(page.indexOf('<table class="lb">'), page.indexOf('</table>'));
  const heads = [...section.matchAll(/<th data-type="(\w+)">/g)].map((m) => {
    const attrs = new Map<string, string>([['data-type', m[1]!]]);
    let onClick = () => {};
    return {
      getAttribute: (n: string) => attrs.get(n) ?? null,
      setAttribute: (n: string, v: string) => void attrs.set(n, v),
      removeAttribute: (n: string) => void attrs.delete(n),
      querySelector: () => ({ addEventListener: (_e: string, f: () => void) => void (onClick = f) }),
      click: () => onClick(),
    };
  });
  const rows = section.split('<tr><td').slice(1).map((tr) => ({
    cells: [...`<td${tr}`.matchAll(/<td[^>]*data-v="([^"]*)"/g)].map((m): FakeCell => ({ v: m[1]!, getAttribute: () => m[1]! })),
  }));
  const body = { rows, appendChild: (r: (typeof rows)[number]) => void body.rows.push(...body.rows.splice(body.rows.indexOf(r), 1)) };
  const table = { tHead: { rows: [{ cells: heads }] }, tBodies: [body] };
  const script = /<script>([\s\S]*)<\/script>/.exec(page)![1]!;
  new Function('document', script)({ querySelectorAll: () => [table] });
  return { table, click: (col: number) => heads[col]!.click() };
}
