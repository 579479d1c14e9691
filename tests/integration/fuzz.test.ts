/**
 * Issue 5, acceptance 5: malformed, oversized and injection requests against every registered
 * route — so that a new route is fuzzed the day it is added — as its rightful caller (an admin
 * session with its CSRF token for /api, a machine credential for /v2 and /engine-rest) and
 * anonymously. For every answer: no 5xx, and a JSON body in the prefix's error shape. For every
 * refused request: no row of any table added, removed or changed. After the run: the server is
 * healthy and ready, and the audit chain verifies.
 *
 * Requests are derived from each route's own JSON schema: a minimal valid body (filled from
 * real records where a property names one, so that requests reach the engine and the
 * database), then one evil value per declared property at a time. A seeded PRNG picks among the
 * evil values, so a run is repeatable and a failure names the request that caused it.
 */
import { randomUUID } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UI_PAGES } from '../../src/api/plugins/ui.js';
import { verifyAuditChain } from '../../src/auth/audit.js';
import { issueMachineCredential } from '../../src/auth/machine-credentials.js';
import { createSession } from '../../src/auth/sessions.js';
import type { Database } from '../../src/db/index.js';
import { listenWithRoutes, type RegisteredRoute } from '../helpers/auth-app.js';
import { createTestUser } from '../helpers/auth-server.js';
import { backends, useDatabase } from '../helpers/databases.js';

/** Changing it changes every generated request; a failure report names the seed it came from. */
const SEED = 0x5eed_0005;

/** The acceptance criterion's floor, per back-end. */
const MIN_REQUESTS = 1000;
/**
 * At most this many requests per route and caller (evenly spread over what its schema yields):
 * over a hundred routes, more adds run time, not findings.
 */
const MAX_PER_ROUTE = 14;

/** Just over the server's 1 MiB body limit (src/server.ts). */
const OVER_BODY_LIMIT = 1024 * 1024 + 1024;

/**
 * Tables that record an attempt by design, whatever its outcome: a refused sign-in is audited
 * and counted, every admin request here gets a fresh session. The audit chain is verified at
 * the end instead.
 */
const BOOKKEEPING_TABLES = new Set(['audit_log', 'login_failure', 'user_session']);

/**
 * Properties never set or mutated, per route: the wait of a long poll (its bounds have tests
 * of their own in the protocol suites) and `awaitCompletion`, whose 504 after the request
 * timeout is the protocol's answer (Camunda's gateway answers the same) and not a fault.
 */
const PINNED: Record<string, Record<string, unknown>> = {
  'POST /v2/jobs/activation': { requestTimeout: -1 },
  'POST /engine-rest/external-task/fetchAndLock': { asyncResponseTimeout: 0 },
  'POST /v2/process-instances': { awaitCompletion: undefined },
};

/**
 * Refusals fastify's router sends itself, before any plugin runs (a path that does not decode, a
 * parameter over 100 characters). The product's server maps them to problem+json through its
 * `frameworkErrors` option (src/server.ts, tested in server.test.ts); the app here runs on a
 * fastify instance of the test's own, which answers them as plain JSON.
 */
const ROUTER_REFUSALS = new Set(['FST_ERR_BAD_URL', 'FST_ERR_MAX_PARAM_LENGTH']);

type Category =
  | 'malformed-json'
  | 'wrong-type'
  | 'out-of-range'
  | 'huge'
  | 'deep-nesting'
  | 'array-for-object'
  | 'prototype-pollution'
  | 'sql-injection'
  | 'path-param'
  | 'query'
  | 'feel-injection'
  | 'multipart'
  | 'content-type'
  | 'empty-body'
  | 'null-byte';

/** One generated request. `caller` is the route's rightful caller or nobody. */
interface FuzzRequest {
  category: Category;
  caller: 'rightful' | 'anonymous';
  route: RegisteredRoute;
  path: string;
  headers: Record<string, string>;
  body?: string | FormData;
}

// ------------------------------------------------------------------ evil values

const SQL_INJECTIONS = [
  "' or 1=1 --",
  "'; drop table engine_instance; --",
  "x'); delete from app_user; --",
  "' union select secret_hash, null from machine_credential --",
  '1; update audit_log set actor_id = null',
  '" or ""="',
  "\\'; select pg_sleep(10); --",
  '$1::text',
];

const NULL_BYTES = ['\u0000', 'a\u0000b', 'fuzz\u0000; drop table team', '\u0000'.repeat(64)];

const FEEL_INJECTIONS = [
  '" + string(now()) + "',
  '= 1 / 0',
  '= x[',
  '}}{{ constructor.constructor("return process")() }}',
  'date("9999999-99-99")',
  'duration("P99999999999Y")',
  '= for i in 1..100000000 return i',
  '= string join(for i in 1..1000 return string(i))',
  '2026-02-30',
  '+275760-09-13',
  '\ud800',
];

