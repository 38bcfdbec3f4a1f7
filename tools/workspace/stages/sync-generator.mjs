/**
 * The Nx sync generator (nx.json `sync.globalGenerators`): writes dvc.yaml and docker/compose.yaml from the stage
 * manifests and the params catalog. `nx sync` writes them; `nx sync:check` (run by `npm test`) fails when a
 * committed file differs from what the manifests say.
 */
import { generatedFiles } from './files.mjs';

export default async function syncStages(tree) {
  const files = await generatedFiles(tree.root);
  const changed = [];
  for (const [path, text] of Object.entries(files)) {
    const current = tree.exists(path) ? tree.read(path, 'utf-8') : null;
    if (current !== text) {
      tree.write(path, text);
      changed.push(path);
    }
  }
  return changed.length
    ? {
        outOfSyncMessage: `${changed.join(' and ')} differ from the stage manifests (stage.json) and config/params.yaml`,
      }
    : {};
}
