import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
export const fixtures = fileURLToPath(new URL('./fixtures/', import.meta.url));
export const metricsFixture = fileURLToPath(new URL('./fixtures/metrics', import.meta.url));
export const golden = fileURLToPath(new URL('../fixtures/golden.json', import.meta.url));
/** The real clean data, read from the workspace's sibling shared/ folder when it is there. */
export const realClean = fileURLToPath(
  new URL('../../../../shared/data/obesity/dataset_limpio.csv', import.meta.url),
);
export const hasRealData = existsSync(realClean);
export const skipRealData = `real data absent (${realClean}): skipped`;
