/**
 * Splits a shell script (a task's solve.sh) into logical commands, the way an agent would type them one at a time.
 * Dropped: the shebang, comment lines, blank lines and `set -e`-style lines. Kept together as one command:
 * heredocs, quoted strings spanning lines, line continuations (`\`, or a line ending in `|`, `&&`, `||`),
 * `$( … )` spanning lines, and compound commands (if/for/while/until/select/case, `{ … }`, `( … )`, functions),
 * tracked with a small keyword/bracket stack. Not a full shell parser: good enough for real-world solve.sh files.
 */

const OPENERS: Record<string, string> = { if: 'fi', for: 'done', while: 'done', until: 'done', select: 'done', case: 'esac' };
const CLOSERS = new Set(['fi', 'done', 'esac']);
/** After these words the next word is again in command position. */
const LEADS = new Set(['then', 'do', 'else', 'elif', '!', 'time', 'if', 'while', 'until']);

interface Heredoc {
  delimiter: string;
  stripTabs: boolean;
}

interface State {
  quote: "'" | '"' | '`' | null;
  /** Expected closers, innermost last: `fi`, `done`, `esac`, `}`, `)`. */
  stack: string[];
  heredocs: Heredoc[];
}

const SET_E = /^set\s+(?:-[a-zA-Z]+|\+[a-zA-Z]+|-o\s+pipefail|\s)+$/;

export function splitShellScript(script: string): string[] {
  const lines = script.replace(/\r\n/g, '\n').split('\n');
  const commands: string[] = [];
  const st: State = { quote: null, stack: [], heredocs: [] };
  let buf: string[] = [];
  let inHeredoc: Heredoc | null = null;

  const flush = () => {
    const text = buf.join('\n').replace(/\s+$/, '');
    buf = [];
    if (text.trim() === '' || SET_E.test(text.trim())) return;
    commands.push(text.replace(/^\s+/, ''));
  };

  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (inHeredoc) {
      buf.push(line);
      const probe = inHeredoc.stripTabs ? line.replace(/^\t+/, '') : line;
      if (probe === inHeredoc.delimiter) inHeredoc = st.heredocs.shift() ?? null;
      if (!inHeredoc && isComplete(st, false)) flush();
      continue;
    }
    const atTop = buf.length === 0;
    if (atTop && i === 0 && line.startsWith('#!')) continue;
    if (atTop && (line.trim() === '' || line.trim().startsWith('#'))) continue;
    buf.push(line);
    const continued = scanLine(line, st);
    if (st.heredocs.length) {
      inHeredoc = st.heredocs.shift()!;
      continue;
    }
    if (isComplete(st, continued)) flush();
  }
  if (buf.length) flush();
  return commands;
}

function isComplete(st: State, continued: boolean): boolean {
  return !continued && st.quote === null && st.stack.length === 0 && st.heredocs.length === 0;
}

/**
 * Scans one line, updating quotes, the compound-command stack and pending heredocs.
 * Returns true when the line continues onto the next (trailing `\`, `|`, `&&`, `||`).
 */
function scanLine(line: string, st: State): boolean {
  let word = '';
  let commandPos = true;
  let lastToken = '';
  let sawComment = false;
  const inCase = () => st.stack[st.stack.length - 1] === 'esac';

  const endWord = () => {
    if (word === '') return;
    const w = word;
    word = '';
    lastToken = w;
    if (inCase()) {
      // Inside a case body only its end (and nested cases) matter; patterns and bodies are kept as they are.
      if (w === 'esac') st.stack.pop();
      else if (w === 'case') st.stack.push('esac');
      return;
    }
    if (commandPos && Object.hasOwn(OPENERS, w)) {
      st.stack.push(OPENERS[w]!);
      commandPos = true;
      return;
    }
    if (commandPos && CLOSERS.has(w) && st.stack[st.stack.length - 1] === w) {
      st.stack.pop();
      commandPos = false;
      return;
    }
    commandPos = LEADS.has(w);
  };

  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (st.quote === "'") {
      if (c === "'") st.quote = null;
      continue;
    }
    if (st.quote === '"' || st.quote === '`') {
      if (c === '\\') i++;
      else if (c === st.quote) st.quote = null;
      continue;
    }
    if (c === '\\') {
      if (i === line.length - 1) {
        endWord();
        return true;
      }
      word += c + line[i + 1];
      i++;
      continue;
    }
    if (c === "'" || c === '"' || c === '`') {
      st.quote = c;
      word += c;
      continue;
    }
    if (c === '#' && word === '') {
      sawComment = true;
      break;
    }
    if (c === ' ' || c === '\t') {
      endWord();
      continue;
    }
    if (c === '<' && line[i + 1] === '<' && line[i + 2] !== '<') {
      endWord();
      let j = i + 2;
      let stripTabs = false;
      if (line[j] === '-') {
        stripTabs = true;
        j++;
      }
      while (line[j] === ' ' || line[j] === '\t') j++;
      const m = /^(?:'([^']*)'|"([^"]*)"|\\?([A-Za-z0-9_.-]+))/.exec(line.slice(j));
      if (m) {
        st.heredocs.push({ delimiter: m[1] ?? m[2] ?? m[3]!, stripTabs });
        i = j + m[0].length - 1;
      } else {
        i = j - 1;
      }
      commandPos = false;
      continue;
    }
    if (c === '$' && line[i + 1] === '(') {
      word += '$(';
      i++;
      if (!inCase()) st.stack.push(')');
      continue;
    }
    if (c === '(') {
      // `name()` of a function definition, `=(` of an array, `((` arithmetic and `<(` all close on the same line
      // in practice; only their balance matters.
      endWord();
      if (!inCase()) st.stack.push(')');
      commandPos = true;
      continue;
    }
    if (c === ')') {
      endWord();
      if (!inCase() && st.stack[st.stack.length - 1] === ')') st.stack.pop();
      commandPos = false;
      continue;
    }
    if (c === ';' || c === '&' || c === '|') {
      endWord();
      lastToken = c;
      commandPos = true;
      continue;
    }
    if ((c === '{' || c === '}') && word === '' && /[\s;&|)]/.test(line[i + 1] ?? ' ') && !inCase()) {
      // A group or function body: `{` opens wherever it stands as a word (e.g. after `name()`), `}` closes one.
      if (c === '{') st.stack.push('}');
      else if (st.stack[st.stack.length - 1] === '}') st.stack.pop();
      lastToken = c;
      commandPos = c === '{';
      continue;
    }
    word += c;
  }
  endWord();
  if (st.quote !== null) return false;
  const trimmed = sawComment ? '' : line.trimEnd();
  return /(\|\||&&|\|)$/.test(trimmed) || (sawComment && (lastToken === '|' || lastToken === '&') && /(\|\||&&|\|)\s*#/.test(line));
}
