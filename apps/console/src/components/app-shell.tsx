'use client';
import Link from 'next/link';
import { usePathname } from 'next/navigation';
import { useState, type ReactNode } from 'react';
import { LogOut, Menu, Monitor, Moon, Sun, X } from 'lucide-react';
import { useSession, useViewer } from '@/lib/session';
import { useLiveState } from '@/lib/graphql-provider';
import { useTheme, type ThemeChoice } from '@/lib/theme';
import { cn } from '@/lib/cn';
import { Logo } from './logo';
import { Badge } from './ui/badge';
import { isActive, visibleNavItems } from './nav-items';

/** The frame of every signed-in page: sidebar (a menu on phones), identity, theme, sign-out. */
export function AppShell({ children }: { children: ReactNode }) {
  const pathname = usePathname();
  // The phone menu stays open only on the page where it was opened: navigating closes it.
  const [menuOpenOn, setMenuOpenOn] = useState<string | null>(null);
  const menuOpen = menuOpenOn === pathname;

  return (
    <div className="min-h-dvh lg:grid lg:grid-cols-[15rem_1fr]">
      <a
        href="#main"
        className="sr-only focus:not-sr-only focus:fixed focus:top-2 focus:left-2 focus:z-50 focus:rounded focus:bg-card focus:px-3 focus:py-2"
      >
        Skip to content
      </a>
      <header className="sticky top-0 z-30 flex h-14 items-center justify-between border-b border-border bg-card/90 px-4 backdrop-blur lg:hidden">
        <Link href="/" className="flex items-center gap-2 font-semibold">
          <Logo className="size-6" />
          maas
        </Link>
        <button
          type="button"
          className="rounded-md p-2 hover:bg-muted"
          aria-expanded={menuOpen}
          aria-controls="sidebar"
          aria-label={menuOpen ? 'Close menu' : 'Open menu'}
          onClick={() => setMenuOpenOn(menuOpen ? null : pathname)}
        >
          {menuOpen ? <X className="size-5" /> : <Menu className="size-5" />}
        </button>
      </header>
      <aside
        id="sidebar"
        className={cn(
          // The aside stretches to the page's height (its background and border reach the
          // bottom of long pages); its content stays in view.
          'z-20 border-r border-border bg-card lg:block',
          menuOpen ? 'fixed inset-x-0 top-14 bottom-0 block overflow-y-auto' : 'hidden',
        )}
      >
        <div className="flex min-h-full flex-col lg:sticky lg:top-0 lg:h-dvh lg:min-h-0">
          <SidebarContent pathname={pathname} />
        </div>
      </aside>
      <main id="main" className="min-w-0 px-4 py-6 sm:px-6 lg:px-8">
        <div className="mx-auto max-w-6xl">{children}</div>
      </main>
    </div>
  );
}

function SidebarContent({ pathname }: { pathname: string }) {
  const viewer = useViewer();
  const { signOut } = useSession();
  const items = visibleNavItems(viewer);
  return (
    <>
      <Link href="/" className="hidden h-14 items-center gap-2 px-5 font-semibold lg:flex">
        <Logo className="size-6" />
        <span>maas</span>
        <span className="text-xs font-normal text-muted-foreground">console</span>
      </Link>
      <nav aria-label="Main" className="flex-1 px-3 py-3">
        <ul className="grid gap-0.5">
          {items.map((item) => {
            const active = isActive(item.href, pathname);
            return (
              <li key={item.href}>
                <Link
                  href={item.href}
                  aria-current={active ? 'page' : undefined}
                  className={cn(
                    'flex items-center gap-3 rounded-md px-3 py-2 text-sm font-medium transition-colors',
                    active
                      ? 'bg-accent text-accent-foreground'
                      : 'text-muted-foreground hover:bg-muted hover:text-foreground',
                  )}
                >
                  <item.icon aria-hidden className="size-4" />
                  {item.label}
                </Link>
              </li>
            );
          })}
        </ul>
      </nav>
      <div className="grid gap-3 border-t border-border p-4">
        <LiveIndicator />
        <div className="min-w-0 text-sm">
          <p className="truncate font-medium" title={viewer.workspace.name}>
            {viewer.workspace.name}
          </p>
          <p className="flex items-center gap-2 truncate text-xs text-muted-foreground">
            <span className="truncate" title={viewer.apiKey.name}>
              {viewer.apiKey.name}
            </span>
            <Badge tone={viewer.role === 'VIEWER' ? 'neutral' : 'primary'}>
              {viewer.isRoot ? 'ROOT' : viewer.role}
            </Badge>
          </p>
        </div>
        <ThemeSwitch />
        <button
          type="button"
          onClick={signOut}
          className="flex items-center gap-2 rounded-md px-2 py-1.5 text-sm text-muted-foreground hover:bg-muted hover:text-foreground"
        >
          <LogOut aria-hidden className="size-4" />
          Sign out
        </button>
      </div>
    </>
  );
}

const themeOptions: { value: ThemeChoice; label: string; icon: typeof Sun }[] = [
  { value: 'light', label: 'Light', icon: Sun },
  { value: 'dark', label: 'Dark', icon: Moon },
  { value: 'system', label: 'System', icon: Monitor },
];

function ThemeSwitch() {
  const { choice, setChoice } = useTheme();
  return (
    <div
      role="radiogroup"
      aria-label="Theme"
      className="flex rounded-md border border-border p-0.5"
    >
      {themeOptions.map((option) => (
        <button
          key={option.value}
          type="button"
          role="radio"
          aria-checked={choice === option.value}
          title={option.label}
          onClick={() => setChoice(option.value)}
          className={cn(
            'flex flex-1 items-center justify-center gap-1 rounded px-2 py-1 text-xs',
            choice === option.value
              ? 'bg-muted font-medium text-foreground'
              : 'text-muted-foreground hover:text-foreground',
          )}
        >
          <option.icon aria-hidden className="size-3.5" />
          <span className="sr-only sm:not-sr-only">{option.label}</span>
        </button>
      ))}
    </div>
  );
}

function LiveIndicator() {
  const state = useLiveState();
  const label =
    state === 'connected'
      ? 'Live updates on'
      : state === 'reconnecting'
        ? 'Reconnecting…'
        : state === 'connecting'
          ? 'Connecting…'
          : 'Live updates idle';
  return (
    <p className="flex items-center gap-2 text-xs text-muted-foreground" aria-live="polite">
      <span
        aria-hidden
        className={cn(
          'size-2 rounded-full',
          state === 'connected' && 'bg-success',
          state === 'reconnecting' && 'animate-pulse bg-warning',
          state === 'connecting' && 'bg-warning',
          state === 'idle' && 'bg-muted-foreground/40',
        )}
      />
      {label}
    </p>
  );
}
