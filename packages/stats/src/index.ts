export * from './lib/describe.js';
