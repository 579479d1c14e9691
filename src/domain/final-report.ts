/**
 * The final report (Abschlussbericht, DOMAIN.md release stage; § 60 StVollzG NRW): written before
 * the release from the case data — needs per life domain, applications, referrals, treatment
 * goals — as a printable PDF. The sharing rule is enforced here, not just described: the report
 * goes to the probation service when probation or supervision is ordered, to anyone else only
 * with the client's consent for `final-report-sharing`; every sharing is recorded. Reading the
 * report reads personal data: the API audits each call (this module has no HTTP and no audit).
 */
import type { Database, Queryable } from '../db/types.js';
import { listApplications } from './applications.js';
import { getCase, listDomainsHandledElsewhere, listNeeds, lockCase, type NeedViewKind } from './cases.js';
import { listTreatmentGoals } from './casework.js';
import { getClientPersonalData } from './clients.js';
import { findSharingGround } from './consents.js';
import { toIsoDate } from './dates.js';
import { DomainError, ensure } from './errors.js';
import { getProgramme, LIFE_DOMAINS, type LifeDomain } from './programmes.js';

/** Who receives the report. */
export interface ReportRecipient {
  kind: 'probation-service' | 'other';
  /** The office or person, e.g. "Bewährungshilfe Erfurt"; at most 200 characters. */
  name: string;
}

/** What {@link shareFinalReport} did: the ground it relied on and the document that left. */
export interface SharedReport {
  shareId: string;
  ground: 'probation-order' | 'consent';
  pdf: Buffer;
}

/** The module's queries, named. */
export const SQL = {
  probation: `select probation_ordered as "probationOrdered" from transition_case where id = $1`,
  setProbation: `update transition_case set probation_ordered = $2 where id = $1`,
  referrals: `select life_domain as "lifeDomain", service, status from referral where case_id = $1 order by created_at, id`,
  share: `insert into final_report_share (case_id, recipient_kind, recipient_name, ground, shared_by, shared_at)
    values ($1, $2, $3, $4, $5, $6) returning id`,
  shares: `select recipient_kind as "recipientKind", recipient_name as "recipientName", ground, shared_at as "sharedAt"
    from final_report_share where case_id = $1 order by shared_at, id`,
} as const;

const DOMAIN_LABELS: Record<LifeDomain, string> = {
  housing: 'Wohnen',
  work: 'Arbeit und Ausbildung',
  finances: 'Finanzen und Schulden',
  health: 'Gesundheit und psychosoziale Versorgung',
  family: 'Familie und soziales Umfeld',
  leisure: 'Freizeit',
  identity: 'Ausweis und Meldeangelegenheiten',
};
const RATING_LABELS = ['kein Bedarf', 'geringer Bedarf', 'mittlerer Bedarf', 'hoher Bedarf'];
const PHASE_LABELS = { intake: 'Aufnahme', custody: 'Haftphase', intensive: 'Intensivphase', aftercare: 'Nachsorge', closed: 'abgeschlossen' };
const STATUS_LABELS: Record<string, string> = {
  planned: 'geplant', submitted: 'gestellt', approved: 'bewilligt', rejected: 'abgelehnt',
  open: 'offen', sent: 'angefragt', accepted: 'angenommen', 'no-partner': 'kein Partner', withdrawn: 'zurückgezogen',
  achieved: 'erreicht', dropped: 'aufgegeben',
};
const APPLICATION_LABELS: Record<string, string> = {
  'citizens-income': 'Bürgergeld (SGB II)',
  'housing-entitlement': 'Wohnberechtigungsschein',
  'id-card': 'Personalausweis',
  'health-insurance': 'Krankenversicherung',
  'residence-registration': 'Anmeldung des Wohnsitzes',
};

/** Records whether probation or supervision (Führungsaufsicht) is ordered for the case. */
export async function recordProbationOrder(db: Queryable, caseId: string, ordered: boolean): Promise<void> {
  await getCase(db, caseId);
  await db.query(SQL.setProbation, [caseId, ordered]);
}

