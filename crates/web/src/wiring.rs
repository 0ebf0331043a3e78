//! Puts the web layer's state together: the application's services with this layer's mail
//! composer (which needs the view's labels, and so cannot live in `state`, which they use).

use crate::i18n::I18n;
use crate::mails::MailComposer;
use crate::state::{AppState, WebConfig};
use faktura_app::{Config, Services};
use faktura_gateway::{PaymentGateway, SandboxGateway};
use faktura_store::Store;
use std::sync::Arc;

impl AppState {
    pub fn new(
        store: Store,
        gateway: Arc<dyn PaymentGateway>,
        sandbox: Option<Arc<SandboxGateway>>,
        i18n: Arc<I18n>,
        config: Config,
        help: Arc<faktura_help::HelpLibrary>,
    ) -> AppState {
        let app = Services::new(store, gateway, config);
        let composer = Arc::new(MailComposer::new(i18n.clone(), app.config.clone()));
        AppState {
            app: app.with_composer(composer),
            sandbox,
            i18n,
            web: Arc::new(WebConfig::default()),
            help,
        }
    }
}
