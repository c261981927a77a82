/**
 * The raw Docker floor of one trial, for the overhead benchmark: create, start, one exec, remove — nothing else.
 * Lives here because only src/sandbox talks to dockerode (an architecture test checks it).
 */
import Docker from 'dockerode';

export async function rawDockerTrial(image: string, docker: Docker = new Docker()): Promise<number> {
  const started = performance.now();
  const container = await docker.createContainer({ Image: image, Entrypoint: ['sh', '-c'], Cmd: ['while :; do sleep 86400 & wait $!; done'], HostConfig: { NetworkMode: 'none' } });
  await container.start();
  const exec = await container.exec({ Cmd: ['true'], AttachStdout: true, AttachStderr: true });
  const stream = await exec.start({ hijack: true, stdin: false });
  stream.resume();
  await new Promise<void>((resolve) => stream.on('end', resolve));
  await exec.inspect();
  await container.remove({ force: true, v: true });
  return performance.now() - started;
}
