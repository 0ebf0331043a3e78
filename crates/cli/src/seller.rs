//! The seller's legal details printed on invoices, receipts and credit notes
//! (`faktura serve --seller-name … --seller-address … --seller-vat-number …`).

use clap::Args;
use faktura_app::SellerDetails;

#[derive(Args, Debug, Clone)]
pub struct SellerArgs {
    /// The seller's registered name on invoices, receipts and credit notes (default: the demo
    /// company, Faktura Billing ApS).
    #[arg(long, value_name = "NAME", env = "FAKTURA_SELLER_NAME")]
    pub seller_name: Option<String>,
    /// The seller's postal address, lines separated by ";" (e.g. "Vesterbrogade 1;1620
    /// København V;Danmark").
    #[arg(long, value_name = "LINES", env = "FAKTURA_SELLER_ADDRESS")]
    pub seller_address: Option<String>,
    /// The seller's VAT number as printed (in Denmark the CVR number, e.g. DK12345678).
    #[arg(long, value_name = "NUMBER", env = "FAKTURA_SELLER_VAT_NUMBER")]
    pub seller_vat_number: Option<String>,
}

impl SellerArgs {
    /// The configured details; whatever is not set keeps the demo default.
    pub fn details(&self) -> SellerDetails {
        let defaults = SellerDetails::default();
        let set = |value: &Option<String>| {
            value
                .as_deref()
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(str::to_owned)
        };
        SellerDetails {
            name: set(&self.seller_name).unwrap_or(defaults.name),
            address: set(&self.seller_address)
                .map(|lines| {
                    lines
                        .split(';')
                        .map(|line| line.trim().to_owned())
                        .filter(|line| !line.is_empty())
                        .collect()
                })
                .unwrap_or(defaults.address),
            vat_number: set(&self.seller_vat_number).unwrap_or(defaults.vat_number),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unset_details_keep_the_demo_seller() {
        let none = SellerArgs {
            seller_name: None,
            seller_address: Some("  ".into()),
            seller_vat_number: None,
        };
        assert_eq!(none.details(), SellerDetails::default());
        let set = SellerArgs {
            seller_name: Some(" Łódź Trading Sp. z o.o. ".into()),
            seller_address: Some("ul. Piotrkowska 1; ;90-001 Łódź;Polska".into()),
            seller_vat_number: Some("PL1234567890".into()),
        };
        let details = set.details();
        assert_eq!(details.name, "Łódź Trading Sp. z o.o.");
        assert_eq!(
            details.address,
            vec!["ul. Piotrkowska 1", "90-001 Łódź", "Polska"]
        );
        assert_eq!(details.vat_number, "PL1234567890");
    }
}
