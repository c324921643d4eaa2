import { describe, expect, it } from 'vitest';
import { answerToOffer, declinedOfferReply, detectEscalationTrigger, offersHuman } from './triggers.js';

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
    // Spanish
    'Quiero hablar con un humano',
    'quiero hablar con una persona real por favor',
    '¿Puedo hablar con un agente?',
    'Pásame con un asesor',
    'necesito un agente humano',
    'Comuníqueme con alguien de soporte',
    // French
    'Je voudrais parler à un conseiller',
    'je veux parler a un humain',
    'Est-ce que je peux parler avec une vraie personne ?',
    'Mettez-moi en relation avec un conseiller',
    "j'ai besoin d'un agent humain",
    "Je souhaite parler à quelqu'un",
    // German
    'Ich möchte mit einem Menschen sprechen',
    'Kann ich bitte mit einem Mitarbeiter reden?',
    'Verbinden Sie mich mit einem Berater',
    'ich will einen echten Menschen',
    'Ich möchte mit jemandem vom Kundenservice sprechen',
    'mit einer echten Person chatten bitte',
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
    '¿Cuánto cuesta cancelar un vuelo?',
    'Mi agente de viajes hizo la reserva',
    '¿Puedo hablar español con el hotel?',
    "Mon agent de voyage a fait la réservation, puis-je la changer ?",
    'Est-ce que je peux parler français avec l’hôtel ?',
    'Kann ich im Hotel mit einem Mitarbeiter Deutsch sprechen?',
    'Mein Reisebüro hat gebucht',
    'Wie viel kostet die Stornierung?',
  ])('does not escalate "%s"', (text) => {
    expect(detectEscalationTrigger(text)).toBeNull();
  });
});

describe('offersHuman', () => {
  it.each([
    'Would you like me to connect you with a human agent?',
    "I don't know that. Would you like me to connect you with a human agent?",
    'Shall I hand you over to our support team?',
    'I can create a ticket for our team. Would you like me to do that?... shall I open a ticket?',
    'Do you want me to transfer you to one of our agents?',
  ])('sees the offer in "%s"', (text) => {
    expect(offersHuman(text)).toBe(true);
  });

  it.each([
    'Our agents are available 24/7.',
    'Your booking SKY4F2 is confirmed. Is there anything else?',
    'The Flex fare can be cancelled for free. Would you like to know more?',
    'Would you like me to look up your flight ticket?',
    'Shall I check what your travel agent booked?',
    'Do you want me to show the hotel desk opening hours?',
  ])(
    'sees no offer in "%s"',
    (text) => {
      expect(offersHuman(text)).toBe(false);
    },
  );
});

describe('answerToOffer', () => {
  it.each(['yes', 'Yes please', 'yes!', 'sure', 'ok', 'Okay, thanks', 'please do', 'go ahead', 'Sí', 'sí, por favor', 'claro', 'oui', "d'accord", 'oui merci', 'ja', 'ja bitte', 'gerne', 'y'])(
    'takes "%s" as a yes',
    (text) => {
      expect(answerToOffer(text)).toBe('accepted');
    },
  );

  it.each(['no', 'No thanks', 'nope', "I'm fine", 'not now', 'no gracias', 'non merci', 'nein danke', 'Nein'])('takes "%s" as a no', (text) => {
    expect(answerToOffer(text)).toBe('declined');
  });

  it.each(['yes, but first tell me how much the baggage fee is on a Basic fare', 'What is the baggage fee?', 'maybe', 'SKY4F2', ''])('takes "%s" as neither', (text) => {
    expect(answerToOffer(text)).toBeNull();
  });

  it('acknowledges a no in the language it came in', () => {
    expect(declinedOfferReply('no thanks')).toMatch(/^No problem/);
    expect(declinedOfferReply('no gracias')).toMatch(/^De acuerdo/);
    expect(declinedOfferReply('non merci')).toMatch(/^D'accord/);
    expect(declinedOfferReply('nein danke')).toMatch(/^In Ordnung/);
  });
});
