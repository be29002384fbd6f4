// The console's sections, in sidebar order. A section is listed once the API serves it.
import { Boxes, KeyRound, LayoutDashboard, type LucideIcon } from 'lucide-react';
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
  { href: '/settings/api-keys', label: 'API keys', icon: KeyRound, requires: 'manageKeys' },
];

/** Whether `pathname` is inside the section at `href` ("/" only matches itself). */
export function isActive(href: string, pathname: string): boolean {
  if (href === '/') return pathname === '/';
  return pathname === href || pathname.startsWith(`${href}/`);
}
