/** The native flow on the scale-out configuration: external Mosquitto and PostgreSQL, nothing embedded. */
import { after } from 'node:test';
import pg from 'pg';
import { describeNativeFlow } from './describe-native-flow.ts';
import { MOSQUITTO_URL, POSTGRES_URL, uniqueSuffix } from '../support/services.ts';

const schema = `llmiot_e2e_${uniqueSuffix()}`;
after(async () => {
  const client = new pg.Client({ connectionString: POSTGRES_URL });
  await client.connect();
  await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await client.end();
});

describeNativeFlow(`Mosquitto ${MOSQUITTO_URL} + PostgreSQL`, () => ({ mqttUrl: MOSQUITTO_URL, store: `${POSTGRES_URL}?schema=${schema}` }));
