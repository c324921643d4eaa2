import { checkReplyLocally, type OutputVerdict } from './local-output-rules.js';
import type { ProviderModeration } from './provider-moderation.js';

/**
 * Moderation of one streamed reply. The trade-off, chosen here and
 * documented in docs/guardrails.md:
 *
 * - Deltas are held back to the end of each sentence, and each sentence is
 *   checked by the local rules (microseconds) before it is sent. A sentence
 *   the rules catch is never shown, and nothing after it is streamed. The
 *   cost is a delay of at most one sentence on the stream.
 * - The provider's moderation endpoint (network, ~100–300 ms) is asked once,
 *   on the whole reply, before the final `message`. When it flags what the
 *   local rules let through, the final `message` (authoritative by the
 *   protocol: it replaces its deltas) carries the safe reply instead, so the
 *   transcript, a reload and every other tab only ever hold the safe text;
 *   the flagged sentences were on screen for that moment.
 *
 * Holding the whole reply back for the endpoint would make every reply wait
 * for its last token: no streaming at all. Moderating every sentence with
 * the endpoint would cost a network call per sentence.
 */
const SENTENCE_END = /[.!?…。](?:["'”’)\]]*)(?=\s|$)|\n/g;
/** A "sentence" longer than this is checked and sent anyway: a reply without punctuation still streams. */
const MAX_HELD_CHARS = 240;

export interface ModerationOutcome {
  /** Null: the reply stands. Otherwise which check stopped it. */
  blocked: null | { by: 'local' | 'provider'; category: string; rule: string };
  /** The provider's check could not answer (timeout, outage): only the local rules decided. */
  providerFailed: boolean;
}

export class ReplyModerator {
  private received = '';
  private sentUpTo = 0;
  private localBlock: OutputVerdict | null = null;

  constructor(
    private readonly send: (delta: string) => void,
    private readonly options: { mode: 'auto' | 'local' | 'off'; provider: ProviderModeration | null; timeoutMs: number; onProviderError?: (error: unknown) => void },
  ) {}

  /** A delta from the model: sent once its sentence is complete and passes. */
  push(delta: string): void {
    if (this.options.mode === 'off') {
      this.send(delta);
      return;
    }
    this.received += delta;
    if (this.localBlock) return;
    const end = this.lastCompleteSentenceEnd();
    if (end > this.sentUpTo) this.release(end);
  }

  /** The reply is complete: what is left is checked and sent, then the whole is moderated. */
  async finish(text: string): Promise<ModerationOutcome> {
    if (this.options.mode === 'off') return { blocked: null, providerFailed: false };
    if (!this.localBlock && this.received.length > this.sentUpTo) this.release(this.received.length);
    // The final text is what is stored: it is checked whole, also when it differs from the deltas.
    const local = this.localBlock ?? checkReplyLocally(text);
    if (local) return { blocked: { by: 'local', category: local.category, rule: local.rule }, providerFailed: false };
    const { provider } = this.options;
    if (this.options.mode !== 'auto' || !provider) return { blocked: null, providerFailed: false };
    try {
      const verdict = await provider.moderate(text, this.options.timeoutMs);
      if (!verdict.flagged) return { blocked: null, providerFailed: false };
      return { blocked: { by: 'provider', category: verdict.categories[0] ?? 'flagged', rule: `${provider.provider}:${verdict.categories.join(',') || 'flagged'}` }, providerFailed: false };
    } catch (error) {
      this.options.onProviderError?.(error);
      return { blocked: null, providerFailed: true };
    }
  }

  private release(end: number): void {
    const pending = this.received.slice(this.sentUpTo, end);
    // Checked with what came before, so that a phrase split over two sentences is still read whole.
    const verdict = checkReplyLocally(this.received.slice(0, end));
    if (verdict) {
      this.localBlock = verdict;
      return;
    }
    this.sentUpTo = end;
    if (pending !== '') this.send(pending);
  }

  private lastCompleteSentenceEnd(): number {
    let end = this.sentUpTo;
    SENTENCE_END.lastIndex = this.sentUpTo;
    for (let match = SENTENCE_END.exec(this.received); match !== null; match = SENTENCE_END.exec(this.received)) end = match.index + match[0].length;
    // No sentence end for a long while: send what is held, so the reader is not left waiting.
    if (end === this.sentUpTo && this.received.length - this.sentUpTo > MAX_HELD_CHARS) end = this.received.length;
    return end;
  }
}
