//! Finding every bucket and topic of an account, for pruning: ListBuckets
//! (paged; each bucket's region comes in the answer, so no request per
//! bucket unless S3 leaves it out) and ListTopics in each region searched.

use xacct_engine::prune::Found;
use xacct_engine::Location;

use crate::error::{CallFailure, Error};
use crate::session::Session;

/// Buckets per ListBuckets page (S3 allows up to 10,000).
const PAGE: i32 = 1000;

/// Every bucket of the account of `home` (its location in the account's own
/// region) and every topic of it in `topic_regions`.
pub async fn discover(
    session: &Session,
    home: &Location,
    topic_regions: &[String],
) -> Result<Vec<Found>, Error> {
    let mut found = buckets(session, home).await?;
    for region in topic_regions {
        let location = Location {
            region: Some(region.clone()),
            ..home.clone()
        };
        found.extend(topics(session, &location).await?);
    }
    Ok(found)
}

async fn buckets(session: &Session, home: &Location) -> Result<Vec<Found>, Error> {
    let clients = session.clients(home)?;
    let failed = |failure| Error::discovery(home, &clients.region, failure);
    let mut found = Vec::new();
    let mut token = None;
    loop {
        let page = clients
            .s3
            .list_buckets()
            .max_buckets(PAGE)
            .set_continuation_token(token)
            .send()
            .await
            .map_err(|error| failed(CallFailure::from_sdk("ListBuckets", error)))?;
        for bucket in page.buckets() {
            let Some(name) = bucket.name() else { continue };
            let region = match bucket.bucket_region() {
                Some(region) => Some(region.to_string()),
                None => location_of(&clients.s3, name).await.map_err(failed)?,
            };
            found.push(Found::Bucket {
                name: name.to_string(),
                region,
            });
        }
        token = page.continuation_token().map(str::to_string);
        if token.is_none() {
            return Ok(found);
        }
    }
}

/// GetBucketLocation, for an answer of ListBuckets without the region: no
/// constraint means us-east-1, and `EU` is eu-west-1's old name.
async fn location_of(
    client: &aws_sdk_s3::Client,
    bucket: &str,
) -> Result<Option<String>, CallFailure> {
    let output = client
        .get_bucket_location()
        .bucket(bucket)
        .send()
        .await
        .map_err(|error| CallFailure::from_sdk("GetBucketLocation", error))?;
    Ok(Some(
        match output.location_constraint().map(|c| c.as_str()) {
            None | Some("") => "us-east-1".to_string(),
            Some("EU") => "eu-west-1".to_string(),
            Some(region) => region.to_string(),
        },
    ))
}

async fn topics(session: &Session, location: &Location) -> Result<Vec<Found>, Error> {
    let clients = session.clients(location)?;
    let mut found = Vec::new();
    let mut token = None;
    loop {
        let page = clients
            .sns
            .list_topics()
            .set_next_token(token)
            .send()
            .await
            .map_err(|error| {
                Error::discovery(
                    location,
                    &clients.region,
                    CallFailure::from_sdk("ListTopics", error),
                )
            })?;
        found.extend(page.topics().iter().filter_map(|topic| {
            Some(Found::Topic {
                arn: topic.topic_arn()?.to_string(),
            })
        }));
        token = page.next_token().map(str::to_string);
        if token.is_none() {
            return Ok(found);
        }
    }
}
