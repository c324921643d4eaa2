// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

// The source is written against React's API; tests render it with Preact, as the script-tag bundle does.
vi.mock('react', async () => await import('preact/compat'));
vi.mock('react/jsx-runtime', async () => await import('preact/jsx-runtime'));
vi.mock('react/jsx-dev-runtime', async () => await import('preact/jsx-dev-runtime'));

import type { ProposedAction, ServerEvent } from '@support/protocol';
import { act, cleanup, fireEvent, render, screen, within } from '@testing-library/preact';
import { ChatController } from '../core/controller.js';
import { locales } from '../i18n/index.js';
import { fakeJwt, fakeService, FakeSocket, memoryStorage, message } from '../test-support/fakes.js';
import { ChatPanel } from './ChatPanel.js';

async function settle(): Promise<void> {
  for (let i = 0; i < 20; i += 1) await new Promise<void>((resolve) => setTimeout(resolve, 0));
}

async function mount(
  options: { locale?: 'en' | 'es'; signedIn?: boolean; history?: Parameters<typeof message>[0][]; actions?: ProposedAction[]; win?: EventTarget; trainingConsent?: boolean | null } = {},
) {
  const service = fakeService({
    history: (options.history ?? []).map((partial) => message(partial)),
    ...(options.actions ? { actions: options.actions } : {}),
    ...(options.trainingConsent !== undefined ? { trainingConsent: options.trainingConsent } : {}),
  });
  const controller = new ChatController({
    serviceUrl: 'https://support.test',
    fetch: service.fetch,
    createSocket: (url) => new FakeSocket(url),
    storage: memoryStorage(),
    random: () => 0.5,
    pageHref: 'https://shop.test/',
    events: { window: options.win ?? null, document: null },
    isOnline: () => true,
    ...(options.signedIn ? { getCustomerToken: async () => fakeJwt('cus_1') } : {}),
  });
  const locale = options.locale ?? 'en';
  const view = render(<ChatPanel controller={controller} strings={locales[locale]} locale={locale} onClose={() => undefined} />);
  await act(async () => {
    await controller.start();
    await settle();
  });
  const socket = FakeSocket.last();
  await act(() => {
    socket.open();
  });
  const receive = async (...events: ServerEvent[]) => {
    await act(() => {
      for (const event of events) socket.receive(event);
    });
  };
  return { controller, view, socket, receive, service };
}

const escalateButton = () => document.querySelector<HTMLButtonElement>('[data-escalate]') as HTMLButtonElement;
const live = () => screen.getByTestId('live-region').textContent;

function cancellation(partial: Partial<ProposedAction> = {}): ProposedAction {
  return {
    id: 'act_1',
    kind: 'booking_cancellation',
    bookingReference: 'SKY4F2',
    title: 'Cancel booking SKY4F2',
    details: ['Cancellation fee: 75.00 EUR', 'Refund: 1,846.40 EUR to your card', 'Flex fares cancel free of charge up to 2 hours before departure.'],
    fee: { amount: '75.00', currency: 'EUR' },
    refund: { amount: '1846.40', currency: 'EUR' },
    newStartDate: null,
    expiresAt: new Date(Date.now() + 900_000).toISOString(),
    ...partial,
  };
}

beforeEach(() => FakeSocket.reset());
afterEach(cleanup);

describe('escalation button', () => {
  it('follows the conversation: enabled with the assistant, busy, with the team, and enabled again after resolved', async () => {
    const { socket, receive, controller } = await mount();
    expect(escalateButton().textContent).toBe('Talk to a person');
    expect(escalateButton().disabled).toBe(false);

    await act(() => {
      fireEvent.click(escalateButton());
    });
    expect(socket.sentOfType('escalate')).toHaveLength(1);
    expect(escalateButton().textContent).toBe('Connecting you…');
    expect(escalateButton().disabled).toBe(true);

    await receive({ type: 'escalated', ticketId: 'TKT-1', mode: 'live_agent' }, { type: 'message', message: message({ id: 'h', role: 'system', kind: 'handoff', text: 'Connecting you with our team.' }) });
    expect(escalateButton().textContent).toBe('With our team');
    expect(escalateButton().disabled).toBe(true);

    await receive({ type: 'agent_joined', agentName: 'Maya Chen' });
    expect(screen.getByText('Maya Chen is with you')).toBeTruthy();

    await receive({ type: 'message', message: message({ id: 'r', role: 'system', kind: 'resolved', text: 'Maya Chen marked this conversation as resolved.' }) });
    expect(escalateButton().textContent).toBe('Talk to a person');
    expect(escalateButton().disabled).toBe(false);
    expect(screen.queryByText('Maya Chen is with you')).toBeNull();
    controller.stop();
  });

  it('is disabled while there is no connection', async () => {
    const { socket, controller } = await mount();
    await act(() => {
      socket.drop(1006);
    });
    expect(escalateButton().disabled).toBe(true);
    expect(screen.getByText(/Connection lost/)).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Retry now' })).toBeTruthy();
    controller.stop();
  });
});

