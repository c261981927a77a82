import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../test-support/cli.js';
import { fixtureRun } from '../test-support/fixture-runs.js';
import { findAll, parseXml, type XmlElement } from '../test-support/mini-xml.js';
import { readVerifierTails, runJunit } from './junit.js';

const run = fixtureRun({
  runId: 'r1',
  tasks: { alpha: 'ha', beta: 'hb' },
  outcomes: {
    baseline: { alpha: ['passed', 'failed'], beta: ['timeout', 'error'] },
    'self-verify': { alpha: ['passed', 'passed'], beta: ['passed', 'failed'] },
  },
});

const suites = (xml: string) => findAll(parseXml(xml), 'testsuite');
const cases = (suite: XmlElement) => suite.children.filter((c) => c.name === 'testcase');

describe('runJunit', () => {
  it('writes one suite per harness whose counts match the trial statuses', () => {
    const root = parseXml(runJunit(run.record, run.trials));
    expect(root.name).toBe('testsuites');
    expect(root.attrs).toMatchObject({ tests: '8', failures: '3', errors: '1', skipped: '0' });
    const [base, sv] = findAll(root, 'testsuite');
    expect(base!.attrs).toMatchObject({ name: 'baseline', tests: '4', failures: '2', errors: '1', skipped: '0' });
    expect(sv!.attrs).toMatchObject({ name: 'self-verify', tests: '4', failures: '1', errors: '0', skipped: '0' });
    expect(cases(base!).map((c) => [c.attrs.classname, c.attrs.name])).toEqual([
      ['baseline', 'alpha #1'],
      ['baseline', 'alpha #2'],
      ['baseline', 'beta #1'],
      ['baseline', 'beta #2'],
    ]);
    const seconds = run.trials.filter((t) => t.harness === 'baseline').reduce((a, t) => a + t.durationMs, 0) / 1000;
    expect(Number(base!.attrs.time)).toBeCloseTo(seconds, 3);
    expect(cases(base!)[0]!.attrs.time).toBe('1.000');
  });

  it('gives failures and timeouts their type and the verifier tail, and errors their class', () => {
    const tails = new Map([
      ['alpha__baseline__2', 'assert 1 == 2\nFAILED test_alpha'],
      ['beta__baseline__1', 'still waiting'],
    ]);
    const [base] = suites(runJunit(run.record, run.trials, { verifierTail: tails }));
    const [pass, fail, timeout, error] = cases(base!);
    expect(pass!.children).toEqual([]);
    const failure = fail!.children[0]!;
    expect(failure.name).toBe('failure');
    expect(failure.attrs.type).toBe('failed');
    expect(failure.attrs.message).toMatch(/alpha #2 failed: reward 0/);
    expect(failure.text).toBe('assert 1 == 2\nFAILED test_alpha');
    expect(timeout!.children[0]!.attrs).toMatchObject({ type: 'timeout' });
    expect(timeout!.children[0]!.attrs.message).toMatch(/timed out: .*agent timed out/);
    expect(timeout!.children[0]!.text).toBe('still waiting');
    const err = error!.children[0]!;
    expect(err.name).toBe('error');
    expect(err.attrs.type).toBe('DockerApiError');
    expect(err.attrs.message).toBe('Docker API error while starting <beta> & "friends"');
    expect(err.text).toMatch(/phase: start, code: DOCKER_API/);
  });

  it('accepts a lookup function and says so when there is no verifier output', () => {
    const xml = runJunit(run.record, run.trials, { verifierTail: (key) => (key === 'beta__self-verify__2' ? 'from lookup' : null) });
    const sv = suites(xml)[1]!;
    expect(cases(sv)[3]!.children[0]!.text).toBe('from lookup');
    expect(cases(suites(xml)[0]!)[1]!.children[0]!.text).toBe('(no verifier output recorded)');
  });

  it('escapes markup, quotes and control characters so the XML still parses', () => {
    const nasty = fixtureRun({ runId: 'r<&">', tasks: { 'a&b': 'h' }, outcomes: { 'h"<x>': { 'a&b': ['failed'] } } });
    const tail = 'got <div> & "quotes" \u001b[31mred\u001b[0m nul\u0000 bell\u0007 ff\u000c lone\ud800 end';
    const xml = runJunit(nasty.record, nasty.trials, { verifierTail: () => tail });
    expect(xml).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/);
    const root = parseXml(xml);
    expect(root.attrs.name).toBe('hbench r<&">');
    const [suite] = findAll(root, 'testsuite');
    expect(suite!.attrs.name).toBe('h"<x>');
    expect(cases(suite!)[0]!.attrs.name).toBe('a&b #1');
    const text = findAll(root, 'failure')[0]!.text;
    expect(text).toBe('got <div> & "quotes" red nul\\u0000 bell\\u0007 ff\\u000c lone\\ud800 end');
  });

  it('keeps multi-line messages in attributes intact', () => {
    const t = { ...run.trials[3]!, error: { ...run.trials[3]!.error!, message: 'line one\nline two\ttab' } };
    const root = parseXml(runJunit(run.record, [t]));
    expect(findAll(root, 'error')[0]!.attrs.message).toBe('line one\nline two\ttab');
  });

  it('puts the model and a SIMULATED note in the properties', () => {
    const props = (xml: string) => Object.fromEntries(findAll(suites(xml)[0]!, 'property').map((p) => [p.attrs.name, p.attrs.value]));
    const sim = props(runJunit(run.record, run.trials));
    expect(sim).toMatchObject({ 'run.id': 'r1', model: 'sim', 'model.simulated': 'true', 'harness.hash': 'hash-baseline' });
    expect(sim.note).toMatch(/SIMULATED/);
    const real = fixtureRun({ runId: 'r2', tasks: { a: 'h' }, outcomes: { x: { a: ['passed'] } }, model: { id: 'openai:gpt-4.1-mini', simulated: false } });
    const p = props(runJunit(real.record, real.trials));
    expect(p.model).toBe('openai:gpt-4.1-mini');
    expect(p).not.toHaveProperty('note');
    expect(p).not.toHaveProperty('model.simulated');
  });

  it('lists planned trials that never ran as skipped', () => {
    const partial = fixtureRun({ runId: 'r3', tasks: { a: 'h', b: 'h' }, outcomes: { x: { a: ['passed', 'failed'] } }, trialsPlanned: 2, status: 'interrupted' });
    const [suite] = suites(runJunit(partial.record, partial.trials));
    expect(suite!.attrs).toMatchObject({ tests: '4', failures: '1', skipped: '2' });
    const skipped = cases(suite!).filter((c) => c.children[0]?.name === 'skipped');
    expect(skipped.map((c) => c.attrs.name)).toEqual(['b #1', 'b #2']);
    expect(skipped[0]!.children[0]!.attrs.message).toMatch(/interrupted; finish it with --resume/);
  });
});

