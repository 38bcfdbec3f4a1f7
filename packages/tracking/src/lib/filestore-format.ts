/**
 * The bytes of MLflow's FileStore (mlflow/store/tracking/file_store.py), as pure functions:
 * experiment and run `meta.yaml` (PyYAML safe_dump, keys sorted, `default_flow_style=False`), metric lines
 * `<timestamp_ms> <value> <step>` with the value in Python repr, and the experiment id generator's shape.
 */
import { createHash } from 'node:crypto';
import { formatPythonFloat } from '@mlops/core';
import { Scalar, parse, stringify } from 'yaml';
import { RUN_STATUS_CODE, runStatusFromCode, type Experiment, type Metric, type RunInfo } from './types.js';

/**
 * PyYAML's dump of a flat mapping with sorted keys, as MLflow's write_yaml makes it: `yaml` in YAML 1.1 mode, so a
 * string PyYAML would read back as another type (yes/no/on/off, dates, 0b11, 1_000, 1:20) is single-quoted as
 * PyYAML quotes it; a string with a character PyYAML does not print plainly (a tab) is double-quoted; `=` and `<<`
 * (YAML 1.1's value and merge keys) are single-quoted. Checked against PyYAML 6 dumps of 78 values
 * (tests/fixtures/pyyaml-scalars.json): byte-identical except a few that `yaml` quotes and PyYAML leaves plain
 * (1e3, y/n), which read back as the same strings.
 */
export function dumpPyYaml(data: Record<string, unknown>): string {
  let out = '';
  for (const key of Object.keys(data).sort()) {
    const value = data[key];
    if (value === '=' || value === '<<') {
      out += `${key}: '${value}'\n`;
      continue;
    }
    let node: unknown = value;
    if (typeof value === 'string' && NOT_PLAIN_PRINTABLE.test(value)) {
      const scalar = new Scalar(value);
      scalar.type = 'QUOTE_DOUBLE';
      node = scalar;
    }
    out += stringify(
      { [key]: node },
      {
        version: '1.1',
        singleQuote: true,
        lineWidth: 0,
        nullStr: 'null',
        indentSeq: false,
        defaultStringType: 'PLAIN',
        defaultKeyType: 'PLAIN',
      },
    );
  }
  return out;
}

/** Characters outside PyYAML's printable set (a tab, control characters): PyYAML double-quotes such a string. */
const NOT_PLAIN_PRINTABLE = /[^\n\x20-\x7E\x85\xA0-\uD7FF\uE000-\uFFFD]/u;

export function experimentMetaYaml(exp: Required<Experiment>): string {
  // dict(Experiment) minus `tags` (tags live in <exp>/tags/<key>).
  return dumpPyYaml({
    artifact_location: exp.artifactLocation,
    creation_time: exp.creationTime,
    experiment_id: exp.experimentId,
    last_update_time: exp.lastUpdateTime,
    lifecycle_stage: exp.lifecycleStage,
    name: exp.name,
  });
}

/**
 * `_make_persisted_run_info_dict`: RunInfo's fields, status as its integer, plus the legacy keys older readers need.
 * `deleted_time: null` is written only when the run is created (create_run adds it; later overwrites do not).
 */
export function runMetaYaml(info: RunInfo, options: { withDeletedTime?: boolean } = {}): string {
  const data: Record<string, unknown> = {
    artifact_uri: info.artifactUri,
    end_time: info.endTime,
    entry_point_name: '',
    experiment_id: info.experimentId,
    lifecycle_stage: info.lifecycleStage,
    run_id: info.runId,
    run_name: info.runName,
    run_uuid: info.runId,
    source_name: '',
    source_type: 4,
    source_version: '',
    start_time: info.startTime,
    status: RUN_STATUS_CODE[info.status],
    tags: [],
    user_id: info.userId,
  };
  if (options.withDeletedTime) data['deleted_time'] = null;
  return dumpPyYaml(data);
}

function asString(v: unknown): string {
  return v === null || v === undefined ? '' : String(v);
}

function asNumberOrUndefined(v: unknown): number | undefined {
  return typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : undefined;
}

/**
 * Parse an experiment meta.yaml (legacy integer ids are read as strings, as MLflow does). meta.yaml files are
 * PyYAML's, so they are read as YAML 1.1, as PyYAML reads them (`0o17` plain is a string there, not 15).
 */
