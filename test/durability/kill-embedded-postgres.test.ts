/** Acknowledged means stored: embedded broker + PostgreSQL (the cases are in kill-embedded-cases.ts). */
import { after } from 'node:test';
import pg from 'pg';
import { POSTGRES_URL, uniqueSuffix } from '../support/services.ts';
import { embeddedCrashCases } from './kill-embedded-cases.ts';

const pgSchema = `llmiot_crash_${uniqueSuffix()}`;
after(async () => {
  const client = new pg.Client({ connectionString: POSTGRES_URL });
  await client.connect();
  await client.query(`DROP SCHEMA IF EXISTS "${pgSchema}" CASCADE`);
  await client.end();
});

embeddedCrashCases('PostgreSQL', `${POSTGRES_URL}?schema=${pgSchema}`);
