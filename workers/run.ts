/**
 * Binds every worker handler to the engine, once per protocol:
 * - `camunda8` (default): `@camunda8/sdk` job workers over the Camunda 8 REST API — the embedded
 *   engine's own `/v2` or a real cluster, the same code;
 * - `camunda7`: `camunda-external-task-client-js` over `/engine-rest`.
 * The three outcomes of a handler (output, `BpmnError`, anything else thrown) are mapped once,
 * in `bindings/job.ts`. Each handler gets its store and ports over the product's database here.
 */
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import nodemailer, { type Transporter } from 'nodemailer';
import { rotateInternalMachineCredential } from '../src/auth/machine-credentials.js';
import type { Config } from '../src/config.js';
import type { Database } from '../src/db/types.js';
import { handler as applicationReminders } from './application-reminders/handler.js';
import { createApplicationReminderStore } from './application-reminders/store.js';
import { handler as caseIntake } from './case-intake/handler.js';
import { createCaseIntakeStore } from './case-intake/store.js';
import { handler as casePhase } from './case-phase/handler.js';
import { createCasePhaseStore } from './case-phase/store.js';
import { handler as caseReentry } from './case-reentry/handler.js';
import { createCaseReentryStore } from './case-reentry/store.js';
import { startCamunda7Binding } from './bindings/camunda7.js';
import { startCamunda8Binding } from './bindings/camunda8.js';
import { DEFAULT_RETRY_BACK_OFF, type RetryBackOff, type WorkerDefinition } from './bindings/job.js';
import type { EngineCredentials, RunningBinding } from './bindings/types.js';
import { handler as extensionApproval } from './extension-approval/handler.js';
import { createExtensionApprovalStore } from './extension-approval/store.js';
import type { Logger } from './lib/types.js';
import { createUserDirectory } from './lib/user-directory.js';
import { handler as notifications, type Directory, type Mailer } from './notifications/handler.js';
import { createNotificationStore } from './notifications/store.js';
import { handler as partnerReferrals } from './partner-referrals/handler.js';
import { createPartnerReferralStore } from './partner-referrals/store.js';
import { handler as referralOutcome } from './referral-outcome/handler.js';
import { createReferralOutcomeStore } from './referral-outcome/store.js';

export type { WorkerDefinition } from './bindings/job.js';
export type { EngineCredentials } from './bindings/types.js';

/** How long an activated job stays locked: a notifications batch talks to SMTP for a while. */
export const DEFAULT_JOB_TIMEOUT_MS = 5 * 60_000;
/** Jobs of one type worked on at once by one process. */
export const DEFAULT_MAX_PARALLEL_JOBS = 4;
/** One long poll; the engine answers as soon as a job appears. */
export const DEFAULT_POLL_TIMEOUT_MS = 30_000;
/** How long a stop waits for jobs in flight before giving them back. */
export const STOP_GRACE_MS = 5_000;

/** Options of {@link startWorkers}. */
export interface WorkerOptions {
  protocol: 'camunda8' | 'camunda7';
  /** Camunda 8: the REST address (`/v2` appended when missing); Camunda 7: the `/engine-rest` URL. */
  address: string;
  credentials: EngineCredentials;
  db: Database;
  log: Logger;
  /** SMTP transport and sender; without them the `notifications` worker does not run. */
  mail?: { mailer: Mailer; from: string };
  /** Where notifications go; by default `app_user.email` (see lib/user-directory.ts). */
  directory?: Directory;
  /** Replaces the product's workers: tests bind their fixtures' job types this way. */
  definitions?: readonly WorkerDefinition[];
  workerName?: string;
  jobTimeoutMs?: number;
  maxParallelJobs?: number;
  pollTimeoutMs?: number;
  backOff?: RetryBackOff;
}

/** Running workers. */
export interface RunningWorkers {
  /** The job types being worked on. */
  readonly types: readonly string[];
  /** Stops polling; jobs in flight finish within `graceMs` or are given back to the engine. */
  stop(graceMs?: number): Promise<void>;
}

/**
 * The product's workers over `db`: every handler with its store and ports. `notifications`
 * only with a mail transport — without one its jobs wait in the engine and the messages in the
 * outbox; nothing is ever marked sent that was not.
 */
export function createProductWorkers(deps: {
  db: Database;
  mail?: { mailer: Mailer; from: string };
  directory?: Directory;
}): WorkerDefinition[] {
  const { db } = deps;
  const reminderStore = createApplicationReminderStore(db);
  const referralStore = createPartnerReferralStore(db);
  const extensionStore = createExtensionApprovalStore(db);
  const casePhaseStore = createCasePhaseStore(db);
  const caseIntakeStore = createCaseIntakeStore(db);
  const caseReentryStore = createCaseReentryStore(db);
  const referralOutcomeStore = createReferralOutcomeStore(db);
  const definitions: WorkerDefinition[] = [
    { type: 'application-reminders', run: (variables, helpers) => applicationReminders(variables, { ...helpers, store: reminderStore }) },
    { type: 'partner-referrals', run: (variables, helpers) => partnerReferrals(variables, { ...helpers, store: referralStore }) },
    { type: 'extension-approval', run: (variables, helpers) => extensionApproval(variables, { ...helpers, store: extensionStore }) },
    { type: 'case-phase', run: (variables, helpers) => casePhase(variables, { ...helpers, store: casePhaseStore }) },
    { type: 'case-intake', run: (variables, helpers) => caseIntake(variables, { ...helpers, store: caseIntakeStore }) },
    { type: 'case-reentry', run: (variables, helpers) => caseReentry(variables, { ...helpers, store: caseReentryStore }) },
    { type: 'referral-outcome', run: (variables, helpers) => referralOutcome(variables, { ...helpers, store: referralOutcomeStore }) },
  ];
  if (deps.mail) {
    const { mailer, from } = deps.mail;
    const store = createNotificationStore(db);
    const directory = deps.directory ?? createUserDirectory(db);
    definitions.push({
      type: 'notifications',
      run: (variables, helpers) => notifications(variables, { ...helpers, store, mailer, directory, mailFrom: from }),
    });
  }
  return definitions;
}

