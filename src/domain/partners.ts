/**
 * The partner network database (INA): organisations with type, regions, life domains, service
 * offers, capacity, contact persons and whether a data-sharing agreement exists. Network offices,
 * working groups and conferences are metadata, not processes.
 */
import type { Database, Queryable } from '../db/types.js';
import { assertLifeDomain } from './cases.js';
import { DomainError, ensure } from './errors.js';
import { isUuid } from './ids.js';
import type { LifeDomain } from './programmes.js';

/** A service a partner offers in one life domain. */
export interface PartnerOffer {
  lifeDomain: LifeDomain;
  /** A service code, e.g. `sociotherapy`, `supported-living`, `debt-counselling`. */
  service: string;
  description?: string | null;
}

/** A contact person at a partner. */
export interface PartnerContact {
  name: string;
  role?: string | null;
  email?: string | null;
  phone?: string | null;
}

/** A partner organisation. */
export interface Partner {
  id: string;
  name: string;
  type: string;
  regions: string[];
  /** Open referrals the partner takes at a time; null = not limited. */
  capacity: number | null;
  dataSharingAgreement: boolean;
  active: boolean;
  metadata: Record<string, unknown>;
  offers: PartnerOffer[];
  contacts: PartnerContact[];
}

/** Input of {@link createPartner}. */
export type NewPartner = Omit<Partner, 'id' | 'active' | 'metadata'> & { metadata?: Record<string, unknown> };

/** A partner that fits a referral, with its free places (null = not limited). */
export interface PartnerMatch {
  partnerId: string;
  freeCapacity: number | null;
  dataSharingAgreement: boolean;
}

/** The module's queries, named. */
export const SQL = {
  insert: `insert into partner (name, type, regions, capacity, data_sharing_agreement, metadata)
    values ($1, $2, $3, $4, $5, $6) returning id`,
  insertOffer: `insert into partner_offer (partner_id, life_domain, service, description) values ($1, $2, $3, $4)`,
  insertContact: `insert into partner_contact (partner_id, name, role, email, phone) values ($1, $2, $3, $4, $5)`,
  get: `select id, name, type, regions, capacity, data_sharing_agreement as "dataSharingAgreement", active, metadata
    from partner where id = $1`,
  offers: `select life_domain as "lifeDomain", service, description from partner_offer where partner_id = $1
    order by service`,
  contacts: `select name, role, email, phone from partner_contact where partner_id = $1 order by name`,
  setActive: `update partner set active = $2 where id = $1`,
  // Load = referrals sent and not yet answered plus those accepted: each holds a place.
  match: `with candidate as (
      select p.id, p.name, p.capacity, p.data_sharing_agreement,
        (select count(*)::int from referral_attempt a
          where a.partner_id = p.id and a.status in ('sent', 'accepted')) as load
      from partner p join partner_offer o on o.partner_id = p.id
      where p.active and o.service = $1 and o.life_domain = $2 and $3 = any (p.regions)
        and not (p.id = any ($4::uuid[])))
    select id as "partnerId", capacity - load as "freeCapacity", data_sharing_agreement as "dataSharingAgreement"
    from candidate where capacity is null or load < capacity
    order by coalesce(capacity - load, 2147483647) desc, name, id`,
  search: `select distinct p.id, p.name from partner p left join partner_offer o on o.partner_id = p.id
    where p.active and ($1::text is null or $1 = any (p.regions)) and ($2::text is null or o.life_domain = $2)
      and ($3::text is null or p.name ilike '%' || $3 || '%')
    order by p.name, p.id limit 200`,
} as const;

/** Adds a partner with its offers and contact persons. */
export async function createPartner(db: Database, input: NewPartner): Promise<Partner> {
  ensure(input.name?.trim(), 'name is required');
  ensure(input.type?.trim(), 'type is required');
  ensure(Array.isArray(input.regions) && input.regions.length > 0, 'regions must name at least one region');
  ensure(input.capacity === null || (Number.isInteger(input.capacity) && input.capacity >= 0), 'capacity must be ≥ 0');
  for (const offer of input.offers) {
    assertLifeDomain(offer.lifeDomain);
    ensure(offer.service?.trim(), 'every offer needs a service code');
  }
  const id = await db.transaction(async (tx) => {
    const { rows } = await tx.query<{ id: string }>(SQL.insert, [
      input.name.trim(),
      input.type,
      input.regions,
      input.capacity,
      input.dataSharingAgreement,
      JSON.stringify(input.metadata ?? {}),
    ]);
    for (const offer of input.offers) {
      await tx.query(SQL.insertOffer, [rows[0].id, offer.lifeDomain, offer.service, offer.description ?? null]);
    }
    for (const contact of input.contacts) {
      ensure(contact.name?.trim(), 'every contact person needs a name');
      await tx.query(SQL.insertContact, [
        rows[0].id,
        contact.name,
        contact.role ?? null,
        contact.email ?? null,
        contact.phone ?? null,
      ]);
    }
    return rows[0].id;
  });
  return getPartner(db, id);
}

/** Reads a partner with offers and contacts. @throws DomainError PARTNER_NOT_FOUND */
export async function getPartner(db: Queryable, id: string): Promise<Partner> {
  const { rows } = isUuid(id) ? await db.query<Omit<Partner, 'offers' | 'contacts'>>(SQL.get, [id]) : { rows: [] };
  if (rows.length === 0) throw new DomainError('PARTNER_NOT_FOUND', `No partner ${id}`);
  const offers = (await db.query<PartnerOffer>(SQL.offers, [id])).rows;
  const contacts = (await db.query<PartnerContact>(SQL.contacts, [id])).rows;
  return { ...rows[0], offers, contacts };
}

/** Takes a partner out of matching (or back in). */
export async function setPartnerActive(db: Queryable, id: string, active: boolean): Promise<void> {
  const { rowCount } = isUuid(id) ? await db.query(SQL.setActive, [id, active]) : { rowCount: 0 };
  if (rowCount === 0) throw new DomainError('PARTNER_NOT_FOUND', `No partner ${id}`);
}

/**
 * Active partners offering `service` in `lifeDomain` and `region` with a free place, most free
 * places first; `excludePartnerIds` skips partners already asked for this referral.
 */
export async function findMatchingPartners(
  db: Queryable,
  criteria: { service: string; lifeDomain: LifeDomain; region: string; excludePartnerIds?: string[] },
): Promise<PartnerMatch[]> {
  const { rows } = await db.query<PartnerMatch>(SQL.match, [
    criteria.service,
    criteria.lifeDomain,
    criteria.region,
    criteria.excludePartnerIds ?? [],
  ]);
  return rows;
}

/** Searches active partners by region, life domain and part of the name (at most 200). */
export async function searchPartners(
  db: Queryable,
  filter: { region?: string; lifeDomain?: LifeDomain; name?: string },
): Promise<{ id: string; name: string }[]> {
  return (
    await db.query<{ id: string; name: string }>(SQL.search, [
      filter.region ?? null,
      filter.lifeDomain ?? null,
      // the name is matched literally: % and _ typed by a person are not wildcards
      filter.name ? filter.name.replace(/[\\%_]/g, '\\$&') : null,
    ])
  ).rows;
}
