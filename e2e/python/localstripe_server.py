# localstripe (a fake Stripe from PyPI) as the Stripe tests start it, in Rust
# (crates/web/tests/common/stripe.rs) and in the browser (e2e/lib/localstripe.js):
#   python localstripe_server.py PORT
# - on loopback only, its state in memory (the packaged server pickles it to one shared file
#   in /tmp);
# - Stripe's prepaid test card 5105 1051 0510 5100 reported as prepaid (localstripe calls every
#   card a credit card);
# - Stripe.js's createPaymentMethod, which localstripe's own Stripe.js leaves empty, done as
#   Stripe.js does it: the card goes from the browser to POST /v1/payment_methods with the
#   publishable key, and the answer is the PaymentMethod (on no customer);
# - Stripe's test PaymentMethod pm_card_visa: attached to a customer, it is a new PaymentMethod
#   of Visa 4242 on that customer, as in Stripe's test mode (the demo's card is made so).
import json
import sys

import localstripe.resources as r
from aiohttp import web
from localstripe.errors import UserError

r.Store.dump_to_disk = lambda self: None

_init = r.PaymentMethod.__init__


def init(self, *args, **kwargs):
    _init(self, *args, **kwargs)
    if getattr(self, '_card_number', None) == '5105105105105100':
        self.card['funding'] = 'prepaid'
        self.card['brand'] = 'mastercard'


r.PaymentMethod.__init__ = init

CREATE_PAYMENT_METHOD = r'''
(function () {
  const made = Stripe;
  Stripe = (key) => {
    const stripe = made(key);
    stripe.createPaymentMethod = async (data) => {
      const element = data && data.card;
      const card = element && element.value ? element.value.card : {};
      try {
        const response = await fetch(`${LOCALSTRIPE_BASE_API}/v1/payment_methods`, {
          method: 'POST',
          body: JSON.stringify({
            key: key,
            type: 'card',
            card: card,
            billing_details: (data && data.billing_details) || {},
          }),
        });
        const body = await response.json().catch(() => ({}));
        if (response.status !== 200 || body.error) {
          return {error: body.error || {type: 'api_error'}};
        }
        return {paymentMethod: body};
      } catch (err) {
        return {error: {type: 'api_connection_error', message: String(err)}};
      }
    };
    return stripe;
  };
})();
'''


@web.middleware
async def stripe_js_gaps(request, handler):
    if request.method == 'POST' and request.path == '/v1/payment_methods' \
            and 'Authorization' not in request.headers:
        try:
            data = await request.json()
        except ValueError:
            data = None
        if not isinstance(data, dict) or \
                not str(data.pop('key', '')).startswith('pk_'):
            return UserError(401, 'Unauthorized').to_response()
        try:
            card = data.get('card') or {}
            method = r.PaymentMethod._api_create(
                type=data.get('type'),
                card={k: card.get(k) for k in
                      ('number', 'exp_month', 'exp_year', 'cvc')},
                billing_details=data.get('billing_details') or None)
        except UserError as error:
            return error.to_response()
        return web.json_response(method._export(), dumps=json.dumps)
    if request.method == 'POST' and \
            request.path == '/v1/payment_methods/pm_card_visa/attach':
        if not request.headers.get('Authorization', '').startswith('Bearer sk_'):
            return UserError(401, 'Unauthorized').to_response()
        form = await request.post()
        try:
            method = r.PaymentMethod._api_create(
                type='card',
                card={'number': '4242424242424242', 'exp_month': '12',
                      'exp_year': '2034', 'cvc': '123'})
            method = r.PaymentMethod._api_attach(method.id,
                                                 customer=form.get('customer'))
        except UserError as error:
            return error.to_response()
        return web.json_response(method._export(), dumps=json.dumps)
    response = await handler(request)
    if request.path == '/js.stripe.com/v3/':
        return web.Response(text=response.text + CREATE_PAYMENT_METHOD,
                            content_type='application/javascript')
    return response


from localstripe.server import app  # noqa: E402

app.middlewares.insert(0, stripe_js_gaps)
web.run_app(app, host='127.0.0.1', port=int(sys.argv[1]), print=None,
            access_log=None)
