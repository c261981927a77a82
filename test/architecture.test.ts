import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../src/test-support/cli.js';
import { checkFile, checkImports, importsOf } from '../src/test-support/import-rules.js';

const SRC = path.join(ROOT, 'src');

describe('architecture: which layer may import which', () => {
  it('src/ follows the layer table, dockerode stays in sandbox/ and vendor SDKs in models/', async () => {
    const violations = await checkImports(SRC);
    expect(violations.map((v) => `${v.file}: ${v.specifier}: ${v.reason}`)).toEqual([]);
  });

  it('fails on a forbidden import (so the check above can fail)', () => {
    const file = path.join(SRC, 'scoring/new-metric.ts');
    expect(checkFile(SRC, file, "import { runTrial } from '../runner/trial.js';\n")).toEqual([
      { file: 'scoring/new-metric.ts', specifier: '../runner/trial.js', reason: 'scoring/ may not import runner/' },
    ]);
    expect(checkFile(SRC, path.join(SRC, 'runner/x.ts'), "import Docker from 'dockerode';")[0]?.reason).toBe('only sandbox/ may import dockerode');
    expect(checkFile(SRC, path.join(SRC, 'harness/x.ts'), "import OpenAI from 'openai';")[0]?.reason).toBe('only models/ may import openai');
    expect(checkFile(SRC, path.join(SRC, 'cli/x.ts'), "import type { Message } from '@anthropic-ai/sdk/resources';")[0]?.reason).toBe('only models/ may import @anthropic-ai/sdk');
    expect(checkFile(SRC, path.join(SRC, 'newlayer/x.ts'), '')[0]?.reason).toMatch(/not in the layer table/);
    expect(checkFile(SRC, path.join(SRC, 'runner/x.ts'), "import { tempDir } from '../test-support/cli.js';")[0]?.reason).toBe('runner/ may not import test-support/');
    expect(checkFile(SRC, path.join(SRC, 'runner/x.test.ts'), "import { tempDir } from '../test-support/cli.js';")).toEqual([]);
  });

  it('reads every form of import', () => {
    const src = [
      "import a from './a.js';",
      "import type { B } from '../b.js';",
      "export { c } from './c.js';",
      "import './side-effect.js';",
      "const d = await import('../d.js');",
      'import {\n  e,\n  f,\n} from "./ef.js";',
    ].join('\n');
    expect(importsOf(src)).toEqual(['./a.js', '../b.js', './c.js', './ef.js', '../d.js', './side-effect.js'].sort((x, y) => src.indexOf(x) - src.indexOf(y)));
  });
});
