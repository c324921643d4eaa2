// @vitest-environment happy-dom
// <SupportChat /> in a real React host (no Preact alias here): the component is written against React's API.
import { act, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { afterEach, describe, expect, it } from 'vitest';
import { SupportChat } from './index.js';
import { fakeJwt, fakeService, FakeSocket, memoryStorage } from './test-support/fakes.js';

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

async function settle(): Promise<void> {
  for (let i = 0; i < 20; i += 1) await new Promise<void>((resolve) => setTimeout(resolve, 0));
}

const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
  FakeSocket.reset();
});

describe('SupportChat in React', () => {
  it('renders, connects and talks; the host re-rendering with new closures does not restart the conversation', async () => {
    const service = fakeService();
    const container = document.createElement('div');
    document.body.appendChild(container);
    const root = createRoot(container);
    cleanups.push(() => act(() => root.unmount()));
    let rerender: () => void = () => undefined;
    function Host() {
      const [count, setCount] = useState(0);
      rerender = () => setCount(count + 1);
      return (
        <div style={{ height: 600 }} data-count={count}>
          <SupportChat
            serviceUrl="https://support.test"
            locale="es"
            theme={{ accent: '#6b21a8', radius: '4px' }}
            getCustomerToken={async () => fakeJwt('cus_1')}
            controllerOverrides={{ fetch: service.fetch, createSocket: (url) => new FakeSocket(url), storage: memoryStorage(), pageHref: 'https://shop.test/', events: { window: null, document: null } }}
          />
        </div>
      );
    }
    await act(async () => {
      root.render(<Host />);
      await settle();
    });
    const socket = FakeSocket.last();
    await act(async () => {
      socket.open();
      await settle();
    });
    const panel = container.querySelector('.sc-panel') as HTMLElement;
    expect(panel.style.getPropertyValue('--support-accent')).toBe('#6b21a8');
    expect(panel.style.getPropertyValue('--support-radius')).toBe('4px');
    expect(container.querySelector('style')).toBeTruthy();
    expect(container.querySelector('[data-escalate]')?.textContent).toBe('Hablar con una persona');
    expect(service.calls[0]?.body).toMatchObject({ locale: 'es' });

    await act(async () => {
      socket.receive({ type: 'message', message: { id: 'a1', role: 'assistant', text: '**Hola**', createdAt: '2026-03-01T10:00:00.000Z', citations: [] } });
      await settle();
    });
    expect(container.querySelector('[data-message-id="a1"] strong')?.textContent).toBe('Hola');

    await act(async () => {
      rerender();
      await settle();
    });
    expect(service.callsTo('/support/chat/session')).toHaveLength(1);
    expect(FakeSocket.instances).toHaveLength(1);
  });
});
