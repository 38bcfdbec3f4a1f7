// A child process for concurrency.test.ts: waits for a common start instant, then creates the same experiment
// as its siblings, opens runs and appends metric points to one shared run, all in the same file store.
import { createTracker, FileStore } from '../dist/index.js';

const [root, experimentName, worker, runs, sharedRunId, startAt] = process.argv.slice(2);
while (Date.now() < Number(startAt)) await new Promise((r) => setTimeout(r, 1));

const tracker = await createTracker({ trackingUri: `file:${root}`, experimentName, env: {} });
const store = new FileStore(root);
const shared = Promise.all(
  Array.from({ length: 100 }, (_, call) =>
    store.logBatch(sharedRunId, {
      metrics: Array.from({ length: 10 }, (_, i) => ({
        key: 'shared/points',
        value: Number(worker) * 1e6 + call * 10 + i + 0.5,
        timestamp: Date.now(),
        step: call * 10 + i,
      })),
      tags: [{ key: `worker_${worker}`, value: String(call) }],
    }),
  ),
);
for (let i = 0; i < Number(runs); i++) {
  await tracker.withRun({ runName: `w${worker}_run${i}` }, async (run) => {
    await run.logParams({ worker: Number(worker), index: i, model: { depth: i } });
    await run.logMetricPoints(
      Array.from({ length: 50 }, (_, step) => ({ key: 'loss', value: 1 / (step + 1), step })),
    );
    await run.setTags({ worker });
  });
}
await shared;
process.stdout.write('done\n');