const WRONG_TYPES: unknown[] = [
  null,
  true,
  0,
  -1,
  1.5,
  1e308,
  -1e308,
  2 ** 53 + 1,
  1e20,
  '',
  'x',
  '1',
  'true',
  'NaN',
  '9223372036854775808',
  '-9223372036854775809',
  '+275760-09-13T00:00:00Z',
  [],
  [1, 'a', null],
  {},
  { $gt: 1 },
];

/** Well-typed but beyond every column and date: for integer properties. */
const HUGE_NUMBERS = [1e13 + 1, 1e15, 1e20, 1e300, -1e20, 2 ** 31, 2 ** 53 + 1, 8.64e15 + 1];

/** Well-typed strings beyond what dates and durations can hold: for string properties. */
const EDGE_STRINGS = [
  'P999999999Y',
  'PT99999999999999999999S',
  'P1000000W',
  '9999-12-31T23:59:59Z',
  '0001-01-01T00:00:00Z',
  '+275760-09-13T00:00:00Z',
  '8999-12-31T00:00:00Z',
];

/** Search filters with typed values out of their column's range; fields a resource lacks are refused alike. */
const FILTER_PROBES: Record<string, unknown>[] = [
  { version: 1e20 },
  { processDefinitionVersion: 2 ** 31 },
  { priority: { $gt: -1e20 } },
  { startDate: '+275760-09-13T00:00:00Z' },
  { startDate: { $gte: '0000-01-01T00:00:00Z' } },
  { creationDate: { $lt: '-000001-01-01T00:00:00Z' } },
  { creationTime: '10000-01-01T00:00:00Z' },
  { dueDate: { $in: ['9999-12-31T23:59:59Z', 'not a date'] } },
  { processInstanceKey: '99999999999999999999' },
  { processInstanceKey: { $in: [1e20, -1] } },
  { variables: [{ name: 'kind', value: '"\\u0000"' }] },
  { processInstanceVariables: [{ name: 'kind', value: '"\\ud800"' }] },
  { value: `${'['.repeat(5_000)}${']'.repeat(5_000)}` },
  { name: { $like: "%' or 1=1 --" } },
  { elementId: { $notIn: ["'; drop table engine_job; --"] } },
];

/** Path parameters that are not int64 keys (nor UUIDs); `raw` ones are sent unencoded. */
const PATH_VALUES: { value: string; raw?: boolean }[] = [
  { value: 'abc' },
  { value: '-1' },
  { value: '0' },
  { value: '99999999999999999999' },
  { value: '9223372036854775808' },
  { value: '-9223372036854775809' },
  { value: '1e3' },
  { value: '0x1f' },
  { value: '1.5' },
  { value: ' 1' },
  { value: 'ünïcødé' },
  { value: '🙂' },
  { value: '\u0000' },
  { value: '1\u0000' },
  { value: "' or 1=1 --" },
  { value: "1'; drop table engine_job; --" },
  { value: 'x'.repeat(5000) },
  { value: '%', raw: true },
  { value: '%zz', raw: true },
  { value: '%C0%AF', raw: true },
];

const MALFORMED_JSON = [
  '{',
  '{"a":',
  '[1,2',
  'nul',
  '{"a":1}}',
  "{'a':1}",
  '{"a":1,}',
  '{"a":"\\x41"}',
  '{"a":"\u0000"}',
  '\u0000',
  '\ufeff{}',
  '{"a":01}',
  '{"a":NaN}',
  '{"a":1e999999}',
];

const XML_BOMB = `<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="x">
  <bpmn:process id="bomb" name="&lol9;" isExecutable="true"><bpmn:startEvent id="s"/></bpmn:process>
</bpmn:definitions>`;

const XXE = `<?xml version="1.0"?>
<!DOCTYPE foo [ <!ENTITY xxe SYSTEM "file:///etc/passwd"> <!ENTITY ext SYSTEM "http://127.0.0.1:9/x.dtd"> ]>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="x">
  <bpmn:process id="xxe" name="&xxe;&ext;" isExecutable="true"><bpmn:startEvent id="s"/></bpmn:process>
</bpmn:definitions>`;

/** A process whose expressions are FEEL injections; the engine's deploy check must refuse or run them harmlessly. */
const FEEL_BPMN = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d" targetNamespace="x">
  <bpmn:process id="fuzz-feel" isExecutable="true">
    <bpmn:startEvent id="s"/>
    <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="t"/>
    <bpmn:serviceTask id="t"><bpmn:extensionElements><zeebe:taskDefinition type="= x[ + &quot;')); drop table engine_job; --&quot;"/></bpmn:extensionElements></bpmn:serviceTask>
    <bpmn:sequenceFlow id="f2" sourceRef="t" targetRef="e"/>
    <bpmn:endEvent id="e"/>
  </bpmn:process>
</bpmn:definitions>`;

const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/bpmn/v2/${name}`, import.meta.url));
const apiFixture = (name: string) => fileURLToPath(new URL(`../fixtures/api/${name}`, import.meta.url));

// ------------------------------------------------------------------ the generator

/** mulberry32: small, fast, good enough to pick test values deterministically. */
function createRandom(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { pick: <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)] };
}

type Random = ReturnType<typeof createRandom>;

interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  enum?: unknown[];
  const?: unknown;
  minimum?: number;
  additionalProperties?: boolean | JsonSchema;
}

/** A declared property inside a body: its path from the root and its schema. */
interface Slot {
  path: (string | number)[];
  schema: JsonSchema;
}

function typesOf(schema: JsonSchema): string[] {
  return [schema.type ?? []].flat();
}

/** A minimal valid value: required properties only, real values where the hints know the name. */
function sampleOf(schema: JsonSchema, name: string, hints: Record<string, unknown>): unknown {
  if (name in hints) return hints[name];
  if (schema.const !== undefined) return schema.const;
  if (schema.enum) return schema.enum[0];
  const type = typesOf(schema).find((t) => t !== 'null');
  switch (type) {
    case 'object': {
      const object: Record<string, unknown> = {};
      for (const key of schema.required ?? []) object[key] = sampleOf(schema.properties?.[key] ?? {}, key, hints);
      return object;
    }
    case 'array':
      return schema.items ? [sampleOf(schema.items, name, hints)] : [];
    case 'integer':
    case 'number':
      return Math.max(schema.minimum ?? 1, 1);
    case 'boolean':
      return false;
    case 'string':
      return 'fuzz';
    default:
      return {};
  }
}

/** Every declared property down to `depth` levels (array items as index 0). */
function slotsOf(schema: JsonSchema, path: (string | number)[] = [], depth = 3): Slot[] {
  if (depth === 0) return [];
  const slots: Slot[] = [];
  for (const [key, child] of Object.entries(schema.properties ?? {})) {
    slots.push({ path: [...path, key], schema: child });
    if (typesOf(child).includes('object')) slots.push(...slotsOf(child, [...path, key], depth - 1));
    if (typesOf(child).includes('array') && child.items) {
      slots.push(...slotsOf(child.items, [...path, key, 0], depth - 1));
    }
  }
  return slots;
}

/** A copy of `template` with the value at `path` replaced (missing parents are created). */
function withValue(template: unknown, path: (string | number)[], value: unknown): unknown {
  const copy = structuredClone(template) as Record<string | number, unknown>;
  let node = copy;
  for (const [index, key] of path.entries()) {
    if (index === path.length - 1) {
      node[key] = value;
      break;
    }
    if (typeof node[key] !== 'object' || node[key] === null) node[key] = typeof path[index + 1] === 'number' ? [] : {};
    node = node[key] as Record<string | number, unknown>;
  }
  return copy;
}

function nested(depth: number, open: string, close: string, inner = '1'): string {
  return open.repeat(depth) + inner + close.repeat(depth);
}

/** A route's body template (minimal and valid as far as the hints allow) and its mutable slots. */
function bodyModel(route: RegisteredRoute, hints: Record<string, unknown>) {
  const schema = (route.schema?.body ?? undefined) as JsonSchema | undefined;
  const pinned = PINNED[`${route.method} ${route.url}`] ?? {};
  const base = schema ? sampleOf(schema, '', {}) : {};
  const template: Record<string, unknown> =
    typeof base === 'object' && base !== null && !Array.isArray(base) ? (base as Record<string, unknown>) : {};
  // Every top-level property the hints know (they name real records), then the pins.
  for (const key of Object.keys(schema?.properties ?? {})) {
    if (key in hints) template[key] = hints[key];
  }
  for (const [key, value] of Object.entries(pinned)) {
    if (value === undefined) delete template[key];
    else template[key] = value;
  }
  const slots = (schema ? slotsOf(schema) : [{ path: ['fuzz'], schema: { type: 'string' } } as Slot]).filter(
    (slot) => !(String(slot.path[0]) in pinned),
  );
  return { template, slots, schema };
}

/** The rightful path of a route: real keys where the parameter names one. */
function pathOf(route: RegisteredRoute, pathHints: Record<string, string>, override?: { value: string; raw?: boolean }): string {
  return route.url.replace(/:(\w+)/g, (_match, name: string) => {
    if (override) return override.raw ? override.value : encodeURIComponent(override.value);
    return encodeURIComponent(pathHints[`${route.url}:${name}`] ?? pathHints[name] ?? '1');
  });
}

