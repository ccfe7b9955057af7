/**
 * Actuation policy for LLM-initiated calls: each tool is read / write / destructive, and rules by
 * tool, device type, tag, zone or model say allow, confirm (a person approves first) or deny.
 * Default: reads allowed, writes confirm-first, destructive actions denied.
 */
import type { Device } from '../core/device.ts';
import type { MethodKind } from '../rpc/method.ts';

export type PolicyAction = 'allow' | 'confirm' | 'deny';

export interface PolicyRule {
  readonly kind?: MethodKind;
  /** Tool names (`configure_device`) or JSON-RPC method names (`sensor.configure`, also written `sensor_configure`). */
  readonly tools?: readonly string[];
  readonly device_types?: readonly string[];
  /** A target matches when it has at least one of these tags. */
  readonly device_tags?: readonly string[];
  readonly zones?: readonly string[];
  readonly models?: readonly string[];
  readonly action: PolicyAction;
}

export interface ActuationPolicy {
  readonly defaults: Readonly<Record<MethodKind, PolicyAction>>;
  /** First matching rule wins, per target device. */
  readonly rules: readonly PolicyRule[];
}

export const DEFAULT_POLICY: ActuationPolicy = {
  defaults: { read: 'allow', write: 'confirm', destructive: 'deny' },
  rules: [],
};

export interface PolicyDecision {
  readonly action: PolicyAction;
  /** Why, in words: the rule or default that decided. */
  readonly reason: string;
}

const RANK: Record<PolicyAction, number> = { allow: 0, confirm: 1, deny: 2 };
const lower = (values: readonly string[] | undefined): string[] | undefined => values?.map((v) => v.toLowerCase());

function ruleMatches(rule: PolicyRule, kind: MethodKind, tool: string, method: string, device: Device | undefined): boolean {
  if (rule.kind !== undefined && rule.kind !== kind) return false;
  // A rule names a tool, a JSON-RPC method, or a method by its tool-style name (`sensor_configure`).
  if (rule.tools !== undefined && !rule.tools.includes(tool) && !rule.tools.includes(method) && !rule.tools.includes(method.replaceAll('.', '_'))) return false;
  const deviceCriteria = rule.device_types ?? rule.device_tags ?? rule.zones ?? rule.models;
  if (deviceCriteria === undefined) return true;
  if (device === undefined) return false;
  if (rule.device_types !== undefined && !rule.device_types.includes(device.type)) return false;
  if (rule.device_tags !== undefined && !device.tags.some((t) => lower(rule.device_tags)?.includes(t.toLowerCase()))) return false;
  if (rule.zones !== undefined && !(device.zone !== null && lower(rule.zones)?.includes(device.zone.toLowerCase()))) return false;
  if (rule.models !== undefined && !lower(rule.models)?.includes(device.model.toLowerCase())) return false;
  return true;
}

/** The decision for one call: the most restrictive over its target devices (or the call alone when it has none). */
export function decide(policy: ActuationPolicy, kind: MethodKind, tool: string, method: string, targets: readonly Device[]): PolicyDecision {
  const one = (device: Device | undefined): PolicyDecision => {
    const index = policy.rules.findIndex((rule) => ruleMatches(rule, kind, tool, method, device));
    const rule = policy.rules[index];
    if (rule) return { action: rule.action, reason: `policy rule ${index + 1} (${rule.action})${device ? ` for ${device.hardwareId}` : ''}` };
    return { action: policy.defaults[kind], reason: `default for ${kind} tools (${policy.defaults[kind]})` };
  };
  const decisions = targets.length === 0 ? [one(undefined)] : targets.map(one);
  return decisions.reduce((worst, d) => (RANK[d.action] > RANK[worst.action] ? d : worst));
}

/** Validate a policy document (from the config file); throws an Error naming the bad field. */
export function parsePolicy(document: unknown): ActuationPolicy {
  const fail = (where: string, what: string): never => {
    throw new Error(`LLM policy invalid: ${where} ${what}`);
  };
  if (document === null || typeof document !== 'object' || Array.isArray(document)) fail('document', 'must be a JSON object');
  const doc = document as { defaults?: unknown; rules?: unknown };
  const action = (value: unknown, where: string): PolicyAction =>
    value === 'allow' || value === 'confirm' || value === 'deny' ? value : fail(where, 'must be allow, confirm or deny');
  const defaults = { ...DEFAULT_POLICY.defaults };
  if (doc.defaults !== undefined) {
    if (doc.defaults === null || typeof doc.defaults !== 'object') fail('defaults', 'must be an object');
    for (const [kind, value] of Object.entries(doc.defaults as Record<string, unknown>)) {
      if (kind !== 'read' && kind !== 'write' && kind !== 'destructive') fail(`defaults.${kind}`, 'is not read, write or destructive');
      defaults[kind as MethodKind] = action(value, `defaults.${kind}`);
    }
  }
  const rules: PolicyRule[] = [];
  if (doc.rules !== undefined) {
    if (!Array.isArray(doc.rules)) fail('rules', 'must be an array');
    (doc.rules as unknown[]).forEach((raw, i) => {
      if (raw === null || typeof raw !== 'object') fail(`rules[${i}]`, 'must be an object');
      const r = raw as Record<string, unknown>;
      const list = (key: string): string[] | undefined => {
        const v = r[key];
        if (v === undefined) return undefined;
        return Array.isArray(v) && v.every((s) => typeof s === 'string') ? (v as string[]) : fail(`rules[${i}].${key}`, 'must be an array of strings');
      };
      const kind = r['kind'];
      if (kind !== undefined && kind !== 'read' && kind !== 'write' && kind !== 'destructive') fail(`rules[${i}].kind`, 'must be read, write or destructive');
      const known = new Set(['kind', 'tools', 'device_types', 'device_tags', 'zones', 'models', 'action']);
      for (const key of Object.keys(r)) if (!known.has(key)) fail(`rules[${i}].${key}`, 'is not a rule field');
      const rule: PolicyRule = {
        action: action(r['action'], `rules[${i}].action`),
        ...(kind !== undefined && { kind: kind as MethodKind }),
      };
      const extra: Partial<Record<'tools' | 'device_types' | 'device_tags' | 'zones' | 'models', string[]>> = {};
      for (const key of ['tools', 'device_types', 'device_tags', 'zones', 'models'] as const) {
        const values = list(key);
        if (values !== undefined) extra[key] = values;
      }
      rules.push({ ...rule, ...extra });
    });
  }
  return { defaults, rules };
}
