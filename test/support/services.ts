/** The test machine's real services; in CI a missing service fails the test, it never skips. */

export const MOSQUITTO_URL = process.env['LLMIOT_TEST_MQTT_URL'] ?? 'mqtt://127.0.0.1:1883';
export const POSTGRES_URL = process.env['LLMIOT_TEST_PG_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';

/** A unique, topic-safe suffix so parallel runs on a shared broker or database do not collide. */
export function uniqueSuffix(): string {
  return `${process.pid.toString(36)}${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
}
