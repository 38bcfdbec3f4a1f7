/** A worker thread of the training pool: runs tasks on the training split it received once, at start. */
// piscina passes the pool's workerData to each thread as worker_threads' own (read it there, not through a
// bundled copy of piscina, whose state the thread's piscina bootstrap never fills).
import { workerData } from 'node:worker_threads';
import { loadMlpBackend } from './learners/mlp.js';
import { runTask, type SharedData, type Task, type TaskResult } from './tasks.js';

const shared = workerData as SharedData;
// tfjs backends start asynchronously (and per thread): the MLP's is loaded before this thread's first MLP task.
let mlpBackend: Promise<unknown> | undefined;

export default async function run(task: Task): Promise<TaskResult> {
  if (task.key === 'MLP') await (mlpBackend ??= loadMlpBackend());
  return runTask(shared, task);
}
