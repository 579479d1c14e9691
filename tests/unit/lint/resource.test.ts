import { describe, expect, it } from 'vitest';
import { checkResource, MAX_RESOURCE_BYTES } from '../../../src/engine/lint/index.js';
import { readFixture } from './fixtures.js';

const DEFINITIONS_OPEN =
  '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="D" targetNamespace="http://bpmn.io/schema/bpmn">';
const MINIMAL = `<?xml version="1.0" encoding="UTF-8"?>\n${DEFINITIONS_OPEN}<bpmn:process id="p" isExecutable="true"><bpmn:startEvent id="s" /></bpmn:process></bpmn:definitions>`;

describe('checkResource', () => {
  it('accepts a well-formed BPMN file and a form with an id and components', async () => {
    expect(await checkResource('all-supported.bpmn', Buffer.from(readFixture('all-supported.bpmn')))).toBeUndefined();
    expect(await checkResource('intake.form', Buffer.from('{"id":"intake","components":[],"type":"default"}'))).toBeUndefined();
  });

  it('accepts a UTF-8 byte order mark and non-ASCII text', async () => {
    const xml = MINIMAL.replace('id="s"', 'id="s" name="Übergang – Start"');
    expect(await checkResource('p.bpmn', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(xml)]))).toBeUndefined();
  });

  it('refuses names that are neither .bpmn nor .form', async () => {
    expect(await checkResource('process.xml', Buffer.from(MINIMAL))).toMatchObject({
      status: 400,
      code: 'RESOURCE_NAME_INVALID',
      detail: 'process.xml: resource names must end in .bpmn or .form',
    });
    expect((await checkResource('bad\u0000.bpmn', Buffer.from(MINIMAL)))?.code).toBe('RESOURCE_NAME_INVALID');
  });

  it('refuses a file over 5 MiB without reading it', async () => {
    const problem = await checkResource('big.bpmn', Buffer.alloc(MAX_RESOURCE_BYTES + 1, 0x20));
    expect(problem).toMatchObject({ status: 400, code: 'RESOURCE_TOO_LARGE', resource: 'big.bpmn' });
    expect(problem?.detail).toContain('5242881 bytes');
  });

  it('refuses content that is not UTF-8, or declares another encoding', async () => {
    const latin1 = Buffer.from(MINIMAL.replace('id="s"', 'id="s" name="\u00dcbergang"'), 'latin1');
    expect((await checkResource('p.bpmn', latin1))?.code).toBe('RESOURCE_NOT_UTF8');
    const utf16 = Buffer.from(`\ufeff${MINIMAL}`, 'utf16le');
    expect((await checkResource('p.bpmn', utf16))?.code).toBe('RESOURCE_NOT_UTF8');
    const declared = MINIMAL.replace('encoding="UTF-8"', 'encoding="ISO-8859-1"');
    expect(await checkResource('p.bpmn', Buffer.from(declared))).toMatchObject({
      code: 'RESOURCE_NOT_UTF8',
      detail: 'p.bpmn: declares encoding "ISO-8859-1"; only UTF-8 is accepted',
    });
  });

  it('refuses entity expansion ("billion laughs") before any parser runs', async () => {
    const laughs = `<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
${DEFINITIONS_OPEN}<bpmn:process id="p" name="&lol2;" isExecutable="true" /></bpmn:definitions>`;
    expect(await checkResource('lolz.bpmn', Buffer.from(laughs))).toMatchObject({
      status: 400,
      code: 'RESOURCE_DTD_FORBIDDEN',
      detail: 'lolz.bpmn: DOCTYPE and ENTITY declarations are not allowed in BPMN files',
    });
  });

  it('refuses external entities (XXE), whatever the case or spacing', async () => {
    const xxe = `<?xml version="1.0"?>\n<!doctype d [ <!  ENTITY xxe SYSTEM "file:///etc/passwd"> ]>\n${MINIMAL.split('\n')[1]}`;
    expect((await checkResource('xxe.bpmn', Buffer.from(xxe)))?.code).toBe('RESOURCE_DTD_FORBIDDEN');
  });

  it('refuses malformed XML, saying where', async () => {
    const broken = `${DEFINITIONS_OPEN}\n<bpmn:process id="p">\n</bpmn:task></bpmn:definitions>`;
    const problem = await checkResource('broken.bpmn', Buffer.from(broken));
    expect(problem).toMatchObject({ status: 400, code: 'RESOURCE_MALFORMED_XML' });
    expect(problem?.detail).toMatch(/^broken\.bpmn: is not a valid BPMN document: closing tag mismatch at line \d+, column \d+/);
  });

  it('refuses XML that is not BPMN, unknown BPMN elements, duplicate ids and dangling references', async () => {
    const cases = [
      '<html><body /></html>',
      MINIMAL.replace('<bpmn:startEvent id="s" />', '<bpmn:fancyTask id="t" />'),
      MINIMAL.replace('<bpmn:startEvent id="s" />', '<bpmn:startEvent id="s" /><bpmn:task id="s" />'),
      MINIMAL.replace('<bpmn:startEvent id="s" />', '<bpmn:sequenceFlow id="f" sourceRef="s" targetRef="missing" />'),
      MINIMAL.replace('id="p"', 'id=p'),
    ];
    for (const xml of cases) {
      expect((await checkResource('p.bpmn', Buffer.from(xml)))?.code, xml).toBe('RESOURCE_MALFORMED_XML');
    }
  });

  it('refuses form files that are not JSON objects with an id and components', async () => {
    const forms: Array<[string, RegExp]> = [
      ['{"id": "x", ', /is not valid JSON/],
      ['[]', /must be a JSON object/],
      ['{"components": []}', /needs an "id"/],
      ['{"id": "intake"}', /needs a "components" array/],
    ];
    for (const [json, detail] of forms) {
      const problem = await checkResource('intake.form', Buffer.from(json));
      expect(problem?.code).toBe('RESOURCE_INVALID_FORM');
      expect(problem?.detail).toMatch(detail);
    }
  });
});
