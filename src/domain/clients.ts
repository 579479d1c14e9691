/**
 * Clients: the only table with names and birth dates. Everything else refers to a client by id
 * and shows the pseudonym; read personal data only through {@link getClientPersonalData}.
 */
import { randomBytes } from 'node:crypto';
import type { Queryable } from '../db/types.js';
import { parseIsoDate, type IsoDate } from './dates.js';
import { DomainError, ensure } from './errors.js';
import { isUuid } from './ids.js';

/** What a client record shows outside the personal-data view. */
export interface ClientRef {
  id: string;
  pseudonym: string;
}

/** The personal data of a client (DSGVO: read only behind role checks, audited by the API). */
export interface ClientPersonalData extends ClientRef {
  familyName: string;
  givenNames: string;
  birthDate: IsoDate;
  prisonerNumber: string | null;
}

/** Input of {@link createClient}. */
export interface NewClient {
  familyName: string;
  givenNames: string;
  birthDate: IsoDate;
  prisonerNumber?: string;
}

/** The module's queries, named. */
export const SQL = {
  insert: `insert into client (pseudonym, family_name, given_names, birth_date, prisoner_number)
    values ($1, $2, $3, $4, $5) returning id, pseudonym`,
  ref: `select id, pseudonym from client where id = $1`,
  personal: `select id, pseudonym, family_name as "familyName", given_names as "givenNames",
    birth_date::text as "birthDate", prisoner_number as "prisonerNumber" from client where id = $1`,
} as const;

// No 0/O/1/I: pseudonyms are read aloud and typed.
const ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';

/** A random pseudonym like `K-7QF3-WM2A`; 40 bits, unique by constraint. */
export function createPseudonym(): string {
  const bytes = randomBytes(8);
  const chars = Array.from(bytes, (b) => ALPHABET[b % ALPHABET.length]);
  return `K-${chars.slice(0, 4).join('')}-${chars.slice(4).join('')}`;
}

/** Stores a new client with a fresh pseudonym. */
export async function createClient(db: Queryable, input: NewClient): Promise<ClientRef> {
  const familyName = input.familyName?.trim();
  const givenNames = input.givenNames?.trim();
  ensure(familyName && familyName.length <= 200, 'familyName is required (at most 200 characters)');
  ensure(givenNames && givenNames.length <= 200, 'givenNames is required (at most 200 characters)');
  const birthDate = parseIsoDate(input.birthDate, 'birthDate');
  const { rows } = await db.query<ClientRef>(SQL.insert, [
    createPseudonym(),
    familyName,
    givenNames,
    birthDate,
    input.prisonerNumber ?? null,
  ]);
  return rows[0];
}

/** Id and pseudonym of a client. @throws DomainError CLIENT_NOT_FOUND */
export async function getClientRef(db: Queryable, id: string): Promise<ClientRef> {
  const { rows } = isUuid(id) ? await db.query<ClientRef>(SQL.ref, [id]) : { rows: [] };
  if (rows.length === 0) throw new DomainError('CLIENT_NOT_FOUND', `No client ${id}`);
  return rows[0];
}

/** The personal data of a client. @throws DomainError CLIENT_NOT_FOUND */
export async function getClientPersonalData(db: Queryable, id: string): Promise<ClientPersonalData> {
  const { rows } = isUuid(id) ? await db.query<ClientPersonalData>(SQL.personal, [id]) : { rows: [] };
  if (rows.length === 0) throw new DomainError('CLIENT_NOT_FOUND', `No client ${id}`);
  return rows[0];
}
