// Container health probe (the image has neither curl nor wget): exits 0 when the service on this
// container answers GET <path> with a 2xx within 3 s, 1 otherwise.
//
//   node deploy/healthcheck.mjs /healthz   liveness: the process serves (the image's HEALTHCHECK)
//   node deploy/healthcheck.mjs /readyz    readiness: database and Redis reachable (compose)
//
// It asks the address the service listens on: PORT (3000) on HOST, loopback when HOST is a wildcard.
const path = process.argv[2] ?? '/healthz';
const port = process.env.PORT || '3000';
const listen = (process.env.HOST || '').trim();
const host = listen === '' || listen === '0.0.0.0' || listen === '::' ? '127.0.0.1' : listen.includes(':') ? `[${listen}]` : listen;

try {
  const response = await fetch(`http://${host}:${port}${path}`, { signal: AbortSignal.timeout(3000) });
  process.exitCode = response.ok ? 0 : 1;
  if (!response.ok) process.stderr.write(`${path}: HTTP ${response.status} ${await response.text()}\n`);
} catch (error) {
  process.stderr.write(`${path}: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
}
