import { describe, expect, it } from 'vitest';
import { TaskScheduler, type TaskRunner } from '../src/lib/pool.js';
import type { Task, TaskResult } from '../src/lib/tasks.js';

/** A runner of `threads` slots that records the order tasks start in and finishes each on the next tick. */
function recordingRunner(threads: number, started: string[], fail?: string): TaskRunner {
  return {
    threads,
    async run(tasks) {
      const task = tasks[0]!;
      started.push(task.key);
      await new Promise((resolve) => setImmediate(resolve));
      if (task.key === fail) throw new Error(`task ${task.key} failed`);
      return [{ kind: 'refit', model: {}, preprocessing: {}, fitSeconds: 0 } as unknown as TaskResult];
    },
    async close() {
      // nothing to release
    },
  };
}

const task = (key: string): Task => ({ kind: 'refit', key, hyper: {} });

describe('TaskScheduler', () => {
  it('runs at most `threads` tasks at once, the most urgent first, then in submission order', async () => {
    const started: string[] = [];
    const scheduler = new TaskScheduler(recordingRunner(1, started));
    await Promise.all([
      scheduler.submit(task('late-1'), 1),
      scheduler.submit(task('late-2'), 1),
      scheduler.submit(task('urgent-1'), 0),
      scheduler.submit(task('urgent-2'), 0),
    ]);
    // late-1 started at once (the thread was free); the urgent ones then overtook late-2
    expect(started).toEqual(['late-1', 'urgent-1', 'urgent-2', 'late-2']);
  });

  it('fills every thread, rejects the failed task and, once cancelled, the queued ones', async () => {
    const started: string[] = [];
    const scheduler = new TaskScheduler(recordingRunner(2, started, 'b'));
    const a = scheduler.submit(task('a'), 0);
    const b = scheduler.submit(task('b'), 0);
    const c = scheduler.submit(task('c'), 0);
    expect(started).toEqual(['a', 'b']);
    scheduler.cancel();
    const [ra, rb, rc] = await Promise.allSettled([a, b, c]);
    expect(ra).toMatchObject({ status: 'fulfilled', value: { kind: 'refit' } });
    expect(rb).toMatchObject({ status: 'rejected', reason: { message: 'task b failed' } });
    expect(rc).toMatchObject({ status: 'rejected', reason: { message: 'task scheduler cancelled' } });
    expect(started).toEqual(['a', 'b']);
  });
});
