/**
 * Ctrl+C: the first stops gracefully (abort the run signal: nothing new starts, running trials are stopped and
 * cleaned up, what is done is written); the second exits at once (a later run sweeps what is left).
 */
export function installInterruptHandler(onFirst: () => void): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  let count = 0;
  const handler = () => {
    count++;
    if (count === 1) {
      controller.abort();
      onFirst();
    } else {
      process.stderr.write('\nSecond interrupt: exiting now; leftover containers are removed by the next hbench run or `hbench cleanup`.\n');
      process.exit(130);
    }
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return {
    signal: controller.signal,
    dispose: () => {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    },
  };
}