export function parseExperimentMeta(text: string): Experiment {
  const raw = (parse(text, { version: '1.1' }) ?? {}) as Record<string, unknown>;
  if (raw['experiment_id'] === undefined || raw['name'] === undefined)
    throw new Error('experiment meta.yaml lacks experiment_id or name');
  return {
    experimentId: asString(raw['experiment_id']),
    name: asString(raw['name']),
    artifactLocation: asString(raw['artifact_location']),
    lifecycleStage: raw['lifecycle_stage'] === 'deleted' ? 'deleted' : 'active',
    creationTime: asNumberOrUndefined(raw['creation_time']),
    lastUpdateTime: asNumberOrUndefined(raw['last_update_time']),
  };
}

/** Parse a run meta.yaml (`_read_persisted_run_info_dict`: lifecycle defaults to active, status int → name). */
export function parseRunMeta(text: string): RunInfo {
  const raw = (parse(text, { version: '1.1' }) ?? {}) as Record<string, unknown>;
  const runId = asString(raw['run_id'] ?? raw['run_uuid']);
  if (!runId || raw['experiment_id'] === undefined)
    throw new Error('run meta.yaml lacks run_id or experiment_id');
  return {
    runId,
    runName: asString(raw['run_name'] ?? raw['name']),
    experimentId: asString(raw['experiment_id']),
    userId: asString(raw['user_id']),
    status: runStatusFromCode(raw['status'] ?? RUN_STATUS_CODE.RUNNING),
    startTime: asNumberOrUndefined(raw['start_time']) ?? 0,
    endTime: asNumberOrUndefined(raw['end_time']) ?? null,
    artifactUri: asString(raw['artifact_uri']),
    lifecycleStage: raw['lifecycle_stage'] === 'deleted' ? 'deleted' : 'active',
  };
}

/** One metric line, as `_log_run_metric` appends it: f"{timestamp} {value} {step}\n" with Python's float repr. */
export function formatMetricLine(m: Pick<Metric, 'timestamp' | 'value' | 'step'>): string {
  return `${m.timestamp} ${formatPythonFloat(m.value)} ${m.step}\n`;
}

function parsePythonFloat(text: string): number {
  const t = text.trim().toLowerCase();
  if (t === 'nan' || t === '+nan' || t === '-nan') return NaN;
  if (t === 'inf' || t === '+inf' || t === 'infinity' || t === '+infinity') return Infinity;
  if (t === '-inf' || t === '-infinity') return -Infinity;
  const n = Number(t);
  if (t === '' || Number.isNaN(n)) throw new Error(`not a float: '${text}'`);
  return n;
}

/** `_get_metric_from_line`: split on single spaces; 2 or 3 fields, a missing step is 0. */
export function parseMetricLine(key: string, line: string): Metric {
  const parts = line.trim().split(' ');
  if (parts.length !== 2 && parts.length !== 3)
    throw new Error(`metric '${key}' is malformed: ${parts.length} fields, expected 2 or 3`);
  const timestamp = Number.parseInt(parts[0]!, 10);
  const step = parts.length === 3 ? Number.parseInt(parts[2]!, 10) : 0;
  if (!Number.isFinite(timestamp) || !Number.isFinite(step))
    throw new Error(`metric '${key}' is malformed: '${line}'`);
  return { key, timestamp, value: parsePythonFloat(parts[1]!), step };
}

export function parseMetricFile(key: string, text: string): Metric[] {
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => parseMetricLine(key, line));
}

/** The value MLflow shows for a metric: the max of (step, timestamp, value) over its history. */
export function latestMetric(history: Metric[]): Metric | undefined {
  let best: Metric | undefined;
  for (const m of history) {
    if (
      !best ||
      m.step > best.step ||
      (m.step === best.step && m.timestamp > best.timestamp) ||
      (m.step === best.step &&
        m.timestamp === best.timestamp &&
        (m.value > best.value || Number.isNaN(best.value)))
    )
      best = m;
  }
  return best;
}

/**
 * An experiment id of the shape `_generate_unique_integer_id` makes (18 decimal digits, no leading zero), but
 * derived from the name: two processes creating the same experiment at once pick the same folder, and `mkdir`
 * lets exactly one of them create it.
 */
export function experimentIdForName(name: string, attempt = 0): string {
  const digest = createHash('sha256').update(`mlflow-experiment:${name}:${attempt}`).digest();
  const n = digest.readBigUInt64BE(0) % 900_000_000_000_000_000n;
  return (n + 100_000_000_000_000_000n).toString();
}
