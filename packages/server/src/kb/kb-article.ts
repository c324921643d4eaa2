import { z } from 'zod';

/**
 * One knowledge-base article as every writer hands it over (the importer,
 * the admin API, the demo seed). The fields are validated once here, so the
 * upsert can trust them.
 */

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

export interface KbArticle {
  id: string;
  title: string;
  /** Markdown; `#` headings split it into chunks. */
  body: string;
  category: string | null;
  /** Where a customer can read the article; '' when it has no public page. */
  url: string;
  locale: string;
  /** The hotel, place or product an entity-specific FAQ is about; null for general articles. */
  entity: string | null;
  /** The file it was imported from, relative to the import root; null for API and seed writes. */
  sourcePath: string | null;
  metadata: Record<string, JsonValue>;
}

const ARTICLE_ID_PATTERN = /^[a-z0-9][a-z0-9._-]{0,199}$/;

/** Ids go into chunk ids (`<id>#<position>`) and URL paths, so they keep to a plain alphabet. */
export const articleIdSchema = z
  .string()
  .regex(ARTICLE_ID_PATTERN, 'must be 1-200 characters of a-z, 0-9, ".", "_" or "-", starting with a letter or digit');

/**
 * A stable id from any text: lower-cased, every other run of characters
 * becomes one "-". The same input always gives the same id; '' when nothing
 * usable is left.
 */
export function slugifyId(raw: string): string {
  return raw
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^[^a-z0-9]+|-+$/g, '')
    .slice(0, 200)
    .replace(/-+$/, '');
}

const optionalText = (max: number) =>
  z
    .string()
    .trim()
    .max(max)
    .nullish()
    .transform((value) => (value ? value : null));

/** The fields an author writes, with defaults; shared by the importer and the admin API. */
export const articleFieldsSchema = z.object({
  title: z.string().trim().min(1, 'must not be empty').max(500),
  body: z.string().trim().min(1, 'must not be empty').max(1_000_000),
  category: optionalText(100),
  // Cited links end up in customers' browsers: only web addresses, never javascript: or data: URLs.
  url: z
    .string()
    .trim()
    .max(2000)
    .nullish()
    .transform((value) => value ?? '')
    .refine((value) => value === '' || /^https?:\/\/\S+$/i.test(value), 'must be an http(s) URL'),
  locale: z
    .string()
    .trim()
    .regex(/^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, 'must be a language tag such as "en" or "en-GB"')
    .nullish()
    .transform((value) => value ?? 'en'),
  entity: optionalText(300),
  metadata: z.record(z.string(), z.json()).nullish().transform((value) => value ?? {}),
});
export type ArticleFields = z.output<typeof articleFieldsSchema>;