/** Every request for one route. */
function requestsFor(
  route: RegisteredRoute,
  random: Random,
  hints: Record<string, unknown>,
  pathHints: Record<string, string>,
): FuzzRequest[] {
  const requests: FuzzRequest[] = [];
  const path = pathOf(route, pathHints);
  const json = { 'content-type': 'application/json' };
  const add = (category: Category, request: Partial<FuzzRequest>) =>
    requests.push({ category, caller: 'rightful', route, path, headers: {}, ...request });
  const hasParams = route.url.includes(':');

  // Path parameters that are no keys, with the rightful body.
  if (hasParams) {
    const { template } = bodyModel(route, hints);
    const withBody = !['GET', 'HEAD', 'DELETE'].includes(route.method);
    for (const value of PATH_VALUES) {
      add('path-param', {
        path: pathOf(route, pathHints, value),
        headers: withBody ? json : {},
        body: withBody ? JSON.stringify(template) : undefined,
      });
    }
  }

  // Query strings: injection and out-of-range numbers in every declared parameter, and undeclared ones.
  if (route.method === 'GET' || route.method === 'HEAD') {
    const declared = Object.keys(((route.schema?.querystring ?? {}) as JsonSchema).properties ?? {});
    for (const name of [...declared, 'filter']) {
      for (const value of [random.pick(SQL_INJECTIONS), '99999999999999999999', '-1', '1e3', '\u0000', 'x'.repeat(10_000)]) {
        add('query', { path: `${path}?${name}=${encodeURIComponent(value)}` });
      }
    }
    add('query', { path: `${path}?__proto__[admin]=true&constructor[prototype][x]=1` });
    return requests;
  }

  if (route.url === '/v2/deployments') return [...requests, ...deploymentRequests(route, path)];

  const { template, slots, schema } = bodyModel(route, hints);
  const body = (value: unknown) => ({ headers: json, body: JSON.stringify(value) });

  for (const text of MALFORMED_JSON) add('malformed-json', { headers: json, body: text });

  // Wrong types: for the whole body, then for each declared property, one at a time.
  for (const value of [null, 42, 'text', true, [template]]) add(Array.isArray(value) ? 'array-for-object' : 'wrong-type', body(value));
  for (const slot of slots) {
    add('wrong-type', body(withValue(template, slot.path, random.pick(WRONG_TYPES))));
    const types = typesOf(slot.schema);
    if (types.includes('integer') || types.includes('number')) {
      add('out-of-range', body(withValue(template, slot.path, random.pick(HUGE_NUMBERS))));
    }
    if (types.includes('string')) add('out-of-range', body(withValue(template, slot.path, random.pick(EDGE_STRINGS))));
    if (types.includes('string') || types.length === 0) {
      add('sql-injection', body(withValue(template, slot.path, random.pick(SQL_INJECTIONS))));
      add('null-byte', body(withValue(template, slot.path, random.pick(NULL_BYTES))));
    }
    if (types.includes('object')) add('array-for-object', body(withValue(template, slot.path, [{ a: 1 }, 'b'])));
  }
  if (schema?.properties?.filter) {
    for (const filter of FILTER_PROBES) add('out-of-range', body({ ...template, filter }));
    add('out-of-range', body({ ...template, page: { after: Buffer.from('{"offset":1e20}').toString('base64') } }));
  }
  // Injections in undeclared properties and keys: unknown properties are ignored or refused, never stored.
  add('sql-injection', body({ ...template, [random.pick(SQL_INJECTIONS)]: random.pick(SQL_INJECTIONS) }));
  add('null-byte', body({ ...template, 'key\u0000': 'value' }));

  // Oversized: beyond the body limit, and large strings within it.
  const firstString = slots.find((slot) => typesOf(slot.schema).includes('string'))?.path ?? ['fuzz'];
  add('huge', body(withValue(template, firstString, 'x'.repeat(OVER_BODY_LIMIT))));
  add('huge', body(withValue(template, firstString, 'ü'.repeat(300_000))));
  add('huge', { headers: json, body: `[${'1,'.repeat(OVER_BODY_LIMIT / 2)}1]` });
  add('huge', body({ ...template, ...Object.fromEntries(Array.from({ length: 20_000 }, (_, i) => [`k${i}`, i])) }));

  // Deep nesting: objects and arrays thousands of levels deep, at the root and in every object property.
  const objectSlot = slots.find((slot) => typesOf(slot.schema).includes('object'))?.path ?? ['deep'];
  const templateText = JSON.stringify(withValue(template, objectSlot, '__DEEP__'));
  add('deep-nesting', { headers: json, body: templateText.replace('"__DEEP__"', nested(5_000, '{"a":', '}')) });
  add('deep-nesting', { headers: json, body: templateText.replace('"__DEEP__"', nested(200, '{"a":', '}')) });
  add('deep-nesting', { headers: json, body: templateText.replace('"__DEEP__"', `{"a":${nested(50_000, '[', ']')}}`) });
  add('deep-nesting', { headers: json, body: nested(100_000, '[', ']') });

  // Prototype pollution at the root and inside the first object property.
  const rest = JSON.stringify(template).slice(1);
  const comma = rest === '}' ? '' : ',';
  add('prototype-pollution', { headers: json, body: `{"__proto__":{"isAdmin":true}${comma}${rest}` });
  add('prototype-pollution', { headers: json, body: `{"constructor":{"prototype":{"isAdmin":true}}${comma}${rest}` });
  add('prototype-pollution', { headers: json, body: `{"\\u005f_proto__":{"isAdmin":true}${comma}${rest}` });
  add('prototype-pollution', {
    headers: json,
    body: templateText.replace('"__DEEP__"', '{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}}}'),
  });

  // FEEL injection in process variables, named as the fixtures' expressions read them.
  if (schema?.properties?.variables) {
    for (let i = 0; i < 4; i++) {
      const feel = random.pick(FEEL_INJECTIONS);
      add('feel-injection', body({ ...template, variables: { kind: feel, submittedOn: feel, caseId: feel, [feel]: feel } }));
    }
    add('feel-injection', body({ ...template, variables: { kind: { nested: [1, 2, { deeper: null }] }, submittedOn: 42 } }));
    add('null-byte', body({ ...template, variables: { kind: 'fuzz\u0000', caseId: '\u0000' } }));
    add('null-byte', body({ ...template, variables: { kind: '\ud800', 'x\udfff': 1 } }));
    add('deep-nesting', { headers: json, body: JSON.stringify({ ...template, variables: '__DEEP__' }).replace('"__DEEP__"', `{"kind":"fuzz","d":${nested(20_000, '{"a":', '}')}}`) });
  }

  // Wrong and missing content types, empty bodies.
  const text = JSON.stringify(template);
  for (const type of ['text/plain', 'application/xml', 'application/x-www-form-urlencoded', 'application/json; charset=utf-16', 'application/jsonx', 'image/png']) {
    add('content-type', { headers: { 'content-type': type }, body: type.includes('form') ? 'a=1&b=%00' : text });
  }
  const form = new FormData();
  form.append('body', text);
  add('content-type', { body: form });
  add('empty-body', { headers: json, body: '' });
  add('empty-body', { headers: json, body: ' ' });
  add('empty-body', { headers: json, body: 'null' });
  add('empty-body', { headers: json, body: '{}' });
  add('empty-body', {});
  return requests;
}