/** The final report of a case as a PDF (A4, German). @throws DomainError CASE_NOT_FOUND */
export async function renderFinalReport(db: Queryable, caseId: string, now: Date): Promise<Buffer> {
  const current = await getCase(db, caseId);
  // One after another: `db` may be a transaction, whose connection runs one statement at a time.
  const client = await getClientPersonalData(db, current.clientId);
  const programme = await getProgramme(db, current.programmeId);
  const needs = await listNeeds(db, caseId);
  const elsewhere = await listDomainsHandledElsewhere(db, caseId);
  const applications = await listApplications(db, caseId);
  const goals = await listTreatmentGoals(db, caseId);
  const { rows: referrals } = await db.query<{ lifeDomain: LifeDomain; service: string; status: string }>(SQL.referrals, [
    caseId,
  ]);

  // Loaded on first use: most servers never render a report (measured: 6 MB less for an idle server).
  const { default: PDFDocument } = await import('pdfkit');
  const doc = new PDFDocument({
    size: 'A4',
    margin: 56,
    info: { Title: `Abschlussbericht ${current.pseudonym}`, Author: 'Übergangsmanagement', CreationDate: now },
  });
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });

  const heading = (text: string) => doc.moveDown(0.8).font('Helvetica-Bold').fontSize(12).text(text).moveDown(0.3).font('Helvetica').fontSize(10);
  const line = (label: string, value: string) => doc.font('Helvetica-Bold').text(`${label}: `, { continued: true }).font('Helvetica').text(value);

  doc.font('Helvetica-Bold').fontSize(16).text('Abschlussbericht zum fortbestehenden Hilfebedarf');
  doc.font('Helvetica').fontSize(9).fillColor('#555').text(`Erstellt am ${toIsoDate(now)} · vertraulich: nur für den berechtigten Empfänger`).fillColor('#000');
  heading('Person und Fall');
  doc.fontSize(10);
  line('Name', `${client.givenNames} ${client.familyName}`);
  line('Geburtsdatum', client.birthDate);
  line('Fallkennung', current.pseudonym);
  line('Programm', programme.name);
  line('Einrichtung', current.facility);
  line('Phase', PHASE_LABELS[current.phase]);
  line('Voraussichtliche Entlassung', current.expectedReleaseDate);
  if (current.actualReleaseDate) line('Tatsächliche Entlassung', current.actualReleaseDate);
  if (current.aftercareEndsOn) line('Nachsorge bis', current.aftercareEndsOn);

  heading('Bedarfe je Lebensbereich');
  const handledElsewhere = new Map(elsewhere.map((d) => [d.lifeDomain, d.handledBy]));
  for (const lifeDomain of LIFE_DOMAINS) {
    const by = handledElsewhere.get(lifeDomain);
    if (by) {
      line(DOMAIN_LABELS[lifeDomain], `wird von ${by} betreut`);
      continue;
    }
    const views = needs.find((n) => n.lifeDomain === lifeDomain)?.views;
    const rating = views && (['overall', 'professional', 'client', 'third-party'] as NeedViewKind[]).map((v) => views[v]).find(Boolean);
    line(DOMAIN_LABELS[lifeDomain], rating ? RATING_LABELS[rating.rating] : 'nicht eingeschätzt');
  }

  heading('Anträge');
  if (applications.length === 0) doc.text('Keine Anträge erfasst.');
  for (const a of applications) line(APPLICATION_LABELS[a.kind] ?? a.kind, `${STATUS_LABELS[a.status] ?? a.status}, Frist ${a.deadline}`);

  heading('Vermittlungen an Kooperationspartner');
  if (referrals.length === 0) doc.text('Keine Vermittlungen erfasst.');
  for (const r of referrals) line(DOMAIN_LABELS[r.lifeDomain], `${r.service}: ${STATUS_LABELS[r.status] ?? r.status}`);

  heading('Ziele aus dem Behandlungsvertrag');
  if (goals.length === 0) doc.text('Keine Ziele vereinbart.');
  for (const g of goals) line(`${g.agreedOn} (${STATUS_LABELS[g.status] ?? g.status})`, g.goal);

  doc.end();
  return done;
}

/**
 * Shares the final report with `recipient` and records it: with the probation service when
 * probation or supervision is ordered, with anyone else (the probation service included when
 * nothing is ordered) only while the client's consent for `final-report-sharing` is in force.
 * @throws DomainError CONSENT_NOT_FOUND when no ground allows it (nothing is recorded or produced),
 *   INVALID_INPUT for a recipient without a name
 */
export async function shareFinalReport(
  db: Database,
  caseId: string,
  recipient: ReportRecipient,
  now: Date,
  sharedBy: string | null = null,
): Promise<SharedReport> {
  ensure(recipient.kind === 'probation-service' || recipient.kind === 'other', `Unknown recipient kind ${recipient.kind}`);
  const name = recipient.name?.trim();
  ensure(name && name.length <= 200, 'recipient name is required (at most 200 characters)');
  return db.transaction(async (tx) => {
    // Under the case lock: a consent withdrawn at the same time cannot slip through.
    await lockCase(tx, caseId);
    const { rows } = await tx.query<{ probationOrdered: boolean }>(SQL.probation, [caseId]);
    let ground: SharedReport['ground'] | null = null;
    if (recipient.kind === 'probation-service' && rows[0].probationOrdered) ground = 'probation-order';
    else if ((await findSharingGround(tx, caseId, 'final-report-sharing', now)) === 'consent') ground = 'consent';
    if (!ground) {
      throw new DomainError(
        'CONSENT_NOT_FOUND',
        recipient.kind === 'probation-service'
          ? `Case ${caseId}: no probation is ordered and the client has not consented to sharing the final report`
          : `Case ${caseId}: the client has not consented to sharing the final report`,
      );
    }
    const pdf = await renderFinalReport(tx, caseId, now);
    const shared = await tx.query<{ id: string }>(SQL.share, [caseId, recipient.kind, name, ground, sharedBy, now]);
    return { shareId: shared.rows[0].id, ground, pdf };
  });
}

/** Where the final report of a case went, oldest first. */
export async function listFinalReportShares(
  db: Queryable,
  caseId: string,
): Promise<{ recipientKind: ReportRecipient['kind']; recipientName: string; ground: SharedReport['ground']; sharedAt: Date }[]> {
  return (await db.query<{ recipientKind: ReportRecipient['kind']; recipientName: string; ground: SharedReport['ground']; sharedAt: Date }>(SQL.shares, [caseId])).rows;
}
