/**
 * PNGs made on worker threads: resvg's rasterisation and PNG encoding (most of a figure's cost at 300 dpi) run beside
 * the main thread, which meanwhile renders the next figure with vega, so a 2-core machine keeps both cores busy and
 * the main thread's heap never holds an image. A pool of `threads` workers, each making one PNG at a time (a 300-dpi
 * figure holds ~80 MB while it is made, so `threads` bounds the memory too).
 *
 * Idle workers are unreferenced: a pool that is never closed does not keep the process alive. Without the worker
 * module (the sources run under a test runner, where only .ts exists) the PNGs are made in process instead.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { ChartFont } from './font.js';
import type { RasterReply, RasterTask } from './raster-worker.js';

/** The worker module beside this one (dist/lib/raster-worker.js once built). */
export const RASTER_WORKER_FILE = fileURLToPath(new URL('./raster-worker.js', import.meta.url));

export interface Rasteriser {
  /** The PNG of `svg` at `dpi`, declaring that dpi. */
  png(svg: string, dpi: number): Promise<Uint8Array>;
  /** Threads in use (0: in process). */
  readonly threads: number;
  /** Stop the workers (pending PNGs are rejected). */
  close(): Promise<void>;
}

export interface RasterPoolOptions {
  /** Worker threads (default 1). */
  threads?: number;
  /** The worker module (default RASTER_WORKER_FILE). */
  workerFile?: string;
  /** Used when there is no worker module: make one PNG in process (default: none, an error). */
  fallback?: (svg: string, dpi: number) => Promise<Uint8Array>;
}

/**
 * Default thread count: one. With the main thread rendering vega that keeps 2 cores busy; each more worker adds ~80
 * MB at 300 dpi (the visualize stage: peak RSS over 300 MB with 2) for little gain.
 */
export function defaultRasterThreads(): number {
  return 1;
}

interface Pending {
  task: RasterTask;
  resolve: (png: Uint8Array) => void;
  reject: (error: Error) => void;
}

interface Slot {
  worker: Worker;
  busy: Pending | undefined;
}

export function createRasterPool(font: ChartFont, options: RasterPoolOptions = {}): Rasteriser {
  const workerFile = options.workerFile ?? RASTER_WORKER_FILE;
  if (!existsSync(workerFile)) {
    const fallback = options.fallback;
    if (!fallback) throw new Error(`raster worker ${workerFile} not found (build @mlops/charts)`);
    // one image at a time, as a worker would
    let last: Promise<unknown> = Promise.resolve();
    const png = (svg: string, dpi: number) => {
      const next = last.then(() => fallback(svg, dpi));
      last = next.catch(() => undefined);
      return next;
    };
    return { png, threads: 0, close: async () => undefined };
  }
  const size = Math.max(1, options.threads ?? defaultRasterThreads());
  const slots: Slot[] = [];
  const queue: Pending[] = [];
  let nextId = 1;
  let closed = false;

  const fail = (slot: Slot, error: Error) => {
    const index = slots.indexOf(slot);
    if (index >= 0) slots.splice(index, 1);
    slot.busy?.reject(error);
    slot.busy = undefined;
    // a worker that died takes the queue with it only when no other worker is left to serve it
    if (slots.length === 0) for (const p of queue.splice(0)) p.reject(error);
  };

  const spawn = (): Slot => {
    const worker = new Worker(workerFile, { workerData: { font } });
    const slot: Slot = { worker, busy: undefined };
    worker.on('message', (reply: RasterReply) => {
      const done = slot.busy;
      slot.busy = undefined;
      if (done && done.task.id === reply.id) {
        if ('png' in reply) done.resolve(reply.png);
        else done.reject(new Error(`rasterising a chart failed: ${reply.error}`));
      }
      dispatch(slot);
    });
    worker.on('error', (error) => fail(slot, error));
    worker.on('exit', (code) => {
      if (!closed) fail(slot, new Error(`raster worker stopped (exit code ${code})`));
    });
    slots.push(slot);
    return slot;
  };

  const dispatch = (slot: Slot) => {
    const next = queue.shift();
    if (!next) {
      slot.worker.unref();
      return;
    }
    slot.busy = next;
    slot.worker.ref();
    slot.worker.postMessage(next.task);
  };

  return {
    threads: size,
    png(svg: string, dpi: number) {
      if (closed) return Promise.reject(new Error('the raster pool is closed'));
      return new Promise<Uint8Array>((resolve, reject) => {
        queue.push({ task: { id: nextId++, svg, dpi }, resolve, reject });
        const idle = slots.find((s) => !s.busy) ?? (slots.length < size ? spawn() : undefined);
        if (idle) dispatch(idle);
      });
    },
    async close() {
      closed = true;
      const error = new Error('the raster pool is closed');
      for (const p of queue.splice(0)) p.reject(error);
      for (const s of slots) s.busy?.reject(error);
      await Promise.all(slots.splice(0).map((s) => s.worker.terminate()));
    },
  };
}