describe('connection banners', () => {
  it('says when the browser is offline, and that messages wait', async () => {
    const win = new EventTarget();
    const { controller, socket } = await mount({ win });
    await act(() => {
      win.dispatchEvent(new Event('offline'));
      socket.drop(1006);
    });
    expect(screen.getByText('You are offline. Your messages will be sent when the connection is back.')).toBeTruthy();
    const input = screen.getByLabelText('Your message') as HTMLTextAreaElement;
    await act(() => {
      fireEvent.input(input, { target: { value: 'sent later' } });
    });
    await act(() => {
      fireEvent.keyDown(input, { key: 'Enter' });
    });
    expect(screen.getByText('Waiting for connection…')).toBeTruthy();
    await act(() => {
      win.dispatchEvent(new Event('online'));
    });
    const next = FakeSocket.last();
    await act(() => {
      next.open();
    });
    expect(next.sentOfType('send_message')[0]?.text).toBe('sent later');
    expect(screen.queryByText(/You are offline/)).toBeNull();
    controller.stop();
  });

  it('an expired session offers a new conversation', async () => {
    const { controller, socket } = await mount();
    await act(async () => {
      socket.drop(4401);
      await settle();
    });
    expect(screen.getByText('This chat session has expired.')).toBeTruthy();
    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: 'Start a new conversation' }));
      await settle();
    });
    expect(controller.getState().sessionId).toBe('ses_2');
    controller.stop();
  });
});

describe('messages', () => {
  it('shows agent messages distinctly from the assistant’s, with the agent’s name', async () => {
    const { receive, controller } = await mount();
    await receive(
      { type: 'message', message: message({ id: 'a', role: 'assistant', text: 'I am the assistant.' }) },
      { type: 'message', message: message({ id: 'g', role: 'agent', authorName: 'Maya Chen', text: 'Hi, Maya here.' }) },
    );
    const assistant = document.querySelector('[data-message-id="a"]') as HTMLElement;
    const agent = document.querySelector('[data-message-id="g"]') as HTMLElement;
    expect(assistant.dataset.role).toBe('assistant');
    expect(agent.dataset.role).toBe('agent');
    expect(within(assistant).getByText('Support assistant')).toBeTruthy();
    expect(within(agent).getByText('Maya Chen')).toBeTruthy();
    expect(within(agent).getByText('Support team')).toBeTruthy();
    controller.stop();
  });

  it('streams deltas into one bubble which the final message replaces; sources are numbered links', async () => {
    const { receive, controller } = await mount();
    await receive({ type: 'message_delta', messageId: 'a1', delta: 'Standard fares ', replyToMessageId: 'u1' }, { type: 'message_delta', messageId: 'a1', delta: 'cost', replyToMessageId: 'u1' });
    const bubble = document.querySelector('[data-message-id="a1"]') as HTMLElement;
    expect(bubble.dataset.streaming).toBe('true');
    expect(bubble.getAttribute('aria-busy')).toBe('true');
    expect(bubble.textContent).toContain('Standard fares cost');
    await receive({
      type: 'message',
      message: message({
        id: 'a1',
        role: 'assistant',
        text: 'Standard fares cost **€75** to cancel [1].',
        replyToMessageId: 'u1',
        citations: [
          { articleId: 'k1', title: 'Cancellation fees', url: 'https://help.example.com/fees', ref: 1 },
          { articleId: 'k2', title: 'Bad source', url: 'javascript:alert(1)' },
        ],
      }),
    });
    const final = document.querySelector('[data-message-id="a1"]') as HTMLElement;
    expect(document.querySelectorAll('.sc-msg')).toHaveLength(1);
    expect(final.dataset.streaming).toBeUndefined();
    expect(final.querySelector('strong')?.textContent).toBe('€75');
    const sources = final.querySelector('.sc-citations') as HTMLElement;
    expect(within(sources).getByRole('link', { name: 'Cancellation fees' }).getAttribute('href')).toBe('https://help.example.com/fees');
    expect(sources.textContent).toContain('[1]');
    expect(sources.textContent).toContain('[2]Bad source');
    expect(sources.querySelectorAll('a')).toHaveLength(1);
    controller.stop();
  });

  it('never turns reply text into markup', async () => {
    const { receive, controller } = await mount();
    await receive({ type: 'message', message: message({ id: 'x', role: 'assistant', text: '<img src=x onerror=alert(1)> [x](javascript:alert(1))' }) });
    const bubble = document.querySelector('[data-message-id="x"] .sc-bubble') as HTMLElement;
    expect(bubble.querySelector('img, a, script')).toBeNull();
    expect(bubble.textContent).toBe('<img src=x onerror=alert(1)> [x](javascript:alert(1))');
    controller.stop();
  });

  it('shows the customer’s own message at once, then delivered', async () => {
    const { socket, receive, controller } = await mount();
    const input = screen.getByLabelText('Your message') as HTMLTextAreaElement;
    await act(() => {
      fireEvent.input(input, { target: { value: 'Hello there' } });
    });
    await act(() => {
      fireEvent.keyDown(input, { key: 'Enter' });
    });
    const [frame] = socket.sentOfType('send_message');
    expect(frame?.text).toBe('Hello there');
    expect(screen.getByText('Sending…')).toBeTruthy();
    await receive({ type: 'ack', clientMessageId: frame?.clientMessageId as string, messageId: 'u1' });
    expect(screen.getByText('✓ Delivered')).toBeTruthy();
    controller.stop();
  });
});

