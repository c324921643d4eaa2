import { z } from 'zod';
import { BusinessHours, BusinessHoursError } from '../agents/business-hours.js';
import { HandoffTriggers, TRIGGER_NAMES } from '../escalation/handoff-triggers.js';
import { DEFAULT_SENTIMENT_TRIGGER } from '../escalation/sentiment-trigger.js';
import type { Database } from '../storage/database.js';
import { VersionedSettings } from './versioned-settings.js';

export const DEFAULT_PERSONA = 'warm, brief and concrete. Two to five sentences unless steps are needed. No marketing.';

/** When the conversation goes to a person, and when the people are there. */
export interface EscalationSettings {
  /** The customer-word triggers (and repeated failure) that hand a conversation over. */
  triggers: Array<(typeof TRIGGER_NAMES)[number]>;
  /** The last messages together scoring at or below this (AFINN points) hand over, when negative_sentiment is on. */
  sentimentThreshold: number;
  /** "Don't know" or failed replies in a row that hand over, when repeated_failure is on; 0 never. */
  afterFailedReplies: number;
  /** Opening hours, as BUSINESS_HOURS ("mon-fri 09:00-18:00; sat 10:00-14:00"), in `timeZone`. */
  businessHours: string;
  timeZone: string;
}

const escalationSchema = (configured: EscalationSettings) =>
  z
    .object({
      triggers: z
        .array(z.enum(TRIGGER_NAMES))
        .max(TRIGGER_NAMES.length)
        .transform((names) => [...new Set(names)]),
      sentimentThreshold: z.number().int().min(-100).max(-1),
      afterFailedReplies: z.number().int().min(0).max(10),
      businessHours: z.string().trim().min(1).max(300),
      timeZone: z.string().trim().min(1).max(100),
    })
    .strict()
    .superRefine((value, context) => {
      try {
        new BusinessHours(value.businessHours, value.timeZone);
      } catch (error) {
        if (!(error instanceof BusinessHoursError)) throw error;
        context.addIssue({ code: 'custom', path: ['businessHours'], message: error.message });
      }
    })
    .default(configured);

/**
 * What a support lead changes about the assistant without a redeploy. The
 * persona and the instructions go into the system prompt, after its own
 * honesty and security rules, which they cannot switch off (the prompt says
 * those come first, and the tools check ownership whatever the prompt says).
 * A part left out takes the configured value (the environment's, for the
 * escalation settings).
 */
export function assistantSettingsSchemaFor(configured: { companyName: string; escalation: EscalationSettings }) {
  return z
    .object({
      /** The company the assistant speaks for, in the system prompt. */
      companyName: z.string().trim().min(1).max(80).default(configured.companyName),
      /** How it speaks: the prompt's tone line. */
      persona: z.string().trim().min(1).max(500).default(DEFAULT_PERSONA),
      /** The support team's own guidance, added to the prompt (products, phrasing, what to avoid). */
      instructions: z.string().trim().max(4000).default(''),
      /** The kill switch: false sends every customer message of a conversation the AI holds to a person (or a ticket). */
      aiEnabled: z.boolean().default(true),
      escalation: escalationSchema(configured.escalation),
      /** Which model answers: the configured provider (its model, or another by name), or the offline local one. */
      model: z
        .object({ use: z.enum(['configured', 'local']), name: z.string().trim().min(1).max(200).nullable() })
        .strict()
        .default({ use: 'configured', name: null }),
    })
    .strict();
}

/** The defaults alone (tests, and the CLI when it needs only the company name). */
export const DEFAULT_ESCALATION: EscalationSettings = {
  triggers: [...TRIGGER_NAMES],
  sentimentThreshold: DEFAULT_SENTIMENT_TRIGGER.threshold,
  afterFailedReplies: 2,
  businessHours: 'mon-sun 00:00-24:00',
  timeZone: 'UTC',
};
export const assistantSettingsSchema = assistantSettingsSchemaFor({ companyName: 'Skyway Travel', escalation: DEFAULT_ESCALATION });
export type AssistantSettings = z.infer<typeof assistantSettingsSchema>;

export class AssistantSettingsStore extends VersionedSettings<ReturnType<typeof assistantSettingsSchemaFor>> {
  private derived: { key: string; triggers: HandoffTriggers; hours: BusinessHours } | undefined;

  constructor(db: Database, configured: { companyName: string; escalation: EscalationSettings }, now?: () => number) {
    const schema = assistantSettingsSchemaFor(configured);
    super(db, { name: 'support_assistant_settings', column: 'settings' }, schema, schema.parse({}), now);
  }

  /** The handoff triggers and opening hours the escalation settings in force describe (rebuilt only when they change). */
  async escalation(): Promise<{ settings: EscalationSettings; triggers: HandoffTriggers; hours: BusinessHours }> {
    const { escalation } = await this.current();
    const key = JSON.stringify(escalation);
    if (this.derived?.key !== key) {
      this.derived = {
        key,
        triggers: new HandoffTriggers({ enabled: new Set(escalation.triggers), sentiment: { ...DEFAULT_SENTIMENT_TRIGGER, threshold: escalation.sentimentThreshold } }),
        hours: new BusinessHours(escalation.businessHours, escalation.timeZone),
      };
    }
    return { settings: escalation, triggers: this.derived.triggers, hours: this.derived.hours };
  }
}
