/**
 * The guardrail policy: what happens to each kind of harmful message, how
 * replies are moderated, and the limits on a conversation and on a day's
 * tokens. Validated like every other setting (zod), stored in versions with
 * who changed it and when (policy-store.ts), and read per message, so an
 * operator's change takes effect without a restart and on every node.
 *
 * Actions:
 * - `safe_reply`: a fixed, polite refusal instead of a model answer.
 * - `hotline`: the crisis text from the policy (per language), then, with
 *   `thenHuman`, the conversation goes to a person at top priority.
 * - `escalate`: straight to a person, at top priority.
 * - `end`: a closing reply, and the conversation is closed.
 * - `warn`: a warning; after `warningsBeforeAction` warnings in one
 *   conversation, `afterWarnings` (escalate or end) happens instead.
 * - `neutralise` (injection only): the offending sentences are taken out and
 *   the rest is answered as an ordinary question; nothing left → safe reply.
 * - `log`: the decision is recorded and the message is answered as usual
 *   (a trial of the filter on live traffic before it acts).
 */
import { z } from 'zod';

export const INPUT_ACTIONS = ['safe_reply', 'hotline', 'escalate', 'end', 'warn', 'neutralise', 'log'] as const;

const localisedText = z.object({
  en: z.string().trim().min(1).max(1000),
  es: z.string().trim().min(1).max(1000).optional(),
  fr: z.string().trim().min(1).max(1000).optional(),
  de: z.string().trim().min(1).max(1000).optional(),
});
export type LocalisedText = z.infer<typeof localisedText>;

// The defaults name services that answer in each country; a deployment sets its own (GUARDRAIL_POLICY).
const DEFAULT_HOTLINE: LocalisedText = {
  en: "I'm really sorry you're feeling this way, and I'm glad you told me. You don't have to go through this alone. If you are in danger right now, please call your local emergency number (999 in the UK, 911 in the US, 112 in the EU). You can talk to someone at any time: Samaritans on 116 123 (UK and Ireland) or the 988 Suicide & Crisis Lifeline (call or text 988, US). I'm asking a member of our team to join this chat now.",
  es: 'Siento mucho que te sientas así, y gracias por contármelo. No tienes que pasar por esto solo. Si estás en peligro ahora mismo, llama al 112. Puedes hablar con alguien en cualquier momento en la Línea 024 de atención a la conducta suicida (España). Le pido ahora a una persona de nuestro equipo que se una a este chat.',
  fr: "Je suis vraiment désolé que vous vous sentiez ainsi, et merci de me l'avoir dit. Vous n'êtes pas seul. Si vous êtes en danger immédiat, appelez le 112. Vous pouvez parler à quelqu'un à tout moment au 3114, le numéro national de prévention du suicide (France). Je demande maintenant à un membre de notre équipe de rejoindre cette conversation.",
  de: 'Es tut mir sehr leid, dass es Ihnen so geht, und danke, dass Sie es mir sagen. Sie sind damit nicht allein. Wenn Sie in akuter Gefahr sind, rufen Sie bitte die 112 an. Die Telefonseelsorge ist jederzeit erreichbar: 0800 111 0 111 oder 0800 111 0 222 (Deutschland). Ich bitte jetzt eine Person aus unserem Team, diesem Chat beizutreten.',
};

const categoryPolicy = <Action extends (typeof INPUT_ACTIONS)[number]>(actions: readonly [Action, ...Action[]], fallback: Action) =>
  z
    .object({
      action: z.enum(actions).default(fallback),
      /** warn: how many warnings a conversation gets before afterWarnings. */
      warningsBeforeAction: z.number().int().min(0).max(10).default(1),
      afterWarnings: z.enum(['escalate', 'end']).default('escalate'),
      /** hotline: hand over to a person after the text. */
      thenHuman: z.boolean().default(true),
    })
    .strict();

export const guardrailPolicySchema = z
  .object({
    input: z
      .object({
        self_harm: categoryPolicy(['hotline', 'escalate', 'safe_reply', 'log'], 'hotline').prefault({}),
        abuse: categoryPolicy(['warn', 'safe_reply', 'escalate', 'end', 'log'], 'warn').prefault({}),
        pii_exposure: categoryPolicy(['safe_reply', 'escalate', 'end', 'log'], 'safe_reply').prefault({}),
        injection: categoryPolicy(['safe_reply', 'neutralise', 'escalate', 'end', 'log'], 'safe_reply').prefault({}),
      })
      .strict()
      .prefault({}),
    hotline: localisedText.default(DEFAULT_HOTLINE),
    output: z
      .object({
        /** auto: the provider's moderation endpoint for OpenAI and Azure, local rules otherwise; local: rules only; off: none. */
        moderation: z.enum(['auto', 'local', 'off']).default('auto'),
        /** The provider's moderation call gets this long; past it, the local rules' verdict stands. */
        timeoutMs: z.number().int().min(100).max(10_000).default(2000),
      })
      .strict()
      .prefault({}),
    limits: z
      .object({
        /** Customer messages the AI answers in one conversation; then `conversation_limit` and the offer of a person. 0: no limit. */
        maxTurnsPerConversation: z.number().int().min(0).max(10_000).default(50),
        /** Model tokens (prompt + completion) per signed-in customer per UTC day; then `quota_exceeded`. 0: no cap. */
        dailyTokensPerCustomer: z.number().int().min(0).max(100_000_000).default(200_000),
        /** The same for guests, counted per client IP. 0: no cap. */
        dailyTokensPerGuestIp: z.number().int().min(0).max(100_000_000).default(50_000),
      })
      .strict()
      .prefault({}),
  })
  .strict();

export type GuardrailPolicy = z.infer<typeof guardrailPolicySchema>;
export type InputCategoryPolicy = GuardrailPolicy['input']['self_harm'];

export const DEFAULT_GUARDRAIL_POLICY: GuardrailPolicy = guardrailPolicySchema.parse({});

/** The policy text in a language, English when it has none in that one. */
export function inLanguage(text: LocalisedText, language: string): string {
  const key = language.slice(0, 2).toLowerCase();
  return (key === 'es' || key === 'fr' || key === 'de' ? text[key] : undefined) ?? text.en;
}
