/**
 * TensorFlow.js and its wasm backend, as one module. The CLI build bundles it beside the CLI as dist/tfjs-entry.mjs
 * (package.json "bundleWorkers") instead of inside dist/main.cjs and dist/worker.mjs, and mlp.ts loads it on the
 * first MLP fit: tfjs is 3.4 MB of the 3.9 MB CLI, and every thread (the main one and each worker) otherwise reads
 * and pre-parses it on every run, an MLP or not (the default models have none). The two share one copy of
 * tfjs-core, which the backend registers itself with.
 */
export * as tf from '@tensorflow/tfjs';
export * as wasmBackend from '@tensorflow/tfjs-backend-wasm';
