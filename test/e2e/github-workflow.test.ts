/**
 * The example GitHub Actions workflow, run here the way GitHub would run it: each job in its own workspace, the
 * `run:` steps in order under `bash -eo pipefail` with the environment GitHub gives (GITHUB_STEP_SUMMARY,
 * GITHUB_OUTPUT, GITHUB_RUN_ID, the matrix value and expressions substituted), `npx hbench` the real CLI, artifacts
 * passed between jobs only through upload/download-artifact, and `gh` a stub that records the comment.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, cp, mkdir, readdir, readFile, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import picomatch from 'picomatch';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { FIXTURES, ROOT, readTrials, runCli, tempDir } from '../../src/test-support/cli.js';

const WORKFLOW = path.join(ROOT, 'examples/github-actions/harness-bench.yml');

type Obj = Record<string, any>;

interface StepState {
  outcome: 'success' | 'failure' | 'skipped';
  conclusion: 'success' | 'failure' | 'skipped';
  outputs: Record<string, string>;
}

interface JobRun {
  status: 'success' | 'failure' | 'skipped';
  steps: Record<string, StepState>;
  /** Every step in order: its name (or run/uses) and outcome. */
  log: { step: string; outcome: StepState['outcome']; output: string }[];
  /** The job summary: every step's GITHUB_STEP_SUMMARY, in order. */
  summary: string;
}

interface Event {
  name: 'pull_request' | 'workflow_dispatch';
  prNumber?: number;
}

/** One run of the workflow: its artifacts and what the jobs did. */
class WorkflowRun {
  readonly artifacts: string;
  readonly jobs: Record<string, JobRun[]> = {};

  constructor(
    readonly workflow: Obj,
    readonly root: string,
    readonly repo: string,
    readonly settings: Record<string, string>,
    readonly event: Event,
    readonly runId: string,
    readonly stubs: string,
  ) {
    this.artifacts = path.join(root, 'artifacts');
  }

  /** Jobs in `needs` order; a job's matrix entries side by side, as on separate runners. */
  async run(): Promise<void> {
    await mkdir(this.artifacts, { recursive: true });
    for (const [id, job] of Object.entries(this.workflow.jobs as Record<string, Obj>)) {
      const needs: string[] = [job.needs ?? []].flat();
      const needsOk = needs.every((n) => this.jobs[n]?.every((j) => j.status === 'success'));
      if (!needs.every((n) => this.jobs[n])) throw new Error(`job ${id} needs a job that has not run yet`);
      const ctx = { jobFailed: !needsOk, steps: {} };
      if (!this.condition(job.if, { ...ctx, matrix: {} })) {
        this.jobs[id] = [{ status: 'skipped', steps: {}, log: [], summary: '' }];
        continue;
      }
      const entries = matrixEntries(job);
      this.jobs[id] = await Promise.all(entries.map((matrix, i) => this.runJob(`${id}-${i + 1}`, job, matrix)));
    }
  }

  private async runJob(key: string, job: Obj, matrix: Obj): Promise<JobRun> {
    const workspace = path.join(this.root, 'jobs', key);
    await mkdir(workspace, { recursive: true });
    const result: JobRun = { status: 'success', steps: {}, log: [], summary: '' };
    for (const [i, step] of (job.steps as Obj[]).entries()) {
      const ctx = { jobFailed: result.status === 'failure', steps: result.steps, matrix };
      const label = step.name ? this.substitute(step.name, ctx) : (step.uses ?? step.run);
      if (!this.condition(step.if, ctx)) {
        if (step.id) result.steps[step.id] = { outcome: 'skipped', conclusion: 'skipped', outputs: {} };
        result.log.push({ step: label, outcome: 'skipped', output: '' });
        continue;
      }
      const files = { summary: path.join(this.root, 'files', `${key}-${i}-summary.md`), output: path.join(this.root, 'files', `${key}-${i}-output`) };
      await mkdir(path.dirname(files.summary), { recursive: true });
      await writeFile(files.summary, '');
      await writeFile(files.output, '');
      const r = step.uses ? await this.action(step, workspace, ctx) : await this.shell(step, workspace, ctx, files);
      const outputs = Object.fromEntries(
        (await readFile(files.output, 'utf8'))
          .split('\n')
          .filter(Boolean)
          .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
      );
      result.summary += await readFile(files.summary, 'utf8');
      const outcome = r.ok ? 'success' : 'failure';
      const conclusion = r.ok || step['continue-on-error'] ? 'success' : 'failure';
      if (step.id) result.steps[step.id] = { outcome, conclusion, outputs };
      result.log.push({ step: label, outcome, output: r.output });
      if (conclusion === 'failure') result.status = 'failure';
    }
    return result;
  }

