/**
 * The data commands, one module per command: fetch (remote → cache), checkout and pull (cache → workspace),
 * push (cache → remote), status (workspace vs cache, or cache vs remote) and add (workspace → cache + .dvc file).
 */
export { defaultJobs, loadTree, type OpContext } from './ops/common.js';
export { fetch, runFetch, type FetchResult } from './ops/fetch.js';
export { checkout, runCheckout, runPull, type CheckoutResult } from './ops/checkout.js';
export { runPush } from './ops/push.js';
export { cloudStatus, localStatus, runStatus, type StatusReport } from './ops/status.js';
export { runAdd } from './ops/add.js';
