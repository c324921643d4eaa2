/**
 * Escalation triggers that read the customer's own words: pure functions over
 * a message (and, for an answer to an offer, the assistant's message before
 * it), table-tested. They run before the model, so a customer who asks for a
 * person gets one whatever the provider would have said.
 *
 * Languages: English, Spanish, French and German. Accents are optional in the
 * patterns (customers type "a" for "à" and "senor" for "señor").
 */

export type EscalationTrigger = 'explicit_human_request';

// ---------------------------------------------------------------- explicit requests

// "Customer service" is left out on purpose: "how do I reach customer service?"
// is usually a question about channels and hours, which the assistant answers;
// a request for a person says "human", "agent", "someone" and the like.
const humanWords = String.raw`(?:a\s+)?(?:human(?:\s+being)?|real\s+person|person|someone|somebody|agent|representative|rep|operator|advisor|adviser|staff(?:\s+member)?|live\s+(?:agent|chat|person))`;

const english: RegExp[] = [
  // "I want to talk to a human", "can I speak with an agent", "let me chat to someone"
  new RegExp(String.raw`\b(?:talk|speak|chat|connect|transfer|put)\w*\s+(?:me\s+)?(?:to|with|through\s+to)\s+(?:an?\s+|the\s+|your\s+)?(?:actual\s+|real\s+|live\s+)?${humanWords}\b`, 'i'),
  // "human please", "agent!", "get me a human", "I need a real person"
  new RegExp(String.raw`^\s*(?:an?\s+)?(?:human|agent|representative|operator|real person)\s*(?:please|pls|now)?[.!]*\s*$`, 'i'),
  new RegExp(String.raw`\b(?:get|give|need|want|find)\s+(?:me\s+)?(?:an?\s+|the\s+)?(?:actual\s+|real\s+|live\s+)?(?:human(?:\s+being)?|real\s+person|live\s+agent|(?:human|live|real)\s+agent|representative|operator)\b`, 'i'),
  // "is there a human I can talk to", "are you a bot? I want a person"
  /\b(?:is\s+there|are\s+there)\s+(?:a|any)\s+(?:human|real\s+person|agent)s?\b/i,
  /\bstop\s+(?:being\s+)?(?:a\s+)?bot\b|\bno\s+(?:more\s+)?bots?\b/i,
];

// "hablar con un humano", "quiero un agente", "pásame con una persona", "atención humana"
const spanishPerson = String.raw`(?:un\s+|una\s+|alg[uú]n\s+|alguna\s+)?(?:ser\s+)?(?:humano|humana|persona(?:\s+real)?|agente|asesor(?:a)?|operador(?:a)?|representante|alguien(?:\s+de\s+(?:soporte|atenci[oó]n|su\s+equipo|vuestro\s+equipo))?)`;
const spanish: RegExp[] = [
  new RegExp(String.raw`\b(?:hablar|charlar|comunicar(?:me)?|contactar)\s+(?:con|a)\s+${spanishPerson}\b`, 'i'),
  new RegExp(String.raw`\b(?:p[aá]same|p[aá]seme|comun[ií]came|comun[ií]queme|con[eé]ctame|con[eé]cteme|transfi[eé]reme|transfi[eé]rame)\s+(?:con|a)\s+${spanishPerson}\b`, 'i'),
  /\b(?:quiero|necesito|quisiera)\s+(?:un|una)\s+(?:humano|persona\s+real|agente(?:\s+humano)?|asesor(?:a)?|operador(?:a)?)\b/i,
  /\batenci[oó]n\s+humana\b/i,
];

