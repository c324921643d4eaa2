import type { AgentConversation } from '../api.js';
import { calendarDate, capitalise } from '../format.js';

/** Who the customer is (from the host's systems) and their bookings; a guest has neither. */
export function CustomerPanel(props: { customer: AgentConversation['customer']; bookings: AgentConversation['bookings'] }) {
  const { customer, bookings } = props;
  return (
    <section className="panel" aria-labelledby="customer-heading" data-testid="customer-panel">
      <h3 id="customer-heading">Customer</h3>
      {customer ? (
        <dl className="facts">
          <dt>Name</dt>
          <dd>{customer.name}</dd>
          <dt>E-mail</dt>
          <dd>{customer.email ?? '—'}</dd>
          <dt>Tier</dt>
          <dd>{customer.tier ? capitalise(customer.tier) : '—'}</dd>
          <dt>Customer id</dt>
          <dd className="mono">{customer.id}</dd>
        </dl>
      ) : (
        <p className="muted">Guest — not signed in, so there is no profile or booking to show.</p>
      )}
      {customer ? (
        <>
          <h4>Bookings</h4>
          {bookings.length === 0 ? <p className="muted">No bookings.</p> : null}
          <ul className="bookings">
            {bookings.map((booking) => (
              <li key={booking.reference} className="booking" data-testid="booking">
                <span className="booking-top">
                  <span className="mono">{booking.reference}</span>
                  <span className="badge booking-status" data-status={booking.status}>
                    {capitalise(booking.status.replace(/_/g, ' '))}
                  </span>
                </span>
                <span className="booking-title">{booking.title}</span>
                <span className="muted">
                  {capitalise(booking.kind)} · {calendarDate(booking.startDate)}
                </span>
              </li>
            ))}
          </ul>
        </>
      ) : null}
    </section>
  );
}
