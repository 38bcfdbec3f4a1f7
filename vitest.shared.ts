// Shared vitest settings: every project's vitest.config.ts merges these.
// Workspace libraries resolve to their TypeScript sources, so tests never need a prior build of a library.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  resolve: {
    alias: [{ find: /^@mlops\/([a-z-]+)$/, replacement: `${root}packages/$1/src/index.ts` }],
  },
  test: {
    include: ['tests/**/*.test.ts'],
    environment: 'node',
    testTimeout: 60_000,
    hookTimeout: 120_000,
    globalSetup: [`${root}tools/workspace/vitest-temp-root.ts`],
  },
});
