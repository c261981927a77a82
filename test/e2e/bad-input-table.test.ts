/**
 * Every malformed input in src/test-support/bad-inputs.ts: exit 2, one line naming the file or flag, the field and the
 * fix, and nothing written. The rows run the CLI's own entry point in this process (each would spend a second
 * starting Node otherwise); one also runs through the real binary to show it prints the same line.
 */
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { BAD_INPUTS, checkBadInput, type Invoke } from '../../src/test-support/bad-inputs.js';
import { runCli } from '../../src/test-support/cli.js';

/** main() with stdout and stderr captured and the row's environment applied; rows run one at a time. */
const inProcess: Invoke = async (args, env) => {
  let stdout = '';
  let stderr = '';
  const out = process.stdout.write.bind(process.stdout);
  const err = process.stderr.write.bind(process.stderr);
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  const apply = (vars: Record<string, string | undefined>) => {
    for (const [k, v] of Object.entries(vars)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  };
  process.stdout.write = ((chunk: string | Uint8Array) => ((stdout += chunk.toString()), true)) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string | Uint8Array) => ((stderr += chunk.toString()), true)) as typeof process.stderr.write;
  apply({ CI: '1', ...env });
  try {
    const code = await main(args);
    return { code, stdout, stderr };
  } finally {
    process.stdout.write = out;
    process.stderr.write = err;
    apply(saved);
  }
};

const spawned: Invoke = (args, env) => runCli(args, env as NodeJS.ProcessEnv);

describe('bad input, table-driven', () => {
  it('has at least 40 rows, each named once', () => {
    expect(BAD_INPUTS.length).toBeGreaterThanOrEqual(40);
    expect(new Set(BAD_INPUTS.map((r) => r.name)).size).toBe(BAD_INPUTS.length);
  });

  for (const row of BAD_INPUTS) {
    it(`${row.area}: ${row.name}`, async () => {
      const verdict = await checkBadInput(row, inProcess);
      expect(verdict.problems, verdict.stderr).toEqual([]);
    });
  }

  it('the real binary prints the same single line', async () => {
    const row = BAD_INPUTS.find((r) => r.name === 'task.toml: TOML syntax error')!;
    const verdict = await checkBadInput(row, spawned);
    expect(verdict.problems, verdict.stderr).toEqual([]);
  });

  it('a row the CLI would accept is reported, not passed: the check can fail', async () => {
    const verdict = await checkBadInput({ name: 'valid', area: 'flag', setup: async () => ['plan', '--p-base', '0.5'], message: /never/ }, inProcess);
    expect(verdict.ok).toBe(false);
    expect(verdict.problems.join('\n')).toMatch(/exit code 0, expected 2/);
  });
});
