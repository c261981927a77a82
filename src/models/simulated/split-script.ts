/**
 * Splits a shell script into the logical commands an agent would type one at a time: shebang, comments, blank lines
 * and `set -e` are dropped; heredocs, line continuations, quoted newlines and compound commands (if/for/while/until/
 * case/{ }/( )) stay whole. A stateless shell forgets `cd`, variables and functions between calls, so each command is
 * given the state-setting commands before it (cd, assignments, exports, function definitions) as a prelude, the way a
 * careful agent writes `cd /app && make`.
 */
export interface ScriptCommand {
  /** The command alone. */
  body: string;
  /** What to send: the prelude of earlier state-setting commands, then the body. */
  command: string;
}

const OPENERS = new Set(['if', 'case', 'for', 'while', 'until', 'select']);
const CLOSERS = new Set(['fi', 'esac', 'done']);

export function splitScript(script: string): ScriptCommand[] {
  const chunks = logicalChunks(script);
  const prelude: string[] = [];
  const out: ScriptCommand[] = [];
  for (const body of chunks) {
    if (isStateSetting(body)) {
      // A bare `cd`/assignment does nothing visible on its own: it becomes context for what follows.
      prelude.push(body);
      if (/^(cd|export)\b/.test(body) || /^[A-Za-z_][A-Za-z0-9_]*\(\)/.test(body)) continue;
    }
    out.push({ body, command: [...prelude.filter((p) => p !== body), body].join('\n') });
    // `mkdir -p d && cd d && …` moves the shell too: later commands must start there.
    if (!body.startsWith('(')) {
      const cds = [...body.matchAll(/(?:^|&&|;)\s*cd\s+([^\s;&|()]+)/g)];
      if (cds.length) prelude.push(`cd ${cds[cds.length - 1]![1]}`);
    }
  }
  return out;
}

function isStateSetting(chunk: string): boolean {
  return (
    /^cd\s/.test(chunk) ||
    /^export\s/.test(chunk) ||
    /^(declare|local|readonly)\s/.test(chunk) ||
    /^[A-Za-z_][A-Za-z0-9_]*\(\)\s*\{/.test(chunk) ||
    /^[A-Za-z_][A-Za-z0-9_]*=\S*$/.test(chunk.trim()) ||
    /^[A-Za-z_][A-Za-z0-9_]*=\$\(.*\)$/s.test(chunk.trim())
  );
}

export function logicalChunks(script: string): string[] {
  const lines = script.replace(/\r\n/g, '\n').split('\n');
  const chunks: string[] = [];
  let current: string[] = [];
  let heredoc: string | null = null;
  let depth = 0;
  let quote: '"' | "'" | null = null;
  for (const raw of lines) {
    if (heredoc !== null) {
      current.push(raw);
      if (raw.replace(/^\t+/, '') === heredoc) heredoc = null;
      if (heredoc === null && depth === 0 && quote === null && !endsWithContinuation(current)) flush();
      continue;
    }
    const line = raw;
    if (current.length === 0 && quote === null) {
      const t = line.trim();
      if (t === '' || t.startsWith('#') || /^set\s+-[euxo]/.test(t)) continue;
    }
    current.push(line);
    const scan = scanLine(line, quote);
    quote = scan.quote;
    if (scan.heredoc) heredoc = scan.heredoc;
    depth += scan.depthChange;
    if (heredoc === null && depth <= 0 && quote === null && !line.endsWith('\\')) flush();
  }
  if (current.length) flush();
  return chunks;

  function flush(): void {
    const text = current.join('\n').trim();
    if (text) chunks.push(text);
    current = [];
    depth = 0;
  }
}

function endsWithContinuation(lines: string[]): boolean {
  return lines[lines.length - 1]?.endsWith('\\') ?? false;
}

/** Walks one line outside heredoc bodies: quote state, heredoc start, and how block nesting changes. */
function scanLine(line: string, startQuote: '"' | "'" | null): { quote: '"' | "'" | null; heredoc: string | null; depthChange: number } {
  let quote = startQuote;
  let heredoc: string | null = null;
  let depth = 0;
  let word = '';
  let atCommandStart = startQuote === null;
  const endWord = () => {
    if (word) {
      if (atCommandStart && OPENERS.has(word)) depth++;
      else if (CLOSERS.has(word)) depth--;
      else if (word === '{' && atCommandStart) depth++;
      else if (word === '}') depth--;
      atCommandStart = ['then', 'do', 'else', 'elif', '{', '!', 'time'].includes(word) || word.endsWith('()');
    }
    word = '';
  };
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quote) {
      if (c === '\\' && quote === '"') i++;
      else if (c === quote) quote = null;
      continue;
    }
    if (c === '#' && word === '') break;
    if (c === '\\') {
      i++;
      continue;
    }
    if (c === "'" || c === '"') {
      quote = c;
      word += 'q';
      continue;
    }
    if (c === '<' && line[i + 1] === '<' && line[i + 2] !== '<') {
      const m = /^<<-?\s*(['"]?)([A-Za-z_][A-Za-z0-9_]*)\1/.exec(line.slice(i));
      if (m) {
        heredoc = m[2]!;
        i += m[0].length - 1;
        continue;
      }
    }
    if (c === ';' || c === '&' || c === '|' || c === '\n') {
      endWord();
      atCommandStart = true;
      continue;
    }
    if (c === '(' && word === '' && atCommandStart) {
      depth++;
      continue;
    }
    if (c === ')' && depth > 0 && word === '') {
      depth--;
      continue;
    }
    if (c === ' ' || c === '\t') {
      endWord();
      continue;
    }
    word += c;
  }
  endWord();
  return { quote, heredoc, depthChange: depth };
}