describe('feedback', () => {
  it('thumbs up/down on replies send feedback; feedback_recorded confirms', async () => {
    const { socket, receive, controller } = await mount();
    await receive({ type: 'message', message: message({ id: 'a', role: 'assistant', text: 'An answer.' }) });
    const up = screen.getByRole('button', { name: 'Helpful' });
    const down = screen.getByRole('button', { name: 'Not helpful' });
    expect(up.getAttribute('aria-pressed')).toBe('false');
    await act(() => {
      fireEvent.click(down);
    });
    expect(socket.sentOfType('feedback')).toEqual([{ type: 'feedback', messageId: 'a', rating: 'down' }]);
    expect((down as HTMLButtonElement).disabled).toBe(true);
    expect(screen.getByText('Saving…')).toBeTruthy();
    await receive({ type: 'feedback_recorded', messageId: 'a', rating: 'down' });
    expect(down.getAttribute('aria-pressed')).toBe('true');
    expect(up.getAttribute('aria-pressed')).toBe('false');
    expect(screen.getByText('Thanks for your feedback!')).toBeTruthy();
    controller.stop();
  });

  it('customer messages and notices get no feedback buttons', async () => {
    const { receive, controller } = await mount();
    await receive(
      { type: 'message', message: message({ id: 'u', role: 'user', text: 'q', clientMessageId: 'c' }) },
      { type: 'message', message: message({ id: 's', role: 'system', kind: 'handoff', text: 'notice' }) },
    );
    expect(screen.queryByRole('button', { name: 'Helpful' })).toBeNull();
    controller.stop();
  });
});

describe('live region', () => {
  it('announces each new reply once, politely, not the history nor the streaming text', async () => {
    const { receive, controller } = await mount({ history: [{ id: 'old', role: 'assistant', text: 'From before the reload' }] });
    const region = screen.getByTestId('live-region');
    expect(region.getAttribute('aria-live')).toBe('polite');
    expect(live()).toBe('');
    await receive({ type: 'message_delta', messageId: 'n', delta: 'Half of it' });
    expect(live()).toBe('');
    await receive({ type: 'message', message: message({ id: 'n', role: 'assistant', text: 'The **whole** answer.' }) });
    expect(live()).toBe('Support assistant: The whole answer.');
    await receive({ type: 'message', message: message({ id: 'g', role: 'agent', authorName: 'Maya Chen', text: 'Hello!' }) });
    expect(live()).toBe('Maya Chen: Hello!');
    controller.stop();
  });
});

