//! `cloudtrail_event_selectors.<trail>`: GetEventSelectors / PutEventSelectors,
//! converted to and from the engine's [`EventSelectors`].

use aws_sdk_cloudtrail::Client;
use xacct_engine::resource::cloudtrail_event_selectors::EventSelectors;

use crate::error::CallFailure;

pub(crate) async fn observe(client: &Client, trail: &str) -> Result<EventSelectors, CallFailure> {
    let _ = (client, trail);
    Err(CallFailure {
        operation: "GetEventSelectors",
        code: None,
        message: "not implemented yet".into(),
    })
}

pub(crate) async fn put(
    client: &Client,
    trail: &str,
    selectors: &EventSelectors,
) -> Result<(), CallFailure> {
    let _ = (client, trail, selectors);
    Err(CallFailure {
        operation: "PutEventSelectors",
        code: None,
        message: "not implemented yet".into(),
    })
}
