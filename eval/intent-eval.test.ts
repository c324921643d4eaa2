import { describe, expect, it } from 'vitest';
import type { LocalDecision } from '../packages/server/src/ai/providers/local/local-decision.js';
import { escalates, evaluateIntents, outcomeOf } from './intent-eval.js';

const tool = (name: string, intent: LocalDecision['intent']): LocalDecision => ({ kind: 'tool_calls', calls: [{ id: 'c', name, arguments: '{}' }], intent });
const text = (act: 'answer' | 'clarify' | 'dont_know', intent: LocalDecision['intent']): LocalDecision => ({ kind: 'text', text: '…', act, intent });

describe('intent evaluation', () => {
  it('reads the outcome of a decision and whether it hands over', () => {
    expect(outcomeOf(tool('search_knowledge_base', 'cancel_booking'))).toBe('tool_call');
    expect(outcomeOf(text('clarify', 'vague'))).toBe('clarify');
    expect(escalates(tool('create_ticket', 'complaint'))).toBe(true);
    expect(escalates(tool('lookup_booking', 'booking_status'))).toBe(false);
    expect(escalates(text('answer', 'greeting'))).toBe(false);
  });

  it('scores accuracy through the Bitext mapping, escalation, rejection, and skips training rows', () => {
    const decisions: Record<string, LocalDecision> = {
      'cancel it': tool('search_knowledge_base', 'cancel_booking'),
      'agent now': tool('create_ticket', 'human_request'),
      'i am angry': tool('create_ticket', 'complaint'),
      'where is my parcel': text('clarify', 'booking_status'),
      'wallet?': tool('get_wallet_balance', 'wallet_balance'),
      'weather on mars': text('dont_know', 'out_of_scope'),
      hlo: text('clarify', 'vague'),
      'order pizza': tool('search_knowledge_base', 'new_booking'),
      'trained row': tool('search_knowledge_base', 'cancel_booking'),
    };
    const result = evaluateIntents({
      bitext: [
        { id: 'b1', text: 'cancel it', label: 'cancel_order' },
        { id: 'b2', text: 'agent now', label: 'contact_human_agent' },
        { id: 'b3', text: 'i am angry', label: 'review' },
        { id: 'b4', text: 'where is my parcel', label: 'track_order' },
        { id: 'b5', text: 'wallet?', label: 'check_payment_methods' },
        { id: 'b6', text: 'weather on mars', label: 'complaint' },
        { id: 'b7', text: 'trained row', label: 'get_refund' },
      ],
      clinc: [
        { id: 'c1', text: 'weather on mars', label: 'oos', domain: null },
        { id: 'c2', text: 'order pizza', label: 'oos', domain: null },
        { id: 'c3', text: 'cancel it', label: 'cancel', domain: 'meta' },
      ],
      hint3: [{ id: 'h1', text: 'hlo', label: 'NO_NODES_DETECTED', bot: 'curekart' }],
      decide: (message) => decisions[message] ?? text('dont_know', 'out_of_scope'),
      isTrainingRow: (row) => row.id === 'b7',
      isExplicitHandoff: (message) => message === 'i am angry',
    });
    // cancel_order, contact_human_agent and track_order right; review, check_payment_methods and complaint wrong.
    expect(result.accuracy).toBe(0.5);
    // Escalated: b2 (positive), b3 (negative). Missed: b6.
    expect(result.escalation).toEqual({ precision: 0.5, recall: 0.5, f1: 0.5, false_positives: 1, false_positives_from_explicit_rule: 1 });
    expect(result.oos_rejection).toBeCloseTo(2 / 3, 12);
    expect(result.oos_rejection_by_source).toEqual({ clinc150: 0.5, hint3: 1 });
    expect(result.oos_false_rejection).toBeCloseTo(1 / 6, 12);
    expect(result.in_scope_clarify_rate).toBeCloseTo(1 / 6, 12);
    expect(result.counts).toEqual({ bitext_scored: 6, bitext_skipped_as_training: 1, oos_scored: 3, oos_skipped_as_training: 0 });
    expect(result.accuracy_by_label.track_order).toBe(1);
  });
});
