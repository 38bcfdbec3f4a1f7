/**
 * Serving from the model registry: `MODEL_URI=models:/NAME@ALIAS` (or `models:/NAME/VERSION`) is resolved through
 * the tracking backend (MLFLOW_TRACKING_URI, else params mlflow.tracking_uri: MLflow's file store or a server), the
 * version's files are copied (or downloaded through the server's artifact proxy) into a temporary folder, and the
 * bundle is loaded from there and verified like any other (checksum). The version is the fingerprint: a poll or
 * SIGHUP that finds the alias moved loads the new version, so promoting a model rolls it out.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';
import { InputError } from '@mlops/core';
import { BUNDLE_FILE } from '@mlops/model';
import { parseModelUri, registryOf, resolveModelUri, storeFor } from '@mlops/tracking';
import { NoBundleError, type BundleLocator } from './model-state.js';

/** Checks a MODEL_URI's form (InputError naming MODEL_URI when it is not models:/NAME@ALIAS or models:/NAME/VERSION). */
export function checkModelUri(uri: string): void {
  parseModelUri(uri);
}

export function registryLocator(
  uri: string,
  trackingUri: string,
  env: Readonly<Record<string, string | undefined>>,
): { where: string; locate: BundleLocator } {
  const registry = registryOf(storeFor(trackingUri, env as Record<string, string | undefined>));
  return {
    where: uri,
    locate: async (seen, force) => {
      let version;
      try {
        version = await resolveModelUri(registry, uri);
      } catch (error) {
        // Not registered yet (or the alias not set): degraded until it is, like a folder without a bundle.
        if (error instanceof InputError)
          throw new NoBundleError(`${error.message} (it is loaded when it is registered)`);
        throw error;
      }
      const fingerprint = `${version.name}/${version.version} ${version.source}`;
      if (!force && fingerprint === seen) return undefined;
      const dir = await mkdtemp(join(tmpdir(), 'mlops-api-model-'));
      const cleanup = () => rm(dir, { recursive: true, force: true });
      try {
        const files = await registry.downloadArtifacts(version.source, dir);
        const bundle = files
          .filter((f) => posix.basename(f) === BUNDLE_FILE)
          .sort((a, b) => a.length - b.length)[0];
        if (!bundle)
          throw new Error(
            `${uri}: version ${version.version} (${version.source}) has no ${BUNDLE_FILE} among its ${files.length} files`,
          );
        return { file: join(dir, ...bundle.split('/')), fingerprint, cleanup };
      } catch (error) {
        await cleanup();
        throw error;
      }
    },
  };
}
