/**
 * What `train` writes into the model folder and says about the models it trained, beyond the bundle itself.
 */
import { BUNDLE_FILE, serializeBundle, type FolderFile } from '@mlops/model';
import { loadMlpBackend, mlpTfjsFiles } from './learners/mlp.js';
import type { TrainOutcome } from './train.js';

/**
 * The model folder's files: the bundle, and for an MLP winner its tfjs files beside it (tfjs users load those;
 * our serving reads the weights from the bundle). Loads tfjs on this thread only in that case.
 */
export async function modelFolderFiles(outcome: TrainOutcome): Promise<FolderFile[]> {
  const files: FolderFile[] = [{ name: BUNDLE_FILE, data: serializeBundle(outcome.bundle) }];
  const model = outcome.bundle.model;
  if (model.kind === 'mlp') {
    await loadMlpBackend();
    files.push(...(await mlpTfjsFiles(model)));
  }
  return files;
}

/**
 * One line per MLP candidate naming the tfjs backend its refit ran on (recorded in the model JSON), and whether it
 * is the slow pure-JS one: the wasm backend ships with the package, so "cpu" means its .wasm files were not found
 * beside the CLI or in node_modules.
 */
export interface LogLine {
  readonly level: 'info' | 'warn';
  readonly text: string;
}

export function backendLines(outcome: TrainOutcome): LogLine[] {
  return outcome.candidates.flatMap((c): LogLine[] => {
    const backend = (c.refit.model['training'] as { backend?: string } | undefined)?.backend;
    if (c.spec.algorithm !== 'mlp' || backend === undefined) return [];
    return backend === 'cpu'
      ? [
          {
            level: 'warn',
            text: `${c.spec.key}: trained on tfjs's pure-JS cpu backend (several times slower): the wasm backend did not start, its .wasm files were found neither beside the CLI nor in node_modules`,
          },
        ]
      : [{ level: 'info', text: `${c.spec.key}: trained on the tfjs ${backend} backend` }];
  });
}