// "parler à un conseiller", "je veux un humain", "mettez-moi en relation avec quelqu'un"
const frenchPerson = String.raw`(?:un\s+|une\s+)?(?:(?:vrai|vraie|v[eé]ritable)\s+)?(?:[eê]tre\s+humain|humain|personne(?:\s+r[eé]elle)?|conseill[eè]re?|agent|op[eé]rat(?:eur|rice)|quelqu['’]un|interlocut(?:eur|rice))`;
const french: RegExp[] = [
  new RegExp(String.raw`\b(?:parler|discuter|dialoguer|[eé]changer)\s+(?:[aà]|avec)\s+${frenchPerson}`, 'i'),
  new RegExp(String.raw`\b(?:mettez|mets|passez|passe|transf[eé]rez|transf[eé]re|redirigez)[-\s]?moi\s+(?:en\s+(?:relation|contact)\s+avec|[aà]|avec)\s+${frenchPerson}`, 'i'),
  /\b(?:je\s+(?:veux|voudrais|souhaite|souhaiterais)|j['’]ai\s+besoin\s+d['’])\s*(?:un|une)?\s*(?:humain|[eê]tre\s+humain|vraie?\s+personne|conseill[eè]re?|agent(?:\s+humain)?|op[eé]rat(?:eur|rice))\b/i,
];

// "mit einem Menschen sprechen", "verbinden Sie mich mit einem Mitarbeiter", "ich will einen echten Menschen"
const germanPerson = String.raw`(?:einem|einer|jemandem|einen|eine|jemanden|dem|der)?\s*(?:(?:echten|richtigen|realen|echte|richtige)\s+)?(?:Menschen|Mensch|Mitarbeiter(?:in)?|(?:Kunden|Service)(?:berater|mitarbeiter)(?:in)?|Berater(?:in)?|Person|Agenten|Agentin|Kundendienstmitarbeiter(?:in)?|Support-?Mitarbeiter(?:in)?|jemand(?:em|en)?)`;
const german: RegExp[] = [
  new RegExp(String.raw`\bmit\s+${germanPerson}\b[^.?!]{0,40}?\b(?:sprechen|reden|chatten|schreiben|verbinden|verbunden|telefonieren)\b`, 'i'),
  new RegExp(String.raw`\b(?:verbinden|verbinde|leiten|leite|stellen|stelle)\s+(?:sie\s+)?mich\s+(?:bitte\s+)?(?:mit|an|zu|durch\s+zu)\s+${germanPerson}\b`, 'i'),
  /\bich\s+(?:will|m[oö]chte|brauche|h[aä]tte\s+gern(?:e)?)\s+(?:bitte\s+)?(?:einen|eine)\s+(?:(?:echten|richtigen|echte|richtige)\s+)?(?:Menschen|Mitarbeiter(?:in)?|Berater(?:in)?|Person|Agenten)\b/i,
];

const explicitHumanRequest: RegExp[] = [...english, ...spanish, ...french, ...german];

// "How do I speak to the airline" or "agent fees" are not requests for our agent.
const notAHandoff: RegExp[] = [
  /\btravel\s+agent\b/i,
  /\b(?:airline|hotel|airport)\s+(?:staff|agent|desk)\b/i,
  /\bagente\s+de\s+viajes?\b|\bagencia\s+de\s+viajes?\b/i,
  /\bagent\s+de\s+voyages?\b|\bagence\s+de\s+voyages?\b/i,
  /\breiseb[uü]ro\b|\bam\s+flughafen\b|\bim\s+hotel\b/i,
];

export function detectEscalationTrigger(text: string): EscalationTrigger | null {
  if (notAHandoff.some((pattern) => pattern.test(text))) return null;
  return explicitHumanRequest.some((pattern) => pattern.test(text)) ? 'explicit_human_request' : null;
}

// ---------------------------------------------------------------- answers to the assistant's offer of a person

/**
 * The assistant offered a person: "Would you like me to connect you with a
 * human agent?" (the local provider's words, and what the system prompt asks
 * hosted models to say), "shall I hand you over to our team?", "I can create
 * a ticket for our support team". Only a question counts: "our agents are
 * available 24/7." offers nothing.
 */
