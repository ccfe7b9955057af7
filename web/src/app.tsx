// The dashboard shell: session (login or local admin), navigation, and the page of the current hash route.
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { liveSocket } from './api/live-socket.ts';
import { loadPermissions, type Permissions } from './api/permissions.ts';
import { errorText, onUnauthenticated } from './api/rpc-client.ts';
import { loadSession, logout, type Session } from './api/session.ts';
import { ApprovalPage, ApprovalsPage } from './pages/approvals-page.tsx';
import { AuditPage } from './pages/audit-page.tsx';
import { CommandsPage } from './pages/commands-page.tsx';
import { DataPage } from './pages/data-page.tsx';
import { DevicePage } from './pages/device-page.tsx';
import { FleetPage } from './pages/fleet-page.tsx';
import { LoginPage } from './pages/login-page.tsx';
import { useRoute, type Route } from './router.ts';

type State = { phase: 'loading' } | { phase: 'login' } | { phase: 'error'; message: string } | { phase: 'ready'; session: Session; permissions: Permissions };

export function App() {
  const [state, setState] = useState<State>({ phase: 'loading' });
  const start = async (known?: Session): Promise<void> => {
    try {
      const session = known ?? (await loadSession());
      if (session === undefined) return setState({ phase: 'login' });
      setState({ phase: 'ready', session, permissions: await loadPermissions(session.role) });
    } catch (error) {
      setState({ phase: 'error', message: errorText(error) });
    }
  };
  useEffect(() => {
    void start();
    return onUnauthenticated(() => {
      liveSocket.close();
      setState({ phase: 'login' });
    });
  }, []);
  if (state.phase === 'loading') return <p role="status">Loading…</p>;
  if (state.phase === 'error') return <p role="alert">The hub did not answer: {state.message}</p>;
  if (state.phase === 'login') return <LoginPage onLogin={(session) => void start(session)} />;
  return (
    <Shell
      session={state.session}
      permissions={state.permissions}
      onLogout={async () => {
        liveSocket.close();
        await logout();
        setState({ phase: 'login' });
      }}
    />
  );
}

const NAV: readonly { href: string; label: string; pages: readonly Route['page'][] }[] = [
  { href: '#/', label: 'Fleet', pages: ['fleet', 'device'] },
  { href: '#/data', label: 'Data', pages: ['data'] },
  { href: '#/commands', label: 'Commands', pages: ['commands'] },
  { href: '#/approvals', label: 'Approvals', pages: ['approvals', 'approval'] },
  { href: '#/audit', label: 'Audit', pages: ['audit'] },
];

function Shell({ session, permissions, onLogout }: { session: Session; permissions: Permissions; onLogout: () => void }) {
  const route = useRoute();
  const main = useRef<HTMLElement>(null);
  const first = useRef(true);
  // Move focus to the new page so keyboard and screen-reader users start there (not at the old link).
  // A layout effect, in the same commit as the page: with a passive effect the new page was painted
  // while focus still sat on the old link, and a key pressed in that frame went to the wrong place.
  useLayoutEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    main.current?.focus();
  }, [route.page, 'id' in route ? route.id : '']);
  return (
    <>
      <a class="skip" href="#main" onClick={(e) => (e.preventDefault(), main.current?.focus())}>
        Skip to content
      </a>
      <header class="top">
        <span class="brand">llm-iot</span>
        <nav aria-label="Main">
          <ul>
            {NAV.map((item) => (
              <li key={item.href}>
                <a href={item.href} aria-current={item.pages.includes(route.page) ? 'page' : undefined}>
                  {item.label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <span class="who" data-testid="who">
          {session.local ? 'local admin (no login)' : `${session.user} · ${session.role}`}
        </span>
        {!session.local && (
          <button type="button" onClick={onLogout}>
            Log out
          </button>
        )}
      </header>
      <main id="main" ref={main} tabIndex={-1}>
        <Page route={route} session={session} permissions={permissions} />
      </main>
    </>
  );
}

function Page({ route, session, permissions }: { route: Route; session: Session; permissions: Permissions }) {
  switch (route.page) {
    case 'fleet':
      return <FleetPage />;
    case 'device':
      return <DevicePage key={route.id} id={route.id} permissions={permissions} />;
    case 'data':
      return <DataPage />;
    case 'commands':
      return <CommandsPage />;
    case 'audit':
      return <AuditPage permissions={permissions} />;
    case 'approvals':
      return <ApprovalsPage permissions={permissions} />;
    case 'approval':
      return <ApprovalPage key={route.id} id={route.id} permissions={permissions} role={session.role} loggedIn={!session.local} />;
    case 'not-found':
      return (
        <section>
          <h1>Not found</h1>
          <p>
            No page at <code>{route.path}</code>. <a href="#/">Back to the fleet</a>.
          </p>
        </section>
      );
  }
}
