/** Acknowledged means stored: embedded broker + SQLite (the cases are in kill-embedded-cases.ts). */
import { embeddedCrashCases } from './kill-embedded-cases.ts';

embeddedCrashCases('SQLite', undefined);
