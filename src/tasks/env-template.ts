/**
 * Harbor's env tables allow `${VAR}` and `${VAR:-default}`, resolved from the host at run time.
 */
export function resolveEnvTemplates(
  table: Record<string, string>,
  hostEnv: NodeJS.ProcessEnv,
  onMissing: (key: string, variable: string) => never,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, raw] of Object.entries(table)) {
    out[key] = raw.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g, (_m, name: string, fallback?: string) => {
      const value = hostEnv[name];
      if (value !== undefined && value !== '') return value;
      if (fallback !== undefined) return fallback;
      return onMissing(key, name);
    });
  }
  return out;
}
