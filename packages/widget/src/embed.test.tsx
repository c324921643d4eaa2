// @vitest-environment happy-dom
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

vi.mock('react', async () => await import('preact/compat'));
vi.mock('react-dom/client', async () => await import('preact/compat/client'));
vi.mock('react/jsx-runtime', async () => await import('preact/jsx-runtime'));
vi.mock('react/jsx-dev-runtime', async () => await import('preact/jsx-dev-runtime'));

import { act } from '@testing-library/preact';
import { fakeService, FakeSocket } from './test-support/fakes.js';

const service = fakeService();

/** Lets renders, effects (Preact runs them after a frame), fetches and animation frames finish. */
async function settle(): Promise<void> {
  for (let i = 0; i < 5; i += 1) {
    await new Promise<void>((resolve) => requestAnimationFrame(() => resolve()));
    for (let j = 0; j < 10; j += 1) await new Promise<void>((resolve) => setTimeout(resolve, 0));
  }
}

function launcherRoot(): ShadowRoot {
  const host = document.querySelector('[data-support-widget="launcher"]');
  const root = host?.shadowRoot;
  if (!root) throw new Error('no launcher shadow root');
  return root;
}

let embed: typeof import('./embed.js');

beforeAll(async () => {
  vi.stubGlobal('fetch', service.fetch);
  vi.stubGlobal('WebSocket', FakeSocket);
  await act(async () => {
    embed = await import('./embed.js');
    await settle();
  });
});

afterAll(() => {
  vi.unstubAllGlobals();
});

describe('script-tag options', () => {
  it('reads data-* attributes; the service defaults to the origin the script came from', () => {
    const script = document.createElement('script');
    script.src = 'https://support.example.com/widget/v1/widget.js';
    script.dataset.locale = 'es';
    script.dataset.tokenEndpoint = '/my-app/support-token';
    script.dataset.mode = 'inline';
    script.dataset.target = '#support';
    script.dataset.themeAccent = '#6b21a8';
    expect(embed.optionsFromScript(script, 'https://shop.example.com/help')).toEqual({
      serviceUrl: 'https://support.example.com',
      locale: 'es',
      tokenEndpoint: '/my-app/support-token',
      theme: { accent: '#6b21a8' },
      mode: 'inline',
      target: '#support',
    });
    script.dataset.serviceUrl = 'https://chat.example.com/';
    expect(embed.defaultServiceUrl(script, 'https://shop.example.com/')).toBe('https://chat.example.com');
    expect(embed.defaultServiceUrl(null, 'https://shop.example.com/')).toBe('');
  });

  it('the token endpoint is POSTed with the page’s credentials, same origin only', async () => {
    const fetchImpl = vi.fn(async () => new Response(JSON.stringify({ customerToken: 'jwt.for.alice' }), { status: 200 }));
    const provider = embed.tokenEndpointProvider('/my-app/support-token', 'https://shop.example.com/account', fetchImpl as unknown as typeof fetch);
    expect(await provider?.()).toBe('jwt.for.alice');
    expect(fetchImpl).toHaveBeenCalledWith('https://shop.example.com/my-app/support-token', { method: 'POST', credentials: 'include', headers: { accept: 'application/json' } });
    const signedOut = embed.tokenEndpointProvider('/t', 'https://shop.example.com/', (async () => new Response('{}', { status: 401 })) as unknown as typeof fetch);
    expect(await signedOut?.()).toBeNull();
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    expect(embed.tokenEndpointProvider('https://evil.example/steal', 'https://shop.example.com/')).toBeNull();
    warn.mockRestore();
  });
});

describe('launcher', () => {
  it('is a button in a shadow root, with the stylesheet inside it', () => {
    const root = launcherRoot();
    const button = root.querySelector('.sc-launcher') as HTMLButtonElement;
    expect(button.tagName).toBe('BUTTON');
    expect(button.getAttribute('aria-expanded')).toBe('false');
    expect(button.getAttribute('aria-label')).toBe('Chat with support');
    const panelId = button.getAttribute('aria-controls') as string;
    expect(root.getElementById(panelId)?.hasAttribute('hidden')).toBe(true);
    // A constructed stylesheet (or a <style> where those are missing); vitest serves CSS as an empty string.
    expect(root.adoptedStyleSheets.length + root.querySelectorAll('style').length).toBe(1);
    // Nothing of the widget in the page's own DOM or head.
    expect(document.querySelector('.sc-launcher, .sc-panel')).toBeNull();
    expect(window.SupportWidget?.version).toBe('1');
  });

  it('opens the panel with focus in the composer; Escape closes it and focus returns to the launcher', async () => {
    const root = launcherRoot();
    const button = root.querySelector('.sc-launcher') as HTMLButtonElement;
    await act(async () => {
      button.click();
      await settle();
    });
    expect(button.getAttribute('aria-expanded')).toBe('true');
    const panel = root.getElementById(button.getAttribute('aria-controls') as string) as HTMLElement;
    expect(panel.hasAttribute('hidden')).toBe(false);
    await vi.waitFor(() => expect(root.activeElement?.tagName).toBe('TEXTAREA'));
    const textarea = panel.querySelector('textarea') as HTMLTextAreaElement;
    expect(root.activeElement).toBe(textarea);
    // The panel started a guest conversation against the service.
    expect(service.callsTo('/support/chat/session')).toHaveLength(1);

    await act(async () => {
      textarea.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true }));
      await settle();
    });
    expect(button.getAttribute('aria-expanded')).toBe('false');
    expect(panel.hasAttribute('hidden')).toBe(true);
    expect(root.activeElement).toBe(button);
  });

  it('SupportWidget.open/close, and a new token provider restarts the conversation as that customer', async () => {
    const root = launcherRoot();
    await act(async () => {
      window.SupportWidget?.open();
      await settle();
    });
    expect(root.querySelector('.sc-launcher')?.getAttribute('aria-expanded')).toBe('true');
    await act(async () => {
      window.SupportWidget?.setCustomerTokenProvider(async () => 'host.jwt.token');
      await settle();
    });
    await vi.waitFor(() => expect(service.callsTo('/support/chat/session').at(-1)?.body).toMatchObject({ customerToken: 'host.jwt.token' }), { timeout: 3000 });
    await act(async () => {
      window.SupportWidget?.close();
      await settle();
    });
    expect(root.querySelector('.sc-launcher')?.getAttribute('aria-expanded')).toBe('false');
  });
});

describe('SupportWidget.mount', () => {
  it('mounts an embedded panel into the element, inside a shadow root', async () => {
    const target = document.createElement('div');
    target.id = 'support';
    document.body.appendChild(target);
    let handle: { unmount(): void } | undefined;
    await act(async () => {
      handle = window.SupportWidget?.mount('#support', { serviceUrl: 'https://support.test', theme: { accent: '#6b21a8' } });
      await settle();
    });
    const panel = target.shadowRoot?.querySelector('.sc-panel') as HTMLElement;
    expect(panel).toBeTruthy();
    expect(panel.style.getPropertyValue('--support-accent')).toBe('#6b21a8');
    const shadow = target.shadowRoot as ShadowRoot;
    expect(shadow.adoptedStyleSheets.length + shadow.querySelectorAll('style').length).toBe(1);
    expect(target.querySelector('.sc-panel')).toBeNull();
    await act(async () => {
      handle?.unmount();
      await settle();
    });
    expect(target.shadowRoot?.querySelector('.sc-panel')).toBeNull();
  });
});
