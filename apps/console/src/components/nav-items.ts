// The console's sections, in sidebar order.
import {
  Boxes,
  Database,
  FlaskConical,
  KeyRound,
  LayoutDashboard,
  Rocket,
  SquareTerminal,
  type LucideIcon,
} from 'lucide-react';
import type { ConsoleAction } from '@/lib/roles';

export interface NavItem {
  href: string;
  label: string;
  icon: LucideIcon;
  /** Shown only to roles that may do this. */
  requires?: ConsoleAction;
}

export const navItems: readonly NavItem[] = [
  { href: '/', label: 'Dashboard', icon: LayoutDashboard },
  { href: '/models', label: 'Models', icon: Boxes },
  { href: '/datasets', label: 'Datasets', icon: Database },
  { href: '/jobs', label: 'Training jobs', icon: FlaskConical },
  { href: '/deployments', label: 'Deployments', icon: Rocket },
  { href: '/playground', label: 'Playground', icon: SquareTerminal },
  { href: '/settings/api-keys', label: 'API keys', icon: KeyRound, requires: 'manageKeys' },
];

/** Whether `pathname` is inside the section at `href` ("/" only matches itself). */
export function isActive(href: string, pathname: string): boolean {
  if (href === '/') return pathname === '/';
  return pathname === href || pathname.startsWith(`${href}/`);
}
