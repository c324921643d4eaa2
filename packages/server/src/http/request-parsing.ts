import type { z } from 'zod';
import { AppError } from '../errors/app-error.js';
import { findNulCharacter } from './nul-characters.js';

/** Validates an inbound body against its schema; the first problems go into one clear message. */
export function parseBody<T>(schema: z.ZodType<T>, body: unknown): T {
  const nulAt = findNulCharacter(body);
  if (nulAt) throw new AppError('invalid_request', `${nulAt}: must not contain NUL (U+0000) characters`, { status: 400 });
  const parsed = schema.safeParse(body ?? {});
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.slice(0, 3).map((issue) => `${issue.path.join('.') || 'body'}: ${issue.message}`);
  throw new AppError('invalid_request', problems.join('; '), { status: 400 });
}

/** The token of an "Authorization: Bearer <token>" header. */
export function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return match?.[1];
}
