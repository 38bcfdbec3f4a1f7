export * from './lib/types.js';
export * from './lib/values.js';
export * from './lib/filestore-format.js';
export { FileStore, checkFileStoreRoot, fileUriToPath, type FileStoreOptions } from './lib/file-store.js';
export {
  RestStore,
  TrackingError,
  chunkBatch,
  resolveMlflowArtifactsUri,
  type RestAuth,
  type RestStoreOptions,
} from './lib/rest-store.js';
export * from './lib/tracker.js';
export * from './lib/compare.js';
export * from './lib/registry.js';
