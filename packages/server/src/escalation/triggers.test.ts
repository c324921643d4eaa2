import { describe, expect, it } from 'vitest';
import { detectEscalationTrigger } from './triggers.js';

describe('detectEscalationTrigger', () => {
  it.each([
    'I want to talk to a human',
    'Can I speak with an agent?',
    'let me chat to a real person please',
    'Connect me with someone from your team',
    'human please',
    'AGENT!',
    'I need a real person',
    'get me a live agent',
    'Is there a human I can talk to?',
    'transfer me to a representative',
    'Please put me through to someone',
    'stop being a bot',
  ])('escalates "%s"', (text) => {
    expect(detectEscalationTrigger(text)).toBe('explicit_human_request');
  });

  it.each([
    'How much does it cost to cancel a flight?',
    'Can my travel agent change my booking?',
    'Do I need to talk to the airline staff at the airport?',
    'What is the human rights policy?',
    'Is the agent fee refundable?',
    'Can I speak Spanish with the hotel?',
    'What time does the check-in desk open?',
    'How can I contact customer service?',
  ])('does not escalate "%s"', (text) => {
    expect(detectEscalationTrigger(text)).toBeNull();
  });
});
