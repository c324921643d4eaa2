// Skyway Travel, the demo host site: a header with a pretend login (choosing a
// demo customer stands for the host's own sign-in, kept in a cookie) and My
// Trips. The chat widget gets the customer's token from the site itself
// (data-token-endpoint="/demo/site-token"), as it would from any host: a real
// host signs it on its server with HOST_JWT_SECRET.
(function () {
  'use strict';
  var page = document.body.getAttribute('data-page');

  function setCustomer(id) {
    fetch('/demo/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ customerId: id }) }).then(function () {
      // The chat starts again as the new customer: a new login is a new page load on most sites too.
      location.reload();
    });
  }

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) {
      if (key === 'text') node.textContent = attrs[key];
      else node.setAttribute(key, attrs[key]);
    });
    (children || []).forEach(function (child) {
      node.append(child);
    });
    return node;
  }

  function renderHeader(customers, current) {
    var header = document.getElementById('site-header');
    var links = [
      ['home', '/', 'Home'],
      ['trips', '/trips', 'My Trips'],
      ['support', '/support', 'Support'],
    ].map(function (link) {
      var a = el('a', { href: link[1], text: link[2] });
      if (link[0] === page) a.setAttribute('aria-current', 'page');
      return a;
    });
    var select = el('select', { id: 'demo-login', 'data-testid': 'demo-login', 'aria-label': 'Signed in as (demo)' }, [el('option', { value: '', text: 'Guest (not signed in)' })]);
    customers.forEach(function (customer) {
      select.append(el('option', { value: customer.id, text: customer.name + ' (' + customer.tier + ')' }));
    });
    select.value = current || '';
    select.addEventListener('change', function () {
      setCustomer(select.value || null);
    });
    header.replaceChildren(
      el('a', { class: 'brand', href: '/', text: '✈ Skyway Travel' }),
      el('nav', { 'aria-label': 'Main' }, links),
      el('label', { class: 'login' }, [el('span', { text: 'Signed in as' }), select]),
    );
  }

  function formatMoney(amount, currency) {
    try {
      return new Intl.NumberFormat(navigator.language || 'en-GB', { style: 'currency', currency: currency }).format(Number(amount));
    } catch (e) {
      return amount + ' ' + currency;
    }
  }

  function formatDate(isoDate) {
    return new Intl.DateTimeFormat(navigator.language || 'en-GB', { dateStyle: 'medium', timeZone: 'UTC' }).format(new Date(isoDate + 'T00:00:00Z'));
  }

  function renderTrips(id) {
    var list = document.getElementById('trips');
    var intro = document.getElementById('trips-intro');
    if (!id) return;
    fetch('/demo/customers/' + encodeURIComponent(id) + '/trips')
      .then(function (response) {
        return response.json();
      })
      .then(function (body) {
        intro.textContent = body.trips.length ? 'Your bookings. Questions about one? Ask in the chat, with its reference.' : 'No bookings yet.';
        list.replaceChildren.apply(
          list,
          body.trips.map(function (trip) {
            return el('li', { class: 'trip', 'data-reference': trip.reference }, [
              el('div', { class: 'trip-head' }, [el('strong', { text: trip.reference }), el('span', { class: 'status status-' + trip.status, text: trip.status })]),
              el('p', { text: trip.summary }),
              el('p', { class: 'muted', text: formatDate(trip.startDate) + (trip.endDate ? ' – ' + formatDate(trip.endDate) : '') + ' · ' + formatMoney(trip.totalAmount, trip.currency) }),
            ]);
          }),
        );
      });
  }

  function getJson(url) {
    return fetch(url).then(function (response) {
      return response.json();
    });
  }

  // The search form is scenery: it never leaves the page.
  document.querySelectorAll('form.search').forEach(function (form) {
    form.addEventListener('submit', function (event) {
      event.preventDefault();
    });
  });

  Promise.all([getJson('/demo/customers'), getJson('/demo/me')]).then(function (results) {
    renderHeader(results[0].customers, results[1].customerId);
    if (page === 'trips') renderTrips(results[1].customerId);
  });
})();
