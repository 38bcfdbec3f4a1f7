/**
 * The served model and its reloading. A ServedModel is everything a request needs, built once per bundle: the
 * LoadedModel, its compiled row validator and its compiled response serializer. The holder swaps one reference,
 * so a request sees either the old model or the new one, whole: there is no moment without a model once one was
 * loaded, and a bundle that fails to load leaves the current model serving.
 */
import { stat, readFile } from 'node:fs/promises';
import type { Ajv, ValidateFunction } from 'ajv';
import { BUNDLE_FILE, inputFields, LoadedModel, parseBundle, type FeatureSpec } from '@mlops/model';
import { rowSchema } from './schemas.js';

export interface ServedModel {
  readonly model: LoadedModel;
  readonly spec: FeatureSpec;
  readonly fields: readonly string[];
  readonly labels: readonly string[];
  /** The winner's model key (e.g. RandomForest). */
  readonly name: string;
  /** The first 12 hex digits of the bundle checksum: changes with every retrained bundle. */
  readonly version: string;
  readonly checksum: string;
  readonly file: string;
  readonly loadedAt: Date;
  readonly validateRow: ValidateFunction;
  /** Writes one prediction's JSON (the /predict response, a /predict/batch item), compiled for this model. */
  readonly writePrediction: PredictionWriter;
  /** Scratch probabilities for the single-row path (requests run one at a time on the event loop). */
  readonly proba: Float64Array;
  /** Predictions per class since this model was loaded. */
  readonly classCounts: Float64Array;
}

/** Builds a ServedModel from a bundle file's text; throws (naming the file) when the bundle is invalid. */
export function serveBundle(text: string, file: string, ajv: Ajv): ServedModel {
  const content = parseBundle(text, file);
  const model = new LoadedModel(content);
  const checksum = /"checksum":"sha256:([0-9a-f]{64})"/.exec(text.slice(0, 200))?.[1] ?? '';
  const spec = content.feature_spec;
  const labels = content.labels;
  return {
    model,
    spec,
    fields: inputFields(spec),
    labels,
    name: content.model_name,
    version: checksum.slice(0, 12),
    checksum: `sha256:${checksum}`,
    file,
    loadedAt: new Date(),
    validateRow: ajv.compile(rowSchema(spec)),
    writePrediction: compilePredictionWriter(spec, labels, content.model_name, checksum.slice(0, 12)),
    proba: new Float64Array(labels.length),
    classCounts: new Float64Array(labels.length),
  };
}

/**
 * Writes a prediction as JSON: `{index?, prediction, confidence, probabilities, features_received, model_name,
 * model_version}` (the shape of schemas.ts predictionSchema) from class `k`, the probabilities at `proba[offset…]`
 * and the validated row. Every key, label and category is escaped once, when the model is loaded; a request only
 * concatenates numbers and those pieces (no intermediate objects).
 */
export type PredictionWriter = (
  k: number,
  proba: ArrayLike<number>,
  offset: number,
  row: Readonly<Record<string, unknown>>,
  index?: number,
) => string;

/** JSON for a number: finite numbers print as JSON does; anything else (never, for validated rows) is null. */
const jsonNumber = (v: unknown): string => (typeof v === 'number' && Number.isFinite(v) ? String(v) : 'null');

export function compilePredictionWriter(
  spec: FeatureSpec,
  labels: readonly string[],
  name: string,
  version: string,
): PredictionWriter {
  const labelJson = labels.map((l) => JSON.stringify(l));
  const probaKeys = labels.map((l, c) => `${c ? ',' : ''}${JSON.stringify(l)}:`);
  const numericNames = spec.numeric.map((f) => f.name);
  const numericKeys = numericNames.map((n, j) => `${j ? ',' : ''}${JSON.stringify(n)}:`);
  const categoricalNames = spec.categorical.map((f) => f.name);
  const categoricalKeys = categoricalNames.map(
    (n, j) => `${j || numericNames.length ? ',' : ''}${JSON.stringify(n)}:`,
  );
  const categoryJson = spec.categorical.map((f) => new Map(f.categories.map((c) => [c, JSON.stringify(c)])));
  const tail = `},"model_name":${JSON.stringify(name)},"model_version":${JSON.stringify(version)}}`;
  const nLabels = labels.length;
  return (k, proba, offset, row, index) => {
    let s = index === undefined ? '{"prediction":' : `{"index":${index},"prediction":`;
    s += `${labelJson[k]},"confidence":${jsonNumber(proba[offset + k])},"probabilities":{`;
    for (let c = 0; c < nLabels; c++) s += probaKeys[c] + jsonNumber(proba[offset + c]);
    s += '},"features_received":{';
    for (let j = 0; j < numericNames.length; j++) s += numericKeys[j] + jsonNumber(row[numericNames[j]!]);
    for (let j = 0; j < categoricalNames.length; j++) {
      const v = row[categoricalNames[j]!];
      s += categoricalKeys[j] + (categoryJson[j]!.get(v as string) ?? JSON.stringify(v ?? null));
    }
    return s + tail;
  };
}

