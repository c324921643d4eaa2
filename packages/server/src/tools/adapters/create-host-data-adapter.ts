import type { AppConfig } from '../../config.js';
import type { Queryable } from '../../storage/database.js';
import { DemoHostDataAdapter } from './demo-host-data-adapter.js';
import type { HostDataAdapter } from './host-data-adapter.js';
import { HttpHostDataAdapter } from './http-host-data-adapter.js';

/** HOST_ADAPTER → where the tools read the company's data. `now` is the service's clock (the demo host's fare rules read it). */
export function createHostDataAdapter(config: AppConfig['hostAdapter'], db: Queryable, now: () => Date = () => new Date()): HostDataAdapter {
  return config.kind === 'demo'
    ? new DemoHostDataAdapter(db, now)
    : new HttpHostDataAdapter({ baseUrl: config.baseUrl, auth: config.auth, timeoutMs: config.timeoutMs, retries: config.retries });
}
