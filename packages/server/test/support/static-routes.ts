import { connect } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import { mapError } from '../../src/http/error-mapping.js';

/** One request sent as raw bytes, so that no client library normalises `..` out of the path first. */
export function rawGet(port: number, path: string): Promise<{ status: number; text: string }> {
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
