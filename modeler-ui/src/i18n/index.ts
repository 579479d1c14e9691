/**
 * i18next with German (default) and English. A missing key is reported on the console as an
 * error, so the end-to-end tests catch it; views never carry their own strings.
 */
import i18next, { type TFunction } from 'i18next';
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import de from './de.json';
import en from './en.json';

/** The languages the UI speaks, German first. */
export const LANGUAGES = ['de', 'en'] as const;

/** One of {@link LANGUAGES}. */
export type Language = (typeof LANGUAGES)[number];

const STORAGE_KEY = 'uebergang.language';

/** The language chosen last in this browser, German when none was. */
export function storedLanguage(): Language {
  const stored = globalThis.localStorage?.getItem(STORAGE_KEY);
  return (LANGUAGES as readonly string[]).includes(stored ?? '') ? (stored as Language) : 'de';
}

/** Initialises i18next once; resolves when the resources are loaded (they are bundled). */
export async function initI18n(language: Language = storedLanguage()): Promise<void> {
  await i18next.init({
    lng: language,
    fallbackLng: false,
    supportedLngs: [...LANGUAGES],
    resources: { de: { translation: de }, en: { translation: en } },
    interpolation: { escapeValue: false },
    returnNull: false,
    saveMissing: true,
    missingKeyHandler: (languages, _namespace, key) => {
      console.error(`missing translation: ${languages.join(',')} ${key}`);
    },
  });
  document.documentElement.lang = language;
}

/** Switches the UI language and remembers it in this browser. */
export async function changeLanguage(language: Language): Promise<void> {
  await i18next.changeLanguage(language);
  globalThis.localStorage?.setItem(STORAGE_KEY, language);
  document.documentElement.lang = language;
}

/** What a view needs: `t`, the language, and date formatting in that language (de-DE first). */
export interface I18n {
  t: TFunction;
  language: Language;
  /** A failed request in words: the translation of its error code, else the server's detail. */
  describeError(error: unknown): string;
  formatDate(value: string | number | Date | null | undefined): string;
  formatDateTime(value: string | number | Date | null | undefined): string;
  formatNumber(value: number): string;
}

/** Builds the {@link I18n} of `language`. */
export function createI18n(language: Language): I18n {
  const locale = language === 'de' ? 'de-DE' : 'en-GB';
  const date = new Intl.DateTimeFormat(locale, { dateStyle: 'medium' });
  const dateTime = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' });
  const number = new Intl.NumberFormat(locale);
  const format = (formatter: Intl.DateTimeFormat) => (value: string | number | Date | null | undefined) => {
    if (value === null || value === undefined || value === '') return '–';
    const parsed = new Date(value);
    return Number.isNaN(parsed.getTime()) ? String(value) : formatter.format(parsed);
  };
  const t = i18next.getFixedT(language);
  return {
    t,
    language,
    describeError: (error) => {
      const code = (error as { problem?: { code?: string } })?.problem?.code;
      if (code && i18next.exists(`errors.code.${code}`, { lng: language })) return t(`errors.code.${code}`);
      return error instanceof Error && error.message ? error.message : t('errors.generic');
    },
    formatDate: format(date),
    formatDateTime: format(dateTime),
    formatNumber: (value) => number.format(value),
  };
}

/** The context the app provides; re-created when the language changes so every view re-renders. */
export const I18nContext = createContext<I18n | null>(null);

/** The current {@link I18n}. */
export function useI18n(): I18n {
  const i18n = useContext(I18nContext);
  if (!i18n) throw new Error('useI18n outside of I18nContext');
  return i18n;
}
