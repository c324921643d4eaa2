import { isFillerWord } from './query-terms.js';
import { charNgrams, normaliseWords } from './text-features.js';

/**
 * Finds which of the knowledge base's entities (hotels, places, products an
 * article is about) a conversation is talking about. Transcribed speech is
 * noisy ("super pend" for "Super Pan", "plow mediterranean" for "La
 * Mediterranee"), so a name matches by weighted, fuzzy word overlap rather
 * than as an exact phrase.
 */

export interface EntityFocus {
  entity: string;
  /** Whether the customer's last message names it, or only an earlier turn. */
  source: 'text' | 'context';
  /** How much of the name the mention covered, in [0, 1]. */
  coverage: number;
  /** How likely this is the topic, relative to the most likely candidate (1). */
  prior: number;
}

/** A share of the name's weight a turn must cover to count as naming it. */
const MENTION_COVERAGE = 0.7;
/** Weaker mentions in later turns still tip the balance between names an older turn offered together. */
const PARTIAL_COVERAGE = 0.3;
/** Two words this alike (trigram Dice) are taken for the same word misheard or misspelt. */
const FUZZY_WORD_SIMILARITY = 0.6;
/** Each older mention counts this much less than the next newer one. */
const RECENCY_DECAY = 0.7;
/** Partial mentions count this much, and less the older their turn. */
const EVIDENCE_WEIGHT = 0.3;
const EVIDENCE_DECAY = 0.8;
/** Turns looked back through; older ones rarely decide what "that place" means. */
const MAX_TURNS = 24;

interface Alias {
  entity: string;
  /** Vocabulary ids of its words, with their weights. */
  words: Array<{ id: number; weight: number }>;
  totalWeight: number;
}

interface Occurrence {
  similarity: number;
  position: number;
}

interface Mention {
  coverage: number;
  /** Where in the turn the name ends: of two names in one turn, the later one is the newer topic. */
  position: number;
}

export class EntityMatcher {
  private readonly vocabulary: string[] = [];
  private readonly vocabularyIds = new Map<string, number>();
  private readonly gramCounts: number[] = [];
  private readonly trigramIndex = new Map<string, number[]>();
  private readonly aliasesByWord = new Map<number, Alias[]>();
  private readonly wordsByEntity = new Map<string, Set<number>>();
  private readonly mentionCache = new Map<string, Map<string, Mention>>();

  constructor(entityNames: Iterable<string>) {
    const aliases: Array<{ entity: string; words: string[] }> = [];
    for (const entity of new Set(entityNames)) {
      for (const alias of aliasesOf(entity)) aliases.push({ entity, words: alias });
    }
    // A word in many names ("hotel", "cafe") says little about which one is meant.
    const documentFrequency = new Map<string, number>();
    for (const alias of aliases) for (const word of new Set(alias.words)) documentFrequency.set(word, (documentFrequency.get(word) ?? 0) + 1);
    for (const alias of aliases) {
      const words = [...new Set(alias.words)].map((word) => ({
        id: this.wordId(word),
        weight: wordWeight(word) * Math.log(1 + aliases.length / (documentFrequency.get(word) ?? 1)),
      }));
      const totalWeight = words.reduce((sum, word) => sum + word.weight, 0);
      if (totalWeight === 0) continue;
      const entry: Alias = { entity: alias.entity, words, totalWeight };
      const own = this.wordsByEntity.get(alias.entity) ?? new Set<number>();
      for (const word of words) if (word.weight > 0) own.add(word.id);
      this.wordsByEntity.set(alias.entity, own);
      for (const word of words) {
        const list = this.aliasesByWord.get(word.id);
        if (list) list.push(entry);
        else this.aliasesByWord.set(word.id, [entry]);
      }
    }
  }

  get size(): number {
    return this.aliasesByWord.size;
  }

  /** The entity the conversation is most likely about, or null when no turn names one. */
  resolve(text: string, context: readonly string[] = []): EntityFocus | null {
    return this.candidates(text, context, 1)[0] ?? null;
  }

