//! `cloudtrail_event_selectors.<trail>`: GetEventSelectors / PutEventSelectors,
//! converted to and from the engine's [`EventSelectors`].

use aws_sdk_cloudtrail::types::{
    AdvancedEventSelector, AdvancedFieldSelector, DataResource as SdkDataResource, EventSelector,
    ReadWriteType,
};
use aws_sdk_cloudtrail::Client;
use xacct_engine::kinds::cloudtrail_event_selectors::{
    AdvancedSelector, BasicSelector, DataResource, EventSelectors, FieldSelector,
};

use crate::error::CallFailure;
use crate::kinds::AwsKind;
use crate::operation::{op, Access, Operation};
use crate::session::Clients;
use xacct_engine::kinds::cloudtrail_event_selectors::{
    CloudTrailEventSelectors, EventSelectorsWrite,
};

impl AwsKind for CloudTrailEventSelectors {
    const OPERATIONS: &'static [Operation] = &[
        op(
            "GetEventSelectors",
            "cloudtrail:GetEventSelectors",
            Access::Read,
        ),
        op(
            "PutEventSelectors",
            "cloudtrail:PutEventSelectors",
            Access::Write,
        ),
    ];

    async fn read(clients: &Clients, aws_id: &str) -> Result<Self::Observed, CallFailure> {
        observe(&clients.cloudtrail, aws_id).await
    }

    async fn write(clients: &Clients, write: &EventSelectorsWrite) -> Result<(), CallFailure> {
        match write {
            EventSelectorsWrite::PutEventSelectors { trail, selectors } => {
                put(&clients.cloudtrail, trail, selectors).await
            }
        }
    }
}

/// Every selector of the trail (`trail`: name or ARN). An answer may carry
/// both lists, one of them empty; the engine reads an empty list as unused.
async fn observe(client: &Client, trail: &str) -> Result<EventSelectors, CallFailure> {
    let output = client
        .get_event_selectors()
        .trail_name(trail)
        .send()
        .await
        .map_err(|error| CallFailure::from_sdk("GetEventSelectors", error))?;
    Ok(EventSelectors {
        basic: output
            .event_selectors()
            .iter()
            .map(basic_from_sdk)
            .collect(),
        advanced: output
            .advanced_event_selectors()
            .iter()
            .map(advanced_from_sdk)
            .collect(),
    })
}

/// Replaces every selector of the trail. Only the list in use is sent: AWS
/// refuses a request carrying both.
async fn put(client: &Client, trail: &str, selectors: &EventSelectors) -> Result<(), CallFailure> {
    let mut request = client.put_event_selectors().trail_name(trail);
    if selectors.advanced.is_empty() {
        request =
            request.set_event_selectors(Some(selectors.basic.iter().map(basic_to_sdk).collect()));
    } else {
        let advanced = selectors
            .advanced
            .iter()
            .map(advanced_to_sdk)
            .collect::<Result<Vec<_>, _>>()?;
        request = request.set_advanced_event_selectors(Some(advanced));
    }
    request
        .customize()
        .config_override(crate::session::cloudtrail_write_once())
        .send()
        .await
        .map_err(|error| CallFailure::from_sdk("PutEventSelectors", error))?;
    Ok(())
}

/// AWS's defaults fill what the answer leaves out: a selector without a
/// read/write type logs `All`, and management events are included unless
/// turned off.
fn basic_from_sdk(selector: &EventSelector) -> BasicSelector {
    BasicSelector {
        read_write_type: selector
            .read_write_type()
            .map_or("All", ReadWriteType::as_str)
            .to_string(),
        include_management_events: selector.include_management_events().unwrap_or(true),
        data_resources: selector
            .data_resources()
            .iter()
            .map(|resource| DataResource {
                resource_type: resource.r#type().unwrap_or_default().to_string(),
                values: resource.values().to_vec(),
            })
            .collect(),
        exclude_management_event_sources: selector.exclude_management_event_sources().to_vec(),
    }
}

fn basic_to_sdk(selector: &BasicSelector) -> EventSelector {
    let data_resources: Vec<SdkDataResource> = selector
        .data_resources
        .iter()
        .map(|resource| {
            SdkDataResource::builder()
                .r#type(&resource.resource_type)
                .set_values(Some(resource.values.clone()))
                .build()
        })
        .collect();
    EventSelector::builder()
        .read_write_type(ReadWriteType::from(selector.read_write_type.as_str()))
        .include_management_events(selector.include_management_events)
        .set_data_resources((!data_resources.is_empty()).then_some(data_resources))
        .set_exclude_management_event_sources(
            (!selector.exclude_management_event_sources.is_empty())
                .then(|| selector.exclude_management_event_sources.clone()),
        )
        .build()
}

fn advanced_from_sdk(selector: &AdvancedEventSelector) -> AdvancedSelector {
    AdvancedSelector {
        name: selector.name().map(str::to_string),
        field_selectors: selector
            .field_selectors()
            .iter()
            .map(|field| FieldSelector {
                field: field.field().to_string(),
                equals: field.equals().to_vec(),
                starts_with: field.starts_with().to_vec(),
                ends_with: field.ends_with().to_vec(),
                not_equals: field.not_equals().to_vec(),
                not_starts_with: field.not_starts_with().to_vec(),
                not_ends_with: field.not_ends_with().to_vec(),
            })
            .collect(),
    }
}

fn advanced_to_sdk(selector: &AdvancedSelector) -> Result<AdvancedEventSelector, CallFailure> {
    // An empty list is left out rather than sent: it is no condition at all.
    let list = |values: &Vec<String>| (!values.is_empty()).then(|| values.clone());
    let fields = selector
        .field_selectors
        .iter()
        .map(|field| {
            AdvancedFieldSelector::builder()
                .field(&field.field)
                .set_equals(list(&field.equals))
                .set_starts_with(list(&field.starts_with))
                .set_ends_with(list(&field.ends_with))
                .set_not_equals(list(&field.not_equals))
                .set_not_starts_with(list(&field.not_starts_with))
                .set_not_ends_with(list(&field.not_ends_with))
                .build()
                .map_err(invalid_request)
        })
        .collect::<Result<Vec<_>, _>>()?;
    AdvancedEventSelector::builder()
        .set_name(selector.name.clone())
        .set_field_selectors(Some(fields))
        .build()
        .map_err(invalid_request)
}

/// A selector the SDK cannot even build (a required field missing) never
/// reaches AWS; it is reported like a refused call.
fn invalid_request(error: aws_sdk_cloudtrail::error::BuildError) -> CallFailure {
    CallFailure::invalid("PutEventSelectors", error.to_string())
}