describe('confirmation cards', () => {
  it('cancellation: unambiguous buttons, then the outcome stays visible', async () => {
    const { socket, receive, controller } = await mount({ signedIn: true });
    await receive(
      { type: 'message', message: message({ id: 'u1', role: 'user', text: 'Cancel SKY4F2', clientMessageId: 'c1' }) },
      { type: 'action_proposed', action: cancellation() },
      { type: 'message', message: message({ id: 'a1', role: 'assistant', text: 'Here is the quote for SKY4F2.', replyToMessageId: 'u1' }) },
    );
    const card = document.querySelector('.sc-action') as HTMLElement;
    expect(card.previousElementSibling?.getAttribute('data-message-id')).toBe('a1');
    expect(within(card).getByRole('heading').textContent).toBe('Cancel booking SKY4F2?');
    expect(card.textContent).toContain('Fee: €75.00');
    expect(card.textContent).toContain('Refund: €1,846.40');
    expect(card.textContent).toContain('Flex fares cancel free of charge');
    expect(card.textContent).not.toContain('Cancellation fee: 75.00 EUR');
    const confirm = within(card).getByRole('button', { name: 'Cancel booking' });
    expect(within(card).getByRole('button', { name: 'Keep booking' })).toBeTruthy();
    await act(() => {
      fireEvent.click(confirm);
    });
    expect(socket.sentOfType('confirm_action')).toEqual([{ type: 'confirm_action', actionId: 'act_1' }]);
    expect((confirm as HTMLButtonElement).disabled).toBe(true);
    expect(card.textContent).toContain('Confirming…');
    await receive({ type: 'action_updated', actionId: 'act_1', status: 'done' });
    expect(card.dataset.phase).toBe('done');
    expect(within(card).queryAllByRole('button')).toEqual([]);
    expect(card.textContent).toContain('Done: the booking is cancelled.');
    controller.stop();
  });

  it('date change: "Change dates" / "Keep dates"; declining keeps the card with its outcome', async () => {
    const { socket, receive, controller } = await mount({ signedIn: true });
    await receive({ type: 'action_proposed', action: cancellation({ id: 'act_2', kind: 'booking_change', refund: null, newStartDate: '2026-05-14', fee: { amount: '40', currency: 'GBP' } }) });
    const card = document.querySelector('.sc-action') as HTMLElement;
    expect(within(card).getByRole('heading').textContent).toBe('Move booking SKY4F2 to May 14, 2026?');
    await act(() => {
      fireEvent.click(within(card).getByRole('button', { name: 'Keep dates' }));
    });
    expect(socket.sentOfType('cancel_action')).toEqual([{ type: 'cancel_action', actionId: 'act_2' }]);
    expect(within(card).getByRole('button', { name: 'Change dates' })).toBeTruthy();
    await receive({ type: 'action_updated', actionId: 'act_2', status: 'cancelled' });
    expect(card.textContent).toContain('You kept the dates. Nothing was changed.');
    controller.stop();
  });
});

describe('confirmation cards in another browser', () => {
  it('shows each card after the reply it belongs to, decided ones with their outcome and no buttons, from the history alone', async () => {
    const { controller } = await mount({
      signedIn: true,
      history: [
        { id: 'u1', role: 'user', text: 'Cancel SKY4F2', clientMessageId: 'c1' },
        { id: 'a1', role: 'assistant', text: 'Here is the quote; confirm on the card.', replyToMessageId: 'u1' },
        { id: 'n1', role: 'assistant', text: 'Done: booking SKY4F2 is cancelled.' },
        { id: 'u2', role: 'user', text: 'Move K7QM2A to May 14', clientMessageId: 'c2' },
        { id: 'a2', role: 'assistant', text: 'Confirm the new date on the card.', replyToMessageId: 'u2' },
      ],
      actions: [
        cancellation({ replyToMessageId: 'u1', status: 'done' }),
        cancellation({ id: 'act_2', kind: 'booking_change', bookingReference: 'K7QM2A', refund: null, newStartDate: '2026-05-14', replyToMessageId: 'u2', status: 'pending' }),
      ],
    });
    const [done, open] = [...document.querySelectorAll<HTMLElement>('.sc-action')];
    expect(done?.previousElementSibling?.getAttribute('data-message-id')).toBe('a1');
    expect(done?.dataset.phase).toBe('done');
    expect(done?.textContent).toContain('Done: the booking is cancelled.');
    expect(within(done as HTMLElement).queryAllByRole('button')).toEqual([]);
    expect(open?.previousElementSibling?.getAttribute('data-message-id')).toBe('a2');
    expect(within(open as HTMLElement).getByRole('button', { name: 'Change dates' })).toBeTruthy();
    controller.stop();
  });

  it('an error naming its card shows that card’s outcome', async () => {
    const { socket, receive, controller } = await mount({ signedIn: true, actions: [cancellation({ status: 'pending' }), cancellation({ id: 'act_2', bookingReference: 'K7QM2A' })] });
    const [first, second] = [...document.querySelectorAll<HTMLElement>('.sc-action')] as HTMLElement[];
    await act(() => {
      fireEvent.click(within(first as HTMLElement).getByRole('button', { name: 'Cancel booking' }));
      fireEvent.click(within(second as HTMLElement).getByRole('button', { name: 'Cancel booking' }));
    });
    expect(socket.sentOfType('confirm_action')).toHaveLength(2);
    await receive({ type: 'error', code: 'action_expired', message: 'expired', actionId: 'act_2' });
    expect([first?.dataset.phase, second?.dataset.phase]).toEqual(['confirming', 'expired']);
    controller.stop();
  });
});

