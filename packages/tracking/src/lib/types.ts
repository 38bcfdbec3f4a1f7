/** Entity shapes shared by both backends; field names follow MLflow's REST API (mlflow/protos/service.proto). */

export type RunStatus = 'RUNNING' | 'SCHEDULED' | 'FINISHED' | 'FAILED' | 'KILLED';
export type EndStatus = 'FINISHED' | 'FAILED' | 'KILLED';

/** RunStatus as the FileStore persists it in meta.yaml (the proto enum's integers). */
export const RUN_STATUS_CODE: Record<RunStatus, number> = {
  RUNNING: 1,
  SCHEDULED: 2,
  FINISHED: 3,
  FAILED: 4,
  KILLED: 5,
};

/**
 * A persisted status (an integer) as its name. A missing status reads as RUNNING, as MLflow reads it; any other
 * value (`banana`, 42) is an error, as MLflow's RunStatus.to_string raises: showing it as RUNNING would lie.
 */
export function runStatusFromCode(code: unknown): RunStatus {
  if (code === undefined || code === null) return 'RUNNING';
  for (const [name, value] of Object.entries(RUN_STATUS_CODE)) if (value === code) return name as RunStatus;
  throw new Error(
    `unknown run status ${JSON.stringify(code)} (expected one of ${Object.values(RUN_STATUS_CODE).join(', ')})`,
  );
}

export interface Experiment {
  experimentId: string;
  name: string;
  artifactLocation: string;
  lifecycleStage: 'active' | 'deleted';
  creationTime?: number;
  lastUpdateTime?: number;
}

export interface RunInfo {
  runId: string;
  runName: string;
  experimentId: string;
  userId: string;
  status: RunStatus;
  startTime: number;
  endTime: number | null;
  artifactUri: string;
  lifecycleStage: 'active' | 'deleted';
}

export interface Metric {
  key: string;
  value: number;
  timestamp: number;
  step: number;
}

/** A run read back: its info, params, the latest value of each metric (as MLflow picks it) and its tags. */
export interface RunRecord {
  info: RunInfo;
  params: Record<string, string>;
  metrics: Record<string, number>;
  tags: Record<string, string>;
}

/** One batch of writes to a run (what MLflow's runs/log-batch carries). */
export interface RunBatch {
  metrics?: Metric[];
  params?: Array<{ key: string; value: string }>;
  tags?: Array<{ key: string; value: string }>;
}

/** What a backend must do. The file store and the REST client implement it. */
export interface TrackingStore {
  readonly kind: 'file' | 'rest';
  /** A human description of where runs go (a path or a URL), for logs. */
  readonly location: string;
  getExperimentByName(name: string): Promise<Experiment | undefined>;
  /** Get the experiment with this name, creating it when absent; safe when several processes race. */
  getOrCreateExperiment(name: string): Promise<Experiment>;
  listExperiments(): Promise<Experiment[]>;
  createRun(input: {
    experimentId: string;
    runName: string;
    userId: string;
    startTime: number;
    tags: Array<{ key: string; value: string }>;
  }): Promise<RunInfo>;
  logBatch(runId: string, batch: RunBatch): Promise<void>;
  updateRun(runId: string, status: RunStatus, endTime: number): Promise<void>;
  /** Copy a local file into the run's artifacts under `artifactPath` (a relative POSIX path of the target file). */
  logArtifactFile(run: RunInfo, localFile: string, artifactPath: string): Promise<void>;
  getRun(runId: string): Promise<RunRecord | undefined>;
  searchRuns(experimentId: string): Promise<RunRecord[]>;
  getMetricHistory(runId: string, key: string): Promise<Metric[]>;
}
