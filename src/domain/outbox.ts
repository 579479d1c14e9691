/**
 * The notification outbox. A row is written in the same transaction as the change it reports,
 * so nothing is lost; the `notifications` worker delivers it.
 *
 * The guarantee, honestly: SMTP and the database cannot commit together. A row is claimed with a
 * lease (`SKIP LOCKED`, so two workers never claim the same row), sent, then marked sent. A crash
 * between the send and the mark lets the lease run out and the row is sent again — with the
 * same Message-ID, fixed at enqueue, so the receiver (or any mail client) sees one message.
 * That is at-least-once delivery with a Message-ID dedupe, and exactly-once whenever no worker
 * dies mid-send.
 */
import { randomUUID } from 'node:crypto';
import type { Queryable } from '../db/types.js';
import type { IsoDate } from './dates.js';

/** Who receives a notification; resolved to addresses at delivery, so address changes count. */
export type Recipient = { user: string } | { teamSupervisors: string };

/** Template codes with the params each takes (ids, dates and codes only). */
export interface TemplateParams {
  'application-reminder': {
    applicationId: string;
    caseId: string;
    casePseudonym: string;
    kind: string;
    deadline: IsoDate;
    daysLeft: number;
  };
  'application-overdue': {
    applicationId: string;
    caseId: string;
    casePseudonym: string;
    kind: string;
    deadline: IsoDate;
  };
}

/** One of the templates. */
export type Template = keyof TemplateParams;

/** A notification to enqueue. */
export type NewNotification = {
  [T in Template]: { template: T; params: TemplateParams[T]; recipient: Recipient; caseId?: string };
}[Template];

/** A claimed outbox row. */
export interface OutboxMessage {
  id: string;
  messageId: string;
  recipient: Recipient;
  template: Template;
  params: Record<string, unknown>;
  attempts: number;
}

/** Delivery figures. */
export const OUTBOX = Object.freeze({
  /** Claims after which a message is given up ('dead', kept for people to see). */
  maxAttempts: 10,
  /** How long a claim lasts; must exceed the SMTP transport's timeouts. */
  leaseMs: 5 * 60_000,
  firstRetryMs: 30_000,
  maxRetryMs: 60 * 60_000,
  /** The right-hand side of every Message-ID. */
  messageIdDomain: 'uebergang.local',
});

/** The module's queries, named. */
export const SQL = {
  insert: `insert into outbox (id, message_id, recipient, template, params, case_id, available_at, created_at)
    values ($1, $2, $3, $4, $5, $6, $7, $7)`,
  // A message that crashed its worker on every claim would be claimed forever: give it up.
  buryExhausted: `update outbox set status = 'dead', last_error = 'LEASE_EXPIRED', locked_by = null, locked_until = null
    where status = 'sending' and locked_until <= $1 and attempts >= $2`,
  claim: `update outbox set status = 'sending', locked_by = $1, locked_until = $3, attempts = attempts + 1
    where id in (
      select id from outbox
      where ((status = 'pending' and available_at <= $2) or (status = 'sending' and locked_until <= $2))
        and attempts < $5
      order by available_at, id
      limit $4
      for update skip locked)
    returning id, message_id as "messageId", recipient, template, params, attempts`,
  // Whoever sent it marks it, even after its lease ran out: that saves the next worker a resend.
  markSent: `update outbox set status = 'sent', sent_at = $2, locked_by = null, locked_until = null, last_error = null
    where id = $1 and status in ('sending', 'pending', 'dead')`,
  markFailed: `update outbox set status = $3, available_at = $4, last_error = $5, locked_by = null, locked_until = null
    where id = $1 and locked_by = $2 and status = 'sending'`,
  get: `select id, message_id as "messageId", recipient, template, params, status, attempts, last_error as "lastError",
      sent_at as "sentAt", case_id as "caseId" from outbox where id = $1`,
} as const;

/** Adds a notification to the outbox; call it inside the transaction of the change it reports. */
export async function enqueueNotification(
  tx: Queryable,
  notification: NewNotification,
  now: Date,
  id: string = randomUUID(),
): Promise<{ id: string; messageId: string }> {
  const messageId = `<${id}@${OUTBOX.messageIdDomain}>`;
  await tx.query(SQL.insert, [
    id,
    messageId,
    JSON.stringify(notification.recipient),
    notification.template,
    JSON.stringify(notification.params),
    notification.caseId ?? null,
    now,
  ]);
  return { id, messageId };
}

