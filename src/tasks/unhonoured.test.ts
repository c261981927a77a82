import { describe, expect, it } from 'vitest';
import { unhonouredFields } from './unhonoured.js';

describe('fields read but not honoured', () => {
  it('names each unhonoured field by its path, and none of the honoured ones', () => {
    const toml = {
      schema_version: '1.1',
      task: { name: 'x', keywords: ['a'] },
      metadata: { difficulty: 'hard' },
      agent: { timeout_sec: 10, network_mode: 'no-network' },
      verifier: { timeout_sec: 10, env: { A: '1' }, environment_mode: 'separate', environment: { docker_image: 'v' } },
      environment: { cpus: 1, storage_mb: 1024, gpus: 1, healthcheck: { command: 'true' }, env: { B: '2' }, network_mode: 'allowlist', allowed_hosts: ['*.pypi.org'] },
      mcp_servers: [{ name: 'm' }],
      artifacts: ['/app/out'],
      steps: [{ name: 's1', min_reward: 1, healthcheck: { command: 'true' }, agent: { timeout_sec: 5, network_mode: 'allowlist', allowed_hosts: ['a.test'] } }],
    };
    expect(unhonouredFields(toml)).toEqual([
      'environment.gpus',
      'mcp_servers',
    ]);
    expect(unhonouredFields({ environment: { cpus: 1, env: { X: 'y' } }, verifier: { user: 'u' } })).toEqual([]);
  });
});
