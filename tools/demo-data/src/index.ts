export * from './lib/generate.js';
export * from './lib/write.js';
