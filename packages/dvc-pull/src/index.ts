import { loadYaml } from './lib/yamllib.js';

export * from './lib/pyjson.js';
export * from './lib/hash.js';
export * from './lib/tree.js';
export * from './lib/dvcfile.js';
export * from './lib/config.js';
export * from './lib/ignore.js';
export * from './lib/redact.js';
export * from './lib/retry.js';
export * from './lib/pool.js';
export * from './lib/odb.js';
export * from './lib/repo.js';
export * from './lib/workspace.js';
export * from './lib/pipeline.js';
export * from './lib/ryaml.js';
export * from './lib/state.js';
export * from './lib/ops.js';
export * from './lib/remotecmd.js';
export * from './lib/remotes/types.js';

// The library's YAML readers and writers are synchronous; the CLI loads the yaml library only when it needs it.
await loadYaml();
