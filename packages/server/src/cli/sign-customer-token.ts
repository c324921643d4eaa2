/**
 * Signs a customer token the way a host application does, for trying the
 * account flows with curl or a websocket client:
 *   HOST_JWT_SECRET=... npm run token -- cus_alice
 */
import { CustomerTokenVerifier } from '../conversation/customer-token.js';

const [customerId, name] = process.argv.slice(2);
const secret = process.env.HOST_JWT_SECRET;
if (!customerId || !secret) {
  process.stderr.write('usage: HOST_JWT_SECRET=<secret of the server> npm run token -- <customer id> [name]\n');
  process.exit(2);
}
const token = await new CustomerTokenVerifier(secret).sign({ sub: customerId, ...(name ? { name } : {}) }, 3600);
process.stdout.write(`${token}\n`);