describe('suggestions and tickets', () => {
  it('guests get no suggestion needing sign-in; customers do; nothing after a handoff', async () => {
    const guest = await mount();
    const chips = () => [...document.querySelectorAll('.sc-chip')].map((chip) => chip.textContent);
    expect(chips()).toEqual(locales.en.suggestionsGuest);
    expect(chips().some((text) => /wallet|my booking/i.test(text ?? ''))).toBe(false);
    await act(() => {
      fireEvent.click(screen.getByRole('button', { name: locales.en.suggestionsGuest[0] }));
    });
    expect(guest.socket.sentOfType('send_message')[0]?.text).toBe(locales.en.suggestionsGuest[0]);
    expect(chips()).toEqual([]);
    guest.controller.stop();
    cleanup();

    const customer = await mount({ signedIn: true });
    expect(chips()).toEqual(locales.en.suggestionsCustomer);
    await customer.receive({ type: 'escalated', ticketId: 'T', mode: 'live_agent' }, { type: 'message', message: message({ id: 'h', role: 'system', kind: 'handoff', text: 'n' }) });
    expect(chips()).toEqual([]);
    customer.controller.stop();
  });

  it('a ticket shows its id, the notice with the opening hours, and then the agent’s reply', async () => {
    const { receive, controller } = await mount();
    const notice = "Our support team is away right now (we're here Mon–Fri 09:00–17:00). I've opened ticket TKT-7 for you.";
    await receive({ type: 'escalated', ticketId: 'TKT-7', mode: 'ticket' }, { type: 'message', message: message({ id: 'h', role: 'system', kind: 'handoff', text: notice }) });
    const ticket = screen.getByTestId('ticket');
    expect(within(ticket).getByRole('heading').textContent).toBe('Ticket TKT-7');
    expect(ticket.textContent).toContain('Mon–Fri 09:00–17:00');
    expect(ticket.textContent).toContain('Waiting for a reply from our team');
    await receive({ type: 'message', message: message({ id: 'g', role: 'agent', authorName: 'Sam Rivera', text: 'We have refunded you.' }) });
    expect(ticket.textContent).toContain('Sam Rivera replied');
    expect(screen.getByText('We have refunded you.')).toBeTruthy();
    controller.stop();
  });

  it('another browser shows the ticket view from session_state alone', async () => {
    const { receive, controller } = await mount({ history: [{ id: 'h', role: 'system', kind: 'handoff', text: "I've opened ticket TKT-8 for you." }] });
    expect(screen.queryByTestId('ticket')).toBeNull();
    await receive({ type: 'session_state', sessionId: controller.getState().sessionId ?? '', status: 'escalated', ticketId: 'TKT-8', mode: 'ticket' });
    expect(within(screen.getByTestId('ticket')).getByRole('heading').textContent).toBe('Ticket TKT-8');
    controller.stop();
  });

  it('speaks Spanish when asked', async () => {
    const { controller } = await mount({ locale: 'es' });
    expect(escalateButton().textContent).toBe('Hablar con una persona');
    expect(screen.getByLabelText('Tu mensaje')).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Enviar' })).toBeTruthy();
    controller.stop();
  });

  it('every control has an accessible name', async () => {
    const { receive, controller } = await mount({ signedIn: true });
    await receive({ type: 'message', message: message({ id: 'a', role: 'assistant', text: 'x' }) }, { type: 'action_proposed', action: cancellation() });
    for (const button of document.querySelectorAll('button')) {
      const name = button.getAttribute('aria-label') ?? button.textContent?.trim();
      expect(name, button.outerHTML).toBeTruthy();
    }
    const textarea = document.querySelector('textarea') as HTMLTextAreaElement;
    expect(document.querySelector(`label[for="${textarea.id}"]`)?.textContent).toBe('Your message');
    controller.stop();
  });
});

