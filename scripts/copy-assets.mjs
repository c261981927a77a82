// tsc compiles only TypeScript: the report page's plain browser files are copied beside the compiled code.
import { cpSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
cpSync(`${root}src/report/html/assets`, `${root}dist/report/html/assets`, { recursive: true });
