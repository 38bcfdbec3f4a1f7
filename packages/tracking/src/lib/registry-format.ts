/** Terminal tables of the model registry (mlops-runs models list / show). */
import { formatTime, renderTable } from './compare.js';
import type { ModelVersion, RegisteredModel } from './registry.js';

const aliasList = (aliases: Record<string, string>) =>
  Object.entries(aliases)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([a, v]) => `${a}→v${v}`)
    .join(', ') || '-';

export function modelsTable(models: Array<RegisteredModel & { versions: number }>): string {
  if (models.length === 0) return 'no registered models\n';
  return renderTable(
    ['name', 'versions', 'aliases', 'updated'],
    models.map((m) => [m.name, String(m.versions), aliasList(m.aliases), formatTime(m.lastUpdatedTimestamp)]),
    [false, true, false, false],
  );
}

export function versionsTable(model: RegisteredModel, versions: ModelVersion[]): string {
  const head = `registered model ${model.name}${model.description ? `: ${model.description}` : ''}\naliases: ${aliasList(model.aliases)}\n\n`;
  if (versions.length === 0) return `${head}no versions\n`;
  return (
    head +
    renderTable(
      ['version', 'aliases', 'run_id', 'created', 'tags', 'source'],
      versions.map((v) => [
        v.version,
        v.aliases.join(', ') || '-',
        v.runId ?? '-',
        formatTime(v.creationTimestamp),
        Object.entries(v.tags)
          .map(([k, val]) => `${k}=${val}`)
          .join(' ') || '-',
        v.source,
      ]),
      [true, false, false, false, false, false],
    )
  );
}
