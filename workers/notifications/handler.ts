/**
 * `notifications`: delivers one batch of the outbox over SMTP. Each message carries the
 * Message-ID fixed at enqueue; a message whose worker died between send and mark is sent again
 * after its lease with that same Message-ID (at-least-once, deduplicated by Message-ID — see
 * src/domain/outbox.ts). A failed send is retried with back-off and never dropped: after the
 * last attempt it stays in the outbox as `dead` for people to see.
 */
import { renderNotification, type Recipient } from '../../src/domain/outbox.js';
import type { Handler, JobHelpers } from '../lib/types.js';
import { optionalInt } from '../lib/variables.js';
import type { NotificationStore } from './store.js';

/** The part of a nodemailer transporter the handler uses. */
export interface Mailer {
  sendMail(message: { from: string; to: string[]; subject: string; text: string; messageId: string }): Promise<unknown>;
}

/** Resolves a recipient to e-mail addresses at delivery time (users and teams live in the auth schema). */
export interface Directory {
  addressesOf(recipient: Recipient): Promise<string[]>;
}

/** Helpers of this handler. */
export interface NotificationHelpers extends JobHelpers {
  store: NotificationStore;
  mailer: Mailer;
  directory: Directory;
  /** The sender address. */
  mailFrom: string;
}

/** Output variables. */
export type NotificationOutput = {
  sent: number;
  retried: number;
  dead: number;
};

/** Messages per batch unless the `limit` variable says otherwise. */
export const DEFAULT_BATCH = 50;

/** The handler. Variables: `limit?` (1–500). */
export const handler: Handler<NotificationOutput, NotificationHelpers> = async (variables, helpers) => {
  const limit = optionalInt(variables, 'limit', 1, 500) ?? DEFAULT_BATCH;
  const workerId = `${helpers.job.type}:${helpers.job.key}`;
  const output: NotificationOutput = { sent: 0, retried: 0, dead: 0 };
  const messages = await helpers.store.claim({ workerId, limit, now: helpers.now() });
  for (const message of messages) {
    const log = helpers.log.child({ outboxId: message.id, attempt: message.attempts });
    let errorCode: string | null = null;
    try {
      const to = await helpers.directory.addressesOf(message.recipient);
      if (to.length === 0) {
        errorCode = 'NO_RECIPIENT_ADDRESS';
      } else {
        const { subject, text } = renderNotification(message.template, message.params);
        await helpers.mailer.sendMail({ from: helpers.mailFrom, to, subject, text, messageId: message.messageId });
      }
    } catch (error) {
      errorCode = smtpErrorCode(error);
    }
    if (errorCode === null) {
      // If this throws (database gone), the job is retried and the lease later expires: the
      // message goes again with the same Message-ID rather than being lost.
      await helpers.store.markSent(message.id, helpers.now());
      output.sent++;
      log.info('notification sent');
      continue;
    }
    const outcome = await helpers.store.markFailed({
      id: message.id,
      workerId,
      attempts: message.attempts,
      errorCode,
      now: helpers.now(),
    });
    output[outcome === 'dead' ? 'dead' : 'retried']++;
    log.warn({ errorCode, outcome }, 'notification not sent');
  }
  return output;
};

/** A code for the failure; never the server's free text, which can quote addresses. */
export function smtpErrorCode(error: unknown): string {
  const e = error as { responseCode?: unknown; code?: unknown };
  if (typeof e?.responseCode === 'number') return `SMTP_${e.responseCode}`;
  if (typeof e?.code === 'string' && /^[A-Z_]+$/.test(e.code)) return e.code;
  return 'SEND_FAILED';
}
