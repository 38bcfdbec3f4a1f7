// The HEALTHCHECK of a server image (docker/Dockerfile and compose): GET http://127.0.0.1:$PORT<path> with Node's
// fetch (the slim image has no curl), exit 0 on a 2xx answer within 3 s, 1 otherwise. A script rather than
// `node -e '…'`: a plain argument list survives every compose implementation's quoting (podman-compose 1.0.3 turns
// an exec-form healthcheck into a shell line without quoting it).
const path = process.argv[2] ?? '/health';
const port = process.env.PORT || '8000';
try {
  const response = await fetch(`http://127.0.0.1:${port}${path}`, { signal: AbortSignal.timeout(3000) });
  process.exit(response.ok ? 0 : 1);
} catch {
  process.exit(1);
}
