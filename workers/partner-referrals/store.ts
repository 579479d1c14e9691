/** The partner-referrals handler's data access, over the domain modules. */
import type { Database } from '../../src/db/types.js';
import { getCase, listDomainsHandledElsewhere, type Case } from '../../src/domain/cases.js';
import { findSharingGround, type SharingGround } from '../../src/domain/consents.js';
import { findMatchingPartners, type PartnerMatch } from '../../src/domain/partners.js';
import { getProgramme, type LifeDomain } from '../../src/domain/programmes.js';
import {
  getReferral,
  markReferralWithoutPartner,
  sendToFirstFreePartner,
  type Referral,
  type SendReferral,
} from '../../src/domain/referrals.js';
import { getPrescription, type Prescription } from '../../src/domain/sociotherapy.js';

/** Everything the rules need about one referral; no names, no free text. */
export interface ReferralContext {
  referral: Referral;
  case: Pick<Case, 'id' | 'status' | 'releaseRegion' | 'programmeId'>;
  referralAnswerDays: number;
  lifeDomainHandledElsewhere: boolean;
  /** Consent or a recorded legal basis for `partner-referral` at the time asked, or null. */
  sharingGround: SharingGround | null;
  prescription: Prescription | null;
}

/** What the handler reads and writes. */
export interface PartnerReferralStore {
  /** @throws DomainError REFERRAL_NOT_FOUND */
  loadContext(referralId: string, at: Date): Promise<ReferralContext>;
  findPartners(criteria: {
    service: string;
    lifeDomain: LifeDomain;
    region: string;
    excludePartnerIds: string[];
  }): Promise<PartnerMatch[]>;
  /** Sends to the first candidate with a free place, atomically; null when all are full. */
  sendToFirstFreePartner(input: SendReferral): Promise<{ partnerId: string; attemptId: string } | null>;
  markNoPartner(referralId: string): Promise<void>;
}

/** The store over SQL. */
export function createPartnerReferralStore(db: Database): PartnerReferralStore {
  return {
    async loadContext(referralId, at) {
      const referral = await getReferral(db, referralId);
      const current = await getCase(db, referral.caseId);
      const programme = await getProgramme(db, current.programmeId);
      const elsewhere = await listDomainsHandledElsewhere(db, current.id);
      return {
        referral,
        case: current,
        referralAnswerDays: programme.referralAnswerDays,
        lifeDomainHandledElsewhere: elsewhere.some((d) => d.lifeDomain === referral.lifeDomain),
        sharingGround: await findSharingGround(db, current.id, 'partner-referral', at),
        prescription: referral.prescriptionId ? await getPrescription(db, referral.prescriptionId) : null,
      };
    },
    findPartners: (criteria) => findMatchingPartners(db, criteria),
    sendToFirstFreePartner: (input) => sendToFirstFreePartner(db, input),
    markNoPartner: (referralId) => markReferralWithoutPartner(db, referralId),
  };
}
