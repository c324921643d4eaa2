import type { Message } from '@support/protocol';
import { describe, expect, it } from 'vitest';
import { historyForReply } from './history-for-reply.js';

const message = (id: string, role: Message['role'], replyToMessageId?: string): Message => ({
  id,
  role,
  text: id,
  createdAt: '2026-12-03T10:00:00.000Z',
  citations: [],
  ...(replyToMessageId ? { replyToMessageId } : {}),
});

describe('historyForReply', () => {
  it('ends with the question and leaves out what came after it', () => {
    const transcript = [message('u1', 'user'), message('a1', 'assistant', 'u1'), message('u2', 'user'), message('u3', 'user'), message('a3', 'assistant', 'u3')];
    expect(historyForReply(transcript, transcript[2] as Message).map((entry) => entry.id)).toEqual(['u1', 'a1', 'u2']);
  });

  it('puts the answer to an earlier message that was stored after the question before the question', () => {
    // u2 was sent while a1 still streamed: a1 is stored after u2, but the customer read it first.
    const transcript = [message('u1', 'user'), message('u2', 'user'), message('a1', 'assistant', 'u1'), message('u3', 'user'), message('a3', 'assistant', 'u3')];
    expect(historyForReply(transcript, transcript[1] as Message).map((entry) => entry.id)).toEqual(['u1', 'a1', 'u2']);
  });

  it('answers from the question alone when it is not in the transcript it was given', () => {
    const question = message('u9', 'user');
    expect(historyForReply([message('u1', 'user')], question)).toEqual([question]);
  });
});
