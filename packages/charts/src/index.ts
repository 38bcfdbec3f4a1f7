// first: sets resvg's allocator options before the add-on loads
import './lib/native-memory.js';
export * from './lib/spec.js';
export * from './lib/gc.js';
export * from './lib/font.js';
export * from './lib/png.js';
export * from './lib/raster.js';
export * from './lib/raster-pool.js';
export * from './lib/render.js';
export * from './lib/figure.js';
export * from './lib/html.js';
