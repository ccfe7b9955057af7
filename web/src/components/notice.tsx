// Status line for loading, errors and results: announced to screen readers (role=status / alert).
import type { ComponentChildren } from 'preact';

export function Notice({ error, loading, children }: { error?: string | undefined; loading?: boolean; children?: ComponentChildren }) {
  if (error !== undefined) return <p role="alert" class="error">{error}</p>;
  if (loading) return <p role="status" class="muted">Loading…</p>;
  return children === undefined ? null : <p role="status">{children}</p>;
}

export function StatusBadge({ status }: { status: string }) {
  return <span class={`badge badge-${status}`}>{status.replace('_', ' ')}</span>;
}