/** Starts one binding of every definition (the product's workers unless given). */
export async function startWorkers(options: WorkerOptions): Promise<RunningWorkers> {
  const definitions = options.definitions ?? createProductWorkers(options);
  const types = definitions.map((definition) => definition.type);
  const log = options.log.child({ component: 'workers', protocol: options.protocol });
  const bindingOptions = {
    address: options.address,
    credentials: options.credentials,
    definitions,
    log,
    workerName: options.workerName ?? `uebergang-${os.hostname()}-${process.pid}`,
    jobTimeoutMs: options.jobTimeoutMs ?? DEFAULT_JOB_TIMEOUT_MS,
    maxParallelJobs: options.maxParallelJobs ?? DEFAULT_MAX_PARALLEL_JOBS,
    pollTimeoutMs: options.pollTimeoutMs ?? DEFAULT_POLL_TIMEOUT_MS,
    backOff: options.backOff ?? DEFAULT_RETRY_BACK_OFF,
  };
  const binding: RunningBinding =
    options.protocol === 'camunda8' ? await startCamunda8Binding(bindingOptions) : await startCamunda7Binding(bindingOptions);
  log.info({ types }, 'workers started');
  let stopped: Promise<void> | undefined;
  return {
    types,
    stop(graceMs = STOP_GRACE_MS) {
      stopped ??= binding.stop(graceMs).then(() => log.info('workers stopped'));
      return stopped;
    },
  };
}

/**
 * What `npm start` runs after the server listens: the configured protocol against this
 * process's own engine over loopback (or `WORKERS_ENGINE_URL`), with the product's workers.
 * With `ENGINE_AUTH=credentials` the own engine gets an internal machine credential, rotated at
 * each start, its secret only in this process's memory. Undefined with `WORKERS_PROTOCOL=off`.
 */
export async function startConfiguredWorkers(
  config: Config,
  server: { db: Database; address: AddressInfo },
  log: Logger,
): Promise<RunningWorkers | undefined> {
  if (config.workersProtocol === 'off') return undefined;
  const protocol = config.workersProtocol;
  const own = loopbackUrl(server.address);
  const address = config.workersEngineUrl ?? (protocol === 'camunda8' ? own : `${own}/engine-rest`);
  const credentials: EngineCredentials = config.workersEngineUrl
    ? configuredCredentials(config)
    : config.engineAuth === 'none'
      ? { kind: 'none' }
      : await internalCredentials(server.db, server.address.port);

  let transport: Transporter | undefined;
  if (config.smtpUrl && config.mailFrom) {
    transport = nodemailer.createTransport({
      url: config.smtpUrl,
      // Well inside the outbox lease (5 minutes), so a hung server cannot outlast a claim.
      connectionTimeout: 30_000,
      greetingTimeout: 30_000,
      socketTimeout: 60_000,
    });
  } else {
    log.warn('SMTP_URL is not set: the notifications worker does not run, notifications stay in the outbox');
  }
  try {
    const workers = await startWorkers({
      protocol,
      address,
      credentials,
      db: server.db,
      log,
      mail: transport && config.mailFrom ? { mailer: transport, from: config.mailFrom } : undefined,
    });
    return {
      types: workers.types,
      async stop(graceMs) {
        await workers.stop(graceMs);
        transport?.close();
      },
    };
  } catch (error) {
    transport?.close();
    throw error;
  }
}

/** Why `config` cannot run the workers in a process of their own (`npm run workers`), or undefined when it can. */
export function separateWorkersProblem(config: Config): string | undefined {
  if (!config.databaseUrl) return 'needs DATABASE_URL: embedded PGlite belongs to one process, and with it the workers run inside npm start';
  if (!config.workersEngineUrl) return 'needs WORKERS_ENGINE_URL: the engine to poll (an API node, or a Camunda 8 cluster)';
  if (config.workersProtocol === 'off') return 'WORKERS_PROTOCOL is off: there is nothing to run';
  return undefined;
}

/** The URL this process's own server answers on from this process (wildcard → loopback). */
export function loopbackUrl(address: AddressInfo): string {
  const host =
    address.address === '0.0.0.0' ? '127.0.0.1' : address.address === '::' ? '[::1]' : address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return `http://${host}:${address.port}`;
}

function configuredCredentials(config: Config): EngineCredentials {
  if (!config.workersClientId || !config.workersClientSecret) return { kind: 'none' };
  const credential = { clientId: config.workersClientId, secret: config.workersClientSecret };
  return config.workersOauthUrl ? { kind: 'oauth', ...credential, tokenUrl: config.workersOauthUrl } : { kind: 'basic', ...credential };
}

/**
 * A credential of this process's own: several processes may share one database, and rotating
 * one shared credential would lock the others' workers out. Host and port name a live process
 * uniquely and stay the same across its restarts, so a restart rotates its own credential.
 */
async function internalCredentials(db: Database, port: number): Promise<EngineCredentials> {
  const host = os.hostname().toLowerCase().replace(/[^a-z0-9.-]+/g, '-').slice(0, 40);
  const clientId = `workers-${host}-${port}`.replace(/-+/g, '-');
  const { secret } = await rotateInternalMachineCredential(db, {
    clientId,
    description: 'internal: the workers of the process on this host and port (rotated at each start)',
  });
  return { kind: 'basic', clientId, secret };
}
