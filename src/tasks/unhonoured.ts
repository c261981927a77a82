/**
 * Fields of Harbor's task.toml that hbench reads past without honouring (GPUs, MCP servers, …). A run warns about each
 * once, naming the task and the field — never silently.
 */

/** Paths hbench honours; `*` matches any key (informational tables are honoured by being recorded). */
const HONOURED = [
  'schema_version', 'version', 'task.*', 'metadata.*', 'source', 'multi_step_reward_strategy', 'artifacts', 'steps.artifacts',
  'agent.timeout_sec', 'agent.network_mode', 'verifier.network_mode', 'steps.agent.network_mode', 'steps.verifier.network_mode',
  'agent.allowed_hosts', 'verifier.allowed_hosts', 'steps.agent.allowed_hosts', 'steps.verifier.allowed_hosts', 'environment.allowed_hosts',
  'verifier.timeout_sec', 'verifier.env.*', 'verifier.user', 'verifier.environment_mode', 'verifier.environment.docker_image', 'verifier.environment.build_timeout_sec', 'verifier.environment.cpus', 'verifier.environment.memory_mb', 'verifier.environment.pids_limit', 'verifier.environment.env.*',
  'solution.env.*',
  'environment.build_timeout_sec', 'environment.docker_image', 'environment.cpus', 'environment.memory_mb', 'environment.memory',
  'environment.pids_limit', 'environment.storage_mb', 'environment.allow_internet', 'environment.network_mode', 'environment.workdir', 'environment.env.*', 'environment.healthcheck.*',
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
  return [...out].sort();
}

function honoured(p: string): boolean {
  return HONOURED.some((h) => h === p || (h.endsWith('.*') && p.startsWith(h.slice(0, -1))));
}

function isTable(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