describe('training consent', () => {
  const prompt = () => screen.queryByTestId('consent-prompt');
  const note = () => screen.queryByTestId('consent-note');
  const question = 'May we use this conversation, with personal details removed, to improve our assistant?';

  it('asks after the first final reply, politely, without taking the focus; both answers look the same', async () => {
    const { receive, controller } = await mount({ trainingConsent: null });
    const composer = screen.getByLabelText('Your message') as HTMLTextAreaElement;
    composer.focus();
    expect(prompt()).toBeNull();
    await receive({ type: 'message_delta', messageId: 'a1', delta: 'Half of a rep' });
    expect(prompt()).toBeNull();
    await receive({ type: 'message', message: message({ id: 'a1', role: 'assistant', text: 'The whole reply.' }) });

    const group = screen.getByRole('group', { name: question });
    expect(group).toBe(prompt());
    expect(group.parentElement?.getAttribute('aria-live')).toBe('polite');
    const yes = within(group).getByRole('button', { name: "Yes, that's fine" });
    const no = within(group).getByRole('button', { name: 'No thanks' });
    expect(yes.className).toBe(no.className);
    expect(document.activeElement).toBe(composer);
    expect(note()).toBeNull();
    controller.stop();
  });

  it('an answer sends the consent frame, the prompt goes and the note says it; "Change" asks again', async () => {
    const { receive, socket, controller } = await mount({ trainingConsent: null });
    await receive({ type: 'message', message: message({ id: 'a1', role: 'assistant', text: 'Hello.' }) });
    await act(() => {
      fireEvent.click(screen.getByRole('button', { name: "Yes, that's fine" }));
    });
    expect(socket.sentOfType('consent')).toEqual([{ type: 'consent', training: true }]);
    expect(prompt()).toBeNull();
    expect(note()?.textContent).toContain('Improving the assistant: allowed');
    const change = screen.getByRole('button', { name: 'Change your answer about improving the assistant' });
    // The focus does not fall off the page with the button that went: it is on the note's button.
    expect(document.activeElement).toBe(change);
    await receive({ type: 'consent_recorded', training: true, at: '2026-03-01T10:00:00.000Z' });
    expect(prompt()).toBeNull();

    await act(() => {
      fireEvent.click(change);
    });
    expect(document.activeElement).toBe(prompt());
    expect(note()).toBeNull();
    await act(() => {
      fireEvent.click(screen.getByRole('button', { name: 'No thanks' }));
    });
    expect(socket.sentOfType('consent')).toEqual([
      { type: 'consent', training: true },
      { type: 'consent', training: false },
    ]);
    expect(prompt()).toBeNull();
    expect(note()?.textContent).toContain('Improving the assistant: not allowed');
    controller.stop();
  });

  it('is not asked in a conversation already answered (a reload, another tab): the note is there instead', async () => {
    const { controller } = await mount({ trainingConsent: false, history: [{ id: 'u1', role: 'user', text: 'hi' }, { id: 'a1', role: 'assistant', text: 'Hello.', replyToMessageId: 'u1' }] });
    expect(screen.getByText('Hello.')).toBeTruthy();
    expect(prompt()).toBeNull();
    expect(note()?.textContent).toContain('not allowed');
    controller.stop();

    cleanup();
    const other = await mount({ trainingConsent: null, history: [{ id: 'a2', role: 'assistant', text: 'Hello again.' }] });
    expect(prompt()).not.toBeNull();
    // Answered in another tab: the service tells every socket.
    await other.receive({ type: 'consent_recorded', training: true, at: '2026-03-01T10:00:00.000Z' });
    expect(prompt()).toBeNull();
    expect(note()?.textContent).toContain('Improving the assistant: allowed');
    other.controller.stop();
  });

  it('an answer given while disconnected hides the prompt at once and goes once the socket is back', async () => {
    const { receive, socket, controller } = await mount({ trainingConsent: null });
    await receive({ type: 'message', message: message({ id: 'a1', role: 'assistant', text: 'Hello.' }) });
    await act(() => {
      socket.drop(1006);
    });
    await act(() => {
      fireEvent.click(screen.getByRole('button', { name: 'No thanks' }));
    });
    expect(prompt()).toBeNull();
    expect(note()?.textContent).toContain('not allowed');
    expect(socket.sentOfType('consent')).toEqual([]);
    await act(async () => {
      controller.reconnectNow();
      await settle();
    });
    const next = FakeSocket.last();
    expect(next).not.toBe(socket);
    await act(() => {
      next.open();
    });
    expect(next.sentOfType('consent')).toEqual([{ type: 'consent', training: false }]);
    controller.stop();
  });

  it('asks in Spanish too', async () => {
    const { receive, controller } = await mount({ locale: 'es', trainingConsent: null });
    await receive({ type: 'message', message: message({ id: 'a1', role: 'assistant', text: 'Hola.' }) });
    expect(screen.getByRole('group', { name: '¿Podemos usar esta conversación, sin tus datos personales, para mejorar nuestro asistente?' })).toBeTruthy();
    await act(() => {
      fireEvent.click(screen.getByRole('button', { name: 'Sí, de acuerdo' }));
    });
    expect(note()?.textContent).toContain('Mejorar el asistente: permitido');
    expect(screen.getByRole('button', { name: 'Cambiar tu respuesta sobre mejorar el asistente' })).toBeTruthy();
    controller.stop();
  });
});

