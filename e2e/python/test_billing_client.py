"""Microsoft's own Python client (azure-mgmt-billing 8, api-version 2024-04-01) against Faktura.

Run by scripts/test.sh against a server with demo data. The client insists on HTTPS for bearer
tokens; we pass its own per-call option `enforce_https=False`, since the test server speaks
plain HTTP on localhost.
"""

import datetime
import os

import pytest
from azure.core.credentials import AccessToken
from azure.mgmt.billing import BillingManagementClient

BASE_URL = os.environ["FAKTURA_URL"]
TOKEN = os.environ["FAKTURA_TOKEN"]
HTTP = {"enforce_https": False}


class FakturaToken:
    """A TokenCredential that hands over a Faktura personal access token."""

    def get_token(self, *scopes, **kwargs):
        return AccessToken(TOKEN, 4102444800)

    def get_token_info(self, *scopes, options=None):
        from azure.core.credentials import AccessTokenInfo

        return AccessTokenInfo(TOKEN, 4102444800)


@pytest.fixture(scope="module")
def client():
    return BillingManagementClient(FakturaToken(), subscription_id="00000000-0000-0000-0000-000000000000", base_url=BASE_URL)


@pytest.fixture(scope="module")
def account(client):
    accounts = list(client.billing_accounts.list(**HTTP))
    assert len(accounts) == 1
    return accounts[0]


def test_billing_accounts(client, account):
    assert account.properties.display_name == "Nordlys Data ApS"
    assert account.properties.agreement_type == "MicrosoftCustomerAgreement"
    again = client.billing_accounts.get(account.name, **HTTP)
    assert again.id == account.id


def test_billing_profiles(client, account):
    profiles = list(client.billing_profiles.list_by_billing_account(account.name, **HTTP))
    assert sorted(p.properties.display_name for p in profiles) == ["Nordlys Drift", "Nordlys Udvikling"]
    assert all(p.properties.currency == "DKK" for p in profiles)
    one = client.billing_profiles.get(account.name, profiles[0].name, **HTTP)
    assert one.properties.display_name == profiles[0].properties.display_name


def test_invoices_at_both_scopes_with_paging(client, account):
    invoices = list(client.invoices.list_by_billing_account(account.name, top=5, **HTTP))
    assert len(invoices) == 36, "18 months on two profiles, followed across pages of 5"
    assert len({i.name for i in invoices}) == 36
    statuses = [i.properties.status for i in invoices]
    assert statuses.count("OverDue") == 1
    assert statuses.count("Due") == 2
    assert statuses.count("Paid") == 33
    assert all(i.properties.total_amount.currency == "DKK" for i in invoices)
    due = next(i for i in invoices if i.properties.status == "OverDue")
    assert due.properties.amount_due.value > 0
    assert isinstance(due.properties.invoice_date, datetime.datetime)

    profiles = list(client.billing_profiles.list_by_billing_account(account.name, **HTTP))
    drift = next(p for p in profiles if p.properties.display_name == "Nordlys Drift")
    by_profile = list(client.invoices.list_by_billing_profile(account.name, drift.name, top=7, **HTTP))
    assert len(by_profile) == 18
    assert all(i.properties.billing_profile_display_name == "Nordlys Drift" for i in by_profile)

    got = client.invoices.get_by_billing_account(account.name, due.name, **HTTP)
    assert got.properties.amount_due.value == due.properties.amount_due.value
    assert got.properties.status == "OverDue"


def test_payment_method_links(client, account):
    profiles = list(client.billing_profiles.list_by_billing_account(account.name, **HTTP))
    drift = next(p for p in profiles if p.properties.display_name == "Nordlys Drift")
    links = list(client.payment_methods.list_by_billing_profile(account.name, drift.name, **HTTP))
    assert len(links) == 1
    link = links[0]
    assert link.properties.last_four_digits == "4242"
    assert link.properties.family == "CreditCard"
    one = client.payment_methods.get_by_billing_profile(account.name, drift.name, link.name, **HTTP)
    assert one.name == link.name


def test_role_assignments(client, account):
    assignments = list(client.billing_role_assignments.list_by_billing_account(account.name, **HTTP))
    emails = sorted(a.properties.user_email_address for a in assignments)
    assert emails == [
        "admin@nordlys.example",
        "invoices@nordlys.example",
        "profile-owner@nordlys.example",
        "reader@nordlys.example",
    ]


def test_check_access(client, account):
    decisions = client.billing_permissions.check_access_by_billing_account(
        account.name,
        {"actions": ["Microsoft.Billing/billingAccounts/invoices/pay/action", "Microsoft.Billing/billingAccounts/invoices/read"]},
        **HTTP,
    )
    assert [d.access_decision for d in decisions] == ["Allowed", "Allowed"]


def test_transactions_of_an_invoice(client, account):
    invoice = next(iter(client.invoices.list_by_billing_account(account.name, top=1, **HTTP)))
    transactions = list(client.transactions.list_by_invoice(account.name, invoice.name, **HTTP))
    assert transactions, "one transaction per invoice line"
    assert all(t.properties.invoice_id == invoice.id for t in transactions)
    assert all(t.properties.billing_currency == "DKK" for t in transactions)
    assert all(t.properties.product_description for t in transactions)
    lines = sum(round(t.properties.transaction_amount.value * 100) for t in transactions)
    assert lines == round(invoice.properties.sub_total.value * 100)


def _open_due(client, account, profile):
    invoices = client.invoices.list_by_billing_profile(account.name, profile.name, **HTTP)
    return sum(round(i.properties.amount_due.value * 100) for i in invoices if i.properties.status in ("Due", "OverDue"))