  /**
   * The entities the conversation may be about, most likely first, each with
   * a prior in (0, 1]. The latest message decides when it names one; else the
   * most recent mention leads, and older ones follow with less weight — a
   * place named in an address ("… taylor street, union square") can be the
   * newest mention without being the topic, so callers get to weigh a few.
   */
  candidates(text: string, context: readonly string[] = [], max = 3): EntityFocus[] {
    if (this.aliasesByWord.size === 0) return [];
    const turns = [text, ...context.slice(-(MAX_TURNS - 1)).reverse()];
    const named: Array<{ entity: string; age: number; position: number; coverage: number }> = [];
    // Every mention in other turns is evidence too: half-heard names ("kommen toor"), a branch's
    // qualifier said earlier ("… in union square"), the same place named again.
    const evidence = new Map<string, number[]>();
    for (const [age, turn] of turns.entries()) {
      for (const [entity, mention] of this.mentionsIn(turn)) {
        if (mention.coverage >= MENTION_COVERAGE) named.push({ entity, age, position: mention.position, coverage: mention.coverage });
        if (mention.coverage < PARTIAL_COVERAGE) continue;
        const byAge = evidence.get(entity) ?? [];
        byAge[age] = mention.coverage * EVIDENCE_DECAY ** age;
        evidence.set(entity, byAge);
      }
    }
    named.sort((a, b) => a.age - b.age || b.position - a.position);
    const scored = new Map<string, { focus: EntityFocus; score: number }>();
    // Names heard at the same place (a chain's branches share their head) share a rank; other evidence decides between them.
    let rank = -1;
    let place = '';
    for (const mention of named) {
      if (scored.has(mention.entity)) continue;
      const here = `${mention.age}:${mention.position}`;
      if (here !== place) {
        rank += 1;
        place = here;
      }
      // The strongest other mention, not their sum: a place discussed at length earlier must not outweigh the newest one.
      const otherTurns = (evidence.get(mention.entity) ?? []).reduce((best, value, age) => (age === mention.age ? best : Math.max(best, value)), 0);
      const score = RECENCY_DECAY ** rank * mention.coverage + EVIDENCE_WEIGHT * otherTurns;
      scored.set(mention.entity, {
        focus: { entity: mention.entity, source: mention.age === 0 ? 'text' : 'context', coverage: round(mention.coverage), prior: 0 },
        score,
      });
    }
    const ranked = [...scored.values()].sort((a, b) => b.score - a.score).slice(0, max);
    const top = ranked[0]?.score ?? 1;
    return ranked.map(({ focus, score }) => ({ ...focus, prior: round(score / top) }));
  }

  /**
   * The text without the words that name the entity: once retrieval is
   * within that entity's articles, "does the Harbour View Hotel allow pets"
   * asks "allow pets", and the name would only favour passages that repeat it.
   */
  withoutName(text: string, entity: string): string {
    const own = this.wordsByEntity.get(entity);
    const words = entityWords(text);
    if (!own) return words.join(' ');
    const named = new Set<number>();
    for (const [id, occurrences] of this.wordOccurrences(words)) {
      if (own.has(id)) for (const occurrence of occurrences) named.add(occurrence.position);
    }
    return words.filter((_, position) => !named.has(position)).join(' ');
  }

  /** Every entity a text names at least partly, with how much of its name it covers. */
  mentionsIn(text: string): Map<string, Mention> {
    const cached = this.mentionCache.get(text);
    if (cached) return cached;
    const occurrences = this.wordOccurrences(entityWords(text));
    const mentions = new Map<string, Mention>();
    const seen = new Set<Alias>();
    for (const wordId of occurrences.keys()) {
      for (const alias of this.aliasesByWord.get(wordId) ?? []) {
        if (seen.has(alias)) continue;
        seen.add(alias);
        const mention = aliasMention(alias, occurrences);
        const previous = mentions.get(alias.entity);
        if (!previous || mention.coverage > previous.coverage) mentions.set(alias.entity, mention);
      }
    }
    // Conversations repeat their turns on every search; a bounded memo keeps the scan cheap.
    if (this.mentionCache.size >= 2000) this.mentionCache.clear();
    this.mentionCache.set(text, mentions);
    return mentions;
  }

  /** Where the text has each vocabulary word (or something close to it), and how close. */
  private wordOccurrences(words: string[]): Map<number, Occurrence[]> {
    const occurrences = new Map<number, Occurrence[]>();
    const add = (id: number, similarity: number, position: number) => {
      const list = occurrences.get(id);
      if (list) list.push({ similarity, position });
      else occurrences.set(id, [{ similarity, position }]);
    };
    for (const [position, word] of words.entries()) {
      // Names written as one word are often spoken as two ("underdogs too" / "UnderdogsToo").
      const next = words[position + 1];
      for (const form of next === undefined ? [word] : [word, word + next]) {
        const exact = this.vocabularyIds.get(form);
        if (exact !== undefined) add(exact, 1, position);
        // A word some name has is that word, not a mishearing of another name ("california" is not "Californios").
        if (exact !== undefined || form.length < 4) continue;
        for (const [id, similarity] of this.similarWords(form)) add(id, similarity, position);
      }
    }
    return occurrences;
  }

