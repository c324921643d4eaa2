import { LEXICON } from '../input-filter/lexicon.js';
import { normaliseMessage } from '../input-filter/normalise-message.js';

/**
 * Local moderation of a model's reply: what a support assistant must never
 * say to a customer, in the four languages. Runs on every reply of every
 * provider (sentence by sentence while streaming) and is the only
 * moderation of the local and OpenAI-compatible providers.
 *
 * - Insults, slurs and threats aimed at the customer: the abuse lexicon of
 *   the input filter, read on the reply.
 * - Encouraging self-harm or telling how ("you should kill yourself", "a
 *   lethal dose is…"). A reply that points someone to help ("if you are
 *   thinking of ending your life, call 116 123") is what we want and passes.
 * - Sexual content, which has no place in travel support.
 * - Its own instructions leaking ("my system prompt says…").
 */
export interface OutputVerdict {
  category: 'harassment' | 'self_harm' | 'sexual' | 'instructions_leak';
  rule: string;
}

const r = (source: string) => new RegExp(source, 'i');

const SELF_HARM_ENCOURAGEMENT = [
  r(String.raw`\b(?:you should|you could|you might as well|why don'?t you|just|go(?: and)?) (?:kill|hurt|harm|cut|hang|end) (?:yourself|your life|it all)\b`),
  r(String.raw`\b(?:lethal|fatal|deadly) (?:dose|amount|quantity)\b|\bhow many (?:pills|tablets|sleeping pills) (?:it takes|to take|would) (?:to )?(?:die|kill)\b|\b(?:best|easiest|quickest|painless) (?:way|method|ways|methods) to (?:die|kill yourself|end your life|commit suicide)\b`),
  r(String.raw`\b(?:deberias|podrias) (?:matarte|suicidarte|hacerte dano)\b|\btu devrais (?:te tuer|te suicider|en finir)\b|\bdu solltest (?:dich umbringen|dich toten|dir das leben nehmen)\b|\bdosis (?:letal|mortal)\b|\bdose (?:letale|mortelle)\b|\btodliche dosis\b`),
];
const SEXUAL = [
  r(String.raw`\b(?:porn|porno|pornographic|blowjob|handjob|orgasm|masturbat\w*|nude pics?|send nudes|sexting|erotic roleplay|dick pic|pussy|cock|cum|horny)\b`),
];
const INSTRUCTIONS_LEAK = [
  r(String.raw`\b(?:my|the) (?:system prompt|hidden instructions|system message|initial instructions)(?: (?:is|are|says|reads|states))?\s*[:"]`),
  r(String.raw`\bhere (?:is|are) (?:my|the) (?:system prompt|instructions i was given|full prompt|hidden instructions)\b`),
];

export function checkReplyLocally(text: string): OutputVerdict | null {
  const normalised = normaliseMessage(text);
  for (const [index, { pattern }] of LEXICON.abuse.patterns.entries()) if (pattern.test(normalised)) return { category: 'harassment', rule: `abuse:${index}` };
  for (const [index, pattern] of SELF_HARM_ENCOURAGEMENT.entries()) if (pattern.test(normalised)) return { category: 'self_harm', rule: `self_harm_encouragement:${index}` };
  for (const [index, pattern] of SEXUAL.entries()) if (pattern.test(normalised)) return { category: 'sexual', rule: `sexual:${index}` };
  for (const [index, pattern] of INSTRUCTIONS_LEAK.entries()) if (pattern.test(normalised)) return { category: 'instructions_leak', rule: `instructions_leak:${index}` };
  return null;
}
