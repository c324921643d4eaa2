import { describe, expect, it } from 'vitest';
import { clusterUnanswered, type UnansweredQuestion } from './unanswered-topics.js';

const asked = (texts: string[]): UnansweredQuestion[] =>
  texts.map((text, index) => ({ messageId: `msg_${index}`, sessionId: `ses_${index}`, text, askedAt: new Date(Date.UTC(2026, 0, 1, 0, index)).toISOString() }));

describe('clusterUnanswered', () => {
  const questions = asked([
    'Can I bring my dog on the plane?',
    'Is there wifi on the flight to New York?',
    'Do you allow dogs in the cabin?',
    'How fast is the onboard wifi?',
    'Can my cat travel with me in the cabin?',
    'Do you sell travel insurance?',
    'Is my dog allowed on board?',
    'wifi price on board',
  ]);

  it('groups alike questions into topics, largest first, named by their shared words', () => {
    const topics = clusterUnanswered(questions);
    const byLabel = Object.fromEntries(topics.map((topic) => [topic.label, topic.questions.map((question) => question.text).sort()]));
    const dogs = topics.find((topic) => topic.label.includes('dog'));
    const wifi = topics.find((topic) => topic.label.includes('wifi'));
    expect(dogs?.questions.map((question) => question.text)).toEqual(expect.arrayContaining(['Can I bring my dog on the plane?', 'Do you allow dogs in the cabin?', 'Is my dog allowed on board?']));
    expect(wifi?.questions.map((question) => question.text).sort()).toEqual(['How fast is the onboard wifi?', 'Is there wifi on the flight to New York?', 'wifi price on board'].sort());
    expect(topics.find((topic) => topic.label.includes('insurance'))?.count).toBe(1);
    // Every question is in exactly one topic, and the order is by size.
    expect(topics.reduce((sum, topic) => sum + topic.count, 0)).toBe(questions.length);
    expect(topics.map((topic) => topic.count)).toEqual([...topics.map((topic) => topic.count)].sort((a, b) => b - a));
    expect(Object.keys(byLabel).length).toBe(topics.length);
  });

  it('is deterministic, keeps the newest questions first, and handles nothing', () => {
    expect(clusterUnanswered(questions)).toEqual(clusterUnanswered(questions));
    const wifi = clusterUnanswered(questions).find((topic) => topic.label.includes('wifi'));
    expect(wifi?.questions[0]?.text).toBe('wifi price on board');
    expect(clusterUnanswered([])).toEqual([]);
  });
});