/** Claims up to `limit` due messages for `workerId` until `now + leaseMs`. */
export async function claimNotifications(
  db: Queryable,
  input: { workerId: string; limit: number; now: Date; leaseMs?: number },
): Promise<OutboxMessage[]> {
  const leaseEnds = new Date(input.now.getTime() + (input.leaseMs ?? OUTBOX.leaseMs));
  await db.query(SQL.buryExhausted, [input.now, OUTBOX.maxAttempts]);
  const { rows } = await db.query<OutboxMessage>(SQL.claim, [
    input.workerId,
    input.now,
    leaseEnds,
    input.limit,
    OUTBOX.maxAttempts,
  ]);
  return rows;
}

/** Marks a message sent. @returns false when it was already marked sent (or cancelled) */
export async function markNotificationSent(db: Queryable, id: string, now: Date): Promise<boolean> {
  return (await db.query(SQL.markSent, [id, now])).rowCount === 1;
}

/**
 * Puts a failed message back with an exponential back-off, or gives it up after
 * {@link OUTBOX.maxAttempts}. `errorCode` is a code, never a server's free-text answer.
 */
export async function markNotificationFailed(
  db: Queryable,
  input: { id: string; workerId: string; attempts: number; errorCode: string; now: Date },
): Promise<'retry' | 'dead'> {
  const dead = input.attempts >= OUTBOX.maxAttempts;
  const retryAt = new Date(input.now.getTime() + retryDelayMs(input.attempts));
  await db.query(SQL.markFailed, [input.id, input.workerId, dead ? 'dead' : 'pending', retryAt, input.errorCode]);
  return dead ? 'dead' : 'retry';
}

/** 30 s after the first failure, doubling, at most one hour. */
export function retryDelayMs(attempts: number): number {
  return Math.min(OUTBOX.firstRetryMs * 2 ** Math.max(0, attempts - 1), OUTBOX.maxRetryMs);
}

/** One outbox row as stored (for tests and the supervisor view). */
export async function getNotification(
  db: Queryable,
  id: string,
): Promise<(OutboxMessage & { status: string; lastError: string | null; sentAt: Date | null; caseId: string | null }) | null> {
  const { rows } = await db.query<OutboxMessage & { status: string; lastError: string | null; sentAt: Date | null; caseId: string | null }>(
    SQL.get,
    [id],
  );
  return rows[0] ?? null;
}

const APPLICATION_LABELS: Record<string, string> = {
  'citizens-income': 'Bürgergeld (SGB II)',
  'housing-entitlement': 'Wohnberechtigungsschein',
  'id-card': 'Personalausweis',
  'health-insurance': 'Krankenversicherung',
  'residence-registration': 'Anmeldung des Wohnsitzes',
};

/** Subject and body of a notification, in German. Only pseudonyms, codes and dates appear. */
export function renderNotification(template: Template, params: Record<string, unknown>): { subject: string; text: string } {
  const label = APPLICATION_LABELS[String(params.kind)] ?? String(params.kind);
  const deadline = germanDate(String(params.deadline));
  switch (template) {
    case 'application-reminder':
      return {
        subject: `Erinnerung: ${label} – Frist ${deadline}`,
        text:
          `Fall ${String(params.casePseudonym)}: Der Antrag "${label}" ist noch nicht gestellt.\n` +
          `Frist: ${deadline} (noch ${Number(params.daysLeft)} Tage).\n`,
      };
    case 'application-overdue':
      return {
        subject: `Überfällig: ${label} – Frist ${deadline}`,
        text:
          `Fall ${String(params.casePseudonym)}: Die Frist für den Antrag "${label}" ist am ${deadline} ` +
          `abgelaufen, ohne dass er gestellt wurde. Bitte prüfen Sie den Fall.\n`,
      };
  }
}

function germanDate(iso: string): string {
  const [year, month, day] = iso.split('-');
  return `${day}.${month}.${year}`;
}
