/**
 * Demo data for `DEMO=1` (refused in production, see config.ts): loaded into a database that has
 * no case yet — two teams (Erfurt, Gera), one account per role with the `DEMO_PASSWORD`, the
 * partner network of both offices, and a dozen PÜMaS cases spread over every phase, each with a
 * running `transition-case` instance that stands where its case stands. The instances are walked
 * there in this process, by the product's own worker handlers and the intake forms' answers:
 * nothing here writes a phase the diagram did not reach. Every name is invented.
 */
import type { Logger } from 'pino';
import { createUser, normalizeUsername } from '../auth/users.js';
import type { Membership } from '../auth/roles.js';
import type { Database } from '../db/types.js';
import type { EmbeddedEngine } from '../engine/embedded/engine.js';
import { searchUserTasks } from '../engine/embedded/search.js';
import { createProductWorkers } from '../../workers/run.js';
import { isBpmnError } from '../../workers/lib/bpmn-error.js';
import { planStandardApplications } from './applications.js';
import { closeCase, openCase, recordRelease, type Phase } from './cases.js';
import { createClient } from './clients.js';
import { addMonths, toIsoDate } from './dates.js';
import { createPartner, type NewPartner } from './partners.js';
import { MESSAGES, PROCESSES } from './process-contract.js';
import { createReferral } from './referrals.js';

/** What {@link loadDemoData} needs. */
export interface DemoContext {
  db: Database;
  engine: EmbeddedEngine;
  /** The password of every demo account (`DEMO_PASSWORD`). */
  password: string;
  log: Logger;
}

/** The demo accounts: username → display name and roles. */
export const DEMO_USERS: readonly { username: string; displayName: string; memberships: Membership[] }[] = [
  { username: 'owner', displayName: 'Paula Prozess', memberships: [{ role: 'process-owner', teamId: null }] },
  { username: 'caseworker', displayName: 'Clara Fallarbeit', memberships: [{ role: 'social-service', teamId: 'erfurt' }] },
  { username: 'caseworker2', displayName: 'Gerd Gerabauer', memberships: [{ role: 'social-service', teamId: 'gera' }] },
  { username: 'supervisor', displayName: 'Sabine Teamleitung', memberships: [{ role: 'supervisor', teamId: 'erfurt' }] },
  { username: 'admin', displayName: 'Administrator', memberships: [{ role: 'admin', teamId: null }] },
];

const TEAMS = [
  { id: 'erfurt', name: 'Team Erfurt' },
  { id: 'gera', name: 'Team Gera' },
];

const offer = (lifeDomain: NewPartner['offers'][number]['lifeDomain'], service: string, description: string) => ({ lifeDomain, service, description });

const PARTNERS: NewPartner[] = [
  {
    name: 'Wohnhilfe Erfurt e. V.', type: 'supported-living', regions: ['erfurt'], capacity: 8, dataSharingAgreement: true,
    offers: [offer('housing', 'supported-living', 'Ambulant betreutes Wohnen')],
    contacts: [{ name: 'Frau Beispiel', role: 'Aufnahme', email: 'aufnahme@wohnhilfe-erfurt.example', phone: '0361 000000' }],
  },
  {
    name: 'Schuldnerberatung Thüringen Mitte', type: 'counselling', regions: ['erfurt'], capacity: null, dataSharingAgreement: true,
    offers: [offer('finances', 'debt-counselling', 'Schuldner- und Insolvenzberatung')],
    contacts: [{ name: 'Herr Muster', role: 'Beratung', email: 'beratung@schuldner-mitte.example' }],
  },
  {
    name: 'Suchtberatung am Anger', type: 'counselling', regions: ['erfurt'], capacity: 12, dataSharingAgreement: false,
    offers: [offer('health', 'addiction-counselling', 'Ambulante Suchtberatung, Vermittlung in Therapie')],
    contacts: [],
  },
  {
    name: 'Soziotherapie Ostthüringen', type: 'sociotherapy', regions: ['erfurt', 'ostthueringen'], capacity: 6, dataSharingAgreement: true,
    offers: [offer('health', 'sociotherapy', 'Soziotherapie nach § 37a SGB V (Verordnung nötig)')],
    contacts: [{ name: 'Frau Therapie', role: 'Leitung', phone: '0365 000000' }],
  },
  {
    name: 'Wohnen in Gera gGmbH', type: 'housing-company', regions: ['ostthueringen'], capacity: 4, dataSharingAgreement: true,
    offers: [offer('housing', 'supported-living', 'Übergangswohnungen mit Betreuung')],
    contacts: [{ name: 'Herr Wohnung', role: 'Vermietung', email: 'vermietung@wohnen-gera.example' }],
  },
  {
    name: 'Arbeitslotsen Gera', type: 'vocational', regions: ['ostthueringen'], capacity: null, dataSharingAgreement: false,
    offers: [offer('work', 'job-coaching', 'Bewerbungstraining und Begleitung zum Jobcenter')],
    contacts: [],
  },
];

