/**
 * bpmn-js module: the diagram's own texts (palette, context pad, properties panel, lint
 * summary) in the UI's language. German comes from `de.json` (English source text → German);
 * English is bpmn-io's own text. Read at each call, so what renders after a language switch
 * (context pad, properties panel) follows it; the palette keeps the language it was drawn in.
 */
import i18next from 'i18next';
import de from './de.json';

const DICTIONARIES: Record<string, Record<string, string>> = { de };

/** bpmn-io's `translate(template, replacements)` with `{name}` placeholders. */
export function translate(template: string, replacements: Record<string, unknown> = {}): string {
  const translated = DICTIONARIES[i18next.language]?.[template] ?? template;
  return translated.replace(/{([^}]+)}/g, (_, key: string) => (key in replacements ? String(replacements[key]) : `{${key}}`));
}

/** The module: replaces bpmn-io's `translate` service. */
export default {
  translate: ['value', translate],
};