def test_available_balance(client, account):
    profiles = list(client.billing_profiles.list_by_billing_account(account.name, **HTTP))
    for profile in profiles:
        balance = client.available_balances.get_by_billing_profile(account.name, profile.name, **HTTP)
        assert balance.properties.amount.currency == "DKK"
        assert round(balance.properties.amount.value * 100) == _open_due(client, account, profile)
        assert balance.properties.payments_on_account == []
        assert balance.properties.total_payments_on_account.value == 0


def _call(method, path, token, body=None):
    import json
    import urllib.request

    request = urllib.request.Request(
        f"{BASE_URL}{path}",
        method=method,
        data=None if body is None else json.dumps(body).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request) as response:
        return json.load(response)


def test_a_refund_issues_a_credit_note_the_client_reads(client, account):
    """Pays the past-due invoice, refunds half of it (operator API) and reads the credit note."""
    invoices = list(client.invoices.list_by_billing_account(account.name, **HTTP))
    due = next(i for i in invoices if i.properties.status == "OverDue")
    profile = due.properties.billing_profile_id.rsplit("/", 1)[-1]
    link = next(iter(client.payment_methods.list_by_billing_profile(account.name, profile, **HTTP)))
    paid = _call(
        "POST",
        f"/providers/Microsoft.Billing/billingAccounts/{account.name}/invoices/{due.name}/pay?api-version=2024-04-01",
        TOKEN,
        {"paymentMethodId": link.name},
    )
    assert paid["properties"]["status"] == "Succeeded"
    half = round(paid["properties"]["amount"]["value"] * 100) // 2
    payment = paid["name"]
    refund = _call(
        "POST",
        f"/operator/v1/billingAccounts/{account.name}/payments/{payment}/refunds",
        os.environ["FAKTURA_OPERATOR_TOKEN"],
        {"amount": f"{half // 100}.{half % 100:02d}", "reason": "client test"},
    )
    number = refund["creditNote"]["number"]

    documents = list(client.invoices.list_by_billing_account(account.name, **HTTP))
    note = next(d for d in documents if d.properties.document_type == "CreditNote")
    assert note.properties.credit_for_document_id == due.id
    assert round(note.properties.total_amount.value * 100) == -half
    assert any(doc.name == number for doc in note.properties.documents)
    again = client.invoices.get_by_billing_account(account.name, note.name, **HTTP)
    assert again.properties.document_type == "CreditNote"
    paid_invoice = client.invoices.get_by_billing_account(account.name, due.name, **HTTP)
    assert paid_invoice.properties.status == "Paid"
    assert round(paid_invoice.properties.refund_details.amount_refunded.value * 100) == half
    assert paid_invoice.properties.refund_details.transaction_count == 1


def test_a_po_number_reaches_the_profile_and_new_invoices(client, account):
    """Sets the profile's PO number (Faktura's PATCH), issues an invoice and reads both."""
    profile = next(
        p for p in client.billing_profiles.list_by_billing_account(account.name, **HTTP)
        if p.properties.display_name == "Nordlys Drift"
    )
    assert profile.properties.po_number is None
    base = f"/providers/Microsoft.Billing/billingAccounts/{account.name}"
    _call(
        "PATCH",
        f"{base}/billingProfiles/{profile.name}?api-version=2024-04-01",
        TOKEN,
        {"properties": {"poNumber": "PO-CLIENT-7"}},
    )
    again = client.billing_profiles.get(account.name, profile.name, **HTTP)
    assert again.properties.po_number == "PO-CLIENT-7"
    old = list(client.invoices.list_by_billing_account(account.name, **HTTP))
    assert all(i.properties.purchase_order_number is None for i in old)
    issued = _call(
        "POST",
        f"/operator/v1/billingAccounts/{account.name}/invoices",
        os.environ["FAKTURA_OPERATOR_TOKEN"],
        {
            "billingProfileId": profile.name,
            "number": "PY-PO-0001",
            "invoiceDate": "2026-11-05", "periodStartDate": "2026-10-01",
            "periodEndDate": "2026-10-31", "dueDate": "2026-12-05",
            "lines": [{"service": "Support", "description": "Premier support", "quantity": "1",
                       "unitPrice": "100.00", "amount": "100.00"}],
        },
    )
    invoice = client.invoices.get_by_billing_account(account.name, issued["name"], **HTTP)
    assert invoice.properties.purchase_order_number == "PO-CLIENT-7"


def test_several_invoices_download_as_one_zip(client, account):
    import io
    import urllib.request
    import zipfile

    from azure.mgmt.billing.models import DocumentDownloadRequest

    invoices = [
        i for i in client.invoices.list_by_billing_account(account.name, **HTTP)
        if i.properties.document_type != "CreditNote"
    ][:2]
    poller = client.invoices.begin_download_documents_by_billing_account(
        account.name,
        [DocumentDownloadRequest(document_name=i.properties.documents[0].name, invoice_name=i.name) for i in invoices],
        **HTTP,
    )
    result = poller.result()
    assert result.expiry_time
    with urllib.request.urlopen(result.url) as response:
        archive = zipfile.ZipFile(io.BytesIO(response.read()))
    numbers = [i.properties.documents[0].name for i in invoices]
    assert archive.namelist() == [f"invoice-{n}.pdf" for n in numbers]


def test_openapi_document_validates():
    import json
    import urllib.request

    from openapi_spec_validator import validate

    with urllib.request.urlopen(f"{BASE_URL}/openapi.json") as response:
        document = json.load(response)
    assert document["openapi"] == "3.1.0"
    validate(document)
    assert "/providers/Microsoft.Billing/billingAccounts/{ba}/invoices/{invoice}/pay" in document["paths"]
