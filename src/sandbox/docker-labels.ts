/**
 * Every container and network hbench creates carries these labels, so a later start can sweep what a killed
 * process left behind: a resource whose owning process (host + pid + process start time) is gone is an orphan.
 */
export const LABEL = {
  managed: 'dev.hbench.managed',
  run: 'dev.hbench.run',
  owner: 'dev.hbench.owner',
  task: 'dev.hbench.task',
  trial: 'dev.hbench.trial',
  envHash: 'dev.hbench.env-hash',
  /** The compose service a container runs (multi-container tasks). */
  service: 'dev.hbench.service',
} as const;

// Process identity is not Docker's: it lives in common/ (the results-folder lock uses it too).
export { ownerAlive, ownerId } from '../common/process-owner.js';
