import { describe, expect, it } from 'vitest';
import type { OutboxMessage, Recipient } from '../../../src/domain/outbox.js';
import { OUTBOX, retryDelayMs } from '../../../src/domain/outbox.js';
import { handler, smtpErrorCode, type Directory, type Mailer } from '../../../workers/notifications/handler.js';
import type { NotificationStore } from '../../../workers/notifications/store.js';
import { jobHelpers } from '../../fixtures/domain/helpers.js';

const NOW = new Date('2025-06-16T08:00:00Z');
const OWNER = '00000000-0000-4000-8000-0000000000a1';

function message(overrides: Partial<OutboxMessage> = {}): OutboxMessage {
  return {
    id: '00000000-0000-4000-8000-0000000000e1',
    messageId: '<00000000-0000-4000-8000-0000000000e1@uebergang.local>',
    recipient: { user: OWNER },
    template: 'application-reminder',
    params: { caseId: 'c', casePseudonym: 'K-ABCD-EFGH', kind: 'citizens-income', deadline: '2025-06-30', daysLeft: 14 },
    attempts: 1,
    ...overrides,
  };
}

function fakes(messages: OutboxMessage[], options: { failWith?: unknown; addresses?: string[]; markSentFails?: boolean } = {}) {
  const sent: Parameters<Mailer['sendMail']>[0][] = [];
  const marked: { sent: string[]; failed: { id: string; errorCode: string; attempts: number }[] } = { sent: [], failed: [] };
  const store: NotificationStore = {
    claim: async ({ limit }) => messages.slice(0, limit),
    async markSent(id) {
      if (options.markSentFails) throw new Error('database gone');
      marked.sent.push(id);
      return true;
    },
    async markFailed(input) {
      marked.failed.push({ id: input.id, errorCode: input.errorCode, attempts: input.attempts });
      return input.attempts >= OUTBOX.maxAttempts ? 'dead' : 'retry';
    },
  };
  const mailer: Mailer = {
    async sendMail(mail) {
      if (options.failWith) throw options.failWith;
      sent.push(mail);
    },
  };
  const directory: Directory = {
    addressesOf: async (recipient: Recipient) =>
      options.addresses ?? ('user' in recipient ? ['fallbearbeitung@example.org'] : ['leitung@example.org']),
  };
  const helpers = { ...jobHelpers({ now: NOW }, 'notifications'), store, mailer, directory, mailFrom: 'noreply@example.org' };
  return { helpers, sent, marked };
}

describe('notifications handler', () => {
  it('sends each claimed message with its fixed Message-ID and marks it sent', async () => {
    const { helpers, sent, marked } = fakes([message()]);
    const output = await handler({}, helpers);
    expect(output).toEqual({ sent: 1, retried: 0, dead: 0 });
    expect(sent).toEqual([
      {
        from: 'noreply@example.org',
        to: ['fallbearbeitung@example.org'],
        subject: 'Erinnerung: Bürgergeld (SGB II) – Frist 30.06.2025',
        text: expect.stringContaining('Fall K-ABCD-EFGH'),
        messageId: '<00000000-0000-4000-8000-0000000000e1@uebergang.local>',
      },
    ]);
    expect(marked.sent).toEqual([message().id]);
  });

  it('addresses an escalation to the supervisors of the team', async () => {
    const { helpers, sent } = fakes([message({ template: 'application-overdue', recipient: { teamSupervisors: 'erfurt' } })]);
    await handler({}, helpers);
    expect(sent[0].to).toEqual(['leitung@example.org']);
    expect(sent[0].subject).toBe('Überfällig: Bürgergeld (SGB II) – Frist 30.06.2025');
  });

  it('puts a message back for a retry when the SMTP server refuses it, with a code only', async () => {
    const smtpError = Object.assign(new Error('451 mailbox of erika@example.org busy'), { responseCode: 451 });
    const { helpers, marked } = fakes([message({ attempts: 3 })], { failWith: smtpError });
    const output = await handler({}, helpers);
    expect(output).toEqual({ sent: 0, retried: 1, dead: 0 });
    expect(marked.failed).toEqual([{ id: message().id, errorCode: 'SMTP_451', attempts: 3 }]);
    expect(JSON.stringify(helpers.lines)).not.toContain('erika');
  });

  it('gives a message up (kept as dead, not deleted) after the last attempt', async () => {
    const { helpers } = fakes([message({ attempts: OUTBOX.maxAttempts })], { failWith: Object.assign(new Error(), { code: 'ECONNECTION' }) });
    expect(await handler({}, helpers)).toEqual({ sent: 0, retried: 0, dead: 1 });
  });

  it('does not send to nobody: a recipient without address is retried later', async () => {
    const { helpers, sent, marked } = fakes([message()], { addresses: [] });
    await handler({}, helpers);
    expect(sent).toEqual([]);
    expect(marked.failed[0].errorCode).toBe('NO_RECIPIENT_ADDRESS');
  });

  it('fails the job when the sent mark cannot be written, so the lease brings the message back', async () => {
    const { helpers, sent } = fakes([message()], { markSentFails: true });
    await expect(handler({}, helpers)).rejects.toThrow('database gone');
    expect(sent).toHaveLength(1);
  });

  it('claims at most the requested batch', async () => {
    const many = Array.from({ length: 5 }, (_, i) => message({ id: `m${i}`, messageId: `<m${i}@uebergang.local>` }));
    const { helpers, sent } = fakes(many);
    expect(await handler({ limit: 2 }, helpers)).toEqual({ sent: 2, retried: 0, dead: 0 });
    expect(sent.map((m) => m.messageId)).toEqual(['<m0@uebergang.local>', '<m1@uebergang.local>']);
  });

  it('refuses a batch size out of range as a modelling defect', async () => {
    const { helpers } = fakes([]);
    await expect(handler({ limit: 0 }, helpers)).rejects.toThrow('limit');
  });

  it('backs off 30 s, doubling, at most one hour', () => {
    expect([1, 2, 3, 4].map(retryDelayMs)).toEqual([30_000, 60_000, 120_000, 240_000]);
    expect(retryDelayMs(20)).toBe(3_600_000);
  });

  it('reduces transport errors to codes', () => {
    expect(smtpErrorCode(Object.assign(new Error('x'), { responseCode: 550 }))).toBe('SMTP_550');
    expect(smtpErrorCode(Object.assign(new Error('x'), { code: 'ETIMEDOUT' }))).toBe('ETIMEDOUT');
    expect(smtpErrorCode(new Error('Erika Mustermann'))).toBe('SEND_FAILED');
  });
});
