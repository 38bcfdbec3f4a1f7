/**
 * deploy/argo/pipeline.yaml, generated from the stage manifests: an Argo Workflows WorkflowTemplate whose DAG has one
 * task per stage with a container image (the compose stages: every DVC stage, plus dvc-pull which restores the raw
 * data), each running its package's image with exactly the dvc.yaml command (as `args`, so the image's entrypoint
 * still applies DVC_REMOTE_*), its dependencies from the stage graph, the workspace on a shared volume claim and
 * config/params.yaml from a ConfigMap. Memory requests: the manifest's `resources`, else the peak RSS that
 * `npm run bench:scale` measured (benchmarks/scale.json, largest run) with a quarter of headroom, else a default.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { IMAGE_PREFIX, imageName, imagePackages } from './docker.mjs';
import { mounts } from './generate.mjs';
import { upstreamOf } from './manifest.mjs';
import { PARAMS_FILE } from './params.mjs';

export const ARGO_FILE = 'deploy/argo/pipeline.yaml';
export const TEMPLATE_NAME = 'mlops-obesity-pipeline';
export const WORKSPACE_CLAIM = 'mlops-obesity-workspace';
export const PARAMS_CONFIGMAP = 'mlops-obesity-params';
export const ENV_SECRET = 'mlops-obesity-env';
export const SCALE_FILE = 'benchmarks/scale.json';
const DEFAULT_MEMORY_MIB = 256;
const DEFAULT_CPU = '500m';

/** A DAG task or template name: Argo wants DNS-label-like names (no `_`). */
export function taskName(stage) {
  return (stage.dvc ?? stage.service).replaceAll('_', '-');
}

/** `project:target` → largest peak RSS (MiB) measured by bench:scale, from benchmarks/scale.json. */
export function measuredPeaks(root) {
  const file = join(root, SCALE_FILE);
  const peaks = new Map();
  if (!existsSync(file)) return peaks;
  const scale = JSON.parse(readFileSync(file, 'utf8'));
  for (const run of scale.runs ?? [])
    for (const s of run.stages ?? [])
      if (s.ok && Number.isFinite(s.peak_rss_mib))
        peaks.set(s.target, Math.max(peaks.get(s.target) ?? 0, s.peak_rss_mib));
  return peaks;
}

/** Resource requests of a stage: declared, else measured peak × 1.25 rounded up to 64 MiB, else the default. */
export function requests(stage, peaks) {
  const peak = peaks.get(`${stage.project}:${stage.target}`);
  const memory =
    stage.resources.memory ?? `${peak ? Math.ceil((peak * 1.25) / 64) * 64 : DEFAULT_MEMORY_MIB}Mi`;
  return { memory, cpu: stage.resources.cpu ?? DEFAULT_CPU };
}

/** compose-style mounts (`../dir:/app/dir[:ro]`) as volume mounts: params from the ConfigMap, the rest the claim. */
function volumeMounts(stage, trackingDir) {
  return mounts(stage, trackingDir).map((m) => {
    const [host, inContainer, mode] = m.split(':');
    const dir = host.replace(/^\.\.\//, '');
    if (dir === posix.dirname(PARAMS_FILE)) return { name: 'params', mountPath: inContainer, readOnly: true };
    return {
      name: 'workspace',
      mountPath: inContainer,
      subPath: dir,
      ...(mode === 'ro' ? { readOnly: true } : {}),
    };
  });
}

/**
 * The WorkflowTemplate (as data). `root` is read for the measured peaks only; `trackingDir` is the folder of a
 * file-store tracking URI (on the claim, as compose mounts it), or undefined.
 */
export function argoWorkflow(stages, root, trackingDir) {
  const peaks = measuredPeaks(root);
  const images = new Set(imagePackages(stages).map((p) => p.project));
  const tasks = stages.filter((s) => s.service && !s.continuous && images.has(s.project));
  const names = new Map(tasks.map((s) => [s, taskName(s)]));
  const templates = tasks.map((s) => {
    const env = [
      { name: 'LOG_LEVEL', value: '{{workflow.parameters.log-level}}' },
      { name: 'LOG_FORMAT', value: 'json' },
      ...(s.env.includes('MLFLOW_TRACKING_URI')
        ? [{ name: 'MLFLOW_TRACKING_URI', value: '{{workflow.parameters.mlflow-tracking-uri}}' }]
        : []),
    ];
    const container = {
      image: imageName(
        s.project,
        '{{workflow.parameters.image-prefix}}',
        '{{workflow.parameters.image-tag}}',
      ),
      args: s.argv,
      workingDir: '/app',
      env,
      volumeMounts: volumeMounts(s, trackingDir),
      resources: { requests: requests(s, peaks) },
    };
    // Other environment (experiment name, remote credentials) from an optional Secret: never in the template.
    if (s.env.some((e) => e !== 'MLFLOW_TRACKING_URI') || s.passEnv.length)
      container.envFrom = [{ secretRef: { name: ENV_SECRET, optional: true } }];
    return { name: names.get(s), metadata: { labels: { 'mlops-obesity/stage': names.get(s) } }, container };
  });
  const dag = {
    tasks: tasks.map((s) => {
      const deps = upstreamOf(stages, s)
        .filter((u) => names.has(u))
        .map((u) => names.get(u));
      return { name: names.get(s), template: names.get(s), ...(deps.length ? { dependencies: deps } : {}) };
    }),
  };
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'WorkflowTemplate',
    metadata: { name: TEMPLATE_NAME, labels: { 'app.kubernetes.io/name': 'mlops-obesity' } },
    spec: {
      entrypoint: 'pipeline',
      arguments: {
        parameters: [
          { name: 'image-prefix', value: IMAGE_PREFIX },
          { name: 'image-tag', value: 'latest' },
          { name: 'log-level', value: 'INFO' },
          { name: 'mlflow-tracking-uri', value: 'file:./mlruns' },
        ],
      },
      // The images' `node` user; fsGroup makes the claim writable to it.
      securityContext: { runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000, fsGroup: 1000 },
      volumes: [
        { name: 'workspace', persistentVolumeClaim: { claimName: WORKSPACE_CLAIM } },
        {
          name: 'params',
          configMap: {
            name: PARAMS_CONFIGMAP,
            items: [{ key: posix.basename(PARAMS_FILE), path: posix.basename(PARAMS_FILE) }],
          },
        },
      ],
      templates: [{ name: 'pipeline', dag }, ...templates],
    },
  };
}

export const ARGO_HEADER = `# GENERATED by \`nx sync\` from the stage manifests (packages/*/stage.json) and the catalog in config/params.yaml:
# edit those (or tools/workspace/stages/argo.mjs), then run \`npx nx sync\`; \`npx nx sync:check\` fails when stale.
# One DAG task per stage, running its image with exactly its dvc.yaml command. Before submitting (README, "Argo"):
#   kubectl create configmap ${PARAMS_CONFIGMAP} --from-file=params.yaml=${PARAMS_FILE}
#   a ReadWriteOnce/Many claim ${WORKSPACE_CLAIM} holding a checkout of the repository, owned by uid 1000
#   argo template create ${ARGO_FILE} && argo submit --from workflowtemplate/${TEMPLATE_NAME} -p image-prefix=REGISTRY/mlops-obesity
`;
