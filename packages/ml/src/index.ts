export * from './lib/learner.js';
