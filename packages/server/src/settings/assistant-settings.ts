import { z } from 'zod';
import type { Database } from '../storage/database.js';
import { VersionedSettings } from './versioned-settings.js';

export const DEFAULT_PERSONA = 'warm, brief and concrete. Two to five sentences unless steps are needed. No marketing.';

/**
 * What a support lead changes about the assistant without a redeploy. The
 * persona and the instructions go into the system prompt, after its own
 * honesty and security rules, which they cannot switch off (the prompt says
 * those come first, and the tools check ownership whatever the prompt says).
 */
export const assistantSettingsSchema = z
  .object({
    /** The company the assistant speaks for, in the system prompt. */
    companyName: z.string().trim().min(1).max(80).default('Skyway Travel'),
    /** How it speaks: the prompt's tone line. */
    persona: z.string().trim().min(1).max(500).default(DEFAULT_PERSONA),
    /** The support team's own guidance, added to the prompt (products, phrasing, what to avoid). */
    instructions: z.string().trim().max(4000).default(''),
    /** The kill switch: false sends every customer message of a conversation the AI holds to a person (or a ticket). */
    aiEnabled: z.boolean().default(true),
  })
  .strict();

export type AssistantSettings = z.infer<typeof assistantSettingsSchema>;

export class AssistantSettingsStore extends VersionedSettings<typeof assistantSettingsSchema> {
  constructor(db: Database, configured: AssistantSettings, now?: () => number) {
    super(db, { name: 'support_assistant_settings', column: 'settings' }, assistantSettingsSchema, configured, now);
  }
}