/** Where each demo case stands; `months` is the expected release relative to today. */
const CASES: readonly { given: string; family: string; team: 'erfurt' | 'gera'; phase: Phase; months: number; dropOut?: boolean; referral?: boolean }[] = [
  { given: 'Jonas', family: 'Beispiel', team: 'erfurt', phase: 'intake', months: 16 },
  { given: 'Mirko', family: 'Probe', team: 'gera', phase: 'intake', months: 20 },
  { given: 'Dennis', family: 'Muster', team: 'erfurt', phase: 'custody', months: 11 },
  { given: 'Sven', family: 'Testmann', team: 'gera', phase: 'custody', months: 9 },
  { given: 'Kevin', family: 'Vorlage', team: 'erfurt', phase: 'custody', months: 14, referral: true },
  { given: 'Ali', family: 'Fiktiv', team: 'erfurt', phase: 'intensive', months: 4, referral: true },
  { given: 'Marcel', family: 'Erfunden', team: 'gera', phase: 'intensive', months: 2 },
  { given: 'Tobias', family: 'Platzhalter', team: 'erfurt', phase: 'intensive', months: 5 },
  { given: 'Patrick', family: 'Schema', team: 'erfurt', phase: 'aftercare', months: -2 },
  { given: 'Rene', family: 'Exempel', team: 'gera', phase: 'aftercare', months: -4 },
  { given: 'Nico', family: 'Musterer', team: 'erfurt', phase: 'aftercare', months: -1 },
  { given: 'Lars', family: 'Anonym', team: 'gera', phase: 'closed', months: 8, dropOut: true },
];

const RATINGS = { needHousing: '3', needWork: '2', needFinances: '2', needHealth: '1', needFamily: '1', needLeisure: '1', needIdentity: '2' };

/**
 * Loads the demo into a database without cases; does nothing (and says so) when a case exists.
 * @returns whether it loaded, and how many cases
 */
export async function loadDemoData(context: DemoContext): Promise<{ loaded: boolean; cases: number }> {
  const { db, engine, log } = context;
  const existing = await db.query<{ n: number }>('select count(*)::int as n from transition_case');
  if (existing.rows[0].n > 0) {
    log.info('demo data not loaded: the database has cases');
    return { loaded: false, cases: 0 };
  }
  for (const team of TEAMS) await db.query('insert into team (id, name) values ($1, $2) on conflict (id) do nothing', [team.id, team.name]);
  const userIds = await ensureDemoUsers(context);
  for (const partner of PARTNERS) await createPartner(db, partner);

  const walker = createWalker(context);
  const today = toIsoDate(engine.clock.now());
  for (const [index, demo] of CASES.entries()) {
    const now = engine.clock.now();
    const client = await createClient(db, { familyName: demo.family, givenNames: demo.given, birthDate: `19${80 + index}-0${(index % 9) + 1}-1${index % 9}` });
    const expectedRelease = addMonths(today, demo.months);
    const opened = await openCase(
      db,
      {
        clientId: client.id,
        programmeId: 'puemas',
        facility: demo.team === 'erfurt' ? 'JVA Tonna' : 'JVA Hohenleuben',
        teamId: demo.team,
        releaseRegion: demo.team === 'erfurt' ? 'erfurt' : 'ostthueringen',
        expectedReleaseDate: expectedRelease,
      },
      now,
    );
    const caseId = opened.id;
    const { processInstanceKey } = await engine.createInstance({
      processDefinitionId: PROCESSES.transitionCase,
      variables: { caseId, programmeId: 'puemas', teamId: demo.team, expectedRelease },
    });
    await walker.run();
    if (demo.phase === 'intake') continue;

    await walker.complete(processInstanceKey, 'record-consent', { privacyNoticeGiven: true, consentDataProcessing: true, consentPartnerReferral: true });
    for (let view = 0; view < 3; view++) await walker.complete(processInstanceKey, 'assess-view', RATINGS);
    await walker.complete(processInstanceKey, 'assess-overall', { ...RATINGS, eligibility: 'eligible' });
    if (demo.dropOut) {
      // The client withdrew: the case is closed first, then the process is told, as the API does.
      await closeCase(db, caseId, 'drop-out', engine.clock.now());
      await walker.publish(MESSAGES.caseClosed.name, caseId, { closureReason: 'drop-out' });
      continue;
    }
    await walker.complete(processInstanceKey, 'integration-planning', { integrationPlanAgreed: true, measureDebtCounselling: index % 2 === 0 });
    const owner = demo.team === 'erfurt' ? userIds.get('caseworker') : userIds.get('caseworker2');
    if (owner && demo.phase !== 'custody') await planStandardApplications(db, caseId, owner, engine.clock.now());
    if (demo.referral) {
      const referralId = await createReferral(db, { caseId, lifeDomain: 'housing', service: 'supported-living' }, engine.clock.now());
      await walker.publish(MESSAGES.referralRequested.name, caseId, { referralId });
    }
    if (demo.phase === 'aftercare') {
      await recordRelease(db, caseId, expectedRelease, engine.clock.now());
      await walker.publish(MESSAGES.releaseRecorded.name, caseId, { actualRelease: expectedRelease });
      await walker.complete(processInstanceKey, 'release-handover', { housingSecured: true, jobcenterAppointmentSet: true });
    }
  }
  log.info({ cases: CASES.length, users: DEMO_USERS.length, partners: PARTNERS.length }, 'demo data loaded');
  return { loaded: true, cases: CASES.length };
}

