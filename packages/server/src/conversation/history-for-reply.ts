import type { Message } from '@support/protocol';

/**
 * The transcript a reply to `question` is written from: everything before it,
 * then the question last. Replies to earlier messages that were stored after
 * the question (the customer wrote again while the previous answer was still
 * streaming) come before the question, where the customer saw them; messages
 * sent after the question, and their replies, are not part of it.
 */
export function historyForReply(transcript: Message[], question: Message): Message[] {
  const index = transcript.findIndex((message) => message.id === question.id);
  if (index < 0) return [question];
  const before = transcript.slice(0, index);
  const earlier = new Set(before.filter((message) => message.role === 'user').map((message) => message.id));
  const lateReplies = transcript
    .slice(index + 1)
    .filter((message) => message.role !== 'user' && message.replyToMessageId !== undefined && earlier.has(message.replyToMessageId));
  return [...before, ...lateReplies, question];
}
