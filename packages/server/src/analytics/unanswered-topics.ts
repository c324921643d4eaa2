import { lightStem, normaliseWords } from '../kb/text-features.js';

export interface UnansweredQuestion {
  messageId: string;
  sessionId: string;
  /** Redacted before it gets here. */
  text: string;
  askedAt: string;
}

export interface UnansweredTopic {
  /** The words most of its questions share, e.g. "pets · insurance". */
  label: string;
  count: number;
  /** The questions behind it, newest first, at most QUESTIONS_PER_TOPIC. */
  questions: UnansweredQuestion[];
}

/**
 * How alike a question must be to a topic to join it: cosine of the sets of
 * content-word stems (one shared word of three is 0.33). Not TF-IDF: among
 * unanswered questions the word many share is the topic, not noise; nor
 * character n-grams: short questions share few words, and the n-grams of
 * the words they do not share only add noise.
 */
const JOIN_SIMILARITY = 0.3;
const QUESTIONS_PER_TOPIC = 10;
const LABEL_WORDS = 3;

// Words every question has: never a topic's name.
const STOPWORDS = new Set(
  [
    'a an the and or but if of to in on at for from by with about as is are was were be been am do does did can could would should will',
    'i im me my you your we our us it its this that there what when where which who why how hi hello please thanks thank yes no not dont',
    'any some get have has had much many need want know tell like just also still',
    // Words of every travel question: they name no topic.
    'flight flights booking bookings book booked trip travel ticket tickets skyway',
  ]
    .join(' ')
    .split(' '),
);

/**
 * The questions the assistant could not answer, grouped into topics: the
 * knowledge-base articles to write next. Each question joins the most
 * similar topic so far (to its centroid) if it is alike enough, else starts
 * one; topics are named by their most shared content words. Deterministic:
 * the same questions in the same order give the same topics.
 */
export function clusterUnanswered(questions: readonly UnansweredQuestion[]): UnansweredTopic[] {
  if (questions.length === 0) return [];
  const vectors = stemVectors(questions.map((question) => question.text));
  const clusters: Array<{ centroid: Map<string, number>; members: number[] }> = [];
  vectors.forEach((vector, index) => {
    let best = -1;
    let bestSimilarity = JOIN_SIMILARITY;
    clusters.forEach((cluster, at) => {
      const similarity = cosine(vector, normalised(cluster.centroid));
      if (similarity >= bestSimilarity) {
        best = at;
        bestSimilarity = similarity;
      }
    });
    if (best === -1) clusters.push({ centroid: addInto(new Map(), vector), members: [index] });
    else {
      const cluster = clusters[best]!;
      addInto(cluster.centroid, vector);
      cluster.members.push(index);
    }
  });
  return clusters
    .map((cluster) => {
      const members = cluster.members.map((index) => questions[index]!);
      return {
        label: labelOf(members.map((member) => member.text)),
        count: members.length,
        questions: [...members].sort((a, b) => b.askedAt.localeCompare(a.askedAt)).slice(0, QUESTIONS_PER_TOPIC),
      };
    })
    .sort((a, b) => b.count - a.count || a.label.localeCompare(b.label));
}

type Vector = Map<string, number>;

/** A question's content-word stems (no stopwords, numbers or two-letter words). */
function contentStems(text: string): string[] {
  return normaliseWords(text)
    .filter((word) => word.length >= 3 && !STOPWORDS.has(word) && !/^\d+$/.test(word))
    .map(lightStem);
}

/** Each question's set of content stems as an L2-normalised vector. */
function stemVectors(texts: readonly string[]): Vector[] {
  return texts.map((text) => normalised(new Map([...new Set(contentStems(text))].map((stem) => [stem, 1]))));
}

function normalised(vector: Vector): Vector {
  const norm = Math.sqrt([...vector.values()].reduce((sum, value) => sum + value * value, 0)) || 1;
  return new Map([...vector].map(([key, value]) => [key, value / norm]));
}

function cosine(a: Vector, b: Vector): number {
  let sum = 0;
  for (const [key, value] of a) sum += value * (b.get(key) ?? 0);
  return sum;
}

function addInto(centroid: Vector, vector: Vector): Vector {
  for (const [key, value] of vector) centroid.set(key, (centroid.get(key) ?? 0) + value);
  return centroid;
}

/** The content words most questions share (counted once per question, by stem), in their commonest spelling. */
function labelOf(texts: readonly string[]): string {
  const questionsWith = new Map<string, number>();
  const spellings = new Map<string, Map<string, number>>();
  for (const text of texts) {
    const seen = new Set<string>();
    for (const word of normaliseWords(text)) {
      if (word.length < 3 || STOPWORDS.has(word) || /^\d+$/.test(word)) continue;
      const stem = lightStem(word);
      const forms = spellings.get(stem) ?? new Map<string, number>();
      forms.set(word, (forms.get(word) ?? 0) + 1);
      spellings.set(stem, forms);
      if (!seen.has(stem)) questionsWith.set(stem, (questionsWith.get(stem) ?? 0) + 1);
      seen.add(stem);
    }
  }
  const top = [...questionsWith].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, LABEL_WORDS);
  if (top.length === 0) return 'other';
  return top.map(([stem]) => [...(spellings.get(stem) ?? new Map<string, number>())].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]?.[0] ?? stem).join(' · ');
}
