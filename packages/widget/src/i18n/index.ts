import { browser } from '../core/env.js';
import { en } from './en.js';
import { es } from './es.js';
import type { Strings } from './types.js';

export type { Strings } from './types.js';

/** The locales the widget ships, complete (a missing key is a type error). */
export const locales = { en, es } satisfies Record<string, Strings>;
export type SupportedLocale = keyof typeof locales;

/** A BCP 47 tag for Intl and the service: the one asked for if well-formed, else the strings' own. */
export interface ResolvedLocale {
  /** Which string table: 'es' for "es-MX", 'en' for anything unknown. */
  language: SupportedLocale;
  /** For Intl (dates, times, money) and the session's `locale`: "es-MX" stays "es-MX". */
  tag: string;
  strings: Strings;
}

function wellFormed(tag: string): string | null {
  try {
    return Intl.getCanonicalLocales(tag)[0] ?? null;
  } catch {
    return null;
  }
}

export function resolveLocale(requested?: string | null, navigatorLanguages?: readonly string[]): ResolvedLocale {
  // A locale asked for wins (and one we lack falls back to English); else the browser's preferences.
  const asked = typeof requested === 'string' && requested.trim() !== '';
  const candidates = (asked ? [requested] : [...(navigatorLanguages ?? [])]).filter((tag): tag is string => typeof tag === 'string' && tag.trim() !== '');
  for (const candidate of candidates) {
    const tag = wellFormed(candidate.trim());
    if (!tag) continue;
    const language = tag.split('-')[0]?.toLowerCase();
    if (language && language in locales) return { language: language as SupportedLocale, tag, strings: locales[language as SupportedLocale] };
  }
  return { language: 'en', tag: 'en', strings: en };
}

export function browserLanguages(): readonly string[] {
  const navigator = browser().navigator;
  if (!navigator) return [];
  return navigator.languages?.length ? navigator.languages : navigator.language ? [navigator.language] : [];
}
