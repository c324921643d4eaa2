/**
 * Every string the widget shows. A locale is a complete `Strings`: a missing
 * key is a type error. Functions take what they interpolate.
 */
export interface Strings {
  title: string;
  assistantName: string;
  you: string;
  supportTeam: string;
  agentFallback: string;
  launcherOpen: string;
  launcherClose: string;
  closeChat: string;
  transcriptLabel: string;
  composerLabel: string;
  composerPlaceholder: string;
  composerHint: string;
  charCount: (length: number, max: number) => string;
  send: string;
  escalate: string;
  escalating: string;
  escalated: string;
  agentWithYou: (name: string) => string;
  waitingForAgent: string;
  ticketTitle: (ticketId: string) => string;
  ticketWaiting: string;
  ticketReplied: (name: string) => string;
  typingAssistant: string;
  typingAgent: string;
  statusConnecting: string;
  statusOnline: string;
  statusOffline: string;
  statusExpired: string;
  statusFailed: string;
  statusReconnecting: string;
  reconnectingIn: (seconds: number) => string;
  offline: string;
  retryNow: string;
  loading: string;
  empty: string;
  startFailed: string;
  tryAgain: string;
  expired: string;
  startNew: string;
  closed: string;
  deliverySending: string;
  deliveryWaiting: string;
  deliverySent: string;
  deliveryFailed: string;
  retrySend: string;
  sources: string;
  feedbackGroup: string;
  helpful: string;
  notHelpful: string;
  feedbackSaving: string;
  feedbackThanks: string;
  actionCancelTitle: (reference: string) => string;
  actionChangeTitle: (reference: string, date: string) => string;
  actionFee: (amount: string) => string;
  actionRefund: (amount: string) => string;
  actionNewDate: (date: string) => string;
  actionValidUntil: (time: string) => string;
  confirmCancellation: string;
  keepBooking: string;
  confirmChange: string;
  keepDates: string;
  actionConfirming: string;
  actionDeclining: string;
  actionDoneCancellation: string;
  actionDoneChange: string;
  actionDeclinedCancellation: string;
  actionDeclinedChange: string;
  actionExpired: string;
  actionFailed: string;
  actionAlreadyDecided: string;
  actionUnavailable: string;
  suggestionsLabel: string;
  suggestionsGuest: readonly string[];
  suggestionsCustomer: readonly string[];
  earlierConversations: string;
  backToChat: string;
  newConversation: string;
  noEarlierConversations: string;
  currentConversation: string;
  conversationStatus: (status: string) => string;
  untitledConversation: string;
  announce: (who: string, text: string) => string;
  dismiss: string;
  /** The training-consent question, its two answers (equal weight), and the note that stays after answering. */
  consentQuestion: string;
  consentYes: string;
  consentNo: string;
  consentNote: (allowed: boolean) => string;
  consentChange: string;
  /** The accessible name of the note's button; starts with the visible `consentChange`. */
  consentChangeLabel: string;
  /** The end-of-chat rating: the question (it names the five-star radio group), each star's name, the optional comment. */
  ratingQuestion: string;
  ratingStar: (score: number) => string;
  ratingCommentLabel: string;
  ratingSend: string;
  ratingNotNow: string;
  /** The footer button that opens the rating. */
  rateThisChat: string;
  /** The line that stays after rating, and the way to change it (its accessible name starts with the visible `ratingChange`). */
  ratingThanks: (score: number) => string;
  ratingChange: string;
  ratingChangeLabel: string;
  errors: {
    too_long: (max: number) => string;
    invalid_message: string;
    rate_limited: string;
    quota_exceeded: string;
    conversation_limit: string;
    session_closed: string;
    ai_unavailable: string;
    unavailable: string;
    not_connected: string;
    generic: string;
  };
}
