#!/usr/bin/env node
/**
 * mlops-runs: read MLflow runs from either backend (a file store or an MLflow server) in the terminal.
 *   list [--experiment NAME]            experiments, or the runs of one
 *   show RUN_ID                         one run's info, params, metrics, tags
 *   compare [--experiment NAME] [--metric KEY] [--ascending]   runs ranked best first
 * Options: --tracking-uri URI, --params FILE, --json. Exit 0 ok, 1 failure, 2 bad input.
 */
import { access } from 'node:fs/promises';
import { DEFAULT_PARAMS_PATH, InputError, loadParams, parseCli, runCli, type Logger } from '@mlops/core';
import {
  compareTable,
  defaultCompareMetric,
  experimentsTable,
  lowerIsBetter,
  rankRuns,
  runsTable,
  showRun,
} from './lib/compare.js';
import { createTracker, DEFAULT_TRACKING_URI } from './lib/tracker.js';
import { modelsTable, versionsTable } from './lib/registry-format.js';
import type { ModelRegistry } from './lib/registry.js';

/** `models list | show NAME | promote NAME VERSION --alias A`. */
async function modelsCommand(
  registry: ModelRegistry,
  args: string[],
  alias: string | undefined,
  json: boolean,
  out: (s: string) => void,
): Promise<number> {
  const [verb, ...rest] = args;
  switch (verb) {
    case 'list': {
      if (rest.length) throw new InputError(`models list takes no arguments, got '${rest.join(' ')}'`);
      const models = await registry.listRegisteredModels();
      const rows = [];
      for (const m of models)
        rows.push({ ...m, versions: (await registry.listModelVersions(m.name)).length });
      out(json ? jsonSafe({ registered_models: rows }) : modelsTable(rows));
      return 0;
    }
    case 'show': {
      const [name, ...extra] = rest;
      if (!name || extra.length) throw new InputError('models show needs one NAME');
      const model = await registry.getRegisteredModel(name);
      if (!model) throw new InputError(`registered model '${name}' not found at ${registry.location}`);
      const versions = await registry.listModelVersions(name);
      out(json ? jsonSafe({ registered_model: model, versions }) : versionsTable(model, versions));
      return 0;
    }
    case 'promote': {
      const [name, version, ...extra] = rest;
      if (!name || !version || extra.length)
        throw new InputError('models promote needs NAME VERSION --alias ALIAS');
      if (!alias) throw new InputError('models promote needs --alias ALIAS (e.g. --alias champion)');
      if (!(await registry.getModelVersion(name, version)))
        throw new InputError(`registered model '${name}' has no version ${version} at ${registry.location}`);
      const before = await registry.getVersionByAlias(name, alias);
      await registry.setAlias(name, alias, version);
      out(
        json
          ? jsonSafe({ name, alias, version, previous: before?.version ?? null })
          : `${name}@${alias} → version ${version}${before ? ` (was ${before.version})` : ''}\n`,
      );
      return 0;
    }
    default:
      throw new InputError(`models needs list, show NAME or promote NAME VERSION --alias ALIAS`);
  }
}

const USAGE = `Usage: mlops-runs <command> [options]

Commands:
  list [--experiment NAME]        list experiments, or the runs of experiment NAME
  show RUN_ID                     show a run's info, params, metrics and tags
  compare [--experiment NAME] [--metric KEY] [--ascending]
                                  rank the runs of an experiment, best first (default metric: the f1/accuracy
                                  metric most runs have; loss/error-like metrics rank ascending)
  models list                     registered models, their latest version and aliases
  models show NAME                a registered model's versions (source, run, tags, aliases)
  models promote NAME VERSION --alias ALIAS
                                  point ALIAS (e.g. champion) at VERSION

Options:
  --tracking-uri URI   file:<folder> or http(s)://<mlflow server> (default: MLFLOW_TRACKING_URI, else the params
                       file's mlflow.tracking_uri, else ${DEFAULT_TRACKING_URI})
  --experiment NAME    default: MLFLOW_EXPERIMENT_NAME, else the params file's mlflow.experiment_name
  --params FILE        params file (default ${DEFAULT_PARAMS_PATH}; optional)
  --json               machine-readable output
  -h, --help           this help

Exit codes: 0 ok, 1 failure, 2 bad input (unknown run id or experiment, bad option).`;

const OPTIONS = {
  'tracking-uri': { type: 'string' },
  experiment: { type: 'string' },
  metric: { type: 'string' },
  ascending: { type: 'boolean' },
  alias: { type: 'string' },
  params: { type: 'string' },
  json: { type: 'boolean' },
} as const;

