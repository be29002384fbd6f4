import { render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { invalidKeyMessage } from '@/lib/viewer';
import { fakeViewerFetch } from '@/test/fake-api';
import { Providers } from './providers';

vi.mock('next/navigation', () => ({
  usePathname: () => '/',
  useRouter: () => ({ push: vi.fn(), replace: vi.fn() }),
  useSearchParams: () => new URLSearchParams(),
  useParams: () => ({}),
}));

function renderConsole() {
  return render(
    <Providers apiUrl="http://api.test">
      <p>dashboard content</p>
    </Providers>,
  );
}

describe('sign-in', () => {
  beforeEach(() => {
    vi.stubGlobal('fetch', fakeViewerFetch('maas_good_key'));
  });
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it('asks for an API key and refuses a wrong one with a clear message', async () => {
    const user = userEvent.setup();
    renderConsole();
    const field = await screen.findByLabelText('API key');
    await user.type(field, 'maas_wrong');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(await screen.findByRole('alert')).toHaveProperty(
      'textContent',
      expect.stringContaining(invalidKeyMessage),
    );
    expect(screen.queryByText('dashboard content')).toBeNull();
    expect(window.sessionStorage.getItem('maas.apiKey')).toBeNull();
  });

  it('keeps a good key for the session, shows the pages, and forgets it on sign-out', async () => {
    const user = userEvent.setup();
    renderConsole();
    await user.type(await screen.findByLabelText('API key'), 'maas_good_key');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(await screen.findByText('dashboard content')).toBeTruthy();
    expect(window.sessionStorage.getItem('maas.apiKey')).toBe('maas_good_key');
    expect(screen.getAllByText('acme').length).toBeGreaterThan(0);
    // An admin is offered key management.
    expect(screen.getByRole('link', { name: 'API keys' })).toBeTruthy();

    await user.click(screen.getByRole('button', { name: 'Sign out' }));
    expect(await screen.findByLabelText('API key')).toBeTruthy();
    expect(window.sessionStorage.getItem('maas.apiKey')).toBeNull();
  });

  it('restores a stored key after a reload, checking it first', async () => {
    window.sessionStorage.setItem('maas.apiKey', 'maas_good_key');
    renderConsole();
    expect(await screen.findByText('dashboard content')).toBeTruthy();
    expect(fetch).toHaveBeenCalledTimes(1);
  });

  it('signs out with a notice when the stored key was revoked', async () => {
    window.sessionStorage.setItem('maas.apiKey', 'maas_revoked');
    renderConsole();
    expect(await screen.findByLabelText('API key')).toBeTruthy();
    expect(screen.getByRole('alert').textContent).toContain(invalidKeyMessage);
    await waitFor(() => expect(window.sessionStorage.getItem('maas.apiKey')).toBeNull());
  });

  it('does not offer key management to a viewer', async () => {
    vi.stubGlobal('fetch', fakeViewerFetch('maas_viewer', 'VIEWER'));
    window.sessionStorage.setItem('maas.apiKey', 'maas_viewer');
    renderConsole();
    expect(await screen.findByText('dashboard content')).toBeTruthy();
    expect(screen.getByRole('link', { name: 'Models' })).toBeTruthy();
    expect(screen.queryByRole('link', { name: 'API keys' })).toBeNull();
  });

  it('says when the API cannot be reached', async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn(() => Promise.reject(new TypeError('Failed to fetch'))),
    );
    const user = userEvent.setup();
    renderConsole();
    await user.type(await screen.findByLabelText('API key'), 'maas_any');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    expect((await screen.findByRole('alert')).textContent).toContain('cannot be reached');
  });
});
