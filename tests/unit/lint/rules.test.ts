import { describe, expect, it } from 'vitest';
import { config, lintBpmn, resolver, rules } from '../../../src/engine/lint/index.js';
import { readFixture } from './fixtures.js';

/**
 * Event subprocesses the engine cannot start yet (nested ones) are refused by
 * uebergang/event-subprocess; the fixtures keep them so the other rules stay tested on them.
 */
const PENDING = 'uebergang/event-subprocess';
const lintOtherRules = async (xml: string) => (await lintBpmn(xml)).filter((issue) => issue.rule !== PENDING);

/** For every rule: its failing fixture and exactly the element ids it must name there. */
const FAILING: Record<string, string[]> = {
  'called-element': ['call_without_extension', 'call_without_process_id'],
  'error-reference': ['end_without_error', 'end_error_without_code'],
  'event-based-gateway': ['gateway_to_receive_task', 'gateway_single_branch'],
  'event-subprocess': ['evsub_nested'],
  'executable-process': ['Definitions_1'],
  'feel-syntax': [
    'Msg_bad_key',
    'f_bad_condition',
    'service_bad_type',
    'service_bad_mapping',
    'call_bad_process_id',
    'timer_bad_expression',
    'script_bad',
    'user_bad_assignee',
    'user_bad_assignee',
    'mi_bad_collection',
  ],
  'inclusive-gateway-join': ['or_join'],
  'loop-characteristics': [
    'standard_loop',
    'mi_without_zeebe',
    'mi_literal_collection',
    'mi_output_without_element',
    'mi_cardinality',
  ],
  'message-subscription': [
    'receive_without_message',
    'catch_unnamed',
    'catch_empty_key',
    'boundary_without_key',
    'evsub_start_without_key',
  ],
  'no-listeners': ['service_with_execution_listener', 'user_with_task_listener'],
  'sequence-flow-conditions': [
    'f_without_condition',
    'f_literal_condition',
    'f_condition_after_task',
    'f_or_without_condition',
  ],
  'start-events': ['two_none_starts', 'sub_without_start', 'evsub_two_starts', 'no_start'],
  'supported-event': [
    'signal_start',
    'error_start',
    'multiple_start',
    'escalation_end',
    'conditional_catch',
    'link_throw',
    'link_catch',
    'message_throw',
    'none_catch',
    'compensation_boundary',
    'error_boundary_non_interrupting',
    'sub_timer_start',
    'evsub_none_start',
  ],
  'task-implementation': [
    'service_without_job',
    'service_bad_retries',
    'send_without_type',
    'rule_dmn',
    'rule_empty',
    'script_empty',
    'script_without_result',
    'script_literal',
    'script_both',
    'message_end_without_job',
  ],
  'timer-definition': [
    'start_with_duration',
    'timer_empty',
    'duration_in_words',
    'date_not_on_calendar',
    'date_without_zone',
    'cycle_on_catch',
    'cycle_interrupting',
    'cycle_cron',
    'cycle_malformed',
    'duration_empty_time_part',
  ],
  'unsupported-element': ['complex', 'tx', 'adhoc'],
  'user-task-form': ['form_key', 'form_id_and_reference', 'form_without_reference'],
};

describe('the uebergang rule set', () => {
  it('has a failing fixture for every rule it exports, and a config that enables each as an error', () => {
    expect(Object.keys(FAILING).map((name) => `uebergang/${name}`).sort()).toEqual(Object.keys(rules).sort());
    expect(config.rules).toEqual(Object.fromEntries(Object.keys(rules).map((name) => [name, 'error'])));
  });

  it('resolves its rules the way bpmnlint names them, and nothing else', () => {
    expect(resolver.resolveRule('bpmnlint-plugin-uebergang', 'timer-definition')).toBe(rules['uebergang/timer-definition']);
    expect(() => resolver.resolveRule('bpmnlint', 'label-required')).toThrow(/Unknown lint rule/);
    expect(resolver.resolveConfig('bpmnlint-plugin-uebergang', 'recommended')).toBe(config);
  });

  it('accepts a diagram using every supported element (the passing fixture of every rule)', async () => {
    expect(await lintOtherRules(readFixture('all-supported.bpmn'))).toEqual([]);
  });

  it('accepts a message start event of a process without a correlation key', async () => {
    expect(await lintOtherRules(readFixture('message-subscription.pass.bpmn'))).toEqual([]);
  });

  it('accepts ISO 8601 durations, zoned dates, cycles and FEEL timer values where Camunda 8 allows them', async () => {
    expect(await lintOtherRules(readFixture('timer-definition.pass.bpmn'))).toEqual([]);
  });

  describe.each(Object.entries(FAILING))('uebergang/%s', (name, expectedIds) => {
    it('rejects exactly the offending elements of its fixture, naming each id in the message', async () => {
      // Given a fixture that breaks only this rule
      const xml = readFixture(`${name}.fail.bpmn`);

      // When it is linted
      const issues = name === 'event-subprocess' ? await lintBpmn(xml) : await lintOtherRules(xml);

      // Then every issue comes from this rule and names the element it reports
      expect(issues.map((issue) => issue.rule)).toEqual(expectedIds.map(() => `uebergang/${name}`));
      expect(issues.map((issue) => issue.elementId).sort()).toEqual([...expectedIds].sort());
      for (const issue of issues) expect(issue.message).toContain(`"${issue.elementId}"`);
    });
  });

  it('says why, in words a modeller can act on', async () => {
    const issues = await lintBpmn(readFixture('inclusive-gateway-join.fail.bpmn'));
    expect(issues[0].message).toMatch(/inclusive gateway "or_join".*joins 2 flows.*would not wait/);
    const [timer] = (await lintBpmn(readFixture('timer-definition.fail.bpmn'))).filter(
      (issue) => issue.elementId === 'duration_in_words',
    );
    expect(timer.message).toBe(
      'intermediate catch event "duration_in_words": timeDuration "6 months" is not an ISO 8601 duration, e.g. P6M, PT30S or P1DT2H',
    );
  });

  it('refuses to lint XML that checkResource would have refused', async () => {
    await expect(lintBpmn('<bpmn:definitions')).rejects.toThrow(/checkResource/);
  });
});
