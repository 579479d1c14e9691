/**
 * Outbox delivery against a real SMTP server (smtp-server, started here). The guarantee under
 * test: no message is lost; no message is sent twice by racing workers; a worker that dies
 * between send and mark causes one resend after its lease, carrying the same Message-ID, so the
 * receiver deduplicates it (at-least-once with Message-ID dedupe).
 */
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate, type Database } from '../../../src/db/index.js';
import { openPostgres } from '../../../src/db/postgres.js';
import { closeCase, openCase } from '../../../src/domain/cases.js';
import { createClient } from '../../../src/domain/clients.js';
import { claimNotifications, enqueueNotification, getNotification, OUTBOX } from '../../../src/domain/outbox.js';
import { handler, type Directory, type Mailer } from '../../../workers/notifications/handler.js';
import { createNotificationStore, type NotificationStore } from '../../../workers/notifications/store.js';
import { jobHelpers, seedStaff } from '../../fixtures/domain/helpers.js';
import { startTestSmtpServer } from '../../helpers/smtp-server.js';
import { backends, useDatabase } from '../../helpers/databases.js';

/** A real SMTP server on a free port that records what it accepts. */
const startSmtp = () => startTestSmtpServer({ subject: 'Subject' });

describe.each(backends)('notifications over SMTP on $name', (backend) => {
  const handle = useDatabase(backend);
  let smtp: Awaited<ReturnType<typeof startSmtp>>;
  let mailer: Mailer & { close(): void };
  let staff: Awaited<ReturnType<typeof seedStaff>>;
  const directory: Directory = {
    // app_user has no address column yet: the directory is a port; here a fixed mapping.
    addressesOf: async (recipient) => ['user' in recipient ? `${recipient.user}@example.org` : `leitung-${recipient.teamSupervisors}@example.org`],
  };

  beforeAll(async () => {
    await migrate(handle.db);
    staff = await seedStaff(handle.db, 'erfurt');
    smtp = await startSmtp();
    mailer = nodemailer.createTransport({ host: '127.0.0.1', port: smtp.port, secure: false, ignoreTLS: true, socketTimeout: 10_000 });
  });

  afterAll(async () => {
    mailer?.close();
    await smtp?.close();
  });

  async function enqueue(count: number, now: Date, caseId?: string): Promise<string[]> {
    const ids: string[] = [];
    for (let i = 0; i < count; i++) {
      const { id } = await enqueueNotification(
        handle.db,
        {
          template: 'application-reminder',
          recipient: { user: staff.caseworkerId },
          params: { applicationId: `a${i}`, caseId: caseId ?? 'c', casePseudonym: 'K-TEST-0000', kind: 'id-card', deadline: '2026-02-01', daysLeft: 3 },
          caseId,
        },
        now,
      );
      ids.push(id);
    }
    return ids;
  }

  function run(clock: { now: Date }, store: NotificationStore = createNotificationStore(handle.db), key = 'job-1', limit = 500) {
    const base = jobHelpers(clock, 'notifications');
    return handler({ limit }, { ...base, job: { ...base.job, key }, store, mailer, directory, mailFrom: 'noreply@example.org' });
  }

  /** A worker process: small batches until the outbox has nothing due. */
  async function drain(clock: { now: Date }, store: NotificationStore, name: string): Promise<number> {
    let total = 0;
    for (let batch = 0; ; batch++) {
      const { sent } = await run(clock, store, `${name}-${batch}`, 4);
      if (sent === 0) return total;
      total += sent;
    }
  }

  function receivedFor(ids: string[]) {
    return smtp.received.filter((r) => ids.some((id) => r.messageId.includes(id)));
  }

  it('delivers each message once, with its Message-ID, and marks it sent', async () => {
    const clock = { now: new Date('2026-01-29T08:00:00Z') };
    const ids = await enqueue(3, clock.now);
    expect(await run(clock)).toEqual({ sent: 3, retried: 0, dead: 0 });
    expect(await run(clock)).toEqual({ sent: 0, retried: 0, dead: 0 });
    const got = receivedFor(ids);
    expect(got.map((r) => r.messageId).sort()).toEqual(ids.map((id) => `<${id}@${OUTBOX.messageIdDomain}>`).sort());
    expect(got[0]).toMatchObject({ to: [`${staff.caseworkerId}@example.org`], subject: 'Erinnerung: Personalausweis – Frist 01.02.2026' });
    for (const id of ids) expect((await getNotification(handle.db, id))?.status).toBe('sent');
  });

  it('never sends a message twice when two workers drain the outbox at once', async () => {
    const clock = { now: new Date('2026-01-29T09:00:00Z') };
    const ids = await enqueue(30, clock.now);
    const second: Database = handle.url ? await openPostgres(handle.url) : handle.db;
    try {
      // both drain in batches of 4, so their claims interleave
      const sent = await Promise.all([
        drain(clock, createNotificationStore(handle.db), 'a'),
        drain(clock, createNotificationStore(second), 'b'),
      ]);
      expect(sent[0] + sent[1]).toBe(30);
      if (backend.name === 'postgres') expect(sent.every((n) => n > 0)).toBe(true);
    } finally {
      if (second !== handle.db) await second.close();
    }
    const got = receivedFor(ids);
    expect(got).toHaveLength(30);
    expect(new Set(got.map((r) => r.messageId)).size).toBe(30);
  });

  it('hands each due message to exactly one of many claims made at the same moment', async () => {
    const clock = { now: new Date('2026-01-29T09:30:00Z') };
    const ids = await enqueue(40, clock.now);
    const second: Database = handle.url ? await openPostgres(handle.url) : handle.db;
    try {
      const claims = await Promise.all(
        Array.from({ length: 8 }, (_, i) =>
          claimNotifications(i % 2 ? second : handle.db, { workerId: `w${i}`, limit: 10, now: clock.now }),
        ),
      );
      const claimed = claims.flat().map((m) => m.id);
      expect(claimed.sort()).toEqual([...ids].sort());
    } finally {
      if (second !== handle.db) await second.close();
    }
    // leave nothing behind for the other tests: deliver what was claimed after the lease
    clock.now = new Date(clock.now.getTime() + OUTBOX.leaseMs + 1_000);
    expect(await run(clock)).toMatchObject({ sent: 40 });
  });

  it('resends after a crash between send and mark, with the same Message-ID, once the lease is over', async () => {
    const clock = { now: new Date('2026-01-29T10:00:00Z') };
    const [id] = await enqueue(1, clock.now);
    // given a worker that sends, then dies before it can mark the message sent
    const real = createNotificationStore(handle.db);
    const crashing: NotificationStore = { ...real, markSent: async () => Promise.reject(new Error('process killed')) };
    await expect(run(clock, crashing, 'job-crash')).rejects.toThrow('process killed');
    expect((await getNotification(handle.db, id))?.status).toBe('sending');
    // when another worker looks while the lease still holds, it leaves the message alone
    expect(await run(clock, real, 'job-2')).toMatchObject({ sent: 0 });
    // and after the lease it sends the message again
    clock.now = new Date(clock.now.getTime() + OUTBOX.leaseMs + 1_000);
    expect(await run(clock, real, 'job-3')).toMatchObject({ sent: 1 });
    expect(await run(clock, real, 'job-4')).toMatchObject({ sent: 0 });
    // then the receiver got two copies with one Message-ID: one message after dedupe
    const got = receivedFor([id]);
    expect(got).toHaveLength(2);
    expect(new Set(got.map((r) => r.messageId))).toEqual(new Set([`<${id}@${OUTBOX.messageIdDomain}>`]));
    expect(await getNotification(handle.db, id)).toMatchObject({ status: 'sent', attempts: 2 });
  });

  it('keeps a refused message and delivers it after the back-off', async () => {
    const clock = { now: new Date('2026-01-29T11:00:00Z') };
    const [id] = await enqueue(1, clock.now);
    smtp.control.refuse = true;
    try {
      expect(await run(clock)).toEqual({ sent: 0, retried: 1, dead: 0 });
    } finally {
      smtp.control.refuse = false;
    }
    expect(await getNotification(handle.db, id)).toMatchObject({ status: 'pending', attempts: 1, lastError: 'SMTP_451' });
    // not due before the 30-second back-off has passed
    clock.now = new Date(clock.now.getTime() + 29_000);
    expect(await run(clock)).toMatchObject({ sent: 0 });
    clock.now = new Date(clock.now.getTime() + 2_000);
    expect(await run(clock)).toMatchObject({ sent: 1 });
    expect(receivedFor([id])).toHaveLength(1);
  });

  it('sends nothing for a case closed before delivery', async () => {
    const clock = { now: new Date('2026-01-29T12:00:00Z') };
    const client = await createClient(handle.db, { familyName: 'X', givenNames: 'Y', birthDate: '1970-01-01' });
    const opened = await openCase(
      handle.db,
      { clientId: client.id, programmeId: 'puemas', facility: 'JVA Tonna', teamId: staff.teamId, releaseRegion: 'erfurt', expectedReleaseDate: '2026-03-01' },
      clock.now,
    );
    const [id] = await enqueue(1, clock.now, opened.id);
    await closeCase(handle.db, opened.id, 'regular', clock.now);
    expect(await run(clock)).toMatchObject({ sent: 0 });
    expect((await getNotification(handle.db, id))?.status).toBe('cancelled');
    expect(receivedFor([id])).toEqual([]);
  });
});
