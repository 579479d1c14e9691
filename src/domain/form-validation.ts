/**
 * Checks the data submitted with a user task against the task's form (a form-js schema), as the
 * form-js viewer does in the browser — the server must not trust the browser: required fields,
 * the type of number, text, checkbox and choice fields (select, radio: one of the form's values;
 * checklist, taglist: some of them), number min/max, text min/max length and pattern.
 * Pure: no I/O.
 */

/** One finding: the field's key and what is wrong, in German (the UI's first language). */
export interface FormIssue {
  field: string;
  message: string;
}

interface FormComponent {
  type?: string;
  key?: string;
  label?: string;
  components?: FormComponent[];
  values?: { value: unknown }[];
  valuesKey?: string;
  validate?: {
    required?: boolean;
    min?: number;
    max?: number;
    minLength?: number;
    maxLength?: number;
    pattern?: string;
    validationType?: 'email' | 'phone';
  };
  disabled?: boolean;
  readonly?: boolean;
}

const TEXT_TYPES = new Set(['textfield', 'textarea', 'datetime']);
const SINGLE_CHOICE = new Set(['select', 'radio']);
const MULTI_CHOICE = new Set(['checklist', 'taglist']);
const CONTAINERS = new Set(['group', 'dynamiclist', 'iframe-group']);

/** Every input field of a form, groups flattened. */
function fieldsOf(components: readonly FormComponent[] | undefined): FormComponent[] {
  const fields: FormComponent[] = [];
  for (const component of components ?? []) {
    if (CONTAINERS.has(component.type ?? '') || (!component.key && component.components)) {
      fields.push(...fieldsOf(component.components));
    } else if (component.key) {
      fields.push(component);
    }
  }
  return fields;
}

const isEmpty = (value: unknown) =>
  value === undefined || value === null || value === '' || (Array.isArray(value) && value.length === 0);

/** The findings of one field's value; empty when it is fine. */
function checkField(field: FormComponent, value: unknown): string[] {
  const rules = field.validate ?? {};
  const type = field.type ?? 'textfield';
  if (isEmpty(value) || (type === 'checkbox' && rules.required && value === false)) {
    return rules.required ? ['Pflichtfeld / required'] : [];
  }
  const problems: string[] = [];
  if (type === 'number') {
    const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
    if (typeof number !== 'number' || !Number.isFinite(number)) return ['Keine Zahl / not a number'];
    if (rules.min !== undefined && number < rules.min) problems.push(`Mindestens ${rules.min} / at least ${rules.min}`);
    if (rules.max !== undefined && number > rules.max) problems.push(`Höchstens ${rules.max} / at most ${rules.max}`);
    return problems;
  }
  if (type === 'checkbox') return typeof value === 'boolean' ? [] : ['Ja oder nein / true or false'];
  const allowed = field.values?.map((option) => option.value);
  if (SINGLE_CHOICE.has(type)) {
    if (allowed && !allowed.some((option) => option === value)) return ['Kein erlaubter Wert / not one of the choices'];
    return [];
  }
  if (MULTI_CHOICE.has(type)) {
    if (!Array.isArray(value)) return ['Eine Liste erwartet / a list expected'];
    if (allowed && !value.every((item) => allowed.some((option) => option === item))) {
      return ['Kein erlaubter Wert / not one of the choices'];
    }
    return [];
  }
  if (TEXT_TYPES.has(type) || typeof value === 'string') {
    if (typeof value !== 'string') return ['Text erwartet / text expected'];
    if (rules.minLength !== undefined && value.length < rules.minLength) {
      problems.push(`Mindestens ${rules.minLength} Zeichen / at least ${rules.minLength} characters`);
    }
    if (rules.maxLength !== undefined && value.length > rules.maxLength) {
      problems.push(`Höchstens ${rules.maxLength} Zeichen / at most ${rules.maxLength} characters`);
    }
    if (rules.pattern && !matchesPattern(rules.pattern, value)) problems.push('Format ungültig / does not match the pattern');
    if (rules.validationType === 'email' && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value)) {
      problems.push('Keine E-Mail-Adresse / not an email address');
    }
  }
  return problems;
}

/** form-js anchors patterns as a whole-value match; a pattern that does not compile matches nothing. */
function matchesPattern(pattern: string, value: string): boolean {
  try {
    return new RegExp(`^(?:${pattern})$`, 'u').test(value);
  } catch {
    return false;
  }
}

/** The form's fields a person fills in: not disabled, not read-only (the viewer submits only those). */
function inputFieldsOf(form: { components?: unknown[] } | null): FormComponent[] {
  return form ? fieldsOf(form.components as FormComponent[]).filter((field) => !field.disabled && !field.readonly) : [];
}

/** The findings of the form's fields in `variables` (required, type, bounds, pattern); empty when they pass. */
export function validateFormData(form: { components?: unknown[] } | null, variables: Record<string, unknown>): FormIssue[] {
  const issues: FormIssue[] = [];
  for (const field of inputFieldsOf(form)) {
    for (const message of checkField(field, valueAt(variables, field.key!))) issues.push({ field: field.key!, message });
  }
  return issues;
}

/**
 * The variables in `variables` that are no field of `form` (without a form: all of them). A
 * person submits only what the form asks: anything else could overwrite a process variable the
 * lifecycle relies on (`caseId`, dates, the approver `decidedBy`) or carry data nobody asked for.
 */
export function findUnknownFields(form: { components?: unknown[] } | null, variables: Record<string, unknown>): FormIssue[] {
  // form-js binds `a.b` to property b of variable a.
  const accepted = new Set(inputFieldsOf(form).map((field) => field.key!.split('.')[0]));
  return Object.keys(variables)
    .filter((name) => !accepted.has(name))
    .map((name) => ({ field: name, message: 'Kein Feld dieses Formulars / not a field of this form' }));
}

/** The value at a form-js key path (`a.b`) in `variables`. */
function valueAt(variables: Record<string, unknown>, key: string): unknown {
  let value: unknown = variables;
  for (const part of key.split('.')) {
    if (typeof value !== 'object' || value === null || !Object.hasOwn(value, part)) return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}