const offerPatterns: RegExp[] = [
  /\b(?:connect|transfer|put|hand|pass|escalate)\s+(?:you|this|your\s+(?:question|request|case))\s+(?:over\s+)?(?:with|to|through\s+to)\s+(?:an?\s+|one\s+of\s+our\s+|our\s+|the\s+)?(?:human|person|agent|colleague|support\s+team|team|specialist|representative|member\s+of\s+(?:our|the)\s+(?:support\s+)?team)/i,
  /\b(?:would\s+you\s+like|do\s+you\s+want|shall\s+i|should\s+i|can\s+i|may\s+i)\b[^?]{0,60}\b(?:human|person|agent|support\s+team|colleague|(?:open|create|raise|file|log)\s+(?:a\s+|one\s+)?(?:support\s+)?ticket)\b/i,
];

export function offersHuman(assistantText: string): boolean {
  if (!assistantText.includes('?')) return false;
  // "Shall I check what your travel agent booked?" offers no person of ours.
  const ours = notAHandoff.reduce((text, pattern) => text.replace(new RegExp(pattern.source, 'gi'), ' '), assistantText);
  return offerPatterns.some((pattern) => pattern.test(ours));
}

// Short answers only: "yes, but first tell me the baggage fee" is a new question.
const MAX_ANSWER_WORDS = 6;
const acceptWords =
  /^(?:y|yes|yeah|yep|yup|ya|sure|ok|okay|k|please|yes\s+please|please\s+do|go\s+ahead|do\s+it|do\s+that|that\s+would\s+be\s+(?:great|good|nice|helpful)|sounds\s+good|absolutely|of\s+course|definitely|right|correct|s[ií]|claro|vale|por\s+favor|de\s+acuerdo|oui|ouais|d['’]accord|volontiers|ok\s+merci|ja|jawohl|gerne?|bitte|genau|einverstanden|klar)(?:\s+(?:please|thanks|thank\s+you|por\s+favor|gracias|merci|s['’]il\s+(?:vous|te)\s+pla[iî]t|bitte|danke))?$/i;
const declineWords =
  /^(?:n|no|nope|nah|no\s+thanks?|no\s+thank\s+you|not\s+now|not\s+yet|no\s+need|i['’]?m\s+(?:fine|good|ok(?:ay)?)|that['’]?s\s+(?:fine|ok(?:ay)?|all)|never\s*mind|no\s+gracias|ahora\s+no|non|non\s+merci|pas\s+maintenant|ce\s+n['’]est\s+pas\s+n[eé]cessaire|nein|nein\s+danke|danke\s+nein|nicht\s+n[oö]tig|jetzt\s+nicht)$/i;

function normalizeAnswer(text: string): string {
  return text
    .trim()
    .replace(/[.!,;:…\s]+$/u, '')
    .replace(/^[¡¿]+/u, '')
    .replace(/[,!]+/g, ' ')
    .replace(/\s+/g, ' ')
    .toLowerCase();
}

/** The customer's answer to an offer of a person, when it is one: accepted, declined, or something else (null). */
export function answerToOffer(text: string): 'accepted' | 'declined' | null {
  const answer = normalizeAnswer(text);
  if (answer === '' || answer.split(' ').length > MAX_ANSWER_WORDS) return null;
  if (declineWords.test(answer)) return 'declined';
  if (acceptWords.test(answer)) return 'accepted';
  return null;
}

/** What the assistant says when the customer turns its offer of a person down, in the language of the "no". */
export function declinedOfferReply(text: string): string {
  const answer = normalizeAnswer(text);
  if (/gracias|ahora/.test(answer)) return 'De acuerdo, sigo aquí. ¿En qué más puedo ayudarte?';
  if (/^non|merci|maintenant|n[eé]cessaire/.test(answer)) return "D'accord, je reste à votre disposition. Que puis-je faire d'autre pour vous ?";
  if (/^nein|danke|n[oö]tig|jetzt/.test(answer)) return 'In Ordnung, ich bin weiter für Sie da. Wobei kann ich sonst helfen?';
  return "No problem, I'm still here. What else can I help you with?";
}
