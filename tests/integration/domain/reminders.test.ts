import { beforeAll, describe, expect, it } from 'vitest';
import { migrate, type Database } from '../../../src/db/index.js';
import { openPostgres } from '../../../src/db/postgres.js';
import { createApplication, listReminders } from '../../../src/domain/applications.js';
import { changeExpectedReleaseDate, closeCase, openCase } from '../../../src/domain/cases.js';
import { createClient } from '../../../src/domain/clients.js';
import { handler } from '../../../workers/application-reminders/handler.js';
import { createApplicationReminderStore } from '../../../workers/application-reminders/store.js';
import { jobHelpers, seedStaff } from '../../fixtures/domain/helpers.js';
import { backends, useDatabase } from '../../helpers/databases.js';

const ADMISSION = new Date('2025-01-10T09:00:00Z');
const at = (day: string) => new Date(`${day}T07:00:00Z`);

describe.each(backends)('application reminders on $name', (backend) => {
  const handle = useDatabase(backend);
  let staff: Awaited<ReturnType<typeof seedStaff>>;

  beforeAll(async () => {
    await migrate(handle.db);
    staff = await seedStaff(handle.db, 'gera');
  });

  /** A PÜMaS case released on 2026-03-15 with a Bürgergeld application due 2026-02-15. */
  async function caseWithApplication() {
    const client = await createClient(handle.db, { familyName: 'Muster', givenNames: 'Max', birthDate: '1990-01-01' });
    const opened = await openCase(
      handle.db,
      { clientId: client.id, programmeId: 'puemas', facility: 'JVA Hohenleuben', teamId: staff.teamId, releaseRegion: 'ostthueringen', expectedReleaseDate: '2026-03-15' },
      ADMISSION,
    );
    const application = await createApplication(handle.db, { caseId: opened.id, kind: 'citizens-income', ownerId: staff.caseworkerId }, ADMISSION);
    return { caseId: opened.id, application };
  }

  async function outboxRows(caseId: string) {
    const { rows } = await handle.db.query<{ template: string; recipient: unknown; status: string }>(
      'select template, recipient, status from outbox where case_id = $1 order by created_at, template',
      [caseId],
    );
    return rows;
  }

  /** Two worker processes: on PostgreSQL each has its own pool, as separate processes would. */
  async function withTwoWorkers(fn: (dbs: [Database, Database]) => Promise<void>) {
    const second = handle.url ? await openPostgres(handle.url) : handle.db;
    try {
      await fn([handle.db, second]);
    } finally {
      if (second !== handle.db) await second.close();
    }
  }

  it('enqueues each reminder exactly once while two workers race, 12 runs at once', async () => {
    // given 20 applications 14 days before their deadline
    const cases = await Promise.all(Array.from({ length: 20 }, () => caseWithApplication()));
    await withTwoWorkers(async ([one, two]) => {
      const stores = [createApplicationReminderStore(one), createApplicationReminderStore(two)];
      // when both workers run six times each, concurrently, on the same day
      const runs = Array.from({ length: 12 }, (_, i) =>
        handler({}, { ...jobHelpers({ now: at('2026-02-01') }, 'application-reminders'), store: stores[i % 2] }),
      );
      const outputs = await Promise.all(runs);
      // then the runs together enqueued one reminder per application
      expect(outputs.reduce((sum, o) => sum + o.remindersEnqueued, 0)).toBe(20);
    });
    for (const { caseId, application } of cases) {
      expect(await outboxRows(caseId)).toEqual([
        { template: 'application-reminder', recipient: { user: staff.caseworkerId }, status: 'pending' },
      ]);
      expect(await listReminders(handle.db, application.id)).toMatchObject([{ deadline: '2026-02-15', stage: 'lead-14' }]);
    }
  });

  it('escalates an overdue application to the supervisors once, whoever runs', async () => {
    const { caseId } = await caseWithApplication();
    await withTwoWorkers(async ([one, two]) => {
      const runs = [one, two, one, two].map((db) =>
        handler({ caseId }, { ...jobHelpers({ now: at('2026-02-16') }), store: createApplicationReminderStore(db) }),
      );
      const outputs = await Promise.all(runs);
      expect(outputs.every((o) => o.overdue)).toBe(true);
      expect(outputs.reduce((sum, o) => sum + o.escalationsEnqueued, 0)).toBe(1);
    });
    expect(await outboxRows(caseId)).toEqual([
      { template: 'application-overdue', recipient: { teamSupervisors: staff.teamId }, status: 'pending' },
    ]);
  });

  it('never reminds for a closed case, and cancels what it had not sent yet', async () => {
    const { caseId } = await caseWithApplication();
    const store = createApplicationReminderStore(handle.db);
    await handler({ caseId }, { ...jobHelpers({ now: at('2026-02-01') }), store });
    await closeCase(handle.db, caseId, 'drop-out', at('2026-02-02'));
    const output = await handler({ caseId }, { ...jobHelpers({ now: at('2026-02-12') }), store });
    expect(output).toEqual({ remindersEnqueued: 0, escalationsEnqueued: 0, overdue: false });
    expect((await outboxRows(caseId)).map((r) => r.status)).toEqual(['cancelled']);
  });

  it('reminds again for a deadline moved by an early release: a new due date', async () => {
    const { caseId, application } = await caseWithApplication();
    const store = createApplicationReminderStore(handle.db);
    await handler({ caseId }, { ...jobHelpers({ now: at('2025-12-01') }), store });
    expect(await listReminders(handle.db, application.id)).toEqual([]);
    // early release on 2026-01-10 moves the deadline to 2025-12-13: 12 days before it now
    await changeExpectedReleaseDate(handle.db, caseId, '2026-01-10', at('2025-12-01'));
    await handler({ caseId }, { ...jobHelpers({ now: at('2025-12-01') }), store });
    await handler({ caseId }, { ...jobHelpers({ now: at('2025-12-10') }), store });
    expect((await listReminders(handle.db, application.id)).map((r) => [r.deadline, r.stage])).toEqual([
      ['2025-12-13', 'lead-14'],
      ['2025-12-13', 'lead-3'],
    ]);
  });
});
