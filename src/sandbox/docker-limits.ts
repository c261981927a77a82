/** What keeps one container from filling the engine's disk: its log's cap and, where the engine can, a storage cap. */
import type Docker from 'dockerode';

/**
 * The engine's log of a container's main process (an image's ENTRYPOINT, a service) is kept small: hbench reads only
 * its last lines, and a main process printing gigabytes must not fill the engine's disk.
 */
export const CONTAINER_LOG: Docker.HostConfig['LogConfig'] = { Type: 'json-file', Config: { 'max-size': '1m', 'max-file': '1' } };

/**
 * Whether the engine's storage driver caps a container's writable layer (`HostConfig.StorageOpt.size`): btrfs and zfs
 * do, overlay2 only on xfs mounted with pquota (which `docker info` does not show: a refused create says so).
 */
export function storageOptSupported(info: { Driver?: string; DriverStatus?: Array<[string, string]> }): boolean {
  if (info.Driver === 'btrfs' || info.Driver === 'zfs') return true;
  const backing = info.DriverStatus?.find(([k]) => k === 'Backing Filesystem')?.[1];
  return info.Driver === 'overlay2' && backing === 'xfs';
}
