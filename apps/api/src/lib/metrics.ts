/**
 * Prometheus metrics (prom-client, one registry per server): requests by route, method and status, a latency
 * histogram by route, predictions per class, the served model's version, reloads, and the process's own metrics.
 * The hot path only bumps plain numbers where it can (per-class counts live on the ServedModel and are read at
 * scrape time), so metrics cost well under a microsecond per request.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { ModelHolder, ServedModel } from './model-state.js';

export interface ApiMetrics {
  readonly registry: Registry;
  /** Records one finished request. */
  observe(route: string, method: string, status: number, seconds: number): void;
  /** Records a model load (or a failed one). */
  modelLoaded(served: ServedModel): void;
  modelLoadFailed(): void;
}

export function createMetrics(holder: () => ModelHolder | undefined): ApiMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'mlops_api_' });
  const requests = new Counter({
    name: 'http_requests_total',
    help: 'HTTP requests by route, method and status code',
    labelNames: ['route', 'method', 'status'] as const,
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request latency by route (from the request line to the response sent)',
    labelNames: ['route', 'method'] as const,
    buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    registers: [registry],
  });
  // Totals of models replaced earlier, so the counter never goes down when a new model starts at zero.
  const retired = new Map<string, number>();
  new Counter({
    name: 'predictions_total',
    help: 'Predictions made, by predicted class',
    labelNames: ['class'] as const,
    registers: [registry],
    collect() {
      this.reset();
      const totals = new Map(retired);
      const served = holder()?.current;
      if (served)
        served.labels.forEach((label, c) =>
          totals.set(label, (totals.get(label) ?? 0) + served.classCounts[c]!),
        );
      for (const [label, n] of totals) this.inc({ class: label }, n);
    },
  });
  const info = new Gauge({
    name: 'model_info',
    help: 'The served model: 1 for the loaded bundle (name, version = checksum prefix, algorithm)',
    labelNames: ['model_name', 'model_version', 'algorithm'] as const,
    registers: [registry],
  });
  const loaded = new Gauge({
    name: 'model_loaded',
    help: '1 when a model is loaded, 0 when the api is degraded',
    registers: [registry],
    collect() {
      this.set(holder()?.current ? 1 : 0);
    },
  });
  void loaded;
  const reloads = new Counter({
    name: 'model_reloads_total',
    help: 'Model loads by result',
    labelNames: ['result'] as const,
    registers: [registry],
  });

  // Children cached by label values: prom-client hashes labels on every call otherwise.
  const requestChildren = new Map<string, { inc(): void }>();
  const durationChildren = new Map<string, { observe(v: number): void }>();
  let previous: ServedModel | undefined;
  return {
    registry,
    observe(route, method, status, seconds) {
      const key = `${route} ${method} ${status}`;
      let r = requestChildren.get(key);
      if (!r) {
        r = requests.labels(route, method, String(status));
        requestChildren.set(key, r);
      }
      r.inc();
      const dkey = `${route} ${method}`;
      let d = durationChildren.get(dkey);
      if (!d) {
        d = duration.labels(route, method);
        durationChildren.set(dkey, d);
      }
      d.observe(seconds);
    },
    modelLoaded(served) {
      if (previous) {
        previous.labels.forEach((label, c) =>
          retired.set(label, (retired.get(label) ?? 0) + previous!.classCounts[c]!),
        );
      }
      previous = served;
      info.reset();
      info.set(
        { model_name: served.name, model_version: served.version, algorithm: served.model.bundle.algorithm },
        1,
      );
      reloads.inc({ result: 'success' });
    },
    modelLoadFailed() {
      reloads.inc({ result: 'failure' });
    },
  };
}
