// Faktura: card entry with Stripe.js Elements, loaded right after Stripe.js on the pages that
// take a card when the gateway is Stripe. The card details go from Stripe's field straight to
// Stripe; Faktura's server only ever sees Stripe's ids (seti_…, pm_…, pi_…). Without script the
// pages say that the card field needs JavaScript.
(function () {
  "use strict";

  /** A message for the person (already in their language), not a program error. */
  function Shown(text) { this.text = text; }

  function showError(box, text) {
    if (!box) return;
    box.textContent = text || "";
    box.hidden = !text;
  }

  function stripeFor(key) {
    if (typeof window.Stripe !== "function" || !key) return null;
    try { return window.Stripe(key); } catch (e) { return null; }
  }

  // Adding a card (data-stripe-form=setup), and paying with a new card that is to be saved
  // (data-stripe-form=pay, "Add a new card" chosen and "Save this card for later" ticked):
  // Faktura begins a SetupIntent, Stripe.js confirms it with the card field (3-D Secure
  // included), then the form posts the SetupIntent's id. Paying with a new card that is not
  // to be saved: Stripe.js makes a PaymentMethod from the card field (createPaymentMethod) and
  // the form posts only its id; Faktura charges it on no customer (3-D Secure, when the bank
  // asks, runs on the authenticate page), so it is kept nowhere.
  document.querySelectorAll("form[data-stripe-form]").forEach(function (form) {
    var mount = form.querySelector("[data-stripe-mount]");
    var target = form.querySelector("[data-stripe-card]");
    var errorBox = form.querySelector("[data-stripe-error]");
    var setupField = form.querySelector("[data-stripe-setup-id]");
    var holder = form.querySelector("[data-stripe-holder]");
    var methodField = form.querySelector("[data-stripe-method-id]");
    var saveBox = form.querySelector("[data-stripe-save]");
    var button = form.querySelector("button[type=submit]");
    if (!mount || !target || !setupField) return;
    var usesCard = function () {
      if (form.dataset.stripeForm !== "pay") return true;
      var chosen = form.querySelector("input[name=method]:checked");
      return Boolean(chosen && chosen.value === "new");
    };
    var stripe = stripeFor(mount.dataset.stripeKey);
    if (!stripe) {
      showError(errorBox, mount.dataset.errorUnavailable);
      form.addEventListener("submit", function (event) {
        if (!usesCard()) return;
        event.preventDefault();
        event.stopImmediatePropagation();
      });
      return;
    }
    var card = stripe.elements().create("card");
    card.mount(target);
    var busy = false;
    var stop = function (text) {
      busy = false;
      if (button) { button.disabled = false; delete button.dataset.sent; }
      showError(errorBox, text);
    };
    form.addEventListener("submit", function (event) {
      if (!usesCard()) return;
      // Registered before app.js's once-only guard, which this handler stands in for here.
      event.preventDefault();
      event.stopImmediatePropagation();
      if (busy) return;
      var name = holder ? holder.value.trim() : "";
      if (!name) {
        stop(mount.dataset.errorHolder);
        if (holder) holder.focus();
        return;
      }
      busy = true;
      if (button) button.disabled = true;
      showError(errorBox, "");
      var saving = form.dataset.stripeForm !== "pay" || Boolean(saveBox && saveBox.checked);
      if (!saving && methodField) {
        Promise.resolve(stripe.createPaymentMethod({
          type: "card",
          card: card,
          billing_details: { name: name },
        }))
          .then(function (result) {
            var error = result && result.error;
            if (error) {
              var theCard = error.type === "validation_error" || error.type === "card_error";
              throw new Shown(theCard ? mount.dataset.errorCheck : mount.dataset.errorUnavailable);
            }
            var made = result && result.paymentMethod;
            if (!made || !made.id) throw new Shown(mount.dataset.errorUnavailable);
            methodField.value = made.id;
            setupField.value = "";
            form.submit();
          })
          .catch(function (error) {
            stop(error instanceof Shown ? error.text : mount.dataset.errorUnavailable);
          });
        return;
      }
      var body = new URLSearchParams();
      body.set("csrf", form.elements.csrf.value);
      body.set("profile", form.dataset.profile);
      fetch(mount.dataset.beginUrl, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/x-www-form-urlencoded" },
        body: body.toString(),
      })
        .then(function (response) {
          return response.json().catch(function () { return {}; }).then(function (begun) {
            if (!response.ok || !begun.clientSecret || !begun.setup) {
              throw new Shown(begun.error || mount.dataset.errorUnavailable);
            }
            return begun;
          });
        })
        .then(function (begun) {
          return stripe.confirmCardSetup(begun.clientSecret, {
            payment_method: { card: card, billing_details: { name: name } },
          }).then(function (result) {
            var error = result && result.error;
            // The card field's own complaint (an incomplete number, say) stays on the page;
            // so does a script that failed. A decline or a failed 3-D Secure is Stripe's
            // answer about the setup: Faktura asks Stripe how it ended and says why.
            if (error && (error.type === "validation_error" || error instanceof Error)) {
              throw new Shown(mount.dataset.errorCheck);
            }
            var stripesAnswer = !error || !error.type || error.type === "card_error" ||
              /authentication_failure$/.test(error.code || "");
            if (!stripesAnswer) throw new Shown(mount.dataset.errorUnavailable);
            setupField.value = begun.setup;
            form.submit();
          });
        })
        .catch(function (error) {
          stop(error instanceof Shown ? error.text : mount.dataset.errorUnavailable);
        });
    });
  });

  // A payment the bank wants confirmed (3-D Secure): Stripe.js runs the check, then the
  // return path asks Stripe how it ended, whatever the script reported.
  var action = document.querySelector("[data-stripe-action]");
  if (action) {
    var stripe = stripeFor(action.dataset.stripeKey);
    if (!stripe) {
      showError(action.querySelector("[data-stripe-error]"), action.dataset.errorUnavailable);
      return;
    }
    var secret = action.dataset.clientSecret;
    var back = function () { window.location.assign(action.dataset.return); };
    var run;
    try {
      run = typeof stripe.handleNextAction === "function"
        ? stripe.handleNextAction({ clientSecret: secret })
        : stripe.confirmCardPayment(secret);
    } catch (e) {
      run = null;
    }
    Promise.resolve(run).then(back, back);
  }
})();
