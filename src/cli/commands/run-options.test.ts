import yargs from 'yargs';
import { describe, expect, it } from 'vitest';
import { exitCodeFor } from '../exit-codes.js';
import { checkRunArgs, declareRun, runConfigFromArgs, type RunArgs } from './run-options.js';

const parse = (argv: string[]) => declareRun(yargs(argv)).parseSync() as unknown as RunArgs;

describe('run options: retries and the engine wait', () => {
  it('default to 2 retries of engine errors and a 300 s engine wait, kept in the run config', () => {
    const config = runConfigFromArgs(parse(['--harness', 'oracle']));
    expect(config.retry).toEqual({ maxRetries: 2, include: ['DOCKER_API', 'DOCKER_UNAVAILABLE'], exclude: [] });
    expect(config.engineWaitSec).toBe(300);
    const custom = runConfigFromArgs(parse(['--harness', 'oracle', '--retries', '0', '--retry-include', 'ImageBuildError', '--retry-include', 'docker_api', '--retry-exclude', 'MODEL_API', '--engine-wait', '30']));
    expect(custom.retry).toEqual({ maxRetries: 0, include: ['IMAGE_BUILD', 'DOCKER_API'], exclude: ['MODEL_API'] });
    expect(custom.engineWaitSec).toBe(30);
  });

  it('bad values are one-line usage errors (exit 2) naming the flag', () => {
    const fails = (argv: string[], message: RegExp) => {
      let caught: unknown;
      try {
        checkRunArgs(parse(argv));
      } catch (err) {
        caught = err;
      }
      expect(String((caught as Error)?.message)).toMatch(message);
      expect((caught as Error).message).not.toContain('\n');
      expect(exitCodeFor(caught)).toBe(2);
    };
    fails(['--harness', 'oracle', '--retries', '-1'], /^--retries must be a whole number ≥ 0 \(got -1\)$/);
    fails(['--harness', 'oracle', '--retry-include', 'timeout'], /^--retry-include timeout: not an error class; use one of DOCKER_API, /);
    fails(['--harness', 'oracle', '--retry-exclude', 'nope'], /^--retry-exclude nope: not an error class/);
    fails(['--harness', 'oracle', '--engine-wait', '-5'], /^--engine-wait must be a number of seconds ≥ 0 \(got -5\)$/);
    fails(['--resume', 'results/x', '--retries', '3'], /^--resume keeps the retry settings of the run it resumes/);
  });
});