  /** A `run:` step: bash -eo pipefail (the workflow's default shell), GitHub's environment. */
  private async shell(step: Obj, workspace: string, ctx: Ctx, files: { summary: string; output: string }): Promise<{ ok: boolean; output: string }> {
    expect(step.shell, 'steps use the default shell').toBeUndefined();
    const script = this.substitute(step.run, ctx);
    // The workspace's dependencies are installed already (node_modules/.bin/hbench is this checkout's CLI).
    if (script.trim() === 'npm ci') return { ok: true, output: 'npm ci: dependencies are in place' };
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      PATH: `${this.stubs}:${process.env.PATH}`,
      CI: 'true',
      GITHUB_ACTIONS: 'true',
      GITHUB_WORKSPACE: workspace,
      GITHUB_RUN_ID: this.runId,
      GITHUB_EVENT_NAME: this.event.name,
      GITHUB_REPOSITORY: 'octo/bench',
      GITHUB_STEP_SUMMARY: files.summary,
      GITHUB_OUTPUT: files.output,
      ...this.substituteAll({ ...this.workflow.env, ...this.settings }, ctx),
      ...this.substituteAll(step.env ?? {}, ctx),
    };
    const child = spawn('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', script], { cwd: workspace, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c));
    child.stderr.on('data', (c: Buffer) => (output += c));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    return { ok: code === 0, output };
  }

  /** The actions the workflow uses, as far as their effect on files goes. */
  private async action(step: Obj, workspace: string, ctx: Ctx): Promise<{ ok: boolean; output: string }> {
    const w = this.substituteAll(step.with ?? {}, ctx);
    switch (step.uses) {
      case 'actions/checkout@v4':
        await cp(this.repo, workspace, { recursive: true, verbatimSymlinks: true });
        return { ok: true, output: 'checked out' };
      case 'actions/setup-node@v4':
        expect(String(w['node-version'])).toBe('20');
        return { ok: true, output: `node ${process.version}` };
      case 'actions/upload-artifact@v4': {
        const from = path.join(workspace, w.path);
        const to = path.join(this.artifacts, w.name);
        if (!existsSync(from) || (await readdir(from)).length === 0) {
          return w['if-no-files-found'] === 'error' ? { ok: false, output: `no files at ${w.path}` } : { ok: true, output: `nothing to upload at ${w.path}` };
        }
        if (existsSync(to) && w.overwrite !== 'true') return { ok: false, output: `an artifact named ${w.name} exists` };
        await cp(from, to, { recursive: true });
        return { ok: true, output: `uploaded ${w.name}` };
      }
      case 'actions/download-artifact@v4': {
        const names = (await readdir(this.artifacts)).filter(picomatch(w.pattern));
        for (const name of names) {
          await cp(path.join(this.artifacts, name), w['merge-multiple'] === 'true' ? path.join(workspace, w.path) : path.join(workspace, w.path, name), { recursive: true });
        }
        return { ok: true, output: `downloaded ${names.join(', ')}` };
      }
    }
    throw new Error(`the workflow uses ${step.uses}, which this test does not model`);
  }

  /** `if:` as GitHub reads it: a status function, or `success() &&` implied. */
  private condition(expr: unknown, ctx: Ctx): boolean {
    if (expr === undefined) return !ctx.jobFailed;
    const text = String(expr).replace(/^\s*\$\{\{(.*)\}\}\s*$/s, '$1').trim();
    const terms = text.split('&&').map((t) => t.trim());
    const statusFn = terms.some((t) => /^!?(always|cancelled|success|failure)\(\)$/.test(t));
    return (statusFn || !ctx.jobFailed) && terms.every((t) => this.term(t, ctx));
  }

  private term(t: string, ctx: Ctx): boolean {
    if (t === 'always()' || t === '!cancelled()') return true;
    if (t === 'success()') return !ctx.jobFailed;
    if (t === 'failure()') return ctx.jobFailed;
    const m = /^([\w.-]+)\s*(==|!=)\s*'([^']*)'$/.exec(t);
    if (!m) throw new Error(`the workflow's condition ${t} is not modelled here`);
    return (this.lookup(m[1]!, ctx) === m[3]) === (m[2] === '==');
  }

  private lookup(expr: string, ctx: Ctx): string {
    const [root, ...rest] = expr.split('.');
    const contexts: Record<string, unknown> = {
      github: { run_id: this.runId, event_name: this.event.name, repository: 'octo/bench', token: 'ghs_test', event: this.event.prNumber ? { pull_request: { number: this.event.prNumber } } : {} },
      secrets: {},
      matrix: ctx.matrix,
      steps: ctx.steps,
    };
    if (!(root! in contexts)) throw new Error(`the workflow uses the context ${root}, which this test does not model`);
    let value: unknown = contexts[root!];
    for (const key of rest) value = (value as Obj | undefined)?.[key];
    if (root === 'matrix' && value === undefined) throw new Error(`no matrix value ${expr}`);
    if (root === 'steps' && !(rest[0]! in ctx.steps)) throw new Error(`no step with id ${rest[0]} before this one`);
    return value === undefined ? '' : String(value);
  }

  private substitute(text: string, ctx: Ctx): string {
    return String(text).replace(/\$\{\{\s*(.*?)\s*\}\}/g, (_, e: string) => (e.startsWith('!') ? String(this.condition(e, ctx)) : this.lookup(e, ctx)));
  }

  private substituteAll(values: Obj, ctx: Ctx): Record<string, string> {
    return Object.fromEntries(Object.entries(values).map(([k, v]) => [k, this.substitute(String(v), ctx)]));
  }
}

