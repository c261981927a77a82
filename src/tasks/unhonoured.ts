/**
 * Fields of Harbor's task.toml that hbench reads past without honouring (GPUs, storage, MCP servers, healthchecks,
 * artifacts, per-phase network policy, a separate verifier environment, …). A run warns about each once, naming the
 * task and the field — never silently.
 */

/** Paths hbench honours; `*` matches any key (informational tables are honoured by being recorded). */
const HONOURED = [
  'schema_version', 'version', 'task.*', 'metadata.*', 'source', 'multi_step_reward_strategy', 'artifacts', 'steps.artifacts',
  'agent.timeout_sec', 'agent.network_mode', 'verifier.network_mode', 'steps.agent.network_mode', 'steps.verifier.network_mode',
  'verifier.timeout_sec', 'verifier.env.*', 'verifier.user', 'verifier.environment_mode', 'verifier.environment.docker_image', 'verifier.environment.build_timeout_sec', 'verifier.environment.cpus', 'verifier.environment.memory_mb', 'verifier.environment.pids_limit', 'verifier.environment.env.*',
  'solution.env.*',
  'environment.build_timeout_sec', 'environment.docker_image', 'environment.cpus', 'environment.memory_mb', 'environment.memory',
  'environment.pids_limit', 'environment.allow_internet', 'environment.network_mode', 'environment.workdir', 'environment.env.*', 'environment.healthcheck.*',
  'steps.name', 'steps.min_reward', 'steps.agent.timeout_sec', 'steps.verifier.timeout_sec', 'steps.verifier.env.*', 'steps.verifier.user', 'steps.healthcheck.*',
];

export function unhonouredFields(toml: Record<string, unknown>): string[] {
  const out = new Set<string>();
  const walk = (value: unknown, at: string) => {
    if (isTable(value)) {
      for (const [k, v] of Object.entries(value)) {
        const p = at ? `${at}.${k}` : k;
        if (honoured(p)) continue;
        if ((isTable(v) || Array.isArray(v)) && HONOURED.some((h) => h.startsWith(`${p}.`))) walk(v, p);
        else out.add(p);
      }
    } else if (Array.isArray(value)) value.forEach((v) => walk(v, at));
  };
  walk(toml, '');
  const env = toml.environment as Record<string, unknown> | undefined;
  // "allowlist" is read as a request for the network; its host list is not enforced.
  const phases: Array<[string, unknown]> = [['environment', env], ['agent', toml.agent], ['verifier', toml.verifier]];
  for (const [i, s] of ((toml.steps as unknown[]) ?? []).entries()) phases.push([`steps.${i}.agent`, (s as Record<string, unknown>)?.agent], [`steps.${i}.verifier`, (s as Record<string, unknown>)?.verifier]);
  for (const [where, table] of phases) {
    if ((table as Record<string, unknown> | undefined)?.network_mode === 'allowlist') out.add(`${where}.network_mode = "allowlist" (treated as public: the host allowlist is not enforced)`);
  }
  return [...out].sort();
}

function honoured(p: string): boolean {
  return HONOURED.some((h) => h === p || (h.endsWith('.*') && p.startsWith(h.slice(0, -1))));
}

function isTable(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
