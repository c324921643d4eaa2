import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { demoBookingView, loadDemoData } from '../src/demo/demo-data.js';
import { quoteDemoCancellation, quoteDemoChange } from '../src/demo/demo-fare-rules.js';
import { SIGNATURE_HEADER, verifyHostRequest } from '../src/tools/adapters/host-request-signing.js';

/**
 * Plays the travel company's own API over real HTTP, with the demo data: it
 * verifies the caller's credential (bearer token or HMAC signature) as a real
 * host would, and can be told to fail, stall or refuse.
 */
export interface FakeHostServer {
  url: string;
  /** Every request: path, the customer header, and whether its credential verified. */
  requests: Array<{ method: string; path: string; customerId: string | undefined; authenticated: boolean; idempotencyKey: string | undefined }>;
  /** Executed changes by idempotency key: a retried execute must not act twice. */
  executions: Map<string, { reference: string; kind: 'cancellation' | 'change' }>;
  /** The next `count` requests get this status (e.g. 500, 503, 403). */
  failNext(count: number, status: number): void;
  /** The next `count` requests wait this long before answering (to trip timeouts). */
  stallNext(count: number, ms: number): void;
  close(): Promise<void>;
}

export async function startFakeHostServer(auth: { bearer?: string; hmacSecret?: string }): Promise<FakeHostServer> {
  const data = await loadDemoData();
  const requests: FakeHostServer['requests'] = [];
  let failures: { count: number; status: number } = { count: 0, status: 500 };
  let stalls: { count: number; ms: number } = { count: 0, ms: 0 };
  const executions: FakeHostServer['executions'] = new Map();
  const now = () => Date.parse('2026-11-28T10:00:00Z');

  const bookingView = demoBookingView;


  const authenticated = (request: IncomingMessage, body: string): boolean => {
    if (auth.bearer) return request.headers.authorization === `Bearer ${auth.bearer}`;
    if (auth.hmacSecret) {
      const signature = request.headers[SIGNATURE_HEADER];
      return verifyHostRequest(auth.hmacSecret, { method: request.method ?? 'GET', path: request.url ?? '/', body, signature: typeof signature === 'string' ? signature : undefined });
    }
    return false;
  };

  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', async () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const customerHeader = request.headers['x-customer-id'];
      const customerId = typeof customerHeader === 'string' ? customerHeader : undefined;
      const ok = authenticated(request, body);
      const keyHeader = request.headers['idempotency-key'];
      const idempotencyKey = typeof keyHeader === 'string' ? keyHeader : undefined;
      requests.push({ method: request.method ?? 'GET', path: request.url ?? '/', customerId, authenticated: ok, idempotencyKey });
      const send = (status: number, payload?: unknown) => {
        response.writeHead(status, { 'content-type': 'application/json' });
        response.end(payload === undefined ? '' : JSON.stringify(payload));
      };
      if (stalls.count > 0) {
        stalls.count -= 1;
        await new Promise((resolve) => setTimeout(resolve, stalls.ms));
      }
      if (failures.count > 0) {
        failures.count -= 1;
        return send(failures.status, { error: 'scripted failure' });
      }
      if (!ok) return send(401, { error: 'bad credential' });

      const match = /^\/api\/customers\/([^/]+)(?:\/(bookings|wallet)(?:\/([^/]+))?)?(?:\/(cancellation-quote|change-quote|cancellation|change))?$/.exec(request.url ?? '');
      const pathCustomer = match?.[1] ? decodeURIComponent(match[1]) : undefined;
      // A real host checks the acting customer in the path against the one the caller names.
      if (!match || !pathCustomer || pathCustomer !== customerId) return send(404, { error: 'not found' });
      const customer = data.customers.find((candidate) => candidate.id === pathCustomer);
      if (!customer) return send(404, { error: 'no such customer' });
      if (!match[2]) return send(200, { id: customer.id, name: customer.name, tier: customer.tier, locale: customer.locale });
      if (match[2] === 'wallet') {
        const wallet = data.wallets.find((candidate) => candidate.customerId === customer.id);
        return wallet ? send(200, { balance: wallet.balance.toFixed(2), currency: wallet.currency, updatedAt: wallet.updatedAt }) : send(404);
      }
      const own = data.bookings.filter((booking) => booking.customerId === customer.id);
      if (!match[3]) return send(200, { bookings: own.map(bookingView) });
      const booking = own.find((candidate) => candidate.reference === decodeURIComponent(match[3] ?? ''));
      if (!booking) return send(404, { error: 'not found' });
      const operation = match[4];
      if (!operation) return send(200, bookingView(booking));
      if (request.method !== 'POST') return send(405, { error: 'POST only' });
      let newStartDate = '';
      try {
        const parsed: unknown = JSON.parse(body || '{}');
        if (parsed && typeof parsed === 'object' && 'newStartDate' in parsed && typeof parsed.newStartDate === 'string') newStartDate = parsed.newStartDate;
      } catch {
        return send(400, { error: 'bad json' });
      }
      if (operation === 'cancellation-quote') return send(200, quoteDemoCancellation(bookingView(booking), now()));
      if (operation === 'change-quote') return send(200, quoteDemoChange(bookingView(booking), newStartDate, now()));
      if (!idempotencyKey) return send(400, { error: 'Idempotency-Key required' });
      if (!executions.has(idempotencyKey)) executions.set(idempotencyKey, { reference: booking.reference, kind: operation === 'cancellation' ? 'cancellation' : 'change' });
      return operation === 'cancellation'
        ? send(200, { reference: booking.reference, status: 'cancelled', startDate: booking.startDate, refund: quoteDemoCancellation(bookingView(booking), now()).refund })
        : send(200, { reference: booking.reference, status: 'changed', startDate: newStartDate, refund: null });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/api`,
    requests,
    executions,
    failNext: (count, status) => {
      failures = { count, status };
    },
    stallNext: (count, ms) => {
      stalls = { count, ms };
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
