/**
 * Running tasks: in worker threads (piscina, one per CPU core or `training.n_jobs`) when the built worker module is
 * there, else in process. Both run the same `runTask`, so results do not depend on where a task ran. The training
 * split goes to the workers once, in SharedArrayBuffers (no copy per worker).
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { RawBatch } from '@mlops/model';
import { loadMlpBackend } from './learners/mlp.js';
import { runTask, type SharedData, type Task, type TaskResult } from './tasks.js';

export interface TaskRunner {
  /** How many tasks run at once. */
  readonly threads: number;
  /** Runs tasks, calling `onDone` as each finishes; results come back in task order. */
  run(tasks: readonly Task[], onDone?: (task: Task, result: TaskResult) => void): Promise<TaskResult[]>;
  close(): Promise<void>;
}

export function inProcessRunner(shared: SharedData): TaskRunner {
  // tfjs backends start asynchronously: the MLP's is loaded before the first MLP task
  let mlpBackend: Promise<unknown> | undefined;
  return {
    threads: 1,
    async run(tasks, onDone) {
      const results: TaskResult[] = [];
      for (const task of tasks) {
        if (task.key === 'MLP') await (mlpBackend ??= loadMlpBackend());
        const result = runTask(shared, task);
        results.push(result);
        onDone?.(task, result);
        // let timers (progress redraws, signals) run between tasks
        await new Promise((resolve) => setImmediate(resolve));
      }
      return results;
    },
    async close() {
      // nothing to release in process
    },
  };
}

function toShared<A extends Float64Array | Int32Array>(array: A): A {
  if (array.buffer instanceof SharedArrayBuffer) return array;
  const sab = new SharedArrayBuffer(array.byteLength);
  const copy = new (array.constructor as new (b: SharedArrayBuffer) => A)(sab);
  copy.set(array);
  return copy;
}

/** The shared data in SharedArrayBuffers (arrays already there are kept, not copied). */
export function sharedCopy(shared: SharedData): SharedData {
  const batch: RawBatch = {
    ...shared.batch,
    numeric: toShared(shared.batch.numeric),
    categorical: toShared(shared.batch.categorical),
  };
  return { ...shared, batch, y: toShared(shared.y), folds: toShared(shared.folds) };
}

/**
 * The worker module: beside the bundled CLI (dist/worker.mjs, made by the build's bundle step) or beside this file
 * as tsc emits it (dist/lib/worker.js); absent when running from sources (tests then run tasks in process).
 */
export const WORKER_FILE =
  ['./worker.mjs', './worker.js']
    .map((name) => fileURLToPath(new URL(name, import.meta.url)))
    .find((file) => existsSync(file)) ?? fileURLToPath(new URL('./worker.js', import.meta.url));

/** Threads for `n_jobs` (0: one per core), never more than the tasks need. */
export function threadsFor(nJobs: number): number {
  return nJobs > 0 ? nJobs : Math.max(1, availableParallelism());
}

/**
 * A runner for `threads`: worker threads when more than one and the worker module exists, else in process. The
 * main thread only dispatches and scores, so `threads` workers keep `threads` cores busy.
 */
export async function createRunner(shared: SharedData, threads: number): Promise<TaskRunner> {
  if (threads <= 1 || !existsSync(WORKER_FILE)) return inProcessRunner(shared);
  const { Piscina } = await import('piscina');
  const pool = new Piscina({
    filename: WORKER_FILE,
    minThreads: threads,
    maxThreads: threads,
    idleTimeout: 60_000,
    workerData: sharedCopy(shared),
  });
  return {
    threads,
    async run(tasks, onDone) {
      return Promise.all(
        tasks.map(async (task) => {
          const result = (await pool.run(task)) as TaskResult;
          onDone?.(task, result);
          return result;
        }),
      );
    },
    async close() {
      await pool.close();
    },
  };
}
