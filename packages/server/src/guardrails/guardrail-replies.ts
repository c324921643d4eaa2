/**
 * What the guardrails say instead of the model, in the customer's language
 * (the language of the message, else the session's). Each names what the
 * customer can do next: the "Talk to a person" button is always one way on.
 */
type Texts = Record<'en' | 'es' | 'fr' | 'de', string>;

export const GUARDRAIL_REPLIES = {
  pii_exposure: {
    en: "I can only help with your own bookings and account, so I can't look up or share anyone else's details. If it's about one of your bookings, tell me its reference and I'll take a look.",
    es: 'Solo puedo ayudarte con tus propias reservas y tu cuenta, así que no puedo buscar ni compartir datos de otras personas. Si se trata de una de tus reservas, dime su referencia y la reviso.',
    fr: "Je ne peux vous aider qu'avec vos propres réservations et votre compte : je ne peux ni rechercher ni communiquer les données d'une autre personne. S'il s'agit de l'une de vos réservations, donnez-moi sa référence.",
    de: 'Ich kann Ihnen nur mit Ihren eigenen Buchungen und Ihrem Konto helfen und keine Daten anderer Personen suchen oder weitergeben. Wenn es um eine Ihrer Buchungen geht, nennen Sie mir bitte die Buchungsnummer.',
  },
  injection: {
    en: "I can't change how I work or share my instructions, but I'm happy to help with your bookings, your account or any travel question.",
    es: 'No puedo cambiar mi forma de trabajar ni compartir mis instrucciones, pero con gusto te ayudo con tus reservas, tu cuenta o cualquier duda de viaje.',
    fr: "Je ne peux pas changer ma façon de fonctionner ni partager mes instructions, mais je vous aide volontiers pour vos réservations, votre compte ou toute question de voyage.",
    de: 'Ich kann meine Arbeitsweise nicht ändern und meine Anweisungen nicht weitergeben, helfe Ihnen aber gern bei Ihren Buchungen, Ihrem Konto oder jeder Reisefrage.',
  },
  abuse_warning: {
    en: "I want to help, but I can't continue if the conversation stays abusive. Please keep it respectful and tell me what you need.",
    es: 'Quiero ayudarte, pero no puedo continuar si la conversación sigue siendo ofensiva. Por favor, mantén el respeto y dime qué necesitas.',
    fr: 'Je souhaite vous aider, mais je ne peux pas continuer si la conversation reste injurieuse. Merci de rester respectueux et de me dire ce dont vous avez besoin.',
    de: 'Ich möchte Ihnen helfen, kann aber nicht weitermachen, wenn das Gespräch beleidigend bleibt. Bitte bleiben Sie respektvoll und sagen Sie mir, was Sie brauchen.',
  },
  abuse_safe_reply: {
    en: "Let's keep this respectful. Tell me what went wrong with your booking and I'll do what I can, or press \"Talk to a person\".",
    es: 'Mantengamos el respeto. Cuéntame qué ha fallado con tu reserva y haré lo posible, o pulsa «Hablar con una persona».',
    fr: "Restons respectueux. Dites-moi ce qui ne va pas avec votre réservation et je ferai de mon mieux, ou appuyez sur « Parler à une personne ».",
    de: 'Bleiben wir respektvoll. Sagen Sie mir, was mit Ihrer Buchung schiefgelaufen ist, dann tue ich, was ich kann, oder tippen Sie auf „Mit einer Person sprechen".',
  },
  ended: {
    en: 'I am ending this conversation because of repeated abusive messages. You can start a new conversation at any time.',
    es: 'Cierro esta conversación por mensajes ofensivos repetidos. Puedes iniciar una nueva cuando quieras.',
    fr: 'Je mets fin à cette conversation en raison de messages injurieux répétés. Vous pouvez en commencer une nouvelle à tout moment.',
    de: 'Ich beende dieses Gespräch wegen wiederholter beleidigender Nachrichten. Sie können jederzeit ein neues Gespräch beginnen.',
  },
  moderated: {
    en: "I'm sorry, I can't help with that here. Is there anything about your bookings or your account I can help with?",
    es: 'Lo siento, no puedo ayudarte con eso aquí. ¿Hay algo de tus reservas o de tu cuenta en lo que pueda ayudarte?',
    fr: "Désolé, je ne peux pas vous aider sur ce point ici. Puis-je vous aider pour vos réservations ou votre compte ?",
    de: 'Entschuldigung, dabei kann ich hier nicht helfen. Kann ich Ihnen bei Ihren Buchungen oder Ihrem Konto helfen?',
  },
  conversation_limit: {
    en: 'This conversation has reached its length limit for the assistant. Press "Talk to a person" to go on with our team, or start a new conversation.',
    es: 'Esta conversación ha alcanzado su límite de longitud para el asistente. Pulsa «Hablar con una persona» para seguir con nuestro equipo o inicia una conversación nueva.',
    fr: 'Cette conversation a atteint sa longueur maximale pour l\'assistant. Appuyez sur « Parler à une personne » pour continuer avec notre équipe, ou commencez une nouvelle conversation.',
    de: 'Dieses Gespräch hat seine Höchstlänge für den Assistenten erreicht. Tippen Sie auf „Mit einer Person sprechen", um mit unserem Team weiterzumachen, oder beginnen Sie ein neues Gespräch.',
  },
  quota_exceeded: {
    en: 'You have reached today\'s limit for the assistant. Press "Talk to a person" and our team will help you, or come back tomorrow.',
    es: 'Has alcanzado el límite de hoy para el asistente. Pulsa «Hablar con una persona» y nuestro equipo te ayudará, o vuelve mañana.',
    fr: 'Vous avez atteint la limite du jour pour l\'assistant. Appuyez sur « Parler à une personne » et notre équipe vous aidera, ou revenez demain.',
    de: 'Sie haben das heutige Limit für den Assistenten erreicht. Tippen Sie auf „Mit einer Person sprechen", dann hilft Ihnen unser Team, oder kommen Sie morgen wieder.',
  },
} satisfies Record<string, Texts>;

export type GuardrailReply = keyof typeof GUARDRAIL_REPLIES;

export function guardrailReply(kind: GuardrailReply, language: string): string {
  const key = language.slice(0, 2).toLowerCase();
  const texts: Texts = GUARDRAIL_REPLIES[kind];
  return key === 'es' || key === 'fr' || key === 'de' ? texts[key] : texts.en;
}
