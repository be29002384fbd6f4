// The console's sections, in sidebar order.
import {
  BarChart3,
  Boxes,
  Building2,
  Database,
  FlaskConical,
  KeyRound,
  LayoutDashboard,
  MessageSquare,
  Rocket,
  ScrollText,
  SquareTerminal,
  type LucideIcon,
} from 'lucide-react';
import type { Role } from '@/gql/graphql';
import { can, type ConsoleAction } from '@/lib/roles';

export interface NavItem {
  href: string;
  label: string;
  icon: LucideIcon;
  /** Shown only to roles that may do this. */
  requires?: ConsoleAction;
  /** Shown only to the root key. */
  rootOnly?: boolean;
}

export const navItems: readonly NavItem[] = [
  { href: '/', label: 'Dashboard', icon: LayoutDashboard },
  { href: '/models', label: 'Models', icon: Boxes },
  { href: '/datasets', label: 'Datasets', icon: Database },
  { href: '/jobs', label: 'Training jobs', icon: FlaskConical },
  { href: '/deployments', label: 'Deployments', icon: Rocket },
  { href: '/playground', label: 'Playground', icon: SquareTerminal },
  { href: '/chat', label: 'Chat', icon: MessageSquare },
  { href: '/usage', label: 'Usage', icon: BarChart3 },
  { href: '/audit', label: 'Audit log', icon: ScrollText, requires: 'readAudit' },
  { href: '/settings/api-keys', label: 'API keys', icon: KeyRound, requires: 'manageKeys' },
  { href: '/workspaces', label: 'Workspaces', icon: Building2, rootOnly: true },
];

/** The sections a key sees: its role's, and the root key's own. */
export function visibleNavItems(viewer: { role: Role; isRoot: boolean }): NavItem[] {
  return navItems.filter(
    (item) =>
      (!item.requires || can(viewer.role, item.requires)) && (!item.rootOnly || viewer.isRoot),
  );
}

/** Whether `pathname` is inside the section at `href` ("/" only matches itself). */
export function isActive(href: string, pathname: string): boolean {
  if (href === '/') return pathname === '/';
  return pathname === href || pathname.startsWith(`${href}/`);
}
