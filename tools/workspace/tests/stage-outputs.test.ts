/**
 * No stage CLI may write over its input. Every stage is listed in STAGES (one entry: its main module and how to
 * give it an input and an output path); each is run in-process (its exported `main`, through core's executeCli, as
 * the bin runs it) with the output equal to the input, through a symbolic link and through a hard link, and must
 * answer exit 2 naming both paths, with the input's bytes unchanged and nothing else written.
 * A new stage is added here by one entry.
 */
import { linkSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { COLUMN_NAMES, createLogger, disableCliAutoRun, executeCli, type CliMain } from '@mlops/core';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const PARAMS = join(root, 'config/params.yaml');

interface StageCase {
  /** The CLI's name, as its bin is called. */
  cli: string;
  /** Its main module, from the workspace root (it exports `main(argv, logger)`). */
  main: string;
  /** The arguments that make it read `input` and write `output` (a file, or the folder its files go to). */
  args: (input: string, output: string) => string[];
}

const STAGES: StageCase[] = [
  {
    cli: 'mlops-eda',
    main: 'packages/eda/src/main.ts',
    args: (input, output) => ['--params', PARAMS, '--input', input, '--output', output, '--no-mlflow'],
  },
  {
    cli: 'mlops-eda --profile',
    main: 'packages/eda/src/main.ts',
    args: (input, output) => [
      '--params',
      PARAMS,
      '--input',
      input,
      '--output',
      `${output}.clean.csv`,
      '--profile',
      output,
      '--no-mlflow',
    ],
  },
  {
    cli: 'mlops-compare',
    main: 'packages/compare/src/main.ts',
    args: (input, output) => ['--params', PARAMS, '--input', input, '--reference', input, '--output', output],
  },
  {
    cli: 'mlops-compare --reference',
    main: 'packages/compare/src/main.ts',
    args: (input, output) => [
      '--params',
      PARAMS,
      '--input',
      `${input}.other.csv`,
      '--reference',
      input,
      '--output',
      output,
    ],
  },
  {
    cli: 'mlops-ml train',
    main: 'packages/ml/src/main.ts',
    args: (input, output) => [
      'train',
      '--params',
      PARAMS,
      '--input',
      input,
      '--output',
      output,
      '--metrics',
      `${output}.metrics`,
      '--no-mlflow',
    ],
  },
  {
    cli: 'mlops-ml train --metrics',
    main: 'packages/ml/src/main.ts',
    args: (input, output) => [
      'train',
      '--params',
      PARAMS,
      '--input',
      input,
      '--output',
      `${output}.model`,
      '--metrics',
      output,
      '--no-mlflow',
    ],
  },
  {
    cli: 'mlops-ml evaluate',
    main: 'packages/ml/src/main.ts',
    args: (input, output) => [
      'evaluate',
      '--params',
      PARAMS,
      '--input',
      input,
      '--model',
      `${input}.model`,
      '--output',
      output,
    ],
  },
  {
    cli: 'mlops-ml predict',
    main: 'packages/ml/src/main.ts',
    args: (input, output) => [
      'predict',
      '--params',
      PARAMS,
      '--input',
      input,
      '--model',
      `${input}.model`,
      '--output',
      output,
    ],
  },
  {
    cli: 'mlops-drift simulate',
    main: 'packages/drift/src/main.ts',
    args: (input, output) => ['simulate', '--params', PARAMS, '--input', input, '--output', output],
  },
  {
    cli: 'mlops-drift detect',
    main: 'packages/drift/src/main.ts',
    args: (input, output) => [
      'detect',
      '--params',
      PARAMS,
      '--reference',
      input,
      '--current',
      `${input}.other.csv`,
      '--no-model',
      '--output',
      output,
    ],
  },
  {
    cli: 'mlops-drift visualize',
    main: 'packages/drift/src/main.ts',
    args: (input, output) => [
      'visualize',
      '--params',
      PARAMS,
      '--reference',
      input,
      '--current',
      `${input}.other.csv`,
      '--output-dir',
      output,
    ],
  },
];

const ROW =
  'Female,21.0,1.62,64.0,yes,no,2.0,3.0,Sometimes,no,2.0,no,0.0,1.0,no,Public_Transportation,Normal_Weight';

beforeAll(() => disableCliAutoRun());

async function runInProcess(stage: StageCase, argv: string[]) {
  const { main } = (await import(join(root, stage.main))) as { main: CliMain };
  const lines: string[] = [];
  const logger = createLogger({ name: stage.cli, sink: { write: (l: string) => lines.push(l) } });
  const sink = { write: (l: string) => lines.push(l) };
  const code = await executeCli(stage.cli, main, argv, logger, { stdout: sink, stderr: sink });
  return { code, output: lines.join('') };
}

describe.each(STAGES)('$cli', (stage) => {
  for (const via of ['the same path', 'a symbolic link', 'a hard link'] as const) {
    it(`refuses an output that is its input through ${via}: exit 2, the input unchanged`, async () => {
      const dir = mkdtempSync(join(tmpdir(), 'stage-outputs-'));
      const input = join(dir, 'input.csv');
      const bytes = `${COLUMN_NAMES.join(',')}\n${ROW}\n${ROW}\n`;
      writeFileSync(input, bytes);
      writeFileSync(`${input}.other.csv`, bytes);
      const output =
        via === 'the same path' ? input : join(dir, via === 'a symbolic link' ? 'link.csv' : 'hard.csv');
      if (via === 'a symbolic link') symlinkSync(input, output);
      if (via === 'a hard link') linkSync(input, output);
      const before = readdirSync(dir).sort();
      const { code, output: text } = await runInProcess(stage, stage.args(input, output));
      expect(code, text).toBe(2);
      expect(text).toContain('same file');
      expect(text).toContain(input);
      expect(readFileSync(input, 'utf8')).toBe(bytes);
      expect(readdirSync(dir).sort()).toEqual(before);
    });
  }
});
