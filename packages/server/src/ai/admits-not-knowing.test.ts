import { describe, expect, it } from 'vitest';
import { DONT_KNOW } from './providers/local/compose-answer.js';
import { admitsNotKnowing } from './assistant-replies.js';

describe('admitsNotKnowing', () => {
  it.each([DONT_KNOW, "Sorry, I don't know the answer to that.", "I couldn't find any information about parking at that hotel.", "I don't have information on that."])(
    'recognises "%s"',
    (text) => expect(admitsNotKnowing(text)).toBe(true),
  );
  it.each(['Standard fares cancel for €75 [1].', 'You know, Flex fares are free to change.', 'I found your booking SKY4F2.'])('does not flag "%s"', (text) =>
    expect(admitsNotKnowing(text)).toBe(false),
  );
});
