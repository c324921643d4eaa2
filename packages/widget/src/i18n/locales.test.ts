import { describe, expect, it } from 'vitest';
import { locales, resolveLocale, type Strings } from './index.js';

type Shape = Record<string, unknown>;

function shape(value: Shape, prefix = ''): Array<[string, string]> {
  return Object.entries(value).flatMap(([key, entry]): Array<[string, string]> => {
    const path = `${prefix}${key}`;
    if (typeof entry === 'function') return [[path, `function/${entry.length}`]];
    if (Array.isArray(entry)) return [[path, 'array']];
    if (entry && typeof entry === 'object') return shape(entry as Shape, `${path}.`);
    return [[path, typeof entry]];
  });
}

describe('locales', () => {
  it('every locale has every key of English, with the same kind of value (the types enforce it too)', () => {
    const english = shape(locales.en as unknown as Shape);
    for (const [name, strings] of Object.entries(locales)) {
      expect(shape(strings as unknown as Shape), name).toEqual(english);
    }
  });

  it('no string is empty and every function gives text', () => {
    for (const [name, strings] of Object.entries(locales) as Array<[string, Strings]>) {
      for (const [path] of shape(strings as unknown as Shape)) {
        const value = path.split('.').reduce<unknown>((node, key) => (node as Shape)[key], strings);
        const text = typeof value === 'function' ? (value as (...args: unknown[]) => string)('Maya', 'X', 3) : value;
        if (Array.isArray(text)) expect(text.length, `${name}.${path}`).toBeGreaterThan(0);
        else expect(String(text).trim(), `${name}.${path}`).not.toBe('');
      }
    }
  });

  it('Spanish is really translated', () => {
    expect(locales.es.escalate).toBe('Hablar con una persona');
    expect(locales.es.agentWithYou('Maya Chen')).toBe('Maya Chen te está atendiendo');
    const same = Object.entries(locales.es).filter(([key, value]) => typeof value === 'string' && value === (locales.en as Record<string, unknown>)[key]);
    expect(same.map(([key]) => key)).toEqual([]);
  });

  it('resolves the locale: asked for, else the browser, else English', () => {
    expect(resolveLocale('es-MX')).toMatchObject({ language: 'es', tag: 'es-MX' });
    expect(resolveLocale('ES')).toMatchObject({ language: 'es', tag: 'es' });
    expect(resolveLocale(undefined, ['fr-FR', 'es-ES'])).toMatchObject({ language: 'es', tag: 'es-ES' });
    expect(resolveLocale('fr')).toMatchObject({ language: 'en', tag: 'en' });
    expect(resolveLocale('not a locale!!')).toMatchObject({ language: 'en' });
    expect(resolveLocale(undefined, [])).toMatchObject({ language: 'en', tag: 'en' });
  });
});
