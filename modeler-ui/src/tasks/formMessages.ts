/**
 * form-js writes its validation messages in English only; this puts them into the UI's
 * language (patterns of form-js-viewer 1.x's Validator). Unknown messages stay as they are:
 * a custom `patternErrorMessage` is the form author's own text.
 */
import i18next from 'i18next';

const PATTERNS: Array<[RegExp, string]> = [
  [/^Field is required\.$/, 'formjs.required'],
  [/^Value is not a number\.$/, 'formjs.notANumber'],
  [/^Field must have minimum length of (\d+)\.$/, 'formjs.minLength'],
  [/^Field must have maximum length of (\d+)\.$/, 'formjs.maxLength'],
  [/^Field must have minimum value of (.+)\.$/, 'formjs.min'],
  [/^Field must have maximum value of (.+)\.$/, 'formjs.max'],
  [/^Field must be a valid email\.$/, 'formjs.email'],
  [/^Field must be a valid\s+international phone number/, 'formjs.phone'],
  [/^Field must match pattern (.+)\.$/, 'formjs.pattern'],
];

/** One form-js validation message in the current UI language. */
export function translateFormMessage(message: string): string {
  for (const [pattern, key] of PATTERNS) {
    const match = pattern.exec(message);
    if (match) return i18next.t(key, { value: match[1] });
  }
  return message;
}

interface ValidatorLike {
  validateFieldInstance(fieldInstance: unknown, value: unknown): string[];
}

/** Wraps the form's validator so every message it produces is translated. */
export function translateValidator(validator: ValidatorLike): void {
  const validate = validator.validateFieldInstance.bind(validator);
  validator.validateFieldInstance = (fieldInstance, value) => validate(fieldInstance, value).map(translateFormMessage);
}