/** Creates the demo accounts that do not exist yet; returns every demo account's id by username. */
async function ensureDemoUsers(context: DemoContext): Promise<Map<string, string>> {
  const ids = new Map<string, string>();
  for (const user of DEMO_USERS) {
    const { rows } = await context.db.query<{ id: string }>('select id from app_user where username = $1', [normalizeUsername(user.username)]);
    if (rows[0]) {
      ids.set(user.username, rows[0].id);
      continue;
    }
    const created = await createUser(
      context.db,
      { ...user, password: context.password },
      { actor: { type: 'system', id: null }, route: null },
    );
    ids.set(user.username, created.id);
  }
  return ids;
}

/**
 * Walks demo instances forward in this process: due timers fire, jobs run through the product's
 * own handlers (the same code the workers bind), user tasks complete with the forms' answers.
 */
function createWalker(context: DemoContext) {
  const { db, engine, log } = context;
  const workers = createProductWorkers({ db });
  const walker = {
    /** Runs until no job of the product's workers is left. */
    async run() {
      for (let round = 0; round < 100; round++) {
        await engine.fireDueTimers();
        let worked = 0;
        for (const worker of workers) {
          const jobs = await engine.activateJobs({ type: worker.type, worker: 'demo-loader', timeoutMs: 60_000, maxJobsToActivate: 20 });
          for (const job of jobs) {
            worked++;
            const helpers = {
              now: () => engine.clock.now(),
              log: log.child({ jobType: job.type, jobKey: job.jobKey }),
              job: { key: job.jobKey, type: job.type, retries: job.retries, processInstanceKey: job.processInstanceKey, elementId: job.elementId },
            };
            try {
              await engine.completeJob(job.jobKey, await worker.run(job.variables, helpers));
            } catch (error) {
              if (!isBpmnError(error)) throw error;
              await engine.throwJobError(job.jobKey, { errorCode: error.code, errorMessage: error.message, variables: { ...error.variables } });
            }
          }
        }
        if (worked === 0) return;
      }
    },
    async complete(instanceKey: string, elementId: string, variables: Record<string, unknown>) {
      const { items } = await searchUserTasks(db, { filter: { processInstanceKey: instanceKey, elementId, state: 'CREATED' }, page: { limit: 1 } });
      const task = items[0];
      if (!task) throw new Error(`demo: no open task ${elementId} in instance ${instanceKey}`);
      await engine.completeUserTask(task.userTaskKey, variables);
      await walker.run();
    },
    async publish(name: string, caseId: string, variables: Record<string, unknown>) {
      await engine.publishMessage({ name, correlationKey: caseId, variables, timeToLiveMs: 0 });
      await walker.run();
    },
  };
  return walker;
}