describe('readVerifierTails', () => {
  it('reads the tail of verifier/stdout.txt for trials that did not pass', async () => {
    const dir = await tempDir();
    const write = async (rel: string, content: string) => {
      await mkdir(path.dirname(path.join(dir, rel)), { recursive: true });
      await writeFile(path.join(dir, rel), content);
    };
    await write('trials/alpha__baseline__1/verifier/stdout.txt', 'passed, never read');
    await write('trials/alpha__baseline__2/verifier/stdout.txt', `${'x'.repeat(5000)}é the end`);
    await write('trials/beta__baseline__1/verifier/stdout.txt', 'short');
    const tails = await readVerifierTails(dir, run.trials.filter((t) => t.harness === 'baseline'));
    expect(tails.has('alpha__baseline__1')).toBe(false);
    expect(tails.get('beta__baseline__1')).toBe('short');
    const long = tails.get('alpha__baseline__2')!;
    expect(long.startsWith('…')).toBe(true);
    expect(long.endsWith('é the end')).toBe(true);
    expect(Buffer.byteLength(long.slice(1))).toBeLessThanOrEqual(2048);
    expect(tails.has('beta__baseline__2')).toBe(false);
  });

  it('reads the failing step of a multi-step trial from verifier/<step>/stdout.txt', async () => {
    const dir = await tempDir();
    const multi = fixtureRun({ runId: 'm', tasks: { t: 'h' }, outcomes: { x: { t: ['failed'] } }, steps: { t: ['build', 'test'] } });
    const key = multi.trials[0]!.key;
    await mkdir(path.join(dir, 'trials', key, 'verifier', 'build'), { recursive: true });
    await mkdir(path.join(dir, 'trials', key, 'verifier', 'test'), { recursive: true });
    await writeFile(path.join(dir, 'trials', key, 'verifier', 'build', 'stdout.txt'), 'build ok');
    await writeFile(path.join(dir, 'trials', key, 'verifier', 'test', 'stdout.txt'), 'test broke');
    const tails = await readVerifierTails(dir, multi.trials);
    expect(tails.get(key)).toBe('── step test (failed) ──\ntest broke');
    const xml = runJunit(multi.record, multi.trials, { verifierTail: tails });
    expect(findAll(parseXml(xml), 'failure')[0]!.text).toContain('test broke');
  });
});
