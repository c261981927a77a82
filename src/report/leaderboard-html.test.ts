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
});