type Ctx = { jobFailed: boolean; steps: Record<string, StepState>; matrix: Obj };

function matrixEntries(job: Obj): Obj[] {
  const matrix = job.strategy?.matrix as Record<string, unknown[]> | undefined;
  if (!matrix) return [{}];
  const keys = Object.keys(matrix);
  expect(keys, 'one matrix dimension').toHaveLength(1);
  return matrix[keys[0]!]!.map((v) => ({ [keys[0]!]: v }));
}

const stepOf = (job: Obj, pred: (s: Obj) => boolean) => {
  const found = (job.steps as Obj[]).filter(pred);
  expect(found).toHaveLength(1);
  return found[0]!;
};

describe('the GitHub Actions example', () => {
  let workflow: Obj;
  beforeAll(async () => {
    workflow = parse(await readFile(WORKFLOW, 'utf8')) as Obj;
  });

  it('shards over a matrix of four, uploads one artifact per shard, and a merge job needs them all', () => {
    const { shard, merge } = workflow.jobs;
    expect(Object.keys(workflow.on)).toContain('pull_request');
    expect(workflow.permissions).toMatchObject({ 'pull-requests': 'write' });
    expect(workflow.defaults.run.shell).toBe('bash');
    expect(shard.strategy).toEqual({ 'fail-fast': false, matrix: { shard: [1, 2, 3, 4] } });
    const run = stepOf(shard, (s) => /hbench run/.test(s.run ?? ''));
    expect(run.run).toMatch(/^npx hbench run --shard \$\{\{ matrix\.shard \}\}\/4 --run-id \$\{\{ github\.run_id \}\} /);
    const upload = stepOf(shard, (s) => s.uses === 'actions/upload-artifact@v4');
    expect(upload.if).toBe('always()');
    // The path is where hbench run --shard I/4 --run-id RUN --out results writes: results/RUN.shard-I-of-4.
    expect(upload.with.path).toBe('results/${{ github.run_id }}.shard-${{ matrix.shard }}-of-4');
    const names = shard.strategy.matrix.shard.map((i: number) => upload.with.name.replace('${{ matrix.shard }}', String(i)));
    expect(new Set(names).size).toBe(4);

    expect(merge.needs).toBe('shard');
    const download = stepOf(merge, (s) => s.uses === 'actions/download-artifact@v4');
    expect(download.with['merge-multiple']).toBe(false);
    const matches = picomatch(download.with.pattern);
    expect(names.every((n: string) => matches(n))).toBe(true);
    const mergedUpload = stepOf(merge, (s) => s.uses === 'actions/upload-artifact@v4');
    expect(matches(mergedUpload.with.name)).toBe(false);
    expect(stepOf(merge, (s) => /npx hbench merge/.test(s.run ?? '')).run).toContain(`npx hbench merge ${download.with.path}/`);
    const compare = stepOf(merge, (s) => /npx hbench compare/.test(s.run ?? '')).run;
    expect(compare).toMatch(/npx hbench compare "\$BASELINE_RUN#\$BASELINE_HARNESS" "results\/merged#\$CANDIDATE" --fail-on-regression --format md/);
    expect(compare).toContain('>> "$GITHUB_STEP_SUMMARY"');
    expect(stepOf(merge, (s) => /gh pr comment/.test(s.run ?? '')).run).toBe('gh pr comment "$PR" --body-file compare.md');
  });

  describe('run locally, job by job, with the real CLI on fixture tasks (Docker)', () => {
    let repo: string;
    let stubs: string;
    const tasks = ['hello-1', 'hello-2', 'hello-3', 'hello-4', 'hello-5', 'hello-6', 'multi-count'];
    const settings = (candidate: string, baselineHarness: string) => ({ CANDIDATE: candidate, BASELINE_HARNESS: baselineHarness, MODEL: 'sim', TRIALS: '1' });

    beforeAll(async () => {
      // The repository the workflow checks out: a suite of seven tasks (six is the fewest in which the paired test
      // can call a difference), harness-bench installed, and a stored baseline run (run.json and trials.jsonl only).
      const root = await tempDir('hbench-gha-');
      repo = path.join(root, 'repo');
      for (const t of tasks) await cp(path.join(FIXTURES, 'tasks', t.startsWith('hello') ? 'hello' : t), path.join(repo, 'tasks', t), { recursive: true });
      await writeFile(path.join(repo, 'package.json'), JSON.stringify({ name: 'bench', private: true, devDependencies: { 'harness-bench': '*' } }));
      await mkdir(path.join(repo, 'node_modules', '.bin'), { recursive: true });
      await symlink(path.join(ROOT, 'bin', 'hbench.js'), path.join(repo, 'node_modules', '.bin', 'hbench'));
      const out = path.join(root, 'baseline-run');
      const r = await runCli(['run', '--tasks', path.join(repo, 'tasks'), '--harness', 'oracle', '--harness', 'nop', '--model', 'sim', '--seed', '1', '--trials', '1', '--run-id', 'baseline', '--out', out, '--reporter', 'summary']);
      expect(r.code, r.stderr).toBe(0);
      await mkdir(path.join(repo, 'bench', 'baseline'), { recursive: true });
      for (const f of ['run.json', 'trials.jsonl']) await cp(path.join(out, 'baseline', f), path.join(repo, 'bench', 'baseline', f));

      stubs = path.join(root, 'stubs');
      await mkdir(stubs);
      await writeFile(
        path.join(stubs, 'gh'),
        `#!/usr/bin/env node
const fs = require('node:fs');
const argv = process.argv.slice(2);
const body = argv.includes('--body-file') ? fs.readFileSync(argv[argv.indexOf('--body-file') + 1], 'utf8') : null;
fs.appendFileSync(process.env.GH_STUB_LOG, JSON.stringify({ argv, body, repo: process.env.GH_REPO, token: process.env.GH_TOKEN }) + '\\n');
`,
      );
      await chmod(path.join(stubs, 'gh'), 0o755);
    }, 300_000);

    async function runWorkflow(event: Event, runId: string, values: Record<string, string>): Promise<{ run: WorkflowRun; comments: Obj[] }> {
      const root = await tempDir('hbench-gha-run-');
      const ghLog = path.join(root, 'gh.jsonl');
      await writeFile(ghLog, '');
      const run = new WorkflowRun(workflow, root, repo, { ...values, GH_STUB_LOG: ghLog }, event, runId, stubs);
      await run.run();
      const comments = (await readFile(ghLog, 'utf8')).split('\n').filter(Boolean).map((l) => JSON.parse(l) as Obj);
      return { run, comments };
    }

    const describeFailure = (run: WorkflowRun) =>
      Object.values(run.jobs)
        .flat()
        .flatMap((j) => j.log.filter((s) => s.outcome === 'failure').map((s) => `${s.step}:\n${s.output}`))
        .join('\n');

    it('an improvement: four shards, merged, compared, summarised; the workflow passes (no PR: no comment)', async () => {
      const { run, comments } = await runWorkflow({ name: 'workflow_dispatch' }, '7001', settings('oracle', 'nop'));
      const shards = run.jobs.shard!;
      expect(shards.map((j) => j.status), describeFailure(run)).toEqual(['success', 'success', 'success', 'success']);
      expect((await readdir(run.artifacts)).sort()).toEqual(['hbench-merged', 'hbench-shard-1-of-4', 'hbench-shard-2-of-4', 'hbench-shard-3-of-4', 'hbench-shard-4-of-4']);
      const [merge] = run.jobs.merge!;
      expect(merge!.status, describeFailure(run)).toBe('success');
      expect(merge!.steps).toMatchObject({ merge: { outcome: 'success' }, compare: { outputs: { code: '0' } } });
      expect(merge!.log.find((s) => s.step === 'Comment on the pull request')!.outcome).toBe('skipped');
      expect(comments).toEqual([]);

      // One results folder, as if one machine had run the plan: every task once, from four shards.
      const merged = path.join(run.artifacts, 'hbench-merged');
      const trials = await readTrials(merged);
      expect(trials.map((t) => t.taskId).sort()).toEqual(tasks);
      expect(trials.every((t) => t.status === 'passed' && t.runId === '7001')).toBe(true);
      const record = JSON.parse(await readFile(path.join(merged, 'run.json'), 'utf8'));
      expect(record).toMatchObject({ runId: '7001', status: 'completed', counts: { planned: 7, finished: 7 } });
      expect(record.shards.map((s: Obj) => s.index)).toEqual([1, 2, 3, 4]);
      for (const f of ['summary.json', 'summary.csv', 'report.html']) expect(existsSync(path.join(merged, f)), f).toBe(true);
      // The job summary: the merged run's summary, then the comparison.
      expect(merge!.summary).toMatch(/oracle/);
      expect(merge!.summary).toMatch(/### 🟢 improved: `merged#oracle` vs `baseline#nop`/);
    }, 600_000);

    it('a regression: the comparison is still summarised and posted on the pull request, then the workflow fails', async () => {
      const { run, comments } = await runWorkflow({ name: 'pull_request', prNumber: 42 }, '7002', settings('nop', 'oracle'));
      expect(run.jobs.shard!.map((j) => j.status), describeFailure(run)).toEqual(['success', 'success', 'success', 'success']);
      const [merge] = run.jobs.merge!;
      expect(merge!.steps).toMatchObject({ merge: { outcome: 'success' }, compare: { outcome: 'success', outputs: { code: '1' } } });
      expect(merge!.log.map((s) => [s.step, s.outcome]).slice(-3)).toEqual([
        ['Comment on the pull request', 'success'],
        ['Upload the merged results', 'success'],
        ['Fail on a regression, or a failed merge or comparison', 'failure'],
      ]);
      expect(merge!.status).toBe('failure');
      expect(merge!.summary).toMatch(/### 🔴 regressed: `merged#nop` vs `baseline#oracle`/);
      expect(comments).toHaveLength(1);
      expect(comments[0]).toMatchObject({ argv: ['pr', 'comment', '42', '--body-file', 'compare.md'], repo: 'octo/bench', token: 'ghs_test' });
      expect(comments[0]!.body).toMatch(/^### 🔴 regressed/);
      expect(merge!.summary).toContain(comments[0]!.body);
      expect((await readTrials(path.join(run.artifacts, 'hbench-merged'))).every((t) => t.status === 'failed')).toBe(true);
    }, 600_000);

    it('a shard that never uploaded: merge names it and the workflow fails', async () => {
      // Shard 3's job fails before hbench writes anything (its runner died, say): nothing to upload for it.
      const root = await tempDir('hbench-gha-run-');
      const broken = structuredClone(workflow);
      const runStep = (broken.jobs.shard.steps as Obj[]).find((s) => /hbench run/.test(s.run ?? ''))!;
      runStep.run = `if [ "\${{ matrix.shard }}" = 3 ]; then exit 1; fi\n${runStep.run}`;
      const wf = new WorkflowRun(broken, root, repo, { ...settings('oracle', 'nop'), GH_STUB_LOG: path.join(root, 'gh.jsonl') }, { name: 'workflow_dispatch' }, '7003', stubs);
      await wf.run();
      expect(wf.jobs.shard!.map((j) => j.status)).toEqual(['success', 'success', 'failure', 'success']);
      const [merge] = wf.jobs.merge!;
      expect(merge!.status).toBe('failure');
      const mergeStep = merge!.log.find((s) => s.step === 'Merge the shards')!;
      expect(mergeStep.outcome).toBe('failure');
      expect(mergeStep.output).toMatch(/shard 3 of 4 missing/);
      expect(merge!.steps.compare!.outputs.code).toBe('2');
      expect(merge!.log.at(-1)!.output).toContain('hbench merge failed');
    }, 600_000);
  });
});