function jsonSafe(value: unknown): string {
  return (
    JSON.stringify(
      value,
      (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v),
      2,
    ) + '\n'
  );
}

/** The CLI, callable in-process (tests); the module runs it as the program through runCli below. */
export async function main(argv: string[], logger: Logger): Promise<number> {
  const { values, positionals } = parseCli(argv, OPTIONS, USAGE);
  const [command, ...rest] = positionals;
  if (!command) throw new InputError(`missing command\n\n${USAGE}`);

  // params.yaml is optional here: read it only when present (or when asked for explicitly).
  let paramsUri: string | undefined;
  let paramsExperiment: string | undefined;
  const paramsFile = values.params ?? DEFAULT_PARAMS_PATH;
  const hasParams = await access(paramsFile).then(
    () => true,
    () => false,
  );
  if (values.params !== undefined || hasParams) {
    const params = await loadParams(paramsFile, { logger });
    paramsUri = params.mlflow.tracking_uri;
    paramsExperiment = params.mlflow.experiment_name;
  }
  const env = { ...process.env };
  // An explicit --tracking-uri beats the environment.
  if (values['tracking-uri']) env['MLFLOW_TRACKING_URI'] = values['tracking-uri'];
  const experimentName = values.experiment ?? process.env['MLFLOW_EXPERIMENT_NAME'] ?? paramsExperiment;
  if (values.experiment) env['MLFLOW_EXPERIMENT_NAME'] = values.experiment;
  const tracker = await createTracker({
    trackingUri: paramsUri,
    experimentName: experimentName ?? 'Default',
    env,
    logger,
  });
  const out = (s: string) => process.stdout.write(s);

  switch (command) {
    case 'list': {
      if (rest.length) throw new InputError(`list takes no arguments, got '${rest.join(' ')}'`);
      if (values.experiment) {
        const exp = (await tracker.listExperiments()).find((e) => e.name === values.experiment);
        if (!exp)
          throw new InputError(`experiment '${values.experiment}' not found at ${tracker.trackingUri}`);
        const runs = await tracker.searchRuns(values.experiment);
        out(values.json ? jsonSafe({ experiment: exp, runs }) : runsTable(runs));
        return 0;
      }
      const experiments = await tracker.listExperiments();
      const withCounts = [];
      for (const e of experiments) withCounts.push({ ...e, runs: (await tracker.searchRuns(e.name)).length });
      out(values.json ? jsonSafe({ experiments: withCounts }) : experimentsTable(withCounts));
      return 0;
    }
    case 'show': {
      const [runId, ...extra] = rest;
      if (!runId) throw new InputError('show needs a RUN_ID');
      if (extra.length) throw new InputError(`show takes one RUN_ID, got '${rest.join(' ')}'`);
      const run = await tracker.getRun(runId);
      if (!run) throw new InputError(`run '${runId}' not found at ${tracker.trackingUri}`);
      out(values.json ? jsonSafe(run) : showRun(run));
      return 0;
    }
    case 'compare': {
      if (rest.length) throw new InputError(`compare takes no arguments, got '${rest.join(' ')}'`);
      const name = tracker.experimentName;
      const exp = (await tracker.listExperiments()).find((e) => e.name === name);
      if (!exp) throw new InputError(`experiment '${name}' not found at ${tracker.trackingUri}`);
      const runs = await tracker.searchRuns(name);
      if (runs.length === 0) throw new InputError(`experiment '${name}' has no runs`);
      const metric = values.metric ?? defaultCompareMetric(runs);
      if (!metric)
        throw new InputError(
          `no metric with 'f1' or 'accuracy' in its name in experiment '${name}'; pass --metric KEY`,
        );
      if (!runs.some((r) => r.metrics[metric] !== undefined))
        throw new InputError(`no run of experiment '${name}' has metric '${metric}'`);
      const ascending = values.ascending ?? lowerIsBetter(metric);
      const ranked = rankRuns(runs, metric, ascending);
      if (values.json)
        out(
          jsonSafe({
            experiment: exp,
            metric,
            order: ascending ? 'ascending' : 'descending',
            runs: ranked.map((r, i) => ({ rank: i + 1, ...r })),
          }),
        );
      else
        out(
          `experiment ${name} (${exp.experimentId}), ranked by ${metric} (${ascending ? 'lower' : 'higher'} is better)\n\n` +
            compareTable(ranked, metric),
        );
      return 0;
    }
    case 'models':
      return modelsCommand(tracker.registry(), rest, values.alias, Boolean(values.json), out);
    default:
      throw new InputError(`unknown command '${command}'\n\n${USAGE}`);
  }
}

void runCli('mlops-runs', main);