/** Multipart deployments: XML bombs, XXE, non-BPMN, evil names and fields, too many and too large files. */
function deploymentRequests(route: RegisteredRoute, path: string): FuzzRequest[] {
  const requests: FuzzRequest[] = [];
  const deploy = (files: { name: string; content: string | Uint8Array; field?: string }[], fields: Record<string, string> = {}) => {
    const form = new FormData();
    for (const [name, value] of Object.entries(fields)) form.append(name, value);
    for (const file of files) form.append(file.field ?? 'resources', new Blob([file.content]), file.name);
    requests.push({ category: 'multipart', caller: 'rightful', route, path, headers: {}, body: form });
  };
  deploy([{ name: 'bomb.bpmn', content: XML_BOMB }]);
  deploy([{ name: 'xxe.bpmn', content: XXE }]);
  deploy([{ name: 'not.bpmn', content: '{"this":"is json"}' }]);
  deploy([{ name: 'html.bpmn', content: '<html><body><script>alert(1)</script></body></html>' }]);
  deploy([{ name: 'empty.bpmn', content: '' }]);
  deploy([{ name: 'binary.bpmn', content: new Uint8Array(4096).map((_, i) => (i * 7919) % 256) }]);
  deploy([{ name: 'nul.bpmn', content: `<?xml version="1.0"?>\u0000<a/>` }]);
  deploy([{ name: 'feel.bpmn', content: FEEL_BPMN }]);
  deploy([{ name: 'nul-ref.bpmn', content: FEEL_BPMN.replace('id="fuzz-feel"', 'id="fuzz-nul" name="a&#0;b"') }]);
  deploy([{ name: 'surrogate-ref.bpmn', content: FEEL_BPMN.replace('id="fuzz-feel"', 'id="fuzz-surrogate" name="&#xD800;"') }]);
  deploy([{ name: 'nul-comment.bpmn', content: FEEL_BPMN.replace('<bpmn:startEvent id="s"/>', '<!-- \u0000 --><bpmn:startEvent id="s"/>') }]);
  deploy([{ name: 'nul.form', content: '{"id":"nul-form","components":[{"label":"\\u0000"}]}' }]);
  deploy([{ name: 'process.exe', content: FEEL_BPMN }]);
  deploy([{ name: '../../etc/passwd.bpmn', content: XXE }]);
  deploy([{ name: "x'; drop table engine_resource; --.bpmn", content: '<a/>' }]);
  deploy([{ name: 'name\u0000.bpmn', content: '<a/>' }]);
  deploy([{ name: 'broken.form', content: '{"id": 1, "components": "no"' }]);
  deploy([{ name: 'proto.form', content: '{"__proto__":{"x":1},"id":"f","components":[]}' }]);
  deploy([{ name: 'deep.form', content: `{"id":"deep","components":[${nested(10_000, '[', ']')}]}` }]);
  deploy([{ name: 'unclosed.bpmn', content: '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"><bpmn:process' }]);
  deploy([{ name: 'deep.bpmn', content: `<?xml version="1.0"?>${nested(20_000, '<a>', '</a>', '')}` }]);
  deploy([{ name: 'x.bpmn', content: '<a/>', field: 'wrong-field' }]);
  deploy([{ name: 'x.bpmn', content: '<a/>' }], { tenantId: "' or 1=1 --" });
  deploy([{ name: 'x.bpmn', content: '<a/>' }], { tenantId: '\u0000' });
  deploy([], { tenantId: '<default>' });
  deploy(Array.from({ length: 101 }, (_, i) => ({ name: `many-${i}.bpmn`, content: '<a/>' })));
  deploy([{ name: 'large.bpmn', content: ' '.repeat(5 * 1024 * 1024 + 10) }]);
  deploy([{ name: 'x'.repeat(10_000) + '.bpmn', content: '<a/>' }]);
  requests.push({ category: 'multipart', caller: 'rightful', route, path, headers: { 'content-type': 'multipart/form-data; boundary=x' }, body: '--x\r\nContent-Disposition: form-data; name="resources"; filename="a.bpmn"\r\n\r\n<a/>' });
  requests.push({ category: 'multipart', caller: 'rightful', route, path, headers: { 'content-type': 'multipart/form-data' }, body: 'no boundary' });
  requests.push({ category: 'content-type', caller: 'rightful', route, path, headers: { 'content-type': 'application/json' }, body: '{"resources":[]}' });
  requests.push({ category: 'content-type', caller: 'rightful', route, path, headers: { 'content-type': 'application/xml' }, body: XML_BOMB });
  return requests;
}

