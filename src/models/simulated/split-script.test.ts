import { describe, expect, it } from 'vitest';
import { logicalChunks, splitScript } from './split-script.js';

describe('splitScript', () => {
  it('drops shebang, comments, blanks and set -e; keeps one command per line', () => {
    expect(logicalChunks('#!/bin/bash\nset -euo pipefail\n# hi\n\necho a\necho b # trailing\n')).toEqual(['echo a', 'echo b # trailing']);
  });

  it('keeps heredocs, continuations, quoted newlines and compound commands whole', () => {
    const script = [
      "cat > f.txt <<'EOF'",
      'if this is text',
      'EOF',
      'python3 - <<PY',
      'print(1)',
      'PY',
      'make \\',
      '  all',
      "echo 'two",
      "lines'",
      'for f in a b; do',
      '  if [ -n "$f" ]; then echo "$f"; fi',
      'done',
      'move() {',
      '  mv "$1" "$2"',
      '}',
      'while read -r l; do echo "$l"; done < x',
      '( cd /tmp && ls )',
    ].join('\n');
    expect(logicalChunks(script)).toEqual([
      "cat > f.txt <<'EOF'\nif this is text\nEOF",
      'python3 - <<PY\nprint(1)\nPY',
      'make \\\n  all',
      "echo 'two\nlines'",
      'for f in a b; do\n  if [ -n "$f" ]; then echo "$f"; fi\ndone',
      'move() {\n  mv "$1" "$2"\n}',
      'while read -r l; do echo "$l"; done < x',
      '( cd /tmp && ls )',
    ]);
  });

  it('carries cd, variables and functions forward as a prelude', () => {
    const cmds = splitScript('cd /app/repo\nbad=$(git log --format=%H -1)\ngit revert --no-edit "$bad"\nmake\n');
    expect(cmds.map((c) => c.body)).toEqual(['bad=$(git log --format=%H -1)', 'git revert --no-edit "$bad"', 'make']);
    expect(cmds[1]!.command).toBe('cd /app/repo\nbad=$(git log --format=%H -1)\ngit revert --no-edit "$bad"');
    expect(cmds[2]!.command).toBe('cd /app/repo\nbad=$(git log --format=%H -1)\nmake');
  });
});
