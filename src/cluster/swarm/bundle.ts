/**
 * The suite a swarm run ships to its workers through the hub: the task folder, the harness folder, and the folders of
 * harness files named by path and of the price file. The run's configuration is rewritten to point into the bundle,
 * so every worker resolves the same files (and so the same content hashes) wherever it runs.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { entriesFromDir, packEntries, type TarEntry } from '../../common/tar.js';
import type { RunConfig } from '../../records/run-record.js';

export interface Bundle {
  gz: Buffer;
  /** The configuration with paths relative to the bundle's root. */
  config: RunConfig;
  harnessDir: string;
}

export async function makeBundle(config: RunConfig, harnessDir: string): Promise<Bundle> {
  const entries: TarEntry[] = [...(await entriesFromDir(config.tasksDir, 'tasks'))];
  const absHarnessDir = path.resolve(harnessDir);
  if (existsSync(absHarnessDir)) entries.push(...(await entriesFromDir(absHarnessDir, 'harnesses')));
  const harnessSpecs: string[] = [];
  for (const [i, spec] of config.harnessSpecs.entries()) {
    if (!(spec.includes('/') || /\.ya?ml$/.test(spec))) {
      harnessSpecs.push(spec);
      continue;
    }
    // The whole folder: a layered agent may extend a sibling file, a command harness mount one.
    const file = path.resolve(spec);
    entries.push(...(await entriesFromDir(path.dirname(file), `harness-files/${i}`)));
    harnessSpecs.push(`harness-files/${i}/${path.basename(file)}`);
  }
  let model = config.model;
  if (model?.priceFile) {
    entries.push(...(await entriesFromDir(path.dirname(model.priceFile), 'price')));
    model = { ...model, priceFile: `price/${path.basename(model.priceFile)}` };
  }
  return { gz: gzipSync(await packEntries(entries)), config: { ...config, tasksDir: 'tasks', harnessSpecs, model }, harnessDir: 'harnesses' };
}

/** The bundle's configuration made absolute under the folder a worker unpacked it in. */
export function rebase(config: RunConfig, root: string): RunConfig {
  return {
    ...config,
    tasksDir: path.join(root, config.tasksDir),
    harnessSpecs: config.harnessSpecs.map((s) => (s.startsWith('harness-files/') ? path.join(root, s) : s)),
    model: config.model?.priceFile ? { ...config.model, priceFile: path.join(root, config.model.priceFile) } : config.model,
  };
}
