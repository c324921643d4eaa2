import { connect } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import { expect } from 'vitest';
import { mapError } from '../../src/http/error-mapping.js';

/** One request sent as raw bytes, so that no client library normalises `..` out of the path first. */
function rawGet(port: number, path: string): Promise<{ status: number; text: string }> {
  return new Promise((resolvePromise, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`));
    let text = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (text += chunk));
    socket.on('end', () => resolvePromise({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0), text }));
    socket.on('error', reject);
  });
}

/** A bare app with the server's own error handling, so that refused requests look as they would in the service. */
export async function appWithRoutes(register: (app: FastifyInstance) => void): Promise<FastifyInstance> {
  const app = Fastify();
  app.setErrorHandler((error, _request, reply) => {
    const mapped = mapError(error);
    return reply.code(mapped.status).send(mapped.body);
  });
  app.setNotFoundHandler((_request, reply) => reply.code(404).send({ error: { code: 'not_found', message: 'No such endpoint.' } }));
  register(app);
  await app.ready();
  return app;
}

/**
 * Traversal attempts, through inject (decoded forms) and then over a real socket (the path exactly as
 * sent), are refused without a byte of `secret`; a symlink inside dist pointing out of it is a 404.
 */
export async function expectTraversalRefused(
  app: FastifyInstance,
  attempts: { injected: string[]; raw: string[]; linkedOut: string; secret: string },
): Promise<void> {
  for (const url of attempts.injected) {
    const response = await app.inject({ method: 'GET', url });
    expect(response.statusCode, url).toBeGreaterThanOrEqual(400);
    expect(response.statusCode, url).toBeLessThan(500);
    expect(response.body, url).not.toContain(attempts.secret);
  }
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  for (const path of attempts.raw) {
    const response = await rawGet(port, path);
    expect(response.status, path).toBe(400);
    expect(response.text, path).not.toContain(attempts.secret);
  }
  const linked = await app.inject({ method: 'GET', url: attempts.linkedOut });
  expect(linked.statusCode).toBe(404);
  expect(linked.body).not.toContain(attempts.secret);
}
