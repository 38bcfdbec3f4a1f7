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
  /**
   * Runs tasks, calling `onDone` as each finishes; results come back in task order. `onProgress` hears the
   * fraction of the running fit done (in process only: a long fit there blocks the thread, so its learner reports).
   */
  run(
    tasks: readonly Task[],
    onDone?: (task: Task, result: TaskResult) => void,
    onProgress?: (task: Task, fraction: number) => void,
  ): Promise<TaskResult[]>;
  close(): Promise<void>;
}

export function inProcessRunner(shared: SharedData): TaskRunner {
  // tfjs backends start asynchronously: the MLP's is loaded before the first MLP task
  let mlpBackend: Promise<unknown> | undefined;
  return {
    threads: 1,
    async run(tasks, onDone, onProgress) {
      const results: TaskResult[] = [];
      for (const task of tasks) {
        if (task.key === 'MLP') await (mlpBackend ??= loadMlpBackend());
        const result = runTask(shared, task, onProgress && ((fraction) => onProgress(task, fraction)));
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

/**
 * Runs tasks on a runner, at most `runner.threads` at a time, the most urgent first (lower `priority`, then the
 * order of submission). Work whose inputs are already known (a refit whose hyper-parameters are fixed) is
 * submitted early at a lower priority, so it fills a thread that the current phase would leave idle while its
 * last tasks finish. Results do not depend on the order: every task is seeded by itself.
 */
export class TaskScheduler {
  private readonly queue: {
    readonly task: Task;
    readonly priority: number;
    readonly seq: number;
    readonly resolve: (result: TaskResult) => void;
    readonly reject: (error: unknown) => void;
  }[] = [];
  private running = 0;
  private seq = 0;
  private cancelled = false;

  constructor(private readonly runner: TaskRunner) {}

  submit(task: Task, priority: number): Promise<TaskResult> {
    return new Promise<TaskResult>((resolve, reject) => {
      if (this.cancelled) {
        reject(new Error('task scheduler cancelled'));
        return;
      }
      this.queue.push({ task, priority, seq: this.seq++, resolve, reject });
      this.pump();
    });
  }

  /** Drops the tasks not started yet (after a failure: nothing more is worth running). */
  cancel(): void {
    this.cancelled = true;
    for (const item of this.queue.splice(0)) item.reject(new Error('task scheduler cancelled'));
  }

  private pump(): void {
    while (this.running < Math.max(1, this.runner.threads) && this.queue.length > 0) {
      let next = 0;
      for (let i = 1; i < this.queue.length; i++) {
        const a = this.queue[i]!;
        const b = this.queue[next]!;
        if (a.priority < b.priority || (a.priority === b.priority && a.seq < b.seq)) next = i;
      }
      const item = this.queue.splice(next, 1)[0]!;
      this.running++;
      this.runner.run([item.task]).then(
        (results) => {
          this.running--;
          item.resolve(results[0]!);
          this.pump();
        },
        (error: unknown) => {
          this.running--;
          item.reject(error);
          this.pump();
        },
      );
    }
  }
}
