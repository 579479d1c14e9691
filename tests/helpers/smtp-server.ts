/** A real SMTP server (smtp-server) on a free loopback port that records what it accepts. */
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { readHeader } from '../fixtures/domain/mail.js';

/** One accepted message: its Message-ID, its recipients and the headers the caller asked for. */
export type ReceivedMail<F extends string> = { messageId: string; to: string[] } & Record<F, string>;

/**
 * Starts the server. `headers` maps a field of the recorded messages to the header it is read
 * from (e.g. `{ subject: 'Subject' }`). Setting `control.refuse` makes it answer 451 (try later).
 */
export async function startTestSmtpServer<F extends string>(headers: Record<F, string>) {
  const received: ReceivedMail<F>[] = [];
  const control = { refuse: false };
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onRcptTo(_address, _session, callback) {
      if (control.refuse) return callback(Object.assign(new Error('Try again later'), { responseCode: 451 }));
      callback();
    },
    onData(stream, session, callback) {
      let raw = '';
      stream.on('data', (chunk: Buffer) => (raw += chunk.toString('utf8')));
      stream.on('end', () => {
        const fields = Object.fromEntries(
          (Object.entries(headers) as [F, string][]).map(([field, header]) => [field, readHeader(raw, header)]),
        ) as Record<F, string>;
        received.push({ messageId: readHeader(raw, 'Message-ID'), to: session.envelope.rcptTo.map((r) => r.address), ...fields });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return { server, port, received, control, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}
