/**
 * Replies agents insert with one click and then edit. A starting set; the
 * admin controls (a later issue) make them editable per deployment.
 */
export const CANNED_RESPONSES: ReadonlyArray<{ id: string; title: string; text: string }> = [
  { id: 'greeting', title: 'Greeting', text: "Hi, thanks for waiting! I'm looking at your conversation now." },
  { id: 'checking', title: 'Checking', text: "Thanks, let me check that for you. It'll take a minute or two." },
  { id: 'refund-timeline', title: 'Refund timeline', text: 'Refunds reach the original payment method within 5–10 business days after we process them.' },
  { id: 'need-reference', title: 'Ask for the booking reference', text: 'Could you tell me the six-character booking reference (for example SKY4F2)?' },
  { id: 'follow-up', title: 'Follow-up by e-mail', text: "I've noted everything on your ticket; we'll follow up by e-mail as soon as we hear back." },
  { id: 'closing', title: 'Closing', text: 'Is there anything else I can help you with today?' },
];