export interface HolderEvents {
  onLoad?(served: ServedModel, previous: ServedModel | undefined): void;
  onError?(message: string): void;
}

/** Where the bundle to serve is now: a file to read, and what identifies its content (unchanged: no reload). */
export interface BundleLocation {
  readonly file: string;
  readonly fingerprint: string;
  /** Removes a temporary copy once it is loaded. */
  cleanup?(): Promise<void>;
}

/**
 * Finds the bundle: returns undefined when it is the one already seen (`seen` fingerprint, unless `force`), or
 * throws NoBundleError (nothing there yet) or another error (there, but unusable).
 */
export type BundleLocator = (seen: string, force: boolean) => Promise<BundleLocation | undefined>;

/** Nothing to serve yet: the message says where the bundle is expected. */
export class NoBundleError extends Error {}

/** The bundle of a model folder (or a bundle file), identified by the file's inode, size and mtime. */
export function folderLocator(dir: string): { where: string; locate: BundleLocator } {
  const file = dir.endsWith('.json') ? dir : `${dir.replace(/\/+$/, '')}/${BUNDLE_FILE}`;
  return {
    where: file,
    locate: async (seen, force) => {
      let info;
      try {
        info = await stat(file);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'ENOENT' || code === 'ENOTDIR')
          throw new NoBundleError(
            `no model bundle at ${file} yet (train one with mlops-ml train; it is loaded when it appears)`,
          );
        throw new Error(`${file}: ${(error as Error).message}`);
      }
      const fingerprint = `${info.dev}:${info.ino}:${info.size}:${info.mtimeMs}`;
      return !force && fingerprint === seen ? undefined : { file, fingerprint };
    },
  };
}

/**
 * Holds the current model and reloads it when its bundle changes (polled) or when asked (SIGHUP). Loads are
 * serialized: a second request while one runs waits for it and then checks again.
 */
export class ModelHolder {
  private served: ServedModel | undefined;
  private seen = '';
  private error: string | undefined;
  private loading: Promise<void> | undefined;
  private again = false;
  private timer: NodeJS.Timeout | undefined;
  /** Where the bundle comes from, for messages: a file path or a models:/ URI. */
  readonly file: string;
  private readonly locate: BundleLocator;

  constructor(
    source: string | { where: string; locate: BundleLocator },
    private readonly ajv: Ajv,
    private readonly events: HolderEvents = {},
  ) {
    const s = typeof source === 'string' ? folderLocator(source) : source;
    this.file = s.where;
    this.locate = s.locate;
  }

  /** The model serving now, or undefined (the api is degraded). */
  get current(): ServedModel | undefined {
    return this.served;
  }

  /** Why there is no model (or why the last reload failed), for /health and 503 bodies. */
  get lastError(): string | undefined {
    return this.error;
  }

  /**
   * Checks the bundle and loads it when it is new or changed (or always, with `force`). Never throws: a failure is
   * kept in `lastError` and reported through `onError`; the current model keeps serving.
   */
  reload(force = false): Promise<void> {
    if (this.loading) {
      this.again = true;
      if (force) this.seen = '';
      return this.loading;
    }
    this.loading = this.check(force).finally(() => {
      this.loading = undefined;
      if (this.again) {
        this.again = false;
        void this.reload();
      }
    });
    return this.loading;
  }

  private async check(force: boolean): Promise<void> {
    let location: BundleLocation | undefined;
    try {
      location = await this.locate(this.seen, force);
    } catch (error) {
      const message = (error as Error).message.split('\n')[0]!;
      if (message !== this.error) {
        this.error = message;
        // A model already serving stays: a folder being replaced is briefly absent, a registry briefly down.
        if (!this.served || !(error instanceof NoBundleError)) this.events.onError?.(message);
      }
      this.seen = '';
      return;
    }
    if (!location) return;
    this.seen = location.fingerprint;
    try {
      const text = await readFile(location.file, 'utf8');
      const served = serveBundle(text, location.file, this.ajv);
      const previous = this.served;
      this.served = served; // the swap: one assignment, between two requests
      this.error = undefined;
      this.events.onLoad?.(served, previous);
    } catch (error) {
      this.error = (error as Error).message.split('\n')[0]!;
      this.events.onError?.(
        this.served ? `${this.error} (still serving ${this.served.name} ${this.served.version})` : this.error,
      );
    } finally {
      await location.cleanup?.();
    }
  }

  /** Polls the bundle every `ms` (0: never). The timer does not keep the process alive. */
  watch(ms: number): void {
    this.stop();
    if (ms <= 0) return;
    this.timer = setInterval(() => void this.reload(), ms);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}