  private similarWords(word: string): Map<number, number> {
    const grams = charNgrams(word, 3, 3);
    const shared = new Map<number, number>();
    for (const gram of new Set(grams)) {
      for (const id of this.trigramIndex.get(gram) ?? []) shared.set(id, (shared.get(id) ?? 0) + 1);
    }
    const similar = new Map<number, number>();
    for (const [id, count] of shared) {
      const vocabularyWord = this.vocabulary[id] ?? '';
      // Short names must be heard exactly: "pan" and "pen" are different places.
      if (vocabularyWord.length < 4) continue;
      const similarity = (2 * count) / (grams.length + (this.gramCounts[id] ?? 0));
      if (similarity >= FUZZY_WORD_SIMILARITY) similar.set(id, similarity);
    }
    return similar;
  }

  private wordId(word: string): number {
    const existing = this.vocabularyIds.get(word);
    if (existing !== undefined) return existing;
    const id = this.vocabulary.length;
    this.vocabulary.push(word);
    this.vocabularyIds.set(word, id);
    const grams = charNgrams(word, 3, 3);
    this.gramCounts.push(grams.length);
    for (const gram of new Set(grams)) {
      const list = this.trigramIndex.get(gram);
      if (list) list.push(id);
      else this.trigramIndex.set(gram, [id]);
    }
    return id;
  }
}

// Words that name nothing by themselves, though a name may contain them ("Underdogs Too").
const functionWords = new Set(
  `too very so not no nor than then once all each few more most other such own same only both up down out off over under
  again further into onto through during before after above below between own here there when where why how`.split(/\s+/),
);
const units = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten', 'eleven', 'twelve', 'thirteen', 'fourteen', 'fifteen', 'sixteen', 'seventeen', 'eighteen', 'nineteen'];
const tens = ['', '', 'twenty', 'thirty', 'forty', 'fifty', 'sixty', 'seventy', 'eighty', 'ninety'];
const numberWords = new Set([...units, ...tens.filter(Boolean), 'hundred', 'thousand']);

/**
 * How much a word of a name can say. Number words are everywhere in booking
 * conversations (phone numbers, zip codes, addresses), so a name's numbers
 * only confirm what its other words say.
 */
function wordWeight(word: string): number {
  if (isFillerWord(word) || functionWords.has(word)) return 0;
  return numberWords.has(word) ? 0.25 : 1;
}

/** Words as they are spoken: digits become number words ("3D" → "three d"), as transcripts write them. */
function entityWords(text: string): string[] {
  return normaliseWords(text.replace(/(\d)([a-z])/gi, '$1 $2').replace(/([a-z])(\d)/gi, '$1 $2')).flatMap((word) => (/^\d+$/.test(word) ? spellNumber(word) : [word]));
}

function spellNumber(digits: string): string[] {
  const value = Number(digits);
  if (digits.length > 1 && digits.startsWith('0')) return [...digits].map((digit) => units[Number(digit)] ?? digit);
  if (value < 20) return [units[value] ?? digits];
  if (value < 100) return [tens[Math.floor(value / 10)] ?? '', ...(value % 10 === 0 ? [] : [units[value % 10] ?? ''])].filter(Boolean);
  return [...digits].map((digit) => units[Number(digit)] ?? digit);
}

/**
 * How much of an alias one stretch of the text covers. The words must be
 * near each other: "one" and "seven" in a spoken phone number do not name
 * "Restaurant One Seven".
 */
function aliasMention(alias: Alias, occurrences: Map<number, Occurrence[]>): Mention {
  const hits = alias.words
    .flatMap((word, index) => (occurrences.get(word.id) ?? []).map((occurrence) => ({ index, position: occurrence.position, value: word.weight * occurrence.similarity })))
    .sort((a, b) => a.position - b.position);
  const span = alias.words.length + 1;
  let best: Mention = { coverage: 0, position: 0 };
  for (const [start, first] of hits.entries()) {
    const bestPerWord = new Map<number, number>();
    let last = first.position;
    for (const hit of hits.slice(start)) {
      if (hit.position - first.position > span) break;
      bestPerWord.set(hit.index, Math.max(bestPerWord.get(hit.index) ?? 0, hit.value));
      last = hit.position;
    }
    let covered = 0;
    for (const value of bestPerWord.values()) covered += value;
    const coverage = covered / alias.totalWeight;
    if (coverage > best.coverage || (coverage === best.coverage && last > best.position)) best = { coverage, position: last };
  }
  return best;
}

/**
 * The ways a name is said: in full, and without its qualifier ("Hotel Vitale,
 * a Joie de Vivre Hotel" → "Hotel Vitale"; "DragonEats - SoMa" → "DragonEats").
 */
const round = (value: number) => Math.round(value * 1000) / 1000;

function aliasesOf(entity: string): string[][] {
  const full = entityWords(entity);
  const head = entityWords(entity.split(/\s+[-–—|]\s+|,\s+|\s*\(|:\s+/)[0] ?? '');
  const aliases = [full];
  if (head.length > 0 && head.length < full.length) aliases.push(head);
  return aliases.filter((words) => words.length > 0);
}
