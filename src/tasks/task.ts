/**
 * The one resolved shape every task format is parsed into. Nothing downstream of src/tasks knows which format a
 * task came from. All fields are resolved (no optionals except where "absent" is meaningful).
 */
export type TaskFormat = 'harbor' | 'tb1';

export type TaskEnvironmentSource =
  /** Build `dockerfile` with `contextDir` as the build context (and compose `build.args` as build arguments). */
  | { kind: 'dockerfile'; contextDir: string; dockerfile: string; buildArgs?: Record<string, string> }
  /** Use a prebuilt image (Harbor `[environment].docker_image`). */
  | { kind: 'image'; image: string };

/**
 * A network policy (Harbor's `network_mode`): no network, the public network, or only the listed hosts through hbench's
 * egress proxy. Host patterns are lower-case names, IP addresses, or `*.example.com` (any subdomain, not the apex).
 */
export type NetworkPolicy = 'none' | 'bridge' | { mode: 'allowlist'; hosts: string[] };

export interface TaskEnvironment {
  source: TaskEnvironmentSource;
  /** Hash of everything that goes into the image: the key of the image cache. */
  contentHash: string;
  cpus: number;
  memoryMb: number;
  pidsLimit: number;
  /**
   * Cap on what the sandbox writes to its own filesystem (Harbor's storage_mb): enforced by the engine where its
   * storage driver can (overlay2 on xfs with pquota), else by hbench sampling the writable layer during the agent phase.
   */
  storageMb: number;
  buildTimeoutSec: number;
  /** Working directory for agent, solution and verifier; null = the image's own WORKDIR. */
  workdir: string | null;
  env: Record<string, string>;
  /** The network the container starts on: `none` unless the task asks for network access (in any phase). */
  network: NetworkPolicy;
  /**
   * A multi-container task (a compose file with services beside the main one); absent or null = one container.
   * The main service's image is `source`, its environment and working directory are merged into `env`/`workdir`.
   */
  services?: TaskServices | null;
}

/** The services of a multi-container task, resolved from its compose file (see tasks/compose.ts). */
export interface TaskServices {
  /** The compose file, for messages. */
  file: string;
  /** The service the agent, solution and verifier run in (Harbor: `main`; Terminal-Bench 1: `client`). */
  main: string;
  /** Every service, main included, in start order: each after the services it depends on. */
  services: ComposeService[];
}

export interface ComposeService {
  name: string;
  /** Host names the other services reach it by on the trial's network: its name, container_name, hostname. */
  aliases: string[];
  /** Its image; for the main service the environment's `source` is used instead. */
  source: TaskEnvironmentSource;
  /** Key of the image cache for a built image. */
  contentHash: string;
  /** argv; null = the image's own. */
  entrypoint: string[] | null;
  command: string[] | null;
  env: Record<string, string>;
  workdir: string | null;
  user: string | null;
  hostname: string | null;
  labels: Record<string, string>;
  /** `deploy.resources.limits`; null = no limit. */
  cpus: number | null;
  memoryMb: number | null;
  dependsOn: ServiceDependency[];
  /** null = the image's own HEALTHCHECK (if any). */
  healthcheck: ServiceHealthcheck | null;
}

export interface ServiceDependency {
  service: string;
  condition: 'service_started' | 'service_healthy' | 'service_completed_successfully';
}

/** Docker's container healthcheck, as compose writes it. */
export interface ServiceHealthcheck {
  /** Docker's form: ['CMD', ...argv], ['CMD-SHELL', line] or ['NONE']; null = the image's test with these timings. */
  test: string[] | null;
  intervalSec: number;
  timeoutSec: number;
  retries: number;
  startPeriodSec: number;
}

/** How a verifier run is turned into a reward. */
export type RewardSource =
  /** Harbor: /logs/verifier/reward.json (numbers) or /logs/verifier/reward.txt (a float). */
  | 'reward-file'
  /** Terminal-Bench 1: the pytest summary in the test output must show every test passed. */
  | 'pytest-summary';

export interface TaskVerifier {
  timeoutSec: number;
  env: Record<string, string>;
  /** User (name or uid) the verifier runs as; null = the image's default user. */
  user: string | null;
  /** Host folders uploaded to /tests in order; later ones override same-named files. */
  testsDirs: string[];
  /** Extra single files uploaded to /tests (TB1's run-tests.sh): [host path, name in /tests]. */
  testsFiles: Array<[string, string]>;
  /** The command run in the container (argv). */
  command: string[];
  rewardSource: RewardSource;
}

export type TaskSolution =
  /** Upload `dir` (or only `script` when `scriptOnly`) to /solution and run `script` (relative to it) with bash. */
  | { kind: 'script'; dir: string; script: string; scriptOnly: boolean; env: Record<string, string> }
  /** Run each command in turn (TB1 solution.yaml). */
  | { kind: 'commands'; commands: string[]; env: Record<string, string> };

/** A one-shot readiness gate (Harbor's `healthcheck`): run until it passes, with Docker's start-period semantics. */
export interface Healthcheck {
  command: string;
  intervalSec: number;
  timeoutSec: number;
  /** Failures during this long after the gate starts do not count against `retries`. */
  startPeriodSec: number;
  /** Interval between checks during the start period. */
  startIntervalSec: number;
  /** Consecutive failures (after the start period) that fail the gate. */
  retries: number;
}

/** A file or folder to copy out of the container after the agent ran (Harbor's `artifacts`). */
export interface ArtifactSpec {
  /** Absolute path in the container. */
  source: string;
  /** Path under the trial's artifacts/ folder. */
  destination: string;
  /** Globs (relative to a folder source) left out. */
  exclude: string[];
}

export interface TaskStep {
  /** `main` for a single-step task. */
  name: string;
  instruction: string;
  agentTimeoutSec: number;
  verifier: TaskVerifier;
  solution: TaskSolution | null;
  /** Host folder whose files are copied into the working directory before the step starts. */
  workdirFiles: string | null;
  /** Stop the trial early when this step's reward is below this value. */
  minReward: number | null;
  /** Gate run before this step's agent starts. */
  healthcheck: Healthcheck | null;
  /** Collected after this step's agent phase. */
  artifacts: ArtifactSpec[];
  /** Network during the agent phase and during verification (Harbor's per-phase network_mode); null = the environment's. */
  agentNetwork: NetworkPolicy | null;
  verifierNetwork: NetworkPolicy | null;
}

export interface Task {
  /** Folder name; unique within a suite. */
  id: string;
  dir: string;
  format: TaskFormat;
  /** The file the task was read from (task.toml / task.yaml), for messages. */
  configFile: string;
  description: string;
  metadata: Record<string, unknown>;
  environment: TaskEnvironment;
  /** Gate run once after the environment starts, before the agent. */
  healthcheck: Healthcheck | null;
  /** Collected after the last step's agent phase. */
  artifacts: ArtifactSpec[];
  /** The separate verifier's own environment (`[verifier.environment]`); null = a fresh container of the task's. */
  verifierEnvironment: TaskEnvironment | null;
  /** Where the task asks to be verified (Harbor's `[verifier] environment_mode`); null = as the run says. */
  verifierMode: 'shared' | 'separate' | null;
  steps: TaskStep[];
  multiStep: boolean;
  /** How step rewards roll up into the trial reward (Harbor's multi_step_reward_strategy). */
  rewardStrategy: 'mean' | 'final';
  /** Hash of every file of the task: a resumed run refuses when it changed. */
  contentHash: string;
  /** Fields (or files) of the task that are read but not honoured; a run warns about each. */
  unhonoured: string[];
}
