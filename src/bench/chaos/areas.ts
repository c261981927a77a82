/** The areas of `npm run chaos`, by name: each measures its figures in the run and throws when a check fails. */
import type { ChaosFigure } from './figure.js';
import { badInputChaos } from './bad-input.js';
import { engineChaos } from './engine.js';
import { hostileChaos } from './hostile.js';
import { killsChaos } from './kills.js';
import { loadChaos } from './load.js';
import { memoryChaos } from './memory.js';
import { modelFaultsChaos } from './model-faults.js';
import { storageChaos } from './storage.js';

export const AREAS: Record<string, () => Promise<ChaosFigure[]>> = {
  load: loadChaos,
  memory: memoryChaos,
  kills: killsChaos,
  'model-faults': modelFaultsChaos,
  storage: storageChaos,
  hostile: hostileChaos,
  engine: engineChaos,
  'bad-input': badInputChaos,
};