describe('end-of-chat rating', () => {
  const prompt = () => screen.queryByTestId('rating-prompt');
  const note = () => screen.queryByTestId('rating-note');
  const rateButton = () => screen.queryByRole('button', { name: 'Rate this chat' });
  const stars = () => within(screen.getByRole('radiogroup', { name: 'How did we do?' })).getAllByRole('radio');
  const checked = () => stars().findIndex((star) => star.getAttribute('aria-checked') === 'true') + 1;
  const resolved = (id: string) => message({ id, role: 'system', kind: 'resolved', text: 'Maya marked this conversation as resolved.' });
  const key = async (target: Element, keyName: string) => {
    await act(() => {
      fireEvent.keyDown(target, { key: keyName });
    });
  };

  it('"Rate this chat" is offered once the assistant or an agent has answered, not before', async () => {
    const { receive, controller } = await mount({ trainingConsent: true });
    expect(rateButton()).toBeNull();
    await receive({ type: 'message_delta', messageId: 'a1', delta: 'Half a rep' });
    expect(rateButton()).toBeNull();
    await receive({ type: 'message', message: message({ id: 'a1', role: 'assistant', text: 'The whole reply.' }) });
    expect(rateButton()).not.toBeNull();
    expect(prompt()).toBeNull();
    controller.stop();

    cleanup();
    const agent = await mount({ trainingConsent: true, history: [{ id: 'g1', role: 'agent', text: 'Maya here', authorName: 'Maya' }] });
    expect(rateButton()).not.toBeNull();
    agent.controller.stop();
  });

  it('the keyboard picks the stars (arrows move and choose, one tab stop); Send sends score and comment; the thanks stays', async () => {
    const { receive, socket, controller } = await mount({ trainingConsent: true });
    await receive({ type: 'message', message: message({ id: 'a1', role: 'assistant', text: 'Hello.' }) });
    await act(() => {
      fireEvent.click(rateButton() as HTMLElement);
    });
    expect(prompt()).not.toBeNull();
    expect(prompt()?.parentElement?.getAttribute('aria-live')).toBe('polite');
    expect(stars().map((star) => star.getAttribute('aria-label'))).toEqual(['1 star', '2 stars', '3 stars', '4 stars', '5 stars']);
    // Opened by the customer: the focus goes to the stars (the button they pressed went); none is chosen yet.
    expect(document.activeElement).toBe(stars()[0]);
    expect(checked()).toBe(0);
    expect(stars().map((star) => star.tabIndex)).toEqual([0, -1, -1, -1, -1]);
    const send = screen.getByRole('button', { name: 'Send rating' }) as HTMLButtonElement;
    expect(send.disabled).toBe(true);

    for (let i = 0; i < 3; i += 1) await key(document.activeElement as Element, 'ArrowRight');
    expect(checked()).toBe(4);
    expect(document.activeElement).toBe(stars()[3]);
    expect(stars().map((star) => star.tabIndex)).toEqual([-1, -1, -1, 0, -1]);
    await key(document.activeElement as Element, 'End');
    expect(checked()).toBe(5);
    await key(document.activeElement as Element, 'ArrowRight'); // wraps
    expect(checked()).toBe(1);
    await key(document.activeElement as Element, 'ArrowLeft'); // wraps back
    expect(checked()).toBe(5);
    await key(document.activeElement as Element, 'ArrowDown');
    expect(checked()).toBe(4);
    expect(stars().map((star) => star.getAttribute('data-on'))).toEqual(['true', 'true', 'true', 'true', 'false']);

    await act(() => {
      fireEvent.input(screen.getByLabelText('Anything to add? (optional)'), { target: { value: 'Quick and clear' } });
    });
    expect(send.disabled).toBe(false);
    await act(() => {
      fireEvent.click(send);
    });
    expect(socket.sentOfType('rate_conversation')).toEqual([{ type: 'rate_conversation', score: 4, comment: 'Quick and clear' }]);
    expect(prompt()).toBeNull();
    expect(note()?.textContent).toContain('Thanks for rating: 4 of 5');
    const change = screen.getByRole('button', { name: 'Change your rating' });
    expect(document.activeElement).toBe(change);
    await receive({ type: 'conversation_rated', score: 4, at: '2026-03-01T10:00:00.000Z' });
    expect(note()?.textContent).toContain('4 of 5');

    // "change" opens it again with the rating and the comment given, which rating again would replace.
    await act(() => {
      fireEvent.click(change);
    });
    expect(checked()).toBe(4);
    expect((screen.getByLabelText('Anything to add? (optional)') as HTMLTextAreaElement).value).toBe('Quick and clear');
    expect(document.activeElement).toBe(stars()[3]);
    controller.stop();
  });

  it('sends without a comment; clicking a star chooses it; "Not now" and Escape close it without sending', async () => {
    const { receive, socket, controller } = await mount({ trainingConsent: true });
    await receive({ type: 'message', message: message({ id: 'a1', role: 'assistant', text: 'Hello.' }) });
    await act(() => {
      fireEvent.click(rateButton() as HTMLElement);
    });
    await act(() => {
      fireEvent.click(screen.getByRole('button', { name: 'Not now' }));
    });
    expect(prompt()).toBeNull();
    expect(document.activeElement).toBe(rateButton());

    await act(() => {
      fireEvent.click(rateButton() as HTMLElement);
    });
    await key(stars()[0] as Element, 'Escape');
    expect(prompt()).toBeNull();
    expect(socket.sentOfType('rate_conversation')).toEqual([]);

    await act(() => {
      fireEvent.click(rateButton() as HTMLElement);
    });
    await act(() => {
      fireEvent.click(stars()[1] as HTMLElement);
    });
    expect(checked()).toBe(2);
    await act(() => {
      fireEvent.click(screen.getByRole('button', { name: 'Send rating' }));
    });
    expect(socket.sentOfType('rate_conversation')).toEqual([{ type: 'rate_conversation', score: 2 }]);
    expect(note()?.textContent).toContain('Thanks for rating: 2 of 5');
    controller.stop();
  });

  it('is offered by itself when an agent resolves the conversation (not in the history), without taking the focus', async () => {
    const { receive, controller } = await mount({
      trainingConsent: true,
      history: [{ id: 'g1', role: 'agent', text: 'Maya here', authorName: 'Maya' }, resolved('r0')],
    });
    // A resolution in the history (a reload) offers nothing by itself.
    expect(prompt()).toBeNull();
    await receive({ type: 'message', message: message({ id: 'g2', role: 'agent', text: 'Anything else?', authorName: 'Maya' }) });
    expect(prompt()).toBeNull();
    const composer = screen.getByLabelText('Your message') as HTMLTextAreaElement;
    composer.focus();
    await receive({ type: 'message', message: resolved('r1') });
    expect(prompt()).not.toBeNull();
    expect(prompt()?.parentElement?.getAttribute('aria-live')).toBe('polite');
    expect(document.activeElement).toBe(composer);
    // A replay of the same notice after a reconnect does not offer it again once closed.
    await act(() => {
      fireEvent.click(screen.getByRole('button', { name: 'Not now' }));
    });
    await receive({ type: 'message', message: resolved('r1') });
    expect(prompt()).toBeNull();
    controller.stop();
  });

  it('not offered by itself once rated, and waits for the consent answer (the two never show at once by themselves)', async () => {
    const { receive, controller } = await mount({
      trainingConsent: null,
      history: [
        { id: 'a1', role: 'assistant', text: 'Hello.' },
        { id: 'g1', role: 'agent', text: 'Maya here', authorName: 'Maya' },
      ],
    });
    expect(screen.queryByTestId('consent-prompt')).not.toBeNull();
    await receive({ type: 'message', message: resolved('r1') });
    expect(prompt()).toBeNull();
    await act(() => {
      fireEvent.click(screen.getByRole('button', { name: 'No thanks' }));
    });
    expect(prompt()).not.toBeNull();
    await act(() => {
      fireEvent.click(stars()[4] as HTMLElement);
    });
    await act(() => {
      fireEvent.click(screen.getByRole('button', { name: 'Send rating' }));
    });
    await receive({ type: 'message', message: resolved('r2') });
    expect(prompt()).toBeNull();
    expect(note()?.textContent).toContain('5 of 5');
    controller.stop();
  });

  it('rates in Spanish too', async () => {
    const { receive, controller } = await mount({ locale: 'es', trainingConsent: true });
    await receive({ type: 'message', message: message({ id: 'a1', role: 'assistant', text: 'Hola.' }) });
    await act(() => {
      fireEvent.click(screen.getByRole('button', { name: 'Valorar este chat' }));
    });
    const group = screen.getByRole('radiogroup', { name: '¿Qué tal lo hicimos?' });
    expect(within(group).getAllByRole('radio').map((star) => star.getAttribute('aria-label'))).toEqual(['1 estrella', '2 estrellas', '3 estrellas', '4 estrellas', '5 estrellas']);
    await act(() => {
      fireEvent.click(within(group).getAllByRole('radio')[2] as HTMLElement);
    });
    await act(() => {
      fireEvent.click(screen.getByRole('button', { name: 'Enviar valoración' }));
    });
    expect(note()?.textContent).toContain('Gracias por tu valoración: 3 de 5');
    expect(screen.getByRole('button', { name: 'Cambiar tu valoración' })).toBeTruthy();
    controller.stop();
  });
});