// ------------------------------------------------------------------ the checks

/** Content of every table but the bookkeeping ones: row count and a digest of all rows. */
async function fingerprint(db: Database, tables: string[]): Promise<Record<string, string>> {
  const columns = tables.map(
    (table) => `(select count(*) || ' ' || coalesce(md5(string_agg(t::text, '|' order by t::text)), '') from ${table} t) as "${table}"`,
  );
  const { rows } = await db.query<Record<string, string>>(`select ${columns.join(', ')}`);
  return rows[0];
}

/** Why an answer is not what every answer must be, or undefined when it is. */
function checkAnswer(request: FuzzRequest, response: Response, text: string): string | undefined {
  const { status } = response;
  if (status >= 500) return `status ${status}: ${text.slice(0, 300)}`;
  if (request.route.method === 'HEAD' || status === 204) return undefined;
  const type = response.headers.get('content-type') ?? '';
  if (status < 300 && /^(text|application)\/xml/.test(type) && request.route.url.endsWith('/xml')) return undefined;
  if (status < 300 && type.startsWith('text/csv') && request.route.url.endsWith('.csv')) return undefined;
  if (status < 300 && type.startsWith('application/pdf') && request.route.url.endsWith('/final-report')) return undefined;
  // The web UI's pages and files (src/api/plugins/ui.ts).
  if (status < 400 && ((UI_PAGES as readonly string[]).includes(request.route.url) || request.route.url === '/assets/*')) return undefined;
  // Swagger UI's own pages, scripts and redirects (src/api/routes/docs/).
  if (status < 400 && request.route.url.startsWith('/docs')) return undefined;
  if (!/^application\/(problem\+)?json\b/.test(type)) return `status ${status} with content-type ${type}`;
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    return `status ${status}: body is not JSON`;
  }
  if (status < 400) return undefined;
  if (ROUTER_REFUSALS.has(String(body.code)) && body.statusCode === status) return undefined;
  if (request.path.startsWith('/engine-rest/')) {
    // Camunda 7's ExceptionDto, exactly as camunda-external-task-client-js reads it.
    if (type !== 'application/json' || typeof body.type !== 'string' || typeof body.message !== 'string') {
      return `status ${status}: not a Camunda 7 error: ${type} ${text.slice(0, 200)}`;
    }
  } else if (!type.startsWith('application/problem+json') || body.status !== status || typeof body.title !== 'string') {
    return `status ${status}: not problem+json: ${type} ${text.slice(0, 200)}`;
  }
  return undefined;
}

function describeRequest(request: FuzzRequest): string {
  const body =
    typeof request.body === 'string'
      ? JSON.stringify(request.body.length > 120 ? `${request.body.slice(0, 120)}…(${request.body.length})` : request.body)
      : request.body
        ? '<multipart>'
        : '<no body>';
  const path = request.path.length > 120 ? `${request.path.slice(0, 120)}…` : request.path;
  return `[${request.category}, ${request.caller}] ${request.route.method} ${path} ${body}`;
}

// ------------------------------------------------------------------ the test

