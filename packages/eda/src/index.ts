export * from './lib/python-text.js';
export * from './lib/pandas-stats.js';
export * from './lib/rules.js';
export * from './lib/accumulate.js';
export * from './lib/duplicates.js';
export * from './lib/clean.js';
export * from './lib/output.js';
export * from './lib/profile.js';
