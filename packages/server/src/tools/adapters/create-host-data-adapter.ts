import type { AppConfig } from '../../config.js';
import type { Queryable } from '../../storage/database.js';
import { DemoHostDataAdapter } from './demo-host-data-adapter.js';
import type { HostDataAdapter } from './host-data-adapter.js';
import { HttpHostDataAdapter } from './http-host-data-adapter.js';

/** HOST_ADAPTER → where the tools read the company's data. */
export function createHostDataAdapter(config: AppConfig['hostAdapter'], db: Queryable): HostDataAdapter {
  return config.kind === 'demo'
    ? new DemoHostDataAdapter(db)
    : new HttpHostDataAdapter({ baseUrl: config.baseUrl, auth: config.auth, timeoutMs: config.timeoutMs, retries: config.retries });
}
