/**
 * The product's processes deploy here and on a real Camunda 8.8 cluster: every file of
 * `processes/` passes the engine's deploy-time check and bpmnlint `recommended` with
 * `camunda-compat` for 8.8, every form a user task names exists and is a form-js schema, and
 * the diagrams agree with the workers and the API contract.
 */
import { readdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { MESSAGES, PROCESSES } from '../../../src/domain/process-contract.js';
import { checkResource, lintBpmn } from '../../../src/engine/lint/index.js';
import { parseBpmn } from '../../../src/engine/lint/moddle.js';
import { createProductWorkers } from '../../../workers/run.js';
import { PROCESSES_DIR } from './lifecycle-harness.js';

const require = createRequire(import.meta.url);
const { Linter } = require('bpmnlint') as { Linter: new (options: object) => { lint(root: unknown): Promise<Record<string, Report[]>> } };
const NodeResolver = require('bpmnlint/lib/resolver/node-resolver') as new (options: object) => object;
type Report = { id?: string; message: string; category: string };

const FORMS_DIR = `${PROCESSES_DIR}forms/`;
const bpmnFiles = (await readdir(PROCESSES_DIR)).filter((name) => name.endsWith('.bpmn')).sort();
const formFiles = (await readdir(FORMS_DIR)).filter((name) => name.endsWith('.form')).sort();
const read = (path: string) => readFile(path, 'utf8');

/** Every value of `attribute` on elements named `tag` in `xml`. */
function attributes(xml: string, tag: string, attribute: string): string[] {
  const pattern = new RegExp(`<${tag}\\b[^>]*?\\b${attribute}="([^"]*)"`, 'g');
  return [...xml.matchAll(pattern)].map((match) => match[1]);
}

/** form-js component types the Tasklist renders (form-js 1.x). */
const COMPONENT_TYPES = new Set(['text', 'textfield', 'textarea', 'number', 'checkbox', 'checklist', 'radio', 'select', 'taglist', 'datetime', 'group', 'separator', 'spacer']);

describe('the processes in processes/', () => {
  it('are the processes of the contract, one file each, named after its process id', () => {
    expect(bpmnFiles).toEqual(expect.arrayContaining(Object.values(PROCESSES).map((id) => `${id}.bpmn`)));
  });

  it.each(bpmnFiles)('%s passes the engine deploy-time check', async (name) => {
    const xml = await readFile(`${PROCESSES_DIR}${name}`);
    expect(await checkResource(name, xml)).toBeUndefined();
    expect(await lintBpmn(xml.toString())).toEqual([]);
    expect(attributes(xml.toString(), 'bpmn:process', 'id')).toEqual([name.replace(/\.bpmn$/, '')]);
  });

  it.each(bpmnFiles)('%s passes bpmnlint recommended and camunda-compat for Camunda 8.8 without a warning', async (name) => {
    const linter = new Linter({
      config: { extends: ['bpmnlint:recommended', 'plugin:camunda-compat/camunda-cloud-8-8'] },
      resolver: new NodeResolver({ requireLibrary: (library: string) => require(library) }),
    });
    const { root } = await parseBpmn(await read(`${PROCESSES_DIR}${name}`));
    const results = await linter.lint(root);
    const reports = Object.entries(results).flatMap(([rule, list]) => list.map((report) => `${report.category} ${rule} ${report.id}: ${report.message}`));
    expect(reports).toEqual([]);
  });

  it.each(bpmnFiles)('%s names only forms, called processes, job types and messages that exist', async (name) => {
    const xml = await read(`${PROCESSES_DIR}${name}`);
    const forms = new Set(formFiles.map((file) => file.replace(/\.form$/, '')));
    for (const formId of attributes(xml, 'zeebe:formDefinition', 'formId')) expect(forms, `form ${formId}`).toContain(formId);
    for (const processId of attributes(xml, 'zeebe:calledElement', 'processId')) expect(bpmnFiles).toContain(`${processId}.bpmn`);
    const workers = new Set(createProductWorkers({ db: {} as never, mail: { mailer: { sendMail: async () => ({}) }, from: 'x@example.org' } }).map((w) => w.type));
    for (const type of attributes(xml, 'zeebe:taskDefinition', 'type')) expect(workers, `job type ${type}`).toContain(type);
    const contract = new Set<string>(Object.values(MESSAGES).map((message) => message.name));
    for (const message of attributes(xml, 'bpmn:message', 'name')) expect(contract, `message ${message}`).toContain(message);
  });

  it('give every user task a form, candidate groups from the roles and a due date', async () => {
    const roles = new Set(['social-service', 'psychological-service', 'administration', 'supervisor']);
    for (const name of bpmnFiles) {
      const xml = await read(`${PROCESSES_DIR}${name}`);
      for (const [task] of xml.matchAll(/<bpmn:userTask\b[\s\S]*?<\/bpmn:userTask>/g)) {
        expect(task, name).toContain('<zeebe:userTask />');
        expect(attributes(task, 'zeebe:formDefinition', 'formId')).toHaveLength(1);
        expect(attributes(task, 'zeebe:taskSchedule', 'dueDate')).toHaveLength(1);
        const groups = attributes(task, 'zeebe:assignmentDefinition', 'candidateGroups')[0].split(',').map((g) => g.trim());
        for (const group of groups) expect(roles).toContain(group);
      }
    }
  });
});

describe('the forms in processes/forms/', () => {
  it.each(formFiles)('%s is a form-js schema the engine accepts, in German', async (name) => {
    const text = await readFile(`${FORMS_DIR}${name}`);
    expect(await checkResource(name, text)).toBeUndefined();
    const schema = JSON.parse(text.toString()) as { id: string; type: string; components: Record<string, unknown>[] };
    expect(schema.id).toBe(name.replace(/\.form$/, ''));
    expect(schema.type).toBe('default');
    const keys = new Set<string>();
    const ids = new Set<string>();
    for (const component of schema.components) {
      expect(COMPONENT_TYPES).toContain(component.type);
      expect(ids.has(component.id as string)).toBe(false);
      ids.add(component.id as string);
      if (component.type === 'text') continue;
      expect(component.key).toMatch(/^[a-z][A-Za-z]*$/);
      expect(keys.has(component.key as string)).toBe(false);
      keys.add(component.key as string);
      expect(component.label ?? component.dateLabel).toMatch(/\S/);
      if (component.type === 'radio' || component.type === 'select') {
        expect((component.values as unknown[]).length).toBeGreaterThan(1);
      }
    }
    expect(keys.size).toBeGreaterThan(0);
  });
});
