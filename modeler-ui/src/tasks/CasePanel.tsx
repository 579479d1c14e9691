/** The case beside a task's form: who (pseudonym), where in the programme, what is open. */
import { useI18n } from '../i18n';
import type { CaseSummary } from './api';

/** Props of {@link CasePanel}. */
export interface CasePanelProps {
  summary: CaseSummary;
}

/** The case summary panel. */
export function CasePanel({ summary }: CasePanelProps) {
  const { t, formatDate, formatDateTime } = useI18n();
  return (
    <aside class="case-panel card" aria-labelledby="case-panel-title" data-testid="case-panel">
      <h2 id="case-panel-title">
        <a href={`/cases/${encodeURIComponent(summary.caseId)}`}>{summary.pseudonym}</a>
      </h2>
      <dl class="facts">
        <dt>{t('case.programme')}</dt>
        <dd>{summary.programmeId}</dd>
        <dt>{t('case.phase')}</dt>
        <dd>{t(`phase.${summary.phase}`)}</dd>
        <dt>{t('case.expectedRelease')}</dt>
        <dd>{formatDate(summary.expectedRelease)}</dd>
        <dt>{t('case.actualRelease')}</dt>
        <dd>{formatDate(summary.actualRelease)}</dd>
      </dl>
      <h3>{t('case.openApplications')}</h3>
      {summary.openApplications.length === 0 ? (
        <p class="muted small">{t('common.none')}</p>
      ) : (
        <ul class="compact">
          {summary.openApplications.map((application) => (
            <li key={application.id}>
              {application.kind} ({t(`lifeDomain.${application.lifeDomain}`, { defaultValue: application.lifeDomain })}) –{' '}
              {application.status}, {t('case.deadline', { date: formatDate(application.deadline) })}
            </li>
          ))}
        </ul>
      )}
      <h3>{t('case.openReferrals')}</h3>
      {summary.openReferrals.length === 0 ? (
        <p class="muted small">{t('common.none')}</p>
      ) : (
        <ul class="compact">
          {summary.openReferrals.map((referral) => (
            <li key={referral.id}>
              {referral.service} ({t(`lifeDomain.${referral.lifeDomain}`, { defaultValue: referral.lifeDomain })}) – {referral.status}
            </li>
          ))}
        </ul>
      )}
      <h3>{t('case.lastContacts')}</h3>
      {summary.lastContacts.length === 0 ? (
        <p class="muted small">{t('common.none')}</p>
      ) : (
        <ul class="compact">
          {summary.lastContacts.map((contact) => (
            <li key={contact.id}>
              {formatDateTime(contact.occurredAt)}: {contact.kind}, {contact.place}
            </li>
          ))}
        </ul>
      )}
    </aside>
  );
}
