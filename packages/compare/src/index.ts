export * from './lib/frame.js';
export * from './lib/aligned.js';
export * from './lib/distribution.js';
export * from './lib/report.js';
export * from './lib/load.js';
export * from './lib/stage.js';
export * from './lib/rows.js';
