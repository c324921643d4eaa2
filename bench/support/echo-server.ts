/**
 * The baseline: a raw `ws` server that answers each `send_message` the way
 * the service does at the least (ack, one delta, the final message), with no
 * storage, model or routing. Its own process, like a service node, so the
 * two rows compare transport to service on equal terms.
 *
 *   node --import tsx bench/support/echo-server.ts   # prints its URL
 */
import { WebSocketServer } from 'ws';

const server = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
let sequence = 0;
server.on('connection', (socket) => {
  socket.on('message', (data) => {
    const event = JSON.parse(data.toString()) as { type?: string; clientMessageId?: string; text?: string };
    if (event.type !== 'send_message') return;
    sequence += 1;
    const messageId = `m${sequence}`;
    const replyId = `r${sequence}`;
    socket.send(JSON.stringify({ type: 'ack', clientMessageId: event.clientMessageId, messageId }));
    socket.send(JSON.stringify({ type: 'message_delta', messageId: replyId, delta: 'Echo', replyToMessageId: messageId }));
    socket.send(JSON.stringify({ type: 'message', message: { id: replyId, role: 'assistant', text: `Echo: ${event.text ?? ''}`, replyToMessageId: messageId, createdAt: new Date().toISOString() } }));
  });
});
server.on('listening', () => {
  const address = server.address();
  process.stdout.write(`${typeof address === 'object' && address ? `http://127.0.0.1:${address.port}` : ''}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
