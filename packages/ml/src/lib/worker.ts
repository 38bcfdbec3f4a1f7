/** A worker thread of the training pool: runs tasks on the training split it received once, at start. */
import { workerData } from 'piscina';
import { runTask, type SharedData, type Task, type TaskResult } from './tasks.js';

const shared = workerData as SharedData;

export default function run(task: Task): TaskResult {
  return runTask(shared, task);
}