describe.each(backends)('fuzzing every route on $name', (backend) => {
  const handle = useDatabase(backend);
  let url: string;
  let routes: RegisteredRoute[];
  let fastify: FastifyInstance;
  let adminId: string;
  let machineAuthorization: string;
  const hints: Record<string, unknown> = {};
  const pathHints: Record<string, string> = {};

  /** Sends as the engine worker does, for the set-up. */
  const machine = async (method: string, path: string, body?: unknown) => {
    const init: RequestInit = { method, headers: { authorization: machineAuthorization } };
    if (body instanceof FormData) init.body = body;
    else if (body !== undefined) {
      init.body = JSON.stringify(body);
      (init.headers as Record<string, string>)['content-type'] = 'application/json';
    }
    const response = await fetch(`${url}${path}`, init);
    if (!response.ok) throw new Error(`set-up ${method} ${path}: ${response.status} ${await response.text()}`);
    return response.status === 204 ? undefined : ((await response.json()) as any);
  };

  beforeAll(async () => {
    const started = await listenWithRoutes(handle.db, { CLOCK: 'simulated', LOGIN_RATE_LIMIT: '10000' });
    ({ url, routes, fastify } = started);
    // Only requests may change the database from here on: the engine's background loop (timers,
    // lock and message expiry) would change it between two fingerprints.
    await started.engine.close();

    adminId = (await createTestUser(handle.db, 'fuzz.admin', [{ role: 'admin', teamId: null }])).id;
    const { credential, secret } = await issueMachineCredential(
      handle.db,
      { clientId: 'fuzz-worker', createdBy: null },
      { actor: { type: 'system', id: null } },
    );
    machineAuthorization = `Basic ${Buffer.from(`${credential.clientId}:${secret}`).toString('base64')}`;

    // Real records, so that requests with evil values in one place reach the engine with real ones elsewhere.
    const form = new FormData();
    for (const name of ['v2-job-flow.bpmn', 'v2-approval.bpmn', 'v2-referral-start.bpmn']) {
      form.append('resources', new Blob([await readFile(fixture(name))]), name);
    }
    const deployment = await machine('POST', '/v2/deployments', form);
    const definitionKey = deployment.deployments[0].processDefinition.processDefinitionKey as string;
    const instances = [];
    for (let i = 0; i < 4; i++) {
      instances.push(await machine('POST', '/v2/process-instances', { processDefinitionId: 'v2-job-flow', variables: { kind: 'fuzz' } }));
    }
    await machine('POST', '/v2/process-instances', {
      processDefinitionId: 'v2-approval',
      variables: { submittedOn: '2026-01-05', caseId: 'fuzz-case' },
    });
    const activated = await machine('POST', '/v2/jobs/activation', {
      type: 'v2-check-fuzz', worker: 'set-up', timeout: 600_000, maxJobsToActivate: 2, requestTimeout: -1,
    });
    const [failing, locked] = activated.jobs as { jobKey: string }[];
    await machine('POST', `/v2/jobs/${failing.jobKey}/failure`, { retries: 0, errorMessage: 'set-up' });
    const incident = (await machine('POST', '/v2/incidents/search', {})).items[0];
    const userTask = (await machine('POST', '/v2/user-tasks/search', {})).items[0];
    const element = (await machine('POST', '/v2/element-instances/search', {})).items[0];
    const variable = (await machine('POST', '/v2/variables/search', {})).items[0];

    // The product API's records: the fixture transition-case with its form, and one admitted case.
    await handle.db.query(`insert into team (id, name) values ('fuzz-team', 'Fuzz') on conflict do nothing`);
    const productFiles = new FormData();
    for (const name of ['transition-case.bpmn', 'api-intake.form']) {
      productFiles.append('resources', new Blob([await readFile(apiFixture(name))]), name);
    }
    await machine('POST', '/v2/deployments', productFiles);
    const adminSession = await createSession(handle.db, adminId, { idleMinutes: 30, maxHours: 1 });
    const admitted = (await (
      await fetch(`${url}/api/cases`, {
        method: 'POST',
        headers: { cookie: `uebergang_session=${adminSession.token}`, 'x-csrf-token': adminSession.csrfToken, 'content-type': 'application/json' },
        body: JSON.stringify({ client: { firstName: 'Fuzz', lastName: 'Fall', dateOfBirth: '1980-01-01' }, programmeId: 'puemas', teamId: 'fuzz-team', expectedRelease: '2027-01-01' }),
      })
    ).json()) as { caseId: string; instanceKey: string };
    const { rows: productRows } = await handle.db.query<{ task_key: string; client_id: string }>(
      `select t.key::text as task_key, c.client_id from engine_user_task t, transition_case c where t.instance_key = $1 and c.id = $2`,
      [admitted.instanceKey, admitted.caseId],
    );

    Object.assign(hints, {
      processDefinitionId: 'v2-job-flow',
      processDefinitionKey: definitionKey,
      variables: { kind: 'fuzz' },
      type: 'v2-check-fuzz',
      topicName: 'v2-check-fuzz',
      worker: 'fuzz',
      workerId: 'fuzz',
      timeout: 60_000,
      lockDuration: 60_000,
      newDuration: 60_000,
      maxJobsToActivate: 1,
      maxTasks: 1,
      topics: [{ topicName: 'v2-check-fuzz', lockDuration: 60_000 }],
      name: 'v2-court-answer',
      correlationKey: 'fuzz-case',
      errorCode: 'DOCUMENT_REJECTED',
      assignee: 'fuzz',
      username: 'fuzz.user',
      displayName: 'Fuzz',
      password: 'not the password 1234',
      currentPassword: 'not the password 1234',
      newPassword: 'another password 1234',
      clientId: 'fuzz-client',
      memberships: [{ role: 'process-owner' }],
      duration: 'PT1M',
      programmeId: 'puemas',
      teamId: 'fuzz-team',
      dateOfBirth: '1980-01-01',
      expectedRelease: '2027-01-01',
    });
    Object.assign(pathHints, {
      processDefinitionKey: definitionKey,
      processInstanceKey: instances[2].processInstanceKey,
      elementInstanceKey: element.elementInstanceKey,
      jobKey: locked.jobKey,
      userTaskKey: userTask.userTaskKey,
      incidentKey: incident.incidentKey,
      variableKey: variable.variableKey,
      id: locked.jobKey,
      '/api/auth/machine-credentials/:id:id': randomUUID(),
      caseId: admitted.caseId,
      taskKey: productRows[0].task_key,
      clientId: productRows[0].client_id,
      instanceKey: admitted.instanceKey,
      processId: 'transition-case',
      version: '1',
      formId: 'api-intake',
    });
  });
  afterAll(() => fastify?.close());

  it('answers 1,000+ malformed, oversized and injection requests without a 5xx, stores nothing refused, stays healthy', { timeout: 600_000 }, async () => {
    // given: every registered route, with requests derived from its schema
    const random = createRandom(SEED);
    const requests: FuzzRequest[] = [];
    for (const route of routes) {
      const all = requestsFor(route, random, hints, pathHints);
      const step = Math.max(1, all.length / MAX_PER_ROUTE);
      const own = all.length <= MAX_PER_ROUTE ? all : Array.from({ length: MAX_PER_ROUTE }, (_, i) => all[Math.floor(i * step)]);
      requests.push(...own);
      // Anonymous variants of a sample: refused by the access check before anything is read.
      if (route.access !== 'public') {
        for (let i = 0; i < 4 && own.length > 0; i++) requests.push({ ...random.pick(own), caller: 'anonymous' });
      }
    }
    const { rows: tableRows } = await handle.db.query<{ table_name: string }>(
      "select table_name from information_schema.tables where table_schema = current_schema() and table_type = 'BASE TABLE' order by 1",
    );
    const tables = tableRows.map((row) => row.table_name).filter((table) => !BOOKKEEPING_TABLES.has(table));
    expect(tables.length).toBeGreaterThan(30);

    // when: each is sent, one at a time, the database fingerprinted after each
    const failures: string[] = [];
    const counts = new Map<Category | 'anonymous', number>();
    let before = await fingerprint(handle.db, tables);
    for (const request of requests) {
      counts.set(request.category, (counts.get(request.category) ?? 0) + 1);
      if (request.caller === 'anonymous') counts.set('anonymous', (counts.get('anonymous') ?? 0) + 1);
      const headers = { ...request.headers };
      if (request.caller === 'rightful' && request.route.access === 'machine') headers.authorization = machineAuthorization;
      if (request.caller === 'rightful' && request.route.access !== 'machine' && request.route.access !== 'public') {
        // A fresh session each time: a fuzzed sign-out must not end the next request's session.
        const session = await createSession(handle.db, adminId, { idleMinutes: 30, maxHours: 1 });
        headers.cookie = `uebergang_session=${session.token}`;
        headers['x-csrf-token'] = session.csrfToken;
      }
      let response: Response;
      let text: string;
      try {
        response = await fetch(`${url}${request.path}`, {
          method: request.route.method,
          headers,
          body: request.body,
          signal: AbortSignal.timeout(20_000),
        });
        text = await response.text();
      } catch (error) {
        failures.push(`${describeRequest(request)}: no answer (${(error as Error).message})`);
        continue;
      }
      const problem = checkAnswer(request, response, text);
      if (problem) failures.push(`${describeRequest(request)}: ${problem}`);
      const after = await fingerprint(handle.db, tables);
      if (response.status >= 300) {
        const changed = tables.filter((table) => before[table] !== after[table]);
        if (changed.length > 0) failures.push(`${describeRequest(request)}: answered ${response.status} but changed ${changed.join(', ')}`);
      }
      before = after;
    }

    // then: no failures, enough requests of every kind
    // FUZZ_REPORT=<file>: every failure in full (the assertion's diff cuts long lists) and the counts.
    if (process.env.FUZZ_REPORT) await writeFile(process.env.FUZZ_REPORT, failures.join('\n'));
    expect(failures).toEqual([]);
    expect(requests.length).toBeGreaterThanOrEqual(MIN_REQUESTS);
    for (const category of ['malformed-json', 'wrong-type', 'out-of-range', 'huge', 'deep-nesting', 'array-for-object', 'prototype-pollution',
      'sql-injection', 'path-param', 'query', 'feel-injection', 'multipart', 'content-type', 'empty-body', 'null-byte', 'anonymous'] as const) {
      expect(counts.get(category) ?? 0, category).toBeGreaterThan(0);
    }
    if (process.env.FUZZ_REPORT) console.info(backend.name, requests.length, Object.fromEntries(counts));

    // and the server is still healthy, ready and serving, and the audit chain verifies
    expect((await fetch(`${url}/health`)).status).toBe(200);
    expect((await fetch(`${url}/ready`)).status).toBe(200);
    const topology = await fetch(`${url}/v2/topology`, { headers: { authorization: machineAuthorization } });
    expect(topology.status).toBe(200);
    expect(await verifyAuditChain(handle.db)).toMatchObject({ ok: true });
  });
});
