import type { RawData } from 'ws';
import { clientEventSchema, clientEventTypes, type ClientEvent } from '@support/protocol';
import { AppError } from '../errors/app-error.js';
import { findNulCharacter } from '../http/nul-characters.js';

/**
 * The largest text frame the socket takes at all (the contract: up to 1 MiB
 * is bad input that gets an error event, not a closed connection). Larger
 * frames are cut off by ws with close code 1009.
 */
export const MAX_FRAME_BYTES = 1024 * 1024;

/**
 * Frames larger than this are not parsed: the longest valid message (4,000
 * characters, each escaped as \uXXXX at worst, plus ids) fits well inside it,
 * so a bigger frame is refused as too_long without the cost of JSON.parse.
 */
export const MAX_PARSED_FRAME_BYTES = 64 * 1024;

/** A frame that could not become an event, with what the error event should carry. */
export class FrameError extends AppError {
  constructor(
    code: 'invalid_message' | 'too_long',
    message: string,
    readonly clientMessageId?: string,
  ) {
    super(code, message);
  }
}

function frameText(data: RawData): Buffer {
  return Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
}

/** The clientMessageId of an unparsed frame, so that even a too_long error says which message it answers. */
function peekClientMessageId(head: string): string | undefined {
  const id = /"clientMessageId"\s*:\s*"([^"\\]{1,200})"/.exec(head)?.[1];
  return id && !id.includes('\u0000') ? id : undefined;
}

/** Text frame → a valid client event, or a FrameError with the contract's code. */
export function parseFrame(data: RawData, isBinary: boolean): ClientEvent {
  if (isBinary) throw new FrameError('invalid_message', 'Binary frames are not supported; send JSON text.');
  const bytes = frameText(data);
  if (bytes.length > MAX_PARSED_FRAME_BYTES) {
    throw new FrameError(
      'too_long',
      `The frame is ${bytes.length} bytes; frames larger than ${MAX_PARSED_FRAME_BYTES} bytes are refused.`,
      peekClientMessageId(bytes.subarray(0, 1024).toString('utf8')),
    );
  }
  let raw: unknown;
  try {
    raw = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new FrameError('invalid_message', 'The frame is not valid JSON.');
  }
  const record = typeof raw === 'object' && raw !== null && !Array.isArray(raw) ? (raw as Record<string, unknown>) : undefined;
  const type = record?.type;
  const clientMessageId = typeof record?.clientMessageId === 'string' && record.clientMessageId.length <= 200 && !record.clientMessageId.includes('\u0000') ? record.clientMessageId : undefined;
  if (typeof type !== 'string' || !clientEventTypes.some((known) => known === type)) {
    throw new FrameError('invalid_message', `Unknown event type; expected one of ${clientEventTypes.join(', ')}.`);
  }
  const nulAt = findNulCharacter(raw);
  if (nulAt) throw new FrameError('invalid_message', `Invalid ${type} event: ${nulAt}: must not contain NUL (U+0000) characters.`, clientMessageId);
  const parsed = clientEventSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.slice(0, 3).map((issue) => `${issue.path.join('.') || 'event'}: ${issue.message}`);
    throw new FrameError('invalid_message', `Invalid ${type} event: ${problems.join('; ')}`, clientMessageId);
  }
  const event = parsed.data;
  // Lone surrogates (possible in JSON, not in UTF-8 text) would not survive storage intact.
  if (event.type === 'send_message') return { ...event, text: event.text.replace(LONE_SURROGATE, '\uFFFD') };
  return event;
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
