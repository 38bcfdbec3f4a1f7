export * from './lib/spec.js';
export * from './lib/font.js';
export * from './lib/png.js';
export * from './lib/render.js';
export * from './lib/figure.js';
export * from './lib/html.js';
