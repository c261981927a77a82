/**
 * The images a Dockerfile starts `FROM`, read the way the builder reads them: line continuations and comments,
 * `ARG` defaults declared before the first `FROM` (overridden by build args), `--platform=…` flags, and stages that
 * start from an earlier stage (`FROM build AS final`) or from `scratch` left out. An environment image is reused only
 * while these images keep the ids they had when it was built.
 */

/** Base image references in order of first use, without duplicates. */
export function dockerfileBases(text: string, buildArgs: Record<string, string> = {}): string[] {
  const args: Record<string, string> = {};
  const stages = new Set<string>();
  const bases: string[] = [];
  let seenFrom = false;
  let escape = '\\';
  for (const line of logicalLines(text, (c) => (escape = c))) {
    const m = /^(\w+)\s*(.*)$/s.exec(line);
    if (!m) continue;
    const instruction = m[1]!.toUpperCase();
    const rest = m[2]!.trim();
    if (instruction === 'ARG' && !seenFrom) {
      for (const decl of rest.split(/\s+/)) {
        const eq = decl.indexOf('=');
        const name = eq < 0 ? decl : decl.slice(0, eq);
        const value = eq < 0 ? undefined : unquote(decl.slice(eq + 1));
        const given = buildArgs[name];
        if (given !== undefined) args[name] = given;
        else if (value !== undefined) args[name] = value;
      }
      continue;
    }
    if (instruction !== 'FROM') continue;
    seenFrom = true;
    const words = rest.split(/\s+/).filter((w) => !w.startsWith('--'));
    const image = substitute(words[0] ?? '', args);
    const alias = words[1]?.toUpperCase() === 'AS' ? words[2]?.toLowerCase() : undefined;
    if (image && image.toLowerCase() !== 'scratch' && !stages.has(image.toLowerCase()) && !bases.includes(image)) bases.push(image);
    if (alias) stages.add(alias);
  }
  return bases;
}

/** Joins continued lines and drops comments and blank lines; honours a `# escape=` parser directive. */
function logicalLines(text: string, onEscape: (c: string) => void): string[] {
  const raw = text.replace(/\r\n?/g, '\n').split('\n');
  let escape = '\\';
  // Parser directives: only at the very top, before any instruction, comment or blank line.
  for (const line of raw) {
    const d = /^#\s*(\w+)\s*=\s*(\S+)\s*$/.exec(line);
    if (!d) break;
    if (d[1]!.toLowerCase() === 'escape' && (d[2] === '`' || d[2] === '\\')) escape = d[2]!;
  }
  onEscape(escape);
  const out: string[] = [];
  let current = '';
  for (const line of raw) {
    const trimmed = line.trim();
    if (current === '' && (trimmed === '' || trimmed.startsWith('#'))) continue;
    if (current !== '' && trimmed.startsWith('#')) continue; // comments inside a continued instruction
    if (trimmed.endsWith(escape)) {
      current += `${trimmed.slice(0, -1)} `;
      continue;
    }
    out.push(`${current}${trimmed}`.trim());
    current = '';
  }
  if (current.trim()) out.push(current.trim());
  return out;
}

/** `$NAME`, `${NAME}`, `${NAME:-default}` and `${NAME:+alt}`, as the builder expands them in FROM. */
function substitute(word: string, args: Record<string, string>): string {
  return word.replace(/\$(?:\{(\w+)(?::([-+])([^}]*))?\}|(\w+))/g, (_all, braced: string | undefined, op: string | undefined, alt: string | undefined, bare: string | undefined) => {
    const name = braced ?? bare!;
    const value = args[name];
    if (op === '-') return value ? value : (alt ?? '');
    if (op === '+') return value ? (alt ?? '') : '';
    return value ?? '';
  });
}

function unquote(v: string): string {
  return /^(["']).*\1$/.test(v) ? v.slice(1, -1) : v;
}
