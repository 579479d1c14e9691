import { parseBpmn } from './moddle.js';

/** The largest resource deploy accepts, in bytes (5 MiB); bigger files are refused unread. */
export const MAX_RESOURCE_BYTES = 5 * 1024 * 1024;

/** Why a resource was refused, one code per cause (the UI translates the code). */
export type ResourceProblemCode =
  | 'RESOURCE_NAME_INVALID'
  | 'RESOURCE_TOO_LARGE'
  | 'RESOURCE_NOT_UTF8'
  | 'RESOURCE_DTD_FORBIDDEN'
  | 'RESOURCE_MALFORMED_XML'
  | 'RESOURCE_INVALID_FORM';

/**
 * A refused resource, ready to become a 400 problem+json response: `code` for clients, `detail`
 * a sentence naming the resource and the reason.
 */
export interface ResourceProblem {
  status: 400;
  code: ResourceProblemCode;
  resource: string;
  detail: string;
}

function problem(code: ResourceProblemCode, resource: string, detail: string): ResourceProblem {
  return { status: 400, code, resource, detail: `${resource}: ${detail}` };
}

// A DTD is the door to entity expansion ("billion laughs") and external entities (XXE); BPMN
// never needs one, so any declaration is refused before an XML parser reads the text.
const DTD_PATTERN = /<!\s*(DOCTYPE|ENTITY|ELEMENT|ATTLIST|NOTATION)\b/i;
const DECLARED_ENCODING = /^\s*<\?xml[^>]*?\bencoding\s*=\s*["']([^"']*)["']/;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Turns moddle's multi-line parse error into one sentence with 1-based line and column. */
function describeXmlError(message: string): string {
  const match = /unparsable content (.*?) detected\s+line: (\d+)\s+column: (\d+)\s+nested error: (.*)/s.exec(message);
  if (!match) return message.replace(/\s+/g, ' ').trim();
  const [, near, line, column, reason] = match;
  const excerpt = near.length > 60 ? `${near.slice(0, 60)}…` : near;
  return `${reason.trim()} at line ${Number(line) + 1}, column ${Number(column) + 1}${excerpt ? ` (near ${excerpt})` : ''}`;
}

async function checkBpmn(name: string, text: string): Promise<ResourceProblem | undefined> {
  if (DTD_PATTERN.test(text)) {
    return problem('RESOURCE_DTD_FORBIDDEN', name, 'DOCTYPE and ENTITY declarations are not allowed in BPMN files');
  }
  const encoding = DECLARED_ENCODING.exec(text)?.[1];
  if (encoding !== undefined && !/^utf-?8$/i.test(encoding)) {
    return problem('RESOURCE_NOT_UTF8', name, `declares encoding "${encoding}"; only UTF-8 is accepted`);
  }
  try {
    const { warnings } = await parseBpmn(text);
    // Strict parsing still lets duplicate ids, dangling references and broken attributes through
    // as warnings; the engine would run such a model wrong, so they refuse the file too.
    if (warnings.length > 0) {
      return problem('RESOURCE_MALFORMED_XML', name, `is not a valid BPMN document: ${describeXmlError(warnings[0])}`);
    }
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return problem('RESOURCE_MALFORMED_XML', name, `is not a valid BPMN document: ${describeXmlError(message)}`);
  }
  return undefined;
}

function checkForm(name: string, text: string): ResourceProblem | undefined {
  let form: unknown;
  try {
    form = JSON.parse(text);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return problem('RESOURCE_INVALID_FORM', name, `is not valid JSON: ${reason}`);
  }
  if (!form || typeof form !== 'object' || Array.isArray(form)) {
    return problem('RESOURCE_INVALID_FORM', name, 'a form must be a JSON object');
  }
  const { id, components } = form as { id?: unknown; components?: unknown };
  if (typeof id !== 'string' || id.trim() === '') {
    return problem('RESOURCE_INVALID_FORM', name, 'a form needs an "id" (the formId user tasks refer to)');
  }
  if (!Array.isArray(components)) {
    return problem('RESOURCE_INVALID_FORM', name, 'a form needs a "components" array');
  }
  return undefined;
}

/**
 * Checks one deployment resource before anything is stored or linted: the name ends in `.bpmn`
 * or `.form`, the content is at most 5 MiB of UTF-8; a BPMN file has no DTD (checked on the raw
 * text, before any XML parser sees it) and parses as BPMN with the zeebe extensions; a form file
 * is a JSON object with an `id` and `components`.
 *
 * Returns the problem instead of throwing, because refusing a resource is an expected outcome
 * the API answers with 400; it throws only on a bug. BPMN that passes still needs `lintBpmn`.
 */
export async function checkResource(name: string, content: Buffer): Promise<ResourceProblem | undefined> {
  const resource = name.trim();
  if (resource === '' || resource.length > 255 || /[\u0000-\u001f\u007f]/.test(resource)) {
    return problem('RESOURCE_NAME_INVALID', JSON.stringify(name), 'a resource name must be 1–255 printable characters');
  }
  const kind = resource.endsWith('.bpmn') ? 'bpmn' : resource.endsWith('.form') ? 'form' : undefined;
  if (!kind) return problem('RESOURCE_NAME_INVALID', resource, 'resource names must end in .bpmn or .form');
  if (content.length > MAX_RESOURCE_BYTES) {
    return problem(
      'RESOURCE_TOO_LARGE',
      resource,
      `is ${content.length} bytes; at most ${MAX_RESOURCE_BYTES} bytes (5 MiB) are accepted`,
    );
  }
  let text: string;
  try {
    text = utf8.decode(content); // a leading UTF-8 byte order mark is dropped here
  } catch {
    return problem('RESOURCE_NOT_UTF8', resource, 'is not valid UTF-8');
  }
  return kind === 'bpmn' ? checkBpmn(resource, text) : checkForm(resource, text);
}
