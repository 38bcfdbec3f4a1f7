export * from './lib/describe.js';
export * from './lib/special.js';
export * from './lib/kolmogorov.js';
export * from './lib/ks.js';
export * from './lib/chi2.js';
export * from './lib/divergence.js';
export * from './lib/histogram.js';
export * from './lib/drift-measures.js';
