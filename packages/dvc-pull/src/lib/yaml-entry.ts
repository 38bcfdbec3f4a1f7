/**
 * The parts of the `yaml` library this package uses, as one module. The CLI build bundles it beside the CLI as
 * dist/yaml-entry.mjs (package.json "bundleWorkers") instead of inside dist/main.cjs, and yamllib.ts loads it on
 * first use: V8 parses every byte of the CLI bundle at start, and yaml's 150 KB cost every run ~1 MB of peak memory,
 * a pull of .dvc files included, which never needs it (core reads .dvc files).
 */
export { isMap, isScalar, isSeq, parseDocument, stringify, visit } from 'yaml';
